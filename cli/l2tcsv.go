package cli

import (
	"bufio"
	"sort"
	"strconv"
	"strings"
	"time"

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

type l2tRow struct {
	key    string
	fields []string // the 17 columns; MACB and type filled at flush
	types  []string
}

// l2tWriter writes plaso's l2tcsv.
type l2tWriter struct {
	bw      *bufio.Writer
	loc     *time.Location
	time    int64
	pending []*l2tRow
	byKey   map[string]*l2tRow
}

func newL2TWriter(bw *bufio.Writer, loc *time.Location) *l2tWriter {
	bw.WriteString(strings.Join(l2tHeader, ",") + "\n")
	return &l2tWriter{bw: bw, loc: loc, byKey: map[string]*l2tRow{}}
}

func (l *l2tWriter) write(_ int64, ev *timeline.Event) error {
	if ev.Time != l.time || len(l.pending) >= l2tMaxGroup {
		if err := l.flush(); err != nil {
			return err
		}
		l.time = ev.Time
	}
	typ := l2tType(ev.Source, ev.TimeDesc)
	key := l2tKey(ev)
	if r := l.byKey[key]; r != nil {
		r.types = append(r.types, typ)
		return nil
	}
	r := &l2tRow{key: key, fields: l2tFields(ev, l.loc), types: []string{typ}}
	l.byKey[key] = r
	l.pending = append(l.pending, r)
	return nil
}

// l2tKey identifies the record an event comes from: events of one record
// at one time are one row. The attribute prefix of a file system time
// (NTFS $SI, $FN) is part of it, as plaso keeps them apart.
func l2tKey(ev *timeline.Event) string {
	prefix := ""
	if i := strings.LastIndexByte(ev.TimeDesc, '_'); i >= 0 {
		prefix = ev.TimeDesc[:i]
	}
	return strings.Join([]string{ev.Source, ev.Evidence, ev.RefPath, ev.Path, strconv.FormatInt(ev.Inode, 10),
		strconv.FormatInt(ev.MFT, 10), strconv.FormatInt(ev.Offset, 10), strconv.FormatInt(ev.Line, 10), prefix, ev.Message}, "\x00")
}

// l2tFields renders every column but MACB and type.
func l2tFields(ev *timeline.Event, loc *time.Location) []string {
	t := time.Unix(0, ev.Time).In(loc)
	zone, _ := t.Zone()
	src := l2tSourceOf(ev.Source)
	inode := ""
	if ev.Inode != timeline.Absent {
		inode = strconv.FormatInt(ev.Inode, 10)
	} else if ev.MFT != timeline.Absent {
		inode = strconv.FormatInt(ev.MFT, 10)
	}
	short, desc := summary(ev), ev.Message
	if ev.Source == timeline.SourceRaw {
		desc = string(ev.Raw)
	}
	if src.short == "FILE" && ev.Path != "" {
		short = ev.Path // plaso's short message for a file: its name
	}
	if desc == "" {
		desc = short
	}
	filename := ev.Path // the file the event is about; else the evidence file
	if filename == "" {
		filename = ev.RefPath
	}
	return []string{t.Format("01/02/2006"), t.Format("15:04:05"), l2tField(zone), "", src.short, l2tField(src.long), "",
		l2tField(ev.User), l2tField(ev.Host), l2tField(short), l2tField(desc), "2", l2tField(filename), l2tField(inode),
		l2tField(strings.ReplaceAll(ev.Tags, ",", " ")), l2tField(src.parser), l2tField(l2tExtra(ev))}
}

// l2tExtra lists the fields the message does not carry: the normalised
// fields, the format's own, and the reference, as sorted "key: value"
// pairs joined by "; ".
func l2tExtra(ev *timeline.Event) string {
	var kv []string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, k+": "+v)
		}
	}
	num := func(k string, v int64) {
		if v != 0 && v != timeline.Absent {
			add(k, strconv.FormatInt(v, 10))
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
	add("ref", ev.Ref().String())
	add("zone", ev.Zone)
	add("time_orig", ev.TimeOrig)
	for _, x := range ev.AllExtra() {
		add(x.Key, x.Value)
	}
	sort.Strings(kv)
	return strings.Join(kv, "; ")
}

// flush writes the rows of the current timestamp, MACB and type from every
// meaning their events carry.
func (l *l2tWriter) flush() error {
	for _, r := range l.pending {
		macb := []byte("....")
		for _, t := range r.types {
			if c := l2tMACB(t); c != 0 {
				macb[strings.IndexByte("MACB", c)] = c
			}
		}
		r.fields[3] = string(macb)
		r.fields[6] = l2tField(strings.Join(r.types, "; "))
		if _, err := l.bw.WriteString(strings.Join(r.fields, ",") + "\n"); err != nil {
			return err
		}
	}
	l.pending = l.pending[:0]
	clear(l.byKey)
	return nil
}

func (l *l2tWriter) close() error {
	if err := l.flush(); err != nil {
		return err
	}
	return l.bw.Flush()
}
