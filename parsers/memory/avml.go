package memory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sort"

	"github.com/golang/snappy"
)

// AVML stores each range as a snappy framed stream
// (https://github.com/google/snappy/blob/main/framing_format.md): chunks of a
// type byte, a 3-byte length and the chunk data; data chunks hold at most
// 64 KiB each and decode on their own. Indexing the chunks once lets any
// window of the range be decoded without the chunks before it, so AVML
// images are scanned in parallel like plain ones, and every finding names
// the file offset of the chunk it was decoded from.

// Frame is one data chunk of a snappy framed stream.
type Frame struct {
	Dec  int64  // decoded offset of the chunk's first byte within the range
	Off  int64  // file offset of the chunk header
	CLen uint32 // chunk data length (after the 4-byte header)
	DLen uint32 // decoded length
	Type byte   // 0x00 compressed, 0x01 uncompressed
}

const (
	chunkCompressed   = 0x00
	chunkUncompressed = 0x01
	chunkPadding      = 0xfe
	chunkStreamID     = 0xff
	maxChunkDecoded   = 65536
	maxChunkLen       = 1<<24 - 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// indexSnappy walks the chunk headers of the stream at off until want bytes
// are indexed. It returns the frames, the stream's end offset, and the
// decoded length indexed.
func indexSnappy(r io.ReaderAt, off, size, want int64) (frames []Frame, end, decoded int64, err error) {
	var h [4 + 4 + binary.MaxVarintLen32]byte
	p := off
	for decoded < want {
		if p+4 > size {
			return frames, p, decoded, fmt.Errorf("stream ends at offset %d after %d of %d bytes", p, decoded, want)
		}
		n, rerr := r.ReadAt(h[:], p)
		if n < 4 {
			return frames, p, decoded, fmt.Errorf("chunk header at offset %d: %v", p, rerr)
		}
		typ := h[0]
		clen := uint32(h[1]) | uint32(h[2])<<8 | uint32(h[3])<<16
		if p+4+int64(clen) > size {
			return frames, p, decoded, fmt.Errorf("chunk at offset %d: %d bytes past the end of the file", p, p+4+int64(clen)-size)
		}
		switch {
		case typ == chunkStreamID:
			if clen != 6 || n < 10 || string(h[4:10]) != "sNaPpY" {
				return frames, p, decoded, fmt.Errorf("chunk at offset %d: bad stream identifier", p)
			}
		case typ == chunkCompressed || typ == chunkUncompressed:
			if clen < 4 {
				return frames, p, decoded, fmt.Errorf("chunk at offset %d: data chunk of %d bytes", p, clen)
			}
			var dlen uint32
			if typ == chunkUncompressed {
				dlen = clen - 4
			} else {
				v, k := binary.Uvarint(h[8:n])
				if k <= 0 {
					return frames, p, decoded, fmt.Errorf("chunk at offset %d: bad decoded length", p)
				}
				if v > maxChunkDecoded {
					return frames, p, decoded, fmt.Errorf("chunk at offset %d: decoded length %d over 64 KiB", p, v)
				}
				dlen = uint32(v)
			}
			if dlen > maxChunkDecoded {
				return frames, p, decoded, fmt.Errorf("chunk at offset %d: decoded length %d over 64 KiB", p, dlen)
			}
			frames = append(frames, Frame{Dec: decoded, Off: p, CLen: clen, DLen: dlen, Type: typ})
			decoded += int64(dlen)
		case typ >= 0x80: // padding and skippable chunks
		default:
			return frames, p, decoded, fmt.Errorf("chunk at offset %d: reserved unskippable type %#x", p, typ)
		}
		p += 4 + int64(clen)
	}
	if decoded > want {
		decoded = want
	}
	return frames, p, decoded, nil
}

// frameAt returns the index of the frame holding decoded offset d.
func frameAt(frames []Frame, d int64) int {
	i := sort.Search(len(frames), func(i int) bool { return frames[i].Dec > d })
	return max(i-1, 0)
}

var errCRC = errors.New("checksum mismatch")

// readFrames decodes the range's bytes [off, off+len(dst)) into dst. It
// returns the first problem met (a corrupt chunk leaves zeros in its place,
// the rest is still decoded).
func readFrames(r io.ReaderAt, frames []Frame, dst []byte, off int64, scratch *[]byte) (firstErr error) {
	if len(dst) == 0 || len(frames) == 0 {
		return nil
	}
	end := off + int64(len(dst))
	for i := frameAt(frames, off); i < len(frames) && frames[i].Dec < end; i++ {
		f := frames[i]
		if err := decodeFrame(r, f, dst, off, scratch); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("AVML chunk at offset %d: %w", f.Off, err)
		}
	}
	return firstErr
}

func decodeFrame(r io.ReaderAt, f Frame, dst []byte, off int64, scratch *[]byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("snappy panic: %v", p)
		}
	}()
	if cap(*scratch) < int(f.CLen)+maxChunkDecoded {
		*scratch = make([]byte, int(f.CLen)+maxChunkDecoded)
	}
	raw := (*scratch)[:f.CLen]
	if _, err := r.ReadAt(raw, f.Off+4); err != nil {
		return err
	}
	sum := binary.LittleEndian.Uint32(raw)
	var dec []byte
	if f.Type == chunkUncompressed {
		dec = raw[4:]
	} else {
		dec, err = snappy.Decode((*scratch)[f.CLen:f.CLen+maxChunkDecoded], raw[4:])
		if err != nil {
			return err
		}
	}
	if len(dec) != int(f.DLen) {
		return fmt.Errorf("decoded %d bytes, header says %d", len(dec), f.DLen)
	}
	if c := crc32.Checksum(dec, castagnoli); ((c>>15)|(c<<17))+0xa282ead8 != sum {
		err = errCRC
	}
	// Copy the part of the chunk that falls into the window.
	lo, hi := f.Dec, f.Dec+int64(f.DLen)
	if lo < off {
		dec = dec[off-lo:]
		lo = off
	}
	if end := off + int64(len(dst)); hi > end {
		dec = dec[:len(dec)-int(hi-end)]
	}
	copy(dst[lo-off:], dec)
	return err
}
