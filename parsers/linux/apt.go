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

// AptName is the apt history format's name and its events' source.
const AptName = "apt-history"

func init() {
	parsers.Register(&parsers.Format{
		Name:        AptName,
		Sources:     []parsers.Source{{Name: AptName, Class: parsers.ClassSystem}},
		Description: "APT history log (/var/log/apt/history.log)",
		HasZone:     false,
		HasYear:     true,
		Detect:      detectApt,
		Parse:       parseApt,
	})
}

// aptCommands are the package-list keys of a history block, with the
// action each one is.
var aptCommands = map[string]string{"Install": timeline.ActionCreate, "Reinstall": timeline.ActionModify,
	"Upgrade": timeline.ActionModify, "Downgrade": timeline.ActionModify, "Remove": timeline.ActionDelete,
	"Purge": timeline.ActionDelete}

// aptBlock is one Start-Date ... End-Date block being read.
type aptBlock struct {
	open      bool
	start     int64
	startOrig string
	line, off int64
	fields    []timeline.KV
	user      string
	command   string
	cmdline   string
}

func parseApt(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	clock := &syslog.LocalClock{Zone: in.Zone}
	var (
		ev   timeline.Event
		b    aptBlock
		last int64
	)
	flush := func() error {
		if !b.open {
			return nil
		}
		ev.Reset()
		ev.Host, ev.Evidence, ev.RefPath, ev.Line, ev.Offset = in.Host, in.Evidence, in.Name, b.line, b.off
		ev.Time, ev.TimeDesc, ev.TimeOrig, ev.Zone = b.start, timeline.TimeLog, b.startOrig, in.ZoneLabel()
		ev.Source = AptName
		ev.User = b.user
		ev.Message = b.cmdline
		if ev.Message == "" {
			ev.Message = b.command
		}
		ev.Action = aptCommands[b.command]
		ev.Extra = append(ev.Extra, b.fields...)
		if b.command != "" {
			ev.AddExtra("command", b.command)
		}
		b = aptBlock{fields: b.fields[:0]}
		return sink.Emit(&ev)
	}
	err = parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		text := bytes.TrimRight(l.Text, " ")
		if len(text) == 0 {
			return nil
		}
		colon := bytes.Index(text, []byte(": "))
		if colon < 0 {
			parsers.Unparsed(&ev, in, l, last, "not an apt history line (Key: value)")
			return sink.Emit(&ev)
		}
		key, val := str(text[:colon]), text[colon+2:]
		switch key {
		case "Start-Date":
			if err := flush(); err != nil {
				return err
			}
			ns, n, ok := localStamp(val, clock)
			if !ok || n != len(val) {
				parsers.Unparsed(&ev, in, l, last, "apt history Start-Date that is not YYYY-MM-DD  HH:MM:SS")
				return sink.Emit(&ev)
			}
			b.open, b.start, b.startOrig, b.line, b.off = true, ns, string(val), l.Number, l.Offset
			last = ns
			return nil
		}
		if !b.open {
			parsers.Unparsed(&ev, in, l, last, "apt history line outside a Start-Date block")
			return sink.Emit(&ev)
		}
		switch key {
		case "End-Date":
			b.fields = append(b.fields, timeline.KV{Key: "end", Value: string(val)})
			return flush()
		case "Commandline":
			b.cmdline = string(val)
		case "Requested-By":
			// "alice (1000)"
			if i := bytes.IndexByte(val, ' '); i > 0 {
				b.user = string(val[:i])
			} else {
				b.user = string(val)
			}
			b.fields = append(b.fields, timeline.KV{Key: "requested_by", Value: string(val)})
		default:
			if _, ok := aptCommands[key]; ok && b.command == "" {
				b.command = key
			}
			b.fields = append(b.fields, timeline.KV{Key: strings.ToLower(key), Value: string(val)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush() // a block cut off before its End-Date
}

func detectApt(name string, head []byte) int {
	if !bytes.HasPrefix(bytes.TrimLeft(head, "\n"), []byte("Start-Date: ")) {
		return 0
	}
	if _, _, ok := localStamp(bytes.TrimLeft(head, "\n")[len("Start-Date: "):], &syslog.LocalClock{}); !ok {
		return 0
	}
	score := 90
	if strings.Contains(strings.ToLower(filepath.Base(name)), "history") {
		score += 5
	}
	return score
}
