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
	field := func(l taxonomy.Label) string {
		switch t.Field {
		case fieldSandia:
			return l.Action
		case fieldTarget:
			return l.Target
		}
		return l.Benign
	}
	m := newLabelMemo(seg)
	test := func(i int) bool {
		if v := field(m.label(i)); v != "" && g.match(v) {
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

// labelMemo labels the rows of one segment, deciding each combination of
// the columns the rules read once: for a source without a table of its own
// a label depends only on action, method, time description and status
// (taxonomy.GenericInputs), three of them dictionary codes. Rows of sources
// with their own table (firewalls: ports, and the protocol in the extras)
// are classified one by one.
type labelMemo struct {
	seg                  *timeline.Segment
	src, act, meth, desc DictColumn
	ok                   bool
	firewall             []int8 // per source code: 0 not decided, 1 firewall, 2 not
	memo                 map[[4]int32]taxonomy.Label
	ev                   taxonomy.Event
}

func newLabelMemo(seg *timeline.Segment) *labelMemo {
	m := &labelMemo{seg: seg, memo: map[[4]int32]taxonomy.Label{}}
	var ok [4]bool
	m.src, ok[0] = Dict(seg, timeline.ColSource)
	m.act, ok[1] = Dict(seg, timeline.ColAction)
	m.meth, ok[2] = Dict(seg, timeline.ColMethod)
	m.desc, ok[3] = Dict(seg, timeline.ColTimeDesc)
	m.ok = ok[0] && ok[1] && ok[2] && ok[3]
	if m.ok {
		m.firewall = make([]int8, m.src.Values.Len())
	}
	return m
}

func (m *labelMemo) label(i int) taxonomy.Label {
	if !m.ok {
		fillTaxonomyEvent(m.seg, i, &m.ev)
		return taxonomy.Classify(&m.ev)
	}
	sc := m.src.Code(i)
	if sc >= 0 {
		if m.firewall[sc] == 0 {
			m.firewall[sc] = 2
			if taxonomy.HasTable(m.src.Values.Value(sc)) {
				m.firewall[sc] = 1
			}
		}
		if m.firewall[sc] == 1 {
			fillTaxonomyEvent(m.seg, i, &m.ev)
			return taxonomy.Classify(&m.ev)
		}
	}
	k := [4]int32{int32(m.act.Code(i)), int32(m.meth.Code(i)), int32(m.desc.Code(i)), int32(m.seg.Int(timeline.ColStatus, i))}
	l, ok := m.memo[k]
	if !ok {
		fillTaxonomyEvent(m.seg, i, &m.ev)
		m.ev.Source, m.ev.SrcPort, m.ev.DstPort = "", 0, 0 // not read by the generic tables
		l = taxonomy.Classify(&m.ev)
		m.memo[k] = l
	}
	return l
}
