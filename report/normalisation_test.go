package report_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/report"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Overlapping manifest entries: ingest applies the most specific one; the
// report's normalisation table must state that one (it used to match entry
// paths by string prefix, last entry winning, and so stated the directory's
// offset and year for a file that had its own).
func TestNormalisationIsWhatIngestApplied(t *testing.T) {
	bundle := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(bundle, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	line := "Jan  5 10:00:00 gw sshd[1]: Accepted password for root from 192.0.2.7 port 22 ssh2\n"
	write("logs/a.log", line)
	write("logs/b.log", line)
	write("logs2/c.log", line) // "logs" is a string prefix of "logs2"
	write("bundle.yaml", `case: norm
timezone: UTC
evidence:
  - path: logs/a.log
    host: gw
    year: 2021
    clock_offset: 2h
  - path: logs
    host: gw
    year: 2019
    clock_offset: 1h
  - path: logs2
    host: gw
`)
	dir := ingest(t, bundle)
	c, err := engine.OpenCase(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := report.Build(context.Background(), c, s, report.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	// What ingest applied, read from the events themselves.
	applied := map[string]time.Time{}
	err = s.Each(context.Background(), search.Request{}, func(_ int64, ev *timeline.Event) error {
		applied[ev.RefPath] = time.Unix(0, ev.Time).UTC()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		time         time.Time
		offset, year string
	}{
		"logs/a.log":  {time.Date(2021, 1, 5, 8, 0, 0, 0, time.UTC), "2h", "2021"},
		"logs/b.log":  {time.Date(2019, 1, 5, 9, 0, 0, 0, time.UTC), "1h", "2019"},
		"logs2/c.log": {time.Time{}, "", "from the source"},
	}
	for _, src := range r.Sources {
		w, ok := want[src.Path]
		if !ok {
			t.Errorf("unexpected source %s", src.Path)
			continue
		}
		if !w.time.IsZero() && !applied[src.Path].Equal(w.time) {
			t.Errorf("%s: event at %v, want %v", src.Path, applied[src.Path], w.time)
		}
		if src.ClockOffset != w.offset || !strings.Contains(src.Year, w.year) {
			t.Errorf("%s: report says clock offset %q, year %q; ingest applied %q and %s", src.Path, src.ClockOffset, src.Year, w.offset, w.year)
		}
		delete(want, src.Path)
	}
	if len(want) > 0 {
		t.Errorf("sources missing from the report: %v", want)
	}
}
