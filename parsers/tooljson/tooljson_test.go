package tooljson_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/parsers/tooljson"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func utc(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

// TestDetectExclusive: each tool's sample is detected as that tool only,
// among every registered format.
func TestDetectExclusive(t *testing.T) {
	for file, want := range map[string]string{"hayabusa.jsonl": tooljson.Hayabusa, "chainsaw.jsonl": tooljson.Chainsaw, "plaso.jsonl": tooljson.Plaso} {
		head, _ := os.ReadFile(filepath.Join("testdata", file))
		c := parsers.Detect("timeline.jsonl", head)
		if len(c) == 0 || c[0].Format.Name != want || c[0].Score != 100 || len(c) > 1 && c[1].Score >= 100 {
			t.Errorf("%s: candidates %v, want %s alone", file, c, want)
		}
	}
}

func TestHayabusa(t *testing.T) {
	evs := parsertest.Parse(t, tooljson.Hayabusa, filepath.Join("testdata", "hayabusa.jsonl"), 0, nil)
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	checks := []struct{ name, got, want string }{
		{"host", e.Host, "WIN-FS01.corp.example"},
		{"user", e.User, "svc_backup"},
		{"src_ip", e.SrcIP, "10.0.1.10"},
		{"zone", e.Zone, "+0900"},
		{"time_orig", e.TimeOrig, "2026-03-02 23:05:12.345 +09:00"},
		{"tags", e.Tags, "level:info,InitAccess,LatMov,T1078"},
		{"message", e.Message, "Logon (Network): LID: 0x8a1f2 ¦ SrcComp: WEB01 ¦ SrcIP: 10.0.1.10 ¦ TgtUser: svc_backup ¦ Type: 3"},
		{"EventID", parsertest.Extra(&e, "EventID"), "4624"},
		{"Channel", parsertest.Extra(&e, "Channel"), "Sec"},
		{"ExtraFieldInfo", parsertest.Extra(&e, "ExtraFieldInfo.AuthenticationPackageName"), "NTLM"},
		{"EvtxFile", parsertest.Extra(&e, "EvtxFile"), `C:\Windows\System32\winevt\Logs\Security.evtx`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if e.Time != utc("2026-03-02T14:05:12.345Z") || e.Source != tooljson.Hayabusa || e.Line != 1 {
		t.Errorf("time %d source %s line %d", e.Time, e.Source, e.Line)
	}
	if evs[1].Path != `C:\Users\Public\m.exe` || evs[1].User != `CORP\svc_backup` || !strings.Contains(evs[1].Tags, "level:high") {
		t.Errorf("second: %+v", evs[1])
	}
	// --ISO-8601 timestamps.
	if evs[2].Time != utc("2026-03-02T14:07:00.5Z") || evs[2].Zone != "+0000" {
		t.Errorf("ISO 8601 time: %d %s", evs[2].Time, evs[2].Zone)
	}
}

func TestChainsaw(t *testing.T) {
	evs := parsertest.Parse(t, tooljson.Chainsaw, filepath.Join("testdata", "chainsaw.jsonl"), 0, nil)
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	if e.Time != utc("2026-03-02T14:04:58.123456Z") || e.Host != "WIN-FS01.corp.example" || e.User != "administrator" ||
		e.SrcIP != "203.0.113.66" || e.Message != "Failed Logon From Public IP (EventID 4625)" ||
		e.Tags != "level:medium,attack.initial_access,attack.t1078" ||
		parsertest.Extra(&e, "document.data.Event.EventData.Status") != "0xc000006d" || parsertest.Extra(&e, "document.path") != "./evtx/Security.evtx" {
		t.Errorf("first: %+v", e)
	}
	if evs[1].Time != utc("2026-03-02T14:08:10Z") || !strings.Contains(evs[1].Message, "PsExec") {
		t.Errorf("second: %+v", evs[1])
	}
}

func TestPlaso(t *testing.T) {
	evs := parsertest.Parse(t, tooljson.Plaso, filepath.Join("testdata", "plaso.jsonl"), 0, nil)
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	if e.Time != utc("2026-03-02T14:05:11Z") || e.TimeDesc != timeline.TimeBorn || e.Host != "web01" || e.User != "" ||
		e.Path != "/var/www/shop/uploads/.cache/img.php" || e.Inode != 4113 || parsertest.Extra(&e, "parser") != "filestat" ||
		parsertest.Extra(&e, "display_name") != "OS:/mnt/web01/var/www/shop/uploads/.cache/img.php" || e.Zone != "UTC" {
		t.Errorf("file: %+v", e)
	}
	if evs[1].User != "dbadmin" || evs[1].Tags != "login_success,ssh" || evs[1].TimeDesc != timeline.TimeModified || parsertest.Extra(&evs[1], "pid") != "812" {
		t.Errorf("syslog: %+v", evs[1])
	}
	// hostname "-": the bundle item's host; plaso's own words kept.
	if evs[2].Host != "" || evs[2].TimeDesc != "recorded time" || parsertest.Extra(&evs[2], "http_response_code") != "200" {
		t.Errorf("access: %+v", evs[2])
	}
}

// TestBadLines: a line that is not a record, or has no readable time, is
// kept raw, at its line, and the rest is read.
func TestBadLines(t *testing.T) {
	good, _ := os.ReadFile(filepath.Join("testdata", "hayabusa.jsonl"))
	lines := strings.SplitAfter(string(good), "\n")
	data := lines[0] + "{not json\n" + strings.Replace(lines[1], "2026-03-02 23:06:40.001 +09:00", "yesterday", 1) + lines[2]
	p := parsertest.WriteFile(t, "h.jsonl", data, time.Time{})
	evs := parsertest.Parse(t, tooljson.Hayabusa, p, 0, nil)
	if len(evs) != 4 || evs[1].Source != timeline.SourceRaw || evs[1].Line != 2 || evs[2].Source != timeline.SourceRaw ||
		!strings.Contains(evs[2].Message, "yesterday") || evs[3].Source != tooljson.Hayabusa {
		t.Fatalf("events: %+v", evs)
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"hayabusa.jsonl", "chainsaw.jsonl", "plaso.jsonl"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{tooljson.Hayabusa, tooljson.Chainsaw, tooljson.Plaso} {
			fm, _ := parsers.Lookup(name)
			fm.Detect("x.jsonl", data)
			in := &parsers.Input{Name: "x", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
			var c parsertest.Collect
			if err := fm.Parse(context.Background(), in, &c); err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(bytes.TrimSpace(data), []byte("\n")); len(bytes.TrimSpace(data)) > 0 && len(c.Events) > n+1 {
				t.Fatalf("%d events from %d lines", len(c.Events), n+1)
			}
		}
	})
}

// go test ./parsers/tooljson -run - -bench .
func BenchmarkHayabusa(b *testing.B) {
	one, _ := os.ReadFile(filepath.Join("testdata", "hayabusa.jsonl"))
	data := bytes.Repeat(one, 1000)
	fm, _ := parsers.Lookup(tooljson.Hayabusa)
	in := &parsers.Input{Name: "x", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := fm.Parse(context.Background(), in, &parsertest.Discard{}); err != nil {
			b.Fatal(err)
		}
	}
}
