package scope

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Env is the case context a scope runs in (see vocab.Env).
type Env = vocab.Env

// compromise is the intruder's first successful action on a host.
type compromise struct {
	t         int64
	rule, why string
	ref       vocab.RowRef
}

// state is one scope run: the seeds (kept across rounds with how each was
// found) and what the current round observed and decided.
type state struct {
	env *vocab.Env
	opt Options
	col collector

	round    int
	addrs    map[netip.Addr]int // seed address -> index in pivots
	prefixes []netip.Prefix
	users    map[string]int
	domains  []string
	files    map[string]int
	urls     map[string]int
	pivots   []Pivot

	// baselineEnd is the first activity of an indicator address (round 1):
	// what hosts did before it is their baseline.
	baselineEnd   int64
	baselineFixed bool

	// This round's observations.
	web        []webObs    // requests of seed clients, to seed URLs and to probed paths
	conns      []connObs   // firewall rows with a seed address
	logins     []loginObs  // logins from a seed address or of a seed account
	seedFS     []fsObs     // file system rows of seed paths
	domainRows []domainObs // rows of hosts' logs naming a seed domain
	probes     map[string]bool

	covered      map[string]bool     // hosts whose activity was read this round
	hostConns    []connObs           // firewall rows of covered hosts' addresses (all time)
	hostLogin    []loginObs          // logins on covered hosts and from their addresses (all time)
	hostFS       []fsObs             // file system rows of covered hosts since their first candidate time
	coveredAddr  map[netip.Addr]bool // the covered hosts' addresses
	loginsAll    []loginObs          // allLogins' result, for loginsN activity rows
	loginsN      int
	loginBase    map[loginKey]bool
	plain        plainLogins         // look-alike-only logins, aggregated
	fsFrom       map[string]int64    // covered host -> from when its file system was read
	cdnFor       map[string][]string // origin host -> the CDN hosts whose logs show requests to it (origin pass)
	scopeClients *vocab.StrSet       // the scope's client addresses (origin pass)

	comp     map[string]compromise
	out      *findings
	sessions []session // logins on compromised hosts with their spans
}

// Run computes the scope of the seeds.
func Run(ctx context.Context, env *Env, seeds Seeds, opt Options) (*Result, error) {
	opt.defaults()
	if seeds.Empty() {
		return nil, fmt.Errorf("scope: no indicators")
	}
	env, done := env.Session() // its passes read the same segments
	defer done()
	st := &state{env: env, opt: opt, col: newCollector(env), cdnFor: map[string][]string{},
		addrs: map[netip.Addr]int{}, users: map[string]int{}, files: map[string]int{}, urls: map[string]int{}, probes: map[string]bool{}}
	tl := time.Now()
	ids, err := env.LearnHosts(ctx)
	trace("learnhosts", tl)
	if err != nil {
		return nil, err
	}
	st.plant(seeds)
	for st.round = 1; st.round <= opt.Depth; st.round++ {
		before := len(st.pivots)
		if err := st.roundOnce(ctx); err != nil {
			return nil, err
		}
		if st.round < opt.Depth {
			st.grow()
			if len(st.pivots) == before && st.round > 1 {
				break
			}
		}
	}
	st.round = min(st.round, opt.Depth)
	st.grow() // the last round's finds join the pivot chain (not searched further)
	ta := time.Now()
	res := st.assemble(seeds)
	trace("assemble", ta)
	res.HostIdentity = append(res.HostIdentity, ids...)
	for _, id := range ids {
		if id.Conflict != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %s says %s has %s, but %s: not used", id.Ref, id.Source, id.Host, id.Address, id.Conflict))
		}
	}
	t2 := time.Now()
	if err := st.tampering(ctx, res); err != nil {
		return nil, err
	}
	trace("tampering", t2)
	ta = time.Now()
	defer trace("artifacts", ta)
	if err := st.artifacts(res); err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, env.Notes...)
	res.Category = category(res)
	sortRows(res)
	return res, nil
}

// roundOnce runs one round: mentions of the seeds, the activity of the
// hosts they reached (until no new host is compromised), and the
// decisions.
func (st *state) roundOnce(ctx context.Context) error {
	st.web, st.conns, st.logins, st.seedFS, st.domainRows = nil, nil, nil, nil, nil
	st.loginsAll, st.loginsN, st.loginBase = nil, 0, nil
	st.comp = map[string]compromise{}
	t0 := time.Now()
	if err := st.mentions(ctx); err != nil {
		return err
	}
	trace("mentions", t0, "round", st.round, "requests", len(st.web), "connections", len(st.conns), "logins", len(st.logins))
	before := st.baselineEnd
	st.updateBaselineEnd()
	if st.covered == nil || st.baselineEnd != before || st.activityStale() {
		st.resetActivity()
	}
	st.decideCompromise() // on what earlier rounds read (nothing in round 1)
	for {
		todo := st.uncovered()
		if len(todo) == 0 {
			break
		}
		t1 := time.Now()
		if err := st.activity(ctx, todo); err != nil {
			return err
		}
		trace("activity", t1, "hosts", len(todo), "connections", len(st.hostConns), "logins kept", len(st.hostLogin), "fs", len(st.hostFS))
		st.decideCompromise()
	}
	td := time.Now()
	out, err := st.decide(ctx)
	trace("decide", td)
	st.out = out
	return err
}

// resetActivity forgets what the activity passes read.
func (st *state) resetActivity() {
	st.hostConns, st.hostLogin, st.hostFS = nil, nil, nil
	st.covered, st.coveredAddr, st.fsFrom = map[string]bool{}, map[netip.Addr]bool{}, map[string]int64{}
	st.plain = plainLogins{}
}

// activityStale reports whether what the earlier rounds' activity passes
// read must be read again for this round's seeds: a login they aggregated
// as a look-alike is now a seed's (its source or account), or a covered
// host is now reached earlier than its file system was read from. Else the
// hosts' own rows do not depend on the seeds, and a round reads only the
// hosts it newly reaches.
func (st *state) activityStale() bool {
	for k := range st.plain {
		if _, seedUser := st.users[k.user]; seedUser || st.isSeed(k.src) {
			return true
		}
	}
	for h, t := range st.reached() {
		if from, ok := st.fsFrom[h]; ok && t-int64(st.opt.Slack) < from {
			return true
		}
	}
	return false
}

// plant records the indicators as round-0 seeds.
func (st *state) plant(s Seeds) {
	for _, a := range s.Addrs {
		st.addSeedAddr(a, Pivot{Seed: a.String(), Rule: "indicator", Why: "given as an indicator"})
	}
	st.prefixes = s.Prefixes
	for _, p := range s.Prefixes {
		st.pivots = append(st.pivots, Pivot{Seed: p.String(), Rule: "indicator", Why: "given as an indicator"})
	}
	for _, u := range s.Users {
		st.addSeedUser(u, Pivot{Seed: u, Rule: "indicator", Why: "given as an indicator"})
	}
	st.domains = s.Domains
	for _, d := range s.Domains {
		st.pivots = append(st.pivots, Pivot{Seed: d, Rule: "indicator", Why: "given as an indicator"})
	}
	for _, f := range s.Files {
		st.files[f] = len(st.pivots)
		st.pivots = append(st.pivots, Pivot{Seed: f, Rule: "indicator", Why: "given as an indicator"})
	}
	for _, u := range s.URLPaths {
		st.addSeedURL(u, Pivot{Seed: u, Rule: "indicator", Why: "given as an indicator"})
	}
}

// addSeed records a new seed in set m with how it was found (false when
// it is known already or empty).
func addSeed[K comparable](st *state, m map[K]int, k, zero K, p Pivot) bool {
	if _, ok := m[k]; ok || k == zero {
		return false
	}
	p.Round = st.round
	m[k] = len(st.pivots)
	st.pivots = append(st.pivots, p)
	return true
}

func (st *state) addSeedAddr(a netip.Addr, p Pivot) bool {
	return addSeed(st, st.addrs, a, netip.Addr{}, p)
}

func (st *state) addSeedUser(u string, p Pivot) bool {
	return addSeed(st, st.users, strings.Clone(u), "", p) // u may point into a mapped segment
}

func (st *state) addSeedURL(u string, p Pivot) bool {
	return addSeed(st, st.urls, strings.Clone(u), "", p)
}

// isSeed reports whether a is a seed address or inside a seed block.
func (st *state) isSeed(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	if _, ok := st.addrs[a]; ok {
		return true
	}
	for _, p := range st.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// updateBaselineEnd sets the end of the hosts' baseline: the first
// activity of a seed address, fixed by the first round that sees one (later
// seeds are found from the intrusion and must not move it); until then,
// the first mention of any seed.
func (st *state) updateBaselineEnd() {
	if st.baselineFixed {
		return
	}
	t, fromAddr := st.firstSeedActivity()
	if t != 0 && (st.baselineEnd == 0 || t < st.baselineEnd) {
		st.baselineEnd = t
	}
	st.baselineFixed = fromAddr
}

// firstSeedActivity is the first time a seed address did anything (and
// true), else the first mention of any seed (and false).
func (st *state) firstSeedActivity() (int64, bool) {
	first := int64(0)
	take := func(t int64) {
		if first == 0 || t < first {
			first = t
		}
	}
	for i := range st.web {
		if st.isSeed(st.web[i].client) {
			take(st.web[i].t)
		}
	}
	for i := range st.conns {
		take(st.conns[i].t)
	}
	for i := range st.logins {
		if st.isSeed(st.logins[i].src) {
			take(st.logins[i].t)
		}
	}
	if first != 0 {
		return first, true
	}
	for i := range st.web {
		take(st.web[i].t)
	}
	for i := range st.logins {
		take(st.logins[i].t)
	}
	for i := range st.seedFS {
		if !st.seedFS[i].untrusted {
			take(st.seedFS[i].t)
		}
	}
	if first == 0 { // a domain alone: its first mention after its routine ones
		routine := st.routineDomains()
		for i := range st.domainRows {
			if o := &st.domainRows[i]; !routine[[2]string{o.host, o.domain}] {
				take(o.t)
			}
		}
	}
	return first, false
}

// compHostOf returns the compromised host that has address a at time t.
func (st *state) compHostOf(a netip.Addr, t int64) (string, bool) {
	h := st.env.HostOf(a)
	if h == "" {
		return "", false
	}
	c, ok := st.comp[h]
	return h, ok && t >= c.t-int64(st.opt.Slack)
}

// refOf returns a reference as the result prints it.
func refOf(r vocab.RowRef) *timeline.Ref {
	x := r.Ref()
	return &x
}
