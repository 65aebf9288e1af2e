package tooljson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Format names (and event sources).
const (
	Hayabusa = "hayabusa"
	Chainsaw = "chainsaw"
	Plaso    = "plaso-jsonl"
)

// tool is one JSON-lines timeline format: the keys that identify its
// records and how a record becomes an event.
type tool struct {
	name, description string
	class             parsers.Class
	keys              []string // every record has these top-level keys
	fill              func(rec map[string]any, in *parsers.Input, ev *timeline.Event) error
}

var tools = []tool{
	{Hayabusa, "Hayabusa json-timeline JSONL (Sigma detections in Windows event logs)", parsers.ClassSystem,
		[]string{"Timestamp", "RuleTitle", "Level", "Computer"}, fillHayabusa},
	{Chainsaw, "Chainsaw hunt --jsonl detections (Sigma and Chainsaw rules)", parsers.ClassSystem,
		[]string{"group", "kind", "document", "name", "timestamp"}, fillChainsaw},
	{Plaso, "plaso psort json_line events", parsers.ClassTool,
		[]string{"timestamp", "timestamp_desc", "data_type", "message"}, fillPlaso},
}

func init() {
	for i := range tools {
		t := &tools[i]
		parsers.Register(&parsers.Format{
			Name: t.name, Description: t.description, HasZone: true, HasYear: true,
			Sources: []parsers.Source{{Name: t.name, Class: t.class}},
			Detect:  func(name string, head []byte) int { return t.detect(head) },
			Parse: func(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
				return t.parse(ctx, in, sink)
			},
		})
	}
}

// detectLines is how many leading records detection decodes: enough to
// see the format, few enough that a large head stays cheap.
const detectLines = 5

// detect: the first records of the head (the last, maybe cut, line aside)
// are JSON objects with the tool's keys.
func (t *tool) detect(head []byte) int {
	seen := 0
	for _, line := range bytes.Split(head, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' || !json.Valid(line) {
			if seen > 0 && !bytes.HasSuffix(head, []byte("\n")) {
				break // the head cut the last line
			}
			return 0
		}
		var rec map[string]json.RawMessage
		if json.Unmarshal(line, &rec) != nil || !hasKeys(rec, t.keys) {
			return 0
		}
		if seen++; seen == detectLines {
			break
		}
	}
	if seen == 0 {
		return 0
	}
	return 100
}

func hasKeys(rec map[string]json.RawMessage, keys []string) bool {
	for _, k := range keys {
		if _, ok := rec[k]; !ok {
			return false
		}
	}
	return true
}

func (t *tool) parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var ev timeline.Event
	var last int64
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		text := bytes.TrimSpace(l.Text)
		if len(text) == 0 {
			return nil
		}
		var rec map[string]any
		d := json.NewDecoder(bytes.NewReader(text))
		d.UseNumber()
		err := d.Decode(&rec)
		if err == nil {
			ev.Reset()
			parsers.FillRef(&ev, in, l)
			ev.Source = t.name
			ev.Host = in.Host
			err = t.fill(rec, in, &ev)
		}
		if err != nil {
			parsers.Unparsed(&ev, in, l, last, fmt.Sprintf("not a %s record: %v", t.name, err))
		} else {
			last = ev.Time
		}
		return sink.Emit(&ev)
	})
}

// Str returns a field as text: strings as they are, numbers as written,
// anything else as compact JSON; "" when absent or null.
func Str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Path looks up a nested field: Path(rec, "document", "data", "Event").
func Path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// AddExtra flattens a record's fields into Extra (nested keys joined by
// dots, sorted), leaving out those the event already holds.
func AddExtra(ev *timeline.Event, prefix string, v any, skip map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		if s := Str(v); s != "" && !skip[prefix] {
			ev.AddExtra(prefix, s)
		}
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		if skip[name] {
			continue
		}
		AddExtra(ev, name, m[k], skip)
	}
}

// setTime parses an RFC 3339 time or Hayabusa's "2006-01-02 15:04:05.000
// -07:00" and sets the event's time, zone and original text.
func setTime(ev *timeline.Event, s string) error {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			ev.Time = t.UnixNano()
			ev.TimeOrig = s
			ev.Zone = t.Format("-0700")
			return nil
		}
	}
	return fmt.Errorf("time %q: not RFC 3339 or Hayabusa's format", s)
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05 -07:00"}

// fillHayabusa maps a Hayabusa record.
func fillHayabusa(rec map[string]any, _ *parsers.Input, ev *timeline.Event) error {
	if err := setTime(ev, Str(rec["Timestamp"])); err != nil {
		return err
	}
	ev.TimeDesc = timeline.TimeLog
	if c := Str(rec["Computer"]); c != "" {
		ev.Host = c
	}
	details := rec["Details"]
	ev.User = FirstOf(details, "TgtUser", "User", "SubjectUser", "SrcUser")
	ev.SrcIP = FirstOf(details, "SrcIP", "IP")
	ev.DstIP = FirstOf(details, "TgtIP", "DstIP")
	ev.Path = FirstOf(details, "Path", "Proc", "Image")
	ev.Message = Str(rec["RuleTitle"])
	if d := detailsText(details); d != "" {
		ev.Message += ": " + d
	}
	if lv := Str(rec["Level"]); lv != "" {
		ev.AddTag("level:" + lv)
	}
	addTags(ev, rec["MitreTactics"])
	addTags(ev, rec["MitreTags"])
	AddExtra(ev, "", rec, map[string]bool{"Timestamp": true, "Computer": true, "RuleTitle": true, "Level": true, "MitreTactics": true, "MitreTags": true})
	return nil
}

// FirstOf returns the first of the named fields an object has.
func FirstOf(v any, keys ...string) string {
	for _, k := range keys {
		if s := Str(Path(v, k)); s != "" && s != "-" && s != "n/a" {
			return s
		}
	}
	return ""
}

// detailsText is Hayabusa's Details as its CSV shows them: "Key: value ¦ ...".
func detailsText(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return Str(v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+Str(m[k]))
	}
	return strings.Join(parts, " ¦ ")
}

func addTags(ev *timeline.Event, v any) {
	switch x := v.(type) {
	case []any:
		for _, t := range x {
			if s := Str(t); s != "" {
				ev.AddTag(s)
			}
		}
	case string:
		for _, t := range strings.Split(x, " ¦ ") {
			if t = strings.TrimSpace(t); t != "" {
				ev.AddTag(t)
			}
		}
	}
}

// fillChainsaw maps a Chainsaw detection.
func fillChainsaw(rec map[string]any, _ *parsers.Input, ev *timeline.Event) error {
	if err := setTime(ev, Str(rec["timestamp"])); err != nil {
		return err
	}
	ev.TimeDesc = timeline.TimeLog
	sys := Path(rec, "document", "data", "Event", "System")
	if c := Str(Path(sys, "Computer")); c != "" {
		ev.Host = c
	}
	data := Path(rec, "document", "data", "Event", "EventData")
	ev.User = FirstOf(data, "TargetUserName", "SubjectUserName", "User")
	ev.SrcIP = FirstOf(data, "IpAddress", "SourceAddress")
	ev.Path = FirstOf(data, "Image", "ProcessName", "TargetFilename")
	ev.Message = Str(rec["name"])
	if id := Str(Path(sys, "EventID")); id != "" {
		ev.Message += " (EventID " + id + ")"
	}
	if lv := Str(rec["level"]); lv != "" {
		ev.AddTag("level:" + lv)
	}
	addTags(ev, rec["tags"])
	AddExtra(ev, "", rec, map[string]bool{"timestamp": true, "name": true, "level": true, "tags": true})
	return nil
}

// fillPlaso maps a plaso json_line event; its time is microseconds UTC.
func fillPlaso(rec map[string]any, _ *parsers.Input, ev *timeline.Event) error {
	us, err := strconv.ParseInt(Str(rec["timestamp"]), 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %v", Str(rec["timestamp"]), err)
	}
	ev.Time = us * 1000
	ev.TimeOrig = Str(rec["timestamp"])
	ev.Zone = "UTC"
	ev.TimeDesc = plasoDesc(Str(rec["timestamp_desc"]))
	if h := Str(rec["hostname"]); h != "" && h != "-" {
		ev.Host = h
	}
	if u := Str(rec["username"]); u != "-" {
		ev.User = u
	}
	ev.Path = Str(rec["filename"])
	if n, err := strconv.ParseInt(Str(rec["inode"]), 10, 64); err == nil {
		ev.Inode = n
	}
	ev.Message = Str(rec["message"])
	addTags(ev, Path(rec, "tag", "labels"))
	AddExtra(ev, "", rec, map[string]bool{"timestamp": true, "hostname": true, "username": true, "filename": true,
		"inode": true, "message": true, "tag": true, "__container_type__": true, "__type__": true})
	return nil
}

// plasoDesc maps plaso's words for the meaning of a time to Kiseki's
// (file system times), keeping any other as the lower-cased words.
func plasoDesc(s string) string {
	switch s {
	case "Content Modification Time":
		return timeline.TimeModified
	case "Last Access Time":
		return timeline.TimeAccessed
	case "Metadata Modification Time":
		return timeline.TimeChanged
	case "Creation Time":
		return timeline.TimeBorn
	case "Content Deletion Time":
		return timeline.TimeDeleted
	case "":
		return timeline.TimeUnknown
	}
	return strings.ToLower(s)
}
