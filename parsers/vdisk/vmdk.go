package vdisk

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// VMDK hosted sparse extent header (VMware Virtual Disk Format 5.0).
const (
	vmdkSector      = 512
	vmdkGDAtEnd     = 0xFFFFFFFFFFFFFFFF // streamOptimized: the footer holds gdOffset
	vmdkFlagComp    = 1 << 16            // grains are compressed
	vmdkCompDeflate = 1
	// vmdkMaxGrain bounds the grain size (the default is 64 KiB; 128
	// sectors): past 1 MiB the header is corrupt.
	vmdkMaxGrain = 1 << 20
	// vmdkMaxGTEs bounds entries per grain table (always 512 in practice).
	vmdkMaxGTEs = 1 << 16
	// vmdkMaxCompRatio bounds a compressed grain's size in grains: deflate
	// never doubles its input, so more is a corrupt marker.
	vmdkMaxCompRatio = 2
)

type vmdk struct {
	r        io.ReaderAt
	fileSize int64
	grain    int64
	perGT    int64
	gd       []uint32
	comp     bool

	mu    sync.Mutex
	gtOff int64 // host offset of the cached grain table, or -1
	gt    []byte
	cbuf  []byte
	dbuf  []byte
	dOff  int64 // host sector of the grain in dbuf, or -1
}

func openVMDK(r io.ReaderAt, size int64) (*Disk, error) {
	h := make([]byte, vmdkSector)
	if err := readFull(r, h, 0, "VMDK header"); err != nil && size >= vmdkSector {
		return nil, fmt.Errorf("VMDK: %w", err)
	}
	if bytes.HasPrefix(h, vmdkDescMagic) {
		return nil, fmt.Errorf("VMDK: a descriptor file whose extents are separate files (%s): open the extent file itself (a -flat.vmdk is a raw image, a -s00N.vmdk a sparse extent)", vmdkExtents(h))
	}
	if v := le.Uint32(h[4:]); v < 1 || v > 3 {
		return nil, fmt.Errorf("VMDK: sparse extent version %d at offset 4 is not supported (1-3 are)", v)
	}
	gdOff := le.Uint64(h[56:])
	if gdOff == vmdkGDAtEnd {
		// streamOptimized: the footer (a copy of the header with the
		// real gdOffset) sits before the end-of-stream marker.
		if size < 3*vmdkSector {
			return nil, fmt.Errorf("VMDK: stream-optimized image of %d bytes has no footer", size)
		}
		if err := readFull(r, h, size-2*vmdkSector, "VMDK footer"); err != nil {
			return nil, fmt.Errorf("VMDK: %w", err)
		}
		if !bytes.HasPrefix(h, vmdkMagic) {
			return nil, fmt.Errorf("VMDK: no footer at offset %d (stream-optimized image truncated?)", size-2*vmdkSector)
		}
		gdOff = le.Uint64(h[56:])
	}
	capacity := int64(le.Uint64(h[12:])) * vmdkSector
	grain := int64(le.Uint64(h[20:])) * vmdkSector
	perGT := int64(le.Uint32(h[44:]))
	flags := le.Uint32(h[8:])
	if grain < 8*vmdkSector || grain > vmdkMaxGrain || grain&(grain-1) != 0 {
		return nil, fmt.Errorf("VMDK: grain size %d bytes (offset 20) is not a power of two between 4 KiB and %d", grain, vmdkMaxGrain)
	}
	if perGT <= 0 || perGT > vmdkMaxGTEs {
		return nil, fmt.Errorf("VMDK: %d grain table entries per table (offset 44)", perGT)
	}
	if capacity <= 0 {
		return nil, fmt.Errorf("VMDK: capacity %d bytes (offset 12)", capacity)
	}
	comp := flags&vmdkFlagComp != 0
	if comp && le.Uint16(h[77:]) != vmdkCompDeflate {
		return nil, fmt.Errorf("VMDK: compression algorithm %d (offset 77) is not deflate (1)", le.Uint16(h[77:]))
	}
	nGT := (capacity/grain + perGT - 1) / perGT
	if nGT*4 > size || int64(gdOff)*vmdkSector > size {
		return nil, fmt.Errorf("VMDK: grain directory of %d entries at sector %d does not fit in the %d-byte file", nGT, gdOff, size)
	}
	raw := make([]byte, nGT*4)
	if err := readFull(r, raw, int64(gdOff)*vmdkSector, "VMDK grain directory"); err != nil {
		return nil, fmt.Errorf("VMDK: %w", err)
	}
	v := &vmdk{r: r, fileSize: size, grain: grain, perGT: perGT, gd: make([]uint32, nGT), comp: comp, gtOff: -1, dOff: -1, gt: make([]byte, perGT*4)}
	for i := range v.gd {
		v.gd[i] = le.Uint32(raw[4*i:])
	}
	var warns []string
	if !vmdkEmbedsDescriptor(r, int64(le.Uint64(h[28:]))) {
		warns = append(warns, "VMDK sparse extent without an embedded descriptor (offset 28): likely one extent of a split disk (twoGbMaxExtentSparse), read alone; convert the whole disk first (qemu-img convert the descriptor file)")
	}
	return &Disk{R: &bounded{size: capacity, unit: grain, read: v.read, kind: "VMDK"}, Size: capacity, Kind: KindVMDK, Warnings: warns}, nil
}

func (v *vmdk) read(p []byte, off int64) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	g := off / v.grain
	gde := v.gd[g/v.perGT]
	if gde == 0 {
		clear(p)
		return nil
	}
	if gtOff := int64(gde) * vmdkSector; gtOff != v.gtOff {
		if err := readFull(v.r, v.gt, gtOff, "VMDK grain table"); err != nil {
			return fmt.Errorf("VMDK: virtual offset %d: %w", off, err)
		}
		v.gtOff = gtOff
	}
	gte := int64(le.Uint32(v.gt[4*(g%v.perGT):]))
	if gte <= 1 { // 0: never written, 1: zeroed grain
		clear(p)
		return nil
	}
	in := off % v.grain
	if !v.comp {
		if err := readFull(v.r, p, gte*vmdkSector+in, "VMDK grain"); err != nil {
			return fmt.Errorf("VMDK: virtual offset %d: %w", off, err)
		}
		return nil
	}
	if err := v.inflate(gte, off); err != nil {
		return err
	}
	copy(p, v.dbuf[in:])
	return nil
}

// inflate loads the compressed grain at sector gte into v.dbuf: a 12-byte
// marker (LBA, compressed size) then zlib data.
func (v *vmdk) inflate(gte, off int64) error {
	if gte == v.dOff {
		return nil
	}
	var m [12]byte
	host := gte * vmdkSector
	if err := readFull(v.r, m[:], host, "VMDK grain marker"); err != nil {
		return fmt.Errorf("VMDK: virtual offset %d: %w", off, err)
	}
	n := int64(le.Uint32(m[8:]))
	if n <= 0 || n > vmdkMaxCompRatio*v.grain || host+12+n > v.fileSize {
		return fmt.Errorf("VMDK: virtual offset %d: compressed grain at offset %d claims %d bytes", off, host, n)
	}
	v.cbuf = append(v.cbuf[:0], make([]byte, n)...)
	if err := readFull(v.r, v.cbuf, host+12, "VMDK compressed grain"); err != nil {
		return fmt.Errorf("VMDK: virtual offset %d: %w", off, err)
	}
	if v.dbuf == nil {
		v.dbuf = make([]byte, v.grain)
	}
	zr, err := zlib.NewReader(bytes.NewReader(v.cbuf))
	if err == nil {
		var k int
		k, err = io.ReadFull(zr, v.dbuf)
		if err == io.ErrUnexpectedEOF { // the last grain may be short
			clear(v.dbuf[k:])
			err = nil
		}
	}
	if err != nil {
		v.dOff = -1
		return fmt.Errorf("VMDK: virtual offset %d: compressed grain at offset %d: %w", off, host, err)
	}
	v.dOff = gte
	return nil
}

// vmdkExtents lists the extent lines of a descriptor for the error message.
func vmdkExtents(desc []byte) string {
	var out []string
	for _, l := range bytes.Split(desc, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if bytes.HasPrefix(l, []byte("RW ")) || bytes.HasPrefix(l, []byte("RDONLY ")) || bytes.HasPrefix(l, []byte("NOACCESS ")) {
			out = append(out, string(l))
		}
	}
	if len(out) == 0 {
		return "no extent lines in the first 512 bytes"
	}
	return fmt.Sprint(out)
}

// vmdkEmbedsDescriptor reports whether the descriptor area at sector
// descSector holds a descriptor: a monolithic disk's extent does, the
// extents of a split disk leave it empty or have none.
func vmdkEmbedsDescriptor(r io.ReaderAt, descSector int64) bool {
	if descSector <= 0 {
		return false
	}
	b := make([]byte, len(vmdkDescMagic))
	n, _ := r.ReadAt(b, descSector*vmdkSector)
	return n == len(b) && bytes.Equal(b, vmdkDescMagic)
}
