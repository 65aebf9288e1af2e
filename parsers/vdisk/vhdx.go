package vdisk

import (
	"fmt"
	"io"

	vhdx "github.com/Velocidex/go-vhdx/parser"
)

// VHDX layout values checked before go-vhdx uses them.
const (
	// vhdxMaxBlock bounds the payload block size (the format allows 1-256 MiB).
	vhdxMaxBlock = 256 << 20
	// vhdxRegionTables are the offsets of the two region tables.
	vhdxRegion1, vhdxRegion2 = 192 << 10, 256 << 10
	// vhdxMaxRegions is the format's limit on region table entries; the
	// library allocates one structure per claimed entry.
	vhdxMaxRegions = 2047
)

// openVHDX opens a VHDX through go-vhdx, after checking the values it
// would use unchecked.
func openVHDX(r io.ReaderAt, size int64) (*Disk, error) {
	for _, off := range []int64{vhdxRegion1, vhdxRegion2} {
		var h [16]byte
		if err := readFull(r, h[:], off, "VHDX region table"); err != nil {
			return nil, fmt.Errorf("VHDX: %w", err)
		}
		if n := le.Uint32(h[8:]); n > vhdxMaxRegions {
			return nil, fmt.Errorf("VHDX: region table at offset %d claims %d entries (at most %d)", off, n, vhdxMaxRegions)
		}
	}
	f, err := vhdx.NewVHDXFile(r)
	if err != nil {
		return nil, fmt.Errorf("VHDX: %w", err)
	}
	md := f.Metadata
	if md.HasParent {
		return nil, fmt.Errorf("VHDX: differencing disk: its unchanged blocks live in a parent file; not supported, merge it first")
	}
	if md.BlockSize > vhdxMaxBlock || md.BlockSize&(md.BlockSize-1) != 0 {
		return nil, fmt.Errorf("VHDX: block size %d is not a power of two up to %d", md.BlockSize, vhdxMaxBlock)
	}
	vsize := int64(md.VirtualDiskSize)
	if vsize <= 0 {
		return nil, fmt.Errorf("VHDX: virtual size %d", md.VirtualDiskSize)
	}
	read := func(p []byte, off int64) error {
		n, err := f.ReadAt(p, off)
		if n == len(p) {
			return nil
		}
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("VHDX: virtual offset %d: %w", off+int64(n), err)
	}
	return &Disk{R: &bounded{size: vsize, unit: int64(md.BlockSize), read: read, kind: "VHDX"}, Size: vsize, Kind: KindVHDX}, nil
}
