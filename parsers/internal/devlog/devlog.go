package devlog

import (
	"bytes"
	"context"
	"time"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Str views b as a string without copying; the string is valid as long as b
// is not overwritten.
func Str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// State is the per-file state of a device-log parser: the syslog header
// parser, the running year of yearless device stamps and a cached zone
// offset. Use one State per file and goroutine.
type State struct {
	In  *parsers.Input
	Sys *syslog.Parser

	// Yearless is set by the parse functions when the line's time came from
	// a stamp without a year; year inference reads it.
	Yearless bool
	// Ext holds a format's own per-file state (Cisco keeps connection
	// directions between build and teardown messages).
	Ext any

	years     syslog.Years
	clock     syslog.LocalClock
	zoneLabel string
	scratch   []byte
}

// NewState returns the state for a file whose first yearless line is in year.
func NewState(in *parsers.Input, year int) *State {
	return &State{In: in, Sys: syslog.NewParser(in, year),
		years: syslog.Years{Year: year}, clock: syslog.LocalClock{Zone: in.Zone}, zoneLabel: in.ZoneLabel()}
}

// ZoneLabel is the zone recorded on events whose time came without a zone.
func (s *State) ZoneLabel() string { return s.zoneLabel }

// Header parses the syslog header of line. Besides what parsers/syslog
// accepts it takes the single-space day some relays write ("Nov 2
// 15:40:14"); h.TimeOrig then still points at the original text.
func (s *State) Header(line []byte, h *syslog.Header) bool {
	s.Yearless = false
	b := line
	pri := 0
	if len(b) > 2 && b[0] == '<' {
		if e := bytes.IndexByte(b[:min(len(b), 5)], '>'); e > 1 {
			pri = e + 1
			b = b[pri:]
		}
	}
	if len(b) > 15 && b[3] == ' ' && b[4] != ' ' && b[5] == ' ' && b[8] == ':' && parsers.Month(b) > 0 {
		// "Nov 2 15:40:14 host ...": pad the day in a scratch copy.
		s.scratch = append(s.scratch[:0], line[:pri]...)
		s.scratch = append(s.scratch, b[:4]...)
		s.scratch = append(s.scratch, ' ')
		s.scratch = append(s.scratch, b[4:]...)
		if !s.Sys.ParseHeader(s.scratch, h) {
			return false
		}
		orig := b[:len(h.TimeOrig)-1]
		h.TimeOrig = orig
		// Point the other fields back into the line (same offsets + pri, -1).
		h.Hostname = rebase(h.Hostname, s.scratch, line)
		h.Program = rebase(h.Program, s.scratch, line)
		h.PID = rebase(h.PID, s.scratch, line)
		h.Message = rebase(h.Message, s.scratch, line)
		s.Yearless = true
		return true
	}
	if !s.Sys.ParseHeader(line, h) {
		return false
	}
	s.Yearless = len(h.TimeOrig) > 0 && h.TimeOrig[0] > '9'
	if len(h.Program) == 0 && len(h.Hostname) > 0 && len(h.Message) > len(h.Hostname)+1 &&
		string(h.Message[:len(h.Hostname)]) == string(h.Hostname) && h.Message[len(h.Hostname)] == ' ' {
		// "host host sshd[1]: msg": some gateways (UniFi) repeat the host.
		h.Message = h.Message[len(h.Hostname)+1:]
		tag(h.Message, h)
	}
	return true
}

// tag splits "prog[pid]: msg" or "prog: msg" into h; text without such a
// tag is left alone.
func tag(b []byte, h *syslog.Header) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 2 || b[sp-1] != ':' {
		return
	}
	word := b[:sp-1]
	if o := bytes.IndexByte(word, '['); o > 0 && word[len(word)-1] == ']' {
		h.Program, h.PID = word[:o], word[o+1:len(word)-1]
	} else {
		h.Program = word
	}
	h.Message = b[sp+1:]
}

// rebase maps a sub-slice of the padded scratch copy back into line; the
// copy has one extra byte before every field that follows the stamp.
func rebase(f, scratch, line []byte) []byte {
	if len(f) == 0 {
		return f
	}
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(f))) - uintptr(unsafe.Pointer(unsafe.SliceData(scratch))))
	if off < 1 || off-1+len(f) > len(line) {
		return f
	}
	return line[off-1 : off-1+len(f)]
}

// Stamp reads a device clock stamp at the start of b:
//
//	[*|.]Mmm dd [yyyy] hh:mm:ss[.frac] [ZONE][:]
//
// ('*' marks an unsynchronised Cisco clock, '.' one that lost sync). A
// missing year comes from the running year, a missing or unknown zone from
// the case (Input.Zone). It returns the time, the stamp text (without the
// trailing colon), the zone label and how many bytes of b it used.
func (s *State) Stamp(b []byte) (t int64, orig []byte, zone string, n int, ok bool) {
	i := 0
	if len(b) > 0 && (b[0] == '*' || b[0] == '.') {
		i = 1
	}
	if len(b) < i+14 {
		return 0, nil, "", 0, false
	}
	mo := parsers.Month(b[i:])
	if mo == 0 || b[i+3] != ' ' {
		return 0, nil, "", 0, false
	}
	j := i + 4
	if b[j] == ' ' {
		j++
	}
	d, j, ok1 := num(b, j, 2)
	if !ok1 || j >= len(b) || b[j] != ' ' {
		return 0, nil, "", 0, false
	}
	j++
	year := 0
	if j+4 < len(b) && b[j+4] == ' ' {
		y, ok := parsers.Digits(b[j : j+4])
		if !ok {
			return 0, nil, "", 0, false
		}
		year = y
		j += 5
	}
	if j+8 > len(b) || b[j+2] != ':' || b[j+5] != ':' {
		return 0, nil, "", 0, false
	}
	hh, ok2 := parsers.Digits(b[j : j+2])
	mi, ok3 := parsers.Digits(b[j+3 : j+5])
	ss, ok4 := parsers.Digits(b[j+6 : j+8])
	if !ok2 || !ok3 || !ok4 {
		return 0, nil, "", 0, false
	}
	j += 8
	nsec := 0
	if j < len(b) && b[j] == '.' {
		scale := 100000000
		for j++; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
			nsec += int(b[j]-'0') * scale
			scale /= 10
		}
	}
	end := j
	offset, zoneText, haveZone := 0, []byte(nil), false
	if j+1 < len(b) && b[j] == ' ' {
		k := j + 1
		for k < len(b) && b[k] >= 'A' && b[k] <= 'Z' {
			k++
		}
		if k-(j+1) >= 1 && k-(j+1) <= 5 && (k == len(b) || b[k] == ':' || b[k] == ' ') {
			zoneText = b[j+1 : k]
			if off, known := zoneOffset(zoneText); known {
				offset, haveZone = off, true
			}
			end = k
		}
	}
	if year == 0 {
		year = s.years.For(mo, d)
		s.Yearless = true
	}
	if !parsers.ValidDate(year, mo, d, hh, mi, ss) {
		return 0, nil, "", 0, false
	}
	orig = b[:end]
	n = end
	if n < len(b) && b[n] == ':' {
		n++
	}
	if haveZone {
		return parsers.UnixNano(year, mo, d, hh, mi, ss, nsec, offset), orig, Str(zoneText), n, true
	}
	return s.Local(year, mo, d, hh, mi, ss, nsec), orig, s.zoneLabel, n, true
}

func num(b []byte, i, maxDigits int) (int, int, bool) {
	n, k := 0, 0
	for i < len(b) && k < maxDigits && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int(b[i]-'0')
		i++
		k++
	}
	return n, i, k > 0
}

// zoneOffset knows the zone abbreviations that mean one offset only; others
// (IST, CST, BST...) fall back to the case zone.
func zoneOffset(z []byte) (int, bool) {
	switch string(z) {
	case "UTC", "GMT", "Z", "UCT", "WET":
		return 0, true
	case "CET", "MET", "WAT", "BST1":
		return 3600, true
	case "CEST", "MEST", "EET", "SAST":
		return 7200, true
	case "EEST", "MSK":
		return 3 * 3600, true
	case "HKT", "SGT", "AWST", "PHT":
		return 8 * 3600, true
	case "JST", "KST":
		return 9 * 3600, true
	case "AEST":
		return 10 * 3600, true
	case "AEDT":
		return 11 * 3600, true
	case "NZST":
		return 12 * 3600, true
	case "NZDT":
		return 13 * 3600, true
	case "EST":
		return -5 * 3600, true
	case "EDT":
		return -4 * 3600, true
	case "PST":
		return -8 * 3600, true
	case "PDT":
		return -7 * 3600, true
	case "MST":
		return -7 * 3600, true
	case "MDT":
		return -6 * 3600, true
	case "AKST":
		return -9 * 3600, true
	case "HST":
		return -10 * 3600, true
	}
	return 0, false
}

// Local converts a wall-clock time in the case zone; the offset is looked up
// once per wall-clock hour.
func (s *State) Local(y, mo, d, hh, mi, ss, nsec int) int64 {
	return s.clock.UnixNano(y, mo, d, hh, mi, ss, nsec)
}

// LineFunc parses one line into ev (already Reset, with its reference set)
// and reports whether the line was recognised.
type LineFunc func(s *State, line []byte, ev *timeline.Event) bool

// Register registers f, a line-based device log read with parse: its Parse
// runs Run over the file (lines parse does not recognise become unparsed
// events with reason) and its ParseLine parses one line with a fresh State
// in LineYear. f's own Parse and ParseLine are replaced.
func Register(f *parsers.Format, parse LineFunc, reason string) {
	f.Parse = func(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
		return Run(ctx, in, sink, parse, reason)
	}
	f.ParseLine = func(line []byte, in *parsers.Input, ev *timeline.Event) bool {
		return parse(NewState(in, LineYear(in)), line, ev)
	}
	parsers.Register(f)
}

// Run reads a line-based device log: every recognised line becomes an event,
// every other line an unparsed event carrying its raw bytes and the time of
// the last parsed line. Empty lines are skipped. A missing year comes from Input.Year, else from the
// file's modification time (see InferYear).
func Run(ctx context.Context, in *parsers.Input, sink timeline.Sink, parse LineFunc, reason string) error {
	year := in.Year
	if year == 0 {
		y, err := InferYear(ctx, in, parse)
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
	s := NewState(in, year)
	var (
		ev   timeline.Event
		last int64
	)
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		if len(l.Text) == 0 {
			return nil // an empty line holds nothing to keep
		}
		ev.Reset()
		parsers.FillRef(&ev, in, l)
		if !l.Truncated && parse(s, l.Text, &ev) {
			last = ev.Time
		} else {
			parsers.Unparsed(&ev, in, l, last, reason)
		}
		return sink.Emit(&ev)
	})
}

// InferYear finds the year of a file's first yearless line: the last
// yearless line was written in the modification time's year (or the year
// before, when its month is later than the mtime's), and every rollover in
// between moves the start back a year. Without a modification time it is
// 1970, so the missing year shows.
func InferYear(ctx context.Context, in *parsers.Input, parse LineFunc) (int, error) {
	if in.ModTime.IsZero() {
		return 1970, nil
	}
	r, err := in.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	const base = 2000
	utc := *in
	utc.Zone, utc.Warn = nil, nil
	s := NewState(&utc, base)
	var ev timeline.Event
	lastYear, lastMonth := 0, 0
	err = parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		ev.Reset()
		s.Yearless = false
		if parse(s, l.Text, &ev) && s.Yearless {
			t := time.Unix(0, ev.Time).UTC()
			lastYear, lastMonth = t.Year(), int(t.Month())
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
	if lastMonth == 0 {
		return mt.Year(), nil
	}
	end := mt.Year()
	if lastMonth > int(mt.Month()) {
		end--
	}
	return end - (lastYear - base), nil
}

// Score turns a count of detection-head lines with a device's own markers
// into a detection score: above syslog's (≤ 85) when at least half the lines
// carry them, one more when the file is named for the device; a file with
// fewer is left to syslog (whose parse keeps every line) and to the other
// candidates.
func Score(hits, lines int, named bool) int {
	if lines == 0 || hits == 0 {
		return 0
	}
	if hits*2 >= lines {
		s := 90 + 5*hits/lines
		if named {
			s++
		}
		return s
	}
	return 40 * hits * 2 / lines
}

// Lines calls fn for up to max non-empty lines of a detection head (the
// last, possibly cut, line is skipped when the head fills HeadSize).
func Lines(head []byte, max int, fn func(line []byte)) int {
	n := 0
	for len(head) > 0 && n < max {
		i := bytes.IndexByte(head, '\n')
		var line []byte
		if i < 0 {
			if len(head) >= parsers.HeadSize {
				break
			}
			line, head = head, nil
		} else {
			line, head = head[:i], head[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		n++
		fn(line)
	}
	return n
}

// SyslogEvent parses line's syslog header into ev (time, zone, message,
// hostname/program/pid extras, Host when the input names none) with the
// given source, and returns the program and message.
func (s *State) SyslogEvent(line []byte, ev *timeline.Event, source string) (prog, msg []byte, ok bool) {
	var h syslog.Header
	if !s.Header(line, &h) {
		return nil, nil, false
	}
	syslog.FillEvent(&h, ev, source)
	return h.Program, h.Message, true
}

// LineYear is the year a single line parsed out of context (ParseLine, the
// memory scanner) takes when its stamp has none: the manifest's, else the
// file's modification year, else 1970 so that the gap shows.
func LineYear(in *parsers.Input) int {
	switch {
	case in.Year != 0:
		return in.Year
	case !in.ModTime.IsZero():
		return in.ModTime.Year()
	}
	return 1970
}
