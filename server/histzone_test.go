package server_test

import (
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
)

// TestHistogramBucketsInDisplayZone: the web histogram's day buckets start
// at midnight of the zone the user displays (they started at UTC midnight
// whatever the zone: a Tokyo day was split across two bars).
func TestHistogramBucketsInDisplayZone(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{})
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	var h struct {
		Total   int64
		Buckets []search.Bucket
	}
	ts.getJSON(t, "/api/v1/histogram?interval=day&tz=Asia/Tokyo", &h)
	if len(h.Buckets) == 0 || h.Total == 0 {
		t.Fatalf("no buckets: %+v", h)
	}
	var sum int64
	for _, b := range h.Buckets {
		sum += b.Count
		if l := b.Start.In(tokyo); l.Hour() != 0 || l.Minute() != 0 {
			t.Errorf("bucket %v starts at %v in Tokyo, want midnight", b.Start, l)
		}
	}
	if sum != h.Total {
		t.Errorf("buckets hold %d, total %d", sum, h.Total)
	}
}
