package cli

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// eventWriter renders events in one output format.
type eventWriter interface {
	write(row int64, ev *timeline.Event) error
	close() error
}

// Formats of `timeline --format`.
var outputFormats = []string{"table", "csv", "jsonl", "l2tcsv", "bodyfile"}

func newEventWriter(format string, w io.Writer, loc *time.Location) (eventWriter, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	switch format {
	case "", "table":
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tHOST\tSOURCE\tDESC\tREF\tSUMMARY")
		return &tableWriter{bw: bw, tw: tw, loc: loc}, nil
	case "jsonl", "json":
		return &jsonlWriter{bw: bw}, nil
	case "csv":
		return newCSVWriter(bw, loc), nil
	case "l2tcsv":
		return newL2TWriter(bw, loc), nil
	case "bodyfile":
		return newBodyWriter(bw), nil
	}
	return nil, usageErrorf("unknown format %q (one of %s)", format, strings.Join(outputFormats, ", "))
}

type tableWriter struct {
	bw   *bufio.Writer
	tw   *tabwriter.Writer
	loc  *time.Location
	rows int
}

func (t *tableWriter) write(_ int64, ev *timeline.Event) error {
	fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\t%s\n", fmtTime(ev.Time, t.loc), sanitize(ev.Host), sanitize(ev.Source), ev.TimeDesc, sanitize(ev.Ref().String()), summary(ev))
	if t.rows++; t.rows%200 == 0 {
		return t.tw.Flush()
	}
	return nil
}

func (t *tableWriter) close() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// jsonlWriter writes the contract's JSON, one event a line, through
// eventview.Appender: no encoding/json, no allocation per event.
type jsonlWriter struct {
	bw  *bufio.Writer
	a   eventview.Appender
	buf []byte
}

func (j *jsonlWriter) write(row int64, ev *timeline.Event) error {
	j.buf = append(j.a.JSON(j.buf[:0], row, ev), '\n')
	_, err := j.bw.Write(j.buf)
	return err
}
func (j *jsonlWriter) close() error { return j.bw.Flush() }

// csvHeader is the csv format's header row.
var csvHeader = []string{"time", "time_desc", "host", "source", "evidence", "ref", "src_ip", "src_port", "dst_ip", "dst_port", "user", "method", "url", "status", "bytes", "user_agent", "path", "action", "tags", "message"}

// csvWriter writes RFC 4180 CSV as encoding/csv does, every cell guarded
// against formula injection (eventview.FormulaSafe), a row at a time into
// one reused buffer.
type csvWriter struct {
	bw  *bufio.Writer
	clk *eventview.Clock
	buf []byte
	ref []byte
}

func newCSVWriter(bw *bufio.Writer, loc *time.Location) *csvWriter {
	c := &csvWriter{bw: bw, clk: eventview.NewClock(loc)}
	for i, h := range csvHeader {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = appendCSV(c.buf, h)
	}
	bw.Write(append(c.buf, '\n'))
	return c
}

func (c *csvWriter) write(_ int64, ev *timeline.Event) error {
	b := c.clk.AppendISO(c.buf[:0], ev.Time)
	msg := ev.Message
	if ev.Source == timeline.SourceRaw {
		msg = unsafe.String(unsafe.SliceData(ev.Raw), len(ev.Raw))
	}
	c.ref = appendRef(c.ref[:0], ev)
	refStr := unsafe.String(unsafe.SliceData(c.ref), len(c.ref))
	for _, f := range [...]string{ev.TimeDesc, sanitize(ev.Host), ev.Source, ev.Evidence, sanitize(refStr), ev.SrcIP} {
		b = appendCSV(append(b, ','), f)
	}
	b = appendNZ(append(b, ','), int64(ev.SrcPort))
	b = appendCSV(append(b, ','), ev.DstIP)
	b = appendNZ(append(b, ','), int64(ev.DstPort))
	for _, f := range [...]string{sanitize(ev.User), ev.Method, sanitize(ev.URL)} {
		b = appendCSV(append(b, ','), f)
	}
	b = appendNZ(append(b, ','), int64(ev.Status))
	b = appendNZ(append(b, ','), ev.Bytes)
	for _, f := range [...]string{sanitize(ev.UserAgent), sanitize(ev.Path), ev.Action, ev.Tags, sanitize(msg)} {
		b = appendCSV(append(b, ','), f)
	}
	c.buf = append(b, '\n')
	_, err := c.bw.Write(c.buf)
	return err
}

func (c *csvWriter) close() error { return c.bw.Flush() }

// appendNZ appends v, nothing when it is 0 or Absent.
func appendNZ(b []byte, v int64) []byte {
	if v == 0 || v == timeline.Absent {
		return b
	}
	return strconv.AppendInt(b, v, 10)
}

// appendRef appends ev.Ref().String() without building the Ref.
func appendRef(b []byte, ev *timeline.Event) []byte {
	b = append(b, ev.Evidence...)
	b = append(b, ':')
	b = append(b, ev.RefPath...)
	switch {
	case ev.Line != timeline.Absent:
		b = append(b, ':')
		b = strconv.AppendInt(b, ev.Line, 10)
	case ev.MFT != timeline.Absent:
		b = append(b, "#mft"...)
		b = strconv.AppendInt(b, ev.MFT, 10)
	case ev.Inode != timeline.Absent:
		b = append(b, "#inode"...)
		b = strconv.AppendInt(b, ev.Inode, 10)
	}
	if ev.Offset != timeline.Absent && ev.Line == timeline.Absent {
		b = append(b, '@')
		b = strconv.AppendInt(b, ev.Offset, 10)
	}
	return b
}

// csvSpecial marks the bytes that make encoding/csv quote a cell.
var csvSpecial = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// appendCSV appends one cell: guarded against formula injection, then
// quoted where encoding/csv would quote it (a comma, quote, CR or LF, a
// leading space, or the lone \.).
func appendCSV(b []byte, s string) []byte {
	guard := eventview.FormulaStart(s)
	quote := s == `\.`
	for i := 0; i < len(s) && !quote; i++ {
		quote = csvSpecial[s[i]]
	}
	if !guard && !quote && s != "" {
		r, _ := utf8.DecodeRuneInString(s)
		quote = unicode.IsSpace(r)
	}
	if !quote {
		if guard {
			b = append(b, '\'')
		}
		return append(b, s...)
	}
	b = append(b, '"')
	if guard {
		b = append(b, '\'')
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func suffixAfterUnderscore(s string) string {
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		return s[i+1:]
	}
	return s
}
