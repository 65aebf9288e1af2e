package cli_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// extraKey finds the keys of the extra column's "key: value" pairs.
var extraKey = regexp.MustCompile(`(?:^|; )([a-z_]+): `)

// TestL2TCSVColumns checks every column of the sample case's l2tcsv
// against plaso's conventions (its l2t_csv output module) and against the
// same events as jsonl: 17 fields, no quoting (a comma in a value is a
// space), "-" for an empty value, plaso's source and time words.
func TestL2TCSVColumns(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, sampleBundle(t), caseDir)
	l2t, errOut, code := run(t, "timeline", "--case", caseDir, "--format", "l2tcsv")
	if code != 0 {
		t.Fatal(errOut)
	}
	jl, _, _ := run(t, "timeline", "--case", caseDir, "--format", "jsonl")
	type event struct {
		Time, TimeDesc, Host, Source, Evidence, Message, User, SrcIP, Tags string
		Ref                                                                struct{ Path string }
	}
	var events []event
	for _, l := range strings.Split(strings.TrimSpace(jl), "\n") {
		var raw map[string]any
		json.Unmarshal([]byte(l), &raw)
		var ev event
		json.Unmarshal([]byte(l), &ev)
		ev.TimeDesc, _ = raw["time_desc"].(string)
		ev.SrcIP, _ = raw["src_ip"].(string)
		if tags, ok := raw["tags"].([]any); ok {
			for _, x := range tags {
				ev.Tags += x.(string) + " "
			}
		}
		events = append(events, ev)
	}
	rows := strings.Split(strings.TrimSuffix(l2t, "\n"), "\n")
	if rows[0] != "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra" {
		t.Fatalf("header: %s", rows[0])
	}
	rows = rows[1:]
	if len(rows) != len(events) {
		t.Fatalf("%d rows for %d events (log events are never grouped)", len(rows), len(events))
	}
	words := map[string]struct{ sourcetype, typ, macb, format string }{
		"access-log": {"Apache Access Log", "Recorded Time", "....", "apache_access"},
		"syslog":     {"Syslog", "Content Modification Time", "M...", "syslog"},
		"auth":       {"Syslog", "Content Modification Time", "M...", "syslog"},
		"unparsed":   {"Unparsed line", "Unknown Time", "....", "-"},
	}
	orDash := func(s string) string {
		if s = strings.TrimSpace(s); s == "" {
			return "-"
		}
		return strings.ReplaceAll(s, ",", " ")
	}
	seen := map[string]bool{}
	for i, row := range rows {
		f := strings.Split(row, ",")
		if len(f) != 17 {
			t.Fatalf("row %d: %d fields: %s", i+1, len(f), row)
		}
		ev := events[i]
		tm, _ := time.Parse(time.RFC3339Nano, ev.Time)
		w, ok := words[ev.Source]
		if !ok {
			t.Fatalf("row %d: source %q not in the table", i+1, ev.Source)
		}
		seen[ev.Source] = true
		cols := []struct{ name, got, want string }{
			{"date", f[0], tm.Format("01/02/2006")},
			{"time", f[1], tm.Format("15:04:05")},
			{"timezone", f[2], "UTC"},
			{"MACB", f[3], w.macb},
			{"source", f[4], "LOG"},
			{"sourcetype", f[5], w.sourcetype},
			{"type", f[6], w.typ},
			{"user", f[7], orDash(ev.User)},
			{"host", f[8], ev.Host},
			{"version", f[11], "2"},
			{"filename", f[12], ev.Ref.Path},
			{"inode", f[13], "-"},
			{"notes", f[14], orDash(ev.Tags)},
			{"format", f[15], w.format},
		}
		for _, c := range cols {
			if c.got != c.want {
				t.Errorf("row %d %s: %q, want %q\n%s", i+1, c.name, c.got, c.want, row)
			}
		}
		if f[9] == "-" || f[10] == "-" || (ev.Message != "" && f[10] != orDash(ev.Message) && ev.Source != "unparsed") {
			t.Errorf("row %d short/desc: %q / %q, message %q", i+1, f[9], f[10], ev.Message)
		}
		var keys []string
		for _, m := range extraKey.FindAllStringSubmatch(f[16], -1) {
			keys = append(keys, m[1])
		}
		if len(keys) < 2 || !sort.StringsAreSorted(keys) || !strings.Contains(f[16], "evidence: "+ev.Evidence) {
			t.Errorf("row %d extra: not sorted key: value pairs with the evidence: %s", i+1, f[16])
		}
		if ev.SrcIP != "" && !strings.Contains(f[16], "src_ip: "+ev.SrcIP) {
			t.Errorf("row %d extra lacks src_ip %s", i+1, ev.SrcIP)
		}
	}
	if len(seen) != len(words) {
		t.Errorf("sources seen %v, want all of the table", seen)
	}
	// A display zone: the zone's abbreviation, and the local date and time.
	jst, _, _ := run(t, "timeline", "--case", caseDir, "--format", "l2tcsv", "--tz", "Asia/Tokyo", "--limit", "1")
	f := strings.Split(strings.Split(jst, "\n")[1], ",")
	tm, _ := time.Parse(time.RFC3339Nano, events[0].Time)
	tm = tm.In(time.FixedZone("JST", 9*3600))
	if f[0] != tm.Format("01/02/2006") || f[1] != tm.Format("15:04:05") || f[2] != "JST" {
		t.Errorf("--tz Asia/Tokyo: %v", f[:3])
	}
}

// TestL2TCSVFileRows: file system times of one file at one second are one
// row with every MACB letter and type, as plaso groups them; the filename
// is the file's path and the inode its number.
func TestL2TCSVFileRows(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, filepath.Join(sampleBundle(t), "..", "webshop", "bundle"), caseDir)
	out, _, _ := run(t, "timeline", "--case", caseDir, "--format", "l2tcsv", "--source", "ext4")
	shell := regexp.MustCompile(`^03/02/2026,14:05:11,UTC,([MACB.]{4}),FILE,File stat,([^,]*),-,web01,[^,]*,[^,]*,2,/var/www/shop/uploads/\.cache/img\.php,(\d+),-,filestat,`)
	found := false
	for _, row := range strings.Split(out, "\n") {
		if m := shell.FindStringSubmatch(row); m != nil {
			found = true
			want := []byte("....")
			for _, typ := range strings.Split(m[2], "; ") {
				i := map[string]int{"Content Modification Time": 0, "Last Access Time": 1, "Metadata Modification Time": 2, "Creation Time": 3}[typ]
				want[i] = "MACB"[i]
			}
			if m[1] != string(want) || !strings.HasSuffix(m[1], "B") || m[3] == "" {
				t.Errorf("the web shell's birth row: MACB %q, types %q", m[1], m[2])
			}
		}
	}
	if !found {
		t.Errorf("no row for the web shell's birth:\n%.2000s", out)
	}
}
