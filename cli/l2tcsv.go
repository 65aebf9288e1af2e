package cli

import (
	"bufio"
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// l2tcsv writes plaso's l2tcsv (log2timeline CSV) as plaso's output module
// does: 17 fixed columns, a comma inside a value replaced by a space (no
// quoting), "-" for an empty value, plaso's words for the source and the
// time's meaning, the path of the file an event is about, and every field
// not in the message in "extra" as sorted "key: value" pairs joined by "; ".
// Events of one record (a file, say) with the same time are one row whose
// MACB and type list every meaning, as plaso groups them.

// l2tHeader is the header row plaso writes.
var l2tHeader = []string{"date", "time", "timezone", "MACB", "source", "sourcetype", "type", "user", "host", "short", "desc", "version", "filename", "inode", "notes", "format", "extra"}

// l2tSource is how plaso names a kind of source: the short word (source
// column), the long name (sourcetype) and the parser (format).
type l2tSource struct{ short, long, parser string }

// l2tSources gives plaso's words for the sources plaso also parses; any
// other source is a LOG named by its format's description.
var l2tSources = map[string]l2tSource{
	"ext4":             {"FILE", "File stat", "filestat"},
	"ntfs":             {"FILE", "NTFS file stat", "filestat"},
	"usnjrnl":          {"FILE", "NTFS USN change", "usnjrnl"},
	"access-log":       {"LOG", "Apache Access Log", "apache_access"},
	"log-format":       {"LOG", "Apache Access Log", "apache_access"},
	"syslog":           {"LOG", "Syslog", "syslog"},
	"auth":             {"LOG", "Syslog", "syslog"},
	"bash-history":     {"LOG", "Bash History", "bash_history"},
	"utmp":             {"LOG", "UTMP session", "utmp"},
	"aws-alb":          {"LOG", "AWS Elastic Load Balancer Access Log", "aws_elb_access"},
	"w3c":              {"LOG", "IIS Log", "winiis"},
	timeline.SourceRaw: {"LOG", "Unparsed line", "-"},
}

func l2tSourceOf(source string) l2tSource {
	if s, ok := l2tSources[source]; ok {
		return s
	}
	long := source
	if f, ok := parsers.Lookup(source); ok && f.Description != "" {
		long = f.Description
		if i := strings.IndexAny(long, "(:"); i > 0 {
			long = strings.TrimSpace(long[:i])
		}
	}
	return l2tSource{"LOG", long, source}
}

// l2tType is plaso's description of what a time means, for Kiseki's
// time_desc (file system descriptions may carry an attribute prefix, si_ or
// fn_, which plaso shows in the message instead).
func l2tType(source, desc string) string {
	switch suffixAfterUnderscore(desc) {
	case timeline.TimeModified:
		return "Content Modification Time"
	case timeline.TimeAccessed:
		return "Last Access Time"
	case timeline.TimeChanged:
		return "Metadata Modification Time"
	case timeline.TimeBorn:
		return "Creation Time"
	case timeline.TimeDeleted:
		return "Content Deletion Time"
	case timeline.TimeLog:
		return "Content Modification Time" // plaso: the time a line was written
	case timeline.TimeRequest:
		if source == "aws-alb" {
			return "Request Received Time"
		}
		return "Recorded Time"
	case timeline.TimeLogin:
		return "Start Time"
	case timeline.TimeLogout:
		return "End Time"
	case "usn":
		return "Metadata Modification Time" // plaso: the USN record's update time
	}
	return "Unknown Time"
}

// l2tMACB is plaso's MACB letter for a time description.
func l2tMACB(typ string) byte {
	switch typ {
	case "Content Modification Time":
		return 'M'
	case "Last Access Time":
		return 'A'
	case "Metadata Modification Time":
		return 'C'
	case "Creation Time":
		return 'B'
	}
	return 0
}

// l2tField is a value as plaso writes it: "-" when empty, commas replaced
// by spaces, newlines (which would end the row) as "-" and carriage returns
// dropped, as plaso does for extra; terminal controls escaped.
func l2tField(s string) string {
	if s == "" {
		return "-"
	}
	s = sanitizeNewlines(s)
	return strings.ReplaceAll(sanitize(s), ",", " ")
}

func sanitizeNewlines(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", "-")
}

// l2tMaxGroup bounds the events of one timestamp held for grouping: a
// burst of more events at one nanosecond is written in parts rather than
// held whole (the groups are then split, never lost).
const l2tMaxGroup = 4096

// l2tRow is one pending row: its key and its text but the MACB and type
// columns, as spans of the writer's data, and the types of its events.
type l2tRow struct {
	head, mid, tail span // columns 0-2 (date,time,zone,), 4-5 (,source,sourcetype,) and 7-16 (,user...extra)
	types           []string
}

type span struct{ lo, hi int }

// l2tWriter writes plaso's l2tcsv. The rows of one timestamp are rendered
// into one buffer that is reused for the next, and grouped by a map whose
// keys point into that buffer, so a row allocates nothing.
type l2tWriter struct {
	bw    *bufio.Writer
	clk   *eventview.Clock
	time  int64
	rows  []l2tRow // rows[:n] pending
	n     int
	byKey map[string]int32
	data  []byte // keys and row text of the pending rows
	a     eventview.Appender
	// scratch
	sum, num, pairs, line []byte
	kv                    []timeline.KV
	cuts                  []span
}

func newL2TWriter(bw *bufio.Writer, loc *time.Location) *l2tWriter {
	bw.WriteString(strings.Join(l2tHeader, ",") + "\n")
	return &l2tWriter{bw: bw, clk: eventview.NewClock(loc), byKey: map[string]int32{}}
}

func (l *l2tWriter) write(_ int64, ev *timeline.Event) error {
	if ev.Time != l.time || l.n >= l2tMaxGroup {
		if err := l.flush(); err != nil {
			return err
		}
		l.time = ev.Time
	}
	typ := l2tType(ev.Source, ev.TimeDesc)
	lo := len(l.data)
	l.data = appendL2TKey(l.data, ev)
	// The key's bytes are never written again while they are a map key:
	// data is only appended to until flush clears the map.
	key := unsafe.String(unsafe.SliceData(l.data[lo:]), len(l.data)-lo)
	if i, ok := l.byKey[key]; ok {
		l.data = l.data[:lo]
		l.rows[i].types = append(l.rows[i].types, typ)
		return nil
	}
	l.byKey[key] = int32(l.n)
	if l.n == len(l.rows) {
		l.rows = append(l.rows, l2tRow{})
	}
	r := &l.rows[l.n]
	l.n++
	r.types = append(r.types[:0], typ)
	l.appendFields(r, ev)
	return nil
}

// appendL2TKey appends what identifies the record an event comes from:
// events of one record at one time are one row. The attribute prefix of a
// file system time (NTFS $SI, $FN) is part of it, as plaso keeps them apart.
func appendL2TKey(b []byte, ev *timeline.Event) []byte {
	prefix := ""
	if i := strings.LastIndexByte(ev.TimeDesc, '_'); i >= 0 {
		prefix = ev.TimeDesc[:i]
	}
	for _, s := range [...]string{ev.Source, ev.Evidence, ev.RefPath, ev.Path} {
		b = append(append(b, s...), 0)
	}
	for _, v := range [...]int64{ev.Inode, ev.MFT, ev.Offset, ev.Line} {
		b = append(strconv.AppendInt(b, v, 10), 0)
	}
	b = append(append(b, prefix...), 0)
	return append(b, ev.Message...)
}

// appendFields renders every column but MACB and type into l.data.
func (l *l2tWriter) appendFields(r *l2tRow, ev *timeline.Event) {
	src := l2tSourceOf(ev.Source)
	b := l.data
	r.head.lo = len(b)
	b, zone := l.clk.AppendL2T(b, ev.Time)
	b = append(b, ',')
	b = appendL2TField(b, zone, false)
	b = append(b, ',')
	r.head.hi, r.mid.lo = len(b), len(b)
	b = append(b, ',')
	b = append(b, src.short...)
	b = append(b, ',')
	b = appendL2TField(b, src.long, false)
	b = append(b, ',')
	r.mid.hi, r.tail.lo = len(b), len(b)

	desc := ev.Message
	if ev.Source == timeline.SourceRaw {
		desc = unsafe.String(unsafe.SliceData(ev.Raw), len(ev.Raw))
	}
	var short string
	if src.short == "FILE" && ev.Path != "" {
		short = ev.Path // plaso's short message for a file: its name
	} else {
		l.sum = l.a.Summary(l.sum[:0], ev)
		short = unsafe.String(unsafe.SliceData(l.sum), len(l.sum))
	}
	if desc == "" {
		desc = short
	}
	filename := ev.Path // the file the event is about; else the evidence file
	if filename == "" {
		filename = ev.RefPath
	}
	for _, f := range [...]string{ev.User, ev.Host, short, desc} {
		b = appendL2TField(append(b, ','), f, true)
	}
	b = append(b, ",2,"...)
	b = appendL2TField(b, filename, true)
	b = append(b, ',')
	switch {
	case ev.Inode != timeline.Absent:
		b = strconv.AppendInt(b, ev.Inode, 10)
	case ev.MFT != timeline.Absent:
		b = strconv.AppendInt(b, ev.MFT, 10)
	default:
		b = append(b, '-')
	}
	b = append(b, ',')
	l.line = append(l.line[:0], ev.Tags...)
	for i, c := range l.line {
		if c == ',' {
			l.line[i] = ' '
		}
	}
	b = appendL2TField(b, unsafe.String(unsafe.SliceData(l.line), len(l.line)), true)
	b = append(b, ',')
	b = appendL2TField(b, src.parser, false)
	b = append(b, ',')
	b = appendL2TField(b, l.extra(ev), true)
	r.tail.hi = len(b)
	l.data = b
}

// extra lists the fields the message does not carry: the normalised
// fields, the format's own, and the reference, as sorted "key: value"
// pairs joined by "; ". The result points into the writer's scratch.
func (l *l2tWriter) extra(ev *timeline.Event) string {
	p, cuts := l.pairs[:0], l.cuts[:0]
	add := func(k, v string) {
		if v != "" {
			lo := len(p)
			p = append(append(append(p, k...), ": "...), v...)
			cuts = append(cuts, span{lo, len(p)})
		}
	}
	num := func(k string, v int64) {
		if v != 0 && v != timeline.Absent {
			lo := len(p)
			p = strconv.AppendInt(append(append(p, k...), ": "...), v, 10)
			cuts = append(cuts, span{lo, len(p)})
		}
	}
	add("src_ip", ev.SrcIP)
	num("src_port", int64(ev.SrcPort))
	add("dst_ip", ev.DstIP)
	num("dst_port", int64(ev.DstPort))
	add("method", ev.Method)
	add("url", ev.URL)
	num("status", int64(ev.Status))
	num("bytes", ev.Bytes)
	add("user_agent", ev.UserAgent)
	add("action", ev.Action)
	add("evidence", ev.Evidence)
	l.line = appendRef(l.line[:0], ev)
	add("ref", unsafe.String(unsafe.SliceData(l.line), len(l.line)))
	add("zone", ev.Zone)
	add("time_orig", ev.TimeOrig)
	l.kv, l.num = ev.AppendFSExtraBuf(l.kv[:0], l.num)
	for _, x := range l.kv {
		add(x.Key, x.Value)
	}
	for _, x := range ev.Extra {
		add(x.Key, x.Value)
	}
	slices.SortFunc(cuts, func(a, b span) int { return bytes.Compare(p[a.lo:a.hi], p[b.lo:b.hi]) })
	out := len(p)
	for i, c := range cuts {
		if i > 0 {
			p = append(p, "; "...)
		}
		p = append(p, p[c.lo:c.hi]...)
	}
	l.pairs, l.cuts = p, cuts
	return unsafe.String(unsafe.SliceData(p[out:]), len(p)-out)
}

// appendL2TField appends l2tField(s), guarded against formula injection
// when the value comes from the evidence (eventview.FormulaStart; never the
// lone "-" that stands for an empty value).
func appendL2TField(b []byte, s string, guard bool) []byte {
	if s == "" {
		return append(b, '-')
	}
	if guard && eventview.FormulaStart(s) && s != "-" {
		b = append(b, '\'')
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return append(b, l2tField(s)...) // escapes: rare, and allocates
		}
	}
	for {
		i := strings.IndexByte(s, ',')
		if i < 0 {
			return append(b, s...)
		}
		b = append(append(b, s[:i]...), ' ')
		s = s[i+1:]
	}
}

// flush writes the rows of the current timestamp, MACB and type from every
// meaning their events carry.
func (l *l2tWriter) flush() error {
	for i := range l.n {
		r := &l.rows[i]
		macb := [4]byte{'.', '.', '.', '.'}
		for _, t := range r.types {
			if c := l2tMACB(t); c != 0 {
				macb[strings.IndexByte("MACB", c)] = c
			}
		}
		b := append(l.line[:0], l.data[r.head.lo:r.head.hi]...)
		b = append(b, macb[:]...)
		b = append(b, l.data[r.mid.lo:r.mid.hi]...)
		lo := len(b)
		for j, t := range r.types {
			if j > 0 {
				b = append(b, "; "...)
			}
			b = append(b, t...)
		}
		if lo == len(b) {
			b = append(b, '-')
		}
		b = append(b, l.data[r.tail.lo:r.tail.hi]...)
		b = append(b, '\n')
		l.line = b
		if _, err := l.bw.Write(b); err != nil {
			return err
		}
	}
	l.n = 0
	l.data = l.data[:0]
	clear(l.byKey)
	return nil
}

func (l *l2tWriter) close() error {
	if err := l.flush(); err != nil {
		return err
	}
	return l.bw.Flush()
}
