// Package webtest holds test helpers for the web and CDN log parsers: a sink
// that keeps copies of events, running a format over a file or bytes, and the
// parse-rate check the issue asks for (more than 99% of a corpus file's
// records parse).
package webtest

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Sink keeps a deep copy of every event.
type Sink = parsertest.Collect

// Discard counts events and keeps nothing (benchmarks).
type Discard = parsertest.Discard

// Input returns an Input over data, in UTC unless zone is given.
func Input(name string, data []byte, opts map[string]string, warns *[]string) *parsers.Input {
	return &parsers.Input{
		Name: name, Evidence: "E0001", Host: "cdn",
		Zone: time.UTC, ZoneSource: "default", Options: opts,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		Warn: func(m string) {
			if warns != nil {
				*warns = append(*warns, m)
			}
		},
	}
}

// Run parses data with the named format and returns the events.
func Run(t testing.TB, format, name string, data []byte, opts map[string]string) []timeline.Event {
	t.Helper()
	f, ok := parsers.Lookup(format)
	if !ok {
		t.Fatalf("format %q not registered", format)
	}
	var warns []string
	in := Input(name, data, opts, &warns)
	var s Sink
	if err := parsers.SafeParse(context.Background(), f, in, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, w := range warns {
		t.Logf("%s: warning: %s", name, w)
	}
	return s.Events
}

// Exercise runs every entry point of the named format on data, for fuzz
// targets: Parse over in (an error fails t), ParseLine on data as one line,
// and Detect.
func Exercise(t *testing.T, format string, in *parsers.Input, data []byte) {
	t.Helper()
	f, ok := parsers.Lookup(format)
	if !ok {
		t.Fatalf("format %q not registered", format)
	}
	var sink Discard
	if err := f.Parse(t.Context(), in, &sink); err != nil {
		t.Fatal(err)
	}
	var ev timeline.Event
	f.ParseLine(data, in, &ev)
	f.Detect("fuzz", data)
}

// RunFile parses a file with the named format.
func RunFile(t testing.TB, format, path string, opts map[string]string) []timeline.Event {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Run(t, format, path, data, opts)
}

// Extra returns an event's extra value by key.
func Extra(ev *timeline.Event, key string) (string, bool) {
	for _, kv := range ev.Extra {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// ParseRate checks that more than 99% of the events are parsed (not
// unparsed) and logs the figure; it returns parsed and total.
func ParseRate(t testing.TB, name string, evs []timeline.Event) (int, int) {
	t.Helper()
	parsed := 0
	for i := range evs {
		if evs[i].Source != timeline.SourceRaw {
			parsed++
		} else {
			t.Logf("%s line %d unparsed: %s", name, evs[i].Line, evs[i].Message)
		}
	}
	t.Logf("%s: %d of %d records parsed", name, parsed, len(evs))
	if len(evs) == 0 || parsed*100 <= len(evs)*99 {
		t.Errorf("%s: %d of %d records parsed, want more than 99%%", name, parsed, len(evs))
	}
	return parsed, len(evs)
}

// RFC3339 renders an event time for comparisons.
func RFC3339(ev *timeline.Event) string {
	return time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano)
}

// Bench runs parse b.N times over data and reports lines/s (wall) and
// lines/cpu-s. It fails if a line comes out unparsed.
func Bench(b *testing.B, format string, data []byte, opts map[string]string) {
	f, ok := parsers.Lookup(format)
	if !ok {
		b.Fatalf("format %q not registered", format)
	}
	in := Input("bench", data, opts, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var sink Discard
	cpu0 := parsertest.ProcessCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.Parse(b.Context(), in, &sink); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if sink.Unparsed > 0 {
		b.Fatalf("%d unparsed", sink.Unparsed)
	}
	parsertest.Rate(b, sink.N, "lines", cpu0)
}

// Asserts returns the CrowdSec parser.assert expectations of one stage and
// parser as a slice by line index (Parsed and Meta merged, as
// corpus.ReadAsserts gives them).
func Asserts(t testing.TB, path, stage, parser string) []map[string]string {
	t.Helper()
	m := corpus.ReadAsserts(t, path)[stage][parser]
	out := make([]map[string]string, len(m))
	for i, f := range m {
		if i < 0 || i >= len(out) {
			t.Fatalf("%s: result index %d out of order", path, i)
		}
		out[i] = f
	}
	return out
}

// MetaKeys are the CrowdSec Meta and bookkeeping keys; tests compare them by
// name, not in the loop over parsed fields.
var MetaKeys = map[string]bool{
	"Success": true, "message": true, "program": true, "datasource_path": true, "datasource_type": true, "log_type": true,
	"service": true, "http_path": true, "http_status": true, "http_user_agent": true, "http_verb": true, "source_ip": true,
	"http_host": true, "http_port": true, "machine": true, "timestamp": true,
}
