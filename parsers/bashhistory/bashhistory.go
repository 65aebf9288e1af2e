package bashhistory

import (
	"bytes"
	"context"
	"path"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "bash-history"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassShell}},
		Description: "bash history (#epoch lines) and zsh extended history",
		HasZone:     true, // epoch seconds
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
	})
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// epoch reads a "#1700000000" line: bash writes the seconds since the epoch
// of the command that follows. Fewer than 9 digits is a comment someone
// typed, not a stamp.
func epoch(b []byte) (int64, bool) {
	if len(b) < 10 || len(b) > 13 || b[0] != '#' {
		return 0, false
	}
	n, ok := parsers.Digits(b[1:])
	return int64(n), ok
}

// zshLine reads ": 1700000000:0;command".
func zshLine(b []byte) (sec int64, cmd []byte, ok bool) {
	if len(b) < 5 || b[0] != ':' || b[1] != ' ' {
		return 0, nil, false
	}
	c := bytes.IndexByte(b[2:], ':')
	if c < 1 {
		return 0, nil, false
	}
	n, ok1 := parsers.Digits(b[2 : 2+c])
	semi := bytes.IndexByte(b[2+c:], ';')
	if !ok1 || semi < 0 {
		return 0, nil, false
	}
	return int64(n), b[2+c+semi+1:], true
}

// userFromPath: ".../home/alice/.bash_history" → alice, ".../root/..." → root.
func userFromPath(name string) string {
	name = filepath.ToSlash(name)
	if i := strings.LastIndexByte(name, '!'); i >= 0 { // archive member
		name = name[i+1:]
	}
	dir := path.Dir(name)
	parent := path.Base(path.Dir(dir))
	switch {
	case parent == "home" || parent == "Users" || parent == "export":
		return path.Base(dir)
	case path.Base(dir) == "root":
		return "root"
	}
	return ""
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	// First pass: does the file have time stamps, and which is the first?
	first, stamped := int64(0), false
	r, err := in.Open()
	if err != nil {
		return err
	}
	err = parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		if sec, ok := epoch(l.Text); ok {
			first, stamped = sec, true
			return errStop
		}
		if sec, _, ok := zshLine(l.Text); ok {
			first, stamped = sec, true
			return errStop
		}
		return nil
	})
	r.Close()
	if err != nil && err != errStop {
		return err
	}
	r, err = in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	user := userFromPath(in.Name)
	mtime := int64(0)
	if !in.ModTime.IsZero() {
		mtime = in.ModTime.UnixNano()
	}
	var (
		ev       timeline.Event
		last     = first * 1e9
		lastOrig []byte
		fresh    bool // the previous line was an epoch line
		origBuf  []byte
	)
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		if sec, ok := epoch(l.Text); ok {
			last, fresh = sec*1e9, true
			origBuf = append(origBuf[:0], l.Text[1:]...)
			lastOrig = origBuf
			return nil
		}
		if len(l.Text) == 0 {
			return nil
		}
		ev.Reset()
		parsers.FillRef(&ev, in, l)
		ev.Source = FormatName
		ev.Action = timeline.ActionExecute
		ev.User = user
		ev.Zone = "UTC"
		ev.TimeDesc = timeline.TimeLog
		cmd := l.Text
		if sec, c, ok := zshLine(l.Text); ok {
			last, fresh = sec*1e9, true
			lastOrig = l.Text[2 : 2+bytes.IndexByte(l.Text[2:], ':')]
			cmd = c
			ev.AddTag("zsh")
		}
		ev.Message = str(cmd)
		switch {
		case !stamped:
			ev.Time = mtime
			ev.TimeDesc = timeline.TimeModified
			ev.Zone = in.ZoneLabel()
			ev.AddTag("no-timestamp,file-mtime")
		case fresh:
			ev.Time = last
			ev.TimeOrig = str(lastOrig)
		default:
			ev.Time = last
			ev.TimeOrig = str(lastOrig)
			ev.AddTag("no-timestamp")
		}
		if l.Truncated {
			ev.AddTag("truncated")
		}
		fresh = false
		return sink.Emit(&ev)
	})
}

type stopErr struct{}

func (stopErr) Error() string { return "stop" }

var errStop error = stopErr{}

// detect: a file named *history (.bash_history, .zsh_history, history)
// whose lines look like commands, or any file where "#epoch" lines and
// commands alternate.
func detect(name string, head []byte) int {
	base := strings.ToLower(filepath.Base(name))
	named := strings.HasSuffix(base, "_history") || base == ".history" || base == "history" || strings.HasPrefix(base, ".bash_history")
	lines, stamps, zsh, binary := 0, 0, 0, 0
	for len(head) > 0 && lines < 50 {
		i := bytes.IndexByte(head, '\n')
		var l []byte
		if i < 0 {
			if len(head) >= parsers.HeadSize {
				break
			}
			l, head = head, nil
		} else {
			l, head = head[:i], head[i+1:]
		}
		lines++
		if _, ok := epoch(l); ok {
			stamps++
		}
		if _, _, ok := zshLine(l); ok {
			zsh++
		}
		if bytes.IndexByte(l, 0) >= 0 {
			binary++
		}
	}
	switch {
	case lines == 0 || binary > 0:
		return 0
	case stamps*3 >= lines && stamps > 0:
		if named {
			return 96
		}
		return 85
	case zsh*2 >= lines && zsh > 0:
		if named {
			return 96
		}
		return 80
	case named:
		return 90
	}
	return 0
}
