package winart

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// FILETIME: 100 ns ticks since 1601-01-01 UTC.
const (
	filetimeEpoch = 116444736000000000 // 1970-01-01 in FILETIME ticks
	// maxFiletime is the last FILETIME an int64 of Unix nanoseconds holds
	// (year 2262).
	maxFiletime = filetimeEpoch + (1<<63-1)/100
)

// UnixNano converts a FILETIME to Unix nanoseconds; ok is false for zero
// (not set) and for values before 1970 or past 2262.
func UnixNano(ft uint64) (int64, bool) {
	if ft < filetimeEpoch || ft > maxFiletime {
		return 0, false
	}
	return (int64(ft) - filetimeEpoch) * 100, true
}

// FiletimeAt reads the little-endian FILETIME at b[off:] (0 when b is short).
func FiletimeAt(b []byte, off int) uint64 {
	if off < 0 || off+8 > len(b) {
		return 0
	}
	return binary.LittleEndian.Uint64(b[off:])
}

// RFC3339 renders Unix nanoseconds as the UTC text events keep in TimeOrig
// (100 ns precision, as FILETIMEs have).
func RFC3339(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.0000000Z")
}

// UTF16 decodes little-endian UTF-16 up to the first NUL; unpaired
// surrogates become U+FFFD.
func UTF16(b []byte) string {
	n := len(b) / 2
	u := make([]uint16, 0, n)
	for i := 0; i < n; i++ {
		c := binary.LittleEndian.Uint16(b[2*i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// CString returns b up to its first NUL, as text (invalid UTF-8 bytes are
// kept as they are: code-page strings are not guessed at).
func CString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strconv.QuoteToASCII(string(b))
}

// ReadAll returns the whole content of an input, refusing inputs larger
// than limit (each parser names its own limit and why).
func ReadAll(in *parsers.Input, limit int64) ([]byte, error) {
	if in.ReaderAt != nil && in.Size > 0 {
		if in.Size > limit {
			return nil, fmt.Errorf("%s: %d bytes, more than the %d this format can be", in.Name, in.Size, limit)
		}
		b := make([]byte, in.Size)
		n, err := in.ReaderAt.ReadAt(b, 0)
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		return b[:n], nil
	}
	r, err := in.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than the %d bytes this format can be", in.Name, limit)
	}
	return b, nil
}

// ReaderAt gives random access to an input: its own ReaderAt when it has
// one, else its content read into memory (up to limit).
func ReaderAt(in *parsers.Input, limit int64) (io.ReaderAt, int64, error) {
	if in.ReaderAt != nil && in.Size > 0 {
		return in.ReaderAt, in.Size, nil
	}
	b, err := ReadAll(in, limit)
	if err != nil {
		return nil, 0, err
	}
	return bytes.NewReader(b), int64(len(b)), nil
}
