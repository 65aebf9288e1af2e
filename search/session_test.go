package search_test

import (
	"context"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestSessionSharesSegments: a session's scans are handed the same mapped
// segment (mapped once per analysis), with the same rows as the Searcher
// it came from; a scan of the Searcher itself maps its own.
func TestSessionSharesSegments(t *testing.T) {
	const n = 2*timeline.SegmentRows + 10
	events := make([]timeline.Event, n)
	for i := range events {
		host := "a"
		if i%5 == 0 {
			host = "b"
		}
		events[i] = testcase.Ev(testcase.At(time.Duration(i)*time.Millisecond), host, "syslog")
	}
	s := testcase.Build(t, events)
	ctx := context.Background()
	scan := func(s *search.Searcher) (segs []*timeline.Segment, rows int64) {
		err := s.Scan(ctx, search.Request{Query: "host:b"}, nil, func(seg *timeline.Segment, r []search.Rows) error {
			segs = append(segs, seg)
			rows += r[0].Count()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return segs, rows
	}
	want := int64((n + 4) / 5)
	sess := s.Session()
	first, r1 := scan(sess)
	second, r2 := scan(sess)
	if r1 != want || r2 != want {
		t.Fatalf("session rows %d, %d; want %d", r1, r2, want)
	}
	if len(first) != 3 || len(second) != 3 {
		t.Fatalf("segments visited: %d, %d; want 3", len(first), len(second))
	}
	for k := range first {
		if first[k] != second[k] {
			t.Errorf("segment %d mapped twice in one session", k)
		}
	}
	plain, r3 := scan(s)
	if r3 != want {
		t.Fatalf("searcher rows %d, want %d", r3, want)
	}
	if plain[0] == first[0] {
		t.Errorf("the searcher's own scan was handed the session's segment")
	}
	sess.Close()
	if _, r4 := scan(s); r4 != want { // closing the session leaves the searcher (and its index) usable
		t.Fatalf("after the session: rows %d, want %d", r4, want)
	}
}
