package search

import (
	"sort"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// NoteSource answers the annotation fields of the query language from the
// analysts' annotations (kept outside the timeline): the global rows, in
// any order, that carry a tag matching value ("tag"), that are starred
// ("starred", value true), or whose comments contain value ("comment").
type NoteSource func(field, value string) ([]int64, error)

// SetNotes makes tag: also match the analysts' tags and enables starred:
// and comment:. Without it those match only what the timeline holds.
func (s *Searcher) SetNotes(fn NoteSource) { s.notes = fn }

// noted reports whether a term needs the annotations (not a column scan).
func (e *evaluator) noted(n Node) bool {
	t, ok := n.(Term)
	return ok && e.notes != nil && (t.Field == "tag" || fields[t.Field].kind == fieldNote)
}

// noteRows sets the bits of the annotated rows of seg in [lo, hi).
func (e *evaluator) noteRows(t Term, seg *timeline.Segment, lo, hi int, out bitset) error {
	if e.notes == nil {
		return nil
	}
	key := t.Field + "\x00" + t.Value
	e.mu.Lock()
	rows, ok := e.noteCache[key]
	e.mu.Unlock()
	if !ok {
		var err error
		if rows, err = e.notes(t.Field, t.Value); err != nil {
			return err
		}
		rows = append([]int64(nil), rows...)
		sort.Slice(rows, func(i, j int) bool { return rows[i] < rows[j] })
		e.mu.Lock()
		e.noteCache[key] = rows
		e.mu.Unlock()
	}
	base := seg.Info.RowBase
	i := sort.Search(len(rows), func(i int) bool { return rows[i] >= base+int64(lo) })
	for ; i < len(rows) && rows[i] < base+int64(hi); i++ {
		out.set(int(rows[i] - base))
	}
	return nil
}
