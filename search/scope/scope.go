package scope

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Options tune a scope.
type Options struct {
	Depth     int           // expansion rounds (default 2)
	From, To  int64         // ns UTC, inclusive; 0 = open
	RefCap    int           // references kept per row (default 20; every event is counted)
	Slack     time.Duration // clock slack around a compromise time (default 60 s)
	Tolerance time.Duration // CDN/origin request matching tolerance (default 5 s)
	ScanPorts int           // distinct ports that make a scan (default 10)
	ScanHosts int           // distinct hosts that make a scan (default 10)
	GapMin    time.Duration // shortest log gap reported (default 10 min)
}

func (o *Options) defaults() {
	if o.Depth <= 0 {
		o.Depth = 2
	}
	if o.RefCap <= 0 {
		o.RefCap = 20
	}
	if o.Slack <= 0 {
		o.Slack = 60 * time.Second
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 5 * time.Second
	}
	if o.ScanPorts <= 0 {
		o.ScanPorts = 10
	}
	if o.ScanHosts <= 0 {
		o.ScanHosts = 10
	}
	if o.GapMin <= 0 {
		o.GapMin = 10 * time.Minute
	}
}

// Window is the time span of the intrusion as the evidence shows it.
type Window struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

// HostRow is a host the indicators touched.
type HostRow struct {
	Name        string         `json:"name"`
	FirstSeen   string         `json:"first_seen"`
	LastSeen    string         `json:"last_seen"`
	Compromised string         `json:"compromised,omitempty"` // first successful access
	Events      int64          `json:"events"`
	Refs        []timeline.Ref `json:"refs"`
}

// AccountRow is an account used by the intrusion.
type AccountRow struct {
	Name      string         `json:"name"`
	Host      string         `json:"host"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// FileRow is a file created, changed or reached on a host in scope.
type FileRow struct {
	Host      string            `json:"host"`
	Path      string            `json:"path"`
	URL       string            `json:"url,omitempty"` // the web path that reaches it
	Directory bool              `json:"directory,omitempty"`
	Actions   []string          `json:"actions"`
	Times     map[string]string `json:"times,omitempty"` // action -> first time
	FirstSeen string            `json:"first_seen"`
	LastSeen  string            `json:"last_seen"`
	Events    int64             `json:"events"`
	Refs      []timeline.Ref    `json:"refs"`
}

// RemoteRow is an outside address in scope.
type RemoteRow struct {
	Address   string         `json:"address"`
	Direction string         `json:"direction"` // inbound | outbound
	Why       string         `json:"why"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// LateralRow is movement between internal hosts.
type LateralRow struct {
	From      string         `json:"from"`
	To        string         `json:"to"`
	Kind      string         `json:"kind"` // scan | login | connection
	User      string         `json:"user,omitempty"`
	Ports     []int          `json:"ports,omitempty"`
	Targets   []string       `json:"targets,omitempty"` // scans: hosts touched (first 20)
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// TamperRow is evidence that records were altered or removed.
type TamperRow struct {
	Kind      string         `json:"kind"` // missing-at-origin | timestomp | log-gap
	Host      string         `json:"host"`
	Detail    string         `json:"detail"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// ArtifactRow is a memory artifact that matches an indicator.
type ArtifactRow struct {
	Kind  string         `json:"kind"`
	Value string         `json:"value"`
	Seed  string         `json:"seed"`
	Count int64          `json:"count"`
	Refs  []timeline.Ref `json:"refs"`
}

// Result is the scope of an intrusion (contract: kiseki scope --json).
type Result struct {
	Seeds           []string      `json:"seeds"`
	Depth           int           `json:"depth"`
	Window          Window        `json:"window"`
	Hosts           []HostRow     `json:"hosts"`
	Accounts        []AccountRow  `json:"accounts"`
	Files           []FileRow     `json:"files"`
	RemoteAddresses []RemoteRow   `json:"remote_addresses"`
	Lateral         []LateralRow  `json:"lateral"`
	Tampering       []TamperRow   `json:"tampering"`
	Artifacts       []ArtifactRow `json:"artifacts"`
	Notes           []string      `json:"notes,omitempty"`
}

type remoteKey struct {
	addr netip.Addr
	dir  string
}

type latKey struct{ from, to, kind, user string }

type fileKey struct{ host, path string }

type fileAgg struct {
	Span
	actions map[string]int64 // action -> first time
	dir     bool
	url     string
}

// scanAgg collects one internal source's connection attempts to internal
// addresses; bursts of many ports or hosts within ScanBucket are scans.
type scanAgg struct {
	probes []probe
}

type probe struct {
	t    int64
	dst  netip.Addr
	port int32
	ref  timeline.Ref
}

// ScanBucket is the interval in which a scan's distinct ports or hosts are counted.
const ScanBucket = 10 * time.Minute

// state is what one expansion round found; the seeds and compromised hosts
// carry over between rounds, the aggregates are rebuilt each round.
type state struct {
	env *Env
	opt Options

	addrs    map[netip.Addr]string // scope addresses and why they are in scope
	prefixes []netip.Prefix
	users    map[string]bool
	domains  []string
	files    map[string]bool
	urls     map[string]bool
	comp     map[string]int64 // compromised host -> first compromise time

	hosts    map[string]*Span
	accounts map[[2]string]*Span
	fileAggs map[fileKey]*fileAgg
	remotes  map[remoteKey]*Span
	why      map[remoteKey]string
	lateral  map[latKey]*Span
	latPorts map[latKey]map[int32]bool
	scans    map[string]*scanAgg
	stomps   map[fileKey]*Span
	reqFiles map[fileKey]bool // files reached by web requests from scope addresses
	atimes   map[fileKey]*Span
}

// Run computes the scope of the seeds.
func Run(ctx context.Context, env *Env, seeds Seeds, opt Options) (*Result, error) {
	opt.defaults()
	if seeds.Empty() {
		return nil, fmt.Errorf("scope: no indicators")
	}
	st := &state{env: env, opt: opt, addrs: map[netip.Addr]string{}, users: map[string]bool{}, files: map[string]bool{}, urls: map[string]bool{}, comp: map[string]int64{}}
	for _, a := range seeds.Addrs {
		st.addrs[a] = "indicator"
	}
	st.prefixes = seeds.Prefixes
	for _, u := range seeds.Users {
		st.users[u] = true
	}
	st.domains = seeds.Domains
	for _, f := range seeds.Files {
		st.files[f] = true
	}
	for _, u := range seeds.URLPaths {
		st.urls[u] = true
	}
	for round := 1; round <= opt.Depth; round++ {
		st.reset()
		before := st.size()
		if err := st.mentions(ctx); err != nil {
			return nil, err
		}
		if err := st.activity(ctx); err != nil {
			return nil, err
		}
		if round < opt.Depth {
			st.grow()
			if st.size() == before {
				break
			}
		}
	}
	res := st.result(seeds)
	if err := st.tampering(ctx, res); err != nil {
		return nil, err
	}
	if err := st.artifacts(res); err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, env.Notes...)
	return res, nil
}

func (st *state) size() int {
	return len(st.addrs) + len(st.prefixes) + len(st.users) + len(st.files) + len(st.urls) + len(st.comp)
}

func (st *state) reset() {
	st.hosts = map[string]*Span{}
	st.accounts = map[[2]string]*Span{}
	st.fileAggs = map[fileKey]*fileAgg{}
	st.remotes = map[remoteKey]*Span{}
	st.why = map[remoteKey]string{}
	st.lateral = map[latKey]*Span{}
	st.latPorts = map[latKey]map[int32]bool{}
	st.scans = map[string]*scanAgg{}
	st.stomps = map[fileKey]*Span{}
	st.reqFiles = map[fileKey]bool{}
	st.atimes = map[fileKey]*Span{}
}

// grow turns what a round found into seeds for the next: remote addresses,
// accounts, and the web paths of files created on compromised hosts.
func (st *state) grow() {
	for k := range st.remotes {
		if _, ok := st.addrs[k.addr]; !ok {
			st.addrs[k.addr] = st.why[k]
		}
	}
	for k := range st.accounts {
		st.users[k[0]] = true
	}
	for k, f := range st.fileAggs {
		if _, created := f.actions["created"]; created && !f.dir {
			st.files[k.path] = true
			if f.url != "" {
				st.urls[f.url] = true
			}
		}
	}
}

func (st *state) inScope(a netip.Addr) bool {
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

// compAddr reports whether a is an address of a compromised host, and which.
func (st *state) compAddr(a netip.Addr) (string, bool) {
	if !a.IsValid() {
		return "", false
	}
	h := st.env.HostOf(a)
	if h == "" {
		return "", false
	}
	_, ok := st.comp[h]
	return h, ok
}

func quote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"` }

func (st *state) span(m map[string]*Span, k string) *Span {
	s := m[k]
	if s == nil {
		s = &Span{}
		m[strings.Clone(k)] = s // k may point into a mapped segment
	}
	return s
}

func (st *state) remote(a netip.Addr, dir, why string) *Span {
	k := remoteKey{a, dir}
	s := st.remotes[k]
	if s == nil {
		s = &Span{}
		st.remotes[k] = s
		st.why[k] = why
	}
	return s
}

func (st *state) account(user, host string) *Span {
	k := [2]string{user, host}
	s := st.accounts[k]
	if s == nil {
		s = &Span{}
		st.accounts[[2]string{strings.Clone(user), strings.Clone(host)}] = s
	}
	return s
}

func (st *state) lat(from, to, kind, user string) *Span {
	k := latKey{from, to, kind, user}
	s := st.lateral[k]
	if s == nil {
		s = &Span{}
		st.lateral[latKey{strings.Clone(from), strings.Clone(to), kind, strings.Clone(user)}] = s
	}
	return s
}

func (st *state) markComp(h string, t int64) {
	if old, ok := st.comp[h]; !ok || t < old {
		st.comp[strings.Clone(h)] = t
	}
}

func (st *state) name(a netip.Addr) string {
	if h := st.env.HostOf(a); h != "" {
		return h
	}
	return a.String()
}

// mentions is the first step of a round: every event that mentions a seed,
// and what it says about hosts, accounts, addresses and files.
func (st *state) mentions(ctx context.Context) error {
	if len(st.addrs)+len(st.prefixes)+len(st.users)+len(st.files)+len(st.urls)+len(st.domains) == 0 {
		return nil
	}
	// Seeds are sets (a round may have thousands of addresses): each
	// segment's dictionary values are decided once, by set lookup, when a
	// row first uses them; domains go through the query language (words).
	var extra []string
	if len(st.domains) > 0 {
		var t []string
		for _, d := range st.domains {
			t = append(t, "url:"+quote("*"+d+"*"), quote(d))
		}
		extra = append(extra, strings.Join(t, " OR "))
	}
	addrText := newStrSet()
	for a := range st.addrs {
		addrText.add(a.String())
	}
	addrHit := func(v string) bool {
		if v == "" {
			return false
		}
		if addrText.has(v) {
			return true
		}
		if len(st.prefixes) == 0 && !strings.Contains(v, ":") {
			return false
		}
		return st.inScope(parseAddr(v))
	}
	userHit := func(v string) bool { return v != "" && st.users[v] }
	pathHit := func(v string) bool { return v != "" && st.files[v] }
	urlHit := func(v string) bool { return v != "" && len(st.urls) > 0 && st.urls[URLPath(v)] }
	req := search.Request{From: st.opt.From, To: st.opt.To}
	refCap := st.opt.RefCap
	slack := int64(st.opt.Slack)
	// The rows that mention a seed are found on each segment in parallel
	// (the seed sets do not change during the scan); visit aggregates them
	// in time order.
	candidates := func(seg *timeline.Segment, rows []search.Rows) ([]int, error) {
		cols := []struct {
			c   int
			hit func(string) bool
		}{{timeline.ColSrcIP, addrHit}, {timeline.ColDstIP, addrHit}, {timeline.ColUser, userHit}, {timeline.ColPath, pathHit}, {timeline.ColURL, urlHit}}
		var checks []func(i int) bool
		for _, col := range cols {
			if col.c == timeline.ColUser && len(st.users) == 0 || col.c == timeline.ColPath && len(st.files) == 0 || col.c == timeline.ColURL && len(st.urls) == 0 {
				continue
			}
			if ch, any := dictCheck(seg, col.c, col.hit); any {
				checks = append(checks, ch)
			}
		}
		if len(checks) == 0 && (len(rows) < 2 || rows[1].Count() == 0) {
			return nil, nil // nothing in this segment mentions a seed
		}
		var out []int
		rows[0].Each(func(i int) bool {
			for _, ch := range checks {
				if ch(i) {
					out = append(out, i)
					return true
				}
			}
			if len(rows) > 1 && rows[1].Has(i) {
				out = append(out, i)
			}
			return true
		})
		return out, nil
	}
	return search.ScanPrepared(st.env.Searcher, ctx, req, extra, candidates, func(seg *timeline.Segment, rows []search.Rows, cand []int) error {
		visit := func(i int) {
			t := seg.Time(i)
			source := seg.Str(timeline.ColSource, i)
			host := seg.Str(timeline.ColHost, i)
			src := parseAddr(seg.Str(timeline.ColSrcIP, i))
			dst := parseAddr(seg.Str(timeline.ColDstIP, i))
			user := seg.Str(timeline.ColUser, i)
			action := seg.Str(timeline.ColAction, i)
			switch {
			case IsWeb(source):
				client := src
				if !IsCDN(source) {
					client = parseAddr(ClientAddr(seg, i))
				}
				victim := st.env.OriginOf(host, source)
				status := seg.Int(timeline.ColStatus, i)
				u := URLPath(seg.Str(timeline.ColURL, i))
				if st.inScope(client) {
					st.remote(client, "inbound", st.addrs[client]).add(t, seg, i, refCap)
				} else if st.urls[u] && status > 0 && status < 400 && client.IsValid() && !st.env.IsInternal(client) {
					// another address that used a path of the intrusion
					st.remote(client, "inbound", "requested "+u).add(t, seg, i, refCap)
				} else if !st.matchesText(seg, i) {
					return
				}
				st.span(st.hosts, victim).add(t, seg, i, refCap)
				if status >= 200 && status < 300 {
					method := seg.Str(timeline.ColMethod, i)
					if (method != "GET" && method != "HEAD") || st.urls[u] {
						st.markComp(victim, t)
					}
					if f := st.env.URLToFile(victim, u); f != "" {
						st.reqFiles[fileKey{strings.Clone(victim), f}] = true
					}
				}
			case IsFirewall(source):
				// Traffic of a compromised host after its compromise is
				// counted by activity; here: seeds talking to hosts.
				if h, ok := st.compAddr(src); ok && t >= st.comp[h]-slack {
					return
				}
				switch {
				case st.inScope(src):
					st.remote(src, "inbound", st.addrs[src]).add(t, seg, i, refCap)
					if h := st.env.HostOf(dst); h != "" {
						st.span(st.hosts, h).add(t, seg, i, refCap)
					}
				case st.inScope(dst):
					st.remote(dst, "outbound", st.addrs[dst]).add(t, seg, i, refCap)
					if h := st.env.HostOf(src); h != "" {
						st.span(st.hosts, h).add(t, seg, i, refCap)
					}
				}
			case IsFS(source):
				p := seg.Str(timeline.ColPath, i)
				if !st.files[p] {
					return
				}
				st.fileEvent(seg, i, host, p, t, true)
				st.span(st.hosts, host).add(t, seg, i, refCap)
			default:
				// logins and everything else recorded on a host
				hit := false
				if st.inScope(src) {
					st.remote(src, "inbound", st.addrs[src]).add(t, seg, i, refCap)
					hit = true
				}
				if st.inScope(dst) && host != "" {
					st.remote(dst, "outbound", st.addrs[dst]).add(t, seg, i, refCap)
					hit = true
				}
				if user != "" && (st.users[user] || hit) {
					st.account(strings.Clone(user), host).add(t, seg, i, refCap)
					hit = true
				}
				if !hit && !st.matchesText(seg, i) {
					return
				}
				if host != "" {
					st.span(st.hosts, host).add(t, seg, i, refCap)
					if action == timeline.ActionLoginSuccess && (st.inScope(src) || st.users[user]) {
						st.markComp(strings.Clone(host), t)
					}
				}
			}
		}
		for _, i := range cand {
			visit(i)
		}
		return nil
	})
}

// rowsCheck returns a row test for column c of seg with every dictionary
// value the given rows use decided now: called in a Scan's parallel step,
// it leaves the aggregating callback a lookup per row.
func rowsCheck(seg *timeline.Segment, c int, rows search.Rows, hit func(string) bool) func(i int) bool {
	d, ok := search.Dict(seg, c)
	if !ok {
		return func(i int) bool { return hit(seg.Str(c, i)) }
	}
	known := make([]int8, d.Values.Len()) // 0 unused, 1 yes, 2 no
	rows.Each(func(i int) bool {
		if k := d.Code(i); k >= 0 && known[k] == 0 {
			known[k] = 2
			if hit(d.Values.Value(k)) {
				known[k] = 1
			}
		}
		return true
	})
	return func(i int) bool {
		k := d.Code(i)
		return k >= 0 && known[k] == 1
	}
}

// dictCheck returns a row test for column c of seg, deciding every
// dictionary value once up front, and whether any value matched (when none
// did, no row of the segment needs testing).
func dictCheck(seg *timeline.Segment, c int, hit func(string) bool) (func(i int) bool, bool) {
	d, ok := search.Dict(seg, c)
	if !ok {
		return func(i int) bool { return hit(seg.Str(c, i)) }, true
	}
	known := make([]bool, d.Values.Len())
	any := false
	for k := range known {
		if hit(d.Values.Value(k)) {
			known[k], any = true, true
		}
	}
	return func(i int) bool {
		k := d.Code(i)
		return k >= 0 && known[k]
	}, any
}

// matchesText reports whether a row matched through a domain seed (the only
// seeds matched by text rather than by a column this code checks itself).
func (st *state) matchesText(seg *timeline.Segment, i int) bool {
	if len(st.domains) == 0 {
		return false
	}
	for _, c := range []int{timeline.ColURL, timeline.ColMessage, timeline.ColExtra} {
		v := strings.ToLower(seg.Str(c, i))
		for _, d := range st.domains {
			if strings.Contains(v, d) {
				return true
			}
		}
	}
	return false
}

var fsActions = map[string]string{
	timeline.TimeBorn:     "created",
	timeline.TimeModified: "modified",
	timeline.TimeChanged:  "changed",
	timeline.TimeAccessed: "read",
	timeline.TimeDeleted:  "deleted",
}

func (st *state) fileAgg(host, p string) *fileAgg {
	k := fileKey{host, p}
	f := st.fileAggs[k]
	if f == nil {
		f = &fileAgg{actions: map[string]int64{}}
		f.url = st.env.FileToURL(host, p)
		st.fileAggs[k] = f
	}
	return f
}

func (st *state) fileEvent(seg *timeline.Segment, i int, host, p string, t int64, any bool) {
	act := fsActions[seg.Str(timeline.ColTimeDesc, i)]
	if act == "" && !any {
		return
	}
	f := st.fileAgg(strings.Clone(host), strings.Clone(p))
	if act != "" {
		if old, ok := f.actions[act]; !ok || t < old {
			f.actions[act] = t
		}
	}
	if strings.HasPrefix(ExtraValue(seg.Str(timeline.ColExtra, i), "mode"), "d") {
		f.dir = true
	}
	f.add(t, seg, i, st.opt.RefCap)
}

// activity is the second step of a round: what compromised hosts did after
// their compromise (files they changed, outbound connections, logins to and
// connections with other internal hosts), and the files that web requests
// from scope addresses reached.
func (st *state) activity(ctx context.Context) error {
	if len(st.comp) == 0 && len(st.reqFiles) == 0 {
		return nil
	}
	var hostTerms, addrTerms []string
	hosts := map[string]bool{}
	for h := range st.comp {
		hosts[h] = true
		if hh := st.env.Hosts[h]; hh != nil {
			for _, a := range hh.Addresses {
				addrTerms = append(addrTerms, "ip:"+a.String())
			}
		}
	}
	for k := range st.reqFiles {
		hosts[k.host] = true
	}
	for h := range hosts {
		hostTerms = append(hostTerms, "host:"+quote(h))
	}
	sort.Strings(hostTerms)
	sort.Strings(addrTerms)
	first := int64(0)
	for _, t := range st.comp {
		if first == 0 || t < first {
			first = t
		}
	}
	fsQuery := "(" + strings.Join(hostTerms, " OR ") + ") AND " + QueryFS
	netQuery := "source:-"
	if len(addrTerms) > 0 {
		// Web requests are not host activity; excluding them first lets the
		// address terms decide only the addresses of the other rows.
		netQuery = "NOT " + QueryWeb + " AND (" + strings.Join(addrTerms, " OR ") + ")"
	}
	req := search.Request{Query: fsQuery, From: st.opt.From, To: st.opt.To}
	refCap := st.opt.RefCap
	slack := int64(st.opt.Slack)
	err := st.env.Searcher.Scan(ctx, req, []string{netQuery}, func(seg *timeline.Segment, rows []search.Rows) error {
		// Files: changes on compromised hosts after the compromise, and
		// every name the web requests reached.
		rows[0].Each(func(i int) bool {
			host := seg.Str(timeline.ColHost, i)
			p := seg.Str(timeline.ColPath, i)
			t := seg.Time(i)
			k := fileKey{host, p}
			if st.reqFiles[k] {
				f := st.fileAgg(strings.Clone(host), strings.Clone(p))
				if strings.HasPrefix(ExtraValue(seg.Str(timeline.ColExtra, i), "mode"), "d") {
					f.dir = true
				}
				if _, ok := f.actions["requested"]; !ok {
					f.actions["requested"] = 0
				}
			}
			if tags := seg.Str(timeline.ColTags, i); strings.Contains(tags, "timestomp") {
				s := st.stomps[k]
				if s == nil {
					s = &Span{}
					st.stomps[fileKey{strings.Clone(host), strings.Clone(p)}] = s
				}
				s.add(t, seg, i, refCap)
			}
			ct, ok := st.comp[host]
			if !ok || t < ct-slack {
				return true
			}
			desc := seg.Str(timeline.ColTimeDesc, i)
			if desc == timeline.TimeAccessed {
				s := st.atimes[k]
				if s == nil {
					s = &Span{}
					st.atimes[fileKey{strings.Clone(host), strings.Clone(p)}] = s
				}
				s.add(t, seg, i, refCap)
				return true
			}
			if fsActions[desc] == "" {
				return true
			}
			st.fileEvent(seg, i, host, p, t, false)
			st.span(st.hosts, host).add(t, seg, i, refCap)
			return true
		})
		// Network and logins of compromised hosts' addresses.
		rows[1].Each(func(i int) bool {
			t := seg.Time(i)
			src := parseAddr(seg.Str(timeline.ColSrcIP, i))
			from, ok := st.compAddr(src)
			if !ok || t < st.comp[from]-slack {
				return true
			}
			dst := parseAddr(seg.Str(timeline.ColDstIP, i))
			source := seg.Str(timeline.ColSource, i)
			host := seg.Str(timeline.ColHost, i)
			action := seg.Str(timeline.ColAction, i)
			switch {
			case action == timeline.ActionLoginSuccess && host != "" && host != from && !IsWeb(source):
				user := strings.Clone(seg.Str(timeline.ColUser, i))
				to := strings.Clone(host)
				st.lat(from, to, "login", user).add(t, seg, i, refCap)
				if user != "" {
					st.account(user, to).add(t, seg, i, refCap)
				}
				st.span(st.hosts, to).add(t, seg, i, refCap)
				st.span(st.hosts, from).add(t, seg, i, refCap)
				st.markComp(to, t)
			case dst.IsValid() && !IsWeb(source):
				st.span(st.hosts, from).add(t, seg, i, refCap)
				if st.env.IsInternal(dst) {
					sa := st.scans[from]
					if sa == nil {
						sa = &scanAgg{}
						st.scans[from] = sa
					}
					port := int32(seg.Int(timeline.ColDstPort, i))
					sa.probes = append(sa.probes, probe{t, dst, port, RefAt(seg, i)})
					if action != timeline.ActionDeny {
						to := st.name(dst)
						k := latKey{from, to, "connection", ""}
						st.lat(from, to, "connection", "").add(t, seg, i, refCap)
						if st.latPorts[k] == nil {
							st.latPorts[k] = map[int32]bool{}
						}
						if port != 0 {
							st.latPorts[k][port] = true
						}
					}
				} else {
					st.remote(dst, "outbound", "contacted by "+from+" after its compromise").add(t, seg, i, refCap)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	// Reads count for files already in scope.
	for k, s := range st.atimes {
		if f := st.fileAggs[k]; f != nil {
			if old, ok := f.actions["read"]; !ok || s.First < old {
				f.actions["read"] = s.First
			}
			f.merge(s, refCap)
		}
	}
	for k, f := range st.fileAggs {
		if _, ok := f.actions["requested"]; ok && f.dir && len(f.actions) == 1 {
			delete(st.fileAggs, k) // a directory reached by URL is no finding
		}
	}
	return nil
}

func keys[M ~map[K]V, K comparable, V any](m M) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// result turns the aggregates into the contract's rows, sorted by first time.
func (st *state) result(seeds Seeds) *Result {
	res := &Result{Seeds: seeds.Strings(), Depth: st.opt.Depth, Hosts: []HostRow{}, Accounts: []AccountRow{}, Files: []FileRow{},
		RemoteAddresses: []RemoteRow{}, Lateral: []LateralRow{}, Tampering: []TamperRow{}, Artifacts: []ArtifactRow{}}
	var wFirst, wLast int64
	win := func(s *Span) {
		if s.Events == 0 {
			return
		}
		if wFirst == 0 || s.First < wFirst {
			wFirst = s.First
		}
		if s.Last > wLast {
			wLast = s.Last
		}
	}
	for _, h := range keys(st.hosts) {
		s := st.hosts[h]
		row := HostRow{Name: h, FirstSeen: FormatTime(s.First), LastSeen: FormatTime(s.Last), Events: s.Events, Refs: s.Refs}
		if ct, ok := st.comp[h]; ok {
			row.Compromised = FormatTime(ct)
		}
		res.Hosts = append(res.Hosts, row)
	}
	for _, k := range keys(st.accounts) {
		s := st.accounts[k]
		res.Accounts = append(res.Accounts, AccountRow{Name: k[0], Host: k[1], FirstSeen: FormatTime(s.First), LastSeen: FormatTime(s.Last), Events: s.Events, Refs: s.Refs})
	}
	for _, k := range keys(st.fileAggs) {
		f := st.fileAggs[k]
		row := FileRow{Host: k.host, Path: k.path, URL: f.url, Directory: f.dir, Times: map[string]string{},
			FirstSeen: FormatTime(f.First), LastSeen: FormatTime(f.Last), Events: f.Events, Refs: f.Refs}
		for _, a := range []string{"created", "modified", "changed", "read", "deleted", "requested"} {
			if t, ok := f.actions[a]; ok {
				row.Actions = append(row.Actions, a)
				if t != 0 {
					row.Times[a] = FormatTime(t)
				}
			}
		}
		if row.Refs == nil {
			row.Refs = []timeline.Ref{}
		}
		res.Files = append(res.Files, row)
		for _, a := range []string{"created", "modified", "changed", "deleted"} {
			if t := f.actions[a]; t != 0 {
				win(&Span{First: t, Last: t, Events: 1})
			}
		}
	}
	for _, k := range keys(st.remotes) {
		s := st.remotes[k]
		res.RemoteAddresses = append(res.RemoteAddresses, RemoteRow{Address: k.addr.String(), Direction: k.dir, Why: st.why[k],
			FirstSeen: FormatTime(s.First), LastSeen: FormatTime(s.Last), Events: s.Events, Refs: s.Refs})
		win(s)
	}
	for _, k := range keys(st.lateral) {
		s := st.lateral[k]
		row := LateralRow{From: k.from, To: k.to, Kind: k.kind, User: k.user, FirstSeen: FormatTime(s.First), LastSeen: FormatTime(s.Last), Events: s.Events, Refs: s.Refs}
		for p := range st.latPorts[k] {
			row.Ports = append(row.Ports, int(p))
		}
		sort.Ints(row.Ports)
		res.Lateral = append(res.Lateral, row)
		win(&Span{First: s.First, Last: s.First, Events: 1})
	}
	for _, from := range keys(st.scans) {
		res.Lateral = append(res.Lateral, st.scanRows(from, st.scans[from])...)
	}
	for _, k := range keys(st.stomps) {
		s := st.stomps[k]
		res.Tampering = append(res.Tampering, TamperRow{Kind: "timestomp", Host: k.host, Detail: k.path + ": times tagged as altered",
			FirstSeen: FormatTime(s.First), LastSeen: FormatTime(s.Last), Events: s.Events, Refs: s.Refs})
	}
	res.Window = Window{First: FormatTime(wFirst), Last: FormatTime(wLast)}
	sortRows(res)
	return res
}

func sortRows(res *Result) {
	sort.Slice(res.Hosts, func(i, j int) bool {
		a, b := res.Hosts[i], res.Hosts[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Name < b.Name
	})
	sort.Slice(res.Accounts, func(i, j int) bool {
		a, b := res.Accounts[i], res.Accounts[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Name+a.Host < b.Name+b.Host
	})
	sort.Slice(res.Files, func(i, j int) bool {
		a, b := res.Files[i], res.Files[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Host+a.Path < b.Host+b.Path
	})
	sort.Slice(res.RemoteAddresses, func(i, j int) bool {
		a, b := res.RemoteAddresses[i], res.RemoteAddresses[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Address+a.Direction < b.Address+b.Direction
	})
	sort.Slice(res.Lateral, func(i, j int) bool {
		a, b := res.Lateral[i], res.Lateral[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Kind+a.From+a.To < b.Kind+b.From+b.To
	})
}

// scanRows finds the bursts of one source's probes: fixed ScanBucket
// intervals with at least ScanPorts distinct ports or ScanHosts distinct
// hosts, consecutive ones merged into one row.
func (st *state) scanRows(from string, sa *scanAgg) []LateralRow {
	sort.SliceStable(sa.probes, func(i, j int) bool { return sa.probes[i].t < sa.probes[j].t })
	bucket := int64(ScanBucket)
	var rows []LateralRow
	var cur *LateralRow
	var curHosts map[netip.Addr]bool
	var curPorts map[int32]bool
	lastBucket := int64(-1 << 62)
	flush := func() {
		if cur == nil {
			return
		}
		targets := keys(curHosts)
		sort.Slice(targets, func(i, j int) bool { return targets[i].Less(targets[j]) })
		for _, a := range targets {
			if len(cur.Targets) < 20 {
				cur.Targets = append(cur.Targets, st.name(a))
			}
		}
		if len(targets) == 1 {
			cur.To = st.name(targets[0])
		} else {
			cur.To = strconv.Itoa(len(targets)) + " hosts"
		}
		for p := range curPorts {
			if p != 0 {
				cur.Ports = append(cur.Ports, int(p))
			}
		}
		sort.Ints(cur.Ports)
		rows = append(rows, *cur)
		cur = nil
	}
	for i := 0; i < len(sa.probes); {
		b := sa.probes[i].t - ((sa.probes[i].t%bucket)+bucket)%bucket
		j := i
		hosts, ports := map[netip.Addr]bool{}, map[int32]bool{}
		for j < len(sa.probes) && sa.probes[j].t < b+bucket {
			hosts[sa.probes[j].dst] = true
			ports[sa.probes[j].port] = true
			j++
		}
		if len(hosts) >= st.opt.ScanHosts || len(ports) >= st.opt.ScanPorts {
			if cur == nil || b != lastBucket+bucket {
				flush()
				cur = &LateralRow{From: from, Kind: "scan", FirstSeen: FormatTime(sa.probes[i].t), Refs: []timeline.Ref{}}
				curHosts, curPorts = map[netip.Addr]bool{}, map[int32]bool{}
			}
			for k := i; k < j; k++ {
				p := sa.probes[k]
				curHosts[p.dst], curPorts[p.port] = true, true
				cur.Events++
				cur.LastSeen = FormatTime(p.t)
				if len(cur.Refs) < st.opt.RefCap {
					cur.Refs = append(cur.Refs, p.ref)
				}
			}
			lastBucket = b
		} else {
			flush()
		}
		i = j
	}
	flush()
	return rows
}

// strSet is a set of strings with a bitmap over (length, last two bytes)
// in front of the map, so the common miss (a large dictionary of client
// addresses against the seeds) costs no hashing; 64k bits keep the bitmap
// sparse even when a round has thousands of seed addresses.
type strSet struct {
	m    map[string]bool
	mask [1024]uint64
}

func newStrSet() *strSet { return &strSet{m: map[string]bool{}} }

func strSetSlot(s string) uint {
	h := uint(len(s))*31 + uint(s[len(s)-1])*131
	if len(s) > 1 {
		h += uint(s[len(s)-2]) * 7919
	}
	return h & 65535
}

func (x *strSet) add(s string) {
	if s == "" {
		return
	}
	x.m[s] = true
	b := strSetSlot(s)
	x.mask[b>>6] |= 1 << (b & 63)
}

func (x *strSet) has(s string) bool {
	if s == "" {
		return false
	}
	b := strSetSlot(s)
	if x.mask[b>>6]&(1<<(b&63)) == 0 {
		return false
	}
	return x.m[s]
}
