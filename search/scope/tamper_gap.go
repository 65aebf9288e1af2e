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

// gapLog is one log's silent spans around the window and, when needed,
// its hourly line counts.
type gapLog struct {
	host, name string
	ev, path   string
	origin     bool  // a web server's own access log
	firstIn    int64 // its first line in the window (± 1 h)
	hours      []int32
	hour0      int64 // Unix hour of hours[0]
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

// GapLookback is how long before the window the gap pass starts reading,
// so that a silence that began before the window is measured whole.
const GapLookback = 24 * time.Hour

// The gap rule: the silent spans of the scope hosts' own logs around the
// window (silencesOf), then the evidence asked whether lines are missing
// there (gaps): the CDN in front of an origin, or the log's own other days.
// silencesOf reads the silences of the scope hosts' own logs around the
// window (nil without hosts).
func (st *state) silencesOf(ctx context.Context, res *Result) (map[[2]string]*gapLog, error) {
	var terms []string
	for _, h := range res.Hosts {
		terms = append(terms, "host:"+vocab.Quote(h.Name))
	}
	if len(terms) == 0 {
		return nil, nil
	}
	sort.Strings(terms)
	wf, _ := time.Parse(time.RFC3339Nano, res.Window.First)
	wl, _ := time.Parse(time.RFC3339Nano, res.Window.Last)
	lo, hi := wf.UnixNano()-int64(time.Hour), wl.UnixNano()+int64(time.Hour)
	q := "(" + strings.Join(terms, " OR ") + ") AND NOT " + vocab.QueryFS + " AND NOT " + vocab.QueryClass("raw")
	return st.silences(ctx, q, lo, hi)
}

// gaps asks the evidence, for each silence, whether lines are missing.
func (st *state) gaps(ctx context.Context, res *Result, logs map[[2]string]*gapLog) error {
	var found []*gapSpan
	var owner []*gapLog
	var needHours []*gapLog
	for _, l := range logs {
		if len(l.gaps) == 0 {
			continue
		}
		if cdns := st.cdnFor[l.host]; l.origin && len(cdns) > 0 {
			for gi := range l.gaps {
				g := &l.gaps[gi]
				n, err := st.forwardedBetween(ctx, cdns, l.host, g.a, g.b)
				if err != nil {
					return err
				}
				g.forwarded, g.expected = n, float64(n)
				if n >= GapForwardedMin {
					found, owner = append(found, g), append(owner, l)
				}
			}
			continue
		}
		needHours = append(needHours, l)
	}
	if err := st.hourCounts(ctx, needHours); err != nil {
		return err
	}
	for _, l := range needHours {
		for gi := range l.gaps {
			g := &l.gaps[gi]
			g.expected, g.days = l.expectedLines(g.a, g.b)
			if g.days >= GapMinDays && g.expected >= GapExpectMin {
				found, owner = append(found, g), append(owner, l)
			}
		}
	}
	st.gapRows(res, found, owner)
	return nil
}

// silences reads the logs of the query from GapLookback before lo to hi
// and keeps, per log, the silences of at least GapMin that reach into
// [lo, hi]. The hosts' logs are busy (millions of lines around a window of
// days), so each segment's lines are summarised per log in parallel
// (segmentSilences) and only the summaries are joined in time order.
func (st *state) silences(ctx context.Context, q string, lo, hi int64) (map[[2]string]*gapLog, error) {
	logs := map[[2]string]*gapLog{}
	in := vocab.Interner{}
	gapMin := int64(st.opt.GapMin)
	prep := func(seg *timeline.Segment, rows []search.Rows) ([]segLog, error) {
		return segmentSilences(seg, rows[0], gapMin, lo), nil
	}
	err := search.ScanPrepared(st.env.Searcher, ctx, search.Request{Query: q, From: max(lo-int64(GapLookback), st.opt.From), To: hi}, nil, prep,
		func(seg *timeline.Segment, _ []search.Rows, sum []segLog) error {
			for k := range sum {
				g := &sum[k]
				key := [2]string{in.Get(g.ev), in.Get(g.path)}
				l := logs[key]
				if l == nil {
					l = &gapLog{name: key[0] + ":" + key[1], ev: key[0], path: key[1], host: in.Get(g.host), origin: vocab.IsOriginWeb(g.source)}
					logs[key] = l
				}
				l.join(seg, g, gapMin, lo)
			}
			return nil
		})
	return logs, err
}

// segLog is one log's lines in one segment: its first and last line, its
// first line from lo on, and its silences inside the segment (as rows).
type segLog struct {
	ev, path, host, source string // valid while the segment is visited
	n                      int64
	first, last            int64
	firstRow, lastRow      int
	firstIn                int64
	gaps                   [][2]int // rows before and after each silence
}

// segmentSilences summarises the rows of seg per log (evidence and path).
func segmentSilences(seg *timeline.Segment, rows search.Rows, gapMin, lo int64) []segLog {
	var out []segLog
	slots := map[[2]string]int32{}
	slotOf := vocab.NewPair(timeline.ColEvidence, timeline.ColRefPath, func(ev, p string) int32 {
		k := [2]string{ev, p}
		s, ok := slots[k]
		if !ok {
			s = int32(len(out))
			slots[k] = s
			out = append(out, segLog{ev: ev, path: p})
		}
		return s
	})
	rows.Each(func(i int) bool {
		g := &out[slotOf.At(seg, i)]
		t := seg.Time(i)
		if g.n == 0 {
			g.first, g.firstRow = t, i
			g.host, g.source = seg.Str(timeline.ColHost, i), seg.Str(timeline.ColSource, i)
		} else if t-g.last >= gapMin && t >= lo {
			g.gaps = append(g.gaps, [2]int{g.lastRow, i})
		}
		if g.firstIn == 0 && t >= lo {
			g.firstIn = t
		}
		g.n++
		g.last, g.lastRow = t, i
		return true
	})
	return out
}

// join appends a segment's summary of the log: the silence between the
// log's last line so far and the segment's first, then the segment's own.
func (l *gapLog) join(seg *timeline.Segment, g *segLog, gapMin, lo int64) {
	if l.n > 0 && g.first-l.prev >= gapMin && g.first >= lo {
		l.gaps = append(l.gaps, gapSpan{a: l.prev, b: g.first, ra: l.prevR, rb: l.rowRef(seg, g.firstRow)})
	}
	for _, r := range g.gaps {
		l.gaps = append(l.gaps, gapSpan{a: seg.Time(r[0]), b: seg.Time(r[1]), ra: l.rowRef(seg, r[0]), rb: l.rowRef(seg, r[1])})
	}
	if l.firstIn == 0 {
		l.firstIn = g.firstIn
	}
	l.n += g.n
	l.prev, l.prevR = g.last, l.rowRef(seg, g.lastRow)
}

// rowRef is row i's reference: the log's own evidence and path (no
// interning per row) and the row's numbers.
func (l *gapLog) rowRef(seg *timeline.Segment, i int) vocab.RowRef {
	return vocab.RowRef{Evidence: l.ev, Path: l.path, Offset: seg.Int(timeline.ColOffset, i), Line: seg.Int(timeline.ColLine, i),
		Inode: seg.Int(timeline.ColInode, i), MFT: seg.Int(timeline.ColMFT, i)}
}

// hourCounts counts, all the time, the lines per hour of the given logs.
func (st *state) hourCounts(ctx context.Context, logs []*gapLog) error {
	if len(logs) == 0 {
		return nil
	}
	byKey := map[[2]string]*gapLog{}
	evs := map[string]bool{}
	var terms []string
	for _, l := range logs {
		if !evs[l.ev] {
			evs[l.ev] = true
			terms = append(terms, "evidence:"+vocab.Quote(l.ev))
		}
		byKey[[2]string{l.ev, l.path}] = l
	}
	var byPair []*gapLog
	which := vocab.NewPair(timeline.ColEvidence, timeline.ColRefPath, func(ev, p string) int32 {
		byPair = append(byPair, byKey[[2]string{ev, p}])
		return int32(len(byPair) - 1)
	})
	return st.env.Searcher.Scan(ctx, search.Request{Query: strings.Join(terms, " OR "), From: st.opt.From, To: st.opt.To}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		which.Reset()
		rows[0].Each(func(i int) bool {
			if l := byPair[which.At(seg, i)]; l != nil {
				l.count(seg.Time(i))
			}
			return true
		})
		return nil
	})
}

// count adds a line at t to the hourly counts.
func (l *gapLog) count(t int64) {
	h := t / int64(time.Hour)
	if len(l.hours) == 0 {
		l.hour0 = h
	}
	if h < l.hour0 { // rows come in time order; an earlier one only from a reordered source
		grown := make([]int32, int(l.hour0-h)+len(l.hours))
		copy(grown[l.hour0-h:], l.hours)
		l.hours, l.hour0 = grown, h
	}
	for int(h-l.hour0) >= len(l.hours) {
		l.hours = append(l.hours, 0)
	}
	l.hours[h-l.hour0]++
}

// at returns the count of Unix hour h.
func (l *gapLog) at(h int64) int32 {
	if h < l.hour0 || h-l.hour0 >= int64(len(l.hours)) {
		return 0
	}
	return l.hours[h-l.hour0]
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

// gapRows reports the most anomalous gaps.
func (st *state) gapRows(res *Result, found []*gapSpan, owner []*gapLog) {
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
		res.Tampering = append(res.Tampering, TamperRow{Kind: "log-gap", Host: l.host, Detail: detail,
			FirstSeen: vocab.FormatTime(g.a), LastSeen: vocab.FormatTime(g.b), Events: 2, Refs: []timeline.Ref{g.ra.Ref(), g.rb.Ref()}})
	}
}

// expectedLines is how many lines the log usually has in the span (a, b):
// for each hour it overlaps, the median of that hour of the day over the
// log's other whole days, weighted by the overlap; and how many days that
// median stands on.
func (l *gapLog) expectedLines(a, b int64) (float64, int) {
	const hour, day = int64(time.Hour), int64(24 * time.Hour)
	if len(l.hours) == 0 {
		return 0, 0
	}
	firstDay, lastDay := l.hour0*hour/day, (l.hour0+int64(len(l.hours))-1)*hour/day
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
				counts = append(counts, int(l.at(d*24+h%24)))
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
