package syslog_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func input(path string, year int, zone *time.Location, mtime time.Time) *parsers.Input {
	return &parsers.Input{Name: filepath.Base(path), Evidence: "E1", Zone: zone, ZoneSource: "manifest", Year: year, ModTime: mtime,
		Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

func parse(t testing.TB, in *parsers.Input) []timeline.Event {
	t.Helper()
	f, _ := parsers.Lookup(syslog.FormatName)
	var c parsertest.Collect
	if err := f.Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.Events
}

func utc(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

// TestPlasoSyslog checks the values plaso's own tests expect of its
// traditional syslog sample (tests/parsers/text_plugins/syslog.py): the first
// event, and the year advancing at the Dec → Mar step (plaso's event 9).
func TestPlasoSyslog(t *testing.T) {
	events := parse(t, input(corpus.Path(t, "syslog/plaso/syslog"), 2012, time.UTC, time.Time{}))
	if len(events) != 18 {
		t.Fatalf("%d events for 18 lines", len(events))
	}
	e := events[0]
	if e.Message != "INFO No new content in ímynd.dd." || parsertest.Extra(&e, "hostname") != "myhostname.myhost.com" || parsertest.Extra(&e, "pid") != "30840" || parsertest.Extra(&e, "program") != "client" {
		t.Errorf("event 0: %+v", e)
	}
	if !e.UTC().Equal(utc(2012, 1, 22, 7, 52, 33, 0)) {
		t.Errorf("event 0 time %v", e.UTC())
	}
	// Line 8 "MMM 22 ..." is plaso's one extraction warning: kept raw here.
	if events[7].Source != timeline.SourceRaw || string(events[7].Raw) != "MMM 22 07:54:32 myhostname.myhost.com anacron[29782]: Normal exit (1 job run)" {
		t.Errorf("line 8: %+v", events[7])
	}
	// Line 11 is plaso's event 9: a year later (0001 relative), fractional seconds.
	e = events[10]
	if e.Message != "This syslog message has a fractional value for seconds." || parsertest.Extra(&e, "program") != "somrandomexe" || !e.UTC().Equal(utc(2013, 3, 23, 23, 1, 18, 123e6)) {
		t.Errorf("line 11: %v %+v", e.UTC(), e)
	}
	// Feb 29 in 2012 is a real date (the file's leap-year line).
	if !events[6].UTC().Equal(utc(2012, 2, 29, 1, 15, 43, 0)) {
		t.Errorf("leap day: %v", events[6].UTC())
	}
	// The tab-indented line continues the message before it.
	if events[13].Tags != "continuation" || events[13].Message != "many syslog parsers." || events[13].Time != events[12].Time {
		t.Errorf("continuation: %+v", events[13])
	}
	// "kernel: ..." with no host field.
	if parsertest.Extra(&events[16], "program") != "kernel" || parsertest.Extra(&events[16], "hostname") != "" {
		t.Errorf("no-host line: %+v", events[16])
	}
}

func TestRFC5424AndRsyslog(t *testing.T) {
	// plaso's expected values for syslog_rsyslog_SyslogProtocol23Format event 0.
	events := parse(t, input(corpus.Path(t, "syslog/plaso/syslog_rsyslog_SyslogProtocol23Format"), 2000, time.UTC, time.Time{}))
	e := events[0]
	if !e.UTC().Equal(utc(2021, 3, 6, 4, 7, 38, 251122000)) || parsertest.Extra(&e, "hostname") != "hostname" || parsertest.Extra(&e, "program") != "log_tag" || parsertest.Extra(&e, "severity") != "debug" || parsertest.Extra(&e, "facility") != "user" {
		t.Errorf("5424: %v %+v", e.UTC(), e)
	}
	// plaso: syslog_rsyslog event 0: host localhost, reporter rsyslogd.
	events = parse(t, input(corpus.Path(t, "syslog/plaso/syslog_rsyslog"), 2000, time.UTC, time.Time{}))
	e = events[0]
	if !e.UTC().Equal(utc(2020, 5, 31, 0, 0, 45, 698463000)) || parsertest.Extra(&e, "hostname") != "localhost" || parsertest.Extra(&e, "program") != "rsyslogd" || e.Zone != "+00:00" {
		t.Errorf("rsyslog: %v %+v", e.UTC(), e)
	}
	// plaso: ChromeOS event 0: body, pid 13707, reporter periodic_scheduler, severity INFO, -07:00.
	events = parse(t, input(corpus.Path(t, "syslog/plaso/syslog_chromeos"), 2000, time.UTC, time.Time{}))
	e = events[0]
	if e.Message != "cleanup_logs: job completed" || parsertest.Extra(&e, "pid") != "13707" || parsertest.Extra(&e, "program") != "periodic_scheduler" || parsertest.Extra(&e, "severity") != "info" || !e.UTC().Equal(utc(2016, 10, 25, 19, 37, 23, 297265000)) {
		t.Errorf("chromeos: %v %+v", e.UTC(), e)
	}
}

// TestCrowdSecAsserts checks program, pid, timestamp and message on the
// CrowdSec syslog samples.
func TestCrowdSecAsserts(t *testing.T) {
	for _, name := range []string{"syslog-logs", "sshd-logs", "sshd-success-logs", "pam-logs"} {
		t.Run(name, func(t *testing.T) {
			dir := corpus.Path(t, "syslog/crowdsec/"+name)
			events := parse(t, input(filepath.Join(dir, name+".log"), 2020, time.UTC, time.Time{}))
			want := corpus.ReadAsserts(t, filepath.Join(dir, "parser.assert"))["s00-raw"]["crowdsecurity/syslog-logs"]
			if len(want) == 0 {
				t.Fatal("no assertions")
			}
			for idx, f := range want {
				if f["Success"] != "true" {
					continue
				}
				e := &events[idx]
				if e.Source != syslog.FormatName {
					t.Errorf("line %d unparsed", idx+1)
					continue
				}
				checks := map[string]string{"program": parsertest.Extra(e, "program"), "pid": parsertest.Extra(e, "pid"), "timestamp": e.TimeOrig, "message": e.Message}
				for k, got := range checks {
					if w, ok := f[k]; ok && got != w {
						t.Errorf("line %d %s: got %q want %q", idx+1, k, got, w)
					}
				}
			}
		})
	}
}

func TestYears(t *testing.T) {
	log := "Dec 30 23:59:58 h a: one\nDec 31 23:59:59 h a: two\nJan  1 00:00:01 h a: three\nDec 31 23:59:59 h a: late line\nJan  1 00:00:02 h a: four\nFeb  3 10:00:00 h a: five\nJan 30 10:00:00 h a: a step back within the year\n"
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cases := []struct {
		name  string
		year  int
		zone  *time.Location
		mtime time.Time
		want  []time.Time
	}{
		{"manifest year, UTC", 2025, time.UTC, time.Time{}, []time.Time{
			utc(2025, 12, 30, 23, 59, 58, 0), utc(2025, 12, 31, 23, 59, 59, 0), utc(2026, 1, 1, 0, 0, 1, 0),
			utc(2025, 12, 31, 23, 59, 59, 0), utc(2026, 1, 1, 0, 0, 2, 0), utc(2026, 2, 3, 10, 0, 0, 0), utc(2026, 1, 30, 10, 0, 0, 0)}},
		{"manifest year, Tokyo", 2025, tokyo, time.Time{}, []time.Time{
			utc(2025, 12, 30, 14, 59, 58, 0), utc(2025, 12, 31, 14, 59, 59, 0), utc(2025, 12, 31, 15, 0, 1, 0),
			utc(2025, 12, 31, 14, 59, 59, 0), utc(2025, 12, 31, 15, 0, 2, 0), utc(2026, 2, 3, 1, 0, 0, 0), utc(2026, 1, 30, 1, 0, 0, 0)}},
		{"year from mtime after rollover", 0, time.UTC, utc(2026, 3, 1, 0, 0, 0, 0), []time.Time{
			utc(2025, 12, 30, 23, 59, 58, 0), utc(2025, 12, 31, 23, 59, 59, 0), utc(2026, 1, 1, 0, 0, 1, 0),
			utc(2025, 12, 31, 23, 59, 59, 0), utc(2026, 1, 1, 0, 0, 2, 0), utc(2026, 2, 3, 10, 0, 0, 0), utc(2026, 1, 30, 10, 0, 0, 0)}},
	}
	path := parsertest.WriteFile(t, "syslog", log, time.Time{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events := parse(t, input(path, tc.year, tc.zone, tc.mtime))
			if len(events) != len(tc.want) {
				t.Fatalf("%d events", len(events))
			}
			for i, e := range events {
				if !e.UTC().Equal(tc.want[i]) {
					t.Errorf("line %d (%s): %v, want %v", i+1, e.Message, e.UTC(), tc.want[i])
				}
			}
			if events[0].Zone != tc.zone.String()+" (manifest)" {
				t.Errorf("zone label %q", events[0].Zone)
			}
		})
	}
	// A file last written in January whose last line is from December: the
	// year before the mtime.
	p2 := parsertest.WriteFile(t, "syslog", "Dec 31 10:00:00 h a: x\n", time.Time{})
	events := parse(t, input(p2, 0, time.UTC, utc(2026, 1, 2, 0, 0, 0, 0)))
	if !events[0].UTC().Equal(utc(2025, 12, 31, 10, 0, 0, 0)) {
		t.Errorf("december line, january mtime: %v", events[0].UTC())
	}
}

func TestDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	p := parsertest.WriteFile(t, "syslog", "Mar  8 01:30:00 h a: before\nMar  8 03:30:00 h a: after\nNov  1 01:30:00 h a: ambiguous\n", time.Time{})
	events := parse(t, input(p, 2026, ny, time.Time{}))
	want := []time.Time{utc(2026, 3, 8, 6, 30, 0, 0), utc(2026, 3, 8, 7, 30, 0, 0)}
	for i, w := range want {
		if !events[i].UTC().Equal(w) {
			t.Errorf("line %d: %v want %v", i+1, events[i].UTC(), w)
		}
	}
}

func TestHostileLines(t *testing.T) {
	long := strings.Repeat("A", 10<<20)
	p := parsertest.WriteFile(t, "syslog", "Jan  1 00:00:00 h a: ok\n"+long+"\nJan  1 00:00:01 h a: \x00nul \x1b[31mred\xff\n", time.Time{})
	events := parse(t, input(p, 2026, time.UTC, time.Time{}))
	if len(events) != 3 {
		t.Fatalf("%d events", len(events))
	}
	if events[1].Source != timeline.SourceRaw || len(events[1].Raw) != 10<<20 {
		t.Errorf("10 MB line: source %s, %d raw bytes", events[1].Source, len(events[1].Raw))
	}
	if events[2].Message != "\x00nul \x1b[31mred\xff" {
		t.Errorf("binary message altered: %q", events[2].Message)
	}
}

// TestUnterminatedStructuredData: structured data cut inside a quoted value
// after a backslash (a truncated relay line) ends at the line's end instead of
// slicing past it.
func TestUnterminatedStructuredData(t *testing.T) {
	p := syslog.NewParser(&parsers.Input{Name: "t", Zone: time.UTC, ZoneSource: "t", Year: 2020}, 2020)
	var ev timeline.Event
	ev.Reset()
	if !p.Parse([]byte(`<13>1 2020-01-01T00:00:00Z h a - - [x k="\`), &ev) {
		t.Fatal("not parsed")
	}
	if ev.Message != "" || ev.Host != "h" || ev.Time != 1577836800e9 {
		t.Errorf("got message %q host %q time %d", ev.Message, ev.Host, ev.Time)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Mar  6 04:07:28 hostname log_tag this is debug", "<14>1 2021-03-06T04:07:38.251280+00:00 h a - - [x y=\"]\"] m", "2016-10-25T12:37:23.297265-07:00 INFO p[1]: m", "Mar 11 09:39:39: --- x ---", "<999>", `<13>1 2020-01-01T00:00:00Z h a - - [x k="\`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		in := &parsers.Input{Name: "fuzz", Zone: time.UTC, ZoneSource: "fuzz", Year: 2020}
		p := syslog.NewParser(in, 2020)
		var ev timeline.Event
		ev.Reset()
		p.Parse(line, &ev)
		var h syslog.Header
		p.ParseHeader(line, &h)
	})
}

// BenchmarkParse: traditional syslog lines in a named zone.
//
//	go test ./parsers/syslog -run - -bench Parse -benchmem
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	for _, name := range []string{"syslog/crowdsec/sshd-logs/sshd-logs.log", "syslog/lnav/logfile_syslog.0", "syslog/plaso/syslog_ssh.log"} {
		d, err := os.ReadFile(corpus.Path(b, name))
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(d)
	}
	data := bytes.Repeat(buf.Bytes(), 2000)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	in := &parsers.Input{Name: "bench", Zone: tokyo, ZoneSource: "manifest", Year: 2026,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	f, _ := parsers.Lookup(syslog.FormatName)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var d parsertest.Discard
	for b.Loop() {
		if err := f.Parse(context.Background(), in, &d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.N)/b.Elapsed().Seconds(), "lines/s")
}
