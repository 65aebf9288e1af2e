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

// YumName is the yum/dnf log format's name and its events' source.
const YumName = "yum"

func init() {
	parsers.Register(&parsers.Format{
		Name:        YumName,
		Sources:     []parsers.Source{{Name: YumName, Class: parsers.ClassSystem}},
		Description: "yum.log (yearless) and dnf.rpm.log / dnf.log (RFC 3339) package histories",
		HasZone:     false,
		HasYear:     false,
		Detect:      detectYum,
		Parse:       parseYum,
	})
}

// yumActions maps the verbs of yum and dnf to an action.
var yumActions = map[string]string{"Installed": timeline.ActionCreate, "Updated": timeline.ActionModify,
	"Upgraded": timeline.ActionModify, "Upgrade": timeline.ActionModify, "Downgraded": timeline.ActionModify,
	"Reinstalled": timeline.ActionModify, "Erased": timeline.ActionDelete, "Removed": timeline.ActionDelete,
	"Erase": timeline.ActionDelete, "Cleanup": "", "Obsoleted": timeline.ActionDelete}

// yumLine reads "Dec 13 10:37:13 Installed: httpd-2.4.6-90.el7.x86_64"
// (yum) or "2023-01-01T10:00:00+0000 SUBDEBUG Installed: pkg" (dnf).
type yumParser struct {
	in    *parsers.Input
	years syslog.Years
	clock syslog.LocalClock
	zone  string
	zbuf  []byte
}

func (p *yumParser) line(b []byte, ev *timeline.Event) bool {
	var rest []byte
	switch {
	case len(b) > 16 && b[3] == ' ' && b[6] == ' ' && b[9] == ':' && b[12] == ':' && b[15] == ' ':
		mo := parsers.Month(b[:3])
		d, ok1 := parsers.Digits(bytes.TrimLeft(b[4:6], " "))
		h, ok2 := parsers.Digits(b[7:9])
		mi, ok3 := parsers.Digits(b[10:12])
		s, ok4 := parsers.Digits(b[13:15])
		if mo == 0 || !(ok1 && ok2 && ok3 && ok4) {
			return false
		}
		y := p.years.For(mo, d)
		if !parsers.ValidDate(y, mo, d, h, mi, s) {
			return false
		}
		ev.Time, ev.TimeOrig, ev.Zone = p.clock.UnixNano(y, mo, d, h, mi, s, 0), str(b[:15]), p.zone
		rest = b[16:]
	case len(b) > 20 && b[4] == '-' && b[10] == 'T':
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return false
		}
		stamp := b[:sp]
		// dnf writes +0000; RFC 3339 wants +00:00
		if n := len(stamp); n > 5 && (stamp[n-5] == '+' || stamp[n-5] == '-') {
			p.zbuf = append(append(append(p.zbuf[:0], stamp[:n-2]...), ':'), stamp[n-2:]...)
			stamp = p.zbuf
		}
		ns, zone, ok := syslog.ParseRFC3339(stamp)
		if !ok {
			return false
		}
		ev.Time, ev.TimeOrig, ev.Zone = ns, str(b[:sp]), zone
		rest = b[sp+1:]
		if lvl, after, ok := bytes.Cut(rest, []byte(" ")); ok && isLevel(lvl) {
			ev.AddExtra("level", str(lvl))
			rest = after
		}
	default:
		return false
	}
	ev.TimeDesc = timeline.TimeLog
	ev.Source = YumName
	ev.Message = str(rest)
	if verb, pkg, ok := bytes.Cut(rest, []byte(": ")); ok {
		if act, known := yumActions[str(verb)]; known {
			ev.Action = act
			ev.AddExtra("action", str(verb))
			ev.AddExtra("package", str(bytes.TrimSpace(pkg)))
		}
	}
	return true
}

func isLevel(b []byte) bool {
	switch string(b) {
	case "DEBUG", "DDEBUG", "SUBDEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "TRACE":
		return true
	}
	return false
}

func parseYum(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	year := in.Year
	if year == 0 {
		var err error
		if year, err = yumFirstYear(ctx, in); err != nil {
			return err
		}
	}
	p := &yumParser{in: in, years: syslog.Years{Year: year}, clock: syslog.LocalClock{Zone: in.Zone}, zone: in.ZoneLabel()}
	line := func(b []byte, _ *parsers.Input, ev *timeline.Event) bool { return p.line(b, ev) }
	return parseLines(ctx, in, sink, line, "not a yum/dnf log line")
}

// yumFirstYear infers the year of a yum.log's first line from the file's
// modification time, counting the year rollovers in between as syslog does
// (syslog.Years); files with full dates do not need it.
func yumFirstYear(ctx context.Context, in *parsers.Input) (int, error) {
	r, err := in.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	p := &yumParser{in: in}
	var ev timeline.Event
	err = parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		ev.Reset()
		p.line(l.Text, &ev)
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
	if p.years.LastMonth > int(mt.Month()) {
		end--
	}
	return end - p.years.Year, nil // p.years counted the rollovers from 0
}

func detectYum(name string, head []byte) int {
	base := strings.ToLower(filepath.Base(name))
	if !strings.HasPrefix(base, "yum") && !strings.HasPrefix(base, "dnf") {
		return 0 // yum.log lines alone look like any yearless log
	}
	p := &yumParser{in: &parsers.Input{}, years: syslog.Years{Year: 2000}}
	var ev timeline.Event
	lines, good := countLines(head, func(l []byte) bool { ev.Reset(); return p.line(l, &ev) })
	if lines == 0 || good*2 < lines {
		return 0
	}
	return 90
}
