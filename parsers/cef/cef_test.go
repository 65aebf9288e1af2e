package cef

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// extra reads an extra field for parsertest.Field.
var extra = parsertest.ExtraField

func TestCrowdsecAsserts(t *testing.T) {
	dir := corpus.Path(t, "router/crowdsec/cef-logs")
	evs := parsertest.Parse(t, FormatName, filepath.Join(dir, "cef-logs.log"), 2025, nil)
	n := parsertest.CheckCrowdsec(t, dir, "cef-logs.log", evs, parsertest.Field{
		"Parsed.cef_device_product": extra("cef_product"),
		"Parsed.cef_device_vendor":  extra("cef_vendor"),
		"Parsed.cef_device_version": extra("cef_device_version"),
		"Parsed.cef_event_name":     extra("cef_name"),
		"Parsed.cef_severity":       extra("cef_severity"),
		"Parsed.cef_signature_id":   extra("cef_signature_id"),
		"Parsed.cef_version":        extra("cef_version"),
		"Parsed.program":            extra("cef_vendor"),
		"Parsed.hostname":           extra("hostname"),
		"Parsed.timestamp":          func(ev *timeline.Event, w string) string { return parsertest.Extra(ev, "syslog_time") },
	})
	if n < 30 {
		t.Errorf("compared %d values", n)
	}
	if len(evs) != 4 {
		t.Fatalf("%d events", len(evs))
	}
	// Line 1: UniFi's own UTC time; line 3 has none and keeps line 2's.
	if got := evs[0].UTC().Format(time.RFC3339Nano); got != "2025-09-04T08:32:58.445Z" || evs[0].SrcIP != "10.72.1.222" {
		t.Errorf("line 1: %s %s", got, evs[0].SrcIP)
	}
	if evs[2].Time != evs[1].Time || evs[2].Tags != "no-timestamp" || evs[2].TimeDesc != timeline.TimeUnknown ||
		evs[2].SrcIP != "192.168.0.1" || evs[2].DstPort != 80 || evs[2].Action != timeline.ActionDeny {
		t.Errorf("line 3: %+v", evs[2])
	}
	if got := evs[3].UTC().Format(time.RFC3339Nano); got != "2025-09-08T06:32:20.613Z" || evs[3].Host != "UDM-Gent" ||
		parsertest.Extra(&evs[3], "UNIFIipsSignature") != "ET USER_AGENTS Suspicious User Agent (BlackSun)" {
		t.Errorf("line 4: %s %+v", got, evs[3].Extra)
	}
}

// Examples from the CEF specification ("Implementing ArcSight Common Event
// Format (CEF)", Micro Focus): the basic line, escaped pipes in the header
// and escaped equal signs in the extension.
func TestSpecExamples(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	in := &parsers.Input{Zone: tokyo, ZoneSource: "manifest", Year: 2026}
	for _, tc := range []struct {
		line, time, src, dst, action, name, user string
		sport                                    int32
		extraKey, extraVal                       string
	}{
		{line: "Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232",
			time: "2026-09-18T23:26:10Z", src: "10.0.0.1", dst: "2.1.2.2", sport: 1232, name: "worm successfully stopped"},
		{line: `CEF:0|security|threatmanager|1.0|100|detected a \| in message|10|src=10.0.0.1 act=blocked a \= dst=1.1.1.1 rt=1459950912000`,
			time: "2016-04-06T13:55:12Z", src: "10.0.0.1", dst: "1.1.1.1", action: "deny", name: "detected a | in message", extraKey: "act", extraVal: "blocked a ="},
		{line: `CEF:0|Vendor|Proxy|1|login|Login failed|5|suser=alice src=198.51.100.7 rt=Mar 11 2026 10:00:00 msg=bad password\nretry`,
			time: "2026-03-11T01:00:00Z", src: "198.51.100.7", action: "login-failure", name: "bad password\nretry", user: "alice"},
		{line: `CEF:0|Fortinet|Fortigate|v7|0000000013|traffic:forward accept|3|start=1557513467369 src=10.1.100.11 spt=58012 dst=23.59.154.35 dpt=80 act=accept in=1850 out=39898`,
			time: "2019-05-10T18:37:47.369Z", src: "10.1.100.11", dst: "23.59.154.35", sport: 58012, action: "permit", name: "traffic:forward accept"},
	} {
		var ev timeline.Event
		ev.Reset()
		if !ParseLine(devlog.NewState(in, 2026), []byte(tc.line), &ev) {
			t.Errorf("not parsed: %s", tc.line)
			continue
		}
		got := ev.UTC().Format(time.RFC3339Nano)
		if got != tc.time || ev.SrcIP != tc.src || ev.DstIP != tc.dst || ev.SrcPort != tc.sport || ev.Action != tc.action || ev.Message != tc.name || ev.User != tc.user {
			t.Errorf("%s\n got %s %s %s %d %q %q %q", tc.line, got, ev.SrcIP, ev.DstIP, ev.SrcPort, ev.Action, ev.Message, ev.User)
		}
		if tc.extraKey != "" && parsertest.Extra(&ev, tc.extraKey) != tc.extraVal {
			t.Errorf("%s: %s = %q", tc.line, tc.extraKey, parsertest.Extra(&ev, tc.extraKey))
		}
	}
}

func TestDetect(t *testing.T) {
	head, err := os.ReadFile(corpus.Path(t, "router/crowdsec/cef-logs/cef-logs.log"))
	if err != nil {
		t.Fatal(err)
	}
	if s := detect("cef-logs.log", head); s < 90 {
		t.Errorf("scored %d", s)
	}
	plain, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	if s := detect("syslog", plain); s > 0 {
		t.Errorf("syslog scored %d", s)
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`CEF:0|security|threatmanager|1.0|100|detected a \| in message|10|src=10.0.0.1 act=blocked a \= dst=1.1.1.1`))
	f.Add([]byte("Sep  8 08:32:20 UDM-Gent CEF: 0|Ubiquiti|UniFi Network|9.4.19|201|x|9|proto=TCP src=1.2.3.4 UNIFIutcTime=2025-09-08T06:32:20.613Z"))
	in := &parsers.Input{ZoneSource: "fuzz", Year: 2026}
	f.Fuzz(func(t *testing.T, line []byte) {
		var ev timeline.Event
		ev.Reset()
		ParseLine(devlog.NewState(in, 2026), line, &ev)
	})
}

// BenchmarkParse: go test ./parsers/cef -run x -bench . -benchtime 1s
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(corpus.Path(b, "router/crowdsec/cef-logs/cef-logs.log"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	s := devlog.NewState(&parsers.Input{ZoneSource: "bench", Year: 2025}, 2025)
	parsertest.BenchLines(b, lines, len(data), func(l []byte, ev *timeline.Event) bool { return ParseLine(s, l, ev) })
}
