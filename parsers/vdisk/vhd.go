package vdisk

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// VHD layout (Microsoft Virtual Hard Disk Image Format Specification).
const (
	vhdFooterSize   = 512
	vhdDynHdrSize   = 1024
	vhdTypeFixed    = 2
	vhdTypeDynamic  = 3
	vhdTypeDiff     = 4
	vhdUnallocated  = 0xFFFFFFFF
	vhdMinBlockSize = 512
	// vhdMaxBlockSize bounds the block size (the format's default is
	// 2 MiB; Hyper-V allows up to 256 MiB): past it the header is corrupt.
	vhdMaxBlockSize = 256 << 20
)

type vhdDyn struct {
	r         io.ReaderAt
	fileSize  int64
	blockSize int64
	bitmap    int64 // bytes of sector bitmap before each block's data
	bat       []uint32
}

func openVHD(r io.ReaderAt, size int64) (*Disk, error) {
	var foot [vhdFooterSize]byte
	footOff := int64(0)
	if err := readFull(r, foot[:], 0, "VHD footer copy"); err != nil || !strings.HasPrefix(string(foot[:8]), "conectix") {
		footOff = size - vhdFooterSize
	}
	// The footer at the end is authoritative; the copy at 0 (dynamic
	// disks) stands in for a truncated file.
	var end [vhdFooterSize]byte
	if size >= vhdFooterSize && readFull(r, end[:], size-vhdFooterSize, "VHD footer") == nil && strings.HasPrefix(string(end[:8]), "conectix") {
		foot, footOff = end, size-vhdFooterSize
	}
	if !strings.HasPrefix(string(foot[:8]), "conectix") {
		return nil, fmt.Errorf("VHD: no footer at offset 0 or %d", size-vhdFooterSize)
	}
	var warns []string
	if !vhdChecksumOK(foot[:], 64) {
		warns = append(warns, fmt.Sprintf("VHD footer at offset %d: checksum mismatch (read anyway)", footOff))
	}
	vsize := int64(be.Uint64(foot[48:]))
	typ := be.Uint32(foot[60:])
	switch typ {
	case vhdTypeFixed:
		if footOff != size-vhdFooterSize {
			return nil, fmt.Errorf("VHD: fixed disk without its footer at the end (offset %d)", size-vhdFooterSize)
		}
		if vsize <= 0 || vsize > footOff {
			warns = append(warns, fmt.Sprintf("VHD footer at offset %d: current size %d does not fit the %d bytes before the footer; reading those", footOff, vsize, footOff))
			vsize = footOff
		}
		return &Disk{R: io.NewSectionReader(r, 0, vsize), Size: vsize, Kind: KindVHD, Warnings: warns}, nil
	case vhdTypeDynamic, vhdTypeDiff:
	default:
		return nil, fmt.Errorf("VHD footer at offset %d: disk type %d is not fixed (2), dynamic (3) or differencing (4)", footOff, typ)
	}
	dynOff := int64(be.Uint64(foot[16:]))
	h := make([]byte, vhdDynHdrSize)
	if err := readFull(r, h, dynOff, "VHD dynamic disk header"); err != nil {
		return nil, fmt.Errorf("VHD: %w", err)
	}
	if string(h[:8]) != "cxsparse" {
		return nil, fmt.Errorf("VHD: no dynamic disk header (cxsparse) at offset %d", dynOff)
	}
	if typ == vhdTypeDiff {
		return nil, fmt.Errorf("VHD: differencing disk: its unchanged sectors live in the parent %q (header at offset %d); not supported, convert it with its parent first", vhdParentName(h), dynOff)
	}
	if !vhdChecksumOK(h, 36) {
		warns = append(warns, fmt.Sprintf("VHD dynamic disk header at offset %d: checksum mismatch (read anyway)", dynOff))
	}
	batOff := int64(be.Uint64(h[16:]))
	entries := int64(be.Uint32(h[28:]))
	bs := int64(be.Uint32(h[32:]))
	if bs < vhdMinBlockSize || bs > vhdMaxBlockSize || bs&(bs-1) != 0 {
		return nil, fmt.Errorf("VHD: block size %d in the header at offset %d is not a power of two between %d and %d", bs, dynOff, vhdMinBlockSize, vhdMaxBlockSize)
	}
	if vsize <= 0 || entries*4 > size || entries*bs < vsize {
		return nil, fmt.Errorf("VHD: %d table entries of %d-byte blocks (header at offset %d) cannot map %d bytes in a %d-byte file", entries, bs, dynOff, vsize, size)
	}
	raw := make([]byte, entries*4)
	if err := readFull(r, raw, batOff, "VHD block allocation table"); err != nil {
		return nil, fmt.Errorf("VHD: %w", err)
	}
	d := &vhdDyn{r: r, fileSize: size, blockSize: bs, bat: make([]uint32, entries)}
	for i := range d.bat {
		d.bat[i] = be.Uint32(raw[4*i:])
	}
	// one bit per sector, padded to a whole sector
	d.bitmap = (bs/512/8 + 511) / 512 * 512
	return &Disk{R: &bounded{size: vsize, unit: bs, read: d.read, kind: "VHD"}, Size: vsize, Kind: KindVHD, Warnings: warns}, nil
}

func (d *vhdDyn) read(p []byte, off int64) error {
	e := d.bat[off/d.blockSize]
	if e == vhdUnallocated {
		clear(p)
		return nil
	}
	host := int64(e)*512 + d.bitmap + off%d.blockSize
	if err := readFull(d.r, p, host, "VHD data block"); err != nil {
		return fmt.Errorf("VHD: virtual offset %d: %w", off, err)
	}
	return nil
}

// vhdChecksumOK checks the one's complement of the byte sum, the checksum
// field (4 bytes at at) counted as zero.
func vhdChecksumOK(b []byte, at int) bool {
	var sum uint32
	for i, c := range b {
		if i < at || i >= at+4 {
			sum += uint32(c)
		}
	}
	return ^sum == be.Uint32(b[at:])
}

// vhdParentName is the parent's UTF-16BE name in a dynamic disk header.
func vhdParentName(h []byte) string {
	u := make([]uint16, 0, 256)
	for i := 64; i+1 < 64+512; i += 2 {
		c := be.Uint16(h[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}
