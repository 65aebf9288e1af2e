package cef

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "cef"

var str = devlog.Str

func init() {
	devlog.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassFirewall}},
		Description: "ArcSight Common Event Format (CEF), bare or syslog-wrapped",
		HasZone:     false,
		HasYear:     false,
		Detect:      detect,
	}, ParseLine, "not a CEF line")
}

// state is the per-file state: the last time seen (for lines with none)
// and a buffer for unescaped values.
type state struct {
	have     bool
	lastTime int64
	buf      []byte
}

func stateOf(s *devlog.State) *state {
	if st, ok := s.Ext.(*state); ok {
		return st
	}
	st := &state{}
	s.Ext = st
	return st
}

// cefStart finds the CEF header in line: "CEF:0|" (or "CEF: 0|"), or a
// line that starts with the version and a pipe ("0|Vendor|...", as some
// relays strip the prefix). It returns the index of the version digit.
func cefStart(line []byte) int {
	if i := bytes.Index(line, []byte("CEF:")); i >= 0 {
		j := i + 4
		for j < len(line) && line[j] == ' ' {
			j++
		}
		if j+1 < len(line) && line[j] >= '0' && line[j] <= '9' && bytes.IndexByte(line[j:min(len(line), j+4)], '|') > 0 {
			return j
		}
		return -1
	}
	if len(line) > 2 && line[0] >= '0' && line[0] <= '9' && line[1] == '|' && bytes.Count(line, []byte{'|'}) >= 7 {
		return 0
	}
	return -1
}

// ParseLine parses one CEF line. Strings point into line or into the
// state's buffer, valid until the next line.
func ParseLine(s *devlog.State, line []byte, ev *timeline.Event) bool {
	at := cefStart(line)
	if at < 0 {
		return false
	}
	st := stateOf(s)
	st.buf = st.buf[:0]
	var h syslog.Header
	hdr := at > 0 && s.Header(line, &h)
	if hdr {
		syslog.FillEvent(&h, ev, FormatName)
	}
	// Seven header fields, then the extension.
	var f [7][]byte
	b := line[at:]
	for i := 0; i < 7; i++ {
		end := pipe(b)
		if end < 0 {
			return false
		}
		f[i] = st.unescape(b[:end])
		b = b[end+1:]
	}
	ev.Source = FormatName
	for i, k := range [...]string{"cef_version", "cef_vendor", "cef_product", "cef_device_version", "cef_signature_id", "cef_name", "cef_severity"} {
		ev.AddExtra(k, str(f[i]))
	}
	name := f[5]
	ev.Message = str(name)
	timed := false
	var act, in, out []byte
	extension(b, func(k, v []byte) {
		v = st.unescape(v)
		ev.AddExtra(str(k), str(v))
		switch string(k) {
		case "src", "c6a2":
			if ev.SrcIP == "" || string(k) == "src" {
				ev.SrcIP = str(v)
			}
		case "dst", "c6a3":
			if ev.DstIP == "" || string(k) == "dst" {
				ev.DstIP = str(v)
			}
		case "spt":
			ev.SrcPort, _ = devlog.Int32(v)
		case "dpt":
			ev.DstPort, _ = devlog.Int32(v)
		case "suser":
			ev.User = str(v)
		case "request":
			ev.URL = str(v)
		case "requestMethod":
			ev.Method = str(v)
		case "requestClientApplication":
			ev.UserAgent = str(v)
		case "act":
			act = v
		case "in":
			in = v
		case "out":
			out = v
		case "msg":
			if len(v) > 0 {
				ev.Message = str(v)
			}
		case "rt", "start", "end", "deviceReceiptTime":
			if !timed || string(k) == "rt" {
				if t, orig, zone, ok := cefTime(s, v); ok {
					ev.Time, ev.TimeOrig, ev.Zone, timed = t, str(orig), zone, true
				}
			}
		default:
			if !timed && len(k) > 4 && (bytes.HasSuffix(k, []byte("Time")) || bytes.HasSuffix(k, []byte("time"))) {
				if t, zone, ok := syslog.ParseRFC3339(v); ok {
					ev.Time, ev.TimeOrig, ev.Zone, timed = t, str(v), zone, true
				}
			}
		}
	})
	if n1, ok := devlog.Int64(in); ok {
		n2, _ := devlog.Int64(out)
		ev.Bytes = n1 + n2
	} else if n2, ok := devlog.Int64(out); ok {
		ev.Bytes = n2
	}
	ev.Action = action(act, name)
	switch {
	case timed:
		ev.TimeDesc = timeline.TimeLog
		s.Yearless = false
		if hdr {
			ev.AddExtra("syslog_time", str(h.TimeOrig))
		}
	case hdr:
		// The syslog header's time, already set.
	case st.have:
		ev.Time = st.lastTime
		ev.TimeDesc = timeline.TimeUnknown
		ev.Zone = s.ZoneLabel()
		ev.AddTag("no-timestamp")
	default:
		return false // no time at all, nothing before: kept raw
	}
	if ev.TimeDesc != timeline.TimeUnknown {
		st.lastTime, st.have = ev.Time, true
	}
	return true
}

// pipe returns the index of the next unescaped '|'.
func pipe(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '|':
			return i
		}
	}
	return -1
}

// unescape resolves \| \\ \= and \n, \r into the state's buffer; a value
// without a backslash comes back as it is.
func (st *state) unescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	start := len(st.buf)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			i++
			switch v[i] {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			default:
				c = v[i]
			}
		}
		st.buf = append(st.buf, c)
	}
	return st.buf[start:]
}

// extension calls fn for each key=value; a value runs to the space before
// the next key= (a key being letters, digits, '_', '.', '[' or ']'
// followed by an unescaped '=').
func extension(b []byte, fn func(k, v []byte)) {
	b = bytes.TrimLeft(b, " ")
	for len(b) > 0 {
		eq := -1
		for i := 0; i < len(b); i++ {
			if b[i] == '=' {
				eq = i
				break
			}
			if !isKeyChar(b[i]) {
				break
			}
		}
		if eq <= 0 {
			return // not key=value: the rest is free text, kept in the line
		}
		k := b[:eq]
		v := b[eq+1:]
		end := len(v)
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' {
				i++
				continue
			}
			if v[i] == ' ' && nextIsKey(v[i+1:]) {
				end = i
				break
			}
		}
		fn(k, bytes.TrimRight(v[:end], " "))
		if end == len(v) {
			return
		}
		b = v[end+1:]
	}
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '[' || c == ']' || c == '-'
}

func nextIsKey(b []byte) bool {
	for i := 0; i < len(b) && i < 64; i++ {
		if b[i] == '=' {
			return i > 0
		}
		if !isKeyChar(b[i]) {
			return false
		}
	}
	return false
}

// cefTime reads rt/start/end: epoch milliseconds (13 digits) or seconds
// (10), or "MMM dd [yyyy] HH:mm:ss[.SSS] [zone]".
func cefTime(s *devlog.State, v []byte) (int64, []byte, string, bool) {
	if n, ok := parsers.Digits(v); ok {
		switch len(v) {
		case 13:
			return int64(n) * 1e6, v, "UTC", true
		case 10:
			return int64(n) * 1e9, v, "UTC", true
		}
		return 0, nil, "", false
	}
	if t, zone, ok := syslog.ParseRFC3339(v); ok {
		return t, v, zone, true
	}
	if t, orig, zone, _, ok := s.Stamp(v); ok {
		return t, orig, zone, true
	}
	return 0, nil, "", false
}

// action reads act, or the event name when there is none.
func action(act, name []byte) string {
	a := act
	if len(a) == 0 {
		a = name
	}
	switch {
	case devlog.ContainsFold(a, "block"), devlog.ContainsFold(a, "deny"), devlog.ContainsFold(a, "denied"),
		devlog.ContainsFold(a, "drop"), devlog.ContainsFold(a, "reject"):
		return timeline.ActionDeny
	case len(act) > 0 && (devlog.ContainsFold(a, "allow") || devlog.ContainsFold(a, "accept") ||
		devlog.ContainsFold(a, "permit") || devlog.ContainsFold(a, "pass")):
		return timeline.ActionPermit
	case devlog.ContainsFold(a, "login fail"), devlog.ContainsFold(a, "logon fail"), devlog.ContainsFold(a, "failed login"):
		return timeline.ActionLoginFailure
	}
	return ""
}

// detect: most lines carry a CEF header.
func detect(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if at := cefStart(line); at >= 0 && bytes.Count(line[at:], []byte{'|'}) >= 7 {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "cef"))
}
