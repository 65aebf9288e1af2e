package scope

import (
	"context"
	"net/netip"
	"slices"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The network pass of activity reads every firewall and login row of the
// covered hosts, all the time: a busy host logs hundreds of thousands of
// routine logins. Each segment is summarised in parallel (netSegment): its
// firewall rows, and its logins per combination of host, user, source
// address and action, decided once (skip, aggregate, keep row by row).
// The single-goroutine visit then only joins the summaries (netJoin).

// netDecider decides a login combination. It only reads state that does
// not change while the pass runs, so that segments are decided in parallel.
type netDecider struct {
	st                 *state
	prevHosts, fsHosts map[string]bool
	prevAddrs          map[netip.Addr]bool
	baselineEnd        int64
	refCap             int
}

// loginCombo is one combination of a segment's login rows (its values are
// those of its first row). Kept small: a brute-force week has one per
// source and user, close to one per three rows.
type loginCombo struct {
	row     int32    // its first row
	codes   [4]int32 // its dictionary codes (host, user, source, action), -1 without
	kind    loginKind
	first   int64      // earliest row
	after   vocab.Span // its rows since the baseline ended (no references: refRows)
	refRows []int32    // the first refCap of those (aggregated); every row (kept row by row)
}

// netSummary is one segment's part of the network pass.
type netSummary struct {
	firewall []int
	combos   []loginCombo
}

const rowOther, rowFirewall, rowLogin = 1, 2, 3

// netSegment summarises the rows of seg the network query matched.
func (d *netDecider) netSegment(seg *timeline.Segment, rows search.Rows) netSummary {
	var out netSummary
	rowKind := vocab.NewPair(timeline.ColSource, timeline.ColAction, func(source, action string) int32 {
		switch {
		case vocab.IsFirewall(source):
			return rowFirewall
		case isLoginAction(action):
			return rowLogin
		}
		return rowOther
	})
	var combos loginCombos
	rows.Each(func(i int) bool {
		switch rowKind.At(seg, i) {
		case rowFirewall:
			out.firewall = append(out.firewall, i)
		case rowLogin:
			k := combos.slot(seg, i, func(codes [4]int32, host, user, src, action string) int32 {
				out.combos = append(out.combos, loginCombo{row: int32(i), codes: codes, kind: d.kind(host, user, src, action)})
				return int32(len(out.combos) - 1)
			})
			out.combos[k].add(seg, i, d.baselineEnd, d.refCap)
		}
		return true
	})
	return out
}

// kind decides a new combination: read before (a host covered earlier),
// aggregated (it can only be a look-alike), or kept for the rules.
func (d *netDecider) kind(host, user, src, action string) loginKind {
	l := loginObs{host: host, user: user, src: vocab.ParseAddr(src), action: action}
	switch {
	case host == "" || d.prevHosts[host] || d.prevAddrs[l.src]:
		return loginSkip
	case d.st.plainLogin(&l, d.fsHosts):
		return loginPlain
	}
	return loginKept
}

// add counts row i of the combination.
func (c *loginCombo) add(seg *timeline.Segment, i int, baselineEnd int64, refCap int) {
	switch c.kind {
	case loginKept:
		c.refRows = append(c.refRows, int32(i))
	case loginPlain:
		t := seg.Time(i)
		if c.first == 0 || t < c.first {
			c.first = t
		}
		if t < baselineEnd {
			return
		}
		if len(c.refRows) < refCap {
			c.refRows = append(c.refRows, int32(i))
		}
		c.after.AddRef(t, timeline.Ref{}, 0)
	}
}

// netJoin adds a segment's summary to the pass's observations.
func (st *state) netJoin(seg *timeline.Segment, sum *netSummary, prevAddrs map[netip.Addr]bool) {
	for _, i := range sum.firewall {
		if c := st.col.conn(seg, i); !prevAddrs[c.src] && !prevAddrs[c.dst] {
			st.hostConns = append(st.hostConns, c)
		}
	}
	var kept []int32
	for k := range sum.combos {
		c := &sum.combos[k]
		switch c.kind {
		case loginKept:
			kept = append(kept, c.refRows...)
		case loginPlain:
			l := st.col.loginKey(seg, c)
			l.t = c.first
			if agg := st.plain.agg(&l); agg != nil {
				agg.join(seg, c, &st.col, st.opt.RefCap)
			}
		}
	}
	slices.Sort(kept) // rows in time order, as the rules expect
	for _, r := range kept {
		i := int(r)
		l := st.col.loginLite(seg, i)
		l.ref = st.col.ref(seg, i)
		st.hostLogin = append(st.hostLogin, l)
	}
}

// join adds a segment's combination to the aggregate.
func (a *plainAgg) join(seg *timeline.Segment, c *loginCombo, col *collector, refCap int) {
	a.first = min(a.first, c.first)
	if c.after.Events == 0 {
		return
	}
	for _, i := range c.refRows {
		if len(a.refs) >= refCap {
			break
		}
		a.refs = append(a.refs, col.ref(seg, int(i)))
	}
	a.after.Merge(&c.after, 0)
}

// loginCombos numbers a segment's combinations of host, user, source and
// action by their dictionary codes (a busy host's logins repeat the same
// few combinations hundreds of thousands of times).
type loginCombos struct {
	seg    *timeline.Segment
	cols   [4]search.DictColumn
	ok     bool
	sizes  [4]int
	dense  []int32 // slot+1 by the codes' product, when small
	packed map[uint64]int32
	byVal  map[[4]string]int32 // rows without codes (a null value)
}

// loginCombosDense bounds the dense numbering (hosts x users x sources x
// actions of one segment; a few hundred users and sources fit).
const loginCombosDense = 1 << 18

var loginComboCols = [4]int{timeline.ColHost, timeline.ColUser, timeline.ColSrcIP, timeline.ColAction}

func (m *loginCombos) init(seg *timeline.Segment) {
	m.seg, m.ok, m.byVal = seg, true, map[[4]string]int32{}
	n := 1
	for k, c := range loginComboCols {
		var ok bool
		m.cols[k], ok = search.Dict(seg, c)
		m.ok = m.ok && ok
		if ok {
			m.sizes[k] = m.cols[k].Values.Len()
			n *= max(m.sizes[k], 1)
		}
	}
	switch {
	case m.ok && n <= loginCombosDense:
		m.dense = make([]int32, n)
	case m.ok && m.sizes[0] <= 1<<8 && m.sizes[3] <= 1<<8 && m.sizes[1] <= 1<<20 && m.sizes[2] <= 1<<28:
		m.packed = map[uint64]int32{}
	}
}

// slot returns row i's combination, numbered by newSlot when new.
func (m *loginCombos) slot(seg *timeline.Segment, i int, newSlot func(codes [4]int32, host, user, src, action string) int32) int32 {
	if seg != m.seg {
		m.init(seg)
	}
	var key [4]int
	if m.ok {
		for k := range key {
			key[k] = m.cols[k].Code(i)
		}
	}
	if !m.ok || key[0] < 0 || key[1] < 0 || key[2] < 0 || key[3] < 0 || m.dense == nil && m.packed == nil {
		v := [4]string{seg.Str(timeline.ColHost, i), seg.Str(timeline.ColUser, i), seg.Str(timeline.ColSrcIP, i), seg.Str(timeline.ColAction, i)}
		s, ok := m.byVal[v]
		if !ok {
			s = newSlot([4]int32{-1, -1, -1, -1}, v[0], v[1], v[2], v[3])
			m.byVal[v] = s
		}
		return s
	}
	if m.dense != nil {
		x := ((key[0]*m.sizes[1]+key[1])*m.sizes[2]+key[2])*m.sizes[3] + key[3]
		if s := m.dense[x]; s > 0 {
			return s - 1
		}
		s := m.newSlot(key, newSlot)
		m.dense[x] = s + 1
		return s
	}
	x := uint64(key[0])<<56 | uint64(key[3])<<48 | uint64(key[1])<<28 | uint64(key[2])
	s, ok := m.packed[x]
	if !ok {
		s = m.newSlot(key, newSlot)
		m.packed[x] = s
	}
	return s
}

func (m *loginCombos) newSlot(key [4]int, newSlot func(codes [4]int32, host, user, src, action string) int32) int32 {
	v := func(k int) string { return m.cols[k].Values.Value(key[k]) }
	return newSlot([4]int32{int32(key[0]), int32(key[1]), int32(key[2]), int32(key[3])}, v(0), v(1), v(2), v(3))
}

// loginKey is a plain combination's values, from its codes when it has
// them (no read of its row's columns), without a method: plain logins are
// only ever look-alikes, whatever the method.
func (c *collector) loginKey(seg *timeline.Segment, lc *loginCombo) loginObs {
	if lc.codes[0] < 0 {
		i := int(lc.row)
		return loginObs{host: c.host.At(seg, i, c.in), user: c.user.At(seg, i, c.in), src: c.addr(c.src.At(seg, i, c.in)), action: c.action.At(seg, i, c.in)}
	}
	return loginObs{host: c.host.Value(seg, int(lc.codes[0]), c.in), user: c.user.Value(seg, int(lc.codes[1]), c.in),
		src: c.addr(c.src.Value(seg, int(lc.codes[2]), c.in)), action: c.action.Value(seg, int(lc.codes[3]), c.in)}
}

// netPass runs the network part of activity.
func (st *state) netPass(ctx context.Context, q string, d *netDecider) error {
	return search.ScanPrepared(st.env.Searcher, ctx, search.Request{Query: q, From: st.opt.From, To: st.opt.To}, nil,
		func(seg *timeline.Segment, rows []search.Rows) (netSummary, error) {
			return d.netSegment(seg, rows[0]), nil
		},
		func(seg *timeline.Segment, _ []search.Rows, sum netSummary) error {
			st.col.reset()
			st.netJoin(seg, &sum, d.prevAddrs)
			return nil
		})
}
