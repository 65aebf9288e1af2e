// Package parsertest holds test helpers for parsers: a sink that keeps
// copies of events, a way to run a registered format over a corpus file, and
// the comparison of events with CrowdSec parser.assert expectations.
package parsertest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/crowdsecassert"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Collect is a Sink that keeps deep copies of the events it receives.
type Collect struct{ Events []timeline.Event }

// Emit copies ev.
func (c *Collect) Emit(ev *timeline.Event) error {
	e := *ev
	e.Extra = append([]timeline.KV(nil), ev.Extra...)
	for i := range e.Extra {
		e.Extra[i].Key = strings.Clone(e.Extra[i].Key)
		e.Extra[i].Value = strings.Clone(e.Extra[i].Value)
	}
	e.Raw = append([]byte(nil), ev.Raw...)
	for _, p := range []*string{&e.TimeDesc, &e.TimeOrig, &e.Zone, &e.Host, &e.Source, &e.Evidence, &e.RefPath,
		&e.Path, &e.User, &e.SrcIP, &e.DstIP, &e.Method, &e.URL, &e.UserAgent, &e.Action, &e.Message, &e.Tags,
		&e.FS.Mode, &e.FS.AttrName} {
		*p = strings.Clone(*p)
	}
	c.Events = append(c.Events, e)
	return nil
}

// Discard counts events and keeps nothing (benchmarks).
type Discard struct{ N, Unparsed int }

// Emit counts the event.
func (d *Discard) Emit(ev *timeline.Event) error {
	d.N++
	if ev.Source == timeline.SourceRaw {
		d.Unparsed++
	}
	return nil
}

// Input returns an Input for a file on disk with a fixed year and zone, and
// the warnings it receives.
func Input(path string, year int, zone *time.Location) (*parsers.Input, *[]string) {
	var warns []string
	st, _ := os.Stat(path)
	in := &parsers.Input{
		Name: filepath.Base(path), Evidence: "E1", Zone: zone, ZoneSource: "test", Year: year,
		Open: func() (io.ReadCloser, error) { return os.Open(path) },
		Warn: func(m string) { warns = append(warns, m) },
	}
	if zone == nil {
		in.ZoneSource = "default"
	}
	if st != nil {
		in.ModTime, in.Size = st.ModTime(), st.Size()
	}
	return in, &warns
}

// WriteFile writes data to rel under a fresh temporary directory, with
// modification time mt unless it is zero, and returns the file's path.
func WriteFile(t testing.TB, rel, data string, mt time.Time) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	return p
}

// Parse runs the named format over a file and returns its events.
func Parse(t testing.TB, format, path string, year int, zone *time.Location) []timeline.Event {
	t.Helper()
	f, ok := parsers.Lookup(format)
	if !ok {
		t.Fatalf("format %q not registered", format)
	}
	in, _ := Input(path, year, zone)
	var c Collect
	if err := parsers.SafeParse(context.Background(), f, in, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c.Events
}

// Extra returns an event's extra field (for a file-system record, its FS
// fields by their extra names too: timeline.Event.AllExtra).
func Extra(ev *timeline.Event, key string) string {
	for _, kv := range ev.AllExtra() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// ExtraField is the Field reading an event's extra field key.
func ExtraField(key string) func(ev *timeline.Event, want string) string {
	return func(ev *timeline.Event, _ string) string { return Extra(ev, key) }
}

// ParsedRatio returns the share of events that are not unparsed.
func ParsedRatio(evs []timeline.Event) (parsed, total int) {
	for i := range evs {
		if evs[i].Source != timeline.SourceRaw {
			parsed++
		}
	}
	return parsed, len(evs)
}

// Field maps a CrowdSec field name ("Parsed.sshd_client_ip") to how the same
// value is read from an event; want is passed for comparisons that are not
// plain text (times in another offset).
type Field map[string]func(ev *timeline.Event, want string) string

// Time compares an event's time with an RFC 3339 text in any offset, or
// with its "[4:]" tail (the year cut off) when cut is set.
func Time(cut bool) func(ev *timeline.Event, want string) string {
	return func(ev *timeline.Event, want string) string {
		if cut {
			return ev.UTC().Format(time.RFC3339Nano)[4:]
		}
		w, err := time.Parse(time.RFC3339Nano, want)
		if err != nil {
			return ev.UTC().Format(time.RFC3339Nano)
		}
		got := time.Unix(0, ev.Time).In(w.Location()).Format(time.RFC3339Nano)
		if ev.TimeOrig != "" && ev.TimeOrig[0] > '9' && len(got) > 4 && len(want) > 4 {
			// A yearless stamp: CrowdSec takes the year of the day the
			// test was recorded, so only the rest is compared.
			return want[:4] + got[4:]
		}
		return got
	}
}

// CheckCrowdsec compares events (one per line, by line number) with the
// expectations of a parser.assert file, for the fields in fields; it returns
// how many values it compared. Lines CrowdSec did not parse are not checked.
func CheckCrowdsec(t *testing.T, dir, logName string, evs []timeline.Event, fields Field) int {
	t.Helper()
	lines, err := crowdsecassert.Read(filepath.Join(dir, "parser.assert"), filepath.Join(dir, logName))
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int64]*timeline.Event{}
	for i := range evs {
		byLine[evs[i].Line] = &evs[i]
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	skipped := map[string]int{}
	for _, l := range lines {
		ev := byLine[l.Number]
		if ev == nil {
			t.Errorf("%s:%d: no event", logName, l.Number)
			continue
		}
		for k := range l.Values {
			if _, mapped := fields[k]; !mapped {
				skipped[k]++
			}
		}
		for _, k := range keys {
			want, ok := l.Values[k]
			if !ok {
				continue
			}
			n++
			if got := fields[k](ev, want); got != want {
				t.Errorf("%s:%d %s = %q, want %q (line %q)", logName, l.Number, k, got, want, l.Text)
			}
		}
	}
	if len(skipped) > 0 {
		names := make([]string, 0, len(skipped))
		for k := range skipped {
			names = append(names, k)
		}
		sort.Strings(names)
		t.Logf("%s: CrowdSec fields not compared (no counterpart in the event model, or CrowdSec-internal): %s", logName, strings.Join(names, " "))
	}
	return n
}

// BenchLines is the body of a line parser's benchmark: it runs parse on
// every line b.N times with one event, Reset before each line, and reports
// allocations, size bytes per pass and lines per wall and CPU second.
func BenchLines(b *testing.B, lines [][]byte, size int, parse func(line []byte, ev *timeline.Event) bool) {
	var ev timeline.Event
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpu0 := ProcessCPU()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			ev.Reset()
			parse(l, &ev)
			n++
		}
	}
	Rate(b, n, "lines", cpu0)
}

// Rate reports n units of work as per wall second and per CPU second of the
// process (since cpuStart, from ProcessCPU).
func Rate(b *testing.B, n int, unit string, cpuStart time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), unit+"/s")
	if cpu := ProcessCPU() - cpuStart; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), unit+"/cpu-s")
	}
}
