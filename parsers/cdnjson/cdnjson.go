package cdnjson

import (
	"bytes"
	"context"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/weblog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// role is what a JSON member means for the event.
type role uint8

const (
	rExtra role = iota
	rTime
	rTime2 // a fallback time (EdgeEndTimestamp)
	rClientIP
	rClientPort
	rEdgeIP
	rEdgePort
	rMethod
	rURI   // path and query
	rPath  // path only; a query member may follow
	rQuery // query only
	rHost
	rStatus
	rBytes
	rBytes2 // a fallback size
	rUA
	rReferer
	rProto
	rScheme
	rXFF
	rUser
)

// vendor describes one JSON log dialect.
type vendor struct {
	name   string
	roles  func(key []byte) role
	decode bool // UA and referer are URL-encoded ('+' for space)
}

var (
	cloudflare = &vendor{name: "cloudflare", roles: cloudflareRole}
	akamai     = &vendor{name: "akamai", roles: akamaiRole, decode: true}
	fastly     = &vendor{name: "fastly", roles: fastlyRole}
)

func cloudflareRole(k []byte) role {
	switch string(k) {
	case "EdgeStartTimestamp":
		return rTime
	case "EdgeEndTimestamp", "Datetime":
		return rTime2
	case "ClientIP":
		return rClientIP
	case "ClientSrcPort":
		return rClientPort
	case "EdgeServerIP":
		return rEdgeIP
	case "ClientRequestMethod":
		return rMethod
	case "ClientRequestURI":
		return rURI
	case "ClientRequestPath":
		return rPath
	case "ClientRequestHost":
		return rHost
	case "EdgeResponseStatus":
		return rStatus
	case "EdgeResponseBytes":
		return rBytes
	case "ClientRequestUserAgent":
		return rUA
	case "ClientRequestReferer":
		return rReferer
	case "ClientRequestProtocol":
		return rProto
	case "ClientRequestScheme":
		return rScheme
	}
	return rExtra
}

func akamaiRole(k []byte) role {
	switch string(k) {
	case "reqTimeSec":
		return rTime
	case "cliIP":
		return rClientIP
	case "edgeIP":
		return rEdgeIP
	case "reqPort":
		return rEdgePort
	case "reqMethod":
		return rMethod
	case "reqPath":
		return rPath
	case "queryStr":
		return rQuery
	case "reqHost":
		return rHost
	case "statusCode":
		return rStatus
	case "totalBytes":
		return rBytes
	case "bytes":
		return rBytes2
	case "UA":
		return rUA
	case "referer":
		return rReferer
	case "proto":
		return rScheme
	case "xForwardedFor":
		return rXFF
	}
	return rExtra
}

func fastlyRole(k []byte) role {
	switch string(k) {
	case "timestamp", "time", "start_time", "time_start", "request_start", "@timestamp", "date":
		return rTime
	case "client_ip", "clientip", "client_address", "remote_addr", "remote_ip", "ip", "c_ip":
		return rClientIP
	case "client_port", "remote_port":
		return rClientPort
	case "server_ip":
		return rEdgeIP
	case "request_method", "method", "req_method", "http_method":
		return rMethod
	case "url", "request_url", "req_url", "uri", "request_uri":
		return rURI
	case "path", "url_path", "request_path":
		return rPath
	case "query", "query_string", "url_query", "querystring":
		return rQuery
	case "host", "request_host", "req_host", "http_host":
		return rHost
	case "response_status", "status", "resp_status", "status_code":
		return rStatus
	case "response_body_size", "body_bytes_sent", "response_bytes", "resp_body_size", "resp_bytes", "bytes", "bytes_sent", "size":
		return rBytes
	case "request_user_agent", "user_agent", "useragent", "http_user_agent", "ua", "req_user_agent":
		return rUA
	case "request_referer", "referer", "referrer", "http_referer":
		return rReferer
	case "request_protocol", "protocol", "http_version":
		return rProto
	case "x_forwarded_for", "request_x_forwarded_for", "http_x_forwarded_for":
		return rXFF
	case "user", "remote_user", "username":
		return rUser
	}
	return rExtra
}

func init() {
	for _, v := range []*vendor{cloudflare, akamai, fastly} {
		parsers.Register(&parsers.Format{
			Name:        v.name,
			Sources:     []parsers.Source{{Name: v.name, Class: parsers.ClassCDN}},
			Description: descriptions[v.name],
			HasZone:     true, HasYear: true,
			Detect:    func(name string, head []byte) int { return detect(v, head) },
			Parse:     func(ctx context.Context, in *parsers.Input, sink timeline.Sink) error { return parse(ctx, in, sink, v) },
			ParseLine: func(line []byte, in *parsers.Input, ev *timeline.Event) bool { return parseLine(line, in, ev, v) },
		})
	}
}

var descriptions = map[string]string{
	"cloudflare": "Cloudflare Logpush http_requests (JSON lines)",
	"akamai":     "Akamai DataStream 2 (JSON lines)",
	"fastly":     "Fastly real-time logs with a JSON format (bare or syslog-wrapped)",
}

type parser struct {
	in        *parsers.Input
	v         *vendor
	dec       weblog.Decoder
	zoneLabel string
}

func newParser(in *parsers.Input, v *vendor) *parser {
	return &parser{in: in, v: v, zoneLabel: in.ZoneLabel()}
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink, v *vendor) error {
	p := newParser(in, v)
	return weblog.Run(ctx, in, sink, func(text []byte, ev *timeline.Event) string {
		return p.line(bytes.TrimSpace(text), ev)
	})
}

func parseLine(line []byte, in *parsers.Input, ev *timeline.Event, v *vendor) bool {
	p := newParser(in, v)
	ev.Reset()
	return weblog.LineDone(ev, in, p.line(bytes.TrimSpace(line), ev))
}

// syslogHeader is what a syslog relay put before the JSON object.
type syslogHeader struct {
	time, host, tag []byte
}

// splitSyslog separates "[<PRI>]TIME HOST [TAG:] {json}" into the header
// and the object. TIME is RFC 3339 or RFC 3164 ("Nov 12 16:59:46"); an
// RFC 5424 header ("<134>1 TIME HOST APP PROCID MSGID -") is read too.
func splitSyslog(line []byte) (h syslogHeader, obj []byte, ok bool) {
	brace := bytes.IndexByte(line, '{')
	if brace <= 0 {
		return h, line, brace == 0
	}
	pre, obj := bytes.TrimSpace(line[:brace]), line[brace:]
	if len(pre) > 0 && pre[0] == '<' {
		if e := bytes.IndexByte(pre, '>'); e > 0 && e <= 4 {
			pre = pre[e+1:]
		}
	}
	var f [8][]byte
	n := 0
	for rest := pre; len(rest) > 0; {
		rest = bytes.TrimLeft(rest, " \t")
		if len(rest) == 0 {
			break
		}
		if n == len(f) {
			return h, nil, false
		}
		e := bytes.IndexAny(rest, " \t")
		if e < 0 {
			e = len(rest)
		}
		f[n], rest = rest[:e], rest[e:]
		n++
	}
	i := 0
	switch {
	case n >= 4 && len(f[0]) == 1 && f[0][0] >= '1' && f[0][0] <= '9' && len(f[1]) >= 19 && f[1][4] == '-':
		// RFC 5424: VERSION TIMESTAMP HOST APP PROCID MSGID SD
		h.time, h.host, h.tag = f[1], f[2], f[3]
		return h, obj, true
	case n >= 1 && len(f[0]) >= 19 && f[0][4] == '-':
		h.time, i = f[0], 1
	case n >= 3 && len(f[0]) == 3 && parsers.Month(f[0]) > 0:
		start := len(pre) - len(bytes.TrimLeft(pre, " \t"))
		// f[2] is a sub-slice of pre: its offset is the difference of caps.
		end := cap(pre) - cap(f[2]) + len(f[2])
		if end <= start || end > len(pre) {
			return h, nil, false
		}
		h.time, i = pre[start:end], 3
	default:
		return h, nil, false
	}
	if i < n {
		h.host, i = f[i], i+1
	}
	if i < n {
		h.tag, i = bytes.TrimSuffix(f[i], []byte(":")), i+1
	}
	if i < n {
		return h, nil, false
	}
	return h, obj, true
}

// line parses one record into ev or returns why it could not.
func (p *parser) line(text []byte, ev *timeline.Event) string {
	p.dec.Reset()
	h, obj, ok := splitSyslog(text)
	if !ok {
		return p.v.name + ": not a JSON object"
	}
	var o weblog.Object
	if !o.Begin(obj) {
		return p.v.name + ": not a JSON object"
	}
	ev.Source = p.v.name
	ev.TimeDesc = timeline.TimeRequest
	var (
		f                   weblog.Field
		t1, t2              weblog.Field
		path, query         []byte
		bytes2              int64 = -1
		bytesKey            []byte
		haveT1, haveT2, got bool
	)
	for o.Next(&f) {
		got = true
		if f.Kind == weblog.KindNull {
			continue
		}
		r := p.v.roles(f.Key)
		switch r {
		case rTime:
			t1, haveT1 = f, true
			continue
		case rTime2:
			t2, haveT2 = f, true
			continue
		}
		if f.Kind == weblog.KindString && (len(f.Val) == 0 || (len(f.Val) == 1 && f.Val[0] == '-')) {
			continue
		}
		if (f.Kind == weblog.KindArray && string(f.Val) == "[]") || (f.Kind == weblog.KindObject && string(f.Val) == "{}") {
			continue
		}
		val := p.dec.String(&f)
		switch r {
		case rClientIP:
			ev.SrcIP = val
		case rClientPort:
			if n, ok := parsers.Digits(f.Val); ok && n <= 65535 {
				ev.SrcPort = int32(n)
			}
		case rEdgeIP:
			ev.DstIP = val
		case rEdgePort:
			if n, ok := parsers.Digits(f.Val); ok && n <= 65535 {
				ev.DstPort = int32(n)
			}
		case rMethod:
			ev.Method = val
		case rURI:
			ev.URL = val
		case rPath:
			path = f.Val
			if f.Esc {
				path = weblog.B(val)
			}
		case rQuery:
			query = f.Val
			if f.Esc {
				query = weblog.B(val)
			}
		case rHost:
			ev.AddExtra("vhost", val)
		case rStatus:
			if n, ok := parsers.Digits(f.Val); ok && n < 1000 {
				ev.Status = int32(n)
			} else {
				ev.AddExtra(weblog.S(f.Key), val)
			}
		case rBytes:
			if n, ok := parsers.Digits(f.Val); ok {
				ev.Bytes = int64(n)
				bytesKey = f.Key
			} else {
				ev.AddExtra(weblog.S(f.Key), val)
			}
		case rBytes2:
			if n, ok := parsers.Digits(f.Val); ok {
				bytes2 = int64(n)
			}
			ev.AddExtra(weblog.S(f.Key), val)
		case rUA:
			if p.v.decode {
				val = p.dec.Decode(weblog.B(val), true)
			}
			ev.UserAgent = val
		case rReferer:
			if p.v.decode {
				val = p.dec.Decode(weblog.B(val), true)
			}
			ev.AddExtra("referer", val)
		case rProto:
			ev.AddExtra("proto", val)
		case rScheme:
			ev.AddExtra("scheme", val)
		case rXFF:
			ev.AddExtra("x_forwarded_for", val)
			if first := weblog.FirstForwarded(weblog.B(val)); len(first) > 0 {
				ev.AddExtra("client_ip", weblog.S(first))
			}
		case rUser:
			ev.User = val
		default:
			ev.AddExtra(weblog.S(f.Key), val)
		}
	}
	if o.Err {
		return p.v.name + ": malformed JSON"
	}
	if !got {
		return p.v.name + ": empty JSON object"
	}
	if rest := bytes.TrimSpace(o.Rest()); len(rest) > 0 {
		return p.v.name + ": data after the JSON object"
	}
	if ev.URL == "" && path != nil {
		if len(query) > 0 {
			ev.URL = p.dec.Concat(path, []byte{'?'}, query)
		} else {
			ev.URL = weblog.S(path)
		}
	} else if ev.URL == "" && query != nil {
		ev.URL = p.dec.Concat([]byte{'?'}, query)
	}
	if (ev.Bytes == timeline.Absent || ev.Bytes == 0) && bytes2 > 0 {
		if bytesKey != nil {
			ev.AddExtra(weblog.S(bytesKey), "0") // keep what the record said
		}
		ev.Bytes = bytes2
	}
	ev.Action = weblog.Action(ev.Method)
	if h.time != nil {
		ev.AddExtra("syslog_time", weblog.S(h.time))
	}
	if h.host != nil {
		ev.AddExtra("syslog_host", weblog.S(h.host))
	}
	if len(h.tag) > 0 {
		ev.AddExtra("syslog_tag", weblog.S(h.tag))
	}
	switch {
	case haveT1 && p.setTime(ev, &t1):
		if haveT2 {
			ev.AddExtra(weblog.S(t2.Key), p.dec.String(&t2))
		}
	case haveT2 && p.setTime(ev, &t2):
	case h.time != nil && p.setTimeText(ev, h.time):
	default:
		return p.v.name + ": no readable request time"
	}
	return ""
}

func (p *parser) setTime(ev *timeline.Event, f *weblog.Field) bool {
	if f.Kind != weblog.KindString && f.Kind != weblog.KindNumber {
		return false
	}
	return p.setTimeText(ev, f.Val)
}

// setTimeText reads RFC 3339 / ISO 8601, Unix time (seconds with a fraction,
// or an integer in s, ms, µs or ns), the Common Log Format time, or RFC 3164
// ("Nov 12 16:59:46", year from the case).
func (p *parser) setTimeText(ev *timeline.Event, b []byte) bool {
	if ns, ok := weblog.ParseEpoch(b); ok {
		ev.Time, ev.Zone, ev.TimeOrig = ns, "UTC", weblog.S(b)
		return true
	}
	var c weblog.Civil
	clf := b
	if len(clf) > 2 && clf[0] == '[' && clf[len(clf)-1] == ']' {
		clf = clf[1 : len(clf)-1]
	}
	if weblog.ParseISO(b, &c) || weblog.ParseCLF(clf, &c) || p.parseRFC3164(b, &c) {
		ev.Time = c.UnixNano(p.in.Zone)
		ev.TimeOrig = weblog.S(b)
		if c.HasZone {
			ev.Zone = weblog.ZoneLabel(&c, p.in)
		} else {
			ev.Zone = p.zoneLabel
		}
		return true
	}
	return false
}

// parseRFC3164 reads "Nov 12 16:59:46" with the case's year.
func (p *parser) parseRFC3164(b []byte, c *weblog.Civil) bool {
	if len(b) < 15 || b[3] != ' ' {
		return false
	}
	c.Mo = parsers.Month(b[:3])
	d := b[4:6]
	if d[0] == ' ' {
		d = d[1:]
	}
	day, ok := parsers.Digits(d)
	if c.Mo == 0 || !ok || b[6] != ' ' {
		return false
	}
	n, ok := weblog.ParseClock(b[7:], c)
	if !ok || 7+n != len(b) {
		return false
	}
	c.D = day
	c.Y = p.in.Year
	if c.Y == 0 {
		c.Y = p.in.ModTime.UTC().Year()
	}
	c.HasZone, c.UTC = false, false
	return c.Valid()
}

// detect looks at the first record: a JSON object (optionally behind a
// syslog header) with the vendor's own keys.
func detect(v *vendor, head []byte) int {
	line := head
	if nl := bytes.IndexByte(head, '\n'); nl >= 0 {
		line = head[:nl]
	}
	line = bytes.TrimSpace(line)
	h, obj, ok := splitSyslog(line)
	if !ok || len(obj) == 0 || obj[0] != '{' {
		return 0
	}
	wrapped := h.time != nil
	has := func(k string) bool { return bytes.Contains(obj, []byte(`"`+k+`"`)) }
	switch v {
	case cloudflare:
		if has("RayID") || has("EdgeStartTimestamp") || (has("ClientIP") && has("ClientRequestHost")) {
			return 95
		}
	case akamai:
		if has("reqTimeSec") || (has("cliIP") && has("reqPath")) {
			return 95
		}
	case fastly:
		if has("RayID") || has("reqTimeSec") || has("EdgeStartTimestamp") {
			return 0
		}
		if bytes.Contains(bytes.ToLower(obj), []byte("fastly")) {
			return 90
		}
		if wrapped && (has("request_method") || has("url") || has("response_status")) {
			return 70
		}
	}
	return 0
}
