package juniper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type want struct {
	time         string
	src, dst     string
	sport, dport int32
	user, action string
	bytes        int64
	extra        map[string]string
}

// The corpus has no Junos logs. The lines follow the message formats of the
// Junos OS System Log Reference (RT_FLOW_SESSION_CREATE/CLOSE/DENY,
// UI_LOGIN_EVENT, UI_CMDLINE_READ_LINE, UI_COMMIT, UI_LOGOUT_EVENT,
// SSHD_LOGIN_FAILED:
// https://www.juniper.net/documentation/us/en/software/junos/system-log-messages/)
// with the structured-data form "set security log format sd-syslog" gives.
var cases = []struct {
	line string
	want want
}{
	{`<14>1 2024-01-29T14:30:15.000+00:00 SRX-01 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.36 source-address="192.168.1.100" source-port="54321" destination-address="203.0.113.50" destination-port="443" connection-tag="0" service-name="junos-https" nat-source-address="198.51.100.10" nat-source-port="54321" nat-destination-address="203.0.113.50" nat-destination-port="443" protocol-id="6" policy-name="Allow-Internet" source-zone-name="trust" destination-zone-name="untrust" session-id-32="12345" username="john.doe" roles="Employees" packet-incoming-interface="ge-0/0/1.0"] session created 192.168.1.100/54321->203.0.113.50/443 junos-https`,
		want{time: "2024-01-29T14:30:15Z", src: "192.168.1.100", sport: 54321, dst: "203.0.113.50", dport: 443, user: "john.doe", action: "permit", bytes: -1,
			extra: map[string]string{"policy": "Allow-Internet", "src_zone": "trust", "nat_src_ip": "198.51.100.10", "session_id": "12345", "event": "RT_FLOW_SESSION_CREATE"}}},
	// Elastic juniper_srx pipeline tests (test-flow.log): AppTrack, and a
	// header stamp without zone (read in the case zone).
	{`<14>1 2013-01-19T15:18:17.040 SRX100HM RT_FLOW - APPTRACK_SESSION_CLOSE [junos@67.43.156.15 reason="application failure or action" source-address="192.168.224.30" source-port="3129" destination-address="67.43.156.14" destination-port="21" service-name="junos-ftp" application="FTP" nested-application="UNKNOWN" nat-source-address="67.43.156.14" nat-source-port="14406" nat-destination-address="67.43.156.14" nat-destination-port="21" src-nat-rule-name="1" dst-nat-rule-name="None" protocol-id="6" policy-name="General-Outbound" source-zone-name="LAN" destination-zone-name="Danger" session-id-32="5058" packets-from-client="3" bytes-from-client="144" packets-from-server="2" bytes-from-server="104" elapsed-time="1" username="N/A" roles="N/A" encrypted="N/A"]`,
		want{time: "2013-01-19T06:18:17.04Z", src: "192.168.224.30", sport: 3129, dst: "67.43.156.14", dport: 21, action: "permit", bytes: 248,
			extra: map[string]string{"application": "FTP", "reason": "application failure or action", "event": "APPTRACK_SESSION_CLOSE"}}},
	// A relay's BSD header before the SRX's own RFC 5424 one.
	{`Jun 16 06:54:17 test-fw 1 2015-06-16T03:54:16.444-07:00 test-fw-1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.39 source-address="10.10.30.6" source-port="51295" destination-address="10.32.128.191" destination-port="443" service-name="junos-https" protocol-id="6" policy-name="11000" source-zone-name="DMZ-VPN" destination-zone-name="DMZ" session-id-32="14036" username="N/A" roles="N/A" packet-incoming-interface="st0.21"] session created 10.10.30.6/51295->10.32.128.191/443 junos-https`,
		want{time: "2015-06-16T10:54:16.444Z", src: "10.10.30.6", sport: 51295, dst: "10.32.128.191", dport: 443, action: "permit", bytes: -1,
			extra: map[string]string{"policy": "11000", "in_iface": "st0.21"}}},
	{`<14>1 2026-09-14T08:12:44.311Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="TCP FIN" source-address="10.0.0.1" source-port="50000" destination-address="10.0.0.2" destination-port="443" protocol-id="6" policy-name="users-to-crm-web" source-zone-name="users" destination-zone-name="servers" session-id-32="42" packets-from-client="12" bytes-from-client="3400" packets-from-server="10" bytes-from-server="56000" elapsed-time="35"] session closed TCP FIN: 10.0.0.1/50000->10.0.0.2/443`,
		want{time: "2026-09-14T08:12:44.311Z", src: "10.0.0.1", sport: 50000, dst: "10.0.0.2", dport: 443, action: "permit", bytes: 59400,
			extra: map[string]string{"reason": "TCP FIN", "duration": "35"}}},
	{"Sep 15 08:12:44 fw RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.1/1->10.0.0.2/443 junos-https 1.2.3.4/1->10.0.0.2/443 None None 6 users-to-crm-web users servers 4711 N/A(N/A) ge-0/0/0.0",
		want{time: "2026-09-14T23:12:44Z", src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 443, action: "permit", bytes: -1,
			extra: map[string]string{"policy": "users-to-crm-web", "dst_zone": "servers", "session_id": "4711", "nat_src_ip": "1.2.3.4", "proto": "6"}}},
	{"Sep 15 08:13:19 fw RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.1/1->10.0.0.2/443 junos-https 1.2.3.4/1->10.0.0.2/443 None None 6 users-to-crm-web users servers 4711 12(3400) 10(56000) 35 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN",
		want{time: "2026-09-14T23:13:19Z", src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 443, action: "permit", bytes: 59400,
			extra: map[string]string{"reason": "TCP FIN", "duration": "35", "session_id": "4711"}}},
	{"Sep 15 08:13:20 fw RT_FLOW: RT_FLOW_SESSION_DENY: session denied 203.0.113.9/4444->10.0.0.2/23 junos-telnet 6(0) deny-all untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
		want{time: "2026-09-14T23:13:20Z", src: "203.0.113.9", sport: 4444, dst: "10.0.0.2", dport: 23, action: "deny", bytes: -1,
			extra: map[string]string{"policy": "deny-all", "src_zone": "untrust", "proto": "6"}}},
	// Junos 12.3X48 and later: connection tags and NAT rule types.
	{"Sep 15 08:13:30 fw RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP RST: 10.0.0.1/2->10.0.0.2/22 0x0 junos-ssh 1.2.3.4/2->10.0.0.2/22 0x0 source rule snat-1 N/A N/A 6 users-to-ssh users servers 4712 5(300) 4(500) 3 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN",
		want{time: "2026-09-14T23:13:30Z", src: "10.0.0.1", sport: 2, dst: "10.0.0.2", dport: 22, action: "permit", bytes: 800,
			extra: map[string]string{"service": "junos-ssh", "policy": "users-to-ssh", "session_id": "4712", "reason": "TCP RST", "duration": "3"}}},
	{"Sep 15 08:14:00 fw RT_SCREEN: RT_SCREEN_TCP: SYN flood! source: 203.0.113.9:4444, destination: 10.0.0.2:80, zone name: untrust, interface name: ge-0/0/0.0, action: drop",
		want{time: "2026-09-14T23:14:00Z", src: "203.0.113.9", sport: 4444, dst: "10.0.0.2", dport: 80, action: "deny", bytes: -1,
			extra: map[string]string{"attack": "SYN flood", "src_zone": "untrust", "screen_action": "drop", "event": "RT_SCREEN_TCP"}}},
	{"Sep 15 08:20:00 fw mgd[4321]: UI_LOGIN_EVENT: User 'admin' login, class 'j-super-user' [4321], ssh-connection '10.0.0.5 50022 10.0.0.1 22', client-mode 'cli'",
		want{time: "2026-09-14T23:20:00Z", src: "10.0.0.5", sport: 50022, dport: 22, user: "admin", action: "login-success", bytes: -1}},
	{"Sep 15 08:20:05 fw mgd[4321]: UI_CMDLINE_READ_LINE: User 'admin', command 'show configuration '",
		want{time: "2026-09-14T23:20:05Z", user: "admin", action: "execute", bytes: -1, extra: map[string]string{"command": "show configuration"}}},
	{"Sep 15 08:20:10 fw mgd[4321]: UI_COMMIT: User 'admin' requested 'commit' operation (comment: none)",
		want{time: "2026-09-14T23:20:10Z", user: "admin", action: "execute", bytes: -1, extra: map[string]string{"command": "commit"}}},
	{"Sep 15 08:21:00 fw sshd[999]: SSHD_LOGIN_FAILED: Login failed for user 'root' from host '192.0.2.1'",
		want{time: "2026-09-14T23:21:00Z", src: "192.0.2.1", user: "root", action: "login-failure", bytes: -1}},
	{"Sep 15 08:21:01 fw sshd[999]: Failed password for root from 192.0.2.1 port 40000 ssh2",
		want{time: "2026-09-14T23:21:01Z", src: "192.0.2.1", sport: 40000, user: "root", action: "login-failure", bytes: -1}},
	{"Sep 15 08:22:00 fw mgd[4321]: UI_LOGOUT_EVENT: User 'admin' logout",
		want{time: "2026-09-14T23:22:00Z", user: "admin", action: "logout", bytes: -1}},
	{`<13>1 2026-09-15T08:20:05.123+09:00 fw mgd 4321 UI_CMDLINE_READ_LINE [junos@2636.1.1.1.2.129 username="admin" command="request system software add /var/tmp/x.tgz"] User 'admin', command 'request system software add /var/tmp/x.tgz'`,
		want{time: "2026-09-14T23:20:05.123Z", user: "admin", action: "execute", bytes: -1, extra: map[string]string{"command": "request system software add /var/tmp/x.tgz"}}},
}

func TestLines(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	in := &parsers.Input{Zone: tokyo, ZoneSource: "manifest", Year: 2026}
	for _, tc := range cases {
		var ev timeline.Event
		ev.Reset()
		if !ParseLine(devlog.NewState(in, 2026), []byte(tc.line), &ev) {
			t.Errorf("not parsed: %s", tc.line)
			continue
		}
		w := tc.want
		got := want{ev.UTC().Format(time.RFC3339Nano), ev.SrcIP, ev.DstIP, ev.SrcPort, ev.DstPort, ev.User, ev.Action, ev.Bytes, nil}
		w.extra = nil
		if got.time != w.time || got.src != w.src || got.dst != w.dst || got.sport != w.sport || got.dport != w.dport ||
			got.user != w.user || got.action != w.action || got.bytes != w.bytes {
			t.Errorf("%s\n got %+v\nwant %+v", tc.line, got, w)
		}
		for k, v := range tc.want.extra {
			if g := parsertest.Extra(&ev, k); g != v {
				t.Errorf("%s\n extra %s = %q, want %q", tc.line, k, g, v)
			}
		}
		if ev.Source != FormatName {
			t.Errorf("source %q", ev.Source)
		}
	}
}

func TestFileAndDetect(t *testing.T) {
	var b strings.Builder
	for _, c := range cases {
		b.WriteString(c.line + "\n")
	}
	b.WriteString("not a log line\n")
	path := filepath.Join(t.TempDir(), "srx.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	evs := parsertest.Parse(t, FormatName, path, 2026, nil)
	p, total := parsertest.ParsedRatio(evs)
	if total != len(cases)+1 || p != len(cases) {
		t.Errorf("parsed %d of %d", p, total)
	}
	if s := detect("srx.log", []byte(b.String())); s < 90 {
		t.Errorf("detect %d", s)
	}
	plain, err := os.ReadFile(corpus.Path(t, "syslog/crowdsec/sshd-logs/sshd-logs.log"))
	if err != nil {
		t.Fatal(err)
	}
	if s := detect("auth.log", plain); s > 0 {
		t.Errorf("sshd log detected as Junos: %d", s)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c.line))
	}
	in := &parsers.Input{ZoneSource: "fuzz", Year: 2026}
	f.Fuzz(func(t *testing.T, line []byte) {
		var ev timeline.Event
		ev.Reset()
		ParseLine(devlog.NewState(in, 2026), line, &ev)
	})
}

// BenchmarkParse: go test ./parsers/juniper -run x -bench . -benchtime 1s
func BenchmarkParse(b *testing.B) {
	lines := make([][]byte, len(cases))
	size := 0
	for i, c := range cases {
		lines[i] = []byte(c.line)
		size += len(c.line) + 1
	}
	s := devlog.NewState(&parsers.Input{ZoneSource: "bench", Year: 2026}, 2026)
	parsertest.BenchLines(b, lines, size, func(l []byte, ev *timeline.Event) bool { return ParseLine(s, l, ev) })
}
