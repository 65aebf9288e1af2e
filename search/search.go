package search

import (
	"context"
	"errors"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Request selects events.
type Request struct {
	Query    string
	From, To int64 // ns UTC, inclusive; 0 = open
	Limit    int   // most events returned; 0 = no limit
	Offset   int   // events skipped before the first returned

	// After and Before are keyset cursors for paging by time: only events
	// strictly after (or before) the position are selected. Rows of the
	// merged timeline are in (time, row id) order, so a cursor taken from
	// the last event of one page starts the next page exactly, whatever
	// the page size and however deep into the timeline it is.
	After, Before *Cursor
	// Reverse visits matches newest first (Each only).
	Reverse bool
}

// Searcher answers requests over one case.
type Searcher struct {
	dir   string
	m     *timeline.Manifest
	text  *textIndex
	cache *segCache     // nil: every scan loads its segments
	held  *heldSegments // a session's mapped segments (nil: none kept)
	notes NoteSource    // the analysts' annotations (SetNotes)
}

// Open opens the timeline and, if complete for its generation, the index.
// A case without one (not built yet, still building, or built for an older
// generation) answers the same through column scans, only slower.
func Open(store timeline.Store, indexDir string) (*Searcher, error) {
	dir, m, err := store.Current()
	if err != nil {
		return nil, err
	}
	s := &Searcher{dir: dir, m: m}
	if s.text, err = openTextIndex(indexDir, m.Generation); err != nil {
		return nil, err
	}
	return s, nil
}

// Close releases the index, or a session's segments (the index then stays
// open: it belongs to the Searcher the session came from).
func (s *Searcher) Close() {
	if s.held != nil {
		s.held.release()
		return
	}
	if s.text != nil {
		s.text.close()
	}
}

// Manifest is the timeline being searched.
func (s *Searcher) Manifest() *timeline.Manifest { return s.m }

// HasIndex reports whether word queries use the full-text index.
func (s *Searcher) HasIndex() bool { return s.text != nil }

// errStop ends a scan early without error.
var errStop = errors.New("stop")

// scan evaluates the request on every segment that overlaps its time range,
// in time order (newest first with req.Reverse), and calls visit with the
// matching rows. With mapped, the segments are memory-mapped (only the
// columns read are paged in) and every string read from them is invalid
// once visit returns.
func (s *Searcher) scan(ctx context.Context, req Request, mapped bool, visit func(seg *timeline.Segment, hits bitset, lo, hi int) error) error {
	q, err := Parse(req.Query)
	if err != nil {
		return err
	}
	ev := newEvaluator(s.text, s.notes)
	// The query is evaluated on the memory-mapped segment (only the columns
	// it reads are paged in); a visit that keeps strings gets the segment
	// loaded in full, only when it has matches: a rare word's first page
	// then loads the few segments that hold it, not every one.
	type result struct {
		hits bitset
		full *timeline.Segment
	}
	err = scanSegments(s, ctx, req, true, func(seg *timeline.Segment, lo, hi int) (result, error) {
		hits, err := ev.eval(q, seg, lo, hi)
		if err != nil || mapped || hits.empty() {
			return result{hits: hits}, err
		}
		full, err := s.openSegment(seg.Info)
		return result{hits: hits, full: full}, err
	}, func(seg *timeline.Segment, lo, hi int, r result) error {
		if r.full != nil {
			defer r.full.Release()
			return visit(r.full, r.hits, lo, hi)
		}
		if !mapped && r.hits.empty() {
			return nil
		}
		return visit(seg, r.hits, lo, hi)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// Each calls fn for each matching event in time order, honouring Offset and
// Limit. The event's strings are valid only during the call. row is the
// event's global row id.
func (s *Searcher) Each(ctx context.Context, req Request, fn func(row int64, ev *timeline.Event) error) error {
	skip, left := req.Offset, req.Limit
	var ev timeline.Event
	return s.scan(ctx, req, false, func(seg *timeline.Segment, hits bitset, lo, hi int) error {
		for k := lo; k < hi; k++ {
			i := k
			if req.Reverse {
				i = hi - 1 - (k - lo)
			}
			if !hits.has(i) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			seg.Event(i, &ev)
			if err := fn(seg.Info.RowBase+int64(i), &ev); err != nil {
				return err
			}
			if req.Limit > 0 {
				if left--; left == 0 {
					return errStop
				}
			}
		}
		return nil
	})
}

// Count returns the number of matching events.
func (s *Searcher) Count(ctx context.Context, req Request) (int64, error) {
	var n int64
	err := s.scan(ctx, req, true, func(_ *timeline.Segment, hits bitset, _, _ int) error {
		n += hits.count()
		return nil
	})
	return n, err
}

// Bucket is one histogram bar.
type Bucket struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
}

// Histogram counts matching events per interval (minute, hour, day...),
// buckets aligned in UTC.
func (s *Searcher) Histogram(ctx context.Context, req Request, interval time.Duration) ([]Bucket, error) {
	return s.HistogramIn(ctx, req, interval, time.UTC)
}

// HistogramIn counts matching events per interval with buckets aligned in
// zone loc, as a reader of that zone counts them: a day bucket runs from
// local midnight to local midnight (15:00 to 15:00 UTC in Asia/Tokyo). A
// bucket's start is its local boundary as an instant; across a daylight
// saving change each event is placed by the offset in force at its time.
func (s *Searcher) HistogramIn(ctx context.Context, req Request, interval time.Duration, loc *time.Location) ([]Bucket, error) {
	if interval <= 0 {
		return nil, errors.New("histogram interval must be positive")
	}
	if loc == nil {
		loc = time.UTC
	}
	step := int64(interval)
	counts := map[int64]int64{} // by local bucket start (local nanoseconds)
	offsets := map[int64]int64{}
	first, last := int64(1<<62), int64(-1<<62)
	err := s.scan(ctx, req, true, func(seg *timeline.Segment, hits bitset, lo, hi int) error {
		clock := eventview.NewClock(loc) // the zone's offset, looked up once per zone period
		for i := lo; i < hi; i++ {
			if hits.has(i) {
				t := seg.Time(i)
				off := clock.Offset(t) * int64(time.Second)
				lt := t + off
				k := lt - ((lt%step)+step)%step
				if counts[k] == 0 {
					offsets[k] = off
				}
				counts[k]++
				first, last = min(first, k), max(last, k)
			}
		}
		return nil
	})
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	if (last-first)/step > 1_000_000 {
		return nil, errors.New("histogram would have more than a million buckets; use a larger interval or a time range")
	}
	var out []Bucket
	off := offsets[first]
	for k := first; k <= last; k += step {
		if o, ok := offsets[k]; ok {
			off = o // an empty bucket keeps the offset before it
		}
		out = append(out, Bucket{Start: time.Unix(0, k-off).UTC(), Count: counts[k]})
	}
	return dropMissingHours(out), nil
}

// dropMissingHours removes the empty buckets of local times that did not
// exist (clocks moved forward): they start at or before the bucket before
// them, or at or after the one after them.
func dropMissingHours(b []Bucket) []Bucket {
	out := b[:0]
	for i, x := range b {
		if x.Count == 0 && (len(out) > 0 && !x.Start.After(out[len(out)-1].Start) || i+1 < len(b) && !x.Start.Before(b[i+1].Start)) {
			continue
		}
		out = append(out, x)
	}
	return out
}
