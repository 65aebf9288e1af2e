package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
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
		return &bodyWriter{bw: bw, files: map[bodyKey]*bodyLine{}, mounts: map[string]string{}}, nil
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

// bodyWriter writes a Sleuth Kit bodyfile (mactime -b input):
// MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime.
// File system events of one file (same evidence, volume, meta address and
// name) are folded into one line, as fls -m prints them. Only file system
// rows are written unless all is set: a log event has no mode, owner or size
// and one time, and mactime would print it as a row of placeholders. With
// all, any other event is a line of its own with its time in the slot its
// description names (mtime when it names none). When the file rows come
// from more than one image, every name is host:/mount/path, so two hosts'
// files (or two volumes of one host) cannot be mistaken for one another.
type bodyWriter struct {
	bw    *bufio.Writer
	all   bool
	files map[bodyKey]*bodyLine
	order []bodyKey
	// mounts is the mount prefix of each evidence item's paths, learned from
	// rows whose path is the mount followed by the file system name.
	mounts map[string]string
}

type bodyKey struct{ evidence, ref, meta, name string }

type bodyLine struct {
	host, name, meta, mode, uid, gid, size string
	a, m, c, b                             int64
}

func (w *bodyWriter) write(_ int64, ev *timeline.Event) error {
	var meta, name, mode, uid, gid, size string
	for _, kv := range ev.Extra {
		switch kv.Key {
		case "meta":
			meta = kv.Value
		case "name":
			name = kv.Value
		case "mode":
			mode = kv.Value
		case "uid":
			uid = kv.Value
		case "gid":
			gid = kv.Value
		case "size":
			size = kv.Value
		}
	}
	secs := ev.Time / 1e9
	if meta == "" { // not a file system record
		if !w.all {
			return nil
		}
		l := bodyLine{name: summary(ev), meta: "0", mode: "0", uid: "0", gid: "0", size: "0"}
		if ev.Inode != timeline.Absent {
			l.meta = strconv.FormatInt(ev.Inode, 10)
		}
		switch suffixAfterUnderscore(ev.TimeDesc) {
		case "atime":
			l.a = secs
		case "ctime":
			l.c = secs
		case "crtime":
			l.b = secs
		default:
			l.m = secs
		}
		_, err := w.bw.WriteString(l.String())
		return err
	}
	k := bodyKey{ev.Evidence, ev.RefPath, meta, name}
	l := w.files[k]
	if l == nil {
		l = &bodyLine{host: sanitize(ev.Host), name: sanitize(name), meta: meta, mode: mode, uid: uid, gid: gid, size: size}
		w.files[k] = l
		w.order = append(w.order, k)
		w.learnMount(ev.Evidence, ev.Path, name)
	}
	switch suffixAfterUnderscore(ev.TimeDesc) {
	case "atime":
		l.a = secs
	case "mtime":
		l.m = secs
	case "ctime":
		l.c = secs
	case "crtime":
		l.b = secs
	}
	return nil
}

// learnMount records the mount prefix of an evidence item's file paths: a
// file's path is its mount point followed by its name in the file system
// (orphans and names with replaced bytes do not tell, and are skipped).
func (w *bodyWriter) learnMount(evidence, path, name string) {
	if _, ok := w.mounts[evidence]; ok || len(name) < 2 || name[0] != '/' || !strings.HasSuffix(path, name) {
		return
	}
	w.mounts[evidence] = path[:len(path)-len(name)]
}

func (l bodyLine) String() string {
	name := strings.ReplaceAll(l.name, "|", "\\x7c")
	return fmt.Sprintf("0|%s|%s|%s|%s|%s|%s|%d|%d|%d|%d\n", name, l.meta, orZero(l.mode), orZero(l.uid), orZero(l.gid), orZero(l.size), l.a, l.m, l.c, l.b)
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (w *bodyWriter) close() error {
	images := map[string]bool{}
	for _, k := range w.order {
		images[k.evidence+"\x00"+k.ref] = true
	}
	if len(images) > 1 {
		for _, k := range w.order {
			l := w.files[k]
			sep := ""
			if !strings.HasPrefix(l.name, "/") { // "<inode 7>": a reserved inode without a name
				sep = "/"
			}
			l.name = l.host + ":" + w.mounts[k.evidence] + sep + l.name
		}
	}
	sort.SliceStable(w.order, func(i, j int) bool { return w.files[w.order[i]].name < w.files[w.order[j]].name })
	for _, k := range w.order {
		if _, err := w.bw.WriteString(w.files[k].String()); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
