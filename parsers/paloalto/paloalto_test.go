package paloalto

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
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
	dir := corpus.Path(t, "router/crowdsec/palo-alto-threat")
	evs := parsertest.Parse(t, FormatName, filepath.Join(dir, "palo-alto-threat.log"), 0, nil)
	action := func(ev *timeline.Event, w string) string {
		if panAction([]byte(w)) == ev.Action {
			return w
		}
		return "action=" + ev.Action
	}
	n := parsertest.CheckCrowdsec(t, dir, "palo-alto-threat.log", evs, parsertest.Field{
		"Parsed.src_ip":     func(ev *timeline.Event, _ string) string { return ev.SrcIP },
		"Meta.source_ip":    func(ev *timeline.Event, _ string) string { return ev.SrcIP },
		"Parsed.dst_ip":     func(ev *timeline.Event, _ string) string { return ev.DstIP },
		"Parsed.src_port":   func(ev *timeline.Event, _ string) string { return strconv.Itoa(int(ev.SrcPort)) },
		"Parsed.dst_port":   func(ev *timeline.Event, _ string) string { return strconv.Itoa(int(ev.DstPort)) },
		"Parsed.action":     action,
		"Parsed.nat_src_ip": extra("nat_src_ip"), "Parsed.nat_dst_ip": extra("nat_dst_ip"),
		"Parsed.nat_src_port": extra("nat_src_port"), "Parsed.nat_dst_port": extra("nat_dst_port"),
		"Parsed.rule": extra("rule"), "Meta.rule_name": extra("rule"), "Parsed.app": extra("app"), "Meta.application": extra("app"),
		"Parsed.vsys": extra("vsys"), "Parsed.src_zone": extra("src_zone"), "Parsed.dst_zone": extra("dst_zone"),
		"Parsed.ingress_int": extra("in_iface"), "Parsed.egress_int": extra("out_iface"),
		"Parsed.log_fwd_profile": extra("log_fwd_profile"), "Parsed.session_id": extra("session_id"),
		"Parsed.repeat_count": extra("repeat_count"), "Parsed.pan_log_flags": extra("flags"), "Parsed.ip_proto": extra("proto"),
		"Parsed.threat_id": extra("threat_id"), "Meta.threat_id": extra("threat_id"), "Meta.threat_type": extra("threat_id"),
		"Parsed.url_category_or_wildfire_verdict": extra("category"), "Parsed.severity": extra("severity"),
		"Meta.severity": extra("severity"), "Parsed.direction": extra("direction"), "Parsed.log_seq_num": extra("seq"),
		"Parsed.fwd_to_panorama": extra("action_flags"), "Parsed.src_country": extra("src_country"),
		"Meta.source_location": extra("src_country"), "Parsed.dst_country": extra("dst_country"),
		"Meta.destination_location": extra("dst_country"), "Parsed.log_type": extra("log_type"),
		"Parsed.log_subtype": extra("log_subtype"), "Parsed.serial_number": extra("serial"),
		"Parsed.generation_timestamp": extra("generated_time"), "Parsed.syslog_hostname": extra("hostname"),
		"Parsed.syslog_timestamp": func(ev *timeline.Event, _ string) string { return ev.TimeOrig },
		"Enriched.MarshaledTime":  parsertest.Time(false),
		"Meta.timestamp":          parsertest.Time(false),
	})
	if n < 80 {
		t.Errorf("compared %d values", n)
	}
	if len(evs) != 2 || evs[0].Action != timeline.ActionDeny || evs[0].UTC().Format(time.RFC3339) != "2023-07-06T06:11:40Z" {
		t.Errorf("events %+v", evs)
	}
}

// Lines in the layout of the PAN-OS syslog field descriptions (TRAFFIC,
// CONFIG, SYSTEM), behind a BSD header whose time has no zone: the
// record's receive time is then read in the case zone.
func TestLines(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	in := &parsers.Input{Zone: tokyo, ZoneSource: "manifest", Year: 2026}
	for _, tc := range []struct {
		line, time, src, dst, user, action string
		sport, dport                       int32
		bytes                              int64
		extraKey, extraVal                 string
	}{
		{line: "Mar 11 10:00:05 fw01 1,2026/03/11 10:00:05,007200001056,TRAFFIC,end,2561,2026/03/11 10:00:04,10.0.0.5,198.51.100.7,203.0.113.1,198.51.100.7,allow-web,corp\\alice,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2026/03/11 10:00:05,4711,1,50123,443,40001,443,0x400053,tcp,allow,5120,1200,3920,12,2026/03/11 09:59:58,6,computer-and-internet-info,0,123456,0x0,10.0.0.0-10.255.255.255,United States,0,7,5,tcp-fin",
			time: "2026-03-11T01:00:05Z", src: "10.0.0.5", dst: "198.51.100.7", user: "corp\\alice", action: "permit", sport: 50123, dport: 443, bytes: 5120, extraKey: "session_end_reason", extraVal: "tcp-fin"},
		{line: "Mar 11 10:05:00 fw01 1,2026/03/11 10:05:00,007200001056,CONFIG,0,2561,2026/03/11 10:05:00,10.0.0.9,vsys1,set,admin,Web,Succeeded, deviceconfig system,123,0x0",
			time: "2026-03-11T01:05:00Z", src: "10.0.0.9", user: "admin", action: "execute", bytes: -1, extraKey: "command", extraVal: "set"},
		{line: "Mar 11 10:06:00 fw01 1,2026/03/11 10:06:00,007200001056,SYSTEM,auth,2561,2026/03/11 10:06:00,,auth-fail,,0,0,general,medium,\"failed authentication for user 'root'.   Reason: Invalid username/password. From: 203.0.113.9.\",124,0x0",
			time: "2026-03-11T01:06:00Z", action: "login-failure", bytes: -1, extraKey: "event_id", extraVal: "auth-fail"},
		{line: "Mar 11 10:07:00 fw01 1,2026/03/11 10:07:00,007200001056,SYSTEM,general,2561,2026/03/11 10:07:00,,general,,0,0,general,informational,User admin logged in via Web from 10.0.0.9 using https,125,0x0",
			time: "2026-03-11T01:07:00Z", src: "10.0.0.9", user: "admin", action: "login-success", bytes: -1},
	} {
		var ev timeline.Event
		ev.Reset()
		if !ParseLine(devlog.NewState(in, 2026), []byte(tc.line), &ev) {
			t.Errorf("not parsed: %s", tc.line)
			continue
		}
		got := ev.UTC().Format(time.RFC3339)
		if got != tc.time || ev.SrcIP != tc.src || ev.DstIP != tc.dst || ev.User != tc.user || ev.Action != tc.action ||
			ev.SrcPort != tc.sport || ev.DstPort != tc.dport || ev.Bytes != tc.bytes {
			t.Errorf("%s\n got %s %q %q %q %q %d %d %d", tc.line, got, ev.SrcIP, ev.DstIP, ev.User, ev.Action, ev.SrcPort, ev.DstPort, ev.Bytes)
		}
		if tc.extraKey != "" && parsertest.Extra(&ev, tc.extraKey) != tc.extraVal {
			t.Errorf("%s: %s = %q", tc.line, tc.extraKey, parsertest.Extra(&ev, tc.extraKey))
		}
	}
}

func TestDetect(t *testing.T) {
	head, err := os.ReadFile(corpus.Path(t, "router/crowdsec/palo-alto-threat/palo-alto-threat.log"))
	if err != nil {
		t.Fatal(err)
	}
	if s := detect("palo-alto-threat.log", head); s < 90 {
		t.Errorf("scored %d", s)
	}
	plain, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	if s := detect("syslog", plain); s > 0 {
		t.Errorf("syslog scored %d", s)
	}
}

func FuzzParseLine(f *testing.F) {
	data, err := os.ReadFile(corpus.Path(f, "router/crowdsec/palo-alto-threat/palo-alto-threat.log"))
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range bytes.Split(data, []byte("\n")) {
		f.Add(l)
	}
	in := &parsers.Input{ZoneSource: "fuzz", Year: 2026}
	f.Fuzz(func(t *testing.T, line []byte) {
		var ev timeline.Event
		ev.Reset()
		ParseLine(devlog.NewState(in, 2026), line, &ev)
		detect("x", line)
	})
}

// BenchmarkParse: go test ./parsers/paloalto -run x -bench . -benchtime 1s
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(corpus.Path(b, "router/crowdsec/palo-alto-threat/palo-alto-threat.log"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	s := devlog.NewState(&parsers.Input{ZoneSource: "bench", Year: 2026}, 2026)
	parsertest.BenchLines(b, lines, len(data), func(l []byte, ev *timeline.Event) bool { return ParseLine(s, l, ev) })
}
