package linux

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// DpkgName is the dpkg log format's name and its events' source.
const DpkgName = "dpkg"

func init() {
	parsers.Register(&parsers.Format{
		Name:        DpkgName,
		Sources:     []parsers.Source{{Name: DpkgName, Class: parsers.ClassSystem}},
		Description: "Debian dpkg log (/var/log/dpkg.log)",
		HasZone:     false,
		HasYear:     true,
		Detect:      detectDpkg,
		Parse:       parseDpkg,
		ParseLine: func(line []byte, in *parsers.Input, ev *timeline.Event) bool {
			return dpkgLine(line, &syslog.LocalClock{Zone: in.Zone}, in.ZoneLabel(), ev)
		},
	})
}

// localStamp reads "YYYY-MM-DD HH:MM:SS" (sep is the run of spaces between
// date and time: one in dpkg.log, two in apt's history.log) in the
// zone of clock. It returns the stamp's length.
func localStamp(b []byte, clock *syslog.LocalClock) (ns int64, n int, ok bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' {
		return 0, 0, false
	}
	i := 10
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i == 10 || i > 12 || len(b) < i+8 || b[i+2] != ':' || b[i+5] != ':' {
		return 0, 0, false
	}
	y, ok1 := parsers.Digits(b[0:4])
	mo, ok2 := parsers.Digits(b[5:7])
	d, ok3 := parsers.Digits(b[8:10])
	h, ok4 := parsers.Digits(b[i : i+2])
	mi, ok5 := parsers.Digits(b[i+3 : i+5])
	s, ok6 := parsers.Digits(b[i+6 : i+8])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !parsers.ValidDate(y, mo, d, h, mi, s) {
		return 0, 0, false
	}
	return clock.UnixNano(y, mo, d, h, mi, s, 0), i + 8, true
}

// dpkgActions maps dpkg's first word to an action (Sandia).
var dpkgActions = map[string]string{"install": timeline.ActionCreate, "upgrade": timeline.ActionModify,
	"remove": timeline.ActionDelete, "purge": timeline.ActionDelete, "configure": timeline.ActionModify,
	"conffile": timeline.ActionModify}

// dpkgLine parses "2016-08-06 17:35:39 install base-passwd:amd64 <none> 3.5.33".
// zone is the label events record for the case zone (Input.ZoneLabel).
func dpkgLine(line []byte, clock *syslog.LocalClock, zone string, ev *timeline.Event) bool {
	ns, n, ok := localStamp(line, clock)
	if !ok || len(line) <= n+1 || line[n] != ' ' {
		return false
	}
	rest := line[n+1:]
	words := bytes.Fields(rest)
	if len(words) == 0 {
		return false
	}
	verb := str(words[0])
	switch verb {
	case "startup", "status", "install", "upgrade", "remove", "purge", "configure", "trigproc", "conffile":
	default:
		return false
	}
	ev.Time, ev.TimeDesc, ev.TimeOrig = ns, timeline.TimeLog, str(line[:n])
	ev.Zone = zone
	ev.Source = DpkgName
	ev.Message = str(rest)
	ev.Action = dpkgActions[verb]
	ev.AddExtra("action", verb)
	switch {
	case verb == "status" && len(words) >= 4:
		ev.AddExtra("status", str(words[1]))
		ev.AddExtra("package", str(words[2]))
		ev.AddExtra("version", str(words[3]))
	case verb == "conffile" && len(words) >= 2:
		ev.Path = str(words[1])
	case verb != "startup" && len(words) >= 2:
		ev.AddExtra("package", str(words[1]))
		if len(words) >= 3 {
			ev.AddExtra("version", str(words[len(words)-1]))
		}
	}
	return true
}

func parseDpkg(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	clock, zone := &syslog.LocalClock{Zone: in.Zone}, in.ZoneLabel()
	line := func(b []byte, _ *parsers.Input, ev *timeline.Event) bool { return dpkgLine(b, clock, zone, ev) }
	return parseLines(ctx, in, sink, line, "not a dpkg log line (YYYY-MM-DD HH:MM:SS action ...)")
}

// parseLines runs a one-line-one-event parser over the input; lines it does
// not recognise are kept raw.
func parseLines(ctx context.Context, in *parsers.Input, sink timeline.Sink,
	line func([]byte, *parsers.Input, *timeline.Event) bool, reason string) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var ev timeline.Event
	last := int64(0)
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		if len(bytes.TrimSpace(l.Text)) == 0 {
			return nil
		}
		ev.Reset()
		if !line(l.Text, in, &ev) {
			parsers.Unparsed(&ev, in, l, last, reason)
			return sink.Emit(&ev)
		}
		parsers.FillRef(&ev, in, l)
		if l.Truncated {
			ev.AddTag("truncated")
		}
		last = ev.Time
		return sink.Emit(&ev)
	})
}

// countLines scores a head by the share of its lines parse accepts.
func countLines(head []byte, parse func([]byte) bool) (lines, good int) {
	for len(head) > 0 && lines < 20 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			break
		}
		line := head[:i]
		head = head[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		lines++
		if parse(line) {
			good++
		}
	}
	return lines, good
}

func detectDpkg(name string, head []byte) int {
	var ev timeline.Event
	clock := &syslog.LocalClock{}
	lines, good := countLines(head, func(l []byte) bool { ev.Reset(); return dpkgLine(l, clock, "", &ev) })
	if lines == 0 || good*2 < lines {
		return 0
	}
	score := 85 * good / lines
	if strings.HasPrefix(strings.ToLower(filepath.Base(name)), "dpkg") {
		score += 10
	}
	return score
}
