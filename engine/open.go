package engine

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression names a stream compression that evidence may come in.
type Compression string

// Supported compressions.
const (
	CompNone  Compression = ""
	CompGzip  Compression = "gzip"
	CompBzip2 Compression = "bzip2"
	CompXZ    Compression = "xz"
	CompZstd  Compression = "zstd"
)

// sniffCompression recognises a compressed stream by its magic bytes.
func sniffCompression(head []byte) Compression {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return CompGzip
	case bytes.HasPrefix(head, []byte("BZh")) && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return CompBzip2
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return CompXZ
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return CompZstd
	}
	return CompNone
}

// stripCompressionExt removes .gz/.bz2/.xz/.zst so detection sees the inner name.
func stripCompressionExt(name string) string {
	for _, ext := range []string{".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return name[:len(name)-len(ext)]
		}
	}
	return name
}

// ErrBomb means a compressed stream expanded far beyond any real log.
var ErrBomb = errors.New("decompressed size exceeds the limit (possible decompression bomb)")

// maxExpansion bounds decompressed bytes per compressed byte; real logs
// compress 5-50x, bombs 1000x and more. Variables so tests can lower them.
var (
	maxExpansion int64 = 400
	minBombLimit int64 = 1 << 30
)

type limitedReader struct {
	r     io.Reader
	left  int64
	close func() error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, ErrBomb
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedReader) Close() error { return l.close() }

// countingReader reports bytes read from the raw file for progress.
type countingReader struct {
	r  io.Reader
	fn func(int64)
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.fn != nil {
		c.fn(int64(n))
	}
	return n, err
}

// plainStream is an uncompressed file read through its buffer, which it
// offers to parsers.ScanLines so that lines are not copied a second time.
type plainStream struct {
	br    *bufio.Reader
	close func() error
}

func (p plainStream) Read(b []byte) (int, error) { return p.br.Read(b) }
func (p plainStream) Close() error               { return p.close() }
func (p plainStream) LineReader() *bufio.Reader  { return p.br }

// openStream opens a file and returns its decompressed content.
func openStream(path string, comp Compression, size int64, progress func(int64)) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return streamOf(f, f.Close, path, comp, size, progress, streamBuffer)
}

// streamBuffer is the read buffer of an evidence file's stream: parsers
// read lines straight out of it (plainStream), so it bounds nothing but
// holds long lines without a copy.
const streamBuffer = 1 << 20

// open returns the decompressed content of a bundle file: through its
// hashing descriptor when the unit opened one, else by its path (archive
// members spooled to temporary files).
func (f BundleFile) open(comp Compression, progress func(int64)) (io.ReadCloser, error) {
	if f.src == nil {
		return openStream(f.Abs, comp, f.Size, progress)
	}
	return streamOf(f.src.reader(), func() error { return nil }, f.Rel, comp, f.Size, progress, streamBuffer)
}

// streamOf decompresses raw (named name in messages), bounded against
// decompression bombs; closeFn releases what is behind raw; buf is the size
// of the read buffer.
func streamOf(src io.Reader, closeFn func() error, name string, comp Compression, size int64, progress func(int64), buf int) (io.ReadCloser, error) {
	raw := bufio.NewReaderSize(countingReader{src, progress}, buf)
	var r io.Reader
	fail := func(what string, err error) (io.ReadCloser, error) {
		closeFn()
		return nil, fmt.Errorf("%s: %s: %w", name, what, err)
	}
	switch comp {
	case CompNone:
		return plainStream{raw, closeFn}, nil
	case CompGzip:
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return fail("gzip", err)
		}
		r = zr
	case CompBzip2:
		r = bzip2.NewReader(raw)
	case CompXZ:
		xr, err := xz.NewReader(raw)
		if err != nil {
			return fail("xz", err)
		}
		r = xr
	case CompZstd:
		zr, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return fail("zstd", err)
		}
		r = zr
		inner := closeFn
		closeFn = func() error { zr.Close(); return inner() }
	default:
		return fail("compression", fmt.Errorf("unknown compression %q", comp))
	}
	limit := max(size*maxExpansion, minBombLimit)
	return &limitedReader{r: r, left: limit, close: closeFn}, nil
}

// readHead returns up to n bytes from the start of a (decompressed) stream.
func readHead(f BundleFile, comp Compression, n int) ([]byte, error) {
	r, err := f.open(comp, nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(r, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		if k == 0 {
			return nil, err
		}
	}
	return buf[:k], nil
}

// looksLikeText reports whether head is mostly printable text, so a file no
// parser claims can still be kept line by line.
func looksLikeText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	bad := 0
	for _, c := range head {
		if c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b) {
			bad++
		}
	}
	return bad*100 < len(head)
}
