package search_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestScanManySegments runs the parallel scan over a timeline of seven
// segments: every segment is visited once, in time order (and backwards
// with Reverse), with the rows its query matched; a visit that fails stops
// the scan with its error, and so does a cancelled context.
func TestScanManySegments(t *testing.T) {
	const n = 6*timeline.SegmentRows + 1000
	events := make([]timeline.Event, n)
	for i := range events {
		host := "a"
		if i%3 == 0 {
			host = "b"
		}
		events[i] = testcase.Ev(testcase.At(time.Duration(i)*time.Millisecond), host, "syslog")
	}
	s := testcase.Build(t, events)
	ctx := context.Background()

	for _, reverse := range []bool{false, true} {
		var visited []int64
		matched := int64(0)
		last := int64(-1)
		err := s.Scan(ctx, search.Request{Query: "host:b", Reverse: reverse}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
			visited = append(visited, seg.Info.RowBase)
			matched += rows[0].Count()
			rows[0].Each(func(i int) bool {
				if seg.Str(timeline.ColHost, i) != "b" {
					t.Fatalf("row %d of segment %d: host %q", i, seg.Info.RowBase, seg.Str(timeline.ColHost, i))
				}
				return true
			})
			if last >= 0 && (seg.Info.RowBase < last) != reverse {
				t.Errorf("reverse=%v: segment %d after %d", reverse, seg.Info.RowBase, last)
			}
			last = seg.Info.RowBase
			return nil
		})
		if err != nil || len(visited) != 7 || matched != (n+2)/3 {
			t.Fatalf("reverse=%v: %v, %d segments, %d rows matched, want 7 and %d", reverse, err, len(visited), matched, (n+2)/3)
		}
	}

	stop := errors.New("enough")
	calls := 0
	err := s.Scan(ctx, search.Request{Query: "*"}, nil, func(*timeline.Segment, []search.Rows) error {
		if calls++; calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("stopped scan: %v after %d visits", err, calls)
	}

	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = s.Scan(cctx, search.Request{Query: "*"}, nil, func(*timeline.Segment, []search.Rows) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls > 1+2*2 {
		t.Errorf("cancelled scan: %v after %d visits", err, calls)
	}
}
