package syslog

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "syslog"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassSystem}},
		Description: "syslog: RFC 3164/traditional (yearless, zoneless), rsyslog RFC 3339, RFC 5424",
		HasZone:     false,
		HasYear:     false,
		Detect:      detect,
		Parse:       parse,
		ParseLine: func(line []byte, in *parsers.Input, ev *timeline.Event) bool {
			p := NewParser(in, in.Year)
			return p.Parse(line, ev)
		},
	})
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Parser parses lines of one file in order; it carries the inferred year.
// Strings set on the event point into the line.
type Parser struct {
	in        *parsers.Input
	years     Years
	clock     LocalClock
	zoneLabel string
}

// NewParser returns a parser whose first yearless line is in year.
func NewParser(in *parsers.Input, year int) *Parser {
	return &Parser{in: in, years: Years{Year: year}, clock: LocalClock{Zone: in.Zone}, zoneLabel: in.ZoneLabel()}
}

// Header is the syslog header of a line, for parsers of messages that travel
// inside syslog (firewalls, sshd, sudo).
type Header struct {
	Time     int64
	TimeOrig []byte
	Zone     string
	Priority int // -1 when absent
	Hostname []byte
	Program  []byte
	PID      []byte
	Message  []byte
}

// Parse fills ev from a line. It reports false when the line has no syslog
// header it recognises.
func (p *Parser) Parse(line []byte, ev *timeline.Event) bool {
	var h Header
	if !p.ParseHeader(line, &h) {
		return false
	}
	FillEvent(&h, ev, FormatName)
	if h.Priority >= 0 {
		ev.AddExtra("facility", facilities[min(h.Priority>>3, len(facilities)-1)])
		ev.AddExtra("severity", severities[h.Priority&7])
	}
	return true
}

// FillEvent fills ev from a parsed header with the given source: time,
// zone, message, the hostname/program/pid extras, and Host from the header
// when the input names none. Facility and severity are left to the caller.
// Strings set on the event point into the header's line.
func FillEvent(h *Header, ev *timeline.Event, source string) {
	ev.Time = h.Time
	ev.TimeDesc = timeline.TimeLog
	ev.TimeOrig = str(h.TimeOrig)
	ev.Zone = h.Zone
	ev.Source = source
	ev.Message = str(h.Message)
	if len(h.Hostname) > 0 {
		ev.AddExtra("hostname", str(h.Hostname))
		if ev.Host == "" {
			ev.Host = str(h.Hostname)
		}
	}
	if len(h.Program) > 0 {
		ev.AddExtra("program", str(h.Program))
	}
	if len(h.PID) > 0 {
		ev.AddExtra("pid", str(h.PID))
	}
}

var (
	severities = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
	facilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", "invalid"}
)

// ParseHeader reads the syslog header of line into h.
func (p *Parser) ParseHeader(line []byte, h *Header) bool {
	*h = Header{Priority: -1}
	b := line
	if len(b) > 2 && b[0] == '<' {
		end := bytes.IndexByte(b[:min(len(b), 5)], '>')
		if end < 2 {
			return false
		}
		pri, ok := parsers.Digits(b[1:end])
		if !ok || pri > 191 {
			return false
		}
		h.Priority = pri
		b = b[end+1:]
		if len(b) > 2 && b[0] == '1' && b[1] == ' ' {
			return p.rfc5424(b[2:], h)
		}
	}
	if len(b) >= 19 && b[4] == '-' && b[10] == 'T' {
		return p.rfc3339Line(b, h)
	}
	return p.traditional(b, h)
}

// traditional: "Mmm dd hh:mm:ss[.frac][:] [host] tag[pid]: msg".
func (p *Parser) traditional(b []byte, h *Header) bool {
	// "Mar  6 04:07:28", "Mar 06 04:07:28" and the unpadded "Nov 2 15:40:14".
	if len(b) < 14 || b[3] != ' ' {
		return false
	}
	mo := parsers.Month(b[0:3])
	j := 4
	if b[j] == ' ' {
		j++
	}
	k := j
	for k < len(b) && k < j+2 && b[k] >= '0' && b[k] <= '9' {
		k++
	}
	if k+9 > len(b) || b[k] != ' ' || b[k+3] != ':' || b[k+6] != ':' {
		return false
	}
	d, ok1 := parsers.Digits(b[j:k])
	hh, ok2 := parsers.Digits(b[k+1 : k+3])
	mi, ok3 := parsers.Digits(b[k+4 : k+6])
	ss, ok4 := parsers.Digits(b[k+7 : k+9])
	if mo == 0 || !(ok1 && ok2 && ok3 && ok4) {
		return false
	}
	i := k + 9
	nsec := 0
	if i < len(b) && b[i] == '.' {
		scale := 100000000
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			nsec += int(b[i]-'0') * scale
			scale /= 10
		}
	}
	h.TimeOrig = b[:i]
	year := p.years.For(mo, d)
	if !parsers.ValidDate(year, mo, d, hh, mi, ss) {
		return false
	}
	h.Time = p.clock.UnixNano(year, mo, d, hh, mi, ss, nsec)
	h.Zone = p.zoneLabel
	rest := b[i:]
	if len(rest) > 0 && rest[0] == ':' { // "Mar 11 09:39:39: --- last message repeated ---"
		h.Message = bytes.TrimLeft(rest[1:], " ")
		return true
	}
	rest = bytes.TrimLeft(rest, " ")
	first, after := cut(rest)
	// "Nov 18 08:30:20 kernel: msg" has no host: the first word is the tag.
	if len(first) > 0 && (first[len(first)-1] == ':' || bytes.IndexByte(first, '[') > 0) {
		p.tag(rest, h)
		return true
	}
	h.Hostname = first
	p.tag(after, h)
	return true
}

// tag splits "prog[pid]: msg" or "prog: msg"; text without a tag is all message.
func (p *Parser) tag(b []byte, h *Header) {
	b = bytes.TrimLeft(b, " ")
	word, after := cut(b)
	if len(word) == 0 {
		h.Message = b
		return
	}
	hasColon := word[len(word)-1] == ':'
	if hasColon {
		word = word[:len(word)-1]
	}
	if o := bytes.IndexByte(word, '['); o > 0 && word[len(word)-1] == ']' {
		h.Program, h.PID = word[:o], word[o+1:len(word)-1]
		h.Message = trimOneSpace(after)
		return
	}
	if hasColon {
		h.Program = word
		h.Message = trimOneSpace(after)
		return
	}
	// "host Job `cron.daily' terminated": no tag at all.
	h.Message = b
}

func trimOneSpace(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}

func cut(b []byte) (word, rest []byte) {
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

// rfc3339Line: "2020-05-31T00:00:45.698463+00:00 host tag[pid]: msg", or
// ChromeOS's "2016-10-25T12:37:23.297265-07:00 INFO tag[pid]: msg".
func (p *Parser) rfc3339Line(b []byte, h *Header) bool {
	stamp, rest := cut(b)
	t, zone, ok := ParseRFC3339(stamp)
	if !ok {
		return false
	}
	h.Time, h.TimeOrig, h.Zone = t, stamp, zone
	word, after := cut(rest)
	if sev := chromeSeverity(word); sev >= 0 {
		h.Priority = sev
		p.tag(after, h)
		return true
	}
	f, _ := cut(rest)
	if len(f) > 0 && (f[len(f)-1] == ':' || bytes.IndexByte(f, '[') > 0) {
		p.tag(rest, h)
		return true
	}
	h.Hostname = word
	p.tag(after, h)
	return true
}

func chromeSeverity(w []byte) int {
	switch string(w) {
	case "EMERG":
		return 0
	case "ALERT":
		return 1
	case "CRIT":
		return 2
	case "ERR", "ERROR":
		return 3
	case "WARNING", "WARN":
		return 4
	case "NOTICE":
		return 5
	case "INFO":
		return 6
	case "DEBUG":
		return 7
	}
	return -1
}

// rfc5424: "TIMESTAMP HOST APP PROCID MSGID [SD] MSG" (after "<PRI>1 ").
func (p *Parser) rfc5424(b []byte, h *Header) bool {
	stamp, rest := cut(b)
	t, zone, ok := ParseRFC3339(stamp)
	if !ok {
		return false
	}
	h.Time, h.TimeOrig, h.Zone = t, stamp, zone
	var host, app, procid, msgid []byte
	host, rest = cut(rest)
	app, rest = cut(rest)
	procid, rest = cut(rest)
	msgid, rest = cut(rest)
	nilv := func(v []byte) []byte {
		if len(v) == 1 && v[0] == '-' {
			return nil
		}
		return v
	}
	h.Hostname, h.Program, h.PID = nilv(host), nilv(app), nilv(procid)
	_ = msgid
	// Structured data: "-" or one or more [id k="v"] elements.
	if len(rest) > 0 && rest[0] == '-' {
		rest = rest[1:]
	} else if len(rest) > 0 && rest[0] == '[' {
		depthEnd := SDEnd(rest)
		rest = rest[depthEnd:]
	}
	h.Message = trimOneSpace(rest)
	return true
}

// SDEnd returns the end of the RFC 5424 structured data elements at the
// start of b ("[id k=\"v\"]..."); an unterminated element runs to the end.
func SDEnd(b []byte) int {
	i := 0
	for i < len(b) && b[i] == '[' {
		inQuote := false
		for i++; i < len(b); i++ {
			c := b[i]
			if c == '\\' && inQuote {
				i++
				continue
			}
			if c == '"' {
				inQuote = !inQuote
			} else if c == ']' && !inQuote {
				i++
				break
			}
		}
	}
	return min(i, len(b)) // a trailing backslash in a quote steps past the end
}

// ParseRFC3339 reads "2006-01-02T15:04:05[.frac](Z|±hh:mm)" and returns the
// time and the zone text as written.
func ParseRFC3339(b []byte) (int64, string, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, "", false
	}
	y, ok1 := parsers.Digits(b[0:4])
	mo, ok2 := parsers.Digits(b[5:7])
	d, ok3 := parsers.Digits(b[8:10])
	hh, ok4 := parsers.Digits(b[11:13])
	mi, ok5 := parsers.Digits(b[14:16])
	ss, ok6 := parsers.Digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !parsers.ValidDate(y, mo, d, hh, mi, ss) {
		return 0, "", false
	}
	i := 19
	nsec := 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		scale := 100000000
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			nsec += int(b[i]-'0') * scale
			scale /= 10
		}
	}
	z := b[i:]
	switch {
	case len(z) == 1 && (z[0] == 'Z' || z[0] == 'z'):
		return parsers.UnixNano(y, mo, d, hh, mi, ss, nsec, 0), "Z", true
	case len(z) == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':':
		oh, ok1 := parsers.Digits(z[1:3])
		om, ok2 := parsers.Digits(z[4:6])
		if !ok1 || !ok2 {
			return 0, "", false
		}
		off := oh*3600 + om*60
		if z[0] == '-' {
			off = -off
		}
		return parsers.UnixNano(y, mo, d, hh, mi, ss, nsec, off), str(z), true
	}
	return 0, "", false
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	year := in.Year
	if year == 0 {
		y, err := inferYear(ctx, in)
		if err != nil {
			return err
		}
		year = y
	}
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	p := NewParser(in, year)
	var (
		ev       timeline.Event
		last     int64
		prevHost string
		prevProg []byte
		haveLast bool
	)
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		ev.Reset()
		parsers.FillRef(&ev, in, l)
		switch {
		case !l.Truncated && p.Parse(l.Text, &ev):
			last, haveLast = ev.Time, true
			prevHost = ev.Host
			prevProg = appendProgram(prevProg[:0], &ev)
		case haveLast && len(l.Text) > 0 && (l.Text[0] == '\t' || l.Text[0] == ' ') && !l.Truncated:
			// A continuation of the previous message: same time and program.
			ev.Time, ev.TimeDesc, ev.Zone, ev.Source = last, timeline.TimeLog, p.zoneLabel, FormatName
			ev.Host = prevHost
			ev.Message = str(bytes.TrimLeft(l.Text, " \t"))
			ev.Tags = "continuation"
			if len(prevProg) > 0 {
				ev.AddExtra("program", str(prevProg))
			}
		default:
			parsers.Unparsed(&ev, in, l, last, "not a syslog line")
		}
		return sink.Emit(&ev)
	})
}

func appendProgram(dst []byte, ev *timeline.Event) []byte {
	for _, kv := range ev.Extra {
		if kv.Key == "program" {
			return append(dst, kv.Value...)
		}
	}
	return dst
}

// inferYear finds the year of the file's first yearless line from the file's
// modification time: the last line was written in the mtime's year (or the
// year before, if its month is later than the mtime's), and every rollover
// in between moves the start back a year.
func inferYear(ctx context.Context, in *parsers.Input) (int, error) {
	if in.ModTime.IsZero() {
		return 1970, nil
	}
	r, err := in.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	p := NewParser(in, 0)
	var h Header
	lastMonth := 0
	err = parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		b := l.Text
		if len(b) > 2 && b[0] == '<' {
			if e := bytes.IndexByte(b[:min(len(b), 5)], '>'); e > 0 {
				b = b[e+1:]
			}
		}
		if len(b) >= 14 && b[3] == ' ' && p.traditional(b, &h) {
			lastMonth = p.years.LastMonth
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	mt := in.ModTime
	if in.Zone != nil {
		mt = mt.In(in.Zone)
	}
	end := mt.Year()
	if lastMonth > int(mt.Month()) {
		end--
	}
	return end - p.years.Year, nil // p.years counted the rollovers from 0
}

func detect(name string, head []byte) int {
	lines, good := 0, 0
	in := &parsers.Input{ZoneSource: "detect"}
	p := NewParser(in, 2000)
	var h Header
	for len(head) > 0 && lines < 20 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSuffix(head[:i], []byte{'\r'})
		head = head[i+1:]
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		lines++
		if p.ParseHeader(line, &h) && (len(h.Program) > 0 || len(h.Hostname) > 0) {
			good++
		}
	}
	if lines == 0 {
		return 0
	}
	score := 80 * good / lines
	base := strings.ToLower(filepath.Base(name))
	for _, n := range []string{"syslog", "messages", "auth", "secure", "kern", "daemon", "cron"} {
		if score > 0 && strings.Contains(base, n) {
			score += 5
			break
		}
	}
	return score
}
