package winart

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers"
)

func TestUnixNano(t *testing.T) {
	// 2010-11-21T03:55:59.6264271Z (plaso's System.evtx record 1).
	ns, ok := UnixNano(129347853596264271)
	if !ok || RFC3339(ns) != "2010-11-21T03:55:59.6264271Z" {
		t.Errorf("%d %v %s", ns, ok, RFC3339(ns))
	}
	if _, ok := UnixNano(0); ok {
		t.Error("zero is not a time")
	}
	if _, ok := UnixNano(1 << 63); ok {
		t.Error("past 2262 accepted")
	}
}

func TestStrings(t *testing.T) {
	if s := UTF16([]byte{'C', 0, ':', 0, 0, 0, 'x', 0}); s != "C:" {
		t.Errorf("UTF16 = %q", s)
	}
	if s := UTF16([]byte{0x00, 0xd8, 'a', 0}); s != "\uFFFDa" {
		t.Errorf("lone surrogate = %q", s)
	}
	if s := CString([]byte("OS\x00junk")); s != "OS" {
		t.Errorf("CString = %q", s)
	}
}

// ReadAll refuses inputs past the limit, with or without random access.
func TestReadAllLimit(t *testing.T) {
	data := []byte(strings.Repeat("x", 100))
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	for _, in := range []*parsers.Input{
		{Name: "a", Open: open},
		{Name: "b", Open: open, ReaderAt: bytes.NewReader(data), Size: 100},
	} {
		if _, err := ReadAll(in, 99); err == nil {
			t.Errorf("%s: 100 bytes accepted under a limit of 99", in.Name)
		}
		if b, err := ReadAll(in, 100); err != nil || len(b) != 100 {
			t.Errorf("%s: %d bytes, %v", in.Name, len(b), err)
		}
	}
}
