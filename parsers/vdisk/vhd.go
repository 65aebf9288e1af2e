package vdisk

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

	// Differencing disks: the parent's virtual disk, and the sector
	// bitmap of the block at host offset bmOff.
	parent io.ReaderAt
	mu     sync.Mutex
	bm     []byte
	bmOff  int64
}

func openVHD(r io.ReaderAt, size int64, path string, depth int) (*Disk, error) {
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
		d := &Disk{R: io.NewSectionReader(r, 0, vsize), Size: vsize, Kind: KindVHD, Warnings: warns}
		copy(d.id[:], foot[68:84])
		return d, nil
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
	disk := &Disk{R: &bounded{size: vsize, unit: bs, read: d.read, kind: "VHD"}, Size: vsize, Kind: KindVHD, Warnings: warns}
	copy(disk.id[:], foot[68:84])
	if typ == vhdTypeDiff {
		parent, err := openVHDParent(h, dynOff, vsize, path, depth)
		if err != nil {
			return nil, err
		}
		d.parent, disk.closer = parent.R, parent.Close
		d.bm = make([]byte, d.bitmap)
		d.bmOff = -1
	}
	return disk, nil
}

// openVHDParent opens the parent a differencing disk's header (at dynOff)
// names, from the child's directory, and checks its identifier and size.
func openVHDParent(h []byte, dynOff, vsize int64, path string, depth int) (*Disk, error) {
	name := vhdParentName(h)
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if path == "" || base == "." || base == "/" {
		return nil, fmt.Errorf("VHD: differencing disk: its unchanged sectors live in the parent %q (header at offset %d), which cannot be looked for here", name, dynOff)
	}
	if depth >= maxParentChain {
		return nil, fmt.Errorf("VHD: more than %d differencing disks in a chain (parent %q)", maxParentChain, name)
	}
	pp := filepath.Join(filepath.Dir(path), base)
	f, err := os.Open(pp) // read-only
	if err != nil {
		return nil, fmt.Errorf("VHD: differencing disk: its parent %q (header at offset %d) is not beside it: %w", name, dynOff, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pd, err := openDepth(f, st.Size(), pp, depth+1)
	switch {
	case err != nil:
		err = fmt.Errorf("VHD parent %s: %w", pp, err)
	case pd == nil || pd.Kind != KindVHD:
		err = fmt.Errorf("VHD parent %s is not a VHD", pp)
	case !bytes.Equal(pd.id[:], h[40:56]):
		err = fmt.Errorf("VHD parent %s: its identifier %x is not the %x the child names (header at offset %d)", pp, pd.id, h[40:56], dynOff+40)
	case pd.Size < vsize:
		err = fmt.Errorf("VHD parent %s: %d bytes, the child has %d", pp, pd.Size, vsize)
	}
	if err != nil {
		pd.Close()
		f.Close()
		return nil, err
	}
	inner := pd.closer
	pd.closer = func() {
		if inner != nil {
			inner()
		}
		f.Close()
	}
	return pd, nil
}

func (d *vhdDyn) read(p []byte, off int64) error {
	e := d.bat[off/d.blockSize]
	if e == vhdUnallocated {
		if d.parent != nil {
			return readFull(d.parent, p, off, "VHD parent")
		}
		clear(p)
		return nil
	}
	base := int64(e) * 512
	if d.parent == nil {
		if err := readFull(d.r, p, base+d.bitmap+off%d.blockSize, "VHD data block"); err != nil {
			return fmt.Errorf("VHD: virtual offset %d: %w", off, err)
		}
		return nil
	}
	return d.readDiff(p, off, base)
}

// readDiff reads a differencing disk's block at host offset base: the
// sectors its bitmap marks from the block, the others from the parent.
func (d *vhdDyn) readDiff(p []byte, off, base int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bmOff != base {
		if err := readFull(d.r, d.bm, base, "VHD sector bitmap"); err != nil {
			return fmt.Errorf("VHD: virtual offset %d: %w", off, err)
		}
		d.bmOff = base
	}
	for n := 0; n < len(p); {
		in := (off + int64(n)) % d.blockSize
		sec := in / 512
		here := d.bm[sec/8]&(0x80>>(sec%8)) != 0
		k := min(len(p)-n, int(512-in%512))
		// the following sectors of the same source in one read
		for s := sec + 1; n+k < len(p) && (d.bm[s/8]&(0x80>>(s%8)) != 0) == here; s++ {
			k = min(len(p)-n, k+512)
		}
		var err error
		if here {
			err = readFull(d.r, p[n:n+k], base+d.bitmap+in, "VHD data block")
		} else {
			err = readFull(d.parent, p[n:n+k], off+int64(n), "VHD parent")
		}
		if err != nil {
			return fmt.Errorf("VHD: virtual offset %d: %w", off+int64(n), err)
		}
		n += k
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
