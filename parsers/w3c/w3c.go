package w3c

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/bits"
	"path"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/weblog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

const (
	SourceCloudFront = "cloudfront"
	SourceW3C        = "w3c"
)

func init() {
	parsers.Register(&parsers.Format{
		Name:        SourceCloudFront,
		Sources:     []parsers.Source{{Name: SourceCloudFront, Class: parsers.ClassCDN}},
		Description: "AWS CloudFront standard access logs (W3C extended, tab-separated; with or without the #Fields header)",
		HasZone:     true, HasYear: true,
		Detect: detectCloudFront,
		Parse: func(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
			return parse(ctx, in, sink, true)
		},
		ParseLine: parseLineCloudFront,
	})
	parsers.Register(&parsers.Format{
		Name:        SourceW3C,
		Sources:     []parsers.Source{{Name: SourceW3C, Class: parsers.ClassWebOrigin}},
		Description: "W3C extended log files (IIS and others), columns from the #Fields directive",
		HasZone:     true, HasYear: true,
		Detect: detectW3C,
		Parse: func(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
			return parse(ctx, in, sink, false)
		},
		ParseLine: func(line []byte, in *parsers.Input, ev *timeline.Event) bool { return false },
	})
}

// kind is what a column means for the event.
type kind uint8

const (
	kExtra kind = iota
	kDate
	kTime
	kDateLocal
	kTimeLocal
	kCIP
	kCPort
	kSIP
	kSPort
	kUser
	kMethod
	kStem
	kQuery
	kURI
	kStatus
	kBytes
	kUA
	kReferer
	kHost
	kXFF
	kProto
)

type column struct {
	kind kind
	key  string // Extra key
}

// columnFor maps a W3C field name to its meaning.
func columnFor(name string) column {
	switch strings.ToLower(name) {
	case "date":
		return column{kind: kDate}
	case "time":
		return column{kind: kTime}
	case "date-local":
		return column{kind: kDateLocal}
	case "time-local":
		return column{kind: kTimeLocal}
	case "c-ip":
		return column{kind: kCIP}
	case "c-port":
		return column{kind: kCPort}
	case "s-ip":
		return column{kind: kSIP}
	case "s-port":
		return column{kind: kSPort}
	case "cs-username", "c-auth-id":
		return column{kind: kUser}
	case "cs-method":
		return column{kind: kMethod}
	case "cs-uri-stem":
		return column{kind: kStem}
	case "cs-uri-query":
		return column{kind: kQuery}
	case "cs-uri":
		return column{kind: kURI}
	case "sc-status":
		return column{kind: kStatus}
	case "sc-bytes", "bytes":
		return column{kind: kBytes}
	case "cs(user-agent)":
		return column{kind: kUA}
	case "cs(referer)", "cs(referrer)":
		return column{kind: kReferer, key: "referer"}
	case "cs(host)":
		return column{kind: kHost, key: "vhost"}
	case "x-forwarded-for", "s-xff":
		return column{kind: kXFF, key: "x_forwarded_for"}
	case "cs-protocol-version", "cs-version":
		return column{kind: kProto, key: "proto"}
	}
	return column{kind: kExtra, key: name}
}

// cloudFrontFields is CloudFront's documented standard log field order
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html),
// used for lines that come without a #Fields header.
const cloudFrontFields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

// minCloudFrontValues is how many values a headerless CloudFront line needs:
// older distributions logged fewer fields, always a prefix of today's list,
// and everything through cs-uri-query is there in every version.
const minCloudFrontValues = 12

var defaultCloudFront = compile([]byte(cloudFrontFields))

// layout is the compiled #Fields header.
type layout struct {
	cols       []column
	cloudfront bool // the header names CloudFront's own columns
	hasDate    bool
}

func compile(fields []byte) *layout {
	l := &layout{}
	for _, f := range bytes.Fields(fields) {
		c := columnFor(string(f))
		l.cols = append(l.cols, c)
		if c.kind == kDate || c.kind == kDateLocal {
			l.hasDate = true
		}
		if strings.HasPrefix(c.key, "x-edge-") {
			l.cloudfront = true
		}
	}
	return l
}

// parser holds the state of one file.
type parser struct {
	in         *parsers.Input
	cloudfront bool // the format chosen is cloudfront
	lay        *layout
	layFields  []byte // the #Fields text lay was compiled from
	dec        weblog.Decoder
	agents     weblog.RepeatDecoder
	vals       [][]byte
	zoneLabel  string // the case's zone label, for local-time columns

	// Directives.
	defDay    int64 // days since epoch of #Date, -1 when none
	gmtOff    int
	hasGMTOff bool
	lastTOD   int64 // time of day of the previous line without a date column
	lastDate  []byte
	lastDays  int64
	lastTime  int64
	orig      []byte // TimeOrig of the current line
}

func newParser(in *parsers.Input, cloudfront bool) *parser {
	p := &parser{in: in, cloudfront: cloudfront, defDay: -1, lastTOD: -1}
	p.zoneLabel = in.ZoneLabel()
	if cloudfront {
		p.lay = defaultCloudFront
	}
	return p
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink, cloudfront bool) error {
	rc, err := in.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	p := newParser(in, cloudfront)
	var ev timeline.Event
	return parsers.ScanLines(ctx, rc, func(l *parsers.Line) error {
		text := l.Text
		if len(text) == 0 || ((text[0] == ' ' || text[0] == '\t') && len(bytes.TrimSpace(text)) == 0) {
			return nil
		}
		if text[0] == '#' {
			p.directive(text, l)
			return nil
		}
		ev.Reset()
		return weblog.Emit(sink, &ev, in, l, p.line(text, &ev), &p.lastTime)
	})
}

// directive handles a "#Name: value" line.
func (p *parser) directive(text []byte, l *parsers.Line) {
	colon := bytes.IndexByte(text, ':')
	if colon < 0 {
		return
	}
	name := bytes.TrimSpace(text[1:colon])
	val := bytes.TrimSpace(text[colon+1:])
	switch {
	case bytes.EqualFold(name, []byte("fields")):
		if p.lay != nil && bytes.Equal(val, p.layFields) {
			return // IIS repeats the same header after every restart
		}
		lay := compile(val)
		if len(lay.cols) == 0 {
			p.in.Problemf("w3c-fields", l.Offset, l.Number, "#Fields directive names no fields")
			return
		}
		p.lay = lay
		p.layFields = append(p.layFields[:0], val...)
	case bytes.EqualFold(name, []byte("date")) || bytes.EqualFold(name, []byte("start-date")):
		// Oracle Web Cache and others add a comment after the value.
		var c weblog.Civil
		if weblog.ParseDate(val, &c) && c.Valid() {
			p.defDay = parsers.DaysFromCivil(c.Y, c.Mo, c.D)
			p.lastTOD = -1
		}
	case bytes.EqualFold(name, []byte("gmt-offset")):
		if off, n, ok := weblog.ParseOffset(val); ok && n == len(val) {
			p.gmtOff, p.hasGMTOff = off, true
		}
	}
}

// split cuts a space-separated line into values: on runs of spaces, with
// "quoted strings" (a doubled quote inside stands for one) kept whole.
func (p *parser) split(text []byte) {
	p.vals = p.vals[:0]
	i := 0
	for {
		for i < len(text) && text[i] == ' ' {
			i++
		}
		if i >= len(text) {
			return
		}
		if text[i] == '"' {
			j := i + 1
			doubled := false
			for j < len(text) {
				if text[j] == '"' {
					if j+1 < len(text) && text[j+1] == '"' {
						doubled = true
						j += 2
						continue
					}
					break
				}
				j++
			}
			v := text[i+1 : min(j, len(text))]
			if doubled {
				v = p.dec.Undouble(v)
			}
			p.vals = append(p.vals, v)
			i = j + 1
			continue
		}
		j := i
		for j < len(text) && text[j] != ' ' {
			j++
		}
		p.vals = append(p.vals, text[i:j])
		i = j
	}
}

// indexTab is bytes.IndexByte(b, '\t') for CloudFront's values, which are
// mostly under 16 bytes: reading 8 bytes at a time in line beats the call
// into the vector routine, whose set-up dominates on such short spans.
func indexTab(b []byte) int {
	const ones, highs, tabs = 0x0101010101010101, 0x8080808080808080, 0x0909090909090909
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ tabs
		// The lowest flagged byte is exact; only bytes after it can be
		// flagged falsely, by the borrow.
		if m := (x - ones) &^ x & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '\t' {
			return i
		}
	}
	return -1
}

// line parses one data line into ev, or returns why it could not.
func (p *parser) line(text []byte, ev *timeline.Event) string {
	p.dec.Reset()
	if p.lay == nil {
		return "w3c: data line before any #Fields directive"
	}
	lay := p.lay
	cloudfront := lay.cloudfront || p.cloudfront
	ev.Source = SourceW3C
	if cloudfront {
		ev.Source = SourceCloudFront
	}
	ev.TimeDesc = timeline.TimeRequest
	var t lineVals
	if bytes.IndexByte(text, '\t') >= 0 {
		// Tab-separated (CloudFront): split and place in one pass.
		n, more := 0, true
		for ; more && n < len(lay.cols); n++ {
			v := text
			if i := indexTab(text); i >= 0 {
				v, text = text[:i], text[i+1:]
			} else {
				more = false
			}
			if c := &lay.cols[n]; c.kind == kExtra { // most columns: inline
				if len(v) > 0 && !(len(v) == 1 && v[0] == '-') {
					ev.Extra = append(ev.Extra, timeline.KV{Key: c.key, Value: weblog.S(v)})
				}
			} else {
				p.place(ev, c, v, cloudfront, &t)
			}
		}
		if more {
			ev.AddExtra("w3c_extra_values", weblog.S(text))
			ev.AddTag("extra-columns")
		}
		if n < len(lay.cols) && !(lay == defaultCloudFront && n >= minCloudFrontValues) {
			return "w3c: fewer values than #Fields names"
		}
	} else {
		p.split(text)
		n := len(p.vals)
		if n < len(lay.cols) {
			return "w3c: fewer values than #Fields names"
		}
		for i := range lay.cols {
			p.place(ev, &lay.cols[i], p.vals[i], cloudfront, &t)
		}
		if n > len(lay.cols) {
			ev.AddExtra("w3c_extra_values", p.dec.Concat(bytes.Join(p.vals[len(lay.cols):], []byte{' '})))
			ev.AddTag("extra-columns")
		}
	}
	date, clock, dateLocal, clockLocal := t.date, t.clock, t.dateLocal, t.clockLocal
	stem, query, uri := t.stem, t.query, t.uri
	switch {
	case uri != nil && query != nil && bytes.IndexByte(uri, '?') < 0:
		ev.URL = p.dec.Concat(uri, []byte{'?'}, query)
	case uri != nil:
		ev.URL = weblog.S(uri)
	case stem != nil && query != nil:
		ev.URL = p.dec.Concat(stem, []byte{'?'}, query)
	case stem != nil:
		ev.URL = weblog.S(stem)
	case query != nil:
		ev.URL = p.dec.Concat([]byte{'?'}, query)
	}
	ev.Action = weblog.Action(ev.Method)
	if reason := p.time(ev, date, clock, dateLocal, clockLocal); reason != "" {
		return reason
	}
	return ""
}

// time sets the event time from the date and time columns.
func (p *parser) time(ev *timeline.Event, date, clock, dateLocal, clockLocal []byte) string {
	local := false
	if clock == nil && clockLocal != nil {
		clock, date, local = clockLocal, dateLocal, true
	}
	if clock == nil {
		return "w3c: no time column"
	}
	var c weblog.Civil
	n, ok := weblog.ParseClock(clock, &c)
	if !ok || n != len(clock) || c.H > 23 || c.Mi > 59 || c.S > 60 {
		return "w3c: bad time"
	}
	tod := int64(c.H*3600+c.Mi*60+c.S)*1e9 + int64(c.Nsec)
	var days int64
	switch {
	case date != nil:
		if bytes.Equal(date, p.lastDate) {
			days = p.lastDays
		} else {
			if !weblog.ParseDate(date, &c) || len(date) != 10 || !c.Valid() {
				return "w3c: bad date"
			}
			days = parsers.DaysFromCivil(c.Y, c.Mo, c.D)
			p.lastDate = append(p.lastDate[:0], date...)
			p.lastDays = days
		}
		// "date time" whatever the separator; the buffer is rewritten for
		// every line (the sink has copied the previous value).
		need := len(date) + 1 + len(clock)
		if cap(p.orig) < need {
			p.orig = make([]byte, need, need+32)
		}
		p.orig = p.orig[:need]
		copy(p.orig, date)
		p.orig[len(date)] = ' '
		copy(p.orig[len(date)+1:], clock)
		ev.TimeOrig = weblog.S(p.orig)
	case p.defDay >= 0:
		if p.lastTOD >= 0 && tod < p.lastTOD {
			p.defDay++ // the clock went back: midnight passed
		}
		p.lastTOD = tod
		days = p.defDay
		ev.TimeOrig = weblog.S(clock)
	default:
		return "w3c: time without a date column or #Date directive"
	}
	switch {
	case local:
		y, mo, d := weblog.CivilFromDays(days)
		c.Y, c.Mo, c.D, c.HasZone = y, mo, d, false
		ev.Time = c.UnixNano(p.in.Zone)
		ev.Zone = p.zoneLabel
	case p.hasGMTOff:
		ev.Time = days*86400e9 + tod - int64(p.gmtOff)*1e9
		ev.Zone = weblog.OffsetLabel(p.gmtOff)
	default:
		ev.Time = days*86400e9 + tod
		ev.Zone = "UTC"
	}
	return ""
}

// parseLineCloudFront reads one CloudFront line in the documented default
// field order (the memory carver has no header to go by).
func parseLineCloudFront(line []byte, in *parsers.Input, ev *timeline.Event) bool {
	if bytes.IndexByte(line, '\t') < 0 {
		return false
	}
	p := newParser(in, true)
	ev.Reset()
	return weblog.LineDone(ev, in, p.line(line, ev))
}

// detectCloudFront: a "#Fields:" header naming x-edge-location, or tab-separated
// lines that start with a date, a time and an edge location code.
func detectCloudFront(name string, head []byte) int {
	fields, data := scanHead(head)
	if fields != nil {
		if bytes.Contains(fields, []byte("x-edge-location")) || bytes.Contains(fields, []byte("x-edge-request-id")) {
			return 100
		}
		return 0
	}
	if data == nil || !looksCloudFront(data) {
		return 0
	}
	score := 90
	if isCloudFrontName(name) {
		score = 95
	}
	return score
}

// detectW3C: a "#Fields:" directive (with #Software/#Version/#Date) at the top.
func detectW3C(name string, head []byte) int {
	fields, _ := scanHead(head)
	if fields == nil {
		return 0
	}
	if bytes.Contains(fields, []byte("x-edge-location")) {
		return 60 // CloudFront's own format scores higher
	}
	if bytes.Contains(fields, []byte("date")) || bytes.Contains(fields, []byte("time")) {
		return 95
	}
	return 70
}

// scanHead returns the first #Fields value, or the first data line when no
// #Fields comes before it. Only the lines before the first data line and
// that line itself are looked at.
func scanHead(head []byte) (fields, data []byte) {
	for {
		var line []byte
		if line, head = weblog.NextLine(head); line == nil {
			return nil, nil
		}
		if line[0] != '#' {
			return nil, line
		}
		if bytes.HasPrefix(line, []byte("#Fields:")) {
			return line[len("#Fields:"):], nil
		}
		if !isDirective(line) {
			return nil, nil
		}
	}
}

func isDirective(line []byte) bool {
	for _, d := range []string{"#Version:", "#Software:", "#Date:", "#Start-Date:", "#End-Date:", "#Remark:", "#GMT-Offset:"} {
		if bytes.HasPrefix(line, []byte(d)) {
			return true
		}
	}
	return false
}

// looksCloudFront: "2024-03-12\t15:22:28\tCDG50-P2\t703\t1.2.3.4\tGET..." with at
// least minCloudFrontValues tab-separated values.
func looksCloudFront(line []byte) bool {
	if bytes.Count(line, []byte{'\t'})+1 < minCloudFrontValues {
		return false
	}
	f := bytes.SplitN(line, []byte{'\t'}, 7)
	var c weblog.Civil
	if len(f[0]) != 10 || !weblog.ParseDate(f[0], &c) || !c.Valid() {
		return false
	}
	if n, ok := weblog.ParseClock(f[1], &c); !ok || n != len(f[1]) {
		return false
	}
	// Edge location: three letters then digits, optionally "-C1" ("CDG50-P2").
	loc := f[2]
	if len(loc) < 4 {
		return false
	}
	for i := 0; i < 3; i++ {
		if loc[i] < 'A' || loc[i] > 'Z' {
			return false
		}
	}
	if loc[3] < '0' || loc[3] > '9' {
		return false
	}
	if _, ok := parsers.Digits(f[3]); !ok {
		return false
	}
	m := f[5]
	return len(m) > 0 && m[0] >= 'A' && m[0] <= 'Z'
}

// isCloudFrontName: "E2EXAMPLE.2019-11-14-20.a1b2c3d4" (optionally .gz), the
// name CloudFront gives the files it delivers.
func isCloudFrontName(name string) bool {
	base := strings.TrimSuffix(path.Base(name), ".gz")
	parts := strings.Split(base, ".")
	if len(parts) < 3 {
		return false
	}
	d := parts[1]
	return len(d) == 13 && d[4] == '-' && d[7] == '-' && d[10] == '-'
}

// lineVals holds the values of one line that are combined after the loop.
type lineVals struct {
	date, clock, dateLocal, clockLocal []byte
	stem, query, uri                   []byte
}

// place puts one value where its column says; "-" is no value.
func (p *parser) place(ev *timeline.Event, c *column, v []byte, cloudfront bool, t *lineVals) {
	switch c.kind {
	case kDate:
		t.date = v
		return
	case kTime:
		t.clock = v
		return
	case kDateLocal:
		t.dateLocal = v
		return
	case kTimeLocal:
		t.clockLocal = v
		return
	}
	if weblog.Dash(v) {
		return
	}
	switch c.kind {
	case kCIP:
		ev.SrcIP = weblog.S(v)
	case kCPort:
		if port, ok := parsers.Digits(v); ok && port <= 65535 {
			ev.SrcPort = int32(port)
		} else {
			ev.AddExtra("c-port", weblog.S(v))
		}
	case kSIP:
		ev.DstIP = weblog.S(v)
	case kSPort:
		if port, ok := parsers.Digits(v); ok && port <= 65535 {
			ev.DstPort = int32(port)
		} else {
			ev.AddExtra("s-port", weblog.S(v))
		}
	case kUser:
		ev.User = weblog.S(v)
	case kMethod:
		ev.Method = weblog.S(v)
	case kStem:
		t.stem = v
	case kQuery:
		t.query = v
	case kURI:
		t.uri = v
	case kStatus:
		if st, ok := parsers.Digits(v); ok && st < 1000 {
			ev.Status = int32(st)
		} else {
			ev.AddExtra("sc-status", weblog.S(v))
		}
	case kBytes:
		if b, ok := parsers.Digits(v); ok {
			ev.Bytes = int64(b)
		} else {
			ev.AddExtra("sc-bytes", weblog.S(v))
		}
	case kUA:
		ev.UserAgent = p.agents.Decode(v, !cloudfront)
	case kReferer:
		if cloudfront {
			ev.AddExtra(c.key, p.dec.Decode(v, false))
		} else {
			ev.AddExtra(c.key, weblog.S(v))
		}
	case kXFF:
		ev.AddExtra(c.key, weblog.S(v))
		if first := weblog.FirstForwarded(v); len(first) > 0 {
			ev.AddExtra("client_ip", weblog.S(first))
		}
	default:
		ev.AddExtra(c.key, weblog.S(v))
	}
}
