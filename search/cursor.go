package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Cursor is a position in the timeline: an event's time and global row id.
type Cursor struct {
	Time int64
	Row  int64
}

// String renders the cursor for URLs: "TIME_NS:ROW".
func (c Cursor) String() string {
	return strconv.FormatInt(c.Time, 10) + ":" + strconv.FormatInt(c.Row, 10)
}

// ParseCursor reads a cursor written by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	t, r, ok := strings.Cut(s, ":")
	if !ok {
		return Cursor{}, fmt.Errorf("cursor %q: want TIME_NS:ROW", s)
	}
	tv, err1 := strconv.ParseInt(t, 10, 64)
	rv, err2 := strconv.ParseInt(r, 10, 64)
	if err1 != nil || err2 != nil {
		return Cursor{}, fmt.Errorf("cursor %q: want TIME_NS:ROW", s)
	}
	return Cursor{tv, rv}, nil
}

// segCache keeps recently loaded segments so that a server answering many
// requests over the same time range loads each segment once. Segments are
// reference counted: a cached segment handed out is retained, and released
// by the caller as usual.
type segCache struct {
	mu   sync.Mutex
	max  int
	segs map[string]*timeline.Segment
	lru  []string // least recently used first
}

// CacheSegments keeps up to n loaded segments in memory between requests
// (0 turns the cache off). A long-running server wants this; a one-shot CLI
// command does not.
func (s *Searcher) CacheSegments(n int) {
	if n <= 0 {
		s.cache = nil
		return
	}
	s.cache = &segCache{max: n, segs: map[string]*timeline.Segment{}}
}

func (s *Searcher) openSegment(si timeline.SegmentInfo) (*timeline.Segment, error) {
	c := s.cache
	if c == nil {
		return timeline.OpenSegment(s.dir, si)
	}
	c.mu.Lock()
	if seg, ok := c.segs[si.File]; ok {
		seg.Record().Retain()
		c.touch(si.File)
		c.mu.Unlock()
		return seg, nil
	}
	c.mu.Unlock()
	seg, err := timeline.OpenSegment(s.dir, si)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.segs[si.File]; ok { // loaded meanwhile by another request
		old.Record().Retain()
		c.touch(si.File)
		seg.Release()
		return old, nil
	}
	c.segs[si.File] = seg
	c.lru = append(c.lru, si.File)
	for len(c.lru) > c.max {
		c.segs[c.lru[0]].Release()
		delete(c.segs, c.lru[0])
		c.lru = c.lru[1:]
	}
	seg.Record().Retain() // one reference for the cache, one for the caller
	return seg, nil
}

func (c *segCache) touch(name string) {
	for i, n := range c.lru {
		if n == name {
			copy(c.lru[i:], c.lru[i+1:])
			c.lru[len(c.lru)-1] = name
			return
		}
	}
}

type facetAcc struct {
	col   int
	tag   bool
	count map[string]int64
}

// add counts n events with value v; v may point into a segment, so a new key
// is copied.
func (a facetAcc) add(v string, n int64) {
	if _, ok := a.count[v]; ok {
		a.count[v] += n
		return
	}
	a.count[strings.Clone(v)] = n
}

// FacetValue is one value of a field with the number of matching events.
type FacetValue struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Facets counts matching events per value of each named field ("host",
// "source", "tag", or any keyword field), most frequent first, at most top
// values per field (0: all). An event with several tags counts once per tag.
func (s *Searcher) Facets(ctx context.Context, req Request, names []string, top int) (map[string][]FacetValue, error) {
	accs := make([]facetAcc, len(names))
	for i, n := range names {
		spec, ok := fields[n]
		if !ok || (spec.kind != fieldKeyword && spec.kind != fieldTag) {
			return nil, fmt.Errorf("facet %q: not a keyword field", n)
		}
		accs[i] = facetAcc{col: spec.cols[0], tag: spec.kind == fieldTag, count: map[string]int64{}}
	}
	req.Limit, req.Offset, req.Reverse = 0, 0, false
	err := s.scan(ctx, req, false, func(seg *timeline.Segment, hits bitset, lo, hi int) error {
		for _, a := range accs {
			values, codes := seg.DictCodes(a.col)
			if values != nil && !a.tag {
				col := seg.Record().Column(a.col)
				per := make([]int64, len(values))
				for i := lo; i < hi; i++ {
					if hits.has(i) && col.IsValid(i) && int(codes[i]) < len(per) {
						per[codes[i]]++
					}
				}
				for v, n := range per {
					if n > 0 {
						a.add(values[v], n)
					}
				}
				continue
			}
			for i := lo; i < hi; i++ {
				if !hits.has(i) {
					continue
				}
				v := seg.Str(a.col, i)
				if !a.tag {
					a.add(v, 1)
					continue
				}
				for v != "" {
					var t string
					t, v, _ = strings.Cut(v, ",")
					if t != "" {
						a.add(t, 1)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]FacetValue, len(names))
	for i, n := range names {
		list := make([]FacetValue, 0, len(accs[i].count))
		for v, c := range accs[i].count {
			list = append(list, FacetValue{v, c})
		}
		sort.Slice(list, func(a, b int) bool {
			if list[a].Count != list[b].Count {
				return list[a].Count > list[b].Count
			}
			return list[a].Value < list[b].Value
		})
		if top > 0 && len(list) > top {
			list = list[:top]
		}
		out[n] = list
	}
	return out, nil
}

// ErrNoRow means a row id is outside the timeline.
var ErrNoRow = errors.New("no such row in the timeline")

// Row calls fn with the event at a global row id; its strings are valid only
// during the call.
func (s *Searcher) Row(row int64, fn func(ev *timeline.Event) error) error {
	for _, si := range s.m.Segments {
		if row < si.RowBase || row >= si.RowBase+si.Rows {
			continue
		}
		seg, err := s.openSegment(si)
		if err != nil {
			return err
		}
		defer seg.Release()
		var ev timeline.Event
		seg.Event(int(row-si.RowBase), &ev)
		return fn(&ev)
	}
	return ErrNoRow
}

// Span is the time of the first and last event of the timeline (0, 0 when
// empty).
func (s *Searcher) Span() (first, last int64) {
	if len(s.m.Segments) == 0 {
		return 0, 0
	}
	return s.m.Segments[0].First, s.m.Segments[len(s.m.Segments)-1].Last
}
