package search_test

import (
	"context"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestHistogramInZone: day buckets follow the display zone's midnight (a
// reader in Tokyo counts 15:00 UTC to 15:00 UTC as one day), each event
// counted in the local day a clock there shows; across a daylight saving
// change hour buckets stay on local hours and lose no event.
func TestHistogramInZone(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	var events []timeline.Event
	var times []time.Time
	base := time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC) // New York changes clocks on 2026-03-08 07:00 UTC
	for i := 0; i < 80; i++ {
		at := base.Add(time.Duration(i) * 47 * time.Minute)
		times = append(times, at)
		events = append(events, testcase.Ev(at.UnixNano(), "web01", "syslog"))
	}
	s := testcase.Build(t, events)
	ctx := context.Background()

	got, err := s.HistogramIn(ctx, search.Request{}, 24*time.Hour, tokyo)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, at := range times {
		l := at.In(tokyo)
		want[time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, tokyo).UTC().Format(time.RFC3339)]++
	}
	if len(got) != len(want) {
		t.Fatalf("%d day buckets, want %d: %v", len(got), len(want), got)
	}
	for _, b := range got {
		if k := b.Start.UTC().Format(time.RFC3339); want[k] != b.Count {
			t.Errorf("bucket %s: %d events, want %d (Tokyo days start at 15:00 UTC)", k, b.Count, want[k])
		}
	}

	hours, err := s.HistogramIn(ctx, search.Request{}, time.Hour, ny)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for k, b := range hours {
		total += b.Count
		if m := b.Start.In(ny).Minute(); m != 0 {
			t.Errorf("hour bucket %v starts at minute %d of New York's clock", b.Start, m)
		}
		if k > 0 && !b.Start.After(hours[k-1].Start) {
			t.Errorf("bucket %d (%v) not after the one before (%v)", k, b.Start, hours[k-1].Start)
		}
	}
	if total != int64(len(times)) {
		t.Errorf("hour buckets hold %d events, want %d", total, len(times))
	}
}
