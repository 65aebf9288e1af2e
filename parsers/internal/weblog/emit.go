package weblog

import (
	"bytes"
	"context"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Run reads a web log of one record per line: blank lines are skipped, and
// every other line is read into one reused event by line, which returns ""
// or why the line did not parse, and sent with Emit.
func Run(ctx context.Context, in *parsers.Input, sink timeline.Sink, line func(text []byte, ev *timeline.Event) string) error {
	rc, err := in.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var ev timeline.Event
	var last int64
	return parsers.ScanLines(ctx, rc, func(l *parsers.Line) error {
		if len(bytes.TrimSpace(l.Text)) == 0 {
			return nil
		}
		ev.Reset()
		return Emit(sink, &ev, in, l, line(l.Text, &ev), &last)
	})
}

// Emit sends the event read from line l to sink. When reason is set the line
// did not parse and goes out as an unparsed event (parsers.Unparsed, dated
// *last); otherwise ev gets the line's reference, a "truncated" tag when the
// line was cut, and its time becomes *last. Call it as
//
//	ev.Reset()
//	return weblog.Emit(sink, &ev, in, l, p.line(l.Text, &ev), &last)
func Emit(sink timeline.Sink, ev *timeline.Event, in *parsers.Input, l *parsers.Line, reason string, last *int64) error {
	if reason != "" {
		parsers.Unparsed(ev, in, l, *last, reason)
		return sink.Emit(ev)
	}
	parsers.FillRef(ev, in, l)
	if l.Truncated {
		ev.AddTag("truncated")
	}
	*last = ev.Time
	return sink.Emit(ev)
}

// LineDone finishes a Format.ParseLine: with reason set the line did not
// parse, ev is cleared and it reports false; otherwise ev gets the input's
// host, evidence and name (there is no line number) and it reports true.
// Call it as
//
//	ev.Reset()
//	return weblog.LineDone(ev, in, p.line(line, ev))
func LineDone(ev *timeline.Event, in *parsers.Input, reason string) bool {
	if reason != "" {
		ev.Reset()
		return false
	}
	ev.Host, ev.Evidence, ev.RefPath = in.Host, in.Evidence, in.Name
	return true
}
