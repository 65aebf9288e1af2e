package scope

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// A log gap is reported only where evidence says lines are missing. For a
// web origin behind a CDN: a silent span of at least GapMin, around the
// window, in which the CDN forwarded requests to it (none forwarded: the
// silence is explained, whatever the hour). For other logs: a silent span
// in which the same hours of the log's other days had, at the median, at
// least GapExpectMin lines. A night lull (few lines at that hour on every
// day) is never one.

// gapLog is one log's hourly line counts and its silent spans.
type gapLog struct {
	host, name string
	origin     bool            // a web server's own access log
	hours      map[int64]int32 // hour index (Unix hours) -> lines
	n          int64
	prev       int64
	prevR      vocab.RowRef
	gaps       []gapSpan
}

type gapSpan struct {
	a, b      int64
	ra, rb    vocab.RowRef
	expected  float64
	days      int
	forwarded int
}

// forwardedBetween counts the requests the CDN logs show forwarded to
// origin strictly inside (a, b): not served from the cache, not an origin
// error (5xx: it may never have reached the origin), of a client out of
// scope (the scope's own requests are matched one by one). One small scan
// per silent span: origin logs are busy, so their silences are few.
func (st *state) forwardedBetween(ctx context.Context, cdns []string, origin string, a, b int64) (int, error) {
	var terms []string
	for _, c := range cdns {
		terms = append(terms, "host:"+vocab.Quote(c))
	}
	q := "(" + strings.Join(terms, " OR ") + ") AND " + vocab.QueryCDN
	n := 0
	err := st.env.Searcher.Scan(ctx, search.Request{Query: q, From: a + 1, To: b - 1}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		rows[0].Each(func(i int) bool {
			if seg.Int(timeline.ColStatus, i) >= 500 || vocab.CacheHit(seg.Str(timeline.ColExtra, i)) ||
				st.scopeClients != nil && st.scopeClients.Has(seg.Str(timeline.ColSrcIP, i)) ||
				st.env.OriginOf(seg.Str(timeline.ColHost, i), seg.Str(timeline.ColSource, i)) != origin {
				return true
			}
			n++
			return true
		})
		return nil
	})
	return n, err
}

// gaps reads every line of the scope hosts' own logs (all time: the
// hour-of-day baseline needs the other days) and reports the abnormal
// silent spans around the window.
func (st *state) gaps(ctx context.Context, res *Result) error {
	var terms []string
	for _, h := range res.Hosts {
		terms = append(terms, "host:"+vocab.Quote(h.Name))
	}
	if len(terms) == 0 {
		return nil
	}
	sort.Strings(terms)
	wf, _ := time.Parse(time.RFC3339Nano, res.Window.First)
	wl, _ := time.Parse(time.RFC3339Nano, res.Window.Last)
	lo, hi := wf.UnixNano()-int64(time.Hour), wl.UnixNano()+int64(time.Hour)
	q := "(" + strings.Join(terms, " OR ") + ") AND NOT " + vocab.QueryFS + " AND NOT " + vocab.QueryClass("raw")
	logs := map[[2]string]*gapLog{}
	in := vocab.Interner{}
	gapMin := int64(st.opt.GapMin)
	evCol, pathCol := vocab.NewColumn(timeline.ColEvidence), vocab.NewColumn(timeline.ColRefPath)
	err := st.env.Searcher.Scan(ctx, search.Request{Query: q, From: st.opt.From, To: st.opt.To}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		evCol.Reset()
		pathCol.Reset()
		var cur *gapLog
		var curEv, curPath string
		rows[0].Each(func(i int) bool {
			ev, p := evCol.At(seg, i, in), pathCol.At(seg, i, in) // interned: compared by pointer and length first
			if cur == nil || ev != curEv || p != curPath {
				k := [2]string{ev, p}
				if cur = logs[k]; cur == nil {
					cur = &gapLog{host: in.Get(seg.Str(timeline.ColHost, i)), name: ev + ":" + p, hours: map[int64]int32{},
						origin: vocab.IsOriginWeb(seg.Str(timeline.ColSource, i))}
					logs[k] = cur
				}
				curEv, curPath = ev, p
			}
			t := seg.Time(i)
			cur.hours[t/int64(time.Hour)]++
			if cur.n > 0 && t-cur.prev >= gapMin && t >= lo && cur.prev <= hi {
				cur.gaps = append(cur.gaps, gapSpan{a: cur.prev, b: t, ra: cur.prevR, rb: in.RowRef(seg, i)})
			}
			cur.n++
			cur.prev = t
			if t >= lo-gapMin && t <= hi {
				cur.prevR = in.RowRef(seg, i)
			}
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	var found []*gapSpan
	var owner []*gapLog
	for _, l := range logs {
		for gi := range l.gaps {
			g := &l.gaps[gi]
			if cdns := st.cdnFor[l.host]; l.origin && len(cdns) > 0 {
				n, err := st.forwardedBetween(ctx, cdns, l.host, g.a, g.b)
				if err != nil {
					return err
				}
				g.forwarded, g.expected = n, float64(n)
				if n >= GapForwardedMin {
					found = append(found, g)
					owner = append(owner, l)
				}
				continue
			}
			g.expected, g.days = l.expectedLines(g.a, g.b)
			if g.days >= GapMinDays && g.expected >= GapExpectMin {
				found = append(found, g)
				owner = append(owner, l)
			}
		}
	}
	idx := make([]int, len(found))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return found[idx[i]].expected > found[idx[j]].expected })
	for n, i := range idx {
		if n == GapRows {
			break
		}
		g, l := found[i], owner[i]
		detail := fmt.Sprintf("no lines for %s in %s, where the same hours of %d other days had a median of %.0f lines", time.Duration(g.b-g.a).Round(time.Second), l.name, g.days, g.expected)
		if g.forwarded > 0 {
			detail = fmt.Sprintf("no lines for %s in %s, while the CDN forwarded %d requests to %s", time.Duration(g.b-g.a).Round(time.Second), l.name, g.forwarded, l.host)
		}
		res.Tampering = append(res.Tampering, TamperRow{Kind: "log-gap", Host: l.host,
			Detail:    detail,
			FirstSeen: vocab.FormatTime(g.a), LastSeen: vocab.FormatTime(g.b), Events: 2, Refs: []timeline.Ref{g.ra.Ref(), g.rb.Ref()}})
	}
	return nil
}

// expectedLines is how many lines the log usually has in the span (a, b):
// for each hour it overlaps, the median of that hour of the day over the
// log's other whole days, weighted by the overlap; and how many days that
// median stands on.
func (l *gapLog) expectedLines(a, b int64) (float64, int) {
	const hour, day = int64(time.Hour), int64(24 * time.Hour)
	firstDay, lastDay := int64(-1), int64(-1)
	for h := range l.hours {
		d := h * hour / day
		if firstDay < 0 || d < firstDay {
			firstDay = d
		}
		lastDay = max(lastDay, d)
	}
	total, days := 0.0, 0
	for h := a / hour; h <= b/hour; h++ {
		s, e := max(a, h*hour), min(b, (h+1)*hour)
		if e <= s {
			continue
		}
		var counts []int
		gapDay := h * hour / day
		for d := firstDay + 1; d < lastDay; d++ { // whole days only
			if d != gapDay {
				counts = append(counts, int(l.hours[d*24+h%24]))
			}
		}
		if len(counts) == 0 {
			continue
		}
		sort.Ints(counts)
		days = len(counts)
		total += float64(counts[len(counts)/2]) * float64(e-s) / float64(hour)
	}
	return total, days
}
