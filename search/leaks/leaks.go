package leaks

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Options select what a leak count counts.
type Options struct {
	Actors     []netip.Prefix // client addresses (an address is a /32 or /128)
	Endpoint   string         // "METHOD /path*" or "/path*"
	Status     string         // "2xx", "200", "200..299", ">=200"
	Distinct   string         // param:NAME | path:N | ip | session | "" (requests)
	From, To   int64          // ns UTC, inclusive; 0 = open
	WindowFile string         // HOST:PATH: the window is the file's modification to its restoration
	PII        bool           // content mode
	Sources    []string       // content mode: only events of these sources (default all)
	Reveal     bool           // print values unmasked
	Tolerance  time.Duration  // reserved for request matching (default 5 s)
	Sample     int            // values in the sample (default 5)
	RefCap     int            // references per value and in the result (default 20)
}

func (o *Options) defaults() {
	if o.Sample <= 0 {
		o.Sample = 5
	}
	if o.RefCap <= 0 {
		o.RefCap = 20
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 5 * time.Second
	}
}

// Value is one counted value with where it was seen.
type Value struct {
	Kind   string         // content mode: email, card, phone; else the distinct_by
	Value  string         // unmasked
	Source string         // cdn, origin, artifacts, events
	Count  int64          // rows (requests, artifacts) that carried it
	First  int64          // first time seen (0 for artifacts)
	Refs   []timeline.Ref // capped at RefCap
}

// Result is a leak count (contract: kiseki leaks --json).
type Result struct {
	Records    int64            `json:"records"`
	Method     string           `json:"method"`
	DistinctBy string           `json:"distinct_by"`
	Window     vocab.Window     `json:"window"`
	Sample     []string         `json:"sample"`
	Refs       []timeline.Ref   `json:"refs"`
	ByKind     map[string]int64 `json:"by_kind,omitempty"`
	BySource   map[string]int64 `json:"by_source,omitempty"` // distinct values per log class (cdn, origin)
	Agreement  string           `json:"agreement,omitempty"` // agree | disagree | single-source
	Requests   int64            `json:"requests,omitempty"`  // matching requests in the source counted
	Masked     bool             `json:"masked"`
	Values     []Value          `json:"-"` // every counted value, for --list
}

// Run makes the count.
func Run(ctx context.Context, env *vocab.Env, opt Options) (*Result, error) {
	opt.defaults()
	env, done := env.Session() // its passes read the same segments
	defer done()
	var winNote string
	if opt.WindowFile != "" {
		from, to, note, err := WindowFromFile(ctx, env, opt.WindowFile)
		if err != nil {
			return nil, err
		}
		if opt.From == 0 || from > opt.From {
			opt.From = from
		}
		if to != 0 && (opt.To == 0 || to < opt.To) {
			opt.To = to
		}
		winNote = note
	}
	var res *Result
	var err error
	if opt.PII {
		res, err = runPII(ctx, env, opt)
	} else {
		res, err = runRequests(ctx, env, opt)
	}
	if err != nil {
		return nil, err
	}
	if winNote != "" {
		res.Method += "; " + winNote
	}
	if opt.From != 0 {
		res.Window.First = vocab.FormatTime(opt.From)
	}
	if opt.To != 0 {
		res.Window.Last = vocab.FormatTime(opt.To)
	}
	res.Masked = opt.PII && !opt.Reveal
	return res, nil
}

// endpoint splits "METHOD /path*" into a method (or "") and a path glob.
func endpoint(e string) (method, glob string, err error) {
	e = strings.TrimSpace(e)
	if e == "" {
		return "", "", nil
	}
	if m, p, ok := strings.Cut(e, " "); ok {
		method, glob = strings.ToUpper(strings.TrimSpace(m)), strings.TrimSpace(p)
	} else if strings.HasPrefix(e, "/") {
		glob = e
	} else {
		method = strings.ToUpper(e)
	}
	if glob != "" && !strings.HasPrefix(glob, "/") {
		return "", "", fmt.Errorf("--endpoint %q: want 'METHOD /path*' or '/path*'", e)
	}
	return method, glob, nil
}

// Extractor returns the counted value of a request, or "" when it has none.
type Extractor func(seg *timeline.Segment, i int) string

// NewExtractor parses a --distinct selector.
func NewExtractor(spec string) (Extractor, string, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "":
		return func(seg *timeline.Segment, i int) string { return "" }, "requests", nil
	case "param":
		if arg == "" {
			return nil, "", fmt.Errorf("--distinct param:NAME needs a parameter name")
		}
		return func(seg *timeline.Segment, i int) string { return Param(seg.Str(timeline.ColURL, i), arg) }, "URL parameter " + arg, nil
	case "path":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 {
			return nil, "", fmt.Errorf("--distinct path:N needs a segment number from 1")
		}
		return func(seg *timeline.Segment, i int) string { return PathSegment(seg.Str(timeline.ColURL, i), n) }, fmt.Sprintf("URL path segment %d", n), nil
	case "ip":
		return func(seg *timeline.Segment, i int) string { return vocab.ClientAddr(seg, i) }, "client address", nil
	case "session":
		return Session, "session (cookie session id, else client address and user agent)", nil
	}
	return nil, "", fmt.Errorf("--distinct %q: want param:NAME, path:N, ip or session", spec)
}

// Param returns the first value of a query parameter of a logged URL,
// percent-decoded.
func Param(u, name string) string {
	_, q, ok := strings.Cut(u, "?")
	if !ok {
		return ""
	}
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k == name {
			if d, err := url.QueryUnescape(v); err == nil {
				return d
			}
			return v
		}
	}
	return ""
}

// PathSegment returns the n-th (from 1) segment of a URL's path.
func PathSegment(u string, n int) string {
	p := vocab.URLPath(u)
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if n > len(parts) {
		return ""
	}
	return parts[n-1]
}

var sessionCookies = []string{"PHPSESSID", "JSESSIONID", "session", "sessionid", "sid", "connect.sid", "laravel_session", "_session_id"}

// Session returns a request's session: a session cookie's value when the
// log has cookies, else the client address and user agent.
func Session(seg *timeline.Segment, i int) string {
	x := seg.Str(timeline.ColExtra, i)
	if c := vocab.ExtraValue(x, "cookie"); c != "" {
		for _, part := range strings.Split(c, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			for _, name := range sessionCookies {
				if strings.EqualFold(k, name) && v != "" {
					return name + "=" + v
				}
			}
		}
	}
	return vocab.ClientAddr(seg, i) + " " + seg.Str(timeline.ColUserAgent, i)
}

type tally struct {
	values   map[string]*Value
	requests int64
	first    int64
	last     int64
	hosts    map[string]bool
}

func (t *tally) add(v string, seg *timeline.Segment, i int, class string, refCap int) {
	tm := seg.Time(i)
	if t.requests == 0 || tm < t.first {
		t.first = tm
	}
	if tm > t.last {
		t.last = tm
	}
	t.requests++
	if h := seg.Str(timeline.ColHost, i) + " (" + seg.Str(timeline.ColSource, i) + ")"; !t.hosts[h] {
		t.hosts[strings.Clone(h)] = true
	}
	val := t.values[v]
	if val == nil {
		val = &Value{Value: strings.Clone(v), Source: class, First: tm}
		t.values[val.Value] = val
	}
	val.Count++
	if len(val.Refs) < refCap {
		val.Refs = append(val.Refs, vocab.RefAt(seg, i))
	}
}

// runRequests counts the requests of attacker and window mode.
func runRequests(ctx context.Context, env *vocab.Env, opt Options) (*Result, error) {
	method, glob, err := endpoint(opt.Endpoint)
	if err != nil {
		return nil, err
	}
	extract, distinctBy, err := NewExtractor(opt.Distinct)
	if err != nil {
		return nil, err
	}
	q := []string{vocab.QueryWeb}
	if method != "" {
		q = append(q, "method:"+method)
	}
	var pathGlob func(string) bool
	if glob != "" {
		prefix := glob
		if k := strings.IndexAny(prefix, "*?"); k >= 0 {
			prefix = prefix[:k]
		}
		q = append(q, `url:"`+strings.ReplaceAll(prefix, `"`, `\"`)+`*"`)
		pathGlob = search.Glob(glob, true)
	}
	if opt.Status != "" {
		if _, err := search.Parse("status:" + opt.Status); err != nil {
			return nil, fmt.Errorf("--status %q: %w", opt.Status, err)
		}
		q = append(q, "status:"+opt.Status)
	}
	if len(opt.Actors) > 0 {
		var t []string
		for _, p := range opt.Actors {
			t = append(t, "src_ip:"+p.String())
		}
		// Origins behind a proxy log the client in X-Forwarded-For: their
		// rows are checked one by one below.
		q = append(q, "("+strings.Join(t, " OR ")+" OR "+vocab.QueryOrigin+")")
	}
	inActors := func(a string) bool {
		if len(opt.Actors) == 0 {
			return true
		}
		addr, err := netip.ParseAddr(a)
		if err != nil {
			return false
		}
		addr = addr.Unmap()
		for _, p := range opt.Actors {
			if p.Contains(addr) {
				return true
			}
		}
		return false
	}
	tallies := map[string]*tally{"cdn": {values: map[string]*Value{}, hosts: map[string]bool{}}, "origin": {values: map[string]*Value{}, hosts: map[string]bool{}}}
	noValue := int64(0)
	req := search.Request{Query: strings.Join(q, " AND "), From: opt.From, To: opt.To}
	err = env.Searcher.Scan(ctx, req, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		// Per-value checks through the dictionaries, each value decided
		// once, when a matching row first uses it.
		urlDict, urlOK := search.Dict(seg, timeline.ColURL)
		var pathHit []int8 // 0 unknown, 1 yes, 2 no
		if pathGlob != nil && urlOK {
			pathHit = make([]int8, urlDict.Values.Len())
		}
		srcDict, srcOK := search.Dict(seg, timeline.ColSrcIP)
		var srcHit []int8
		if len(opt.Actors) > 0 && srcOK {
			srcHit = make([]int8, srcDict.Values.Len())
		}
		rows[0].Each(func(i int) bool {
			if pathGlob != nil {
				if pathHit != nil {
					k := urlDict.Code(i)
					if k < 0 {
						return true
					}
					if pathHit[k] == 0 {
						pathHit[k] = 2
						if pathGlob(vocab.URLPath(urlDict.Values.Value(k))) {
							pathHit[k] = 1
						}
					}
					if pathHit[k] != 1 {
						return true
					}
				} else if !pathGlob(vocab.URLPath(seg.Str(timeline.ColURL, i))) {
					return true
				}
			}
			if len(opt.Actors) > 0 {
				in := false
				if x := seg.Str(timeline.ColExtra, i); strings.Contains(x, "client_ip") || strings.Contains(x, "x_forwarded_for") {
					in = inActors(vocab.ClientAddr(seg, i))
				} else if srcHit != nil {
					if k := srcDict.Code(i); k >= 0 {
						if srcHit[k] == 0 {
							srcHit[k] = 2
							if inActors(srcDict.Values.Value(k)) {
								srcHit[k] = 1
							}
						}
						in = srcHit[k] == 1
					}
				} else {
					in = inActors(seg.Str(timeline.ColSrcIP, i))
				}
				if !in {
					return true
				}
			}
			class := "origin"
			if vocab.IsCDN(seg.Str(timeline.ColSource, i)) {
				class = "cdn"
			}
			v := extract(seg, i)
			if opt.Distinct == "" {
				// requests: each row is its own value
				v = strconv.FormatInt(seg.Info.RowBase+int64(i), 10)
			} else if v == "" {
				noValue++
				return true
			}
			tallies[class].add(v, seg, i, class, opt.RefCap)
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	cdn, origin := tallies["cdn"], tallies["origin"]
	res := &Result{DistinctBy: distinctBy, Sample: []string{}, Refs: []timeline.Ref{}, BySource: map[string]int64{}}
	count := func(t *tally) int64 {
		if opt.Distinct == "" {
			return t.requests
		}
		return int64(len(t.values))
	}
	use := origin
	var agreement string
	switch {
	case cdn.requests == 0 && origin.requests == 0:
		agreement = "no matching requests"
	case cdn.requests == 0:
		agreement = "single-source"
		if covered(ctx, env, vocab.QueryCDN, cdnHostsOf(env, origin.hosts), origin.first, origin.last) {
			agreement = "disagree"
		}
	case origin.requests == 0:
		use, agreement = cdn, "single-source"
		if covered(ctx, env, vocab.QueryOrigin, originHostsOf(env, cdn.hosts), cdn.first, cdn.last) {
			agreement = "disagree"
		}
	default:
		same := count(cdn) == count(origin)
		if same && opt.Distinct != "" {
			for v := range cdn.values {
				if origin.values[v] == nil {
					same = false
					break
				}
			}
		}
		if same {
			agreement = "agree"
		} else {
			agreement = "disagree"
			if count(cdn) > count(origin) {
				use = cdn
			}
		}
	}
	res.Agreement = agreement
	for name, t := range tallies {
		if t.requests > 0 {
			res.BySource[name] = count(t)
		}
	}
	res.Records = count(use)
	res.Requests = use.requests
	other := cdn
	if use == cdn {
		other = origin
	}
	vals := make([]Value, 0, len(use.values))
	for _, v := range use.values {
		if o := other.values[v.Value]; o != nil && agreement == "agree" {
			// the same requests in the other log: both references
			v.Source += "+" + o.Source
			for _, r := range o.Refs {
				if len(v.Refs) < 2*opt.RefCap {
					v.Refs = append(v.Refs, r)
				}
			}
		}
		if opt.Distinct == "" {
			v.Kind = "request"
		} else {
			v.Kind = opt.Distinct
		}
		vals = append(vals, *v)
	}
	sortValues(vals)
	res.Values = vals
	for _, v := range vals {
		if len(res.Sample) < opt.Sample && opt.Distinct != "" {
			res.Sample = append(res.Sample, v.Value)
		}
		for _, r := range v.Refs {
			if len(res.Refs) < opt.RefCap {
				res.Refs = append(res.Refs, r)
			}
		}
	}
	if use.requests > 0 {
		res.Window = vocab.Window{First: vocab.FormatTime(use.first), Last: vocab.FormatTime(use.last)}
	}
	// The method in words.
	var b strings.Builder
	if opt.Distinct == "" {
		b.WriteString("requests")
	} else {
		fmt.Fprintf(&b, "distinct values of the %s in requests", distinctBy)
	}
	if opt.Endpoint != "" {
		fmt.Fprintf(&b, " to %s", opt.Endpoint)
	}
	if opt.Status != "" {
		fmt.Fprintf(&b, " answered with status %s", opt.Status)
	}
	if len(opt.Actors) > 0 {
		var a []string
		for _, p := range opt.Actors {
			if p.IsSingleIP() {
				a = append(a, p.Addr().String())
			} else {
				a = append(a, p.String())
			}
		}
		fmt.Fprintf(&b, " from %s", strings.Join(a, ", "))
	}
	if opt.From != 0 || opt.To != 0 {
		fmt.Fprintf(&b, " between %s and %s", orOpen(opt.From), orOpen(opt.To))
	}
	hosts := keysSorted(use.hosts)
	if agreement == "agree" {
		hosts = keysSorted(cdn.hosts)
		hosts = append(hosts, keysSorted(origin.hosts)...)
	}
	if len(hosts) > 0 {
		fmt.Fprintf(&b, ", counted in %s", strings.Join(hosts, ", "))
	}
	switch agreement {
	case "agree":
		fmt.Fprintf(&b, "; the CDN log and the origin's own log agree (%d each; a request seen by both counts once)", res.Records)
	case "disagree":
		which := "the origin's log"
		if use == cdn {
			which = "the CDN log"
		}
		fmt.Fprintf(&b, "; the CDN log and the origin's own log DISAGREE (CDN %d, origin %d): counted from %s, which has more", count(cdn), count(origin), which)
	}
	if noValue > 0 {
		fmt.Fprintf(&b, "; %d matching requests had no %s and are not counted", noValue, distinctBy)
	}
	res.Method = b.String()
	return res, nil
}

func orOpen(ns int64) string {
	if ns == 0 {
		return "(open)"
	}
	return vocab.FormatTime(ns)
}

func keysSorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortValues(vals []Value) {
	sort.Slice(vals, func(i, j int) bool {
		if vals[i].First != vals[j].First {
			return vals[i].First < vals[j].First
		}
		if vals[i].Kind != vals[j].Kind {
			return vals[i].Kind < vals[j].Kind
		}
		return vals[i].Value < vals[j].Value
	})
}

// WindowFromFile finds the window in which a file on a host was altered:
// from its modification (the first mtime after its creation) to the next
// change of the inode after that (ctime or a later mtime: the restoration),
// over the current inode and any older copies (journal). The end is open
// when the evidence shows no later change.
func WindowFromFile(ctx context.Context, env *vocab.Env, spec string) (from, to int64, note string, err error) {
	host, p, ok := strings.Cut(spec, ":")
	if !ok || host == "" || !strings.HasPrefix(p, "/") {
		return 0, 0, "", fmt.Errorf("--window-from-file %q: want HOST:/absolute/path", spec)
	}
	q := "host:" + vocab.Quote(host) + " AND path:" + vocab.Quote(p+"*") + " AND " + vocab.QueryFS
	var born int64
	var mtimes, changes []int64
	var ref timeline.Ref
	err = env.Searcher.Scan(ctx, search.Request{Query: q}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		rows[0].Each(func(i int) bool {
			if seg.Str(timeline.ColPath, i) != p {
				return true
			}
			t := seg.Time(i)
			switch seg.Str(timeline.ColTimeDesc, i) {
			case timeline.TimeBorn:
				if born == 0 || t < born {
					born = t
				}
			case timeline.TimeModified:
				mtimes = append(mtimes, t)
				changes = append(changes, t)
				if ref.Evidence == "" {
					ref = vocab.RefAt(seg, i)
				}
			case timeline.TimeChanged:
				changes = append(changes, t)
			}
			return true
		})
		return nil
	})
	if err != nil {
		return 0, 0, "", err
	}
	if len(mtimes) == 0 {
		return 0, 0, "", fmt.Errorf("--window-from-file %s: no modification time of %s on host %s in the timeline", spec, p, host)
	}
	sort.Slice(mtimes, func(i, j int) bool { return mtimes[i] < mtimes[j] })
	sort.Slice(changes, func(i, j int) bool { return changes[i] < changes[j] })
	from = mtimes[0]
	for _, m := range mtimes {
		if m > born {
			from = m
			break
		}
	}
	for _, c := range changes {
		if c > from {
			to = c
			break
		}
	}
	if to == 0 {
		return from, 0, fmt.Sprintf("window from %s:%s modified %s (%s), no later change: the window is open", host, p, vocab.FormatTime(from), ref), nil
	}
	return from, to, fmt.Sprintf("window from %s:%s: modified %s, next changed (restored) %s (%s)", host, p, vocab.FormatTime(from), vocab.FormatTime(to), ref), nil
}

// WriteCSV writes every counted value with its references (the report's
// annex): kind, value (masked unless reveal), source, count, first seen,
// references separated by spaces.
func WriteCSV(w io.Writer, res *Result, reveal bool) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"kind", "value", "source", "count", "first_seen", "refs"})
	for _, v := range res.Values {
		val := v.Value
		if res.Masked && !reveal {
			val = Mask(v.Kind, val)
		}
		refs := make([]string, len(v.Refs))
		for k, r := range v.Refs {
			refs[k] = r.String()
		}
		cw.Write([]string{v.Kind, csvSafe(val), v.Source, strconv.FormatInt(v.Count, 10), vocab.FormatTime(v.First), strings.Join(refs, " ")})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a value as a formula.
func csvSafe(s string) string { return eventview.FormulaSafe(s) }

// hostOf strips the " (source)" suffix of a tally's host label.
func hostOf(label string) string {
	h, _, _ := strings.Cut(label, " (")
	return h
}

// originHostsOf returns the origins behind the CDN hosts of a tally.
func originHostsOf(env *vocab.Env, labels map[string]bool) []string {
	var out []string
	for l := range labels {
		h, src, _ := strings.Cut(l, " (")
		out = append(out, env.OriginOf(h, strings.TrimSuffix(src, ")")))
	}
	return out
}

// cdnHostsOf returns the CDN hosts in front of the origin hosts of a tally.
func cdnHostsOf(env *vocab.Env, labels map[string]bool) []string {
	var out []string
	for l := range labels {
		o := hostOf(l)
		for cdn, origin := range env.Origin {
			if origin == o {
				out = append(out, cdn)
			}
		}
	}
	return out
}

// covered reports whether logs of the given class and hosts have any
// request in [from, to]: a log that covers the span but lacks the counted
// requests disagrees with the one that has them.
func covered(ctx context.Context, env *vocab.Env, class string, hosts []string, from, to int64) bool {
	if len(hosts) == 0 {
		return false
	}
	var t []string
	for _, h := range hosts {
		t = append(t, "host:"+vocab.Quote(h))
	}
	n, err := env.Searcher.Count(ctx, search.Request{Query: class + " AND (" + strings.Join(t, " OR ") + ")", From: from, To: to})
	return err == nil && n > 0
}
