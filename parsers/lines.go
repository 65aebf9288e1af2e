package parsers

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// MaxLine is the longest line kept whole. A longer line is kept up to this
// length, tagged "truncated", and the rest of it skipped, so a hostile 1 GB
// line costs bounded memory.
const MaxLine = 16 << 20

// Line is one line of a text log. Text excludes the line ending and is valid
// only until the scanner's callback returns.
type Line struct {
	Text      []byte
	Number    int64 // 1-based
	Offset    int64 // byte offset of the line's first byte in the (decompressed) stream
	Truncated bool
}

// LineReader is an input already read through a large enough buffer, which
// ScanLines then reads lines from directly instead of through a second one.
type LineReader interface{ LineReader() *bufio.Reader }

// ScanLines calls fn for every line of r. It checks ctx every few thousand
// lines so a cancelled ingest stops promptly.
func ScanLines(ctx context.Context, r io.Reader, fn func(l *Line) error) error {
	var br *bufio.Reader
	if lr, ok := r.(LineReader); ok && lr.LineReader().Size() >= 1<<20 {
		br = lr.LineReader()
	} else {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	var (
		l    Line
		long []byte
		off  int64
	)
	for {
		frag, err := br.ReadSlice('\n')
		text := frag
		consumed := int64(len(frag))
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], frag...)
			truncated := false
			for errors.Is(err, bufio.ErrBufferFull) {
				frag, err = br.ReadSlice('\n')
				consumed += int64(len(frag))
				if room := MaxLine - len(long); room > 0 {
					long = append(long, frag[:min(room, len(frag))]...)
					if len(frag) > room {
						truncated = true
					}
				} else {
					truncated = true
				}
			}
			text, l.Truncated = long, truncated
		} else {
			l.Truncated = false
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if len(text) > 0 {
			if n := len(text); text[n-1] == '\n' {
				text = text[:n-1]
				if n > 1 && text[n-2] == '\r' {
					text = text[:n-2]
				}
			} else if !l.Truncated && text[n-1] == '\r' {
				text = text[:n-1] // a last line ending in a lone CR
			}
			l.Number++
			l.Text, l.Offset = text, off
			if ferr := fn(&l); ferr != nil {
				return ferr
			}
			if l.Number&4095 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		}
		off += consumed
		if err != nil {
			return nil
		}
	}
}

// FillRef sets the event's reference to a line of the input.
func FillRef(ev *timeline.Event, in *Input, l *Line) {
	ev.Host, ev.Evidence, ev.RefPath = in.Host, in.Evidence, in.Name
	ev.Line, ev.Offset = l.Number, l.Offset
}

// Unparsed fills ev as the raw keeping of a line that did not parse. It
// takes the time of the last parsed line of the file (lastTime), so the line
// stays in context in the timeline, and says so in TimeDesc.
func Unparsed(ev *timeline.Event, in *Input, l *Line, lastTime int64, reason string) {
	ev.Reset()
	FillRef(ev, in, l)
	ev.Time = lastTime
	ev.TimeDesc = timeline.TimeUnknown
	ev.Source = timeline.SourceRaw
	ev.Raw = l.Text
	ev.Message = reason
	if l.Truncated {
		ev.Tags = "truncated"
	}
}
