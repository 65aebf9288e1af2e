package scope

import (
	"context"
	"fmt"
	"github.com/cespare/xxhash/v2"
	"math/bits"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// Request is one logged request.
type Request struct {
	Time int64
	ref  rowRef
}

// rowRef is a reference kept compactly for many rows: the evidence and
// path strings are interned, the numbers stored as they are.
type rowRef struct {
	evidence, path          string
	offset, line, inode, mf int64
}

func (r rowRef) Ref() timeline.Ref {
	out := timeline.Ref{Evidence: r.evidence, Path: r.path}
	opt := func(v int64) *int64 {
		if v == timeline.Absent {
			return nil
		}
		return &v
	}
	out.Offset, out.Line, out.Inode, out.MFT = opt(r.offset), opt(r.line), opt(r.inode), opt(r.mf)
	return out
}

// interner keeps one copy of each string taken from mapped segments.
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	c := strings.Clone(s)
	in[c] = c
	return c
}

func (in interner) rowRef(seg *timeline.Segment, i int) rowRef {
	return rowRef{in.get(seg.Str(timeline.ColEvidence, i)), in.get(seg.Str(timeline.ColRefPath, i)),
		seg.Int(timeline.ColOffset, i), seg.Int(timeline.ColLine, i), seg.Int(timeline.ColInode, i), seg.Int(timeline.ColMFT, i)}
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

// CacheHit reports whether a CDN row was answered from the CDN's cache (the
// origin never saw it): CloudFront x-edge-result-type Hit, Cloudflare
// CacheCacheStatus hit, Akamai cacheStatus 1, Fastly cache_status HIT.
func CacheHit(extra string) bool {
	if extra == "" {
		return false
	}
	for _, k := range []string{"x-edge-result-type", "CacheCacheStatus", "cache_status", "cacheStatus"} {
		v := strings.ToLower(ExtraValue(extra, k))
		if v == "hit" || v == "1" || strings.HasPrefix(v, "hit") && k != "x-edge-result-type" {
			return true
		}
	}
	return false
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

// originLog is what the tampering pass knows of an origin's own log.
type originLog struct {
	first, last int64
	reqs        map[uint64][]Request
}

// cover extends origin o's covered span to t and returns its log.
func (st *state) cover(origins map[string]*originLog, o string, t int64) *originLog {
	ol := origins[o]
	if ol == nil {
		ol = &originLog{first: t, last: t, reqs: map[uint64][]Request{}}
		origins[strings.Clone(o)] = ol
	}
	ol.first, ol.last = min(ol.first, t), max(ol.last, t)
	return ol
}

// tampering looks for records removed or altered around the scope window:
// requests of scope addresses that the CDN forwarded but the origin's own
// log lacks, and gaps in logs of hosts in scope that are otherwise
// continuous. One pass over the window ± 1 h; request matching reads only
// the rows of scope addresses, gap finding keeps one previous time per log
// and a histogram of spacings.
func (st *state) tampering(ctx context.Context, res *Result) error {
	if res.Window.First == "" {
		return nil
	}
	wf, _ := time.Parse(time.RFC3339Nano, res.Window.First)
	wl, _ := time.Parse(time.RFC3339Nano, res.Window.Last)
	margin := int64(time.Hour)
	from, to := wf.UnixNano()-margin, wl.UnixNano()+margin
	hosts := map[string]bool{}
	for _, h := range res.Hosts {
		hosts[h.Name] = true
	}
	var terms []string
	for h := range hosts {
		terms = append(terms, "host:"+quote(h))
	}
	for cdn, o := range st.env.Origin {
		if hosts[o] {
			terms = append(terms, "host:"+quote(cdn))
		}
	}
	if len(terms) == 0 {
		return nil
	}
	sort.Strings(terms)
	hostQ := "(" + strings.Join(terms, " OR ") + ")"
	webQ := hostQ + " AND " + QueryWeb
	logQ := hostQ + " AND NOT " + QueryFS + " AND NOT source:unparsed"
	origins := map[string]*originLog{}
	cdnReqs := map[string]map[uint64][]Request{}
	// A log's spacing: power-of-two buckets of nanoseconds, the previous
	// row, and the gaps long enough to report whatever the percentile.
	type gap struct {
		a, b   int64
		ra, rb rowRef
	}
	type evLog struct {
		host  string
		name  string
		n     int64
		prev  int64
		prevI int // row of prev in the current segment, -1 when in an earlier one
		prevR rowRef
		hist  [64]int64
		gaps  []gap
	}
	in := interner{}
	logs := map[[2]string]*evLog{}
	var logOrder []*evLog
	gapMin := int64(st.opt.GapMin)
	addrText := newStrSet()
	for a := range st.addrs {
		addrText.add(a.String())
	}
	for _, r := range res.RemoteAddresses {
		addrText.add(r.Address)
	}
	scopeClient := func(v string) bool {
		if addrText.has(v) {
			return true
		}
		return (len(st.prefixes) > 0 || strings.Contains(v, ":")) && st.inScope(parseAddr(v))
	}
	req := search.Request{Query: webQ, From: from, To: to}
	clientCheck := func(seg *timeline.Segment, rows []search.Rows) (func(i int) bool, error) {
		return rowsCheck(seg, timeline.ColSrcIP, rows[0], scopeClient), nil
	}
	err := search.ScanPrepared(st.env.Searcher, ctx, req, []string{logQ}, clientCheck, func(seg *timeline.Segment, rows []search.Rows, srcCheck func(i int) bool) error {
		hostD, hostOK := search.Dict(seg, timeline.ColHost)
		srcD, srcOK := search.Dict(seg, timeline.ColSource)
		// Each (host, source) pair is classified once per segment: 1 the
		// origin log of a host in scope, 2 a CDN in front of one, 3 neither.
		var cls [][]int8
		if hostOK && srcOK {
			cls = make([][]int8, hostD.Values.Len())
			for h := range cls {
				cls[h] = make([]int8, srcD.Values.Len())
			}
		}
		// Origin coverage per host code in this segment (rows are in time
		// order).
		var covFirst, covLast []int64
		var covered []bool
		if hostOK {
			n := hostD.Values.Len()
			covFirst, covLast, covered = make([]int64, n), make([]int64, n), make([]bool, n)
		}
		rows[0].Each(func(i int) bool {
			var c int8
			hc, sc := -1, -1
			if cls != nil {
				hc, sc = hostD.Code(i), srcD.Code(i)
				if hc >= 0 && sc >= 0 {
					c = cls[hc][sc]
				}
			}
			if c == 0 {
				source := seg.Str(timeline.ColSource, i)
				c = 3
				if hosts[st.env.OriginOf(seg.Str(timeline.ColHost, i), source)] {
					c = 1
					if IsCDN(source) {
						c = 2
					}
				}
				if hc >= 0 && sc >= 0 {
					cls[hc][sc] = c
				}
			}
			if c == 3 {
				return true
			}
			t := seg.Time(i)
			cdn := c == 2
			if !cdn {
				switch {
				case hc < 0:
					st.cover(origins, seg.Str(timeline.ColHost, i), t)
				case !covered[hc]:
					covFirst[hc], covLast[hc], covered[hc] = t, t, true
				default:
					covLast[hc] = t
				}
			}
			// Only the requests of scope addresses are matched one by one.
			client := ""
			if srcCheck(i) {
				client = seg.Str(timeline.ColSrcIP, i)
			} else if !cdn {
				if x := seg.Str(timeline.ColExtra, i); strings.Contains(x, "x_forwarded_for") || strings.Contains(x, "client_ip") {
					if cl := ClientAddr(seg, i); scopeClient(cl) {
						client = cl
					}
				}
			}
			if client == "" {
				return true
			}
			o := st.env.OriginOf(seg.Str(timeline.ColHost, i), seg.Str(timeline.ColSource, i))
			k := requestHash(client, seg.Str(timeline.ColMethod, i), seg.Str(timeline.ColURL, i))
			if cdn {
				if CacheHit(seg.Str(timeline.ColExtra, i)) {
					return true
				}
				m := cdnReqs[o]
				if m == nil {
					m = map[uint64][]Request{}
					cdnReqs[strings.Clone(o)] = m
				}
				m[k] = append(m[k], Request{t, in.rowRef(seg, i)})
				return true
			}
			ol := st.cover(origins, o, t)
			ol.reqs[k] = append(ol.reqs[k], Request{Time: t})
			return true
		})
		for hc, t := range covFirst {
			if covered[hc] {
				st.cover(origins, hostD.Values.Value(hc), t)
				st.cover(origins, hostD.Values.Value(hc), covLast[hc])
			}
		}
		evD, evOK := search.Dict(seg, timeline.ColEvidence)
		pathD, pathOK := search.Dict(seg, timeline.ColRefPath)
		type codes struct{ e, p int }
		cache := map[codes]*evLog{}
		// A ref_path mostly belongs to one evidence item: the log of each
		// path code, for its first evidence code, spares the map.
		var byPath []*evLog
		var byPathEv []int
		if pathOK {
			byPath, byPathEv = make([]*evLog, pathD.Values.Len()), make([]int, pathD.Values.Len())
		}
		var touched []*evLog
		rows[1].Each(func(i int) bool {
			var l *evLog
			if evOK && pathOK {
				c := codes{evD.Code(i), pathD.Code(i)}
				if c.p >= 0 && byPath[c.p] != nil && byPathEv[c.p] == c.e {
					l = byPath[c.p]
				} else if l = cache[c]; l == nil {
					k := [2]string{seg.Str(timeline.ColEvidence, i), seg.Str(timeline.ColRefPath, i)}
					if l = logs[k]; l == nil {
						l = &evLog{host: in.get(seg.Str(timeline.ColHost, i)), name: k[0] + ":" + k[1], prevI: -1}
						logs[[2]string{in.get(k[0]), in.get(k[1])}] = l
						logOrder = append(logOrder, l)
					}
					cache[c] = l
					if c.p >= 0 && byPath[c.p] == nil {
						byPath[c.p], byPathEv[c.p] = l, c.e
					}
				}
			} else {
				k := [2]string{seg.Str(timeline.ColEvidence, i), seg.Str(timeline.ColRefPath, i)}
				if l = logs[k]; l == nil {
					l = &evLog{host: in.get(seg.Str(timeline.ColHost, i)), name: k[0] + ":" + k[1], prevI: -1}
					logs[[2]string{in.get(k[0]), in.get(k[1])}] = l
					logOrder = append(logOrder, l)
				}
			}
			t := seg.Time(i)
			if l.n > 0 {
				g := t - l.prev
				b := 0
				if g > 0 {
					b = bits.Len64(uint64(g))
				}
				l.hist[b]++
				if g >= gapMin {
					pr := l.prevR
					if l.prevI >= 0 {
						pr = in.rowRef(seg, l.prevI)
					}
					l.gaps = append(l.gaps, gap{l.prev, t, pr, in.rowRef(seg, i)})
				}
			}
			if l.prevI < 0 {
				touched = append(touched, l)
			}
			l.n++
			l.prev = t
			l.prevI = i
			return true
		})
		// The last row of each log in this segment: its reference, before
		// the segment goes.
		for _, l := range touched {
			l.prevR = in.rowRef(seg, l.prevI)
			l.prevI = -1
		}
		return nil
	})
	if err != nil {
		return err
	}
	tol := int64(st.opt.Tolerance)
	for _, o := range keys(cdnReqs) {
		ol := origins[o]
		if ol == nil {
			continue // no origin log at all: nothing to compare
		}
		var missing []Request
		for k, cs := range cdnReqs[o] {
			var inSpan []Request
			for _, c := range cs {
				if c.Time >= ol.first-tol && c.Time <= ol.last+tol {
					inSpan = append(inSpan, c)
				}
			}
			missing = append(missing, MatchRequests(inSpan, ol.reqs[k], tol)...)
		}
		if len(missing) == 0 {
			continue
		}
		sort.Slice(missing, func(i, j int) bool { return missing[i].Time < missing[j].Time })
		row := TamperRow{Kind: "missing-at-origin", Host: o,
			Detail:    fmt.Sprintf("%d requests of addresses in scope are in the CDN log but have no matching line (client, method, URL, ±%s) in %s's own access log for the same time span", len(missing), st.opt.Tolerance, o),
			FirstSeen: FormatTime(missing[0].Time), LastSeen: FormatTime(missing[len(missing)-1].Time), Events: int64(len(missing)), Refs: []timeline.Ref{}}
		for _, m := range missing {
			if len(row.Refs) < st.opt.RefCap {
				row.Refs = append(row.Refs, m.ref.Ref())
			}
		}
		res.Tampering = append(res.Tampering, row)
	}
	for _, l := range logOrder {
		if l.n < 50 || len(l.gaps) == 0 {
			continue
		}
		// 95th percentile and median of the spacing, to a power of two.
		pct := func(p int64) int64 {
			want := (l.n - 1) * p / 100
			var acc int64
			for b, c := range l.hist {
				acc += c
				if acc > want {
					if b == 0 {
						return 0
					}
					return int64(1) << b // upper bound of the bucket
				}
			}
			return 0
		}
		median, p95 := pct(50), pct(95)
		limit := max(gapMin, 3*p95)
		for _, g := range l.gaps {
			if g.b-g.a < limit {
				continue
			}
			res.Tampering = append(res.Tampering, TamperRow{Kind: "log-gap", Host: l.host,
				Detail:    fmt.Sprintf("no lines for %s in %s (usual spacing: median under %s, 95th percentile under %s)", time.Duration(g.b-g.a).Round(time.Second), l.name, time.Duration(median).Round(time.Millisecond), time.Duration(p95).Round(time.Millisecond)),
				FirstSeen: FormatTime(g.a), LastSeen: FormatTime(g.b), Events: 2, Refs: []timeline.Ref{g.ra.Ref(), g.rb.Ref()}})
		}
	}
	sort.Slice(res.Tampering, func(i, j int) bool {
		a, b := res.Tampering[i], res.Tampering[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Kind+a.Host < b.Kind+b.Host
	})
	return nil
}

// artifacts lists the memory artifacts that match a scope address, domain
// or URL path.
func (st *state) artifacts(res *Result) error {
	if len(st.env.Artifacts) == 0 {
		return nil
	}
	type key struct{ kind, value string }
	found := map[key]*ArtifactRow{}
	var order []key
	for _, p := range st.env.Artifacts {
		err := artifacts.Each(p, func(a *artifacts.Artifact) error {
			seed := ""
			switch a.Kind {
			case artifacts.KindIPv4, artifacts.KindIPv6:
				if addr, err := netip.ParseAddr(a.Value); err == nil && st.inScope(addr.Unmap()) {
					seed = addr.Unmap().String()
				}
			case artifacts.KindDomain, artifacts.KindEmail, artifacts.KindURL:
				v := strings.ToLower(a.Value)
				for _, d := range st.domains {
					if v == d || strings.HasSuffix(v, "."+d) || strings.HasSuffix(v, "@"+d) || strings.Contains(v, "//"+d) || strings.Contains(v, "."+d+"/") {
						seed = d
						break
					}
				}
				if seed == "" && a.Kind == artifacts.KindURL {
					for addr := range st.addrs {
						if strings.Contains(v, "//"+addr.String()) {
							seed = addr.String()
							break
						}
					}
					if seed == "" {
						for u := range st.urls {
							if strings.Contains(v, u) {
								seed = u
								break
							}
						}
					}
				}
			}
			if seed == "" {
				return nil
			}
			k := key{a.Kind, artifacts.Normalize(a.Kind, a.Value)}
			row := found[k]
			if row == nil {
				row = &ArtifactRow{Kind: strings.Clone(a.Kind), Value: strings.Clone(k.value), Seed: seed, Refs: []timeline.Ref{}}
				found[key{row.Kind, row.Value}] = row
				order = append(order, key{row.Kind, row.Value})
			}
			row.Count++
			if len(row.Refs) < st.opt.RefCap {
				off := a.Offset
				row.Refs = append(row.Refs, timeline.Ref{Evidence: strings.Clone(a.Evidence), Path: strings.Clone(a.RefPath), Offset: &off})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, k := range order {
		res.Artifacts = append(res.Artifacts, *found[k])
	}
	return nil
}
