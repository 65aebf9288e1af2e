package parsers

import (
	"bytes"
	"context"
	"testing"
)

// FuzzScanLines: every byte of the input is in a line or a line ending,
// line numbers count up from 1, offsets point at each line's text.
func FuzzScanLines(f *testing.F) {
	for _, s := range []string{"", "a", "a\n", "a\r\nb\r\n", "\n\n\n", "no newline at end", "lone cr\r", "a\rb\n", "\x00\xff\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var n int64
		end := int64(0)
		err := ScanLines(context.Background(), bytes.NewReader(in), func(l *Line) error {
			n++
			if l.Number != n {
				t.Fatalf("line number %d, want %d", l.Number, n)
			}
			if l.Offset < end || l.Offset+int64(len(l.Text)) > int64(len(in)) {
				t.Fatalf("line %d at offset %d (%d bytes) outside the input or before the previous end %d", n, l.Offset, len(l.Text), end)
			}
			if !l.Truncated && !bytes.Equal(in[l.Offset:l.Offset+int64(len(l.Text))], l.Text) {
				t.Fatalf("line %d text %q is not the input's bytes at offset %d", n, l.Text, l.Offset)
			}
			end = l.Offset + int64(len(l.Text))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(bytes.Count(in, []byte("\n"))); n != want && n != want+1 {
			t.Fatalf("%d lines for %d newlines", n, want)
		}
	})
}
