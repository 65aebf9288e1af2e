package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/w3c"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestGeneratedParses: what the generator writes is detected as CloudFront
// and every line parses.
func TestGeneratedParses(t *testing.T) {
	name := filepath.Join(t.TempDir(), "E2EXAMPLE.2026-03-01-00.0000.gz")
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := writeFile(name, rand.New(rand.NewPCG(1, 2)), t0, int64(time.Second), 0, 5000, 1); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if c := parsers.Detect(name, data[:min(len(data), parsers.HeadSize)]); len(c) == 0 || c[0].Format.Name != "cloudfront" {
		t.Fatalf("detected %v", c)
	}
	f, _ := parsers.Lookup("cloudfront")
	in := &parsers.Input{Name: name, Zone: time.UTC, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	var s sink
	if err := f.Parse(t.Context(), in, &s); err != nil {
		t.Fatal(err)
	}
	if s.n != 5000 || s.bad != 0 {
		t.Fatalf("%d events, %d unparsed (%s)", s.n, s.bad, s.msg)
	}
	if got := time.Unix(0, s.last).UTC().Format(time.RFC3339); got != "2026-03-01T01:23:19Z" {
		t.Errorf("last time %s", got)
	}
}

type sink struct {
	n, bad int
	last   int64
	msg    string
}

func (s *sink) Emit(ev *timeline.Event) error {
	s.n++
	if ev.Source != "cloudfront" {
		s.bad++
		s.msg = ev.Message
	}
	s.last = ev.Time
	return nil
}
