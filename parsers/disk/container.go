package disk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	ewf "github.com/Velocidex/go-ewf/parser"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/vdisk"
)

var errNegativeOffset = errors.New("disk: negative offset")

// ewfMagic starts every E01 segment (EWF version 1, EnCase/FTK/ewfacquire).
var ewfMagic = []byte("EVF\x09\x0d\x0a\xff\x00")

// Container kinds.
const (
	kindRaw      = "raw"
	kindSplitRaw = "split-raw"
	kindEWF      = "ewf"
)

// image is the media an evidence item holds, after the container is undone.
type image struct {
	r      io.ReaderAt
	size   int64
	kind   string
	closer func()
	// warnings found while opening (a truncated E01), with offsets.
	warnings []string
}

// maxInMemory is the largest image read into memory when the engine offers
// no random access (a disk image inside a compressed stream).
const maxInMemory = 256 << 20

// openImage undoes the container of in: one raw file, the parts of a split
// raw image, the segments of an E01, or a virtual machine disk (QCOW2,
// VHD, VHDX, VMDK: package vdisk). Files are opened read-only.
func openImage(in *parsers.Input) (*image, error) {
	var readers []io.ReaderAt
	var sizes []int64
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	if len(in.Parts) > 1 {
		for _, p := range in.Parts {
			f, err := os.Open(p) // read-only
			if err != nil {
				closeAll()
				return nil, err
			}
			st, err := f.Stat()
			if err != nil {
				f.Close()
				closeAll()
				return nil, err
			}
			files = append(files, f)
			readers = append(readers, f)
			sizes = append(sizes, st.Size())
		}
	} else {
		r, size := in.ReaderAt, in.Size
		if r == nil {
			if in.Open == nil {
				return nil, errors.New("disk-image: no random access to the input")
			}
			rc, err := in.Open()
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(io.LimitReader(rc, maxInMemory+1))
			rc.Close()
			if err != nil {
				return nil, err
			}
			if len(b) > maxInMemory {
				return nil, fmt.Errorf("disk-image: image inside a compressed stream is larger than %d bytes; extract it first", maxInMemory)
			}
			r, size = bytes.NewReader(b), int64(len(b))
		}
		readers, sizes = []io.ReaderAt{r}, []int64{size}
	}

	head := make([]byte, len(ewfMagic))
	n, _ := readers[0].ReadAt(head, 0)
	if n == len(head) && bytes.Equal(head, ewfMagic) {
		img, err := openEWF(readers, sizes)
		if err != nil {
			closeAll()
			return nil, err
		}
		img.closer = closeAll
		return img, nil
	}
	if len(readers) == 1 {
		path := "" // the file's path lets a differencing VHD find its parent
		if len(in.Parts) == 1 {
			path = in.Parts[0]
		}
		d, err := vdisk.OpenFile(readers[0], sizes[0], path)
		if err != nil {
			closeAll()
			return nil, err
		}
		if d != nil {
			return &image{r: d.R, size: d.Size, kind: d.Kind, closer: func() { d.Close(); closeAll() }, warnings: d.Warnings}, nil
		}
		return &image{r: readers[0], size: sizes[0], kind: kindRaw, closer: closeAll}, nil
	}
	m := newMultiReader(readers, sizes)
	return &image{r: m, size: m.size, kind: kindSplitRaw, closer: closeAll}, nil
}

// multiReader joins the parts of a split raw image end to end.
type multiReader struct {
	parts  []io.ReaderAt
	starts []int64 // starts[i] is the image offset of part i; starts[len] = size
	size   int64
}

func newMultiReader(parts []io.ReaderAt, sizes []int64) *multiReader {
	m := &multiReader{parts: parts}
	var off int64
	for _, s := range sizes {
		m.starts = append(m.starts, off)
		off += s
	}
	m.starts = append(m.starts, off)
	m.size = off
	return m
}

func (m *multiReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	n := 0
	for n < len(p) {
		if off >= m.size {
			return n, io.EOF
		}
		i := sort.Search(len(m.parts), func(i int) bool { return m.starts[i+1] > off })
		rel := off - m.starts[i]
		want := min(int64(len(p)-n), m.starts[i+1]-off)
		k, err := m.parts[i].ReadAt(p[n:n+int(want)], rel)
		n += k
		off += int64(k)
		if k < int(want) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	return n, nil
}

// EWF sanity limits, checked before go-ewf allocates anything from the
// header values.
const (
	ewfDescSize    = 76
	maxEWFSections = 1 << 20
	maxChunkSize   = 16 << 20 // ewfacquire's largest: 32768 sectors of 512 bytes
)

// checkEWF walks the section descriptors of every segment and rejects
// values that would make the library allocate absurd amounts (a hostile or
// corrupt volume or table section), so bad input gives an error, not an
// out-of-memory crash.
func checkEWF(readers []io.ReaderAt, sizes []int64) error {
	var total int64
	for _, s := range sizes {
		total += s
	}
	var desc [ewfDescSize]byte
	var vol [24]byte
	var chunkSize int64 = maxChunkSize
	for i, r := range readers {
		size := sizes[i]
		off := int64(13)
		for count := 0; ; count++ {
			if count > maxEWFSections {
				return fmt.Errorf("E01 segment %d: more than %d sections", i+1, maxEWFSections)
			}
			if off+ewfDescSize > size {
				break // truncated segment: go-ewf reads what is there
			}
			if _, err := r.ReadAt(desc[:], off); err != nil {
				return fmt.Errorf("E01 segment %d: section at offset %d: %w", i+1, off, err)
			}
			typ := string(desc[:16])
			if k := bytes.IndexByte(desc[:16], 0); k >= 0 {
				typ = string(desc[:k]) // as go-ewf reads it: up to the first NUL
			}
			next := int64(binary.LittleEndian.Uint64(desc[16:]))
			secSize := binary.LittleEndian.Uint64(desc[24:])
			switch typ {
			case "volume", "disk":
				if _, err := r.ReadAt(vol[:], off+ewfDescSize); err != nil {
					return fmt.Errorf("E01 segment %d: volume section at offset %d: %w", i+1, off, err)
				}
				chunks := int64(binary.LittleEndian.Uint32(vol[4:]))
				spc := int64(binary.LittleEndian.Uint32(vol[8:]))
				bps := int64(binary.LittleEndian.Uint32(vol[12:]))
				if spc == 0 || bps == 0 || spc*bps > maxChunkSize {
					return fmt.Errorf("E01 segment %d: volume section at offset %d: absurd chunk size (%d sectors of %d bytes)", i+1, off, spc, bps)
				}
				chunkSize = spc * bps
				if chunks*4 > total {
					return fmt.Errorf("E01 segment %d: volume section at offset %d: %d chunks cannot fit in %d bytes of segments", i+1, off, chunks, total)
				}
			case "table":
				var th [8]byte
				if _, err := r.ReadAt(th[:], off+ewfDescSize); err != nil {
					return fmt.Errorf("E01 segment %d: table section at offset %d: %w", i+1, off, err)
				}
				// go-ewf reads the entry count as 64 bits.
				entries := binary.LittleEndian.Uint64(th[:])
				if entries > uint64(size)/4 || off+ewfDescSize+24+int64(entries)*4 > size {
					return fmt.Errorf("E01 segment %d: table section at offset %d: %d entries run past the end of the segment (%d bytes)", i+1, off, entries, size)
				}
				if err := checkTable(r, off, int64(entries), chunkSize, size); err != nil {
					return fmt.Errorf("E01 segment %d: table section at offset %d: %w", i+1, off, err)
				}
			}
			if secSize == 0 || next <= off || next >= size {
				break
			}
			off = next
		}
	}
	return nil
}

// checkTable checks that the chunk offsets of a table section stay inside
// the segment and grow by at most about one chunk: go-ewf allocates each
// chunk's size from the difference of consecutive offsets.
func checkTable(r io.ReaderAt, off, entries, chunkSize, size int64) error {
	var hdr [16]byte
	if _, err := r.ReadAt(hdr[:], off+ewfDescSize); err != nil {
		return err
	}
	base := binary.LittleEndian.Uint64(hdr[8:])
	if base > uint64(size) {
		return fmt.Errorf("base offset %d past the end of the segment (%d bytes)", base, size)
	}
	buf := make([]byte, entries*4)
	if _, err := r.ReadAt(buf, off+ewfDescSize+24); err != nil && err != io.EOF {
		return err
	}
	var prev int64 = -1
	for i := int64(0); i < entries; i++ {
		o := int64(binary.LittleEndian.Uint32(buf[4*i:])&0x7fffffff) + int64(base)
		if o > size {
			return fmt.Errorf("chunk %d at offset %d lies past the end of the segment (%d bytes)", i, o, size)
		}
		if prev >= 0 && (o < prev || o-prev > 2*chunkSize+64) {
			return fmt.Errorf("chunk %d offset %d does not follow chunk %d at %d", i, o, i-1, prev)
		}
		prev = o
	}
	return nil
}

func openEWF(readers []io.ReaderAt, sizes []int64) (img *image, err error) {
	if err := checkEWF(readers, sizes); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("E01: go-ewf panicked while opening: %v", r)
		}
	}()
	f, err := ewf.OpenEWFFile(&ewf.EWFOptions{LRUSize: 16}, readers...)
	if err != nil {
		return nil, fmt.Errorf("E01: %w", err)
	}
	if f.TotalImageSize <= 0 {
		return nil, errors.New("E01: media size is 0")
	}
	img = &image{r: &ewfReader{f: f, size: f.TotalImageSize}, size: f.TotalImageSize, kind: kindEWF}
	if have := int64(len(f.Tables)); have < f.NumberOfChunks {
		img.warnings = append(img.warnings, fmt.Sprintf("E01 lists %d chunks but its tables locate only %d (truncated or missing segment?): media from offset %d on reads as zeros",
			f.NumberOfChunks, have, have*f.ChunkSize))
	}
	return img, nil
}

// ewfReader bounds go-ewf's reader to the media size, reports EOF like an
// os.File, and turns a panic inside the library into an error.
type ewfReader struct {
	f    *ewf.EWFFile
	size int64
}

func (e *ewfReader) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	if off >= e.size {
		return 0, io.EOF
	}
	want := p
	if rest := e.size - off; int64(len(want)) > rest {
		want = want[:rest]
	}
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("E01: go-ewf panicked reading offset %d: %v", off, r)
		}
	}()
	// Chunks that no table locates (a truncated image) read as zeros;
	// go-ewf would allocate a fresh chunk buffer for each such read.
	if mapped := int64(len(e.f.Tables)) * e.f.ChunkSize; off+int64(len(want)) > mapped {
		k := 0
		if off < mapped {
			k, err = e.f.ReadAt(want[:mapped-off], off)
			if err != nil {
				return k, err
			}
		}
		clear(want[k:])
		n = len(want)
		if n < len(p) {
			err = io.EOF
		}
		return n, err
	}
	n, err = e.f.ReadAt(want, off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}
