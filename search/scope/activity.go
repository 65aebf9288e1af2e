package scope

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// uncovered lists the hosts the seeds reached (or that are compromised)
// whose own activity this round has not read yet, with the first time a
// seed reached each.
func (st *state) uncovered() map[string]int64 {
	todo := st.reached()
	for h := range todo {
		if st.covered[h] {
			delete(todo, h)
		}
	}
	return todo
}

// reached lists the hosts the seeds reached (or that are compromised),
// with the first time a seed reached each.
func (st *state) reached() map[string]int64 {
	todo := map[string]int64{}
	take := func(h string, t int64) {
		if h == "" {
			return
		}
		if old, ok := todo[h]; !ok || t < old {
			todo[h] = t
		}
	}
	for i := range st.web {
		w := &st.web[i]
		if st.isSeed(w.client) && w.ok() {
			take(w.host, w.t)
		}
	}
	for i := range st.conns {
		c := &st.conns[i]
		if !c.deny && st.isSeed(c.src) {
			take(st.env.HostOf(c.dst), c.t)
		}
	}
	for i := range st.logins {
		if st.logins[i].action == timeline.ActionLoginSuccess {
			take(st.logins[i].host, st.logins[i].t)
		}
	}
	for h, c := range st.comp {
		take(h, c.t)
	}
	return todo
}

// activity reads what the given hosts did: their file system since the
// first time a seed reached them, and every firewall and login row of their
// addresses or on them, all the time (the part before the intrusion is
// their baseline).
func (st *state) activity(ctx context.Context, todo map[string]int64) error {
	if len(st.covered) == 0 {
		// The first pass reads every host the manifest names (from the
		// first seed activity on: no compromise is earlier), so that the
		// hosts the intrusion reaches next need no pass of their own.
		for h := range st.env.Hosts {
			if _, ok := todo[h]; !ok && st.baselineEnd != 0 {
				todo[h] = st.baselineEnd
			}
		}
	}
	names := make([]string, 0, len(todo))
	first := int64(0)
	// Rows of hosts covered before were collected then: a row is new when
	// none of its hosts or addresses was covered before this call.
	prevHosts, prevAddrs := maps.Clone(st.covered), maps.Clone(st.coveredAddr)
	for h, t := range todo {
		names = append(names, h)
		st.covered[h] = true
		if hh := st.env.Hosts[h]; hh != nil {
			for _, a := range hh.Addresses {
				st.coveredAddr[a] = true
			}
		}
		if first == 0 || t < first {
			first = t
		}
	}
	sort.Strings(names)
	var hostTerms, addrTerms []string
	for _, h := range names {
		hostTerms = append(hostTerms, "host:"+vocab.Quote(h))
		if hh := st.env.Hosts[h]; hh != nil {
			for _, a := range hh.Addresses {
				addrTerms = append(addrTerms, "ip:"+a.String())
			}
		}
	}
	hostQ := "(" + strings.Join(hostTerms, " OR ") + ")"
	fsFrom := max(first-int64(st.opt.Slack), st.opt.From)
	for _, h := range names {
		st.fsFrom[h] = max(todo[h]-int64(st.opt.Slack), st.opt.From)
	}
	err := st.env.Searcher.Scan(ctx, search.Request{Query: hostQ + " AND " + vocab.QueryFS, From: fsFrom, To: st.opt.To}, nil,
		func(seg *timeline.Segment, rows []search.Rows) error {
			st.col.reset()
			st.hostFS = slices.Grow(st.hostFS, int(rows[0].Count()))
			rows[0].Each(func(i int) bool {
				o := st.col.fs(seg, i)
				if o.t >= st.fsFrom[o.host] || o.stomp != "" {
					st.hostFS = append(st.hostFS, o)
				}
				return true
			})
			return nil
		})
	if err != nil {
		return err
	}
	netQ := hostQ + " AND " + vocab.QueryLogin
	if len(addrTerms) > 0 {
		// Web requests are not host activity; excluding them first lets the
		// address terms decide only the addresses of the other rows.
		netQ = "(NOT " + vocab.QueryWeb + " AND (" + strings.Join(addrTerms, " OR ") + ")) OR (" + netQ + ")"
	}
	fsHosts := st.hostsWithFS()
	memo := &loginMemo{}
	decided := map[[4]string]loginDecision{} // across segments, by interned values
	const rowOther, rowFirewall, rowLogin = 1, 2, 3
	rowKind := vocab.NewPair(timeline.ColSource, timeline.ColAction, func(source, action string) int32 {
		switch {
		case vocab.IsFirewall(source):
			return rowFirewall
		case isLoginAction(action):
			return rowLogin
		}
		return rowOther
	})
	return st.env.Searcher.Scan(ctx, search.Request{Query: netQ, From: st.opt.From, To: st.opt.To}, nil,
		func(seg *timeline.Segment, rows []search.Rows) error {
			st.col.reset()
			memo.reset()
			rowKind.Reset()
			rows[0].Each(func(i int) bool {
				switch rowKind.At(seg, i) {
				case rowFirewall:
					if c := st.col.conn(seg, i); !prevAddrs[c.src] && !prevAddrs[c.dst] {
						st.hostConns = append(st.hostConns, c)
					}
				case rowLogin:
					switch agg, kind := memo.at(seg, i, func() (*plainAgg, loginKind) {
						// A combination new to this segment may be known
						// from an earlier one: look it up by its values.
						in := st.col.in
						k := [4]string{st.col.host.At(seg, i, in), st.col.user.At(seg, i, in), st.col.src.At(seg, i, in), st.col.action.At(seg, i, in)}
						if d, ok := decided[k]; ok {
							return d.agg, d.kind
						}
						l := st.col.loginLite(seg, i)
						d := loginDecision{kind: loginKept}
						switch {
						case l.host == "" || prevHosts[l.host] || prevAddrs[l.src]:
							d.kind = loginSkip
						case st.plainLogin(&l, fsHosts):
							d = loginDecision{st.plain.agg(&l), loginPlain}
						}
						decided[k] = d
						return d.agg, d.kind
					}); kind {
					case loginPlain:
						agg.add(seg, i, &st.col, st.baselineEnd, st.opt.RefCap)
					case loginKept:
						l := st.col.loginLite(seg, i)
						l.ref = st.col.ref(seg, i)
						st.hostLogin = append(st.hostLogin, l)
					}
				}
				return true
			})
			return nil
		})
}

// plainLogin reports whether a login can only be a look-alike, so that it
// is aggregated instead of kept row by row (a busy host logs hundreds of
// thousands): not from a seed or a known host's address, not of a seed
// account, on a host whose files are not read (sessions explain file
// changes only where files are seen).
func (st *state) plainLogin(l *loginObs, fsHosts map[string]bool) bool {
	if l.action == timeline.ActionLogout {
		return !fsHosts[l.host] // only sessions use logouts
	}
	_, seedUser := st.users[l.user]
	return !fsHosts[l.host] && !seedUser && !st.isSeed(l.src) && st.env.HostOf(l.src) == ""
}

// plainLogins aggregates the plain logins of covered hosts by kind.
type plainLogins map[loginKey]*plainAgg

// plainAgg is one kind of login (or a source's failures, with method ""
// and no user): when it was first seen, and its rows since the baseline
// ended.
type plainAgg struct {
	first int64
	ok    bool // successes (else failures)
	users map[string]bool
	after vocab.Span     // its Refs stay empty: refs holds them compactly
	refs  []vocab.RowRef // the first RefCap rows since the baseline ended
}

// span is the aggregate's rows since the baseline ended, with references.
func (a *plainAgg) span() vocab.Span {
	s := a.after
	s.Refs = make([]timeline.Ref, len(a.refs))
	for k, r := range a.refs {
		s.Refs[k] = r.Ref()
	}
	return s
}

// agg returns the aggregate a plain login goes into (nil for a logout or
// a login without a source: nothing to aggregate).
func (p plainLogins) agg(l *loginObs) *plainAgg {
	if l.action == timeline.ActionLogout || !l.src.IsValid() {
		return nil
	}
	k := loginKey{l.host, l.user, "", l.src} // any method: plain logins are only ever look-alikes
	if l.action == timeline.ActionLoginFailure {
		k = loginKey{host: l.host, src: l.src}
	}
	a := p[k]
	if a == nil {
		a = &plainAgg{first: l.t, ok: l.action == timeline.ActionLoginSuccess}
		if !a.ok {
			a.users = map[string]bool{}
		}
		p[k] = a
	}
	if !a.ok {
		a.users[l.user] = true
	}
	return a
}

// add counts row i of seg (its reference is read only while kept).
func (a *plainAgg) add(seg *timeline.Segment, i int, c *collector, baselineEnd int64, refCap int) {
	if a == nil {
		return
	}
	t := seg.Time(i)
	a.first = min(a.first, t)
	if t < baselineEnd {
		return
	}
	if len(a.refs) < refCap {
		a.refs = append(a.refs, c.ref(seg, i))
	}
	sp := &a.after // the span by hand: this runs for every routine login
	if sp.Events == 0 || t < sp.First {
		sp.First = t
	}
	sp.Last = max(sp.Last, t)
	sp.Events++
}

// loginKind is what the activity pass does with a login row.
type loginKind int8

const (
	loginSkip  loginKind = iota // read before (a host covered earlier)
	loginPlain                  // aggregated: can only be a look-alike
	loginKept                   // kept row by row: the rules decide it
)

// loginMemo decides a login row's kind once per segment and combination of
// host, user, source address and action (a busy host's logins repeat the
// same few combinations hundreds of thousands of times).
type loginMemo struct {
	seg    *timeline.Segment
	cols   [4]search.DictColumn
	ok     bool
	sizes  [4]int
	dense  []int32 // index+1 into decs by the codes' product, when small
	decs   []loginDecision
	packed map[uint64]loginDecision // codes packed in 8+8+20+28 bits, when they fit
	m      map[[4]int]loginDecision
}

// loginMemoDense bounds the dense memo (hosts x users x sources x actions
// of one segment; a few hundred users and sources fit).
const loginMemoDense = 1 << 18

type loginDecision struct {
	agg  *plainAgg
	kind loginKind
}

var loginMemoCols = [4]int{timeline.ColHost, timeline.ColUser, timeline.ColSrcIP, timeline.ColAction}

func (m *loginMemo) newSegment(seg *timeline.Segment) {
	m.seg, m.ok, m.m, m.dense, m.decs = seg, true, map[[4]int]loginDecision{}, nil, m.decs[:0]
	n := 1
	for k, c := range loginMemoCols {
		var ok bool
		m.cols[k], ok = search.Dict(seg, c)
		m.ok = m.ok && ok
		if ok {
			m.sizes[k] = m.cols[k].Values.Len()
			n *= max(m.sizes[k], 1)
		}
	}
	m.packed = nil
	switch {
	case m.ok && n <= loginMemoDense:
		m.dense = make([]int32, n)
	case m.ok && m.sizes[0] <= 1<<8 && m.sizes[3] <= 1<<8 && m.sizes[1] <= 1<<20 && m.sizes[2] <= 1<<28:
		m.packed = map[uint64]loginDecision{}
	}
}

func (m *loginMemo) reset() { m.seg = nil }

// at returns the decision for row i, calling decide for a new combination.
func (m *loginMemo) at(seg *timeline.Segment, i int, decide func() (*plainAgg, loginKind)) (*plainAgg, loginKind) {
	if seg != m.seg {
		m.newSegment(seg)
	}
	if !m.ok {
		return decide()
	}
	var key [4]int
	for k := range key {
		key[k] = m.cols[k].Code(i)
	}
	if m.dense != nil && key[0] >= 0 && key[1] >= 0 && key[2] >= 0 && key[3] >= 0 {
		x := ((key[0]*m.sizes[1]+key[1])*m.sizes[2]+key[2])*m.sizes[3] + key[3]
		if j := m.dense[x]; j > 0 {
			return m.decs[j-1].agg, m.decs[j-1].kind
		}
		agg, kind := decide()
		m.decs = append(m.decs, loginDecision{agg, kind})
		m.dense[x] = int32(len(m.decs))
		return agg, kind
	}
	if m.packed != nil && key[0] >= 0 && key[1] >= 0 && key[2] >= 0 && key[3] >= 0 {
		x := uint64(key[0])<<56 | uint64(key[3])<<48 | uint64(key[1])<<28 | uint64(key[2])
		d, ok := m.packed[x]
		if !ok {
			d.agg, d.kind = decide()
			m.packed[x] = d
		}
		return d.agg, d.kind
	}
	d, ok := m.m[key]
	if !ok {
		d.agg, d.kind = decide()
		m.m[key] = d
	}
	return d.agg, d.kind
}

func isLoginAction(a string) bool {
	return a == timeline.ActionLoginSuccess || a == timeline.ActionLoginFailure || a == timeline.ActionLogout
}
