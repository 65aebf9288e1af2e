package logformat

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/weblog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Source is the format and event source name.
const Source = "log-format"

// Option is the Input.Options key holding the format string.
const Option = "log_format"

func init() {
	parsers.Register(&parsers.Format{
		Name:        Source,
		Sources:     []parsers.Source{{Name: Source, Class: parsers.ClassWebOrigin}},
		Description: "web server access log in a custom nginx log_format / Apache LogFormat given in bundle.yaml (log_format)",
		HasZone:     true, HasYear: true,
		Detect:    func(name string, head []byte) int { return 0 }, // needs the manifest's log_format: see the package doc
		Parse:     parse,
		ParseLine: parseLine,
	})
}

// compiled caches formats for ParseLine, which is called line by line.
var compiled sync.Map // string → *Format or error

func lookup(s string) (*Format, error) {
	if v, ok := compiled.Load(s); ok {
		if f, ok := v.(*Format); ok {
			return f, nil
		}
		return nil, v.(error)
	}
	f, err := Compile(s)
	if err != nil {
		compiled.Store(s, err)
		return nil, err
	}
	compiled.Store(s, f)
	return f, nil
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	spec := in.Options[Option]
	if spec == "" {
		return fmt.Errorf("%s: format log-format needs the log_format option in bundle.yaml", in.Name)
	}
	f, err := Compile(spec)
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	m := newMatcher(f, in)
	return weblog.Run(ctx, in, sink, m.line)
}

func parseLine(line []byte, in *parsers.Input, ev *timeline.Event) bool {
	f, err := lookup(in.Options[Option])
	if err != nil {
		return false
	}
	m := newMatcher(f, in)
	ev.Reset()
	return weblog.LineDone(ev, in, m.line(line, ev))
}

// matcher applies a compiled format to lines of one input.
type matcher struct {
	f         *Format
	in        *parsers.Input
	dec       weblog.Decoder
	zoneLabel string
}

func newMatcher(f *Format, in *parsers.Input) *matcher {
	return &matcher{f: f, in: in, zoneLabel: in.ZoneLabel()}
}

// fieldEnd finds where the value of field i starting at pos ends: at the
// next literal. When that literal starts with a space, the spaces the value
// is known to hold ($time_local: one) are passed over first. A path directly
// followed by its query (%U%q) ends at the '?'.
func fieldEnd(text []byte, pos int, steps []step, i int) int {
	st := &steps[i]
	if i+1 == len(steps) {
		return len(text)
	}
	next := &steps[i+1]
	if next.field { // %U%q
		end := fieldEnd(text, pos, steps, i+1)
		if end < 0 {
			return -1
		}
		if q := bytes.IndexByte(text[pos:end], '?'); q >= 0 {
			return pos + q
		}
		return end
	}
	from := pos
	lit := next.lit
	if lit[0] == ':' && (st.kind == fSrcIP || st.kind == fDstIP) {
		// "$remote_addr:$remote_port" with an IPv6 address: the port follows
		// the last colon of the word.
		w := bytes.IndexAny(text[pos:], " \t\"]")
		if w < 0 {
			w = len(text) - pos
		}
		if c := bytes.LastIndexByte(text[pos:pos+w], ':'); c >= 0 && bytes.HasPrefix(text[pos+c:], weblog.B(lit)) {
			return pos + c
		}
	}
	if lit[0] == ' ' {
		for n := 0; n < st.spaces; n++ {
			sp := bytes.IndexByte(text[from:], ' ')
			if sp < 0 {
				break
			}
			from += sp + 1
		}
	}
	for {
		var k int
		if len(lit) == 1 {
			k = bytes.IndexByte(text[from:], lit[0])
		} else {
			k = bytes.Index(text[from:], weblog.B(lit))
		}
		if k < 0 {
			return -1
		}
		end := from + k
		// A quote escaped inside the value (Apache writes \") is not the
		// closing quote.
		if lit[0] == '"' && end > pos && text[end-1] == '\\' {
			from = end + 1
			continue
		}
		return end
	}
}

// values of one line combined after the walk.
type lineVals struct {
	path, query []byte
	timeStep    *step
	timeVal     []byte
}

func (m *matcher) line(text []byte, ev *timeline.Event) string {
	m.dec.Reset()
	text = bytes.TrimRight(text, " \r")
	steps := m.f.steps
	pos := 0
	var lv lineVals
	ev.Source = Source
	ev.TimeDesc = timeline.TimeRequest
	for i := range steps {
		st := &steps[i]
		if !st.field {
			if !bytes.HasPrefix(text[pos:], weblog.B(st.lit)) {
				// A trailing literal of only spaces may have been trimmed.
				if i == len(steps)-1 && len(bytes.TrimSpace(weblog.B(st.lit))) == 0 && pos == len(text) {
					break
				}
				return fmt.Sprintf("log-format: expected %q at byte %d", st.lit, pos)
			}
			pos += len(st.lit)
			continue
		}
		end := fieldEnd(text, pos, steps, i)
		if end < 0 {
			return fmt.Sprintf("log-format: no end for %s at byte %d", st.key, pos)
		}
		v := text[pos:end]
		if st.word && bytes.IndexByte(v, ' ') >= 0 {
			return fmt.Sprintf("log-format: space inside %s at byte %d", st.key, pos)
		}
		m.field(ev, st, v, &lv)
		pos = end
	}
	if pos != len(text) {
		return fmt.Sprintf("log-format: %d bytes left over at byte %d", len(text)-pos, pos)
	}
	if ev.URL == "" && lv.path != nil {
		q := lv.query
		if len(q) > 0 && q[0] == '?' {
			q = q[1:]
		}
		if len(q) > 0 {
			ev.URL = m.dec.Concat(lv.path, []byte{'?'}, q)
		} else {
			ev.URL = weblog.S(lv.path)
		}
	}
	ev.Action = weblog.Action(ev.Method)
	if lv.timeStep == nil {
		return "log-format: no time in the line"
	}
	if !m.setTime(ev, lv.timeStep, lv.timeVal) {
		return fmt.Sprintf("log-format: bad time %q", lv.timeVal)
	}
	return ""
}

func (m *matcher) field(ev *timeline.Event, st *step, v []byte, lv *lineVals) {
	if isTime(st.kind) {
		if lv.timeStep == nil {
			lv.timeStep, lv.timeVal = st, v
		} else {
			ev.AddExtra(st.key, weblog.S(v))
		}
		return
	}
	if weblog.Dash(v) || (len(v) == 2 && v[0] == '"' && v[1] == '"') {
		if st.kind == fBytes && len(v) == 1 && st.key == "body_bytes_sent" {
			ev.Bytes = 0 // Apache's %b writes "-" for no body
		}
		return
	}
	switch st.kind {
	case fSrcIP:
		ev.SrcIP = weblog.S(v)
	case fSrcPort:
		if n, ok := parsers.Digits(v); ok && n <= 65535 {
			ev.SrcPort = int32(n)
		} else {
			ev.AddExtra(st.key, weblog.S(v))
		}
	case fDstIP:
		ev.DstIP = weblog.S(v)
	case fDstPort:
		if n, ok := parsers.Digits(v); ok && n <= 65535 {
			ev.DstPort = int32(n)
		} else {
			ev.AddExtra(st.key, weblog.S(v))
		}
	case fUser:
		ev.User = weblog.S(v)
	case fRequest:
		request(ev, v)
	case fMethod:
		ev.Method = weblog.S(v)
	case fURI:
		ev.URL = weblog.S(v)
	case fPath:
		lv.path = v
	case fQuery:
		lv.query = v
	case fStatus:
		if n, ok := parsers.Digits(v); ok && n < 1000 {
			ev.Status = int32(n)
		} else {
			ev.AddExtra(st.key, weblog.S(v))
		}
	case fBytes:
		if n, ok := parsers.Digits(v); ok {
			ev.Bytes = int64(n)
		} else {
			ev.AddExtra(st.key, weblog.S(v))
		}
	case fUA:
		ev.UserAgent = weblog.S(v)
	case fXFF:
		ev.AddExtra(st.key, weblog.S(v))
		if first := weblog.FirstForwarded(v); len(first) > 0 && !weblog.Dash(first) {
			ev.AddExtra("client_ip", weblog.S(first))
		}
	default:
		ev.AddExtra(st.key, weblog.S(v))
	}
}

// request splits "GET /index.html?x=1 HTTP/1.1"; anything else (a TLS
// handshake sent to a plain HTTP port, a truncated line) is kept whole in
// the message, as the access-log format does.
func request(ev *timeline.Event, r []byte) {
	sp := bytes.IndexByte(r, ' ')
	last := bytes.LastIndexByte(r, ' ')
	if sp <= 0 || !isMethod(r[:sp]) {
		ev.Message = weblog.S(r)
		return
	}
	ev.Method = weblog.S(r[:sp])
	if last > sp && bytes.HasPrefix(r[last+1:], []byte("HTTP/")) {
		ev.URL = weblog.S(r[sp+1 : last])
		ev.AddExtra("proto", weblog.S(r[last+1:]))
		return
	}
	ev.URL = weblog.S(r[sp+1:]) // HTTP/0.9: no protocol
}

func isMethod(b []byte) bool {
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	for _, c := range b {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func (m *matcher) setTime(ev *timeline.Event, st *step, v []byte) bool {
	var c weblog.Civil
	switch st.kind {
	case fTimeCLF:
		t := v
		if len(t) > 2 && t[0] == '[' && t[len(t)-1] == ']' {
			t = t[1 : len(t)-1]
		}
		if !weblog.ParseCLF(t, &c) {
			return false
		}
	case fTimeISO:
		if !weblog.ParseISO(v, &c) {
			return false
		}
	case fTimeEpoch, fTimeEpochMs, fTimeEpochUs:
		n, ok := parsers.Digits(v)
		var ns int64
		switch {
		case st.kind == fTimeEpochMs && ok:
			ns = int64(n) * 1e6
		case st.kind == fTimeEpochUs && ok:
			ns = int64(n) * 1e3
		default:
			var ok2 bool
			if ns, ok2 = weblog.ParseEpoch(v); !ok2 {
				return false
			}
		}
		ev.Time, ev.TimeOrig, ev.Zone = ns, weblog.S(v), "UTC"
		return true
	case fTimeStrftime:
		if !strptime(st.tfmt, v, &c, m.in) {
			return false
		}
	default:
		return false
	}
	ev.Time = c.UnixNano(m.in.Zone)
	ev.TimeOrig = weblog.S(v)
	if c.HasZone {
		ev.Zone = weblog.ZoneLabel(&c, m.in)
	} else {
		ev.Zone = m.zoneLabel
	}
	return true
}

// strptime reads v with a strftime format: %Y %y %m %d %e %H %M %S %b %B
// %h %a %A %j-less formats, %T %F %D %R, %z %Z (UTC/GMT only), %s, %p-less.
func strptime(format string, v []byte, c *weblog.Civil, in *parsers.Input) bool {
	*c = weblog.Civil{D: 1, Mo: 1}
	i := 0
	num := func(max int) (int, bool) {
		j := i
		for j < len(v) && j-i < max && v[j] >= '0' && v[j] <= '9' {
			j++
		}
		if j == i {
			return 0, false
		}
		n, _ := parsers.Digits(v[i:j])
		i = j
		return n, true
	}
	word := func() []byte {
		j := i
		for j < len(v) && ((v[j] >= 'a' && v[j] <= 'z') || (v[j] >= 'A' && v[j] <= 'Z')) {
			j++
		}
		w := v[i:j]
		i = j
		return w
	}
	var expand func(f string) bool
	expand = func(f string) bool {
		for k := 0; k < len(f); k++ {
			if f[k] != '%' || k+1 == len(f) {
				if i >= len(v) || v[i] != f[k] {
					return false
				}
				i++
				continue
			}
			k++
			var ok bool
			switch f[k] {
			case 'Y':
				c.Y, ok = num(4)
			case 'y':
				c.Y, ok = num(2)
				c.Y += 2000
				if c.Y > 2068 {
					c.Y -= 100
				}
			case 'm':
				c.Mo, ok = num(2)
			case 'd':
				c.D, ok = num(2)
			case 'e':
				if i < len(v) && v[i] == ' ' {
					i++
				}
				c.D, ok = num(2)
			case 'H':
				c.H, ok = num(2)
			case 'M':
				c.Mi, ok = num(2)
			case 'S':
				c.S, ok = num(2)
			case 'b', 'B', 'h':
				c.Mo = parsers.Month(word())
				ok = c.Mo > 0
			case 'a', 'A':
				ok = len(word()) > 0
			case 'T':
				ok = expand("%H:%M:%S")
			case 'F':
				ok = expand("%Y-%m-%d")
			case 'D':
				ok = expand("%m/%d/%y")
			case 'R':
				ok = expand("%H:%M")
			case 'z':
				off, n, okz := weblog.ParseOffset(v[i:])
				if okz {
					c.Off, c.HasZone, i = off, true, i+n
				}
				ok = okz
			case 'Z':
				w := word()
				ok = string(w) == "UTC" || string(w) == "GMT"
				c.HasZone, c.UTC = ok, ok
			case 's':
				var n int
				n, ok = num(12)
				if ok {
					days := int64(n) / 86400
					secs := int(int64(n) % 86400)
					y, mo, d := weblog.CivilFromDays(days)
					c.Y, c.Mo, c.D, c.H, c.Mi, c.S, c.HasZone, c.UTC = y, mo, d, secs/3600, secs/60%60, secs%60, true, true
				}
			case '%':
				ok = i < len(v) && v[i] == '%'
				i++
			default:
				return false
			}
			if !ok {
				return false
			}
		}
		return true
	}
	if !expand(format) || i != len(v) {
		return false
	}
	if c.Y == 0 {
		c.Y = in.Year
		if c.Y == 0 {
			c.Y = in.ModTime.UTC().Year()
		}
	}
	return c.Valid()
}
