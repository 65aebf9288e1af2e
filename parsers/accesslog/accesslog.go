package accesslog

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "access-log"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassWebOrigin}},
		Description: "nginx/Apache access log, common or combined (NCSA), optional vhost prefix and trailing fields",
		HasZone:     true,
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
		ParseLine: func(line []byte, in *parsers.Input, ev *timeline.Event) bool {
			var p Parser
			return p.Parse(line, ev)
		},
	})
}

// Parser parses lines; it keeps a small time cache between lines, so use one
// Parser per goroutine. Strings set on the event point into the line.
type Parser struct {
	lastStamp []byte
	lastTime  int64
	stampBuf  [64]byte
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Parse fills ev (which the caller has Reset and given its reference) from
// one line. It reports false when the line is not an access log line.
func (p *Parser) Parse(line []byte, ev *timeline.Event) bool {
	open := bytes.IndexByte(line, '[')
	if open < 2 || line[open-1] != ' ' {
		return false
	}
	closeAt := bytes.IndexByte(line[open:], ']')
	if closeAt < 0 {
		return false
	}
	closeAt += open
	stamp := line[open+1 : closeAt]
	t, ok := p.parseTime(stamp)
	if !ok {
		return false
	}
	if !p.prefix(line[:open-1], ev) {
		return false
	}
	rest := line[closeAt+1:]
	if len(rest) < 2 || rest[0] != ' ' || rest[1] != '"' {
		return false
	}
	req, rest, ok := quoted(rest[1:])
	if !ok {
		return false
	}
	status, rest := token(rest)
	st, ok := parsers.Digits(status)
	if isDash(status) { // Traefik writes "-" when no response was sent
		st, ok = 0, true
	}
	if !ok || st > 999 {
		return false
	}
	size, rest := token(rest)
	switch {
	case len(size) == 1 && size[0] == '-':
		ev.Bytes = 0
	default:
		n, ok := parsers.Digits(size)
		if !ok {
			return false
		}
		ev.Bytes = int64(n)
	}
	ev.Time = t
	ev.TimeDesc = timeline.TimeRequest
	ev.TimeOrig = str(stamp)
	if len(stamp) >= 5 {
		ev.Zone = str(stamp[len(stamp)-5:])
	}
	ev.Source = FormatName
	ev.Status = int32(st)
	request(req, ev)

	// Combined format: "referer" "user agent", then anything else.
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) > 0 && rest[0] == '"' {
		var ref, ua []byte
		if ref, rest, ok = quoted(rest); !ok {
			return false
		}
		if !isDash(ref) {
			ev.AddExtra("referer", str(ref))
		}
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) > 0 && rest[0] == '"' {
			if ua, rest, ok = quoted(rest); !ok {
				return false
			}
			if !isDash(ua) {
				ev.UserAgent = str(ua)
			}
		}
		rest = bytes.TrimLeft(rest, " ")
		// nginx "main" and many setups append "$http_x_forwarded_for".
		if len(rest) > 0 && rest[0] == '"' {
			var xff []byte
			if xff, rest, ok = quoted(rest); !ok {
				return false
			}
			if !isDash(xff) {
				ev.AddExtra("x_forwarded_for", str(xff))
			}
			rest = bytes.TrimLeft(rest, " ")
		}
	}
	if len(rest) > 0 {
		ev.AddExtra("trailer", str(rest))
	}
	return true
}

// prefix reads the fields before the time: [vhost[:port]] addr [ident [user]].
func (p *Parser) prefix(b []byte, ev *timeline.Event) bool {
	var f [4][]byte
	n := 0
	for len(b) > 0 && n < 4 {
		var tok []byte
		tok, b = token(b)
		if len(tok) > 0 {
			f[n] = tok
			n++
		}
	}
	if len(b) > 0 { // a user name with spaces: keep it whole
		if n < 4 {
			return false
		}
		f[3] = f[3][:len(f[3])+1+len(b)]
	}
	if n == 4 {
		host := f[0]
		if i := bytes.LastIndexByte(host, ':'); i > 0 && bytes.IndexByte(host, ']') < 0 && bytes.Count(host, []byte{':'}) == 1 {
			ev.AddExtra("vhost_port", str(host[i+1:]))
			host = host[:i]
		}
		ev.AddExtra("vhost", str(host))
		copy(f[:], f[1:])
		n--
	}
	if n == 0 || !looksLikeAddress(f[0]) {
		return false
	}
	ev.SrcIP = str(f[0])
	if n >= 3 && !isDash(f[2]) {
		ev.User = str(f[2])
	}
	return true
}

// looksLikeAddress accepts IPv4, IPv6 and host names: letters, digits and
// . : - _ only. It rejects the bracketed time and quoted fields.
func looksLikeAddress(b []byte) bool {
	if len(b) == 0 || len(b) > 255 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == ':' || c == '-' || c == '_' || c == '%') {
			return false
		}
	}
	return true
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// token returns the next space-separated token and what follows it.
func token(b []byte) (tok, rest []byte) {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

// quoted reads a double-quoted field starting at b[0] == '"'. Apache escapes
// quotes as \" and nginx as \x22; both leave the field intact here.
func quoted(b []byte) (field, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, b, false
	}
	for i := 1; ; {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return nil, b, false
		}
		j += i
		// A quote preceded by an odd number of backslashes is escaped.
		n := 0
		for k := j - 1; k >= 1 && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return b[1:j], b[j+1:], true
		}
		i = j + 1
	}
}

// request splits "METHOD URL PROTO". A request that is not of that shape
// (probes send binary garbage) is kept whole in the message.
func request(req []byte, ev *timeline.Event) {
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || !isMethod(req[:sp]) {
		if len(req) > 0 && !isDash(req) {
			ev.Message = str(req)
		}
		return
	}
	ev.Method = str(req[:sp])
	target := req[sp+1:]
	if e := bytes.LastIndexByte(target, ' '); e >= 0 && bytes.HasPrefix(target[e+1:], []byte("HTTP/")) {
		ev.AddExtra("proto", str(target[e+1:]))
		target = target[:e]
	}
	ev.URL = str(target)
	switch ev.Method {
	case "GET", "HEAD":
		ev.Action = timeline.ActionRead
	case "POST", "PUT", "PATCH":
		ev.Action = timeline.ActionModify
	case "DELETE":
		ev.Action = timeline.ActionDelete
	}
}

func isMethod(b []byte) bool {
	if len(b) == 0 || len(b) > 16 {
		return false
	}
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// parseTime reads "02/Jan/2006:15:04:05 -0700", optionally with a fraction
// after the seconds. Consecutive lines usually share a second, so the last
// stamp is cached.
func (p *Parser) parseTime(b []byte) (int64, bool) {
	if len(p.lastStamp) > 0 && bytes.Equal(b, p.lastStamp) {
		return p.lastTime, true
	}
	if len(b) < 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return 0, false
	}
	d, ok1 := parsers.Digits(b[0:2])
	mo := parsers.Month(b[3:6])
	y, ok2 := parsers.Digits(b[7:11])
	h, ok3 := parsers.Digits(b[12:14])
	mi, ok4 := parsers.Digits(b[15:17])
	s, ok5 := parsers.Digits(b[18:20])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || mo == 0 || !parsers.ValidDate(y, mo, d, h, mi, s) {
		return 0, false
	}
	nsec := 0
	i := 20
	if b[i] == '.' || b[i] == ',' {
		scale := 100000000
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			nsec += int(b[i]-'0') * scale
			scale /= 10
		}
	}
	if len(b)-i != 6 || b[i] != ' ' {
		return 0, false
	}
	off, ok := offset(b[i+1:])
	if !ok {
		return 0, false
	}
	t := parsers.UnixNano(y, mo, d, h, mi, s, nsec, off)
	if len(b) <= len(p.stampBuf) {
		p.lastStamp = append(p.stampBuf[:0], b...)
		p.lastTime = t
	}
	return t, true
}

// offset parses "+0900" / "-0330" into seconds east of UTC.
func offset(b []byte) (int, bool) {
	if len(b) != 5 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	hh, ok1 := parsers.Digits(b[1:3])
	mm, ok2 := parsers.Digits(b[3:5])
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, false
	}
	o := hh*3600 + mm*60
	if b[0] == '-' {
		o = -o
	}
	return o, true
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return ParseReader(ctx, r, in, sink)
}

// ParseReader parses every line of r as an access log.
func ParseReader(ctx context.Context, r io.Reader, in *parsers.Input, sink timeline.Sink) error {
	var (
		p    Parser
		ev   timeline.Event
		last int64
	)
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		ev.Reset()
		parsers.FillRef(&ev, in, l)
		if !l.Truncated && p.Parse(l.Text, &ev) {
			last = ev.Time
		} else {
			parsers.Unparsed(&ev, in, l, last, "not an access log line")
		}
		return sink.Emit(&ev)
	})
}

func detect(name string, head []byte) int {
	lines, good := 0, 0
	var p Parser
	var ev timeline.Event
	for len(head) > 0 && lines < 20 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			break // a partial last line says nothing
		}
		line := bytes.TrimSuffix(head[:i], []byte{'\r'})
		head = head[i+1:]
		if len(line) == 0 {
			continue
		}
		lines++
		ev.Reset()
		if p.Parse(line, &ev) {
			good++
		}
	}
	if lines == 0 {
		return 0
	}
	score := 90 * good / lines
	base := strings.ToLower(filepath.Base(name))
	if score > 0 && (strings.Contains(base, "access") || strings.Contains(base, "nginx") || strings.Contains(base, "apache") || strings.Contains(base, "httpd")) {
		score += 5
	}
	return score
}
