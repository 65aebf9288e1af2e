package scope

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Login rule names (besides RuleLogin, a compromising login).
const (
	RuleBaselineLogin   = "baseline-login"
	RuleBruteForce      = "brute-force"
	RuleNewLogin        = "new-login"
	RuleBaselineSession = "baseline-session"
)

// session is a login on a compromised host and how long it lasted.
type session struct {
	host, user string
	from, to   int64
	intruder   bool
	what       string // "deploy from 10.0.9.7 (publickey)"
}

// decideLogins sorts the logins: the intruder's (accounts, lateral
// movement, sessions), the ones the baseline explains, brute force.
func (st *state) decideLogins(f *findings) {
	ls := st.allLogins()
	base := st.loginBase
	firstBase := map[loginKey]int64{}
	for _, l := range ls {
		k := loginKey{l.host, l.user, l.method, l.src}
		if _, ok := firstBase[k]; !ok && base[k] {
			firstBase[k] = l.t
		}
	}
	st.sessions = nil
	ends := logoutIndex(ls)
	fsHosts := st.hostsWithFS()
	type failKey struct {
		host string
		src  netip.Addr
	}
	fails := map[failKey]*ruled{}
	failUsers := map[failKey]map[string]bool{}
	okFrom := map[failKey]bool{}
	for idx := range ls {
		l := &ls[idx]
		if l.action == timeline.ActionLogout || !l.src.IsValid() {
			continue
		}
		k := loginKey{l.host, l.user, l.method, l.src}
		if l.action == timeline.ActionLoginFailure {
			if c, ok := st.comp[l.host]; ok && l.t >= c.t-int64(st.opt.Slack) && !st.isSeed(l.src) {
				fk := failKey{l.host, l.src}
				if fails[fk] == nil {
					fails[fk], failUsers[fk] = &ruled{}, map[string]bool{}
				}
				addRow(&fails[fk].Span, l.t, l.ref, f.refCap)
				failUsers[fk][l.user] = true
			}
			continue
		}
		okFrom[failKey{l.host, l.src}] = true
		if c, ok := st.loginRule(l, base); ok {
			st.intruderLogin(f, l, c, ends)
			continue
		}
		st.otherLogin(f, l, k, base[k], firstBase[k], ends, fsHosts[l.host])
	}
	st.plainLookalikes(f)
	for k, a := range st.plain { // a plain source's failures
		if a.ok || a.after.Events == 0 {
			continue
		}
		if c, ok := st.comp[k.host]; !ok || a.after.Last < c.t-int64(st.opt.Slack) {
			continue
		}
		fk := failKey{k.host, k.src}
		if fails[fk] == nil {
			fails[fk], failUsers[fk] = &ruled{}, map[string]bool{}
		}
		sp := a.span()
		fails[fk].Merge(&sp, f.refCap)
		for u := range a.users {
			failUsers[fk][u] = true
		}
	}
	for k, a := range st.plain {
		if a.ok {
			okFrom[failKey{k.host, k.src}] = true
		}
	}
	for fk, r := range fails {
		if r.Events < BruteMin || okFrom[fk] {
			continue
		}
		users := make([]string, 0, len(failUsers[fk]))
		for u := range failUsers[fk] {
			users = append(users, u)
		}
		sort.Strings(users)
		why := fmt.Sprintf("%d failed logins on %s (users %s), no success", r.Events, fk.host, strings.Join(users, ", "))
		s := &ruled{Span: r.Span, rule: RuleBruteForce, why: why}
		f.seen[seenKey{"address", fk.src.String(), fk.host, RuleBruteForce}] = s
	}
}

// intruderLogin records a login the rules attribute to the intruder.
func (st *state) intruderLogin(f *findings, l *loginObs, c compromise, ends logouts) {
	f.account(l.user, l.host, RuleLogin, c.why, l.src.String(), l.t, l.ref)
	if st.isSeed(l.src) {
		rule, why := st.seedPivot(l.src)
		f.remote(l.src, "inbound", rule, why, "", l.t, l.ref)
	}
	f.action(l.host, l.t, l.ref, "login of "+l.user+" on "+l.host+" from "+l.src.String())
	if from, ok := st.compHostOf(l.src, l.t); ok && from != l.host {
		f.lat(from, l.host, "login", l.user, RuleLogin, c.why, 0, l.t, l.ref)
	}
	st.sessions = append(st.sessions, session{l.host, l.user, l.t, ends.end(l), true, l.user + " from " + l.src.String()})
}

// otherLogin records a successful login that is not the intruder's: a
// look-alike when it touches the scope (a seed account, a compromised
// host) and, on a compromised host, a session whose changes it explains.
func (st *state) otherLogin(f *findings, l *loginObs, k loginKey, baseline bool, first int64, ends logouts, hasFS bool) {
	c, onComp := st.comp[l.host]
	after := onComp && l.t >= c.t-int64(st.opt.Slack)
	_, seedUser := st.users[l.user]
	if !after && !seedUser {
		return
	}
	what := loginWhat(l)
	switch {
	case baseline:
		if s := f.seen[seenKey{"login", what, l.host, RuleBaselineLogin}]; s != nil {
			addRow(&s.Span, l.t, l.ref, f.refCap) // the reason is the same for every row
		} else {
			f.lookalike("login", what, l.host, RuleBaselineLogin, fmt.Sprintf("the same source, user and method logged in to %s before the incident (first %s)", l.host, vocab.FormatTime(first)), l.t, l.ref)
		}
	case after && !st.isSeed(l.src):
		f.lookalike("login", what, l.host, RuleNewLogin, fmt.Sprintf("a source/user/method %s had not seen before the incident, not tied to a seed: check it", l.host), l.t, l.ref)
	}
	if after && hasFS { // sessions explain file changes: only where files are seen
		st.sessions = append(st.sessions, session{l.host, l.user, l.t, ends.end(l), false, what})
	}
}

// plainLookalikes turns the aggregated plain logins on compromised hosts
// into look-alike rows (their rows since the baseline ended): per host and
// rule the SeenPerRuleMax busiest kinds, the rest folded into one row.
func (st *state) plainLookalikes(f *findings) {
	type kind struct {
		k loginKey
		a *plainAgg
	}
	groups := map[[2]string][]kind{} // (host, rule) -> kinds
	for k, a := range st.plain {
		c, onComp := st.comp[k.host]
		if !a.ok || !onComp || a.after.Events == 0 || a.after.Last < c.t-int64(st.opt.Slack) {
			continue
		}
		rule := RuleNewLogin
		if a.first < st.baselineEnd {
			rule = RuleBaselineLogin
		}
		groups[[2]string{k.host, rule}] = append(groups[[2]string{k.host, rule}], kind{k, a})
	}
	for g, kinds := range groups {
		host, rule := g[0], g[1]
		sort.Slice(kinds, func(i, j int) bool { return kinds[i].a.after.Events > kinds[j].a.after.Events })
		var rest vocab.Span
		for n, x := range kinds {
			if n >= SeenPerRuleMax {
				rest.Merge(&x.a.after, 0)
				continue
			}
			l := loginObs{host: host, user: x.k.user, src: x.k.src}
			why := fmt.Sprintf("a source/user/method %s had not seen before the incident, not tied to a seed: check it", host)
			if rule == RuleBaselineLogin {
				why = fmt.Sprintf("the same source, user and method logged in to %s before the incident (first %s)", host, vocab.FormatTime(x.a.first))
			}
			f.seen[seenKey{"login", loginWhat(&l), host, rule}] = &ruled{Span: x.a.span(), rule: rule, why: why}
		}
		if rest.Events > 0 {
			f.seen[seenKey{"login", fmt.Sprintf("%d other kinds", len(kinds)-SeenPerRuleMax), host, rule}] = &ruled{Span: rest, rule: rule,
				why: fmt.Sprintf("%d more kinds of login (user and source) on %s, %d logins, each like the rows above", len(kinds)-SeenPerRuleMax, host, rest.Events)}
		}
	}
}

// loginWhat names a login for a look-alike row (its records with and
// without a method — auth log and wtmp — are one row).
func loginWhat(l *loginObs) string {
	return l.user + " from " + l.src.String()
}

// logouts are the logout times per host and user, sorted.
type logouts map[[2]string][]int64

func logoutIndex(ls []loginObs) logouts {
	out := logouts{}
	for i := range ls { // ls is sorted by time
		if ls[i].action == timeline.ActionLogout {
			k := [2]string{ls[i].host, ls[i].user}
			out[k] = append(out[k], ls[i].t)
		}
	}
	return out
}

// end is the first logout of the same user on the same host after the
// login, else SessionMax later.
func (e logouts) end(l *loginObs) int64 {
	limit := l.t + int64(SessionMax)
	ts := e[[2]string{l.host, l.user}]
	k := sort.Search(len(ts), func(i int) bool { return ts[i] >= l.t })
	if k < len(ts) && ts[k] <= limit {
		return ts[k]
	}
	return limit
}
