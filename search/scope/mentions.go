package scope

import (
	"context"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// mentions is the first pass of a round: every row that mentions a seed
// (address, account, file, URL path, domain) or requests a path the seeds
// probed, collected as observations.
func (st *state) mentions(ctx context.Context) error {
	var extra []string
	if len(st.domains) > 0 {
		var t []string
		for _, d := range st.domains {
			t = append(t, "url:"+vocab.Quote("*"+d+"*"), vocab.Quote(d))
		}
		extra = append(extra, strings.Join(t, " OR "))
	}
	addrText := vocab.NewStrSet()
	for a := range st.addrs {
		addrText.Add(a.String())
	}
	addrHit := func(v string) bool {
		if v == "" {
			return false
		}
		if addrText.Has(v) {
			return true
		}
		if len(st.prefixes) == 0 && !strings.Contains(v, ":") {
			return false
		}
		return st.isSeed(vocab.ParseAddr(v))
	}
	userHit := func(v string) bool { _, ok := st.users[v]; return v != "" && ok }
	pathHit := func(v string) bool { _, ok := st.files[v]; return v != "" && ok }
	urlHit := func(v string) bool {
		if v == "" {
			return false
		}
		p := vocab.URLPath(v)
		_, ok := st.urls[p]
		return ok || st.probes[p]
	}
	// A few seed addresses are looked up as ip: terms (the index answers
	// them from its postings); many, or blocks, by deciding each segment's
	// address dictionaries once.
	byTerms := len(st.prefixes) == 0 && len(st.addrs) <= SeedTermsMax && st.env.Searcher.HasIndex()
	if byTerms && len(st.addrs) > 0 {
		var t []string
		for a := range st.addrs {
			t = append(t, "ip:"+a.String())
		}
		sort.Strings(t)
		extra = append(extra, strings.Join(t, " OR "))
	}
	// URL seeds and probed paths likewise, as url: phrases (rows the
	// phrase over-matches are filtered by path when decided).
	urlTerms := len(st.urls)+len(st.probes) <= SeedTermsMax && st.env.Searcher.HasIndex() && allWords(st.urls) && allWords(st.probes)
	if urlTerms && len(st.urls)+len(st.probes) > 0 {
		var t []string
		for u := range st.urls {
			t = append(t, "url:"+vocab.Quote(u))
		}
		for u := range st.probes {
			t = append(t, "url:"+vocab.Quote(u))
		}
		sort.Strings(t)
		extra = append(extra, strings.Join(t, " OR "))
	}
	// Accounts likewise, as user: terms (a keyword field).
	userTerms := len(st.users) <= SeedTermsMax && st.env.Searcher.HasIndex()
	if userTerms && len(st.users) > 0 {
		var t []string
		for u := range st.users {
			t = append(t, "user:"+vocab.Quote(u))
		}
		sort.Strings(t)
		extra = append(extra, strings.Join(t, " OR "))
	}
	// One extra query, the union of the terms: its rows are iterated
	// alone when no column needs deciding (no pass over every row).
	if len(extra) > 1 {
		extra = []string{"(" + strings.Join(extra, ") OR (") + ")"}
	}
	cols := []struct {
		c   int
		on  bool
		hit func(string) bool
	}{{timeline.ColSrcIP, !byTerms, addrHit}, {timeline.ColDstIP, !byTerms, addrHit}, {timeline.ColUser, !userTerms && len(st.users) > 0, userHit},
		{timeline.ColPath, len(st.files) > 0, pathHit}, {timeline.ColURL, !urlTerms && len(st.urls)+len(st.probes) > 0, urlHit}}
	// The rows that mention a seed are found on each segment in parallel
	// (the seed sets do not change during the scan); visit collects them
	// in time order.
	candidates := func(seg *timeline.Segment, rows []search.Rows) ([]int, error) {
		var checks []func(i int) bool
		for _, col := range cols {
			if !col.on {
				continue
			}
			if ch, any := vocab.DictCheck(seg, col.c, col.hit); any {
				checks = append(checks, ch)
			}
		}
		queried := false
		for _, r := range rows[1:] {
			queried = queried || r.Count() > 0
		}
		if len(checks) == 0 && !queried {
			return nil, nil
		}
		var out []int
		if len(checks) == 0 && len(rows) == 2 {
			rows[1].Each(func(i int) bool { // the terms' rows
				if rows[0].Has(i) {
					out = append(out, i)
				}
				return true
			})
			return out, nil
		}
		rows[0].Each(func(i int) bool {
			for _, ch := range checks {
				if ch(i) {
					out = append(out, i)
					return true
				}
			}
			for _, r := range rows[1:] {
				if r.Has(i) {
					out = append(out, i)
					return true
				}
			}
			return true
		})
		return out, nil
	}
	req := search.Request{From: st.opt.From, To: st.opt.To}
	return search.ScanPrepared(st.env.Searcher, ctx, req, extra, candidates, func(seg *timeline.Segment, rows []search.Rows, cand []int) error {
		st.col.reset()
		for _, i := range cand {
			st.mention(seg, i)
		}
		return nil
	})
}

// mention files one row that mentions a seed under its source's class.
func (st *state) mention(seg *timeline.Segment, i int) {
	source := seg.Str(timeline.ColSource, i)
	switch {
	case vocab.IsWeb(source):
		st.web = append(st.web, st.col.web(seg, i))
	case vocab.IsFirewall(source):
		c := st.col.conn(seg, i)
		if st.isSeed(c.src) || st.isSeed(c.dst) {
			st.conns = append(st.conns, c)
		}
	case vocab.IsFS(source):
		if _, ok := st.files[seg.Str(timeline.ColPath, i)]; ok {
			st.seedFS = append(st.seedFS, st.col.fs(seg, i))
		}
	default:
		act := seg.Str(timeline.ColAction, i)
		if act != timeline.ActionLoginSuccess && act != timeline.ActionLoginFailure {
			if len(st.domains) > 0 {
				st.domainRow(seg, i)
			}
			return
		}
		l := st.col.login(seg, i)
		if l.host == "" {
			return
		}
		st.logins = append(st.logins, l)
	}
}

// allWords reports whether every path has a letter or digit (a phrase of
// no words matches nothing).
func allWords[V any](paths map[string]V) bool {
	for p := range paths {
		if !strings.ContainsFunc(p, func(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) {
			return false
		}
	}
	return true
}
