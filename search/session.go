package search

import (
	"sync"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// A multi-pass analysis (scope reads the same segments four or five times)
// pays, on every pass, for mapping each segment again: the Arrow reader is
// rebuilt and every page a pass touches faults in anew, which on a VM costs
// more than reading the rows. A session keeps the segments its scans map
// until it is closed, so each is mapped and faulted in once per analysis.

// heldSegments are the mapped segments of a session, by file.
type heldSegments struct {
	mu   sync.Mutex
	segs map[string]*heldSegment
}

type heldSegment struct {
	once sync.Once
	seg  *timeline.Segment
	err  error
}

// Session returns a Searcher over the same timeline and index whose scans
// share their mapped segments until Close. It is for one analysis: its
// scans may run concurrently, but Close must come after the last of them.
// Closing the session leaves s open.
func (s *Searcher) Session() *Searcher {
	return &Searcher{dir: s.dir, m: s.m, text: s.text, cache: s.cache, notes: s.notes, held: &heldSegments{segs: map[string]*heldSegment{}}}
}

// open maps segment si once for the session.
func (h *heldSegments) open(dir string, si timeline.SegmentInfo) (*timeline.Segment, error) {
	h.mu.Lock()
	e := h.segs[si.File]
	if e == nil {
		e = &heldSegment{}
		h.segs[si.File] = e
	}
	h.mu.Unlock()
	e.once.Do(func() { e.seg, e.err = timeline.OpenSegmentMapped(dir, si) })
	return e.seg, e.err
}

// release unmaps every segment of the session.
func (h *heldSegments) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.segs {
		if e.seg != nil {
			e.seg.Release()
		}
	}
	h.segs = map[string]*heldSegment{}
}
