package parsers

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestScanLines: line endings (LF, CRLF, a CR before the end of input),
// numbers and offsets, and a line longer than MaxLine kept cut and tagged.
func TestScanLines(t *testing.T) {
	long := strings.Repeat("x", MaxLine+10)
	cases := []struct {
		name, in string
		want     []string // "number@offset:text", with "+" after the text when truncated
	}{
		{"lf", "a\nbb\n", []string{"1@0:a", "2@2:bb"}},
		{"crlf and no final newline", "a\r\nb\r\nc", []string{"1@0:a", "2@3:b", "3@6:c"}},
		{"cr at the end", "a\nb\r", []string{"1@0:a", "2@2:b"}},
		{"cr inside", "a\rb\n", []string{"1@0:a\rb"}},
		{"empty lines", "\n\r\nz\n", []string{"1@0:", "2@1:", "3@3:z"}},
		{"too long", long + "\r\nnext\n", []string{"1@0:" + long[:MaxLine] + "+", fmt.Sprintf("2@%d:next", len(long)+2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			err := ScanLines(context.Background(), bytes.NewReader([]byte(c.in)), func(l *Line) error {
				s := fmt.Sprintf("%d@%d:%s", l.Number, l.Offset, l.Text)
				if l.Truncated {
					s += "+"
				}
				got = append(got, s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d lines, want %d", len(got), len(c.want))
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("line %d: %.40q, want %.40q", i, got[i], c.want[i])
				}
			}
		})
	}
}
