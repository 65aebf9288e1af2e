package velociraptor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/tooljson"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the format (and event source) of Velociraptor result rows.
const FormatName = "velociraptor"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Description: "Velociraptor collection results (results/ARTIFACT.json rows of an offline collector zip)",
		HasZone:     true, HasYear: true,
		Detect:  detect,
		Parse:   parse,
		Sources: []parsers.Source{{Name: FormatName, Class: parsers.ClassTool}},
	})
}

// artifact returns the artifact (and source) a results file holds, from
// its path inside the collection ("c.zip!results/Windows.System.Pslist.json"),
// or "" when the path is not a results file.
func artifact(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '!'); i >= 0 {
		name = name[i+1:]
	}
	dir, file := path.Split(name)
	if path.Base(strings.TrimSuffix(dir, "/")) != "results" || !strings.HasSuffix(file, ".json") {
		return ""
	}
	a := strings.TrimSuffix(file, ".json")
	if u, err := url.PathUnescape(a); err == nil {
		a = u
	}
	return a
}

// detect: a results/*.json file whose first line is a JSON object.
func detect(name string, head []byte) int {
	if artifact(name) == "" {
		return 0
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSpace(line)
	if len(line) == 0 && len(bytes.TrimSpace(head)) == 0 {
		return 90 // an artifact that returned no rows
	}
	if len(line) == 0 || line[0] != '{' {
		return 0
	}
	if bytes.HasSuffix(head, []byte("\n")) || bytes.IndexByte(head, '\n') >= 0 {
		if !json.Valid(line) {
			return 0
		}
	}
	return 100
}

// maxTimesPerRow bounds the events one row becomes: an MFT row has eight
// ($SI and $FN MACB); more time columns than this are kept in Extra only.
const maxTimesPerRow = 16

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	art := artifact(in.Name)
	var ev, cols timeline.Event // cols: the row's columns, flattened once per row
	var last int64
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		text := bytes.TrimSpace(l.Text)
		if len(text) == 0 {
			return nil
		}
		var row map[string]any
		d := json.NewDecoder(bytes.NewReader(text))
		d.UseNumber()
		if err := d.Decode(&row); err != nil {
			parsers.Unparsed(&ev, in, l, last, fmt.Sprintf("not a Velociraptor result row: %v", err))
			return sink.Emit(&ev)
		}
		times := rowTimes(row)
		if len(times) == 0 {
			times = []rowTime{{key: timeline.TimeUnknown}}
		}
		cols.Extra = cols.Extra[:0]
		tooljson.AddExtra(&cols, "", row, nil)
		for _, t := range times {
			fillRow(&ev, in, l, art, row, t, cols.Extra)
			if t.ns != 0 {
				last = t.ns
			}
			if err := sink.Emit(&ev); err != nil {
				return err
			}
		}
		return nil
	})
}

type rowTime struct {
	key, orig, zone string
	ns              int64
}

// rowTimes finds the row's times: top-level strings that are RFC 3339
// times (not the zero time Velociraptor writes for "none"), and _ts (epoch
// seconds, the time the row was collected) when the row has no other.
func rowTimes(row map[string]any) []rowTime {
	keys := make([]string, 0, len(row))
	for k := range row {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []rowTime
	for _, k := range keys {
		s, ok := row[k].(string)
		if !ok || len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[10] != 'T' {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.Year() <= 1601 || t.Unix() == 0 {
			continue
		}
		out = append(out, rowTime{key: k, orig: s, zone: t.Format("-0700"), ns: t.UnixNano()})
		if len(out) == maxTimesPerRow {
			break
		}
	}
	if len(out) == 0 {
		if n, err := strconv.ParseFloat(tooljson.Str(row["_ts"]), 64); err == nil && n > 0 {
			out = append(out, rowTime{key: "_ts", orig: tooljson.Str(row["_ts"]), zone: "UTC", ns: int64(n * 1e9)})
		}
	}
	return out
}

// fillRow makes the event of one time of a row.
func fillRow(ev *timeline.Event, in *parsers.Input, l *parsers.Line, art string, row map[string]any, t rowTime, cols []timeline.KV) {
	ev.Reset()
	parsers.FillRef(ev, in, l)
	ev.Source = FormatName
	ev.Host = in.Host
	if h := tooljson.FirstOf(row, "Fqdn", "Hostname", "Computer", "ClientHostname"); h != "" {
		ev.Host = h
	}
	ev.Time, ev.TimeDesc, ev.TimeOrig, ev.Zone = t.ns, t.key, t.orig, t.zone
	ev.User = tooljson.FirstOf(row, "Username", "UserName", "User", "TargetUserName", "SubjectUserName", "Owner")
	ev.Path = tooljson.FirstOf(row, "OSPath", "FullPath", "Path", "Exe", "Image", "Name")
	ev.SrcIP = tooljson.FirstOf(row, "SrcIP", "IpAddress", "SourceIP")
	ev.DstIP = tooljson.FirstOf(row, "DstIP", "DestinationIP")
	ev.Message = art + ": " + summary(row, t.key)
	ev.AddExtra("artifact", art)
	ev.Extra = append(ev.Extra, cols...)
}

// summaryFields bounds the columns a message shows: the rest is in Extra.
const summaryFields = 6

// summary is the row in a line: its first few scalar columns (sorted),
// the time column aside.
func summary(row map[string]any, timeKey string) string {
	keys := make([]string, 0, len(row))
	for k := range row {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if k == timeKey || strings.HasPrefix(k, "_") {
			continue
		}
		switch row[k].(type) {
		case map[string]any, []any, nil:
			continue
		}
		parts = append(parts, k+"="+tooljson.Str(row[k]))
		if len(parts) == summaryFields {
			break
		}
	}
	return strings.Join(parts, " ")
}
