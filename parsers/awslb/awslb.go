package awslb

import (
	"bytes"
	"context"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/weblog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Source is the format and event source name.
const Source = "aws-alb"

func init() {
	parsers.Register(&parsers.Format{
		Name:        Source,
		Sources:     []parsers.Source{{Name: Source, Class: parsers.ClassCDN}},
		Description: "AWS Elastic Load Balancing access logs (Application, Classic and Network TLS load balancers)",
		HasZone:     true, HasYear: true,
		Detect:    detect,
		Parse:     parse,
		ParseLine: parseLine,
	})
}

// Field names after the leading type (ALB), in AWS's order; the request
// line, user agent and addresses are handled by position before these.
var albFields = []string{
	"type", "response_time", "elb", "", "", "request_processing_time", "target_processing_time", "response_processing_time",
	"elb_status_code", "target_status_code", "received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher", "ssl_protocol",
	"target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority", "request_creation_time",
	"actions_executed", "redirect_url", "error_reason", "target_list", "target_status_code_list", "classification",
	"classification_reason", "conn_trace_id", "transformed_host", "transformed_uri", "request_transform_status",
}

var classicFields = []string{
	"timestamp", "elb", "", "", "request_processing_time", "backend_processing_time", "response_processing_time",
	"elb_status_code", "backend_status_code", "received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher", "ssl_protocol",
}

var nlbFields = []string{
	"type", "version", "time", "elb", "listener", "", "", "connection_time", "tls_handshake_time", "received_bytes", "sent_bytes",
	"incoming_tls_alert", "chosen_cert_arn", "chosen_cert_serial", "tls_cipher", "tls_protocol_version", "tls_named_group",
	"domain_name", "alpn_fe_protocol", "alpn_be_protocol", "alpn_client_preference_list", "tls_connection_creation_time",
}

type parser struct {
	in   *parsers.Input
	vals [][]byte
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	p := &parser{in: in}
	return weblog.Run(ctx, in, sink, p.line)
}

func parseLine(line []byte, in *parsers.Input, ev *timeline.Event) bool {
	p := &parser{in: in}
	ev.Reset()
	return weblog.LineDone(ev, in, p.line(line, ev))
}

// split cuts a line on single spaces, keeping "quoted values" (with \"
// escapes) whole and without their quotes.
func (p *parser) split(text []byte) bool {
	p.vals = p.vals[:0]
	i := 0
	for i < len(text) {
		if text[i] == '"' {
			j := i + 1
			for {
				k := bytes.IndexByte(text[j:], '"')
				if k < 0 {
					return false // unterminated quote
				}
				j += k
				// A quote after an odd run of backslashes is escaped.
				n := 0
				for b := j - 1; b > i && text[b] == '\\'; b-- {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			p.vals = append(p.vals, text[i+1:j])
			i = j + 1
		} else {
			j := bytes.IndexByte(text[i:], ' ')
			if j < 0 {
				p.vals = append(p.vals, text[i:])
				return true
			}
			p.vals = append(p.vals, text[i:i+j])
			i += j
		}
		if i < len(text) {
			if text[i] != ' ' {
				return false
			}
			i++
			if i == len(text) {
				p.vals = append(p.vals, text[i:]) // a trailing empty value
			}
		}
	}
	return true
}

func isALBType(b []byte) bool {
	switch string(b) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

func (p *parser) line(text []byte, ev *timeline.Event) string {
	if !p.split(text) || len(p.vals) < 3 {
		return "aws-alb: not a load balancer log line"
	}
	ev.Source = Source
	ev.Zone = "UTC"
	v := p.vals
	switch {
	case isALBType(v[0]):
		if len(v) < 22 {
			return "aws-alb: too few fields for an application load balancer line"
		}
		ev.AddExtra("lb", "alb")
		return p.http(ev, albFields, 1, 21)
	case string(v[0]) == "tls" && len(v) >= 21:
		ev.AddExtra("lb", "nlb")
		return p.nlb(ev)
	case len(v) >= 15 && len(v[0]) >= 20 && v[0][4] == '-':
		ev.AddExtra("lb", "elb")
		return p.http(ev, classicFields, 0, -1)
	}
	return "aws-alb: unknown load balancer log layout"
}

// http reads an ALB or Classic ELB line: names lists the field names, tIdx
// is the index of the response time (ALB) or timestamp (Classic), reqIdx of
// request_creation_time (ALB) or -1.
func (p *parser) http(ev *timeline.Event, names []string, tIdx, reqIdx int) string {
	v := p.vals
	ev.TimeDesc = timeline.TimeRequest
	var c weblog.Civil
	timeAt := tIdx
	if reqIdx >= 0 && reqIdx < len(v) && weblog.ParseISO(v[reqIdx], &c) {
		timeAt = reqIdx
	} else if !weblog.ParseISO(v[tIdx], &c) {
		return "aws-alb: bad time"
	}
	ev.Time = c.UnixNano(nil)
	ev.TimeOrig = weblog.S(v[timeAt])
	if !c.UTC && c.HasZone {
		ev.Zone = weblog.OffsetLabel(c.Off)
	}
	client, target := tIdx+2, tIdx+3
	if h, port := weblog.SplitHostPort(v[client]); !weblog.Dash(h) {
		ev.SrcIP, ev.SrcPort = weblog.S(h), port
	}
	if h, port := weblog.SplitHostPort(v[target]); !weblog.Dash(h) {
		ev.DstIP, ev.DstPort = weblog.S(h), port
	}
	for i, val := range v {
		if i >= len(names) {
			if i == len(names) {
				ev.AddExtra("extra_fields", weblog.S(bytes.Join(v[i:], []byte{' '})))
			}
			break
		}
		name := names[i]
		if name == "" || weblog.Dash(val) {
			continue
		}
		switch name {
		case "elb_status_code":
			if st, ok := parsers.Digits(val); ok && st < 1000 {
				ev.Status = int32(st)
				continue
			}
		case "sent_bytes":
			if n, ok := weblog.Int(val); ok && n >= 0 {
				ev.Bytes = n
				continue
			}
		case "user_agent":
			ev.UserAgent = weblog.S(val)
			continue
		case "request":
			request(ev, val)
			continue
		case "request_creation_time", "timestamp":
			if i == timeAt {
				continue
			}
		case "response_time":
			if i == timeAt {
				continue
			}
		}
		ev.AddExtra(name, weblog.S(val))
	}
	ev.Action = weblog.Action(ev.Method)
	return ""
}

// request splits "GET https://www.example.com:443/robots.txt?x=1 HTTP/1.1".
func request(ev *timeline.Event, r []byte) {
	r = bytes.TrimRight(r, " ") // a TCP listener logs "- - - "
	sp := bytes.IndexByte(r, ' ')
	if sp < 0 {
		ev.Message = weblog.S(r) // not "METHOD URL PROTO": kept whole
		return
	}
	method, rest := r[:sp], r[sp+1:]
	proto := []byte(nil)
	if last := bytes.LastIndexByte(rest, ' '); last >= 0 {
		rest, proto = rest[:last], rest[last+1:]
	}
	if !weblog.Dash(method) {
		ev.Method = weblog.S(method)
	}
	if !weblog.Dash(proto) {
		ev.AddExtra("proto", weblog.S(proto))
	}
	if weblog.Dash(rest) {
		return
	}
	url := rest
	if k := bytes.Index(url, []byte("://")); k > 0 && k < 8 {
		ev.AddExtra("scheme", weblog.S(url[:k]))
		hostport := url[k+3:]
		path := []byte(nil)
		if s := bytes.IndexAny(hostport, "/?"); s >= 0 {
			hostport, path = hostport[:s], hostport[s:]
		}
		h, port := weblog.SplitHostPort(hostport)
		if len(h) > 0 {
			ev.AddExtra("vhost", weblog.S(h))
		}
		if c := bytes.LastIndexByte(hostport, ':'); c >= 0 && port > 0 {
			ev.AddExtra("port", weblog.S(hostport[c+1:]))
		}
		url = path
		if len(url) == 0 {
			url = []byte("/")
		}
	}
	ev.URL = weblog.S(url)
}

// nlb reads a Network Load Balancer TLS line.
func (p *parser) nlb(ev *timeline.Event) string {
	v := p.vals
	ev.TimeDesc = timeline.TimeLog
	var c weblog.Civil
	if !weblog.ParseISO(v[2], &c) {
		return "aws-alb: bad time"
	}
	ev.Time = c.UnixNano(nil) // AWS writes these times in UTC
	ev.TimeOrig = weblog.S(v[2])
	if h, port := weblog.SplitHostPort(v[5]); !weblog.Dash(h) {
		ev.SrcIP, ev.SrcPort = weblog.S(h), port
	}
	if h, port := weblog.SplitHostPort(v[6]); !weblog.Dash(h) {
		ev.DstIP, ev.DstPort = weblog.S(h), port
	}
	for i, val := range v {
		if i >= len(nlbFields) {
			break
		}
		name := nlbFields[i]
		if name == "" || name == "time" || weblog.Dash(val) {
			continue
		}
		if name == "sent_bytes" {
			if n, ok := weblog.Int(val); ok && n >= 0 {
				ev.Bytes = n
				continue
			}
		}
		ev.AddExtra(name, weblog.S(val))
	}
	return ""
}

// detect: the first non-empty line is one of the three layouts.
func detect(name string, head []byte) int {
	cur, _ := weblog.NextLine(head)
	if cur == nil {
		return 0
	}
	p := &parser{in: &parsers.Input{}}
	var ev timeline.Event
	ev.Reset()
	if p.line(cur, &ev) != "" {
		return 0
	}
	// The client and target fields must be addresses, not words.
	if ev.SrcIP == "" || !strings.ContainsAny(ev.SrcIP, ".:") {
		return 0
	}
	if strings.Contains(name, "elasticloadbalancing") {
		return 100
	}
	return 95
}
