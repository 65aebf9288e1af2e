package scope

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// RequestKey identifies one HTTP request across a CDN's log and the
// origin's: the client, the method and the URL as sent.
type RequestKey struct{ Client, Method, URL string }

// Request is one logged request.
type Request struct {
	Time int64
	Ref  timeline.Ref
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

// tampering looks for records removed or altered around the scope window:
// requests the CDN forwarded that the origin's own log lacks, and gaps in
// logs of hosts in scope that are otherwise continuous.
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
	type originLog struct {
		first, last int64
		reqs        map[RequestKey][]Request
	}
	origins := map[string]*originLog{}
	cdnReqs := map[string]map[RequestKey][]Request{}
	type evLog struct {
		host  string
		times []int64
		refs  []timeline.Ref // ref of each time's row, for the gap ends
	}
	type logKey struct{ evidence, path string }
	logs := map[logKey]*evLog{}
	req := search.Request{Query: webQ, From: from, To: to}
	err := st.env.Searcher.Scan(ctx, req, []string{logQ}, func(seg *timeline.Segment, rows []search.Rows) error {
		rows[0].Each(func(i int) bool {
			source := seg.Str(timeline.ColSource, i)
			host := seg.Str(timeline.ColHost, i)
			o := st.env.OriginOf(host, source)
			if !hosts[o] {
				return true
			}
			t := seg.Time(i)
			k := RequestKey{strings.Clone(ClientAddr(seg, i)), strings.Clone(seg.Str(timeline.ColMethod, i)), strings.Clone(seg.Str(timeline.ColURL, i))}
			if IsCDN(source) {
				if CacheHit(seg.Str(timeline.ColExtra, i)) {
					return true
				}
				m := cdnReqs[o]
				if m == nil {
					m = map[RequestKey][]Request{}
					cdnReqs[strings.Clone(o)] = m
				}
				m[k] = append(m[k], Request{t, RefAt(seg, i)})
				return true
			}
			ol := origins[o]
			if ol == nil {
				ol = &originLog{first: t, reqs: map[RequestKey][]Request{}}
				origins[strings.Clone(o)] = ol
			}
			ol.last = t
			ol.reqs[k] = append(ol.reqs[k], Request{Time: t})
			return true
		})
		rows[1].Each(func(i int) bool {
			k := logKey{seg.Str(timeline.ColEvidence, i), seg.Str(timeline.ColRefPath, i)}
			l := logs[k]
			if l == nil {
				l = &evLog{host: strings.Clone(seg.Str(timeline.ColHost, i))}
				logs[logKey{strings.Clone(k.evidence), strings.Clone(k.path)}] = l
			}
			l.times = append(l.times, seg.Time(i))
			l.refs = append(l.refs, RefAt(seg, i))
			return true
		})
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
			var in []Request
			for _, c := range cs {
				if c.Time >= ol.first-tol && c.Time <= ol.last+tol {
					in = append(in, c)
				}
			}
			missing = append(missing, MatchRequests(in, ol.reqs[k], tol)...)
		}
		if len(missing) == 0 {
			continue
		}
		sort.Slice(missing, func(i, j int) bool { return missing[i].Time < missing[j].Time })
		row := TamperRow{Kind: "missing-at-origin", Host: o,
			Detail:    fmt.Sprintf("%d requests in the CDN log have no matching line (client, method, URL, ±%s) in %s's own access log for the same time span", len(missing), st.opt.Tolerance, o),
			FirstSeen: FormatTime(missing[0].Time), LastSeen: FormatTime(missing[len(missing)-1].Time), Events: int64(len(missing)), Refs: []timeline.Ref{}}
		for _, m := range missing {
			if len(row.Refs) < st.opt.RefCap {
				row.Refs = append(row.Refs, m.Ref)
			}
		}
		res.Tampering = append(res.Tampering, row)
	}
	// Gaps: an interval far longer than the log's usual spacing.
	gapMin := int64(st.opt.GapMin)
	logKeys := keys(logs)
	sort.Slice(logKeys, func(i, j int) bool {
		return logKeys[i].evidence+logKeys[i].path < logKeys[j].evidence+logKeys[j].path
	})
	for _, lk := range logKeys {
		l := logs[lk]
		ev := lk.evidence + ":" + lk.path
		if len(l.times) < 50 {
			continue
		}
		gaps := make([]int64, 0, len(l.times)-1)
		for k := 1; k < len(l.times); k++ {
			gaps = append(gaps, l.times[k]-l.times[k-1])
		}
		sorted := append([]int64(nil), gaps...)
		sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
		median := sorted[len(sorted)/2]
		p95 := sorted[len(sorted)*95/100]
		limit := max(gapMin, 3*p95)
		for k, g := range gaps {
			if g < limit {
				continue
			}
			res.Tampering = append(res.Tampering, TamperRow{Kind: "log-gap", Host: l.host,
				Detail:    fmt.Sprintf("no lines for %s in %s (usual spacing: median %s, 95th percentile %s)", time.Duration(g).Round(time.Second), ev, time.Duration(median).Round(time.Millisecond), time.Duration(p95).Round(time.Millisecond)),
				FirstSeen: FormatTime(l.times[k]), LastSeen: FormatTime(l.times[k+1]), Events: 2, Refs: []timeline.Ref{l.refs[k], l.refs[k+1]}})
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
