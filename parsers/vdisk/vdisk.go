package vdisk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Kinds of virtual disk containers.
const (
	KindQCOW2 = "qcow2"
	KindVHD   = "vhd"
	KindVHDX  = "vhdx"
	KindVMDK  = "vmdk"
)

var (
	be = binary.BigEndian
	le = binary.LittleEndian

	errNegativeOffset = errors.New("vdisk: negative offset")
)

// Magic numbers at offset 0.
var (
	qcowMagic     = []byte("QFI\xfb")
	vhdxMagic     = []byte("vhdxfile")
	vhdFooterMag  = []byte("conectix")
	vmdkMagic     = []byte("KDMV")
	vmdkDescMagic = []byte("# Disk DescriptorFile")
)

// Sniff names the container whose signature starts head, or "". A fixed
// VHD has its footer at the end only: Sniff does not see it, Open does.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, qcowMagic):
		return KindQCOW2
	case bytes.HasPrefix(head, vhdxMagic):
		return KindVHDX
	case bytes.HasPrefix(head, vhdFooterMag):
		return KindVHD
	case bytes.HasPrefix(head, vmdkMagic), bytes.HasPrefix(head, vmdkDescMagic):
		return KindVMDK
	}
	return ""
}

// maxParentChain bounds the parents and backing files followed (a chain of
// snapshots; a loop of files naming each other).
const maxParentChain = 16

// Disk is an opened virtual disk.
type Disk struct {
	R        io.ReaderAt // reads the virtual disk from its first byte
	Size     int64       // virtual size in bytes
	Kind     string
	Warnings []string // problems that did not stop the opening, with offsets

	id     [16]byte // VHD: the disk's identifier, which a child names
	closer func()   // closes the files opened for it (parents, backing files)
	qcow   *qcow2   // QCOW2: the reader, to attach a backing file
}

// Close closes the files Open opened for the disk (a differencing VHD's
// parents); the caller's own file stays open.
func (d *Disk) Close() {
	if d != nil && d.closer != nil {
		d.closer()
	}
}

// Open undoes the container of r (size bytes). It returns nil, nil when r
// holds no virtual disk container it knows, so the caller reads r as raw.
// A panic inside a reader (or the VHDX library) becomes an error.
func Open(r io.ReaderAt, size int64) (*Disk, error) {
	return OpenFile(r, size, "")
}

// OpenFile is Open for the image file at path (absolute, "" when unknown):
// a differencing VHD then reads its unchanged sectors from its parent,
// found by name beside it.
func OpenFile(r io.ReaderAt, size int64, path string) (*Disk, error) {
	return openDepth(r, size, path, 0)
}

func openDepth(r io.ReaderAt, size int64, path string, depth int) (d *Disk, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("virtual disk: internal error while opening: %v", p)
		}
	}()
	head := make([]byte, 512)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch Sniff(head) {
	case KindQCOW2:
		return openQCOW2(r, size, path, depth)
	case KindVHDX:
		return openVHDX(r, size)
	case KindVHD:
		return openVHD(r, size, path, depth)
	case KindVMDK:
		return openVMDK(r, size)
	}
	// A fixed VHD is the raw disk followed by a 512-byte footer.
	if size >= 1024 {
		var foot [vhdFooterSize]byte
		if _, err := r.ReadAt(foot[:], size-vhdFooterSize); err == nil && bytes.HasPrefix(foot[:], vhdFooterMag) {
			return openVHD(r, size, path, depth)
		}
	}
	return nil, nil
}

// bounded serves reads of the virtual disk through read, which fills p from
// virtual offset off inside one unit (cluster, block or grain) and returns
// how many bytes it filled; bounded splits reads at unit boundaries, ends
// at the virtual size with io.EOF and turns panics into errors.
type bounded struct {
	size int64
	unit int64
	read func(p []byte, off int64) error
	kind string
}

func (b *bounded) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	if off >= b.size {
		return 0, io.EOF
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error reading virtual offset %d: %v", b.kind, off+int64(n), r)
		}
	}()
	want := p
	if rest := b.size - off; int64(len(want)) > rest {
		want = want[:rest]
	}
	for n < len(want) {
		o := off + int64(n)
		k := min(int64(len(want)-n), b.unit-o%b.unit)
		if err := b.read(want[n:n+int(k)], o); err != nil {
			return n, err
		}
		n += int(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readFull reads exactly len(p) bytes at off of the container file, naming
// what was read in the error.
func readFull(r io.ReaderAt, p []byte, off int64, what string) error {
	if off < 0 {
		return fmt.Errorf("%s at negative offset %d", what, off)
	}
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %s at offset %d (%d of %d bytes): %w", what, off, n, len(p), err)
}
