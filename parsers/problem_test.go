package parsers

import (
	"errors"
	"io"
	"testing"
)

func TestProblemError(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{Name: "web01/access.log", Line: 12, Offset: 900, Kind: "w3c-fields", Err: errors.New("#Fields directive names no fields")},
			"web01/access.log: line 12: w3c-fields: #Fields directive names no fields"},
		{Problem{Name: "disk.E01#p2", Offset: 1048576, Kind: "partition", Err: io.ErrUnexpectedEOF},
			"disk.E01#p2: offset 1048576: partition: unexpected EOF"},
		{Problem{Name: "img#p1", Offset: -1, Kind: "ext4", Err: errors.New("inode 13 unreadable")},
			"img#p1: ext4: inode 13 unreadable"},
	} {
		if got := tc.p.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.p, tc.p.Err) {
			t.Errorf("%q does not unwrap to its cause", tc.want)
		}
	}
}

// Problems go to Report with the input's evidence and name filled in; a
// test input with only Warn gets the text.
func TestInputProblem(t *testing.T) {
	var got *Problem
	in := &Input{Name: "a.log", Evidence: "E0007", Report: func(p *Problem) { got = p }}
	in.Problemf("utmp-partial-record", 384, 0, "partial record: %d of %d bytes", 100, 384)
	if got == nil || got.Evidence != "E0007" || got.Name != "a.log" || got.Offset != 384 || got.Kind != "utmp-partial-record" {
		t.Fatalf("reported %+v", got)
	}
	var text string
	in = &Input{Name: "b.log", Warn: func(m string) { text = m }}
	in.Problemf("x", -1, 3, "bad")
	if text != "b.log: line 3: x: bad" {
		t.Errorf("Warn got %q", text)
	}
}
