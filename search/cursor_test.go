package search

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// buildTimeline merges n events spread over two hosts into a timeline of
// more than one segment; many events share a time so that keyset paging
// must use the row id to break ties.
func buildTimeline(t testing.TB, n int) *Searcher {
	t.Helper()
	base := t.TempDir()
	run := filepath.Join(base, "runs", "E0001")
	os.MkdirAll(run, 0o755)
	w := timeline.NewRunWriter(run)
	var ev timeline.Event
	for i := range n {
		ev.Reset()
		ev.Time = 1_700_000_000_000_000_000 + int64(i/3)*1e9 // three events per second
		ev.TimeDesc = timeline.TimeLog
		ev.Host = "web0" + strconv.Itoa(i%2+1)
		ev.Source = "syslog"
		ev.Evidence = "E0001"
		ev.RefPath = "log"
		ev.Line = int64(i + 1)
		ev.Message = "event " + strconv.Itoa(i)
		if i%5 == 0 {
			ev.Tags = "five,many"
		}
		if err := w.Emit(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	store := timeline.Store{Dir: filepath.Join(base, "timeline")}
	if _, err := store.Merge([]string{run}, []string{"E0001"}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := Open(store, filepath.Join(base, "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func collect(t *testing.T, s *Searcher, req Request) []int64 {
	t.Helper()
	var rows []int64
	err := s.Each(context.Background(), req, func(row int64, ev *timeline.Event) error {
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCursorPaging pages through a two-segment timeline forwards and
// backwards with keyset cursors and page sizes that split same-time runs,
// and checks every page against the full ordered result.
func TestCursorPaging(t *testing.T) {
	n := timeline.SegmentRows + 1000
	s := buildTimeline(t, n)
	if len(s.Manifest().Segments) < 2 {
		t.Fatalf("want several segments, got %d", len(s.Manifest().Segments))
	}
	s.CacheSegments(2)
	ctx := context.Background()
	for _, q := range []string{"", "host:web01", "tag:five"} {
		all := collect(t, s, Request{Query: q})
		total, _ := s.Count(ctx, Request{Query: q})
		if int64(len(all)) != total {
			t.Fatalf("%q: Each %d rows, Count %d", q, len(all), total)
		}
		// A window around the segment boundary, paged by 7 both ways.
		mid := len(all) / 2
		start := all[mid]
		var startTime int64
		s.Each(ctx, Request{Query: q, From: 0, Limit: 1, Offset: mid}, func(row int64, ev *timeline.Event) error {
			startTime = ev.Time
			return nil
		})
		cur := Cursor{startTime, start}
		var fwd []int64
		for range 5 {
			page := collectCursor(t, s, Request{Query: q, After: &cur, Limit: 7})
			fwd = append(fwd, page...)
			cur = cursorOf(t, s, page[len(page)-1])
		}
		for i, r := range fwd {
			if r != all[mid+1+i] {
				t.Fatalf("%q forward page row %d = %d, want %d", q, i, r, all[mid+1+i])
			}
		}
		cur = Cursor{startTime, start}
		var back []int64
		for range 5 {
			page := collectCursor(t, s, Request{Query: q, Before: &cur, Limit: 7, Reverse: true})
			back = append(back, page...)
			cur = cursorOf(t, s, page[len(page)-1])
		}
		for i, r := range back {
			if r != all[mid-1-i] {
				t.Fatalf("%q backward page row %d = %d, want %d", q, i, r, all[mid-1-i])
			}
		}
		// The last page backwards from the end is the newest events.
		last := collect(t, s, Request{Query: q, Reverse: true, Limit: 3})
		if last[0] != all[len(all)-1] || last[2] != all[len(all)-3] {
			t.Fatalf("%q newest first: %v, want ... %v", q, last, all[len(all)-3:])
		}
	}
	cur := cursorOf(t, s, int64(timeline.SegmentRows-2)) // crosses the segment boundary
	if got := collectCursor(t, s, Request{After: &cur, Limit: 4}); got[0] != timeline.SegmentRows-1 || got[3] != timeline.SegmentRows+2 {
		t.Fatalf("across the boundary: %v", got)
	}
}

func collectCursor(t *testing.T, s *Searcher, req Request) []int64 {
	rows := collect(t, s, req)
	if len(rows) == 0 {
		t.Fatalf("empty page for %+v", req)
	}
	return rows
}

// cursorOf returns the cursor of a global row (the test events' times are
// known: three per second).
func cursorOf(t *testing.T, s *Searcher, row int64) Cursor {
	return Cursor{1_700_000_000_000_000_000 + row/3*1e9, row}
}

func TestFacets(t *testing.T) {
	s := buildTimeline(t, 3000)
	f, err := s.Facets(context.Background(), Request{Query: "NOT event", From: 0}, []string{"host", "tag", "source"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f["host"]) != 0 {
		t.Fatalf("no event matches, facets %v", f)
	}
	f, err = s.Facets(context.Background(), Request{}, []string{"host", "tag", "source"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]FacetValue{
		"host":   {{"web01", 1500}, {"web02", 1500}},
		"tag":    {{"five", 600}, {"many", 600}},
		"source": {{"syslog", 3000}},
	}
	for k, w := range want {
		if len(f[k]) != len(w) {
			t.Fatalf("%s: %v, want %v", k, f[k], w)
		}
		for i := range w {
			if f[k][i] != w[i] {
				t.Fatalf("%s: %v, want %v", k, f[k], w)
			}
		}
	}
	if _, err := s.Facets(context.Background(), Request{}, []string{"message"}, 0); err == nil {
		t.Fatal("facet on a text field accepted")
	}
	c, err := ParseCursor(Cursor{12, 34}.String())
	if err != nil || c != (Cursor{12, 34}) {
		t.Fatalf("cursor round trip: %v %v", c, err)
	}
	if _, err := ParseCursor("12"); err == nil {
		t.Fatal("bad cursor accepted")
	}
}

// BenchmarkCursorPage measures one page of 100 events from the middle of a
// two-segment timeline with the segment cache warm:
// go test ./search -run x -bench CursorPage -benchtime 2s
func BenchmarkCursorPage(b *testing.B) {
	s := buildTimeline(b, timeline.SegmentRows+1000)
	s.CacheSegments(4)
	cur := Cursor{1_700_000_000_000_000_000 + int64(timeline.SegmentRows/6)*1e9, timeline.SegmentRows / 2}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		s.Each(context.Background(), Request{After: &cur, Limit: 100}, func(int64, *timeline.Event) error { n++; return nil })
		if n != 100 {
			b.Fatal(n)
		}
	}
}
