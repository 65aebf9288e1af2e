// Package testimage writes memory images in the LiME and AVML containers
// from plain byte ranges, the way the acquisition tools lay them out, for the
// memory tests, fuzz seeds, fixtures and benchmarks. LiME: per range a
// 32-byte header (magic "EMiL" as u32le 0x4C694D45, version 1, start and
// inclusive end physical address, 8 reserved bytes) and the bytes. AVML
// (microsoft/avml src/image.rs): the same header with magic "AVML" and
// version 2, the range as a snappy framed stream, then the stream's length
// as a u64.
package testimage

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/golang/snappy"
)

// Range is one stretch of physical memory to write.
type Range struct {
	Phys uint64
	Data []byte
}

const (
	limeMagic = 0x4C694D45
	avmlMagic = 0x4C4D5641
)

func header(magic, version uint32, r Range) []byte {
	h := make([]byte, 32)
	binary.LittleEndian.PutUint32(h[0:], magic)
	binary.LittleEndian.PutUint32(h[4:], version)
	binary.LittleEndian.PutUint64(h[8:], r.Phys)
	binary.LittleEndian.PutUint64(h[16:], r.Phys+uint64(len(r.Data))-1)
	return h
}

// WriteLiME writes the ranges as a LiME image. It returns the file offset of
// each range's data.
func WriteLiME(w io.Writer, ranges []Range) ([]int64, error) {
	var offs []int64
	off := int64(0)
	for _, r := range ranges {
		if _, err := w.Write(header(limeMagic, 1, r)); err != nil {
			return nil, err
		}
		off += 32
		offs = append(offs, off)
		if _, err := w.Write(r.Data); err != nil {
			return nil, err
		}
		off += int64(len(r.Data))
	}
	return offs, nil
}

// WriteAVML writes the ranges as an AVML image (snappy framed ranges).
func WriteAVML(w io.Writer, ranges []Range) error {
	for _, r := range ranges {
		if _, err := w.Write(header(avmlMagic, 2, r)); err != nil {
			return err
		}
		var z bytes.Buffer
		sw := snappy.NewBufferedWriter(&z)
		if _, err := sw.Write(r.Data); err != nil {
			return err
		}
		if err := sw.Close(); err != nil {
			return err
		}
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(z.Len()))
		if _, err := w.Write(z.Bytes()); err != nil {
			return err
		}
		if _, err := w.Write(n[:]); err != nil {
			return err
		}
	}
	return nil
}
