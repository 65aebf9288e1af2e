package scope

import (
	"context"
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
	todo := map[string]int64{}
	take := func(h string, t int64) {
		if h == "" || st.covered[h] {
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
	names := make([]string, 0, len(todo))
	first := int64(0)
	for h, t := range todo {
		names = append(names, h)
		st.covered[h] = true
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
	err := st.env.Searcher.Scan(ctx, search.Request{Query: hostQ + " AND " + vocab.QueryFS, From: fsFrom, To: st.opt.To}, nil,
		func(seg *timeline.Segment, rows []search.Rows) error {
			rows[0].Each(func(i int) bool {
				st.hostFS = append(st.hostFS, st.col.fs(seg, i))
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
	return st.env.Searcher.Scan(ctx, search.Request{Query: netQ, From: st.opt.From, To: st.opt.To}, nil,
		func(seg *timeline.Segment, rows []search.Rows) error {
			rows[0].Each(func(i int) bool {
				source := seg.Str(timeline.ColSource, i)
				switch {
				case vocab.IsFirewall(source):
					if c := st.col.conn(seg, i); !st.seenRow[c.ref] {
						st.seenRow[c.ref] = true
						st.hostConns = append(st.hostConns, c)
					}
				case isLoginAction(seg.Str(timeline.ColAction, i)) && seg.Str(timeline.ColHost, i) != "":
					if l := st.col.login(seg, i); !st.seenRow[l.ref] {
						st.seenRow[l.ref] = true
						st.hostLogin = append(st.hostLogin, l)
					}
				}
				return true
			})
			return nil
		})
}

func isLoginAction(a string) bool {
	return a == timeline.ActionLoginSuccess || a == timeline.ActionLoginFailure || a == timeline.ActionLogout
}
