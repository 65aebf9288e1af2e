package devlog

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func testLine(s *State, line []byte, ev *timeline.Event) bool {
	prog, msg, ok := s.SyslogEvent(line, ev, "devlog-test")
	if !ok || string(prog) != "app" {
		return false
	}
	ev.AddExtra("msg", string(msg))
	return true
}

func init() {
	Register(&parsers.Format{Name: "devlog-test", Detect: func(string, []byte) int { return 0 }}, testLine, "not a test line")
}

// TestRegister: the registered Parse runs the LineFunc over the file with
// unparsed events for the rest, and ParseLine runs it on one line.
func TestRegister(t *testing.T) {
	f, ok := parsers.Lookup("devlog-test")
	if !ok {
		t.Fatal("not registered")
	}
	data := []byte("Mar  6 04:07:28 h app[7]: one\ngarbage\n")
	in := &parsers.Input{Name: "t.log", Zone: time.UTC, ZoneSource: "t", Year: 2024,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	var c parsertest.Collect
	if err := f.Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) != 2 || c.Events[0].Source != "devlog-test" || c.Events[0].Message != "one" || c.Events[0].Line != 1 ||
		c.Events[0].Time != time.Date(2024, 3, 6, 4, 7, 28, 0, time.UTC).UnixNano() ||
		c.Events[1].Source != timeline.SourceRaw || c.Events[1].Line != 2 {
		t.Fatalf("Parse: %+v", c.Events)
	}
	var ev timeline.Event
	ev.Reset()
	if !f.ParseLine([]byte("Mar  6 04:07:28 h app: two"), in, &ev) || ev.Message != "two" || ev.Host != "h" {
		t.Errorf("ParseLine: %+v", ev)
	}
	ev.Reset()
	if f.ParseLine([]byte("garbage"), in, &ev) {
		t.Error("ParseLine took garbage")
	}
}
