package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

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
		cw := csv.NewWriter(bw)
		cw.Write([]string{"time", "time_desc", "host", "source", "evidence", "ref", "src_ip", "src_port", "dst_ip", "dst_port", "user", "method", "url", "status", "bytes", "user_agent", "path", "action", "tags", "message"})
		return &csvWriter{bw: bw, cw: cw, loc: loc}, nil
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

type jsonlWriter struct{ bw *bufio.Writer }

func (j *jsonlWriter) write(row int64, ev *timeline.Event) error {
	_, err := j.bw.Write(marshalLine(toJSONEvent(row, ev)))
	return err
}
func (j *jsonlWriter) close() error { return j.bw.Flush() }

type csvWriter struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	loc *time.Location
}

func itoaNZ(v int64) string {
	if v == 0 || v == timeline.Absent {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

func (c *csvWriter) write(_ int64, ev *timeline.Event) error {
	msg := ev.Message
	if ev.Source == timeline.SourceRaw {
		msg = string(ev.Raw)
	}
	return c.cw.Write([]string{fmtTime(ev.Time, c.loc), ev.TimeDesc, sanitize(ev.Host), ev.Source, ev.Evidence, sanitize(ev.Ref().String()),
		ev.SrcIP, itoaNZ(int64(ev.SrcPort)), ev.DstIP, itoaNZ(int64(ev.DstPort)), sanitize(ev.User), ev.Method, sanitize(ev.URL),
		itoaNZ(int64(ev.Status)), itoaNZ(ev.Bytes), sanitize(ev.UserAgent), sanitize(ev.Path), ev.Action, ev.Tags, sanitize(msg)})
}

func (c *csvWriter) close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

func suffixAfterUnderscore(s string) string {
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		return s[i+1:]
	}
	return s
}
