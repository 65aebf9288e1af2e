package search

import (
	"context"
	"math/bits"
	"runtime"
	"sync"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Rows is the set of rows of one segment that a query matched, for callers
// that aggregate over columns (scope, leak counts) without materialising
// events. It is valid only during the Scan callback that received it.
type Rows struct {
	bits   bitset
	Lo, Hi int // the rows inside the request's time range
}

// Has reports whether row i matched.
func (r Rows) Has(i int) bool { return r.bits.has(i) }

// Count is the number of matching rows.
func (r Rows) Count() int64 { return r.bits.count() }

// Each calls fn for every matching row in order, skipping empty words of
// the bitset; fn returning false stops the walk.
func (r Rows) Each(fn func(i int) bool) {
	for w := r.Lo >> 6; w < len(r.bits) && w<<6 < r.Hi; w++ {
		word := r.bits[w]
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &= word - 1
			i := w<<6 + b
			if i < r.Lo || i >= r.Hi {
				continue
			}
			if !fn(i) {
				return
			}
		}
	}
}

// Scan evaluates each query of req.Query (and any extra queries) on every
// segment that overlaps the request's time range, in time order, and calls
// fn once per segment with the rows each query matched (rows[0] for
// req.Query, rows[k] for extra[k-1]). Loading a segment once for several
// queries is what makes a multi-step analysis cost one pass. Limit and
// Offset are ignored. Column values are read with seg.Str / seg.Int /
// seg.DictCodes; nothing is materialised.
func (s *Searcher) Scan(ctx context.Context, req Request, extra []string, fn func(seg *timeline.Segment, rows []Rows) error) error {
	return ScanPrepared(s, ctx, req, extra, func(*timeline.Segment, []Rows) (struct{}, error) { return struct{}{}, nil },
		func(seg *timeline.Segment, rows []Rows, _ struct{}) error { return fn(seg, rows) })
}

// ScanPrepared is Scan with a step prep that runs on each segment with the
// queries, on up to GOMAXPROCS segments at once, and whose result fn gets
// with the segment, in time order. prep is for per-segment work that needs
// no state fn changes (deciding which dictionary values of a column
// matter, say), so that it runs in parallel and fn, which aggregates, does
// less on its single goroutine.
func ScanPrepared[T any](s *Searcher, ctx context.Context, req Request, extra []string,
	prep func(seg *timeline.Segment, rows []Rows) (T, error), fn func(seg *timeline.Segment, rows []Rows, p T) error) error {
	qs := make([]Node, 0, 1+len(extra))
	q, err := Parse(req.Query)
	if err != nil {
		return err
	}
	qs = append(qs, q)
	for _, x := range extra {
		n, err := Parse(x)
		if err != nil {
			return err
		}
		qs = append(qs, n)
	}
	type prepared struct {
		rows []Rows
		p    T
	}
	ev := newEvaluator(s.text, s.notes)
	return scanSegments(s, ctx, req, true, func(seg *timeline.Segment, lo, hi int) (prepared, error) {
		out := prepared{rows: make([]Rows, len(qs))}
		for k, n := range qs {
			b, err := ev.eval(n, seg, lo, hi)
			if err != nil {
				return out, err
			}
			out.rows[k] = Rows{bits: b, Lo: lo, Hi: hi}
		}
		p, err := prep(seg, out.rows)
		out.p = p
		return out, err
	}, func(seg *timeline.Segment, _, _ int, r prepared) error {
		return fn(seg, r.rows, r.p)
	})
}

// scanSegments loads each segment overlapping the request's range,
// memory-mapped when mapped is set (strings valid only during visit), runs
// eval on it and then visit, in time order (newest first with req.Reverse).
// eval runs on up to GOMAXPROCS segments at once: it is where queries are
// evaluated, most of the work, and it touches nothing but its segment;
// visit, which aggregates, runs on the calling goroutine one segment at a
// time, so callers need no locking.
func scanSegments[T any](s *Searcher, ctx context.Context, req Request, mapped bool,
	eval func(seg *timeline.Segment, lo, hi int) (T, error),
	visit func(seg *timeline.Segment, lo, hi int, r T) error) error {
	open := func(si timeline.SegmentInfo) (*timeline.Segment, error) { return s.openSegment(si) }
	if mapped {
		open = func(si timeline.SegmentInfo) (*timeline.Segment, error) { return timeline.OpenSegmentMapped(s.dir, si) }
		if s.held != nil {
			open = func(si timeline.SegmentInfo) (*timeline.Segment, error) { return s.held.open(s.dir, si) }
		}
	}
	release := func(seg *timeline.Segment) {
		if !mapped || s.held == nil { // a session's segments stay until it closes
			seg.Release()
		}
	}
	from, to := req.From, req.To
	if req.After != nil && (from == 0 || req.After.Time > from) {
		from = req.After.Time
	}
	if req.Before != nil && (to == 0 || req.Before.Time < to) {
		to = req.Before.Time
	}
	var todo []timeline.SegmentInfo
	n := len(s.m.Segments)
	for k := range n {
		si := s.m.Segments[k]
		if req.Reverse {
			si = s.m.Segments[n-1-k]
		}
		if from != 0 && si.Last < from || to != 0 && si.First > to {
			continue
		}
		todo = append(todo, si)
	}
	type prepared struct {
		seg    *timeline.Segment
		lo, hi int
		r      T
		err    error
	}
	prepare := func(si timeline.SegmentInfo) (p prepared) {
		if p.err = ctx.Err(); p.err != nil {
			return p
		}
		if p.seg, p.err = open(si); p.err != nil {
			return p
		}
		seg := p.seg
		lo, hi := 0, seg.Len()
		if from != 0 {
			lo = seg.Search(from)
		}
		if to != 0 {
			hi = seg.Search(to + 1)
		}
		// Keyset cursors: skip rows at the cursor's time up to its row id.
		if c := req.After; c != nil {
			for lo < hi && seg.Time(lo) == c.Time && si.RowBase+int64(lo) <= c.Row {
				lo++
			}
		}
		if c := req.Before; c != nil {
			for hi > lo && seg.Time(hi-1) == c.Time && si.RowBase+int64(hi-1) >= c.Row {
				hi--
			}
		}
		p.lo, p.hi = lo, hi
		if lo < hi {
			p.r, p.err = eval(seg, lo, hi)
		}
		return p
	}
	// A worker takes one of window tokens before each segment and the visit
	// gives it back, which bounds the segments open at once.
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	window := 2 * workers
	results := make([]chan prepared, len(todo))
	for k := range results {
		results[k] = make(chan prepared, 1)
	}
	next := make(chan int, len(todo))
	for k := range todo {
		next <- k
	}
	close(next)
	tokens := make(chan struct{}, window)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// The token is taken before the segment, so the segments
				// holding tokens are always the next ones to visit: taken
				// after, a worker slow between the two could see later
				// segments take every token while the visit waits for its
				// segment, for ever.
				select {
				case tokens <- struct{}{}:
				case <-stop:
					return
				}
				k, ok := <-next
				if !ok {
					return
				}
				results[k] <- prepare(todo[k])
			}
		}()
	}
	defer func() {
		// Stop the workers, then release what was prepared but not visited.
		close(stop)
		wg.Wait()
		for _, ch := range results {
			select {
			case p := <-ch:
				if p.seg != nil {
					release(p.seg)
				}
			default:
			}
		}
	}()
	for k := range todo {
		p := <-results[k]
		err := p.err
		if err == nil && p.lo < p.hi {
			err = visit(p.seg, p.lo, p.hi, p.r)
		}
		if p.seg != nil {
			release(p.seg)
		}
		<-tokens
		if err != nil {
			return err
		}
	}
	return nil
}
