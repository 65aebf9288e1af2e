package memory

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"testing"
)

// naiveStrings is the definition Strings implements, written plainly.
func naiveStrings(b []byte) (offs []int64, lens []int) {
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && printable(b[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= minString {
			offs = append(offs, int64(start))
			lens = append(lens, min(i-start, maxString))
		}
		start = -1
	}
	return offs, lens
}

// FuzzStrings: Strings finds exactly the runs of the plain definition, at
// the same offsets, with the same (capped) bytes, whatever the reads.
func FuzzStrings(f *testing.F) {
	f.Add([]byte("\x00abcd\x01ab\tcd\x7fxyz"), uint16(3))
	f.Add(bytes.Repeat([]byte("a"), 70000), uint16(1000))
	f.Fuzz(func(t *testing.T, b []byte, step uint16) {
		offs, lens := naiveStrings(b)
		i := 0
		n, err := Strings(context.Background(), &chunkReader{b: b, step: int(step%4096) + 1}, func(off int64, s []byte, truncated bool) error {
			if i >= len(offs) || off != offs[i] || len(s) != lens[i] || !bytes.Equal(s, b[off:off+int64(len(s))]) {
				t.Fatalf("string %d at %d (%d bytes), want %v", i, off, len(s), offs)
			}
			i++
			return nil
		})
		if err != nil || int(n) != len(offs) || i != len(offs) {
			t.Fatalf("%d strings (%v), want %d", n, err, len(offs))
		}
	})
}

// chunkReader returns at most step bytes per Read.
type chunkReader struct {
	b    []byte
	step int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.step)], c.b)
	c.b = c.b[n:]
	return n, nil
}

// BenchmarkStrings carves a 16 MiB binary of random bytes and text.
// go test ./parsers/memory -run - -bench Strings
func BenchmarkStrings(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	data := make([]byte, 16<<20)
	rng.Read(data)
	for i := 0; i < len(data); i += 4096 {
		copy(data[i:], "GET /index.html HTTP/1.1 200 ")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Strings(context.Background(), bytes.NewReader(data), func(int64, []byte, bool) error { return nil })
	}
}
