package search

import (
	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The query fields of the taxonomy labels (docs/query.md). They are not
// columns: each row's label is computed from its columns when a query asks.
const (
	fieldSandia = "sandia"
	fieldTarget = "target"
	fieldBenign = "benign"
)

// RowLabel computes the taxonomy label of row i of seg from its columns
// (and, for firewall sources, the protocol in its extras).
func RowLabel(seg *timeline.Segment, i int) taxonomy.Label {
	var ev taxonomy.Event
	fillTaxonomyEvent(seg, i, &ev)
	return taxonomy.Classify(&ev)
}

func fillTaxonomyEvent(seg *timeline.Segment, i int, ev *taxonomy.Event) {
	ev.Source = seg.Str(timeline.ColSource, i)
	ev.Action = seg.Str(timeline.ColAction, i)
	ev.Method = seg.Str(timeline.ColMethod, i)
	ev.TimeDesc = seg.Str(timeline.ColTimeDesc, i)
	ev.Status = int32(seg.Int(timeline.ColStatus, i))
	ev.SrcPort = int32(seg.Int(timeline.ColSrcPort, i))
	ev.DstPort = int32(seg.Int(timeline.ColDstPort, i))
	ev.Proto, ev.ICMPType = "", taxonomy.NoICMPType
	if taxonomy.NeedsProto(ev.Source) {
		ev.Proto, ev.ICMPType = taxonomy.FromExtra(seg.Str(timeline.ColExtra, i))
	}
}

// labelTerm evaluates a taxonomy term on the rows of [lo, hi), or only on
// the rows set in mask when it is not nil.
func labelTerm(t Term, seg *timeline.Segment, lo, hi int, mask bitset) bitset {
	out := newBitset(seg.Len())
	g := newGlob(t.Value)
	var ev taxonomy.Event
	test := func(i int) bool {
		fillTaxonomyEvent(seg, i, &ev)
		l := taxonomy.Classify(&ev)
		var v string
		switch t.Field {
		case fieldSandia:
			v = l.Action
		case fieldTarget:
			v = l.Target
		case fieldBenign:
			v = l.Benign
		}
		if v != "" && g.match(v) {
			out.set(i)
		}
		return true
	}
	if mask != nil {
		Rows{bits: mask, Lo: lo, Hi: hi}.Each(test)
		return out
	}
	for i := lo; i < hi; i++ {
		test(i)
	}
	return out
}
