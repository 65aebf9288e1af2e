package scope

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

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
	tfs := time.Now()
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
	d := &netDecider{st: st, prevHosts: prevHosts, prevAddrs: prevAddrs, fsHosts: st.hostsWithFS(), baselineEnd: st.baselineEnd, refCap: st.opt.RefCap}
	trace("activity: file system", tfs)
	return st.netPass(ctx, netQ, d)
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

// loginKind is what the activity pass does with a login row.
type loginKind int8

const (
	loginSkip  loginKind = iota // read before (a host covered earlier)
	loginPlain                  // aggregated: can only be a look-alike
	loginKept                   // kept row by row: the rules decide it
)

func isLoginAction(a string) bool {
	return a == timeline.ActionLoginSuccess || a == timeline.ActionLoginFailure || a == timeline.ActionLogout
}
