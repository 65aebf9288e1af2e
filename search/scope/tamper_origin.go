package scope

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Request is one logged request.
type Request struct {
	Time int64
	ref  vocab.RowRef
}

// requestHash identifies a request by client, method and URL.
func requestHash(client, method, url string) uint64 {
	d := xxhash.New()
	d.WriteString(client)
	d.Write([]byte{0})
	d.WriteString(method)
	d.Write([]byte{0})
	d.WriteString(url)
	return d.Sum64()
}

// MatchRequests pairs CDN requests with origin requests of the same key whose
// times are within tol, each origin request used once, and returns the CDN
// requests left unmatched. Both lists must be sorted by time.
func MatchRequests(cdn, origin []Request, tol int64) (unmatched []Request) {
	used := make([]bool, len(origin))
	lo := 0
	for _, c := range cdn {
		for lo < len(origin) && origin[lo].Time < c.Time-tol {
			lo++
		}
		found := false
		for j := lo; j < len(origin) && origin[j].Time <= c.Time+tol; j++ {
			if !used[j] {
				used[j] = true
				found = true
				break
			}
		}
		if !found {
			unmatched = append(unmatched, c)
		}
	}
	return unmatched
}

// tampering adds the tampering findings (requests the origin's log lacks,
// timestomped files are added by assemble, abnormal log gaps) and counts
// the clients of the files the intruder modified.
func (st *state) tampering(ctx context.Context, res *Result) error {
	if res.Window.First == "" {
		return nil
	}
	// The origin pass and the silences of the hosts' logs read different
	// rows and write different things: on two cores they overlap. The
	// gaps then ask the CDN logs the origin pass found.
	var silences map[[2]string]*gapLog
	var silErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		silences, silErr = st.silencesOf(ctx, res)
	}()
	ot, restricted, err := st.originPass(ctx, res)
	<-done
	if err != nil {
		return err
	}
	if silErr != nil {
		return silErr
	}
	if ot != nil {
		if restricted { // the origin pass read only the scope's rows: the logs' span comes from the silences pass
			for _, l := range silences {
				if l.origin && l.firstIn != 0 && ot.hosts[l.host] {
					ot.cover(l.host, l.firstIn)
					ot.cover(l.host, l.prev)
				}
			}
		}
		st.missing(res, ot)
		st.affected(res, ot, st.out.modified)
	}
	return st.gaps(ctx, res, silences)
}

// scopeHosts are the hosts in scope and the CDN hosts in front of them.
func (st *state) scopeHosts(res *Result) (hosts map[string]bool, terms []string) {
	hosts = map[string]bool{}
	for _, h := range res.Hosts {
		hosts[h.Name] = true
		terms = append(terms, "host:"+vocab.Quote(h.Name))
	}
	for cdn, o := range st.env.Origin {
		if hosts[o] {
			terms = append(terms, "host:"+vocab.Quote(cdn))
		}
	}
	sort.Strings(terms)
	return hosts, terms
}

// originLog is what the pass knows of an origin's own log.
type originLog struct {
	first, last int64
	reqs        map[uint64][]Request
}

// originTally is what the origin pass gathers.
type originTally struct {
	origins map[string]*originLog
	cdnReqs map[string]map[uint64][]Request
	victims map[string]bool
	vRefs   []timeline.Ref
	vFirst  int64
	vLast   int64

	last     *originLog // coverFast's cache
	lastHost string
	hosts    map[string]bool // the hosts in scope
}

// coverFast is cover for the row loop: the last host's log is kept.
func (o *originTally) coverFast(host string, t int64) {
	if o.last != nil && o.lastHost == host {
		o.last.first, o.last.last = min(o.last.first, t), max(o.last.last, t)
		return
	}
	o.last, o.lastHost = o.cover(host, t), host
}

func (o *originTally) cover(host string, t int64) *originLog {
	ol := o.origins[host]
	if ol == nil {
		ol = &originLog{first: t, last: t, reqs: map[uint64][]Request{}}
		o.origins[strings.Clone(host)] = ol
	}
	ol.first, ol.last = min(ol.first, t), max(ol.last, t)
	return ol
}

// originPass reads the web rows of the hosts in scope around the window:
// the scope's clients' requests at the CDN and at the origin (matched one
// by one: what the CDN forwarded and the origin lacks was removed), and the
// clients that fetched a file while the intruder had it modified.
func (st *state) originPass(ctx context.Context, res *Result) (*originTally, bool, error) {
	hosts, terms := st.scopeHosts(res)
	if len(terms) == 0 {
		return nil, false, nil
	}
	wf, _ := time.Parse(time.RFC3339Nano, res.Window.First)
	wl, _ := time.Parse(time.RFC3339Nano, res.Window.Last)
	margin := int64(time.Hour)
	from, to := max(wf.UnixNano()-margin, st.opt.From), wl.UnixNano()+margin
	mods := st.out.modified
	for _, m := range mods {
		if m.to == 0 {
			to = st.opt.To // open: victims until the logs end
		}
	}
	clients := vocab.NewStrSet()
	for a := range st.addrs {
		clients.Add(a.String())
	}
	for _, r := range res.RemoteAddresses {
		clients.Add(r.Address)
	}
	modURL := map[string]bool{}
	for _, m := range mods {
		modURL[m.url] = true
	}
	ot := &originTally{origins: map[string]*originLog{}, cdnReqs: map[string]map[uint64][]Request{}, victims: map[string]bool{}, hosts: hosts}
	in := vocab.Interner{}
	q, restricted := st.originQuery(terms, clients, modURL)
	if restricted {
		proxied, err := st.originProxied(ctx, "("+strings.Join(terms, " OR ")+") AND "+vocab.QueryOrigin, from, to)
		if err != nil {
			return nil, false, err
		}
		if proxied {
			q, restricted = "("+strings.Join(terms, " OR ")+") AND "+vocab.QueryWeb, false
		}
	}
	req := search.Request{Query: q, From: from, To: to}
	type checks struct{ client, url func(i int) bool }
	prep := func(seg *timeline.Segment, rows []search.Rows) (checks, error) {
		return checks{vocab.RowsCheck(seg, timeline.ColSrcIP, rows[0], clients.Has),
			vocab.RowsCheck(seg, timeline.ColURL, rows[0], func(v string) bool { return len(modURL) > 0 && modURL[vocab.URLPath(v)] })}, nil
	}
	// Each (host, source) pair is classified once per segment: the origin
	// it reached (an index into reached) and whether the log is a CDN's.
	type target struct {
		origin string
		cdn    bool
	}
	var reached []target
	reach := vocab.NewPair(timeline.ColHost, timeline.ColSource, func(h, src string) int32 {
		o := st.env.OriginOf(h, src)
		if !hosts[o] {
			return 0
		}
		if vocab.IsCDN(src) && !slices.Contains(st.cdnFor[o], h) {
			st.cdnFor[in.Get(o)] = append(st.cdnFor[o], in.Get(h)) // for the gaps: which CDN logs show what reached o
		}
		reached = append(reached, target{in.Get(o), vocab.IsCDN(src)})
		return int32(len(reached))
	})
	err := search.ScanPrepared(st.env.Searcher, ctx, req, nil, prep, func(seg *timeline.Segment, rows []search.Rows, ch checks) error {
		reach.Reset()
		rows[0].Each(func(i int) bool {
			if k := reach.At(seg, i); k > 0 {
				st.originRow(seg, i, reached[k-1].origin, reached[k-1].cdn, clients, ch.client, ch.url, mods, ot, in)
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	st.scopeClients = clients
	return ot, restricted, nil
}

// proxySample is how many origin rows originProxied looks at: a web
// server's log format is one per log, so its first rows tell.
const proxySample = 200

// errEnough stops a sampling scan.
var errEnough = errors.New("enough rows")

// originProxied reports whether the origin logs name the client only in
// X-Forwarded-For / client_ip (their source is the proxy's address): then
// the scope's clients cannot be found by ip: terms there.
func (st *state) originProxied(ctx context.Context, q string, from, to int64) (bool, error) {
	seen, proxied := 0, false
	err := st.env.Searcher.Scan(ctx, search.Request{Query: q, From: from, To: to}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		rows[0].Each(func(i int) bool {
			seen++
			if x := seg.Str(timeline.ColExtra, i); strings.Contains(x, "x_forwarded_for") || strings.Contains(x, "client_ip") {
				proxied = proxied || vocab.ClientAddr(seg, i) != seg.Str(timeline.ColSrcIP, i)
			}
			return seen < proxySample && !proxied
		})
		if seen >= proxySample || proxied {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return proxied, err
}

// originQuery selects the rows of the origin pass: when the scope's
// clients are few and the index can answer, only their rows and those of
// the modified files (a CDN and an origin log every customer), and true;
// else every web row of the hosts.
func (st *state) originQuery(terms []string, clients *vocab.StrSet, modURL map[string]bool) (string, bool) {
	hosts := "(" + strings.Join(terms, " OR ") + ")"
	vals := clients.Values()
	if len(vals) > SeedTermsMax || !st.env.Searcher.HasIndex() || !allWords(modURL) {
		return hosts + " AND " + vocab.QueryWeb, false
	}
	var t []string
	for _, v := range vals {
		t = append(t, "ip:"+v)
	}
	for u := range modURL {
		t = append(t, "url:"+vocab.Quote(u))
	}
	if len(t) == 0 {
		return hosts + " AND " + vocab.QueryWeb, false
	}
	sort.Strings(t)
	return hosts + " AND " + vocab.QueryWeb + " AND (" + strings.Join(t, " OR ") + ")", true
}

// originRow files one web row of the origin pass.
func (st *state) originRow(seg *timeline.Segment, i int, o string, cdn bool, clients *vocab.StrSet, clientHit, urlHit func(int) bool, mods []modFile, ot *originTally, in vocab.Interner) {
	t := seg.Time(i)
	if !cdn {
		ot.coverFast(o, t)
	}
	if urlHit(i) {
		st.victim(seg, i, o, t, mods, ot)
	}
	client := ""
	if clientHit(i) {
		client = seg.Str(timeline.ColSrcIP, i)
	} else if !cdn {
		if x := seg.Str(timeline.ColExtra, i); strings.Contains(x, "x_forwarded_for") || strings.Contains(x, "client_ip") {
			if cl := vocab.ClientAddr(seg, i); clients.Has(cl) {
				client = cl
			}
		}
	}
	if client == "" {
		return
	}
	k := requestHash(client, seg.Str(timeline.ColMethod, i), seg.Str(timeline.ColURL, i))
	if cdn {
		if vocab.CacheHit(seg.Str(timeline.ColExtra, i)) {
			return
		}
		m := ot.cdnReqs[o]
		if m == nil {
			m = map[uint64][]Request{}
			ot.cdnReqs[strings.Clone(o)] = m
		}
		m[k] = append(m[k], Request{t, in.RowRef(seg, i)})
		return
	}
	ol := ot.cover(o, t)
	ol.reqs[k] = append(ol.reqs[k], Request{Time: t})
}

// victim counts a client that fetched a modified file while it was so.
func (st *state) victim(seg *timeline.Segment, i int, host string, t int64, mods []modFile, ot *originTally) {
	m := seg.Str(timeline.ColMethod, i)
	status := seg.Int(timeline.ColStatus, i)
	if m != "GET" && m != "HEAD" || status < 200 || status >= 300 {
		return
	}
	u := vocab.URLPath(seg.Str(timeline.ColURL, i))
	for _, mf := range mods {
		if mf.host != host || mf.url != u || t < mf.from || mf.to != 0 && t > mf.to {
			continue
		}
		c := vocab.ClientAddr(seg, i)
		if a := vocab.ParseAddr(c); !a.IsValid() || st.isSeed(a) {
			return
		}
		if !ot.victims[c] {
			ot.victims[strings.Clone(c)] = true
			if len(ot.vRefs) < st.opt.RefCap {
				ot.vRefs = append(ot.vRefs, vocab.RefAt(seg, i))
			}
		}
		if ot.vFirst == 0 || t < ot.vFirst {
			ot.vFirst = t
		}
		ot.vLast = max(ot.vLast, t)
		return
	}
}

// missing reports the scope clients' requests that a CDN forwarded and the
// origin's own log lacks, during the span that log covers.
func (st *state) missing(res *Result, ot *originTally) {
	tol := int64(st.opt.Tolerance)
	for _, o := range keys(ot.cdnReqs) {
		ol := ot.origins[o]
		if ol == nil {
			continue // no origin log at all: nothing to compare
		}
		var gone []Request
		for k, cs := range ot.cdnReqs[o] {
			var inSpan []Request
			for _, c := range cs {
				if c.Time >= ol.first-tol && c.Time <= ol.last+tol {
					inSpan = append(inSpan, c)
				}
			}
			gone = append(gone, MatchRequests(inSpan, ol.reqs[k], tol)...)
		}
		if len(gone) == 0 {
			continue
		}
		sort.Slice(gone, func(i, j int) bool { return gone[i].Time < gone[j].Time })
		row := TamperRow{Kind: "missing-at-origin", Host: o,
			Detail:    fmt.Sprintf("%d requests of addresses in scope are in the CDN log but have no matching line (client, method, URL, ±%s) in %s's own access log for the same time span", len(gone), st.opt.Tolerance, o),
			FirstSeen: vocab.FormatTime(gone[0].Time), LastSeen: vocab.FormatTime(gone[len(gone)-1].Time), Events: int64(len(gone)), Refs: []timeline.Ref{}}
		for _, m := range gone {
			if len(row.Refs) < st.opt.RefCap {
				row.Refs = append(row.Refs, m.ref.Ref())
			}
		}
		res.Tampering = append(res.Tampering, row)
	}
}

// affected fills the affected clients and their look-alike row.
func (st *state) affected(res *Result, ot *originTally, mods []modFile) {
	a := &res.AffectedClients
	for _, m := range mods {
		a.Files = append(a.Files, m.host+":"+m.path)
	}
	a.Count = len(ot.victims)
	if a.Count == 0 {
		return
	}
	a.From, a.To, a.Refs = vocab.FormatTime(ot.vFirst), vocab.FormatTime(ot.vLast), ot.vRefs
	res.SeenNotInScope = append(res.SeenNotInScope, SeenRow{Kind: "clients", Value: fmt.Sprintf("%d clients", a.Count), Rule: RuleVictim,
		Why:       fmt.Sprintf("fetched %s (GET/HEAD 2xx) while the intruder had it modified: victims, not intruders (kiseki leaks --window-from-file counts what they sent)", strings.Join(a.Files, ", ")),
		FirstSeen: a.From, LastSeen: a.To, Events: int64(a.Count), Refs: a.Refs})
}
