package taxonomy_test

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// parseLine runs a registered format's line parser.
func parseLine(t *testing.T, format, line string, ev *timeline.Event) bool {
	t.Helper()
	f, ok := parsers.Lookup(format)
	if !ok || f.ParseLine == nil {
		t.Fatalf("no line parser %s", format)
	}
	ev.Reset()
	in := &parsers.Input{Name: "test.log", Zone: time.UTC, ZoneSource: "test", Year: 2025, ModTime: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	return f.ParseLine([]byte(line), in, ev)
}

func label(ev *timeline.Event) taxonomy.Label { return taxonomy.Of(ev) }

// TestParsersProtocol checks that the extras keys FromKV reads are the
// ones each firewall parser writes, on lines in each vendor's format.
func TestParsersProtocol(t *testing.T) {
	cases := []struct {
		format, line string
		proto        string
		icmp         int32
		want         string
	}{
		{"cisco-asa", "Mar 11 2026 10:00:00: %ASA-3-106014: Deny inbound icmp src outside:203.0.113.9 dst inside:10.0.0.5 (type 8, code 0)", "icmp", 8, "probe/computer"},
		{"cisco-asa", `Mar 11 2026 10:00:00 fw01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/4444 dst inside:10.0.0.10/22 by access-group "outside_access_in" [0x0, 0x0]`, "tcp", -1, "probe/computer"},
		{"cisco-asa", `Mar 11 2026 10:00:00 fw01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/4444 dst inside:10.0.0.10/113 by access-group "outside_access_in" [0x0, 0x0]`, "tcp", -1, "benign:ident-reply"},
		{"cisco-asa", "Mar 11 2026 10:00:00: %ASA-2-106006: Deny inbound UDP from 203.0.113.9/5060 to 10.0.0.5/5060 on interface outside", "udp", -1, "probe/computer"},
		{"cisco-ios", "000123: *Mar  1 00:00:01.123 UTC: %SEC-6-IPACCESSLOGP: list 102 denied tcp 10.1.1.1(1234) -> 10.2.2.2(23), 1 packet", "tcp", -1, "probe/computer"},
		{"cisco-ios", "Mar 11 10:00:01 router1 123: Mar 11 10:00:00.500 JST: %SEC-6-IPACCESSLOGDP: list 100 denied icmp 10.1.1.1 -> 10.2.2.2 (8/0), 1 packet", "icmp", 8, "probe/computer"},
		{"iptables", "Jun  8 14:34:33 fw kernel: [50028442.088484] [UFW BLOCK] IN=eth0 OUT= MAC=00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00 SRC=195.54.160.107 DST=51.15.166.67 LEN=84 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1", "icmp", 8, "probe/computer"},
		{"iptables", "Jun  8 14:34:33 fw kernel: [50028442.088484] [UFW BLOCK] IN=eth0 OUT= MAC=00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00 SRC=2001:db8::7 DST=2001:db8:1::1 LEN=64 TC=0 HOPLIMIT=57 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1", "icmp", 128, "probe/computer"},
		{"pfsense", "Jan  1 00:00:00 pfSense filterlog[1]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,none,1,icmp,84,198.51.100.1,192.0.2.1,request,1234,1", "icmp", 8, "probe/computer"},
		{"mikrotik", "Mar 19 12:34:09 10.120.127.1 firewall,info drop-icmp forward: in:ether1 out:bridge, connection-state:new proto ICMP (type 8, code 0), 10.0.0.1->10.0.0.2, len 56", "icmp", 8, "probe/computer"},
		{"fortigate", `date=2024-10-14 time=13:46:40 devname="fg1" logid="0001000014" type="traffic" subtype="local" srcip=198.51.100.4 dstip=192.0.2.1 proto=1 action="deny" icmpid=0x0001 icmptype=0x08 icmpcode=0x00`, "icmp", 8, "probe/computer"},
	}
	var ev timeline.Event
	for _, c := range cases {
		if !parseLine(t, c.format, c.line, &ev) {
			t.Errorf("%s: not parsed: %s", c.format, c.line)
			continue
		}
		p, n := taxonomy.FromKV(ev.Extra)
		if p != c.proto || n != c.icmp {
			t.Errorf("%s %s: proto %q icmp %d, want %q %d (extras %v)", c.format, c.line, p, n, c.proto, c.icmp, ev.Extra)
		}
		if got := label(&ev).String(); got != c.want {
			t.Errorf("%s %s: label %q, want %q (action %q port %d)", c.format, c.line, got, c.want, ev.Action, ev.DstPort)
		}
		if !taxonomy.NeedsProto(ev.Source) {
			t.Errorf("%s: source %q not a firewall source", c.format, ev.Source)
		}
	}
}

// TestCorpusFirewalls labels every line of the shared corpus's firewall
// logs and compares with what the raw line itself says, read here with
// patterns independent of the parsers: a block/drop/reject verdict on a
// TCP or UDP port is a probe of a computer, an accept is nothing.
func TestCorpusFirewalls(t *testing.T) {
	verdict := map[string]*regexp.Regexp{
		"pfsense":  regexp.MustCompile(`,match,(block|pass),`),
		"mikrotik": regexp.MustCompile(` (drop|accept)-\w+ `),
		"iptables": regexp.MustCompile(` (DROP|REJECT|ACCEPT): `),
	}
	files := []struct{ path, format string }{
		{"router/crowdsec/pf-logs/pf-logs.log", "pfsense"},
		{"router/crowdsec/pf-scan-multi-port/pf-scan-multi-port.log", "pfsense"},
		{"router/crowdsec/mikrotik-scan-multi_ports/mikrotik-scan-multi_ports.log", "mikrotik"},
		{"router/crowdsec/proxmox-iptables-logs/proxmox-iptables.log", "iptables"},
	}
	port := regexp.MustCompile(`(?:DPT=|,(?:tcp|udp),\d+,[^,]+,[^,]+,\d+,|:\d+->[\d.]+:)(\d+)`)
	var ev timeline.Event
	checked := map[string]int{}
	for _, f := range files {
		fh, err := os.Open(corpus.Path(t, f.path))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			m := verdict[f.format].FindStringSubmatch(line)
			if m == nil || !parseLine(t, f.format, line, &ev) {
				continue
			}
			want := ""
			if v := strings.ToLower(m[1]); v != "pass" && v != "accept" {
				want = "probe/computer"
				if pm := port.FindStringSubmatch(line); pm != nil && pm[1] == "113" {
					want = "benign:ident-reply"
				}
			}
			if got := label(&ev).String(); got != want {
				t.Errorf("%s:%d: label %q, want %q: %s", f.path, n, got, want, line)
			}
			checked[want]++
		}
		fh.Close()
	}
	t.Logf("corpus lines checked per label: %v", checked)
	if checked["probe/computer"] < 20 || checked[""] == 0 {
		t.Errorf("too few corpus lines checked: %v", checked)
	}
}

// TestCorpusAccounts: login failures of VPNs, SSH and web consoles in the
// corpus are authentication attempts on an account.
func TestCorpusAccounts(t *testing.T) {
	files := []struct{ path, format, marker string }{
		{"router/crowdsec/fortinet-vpn-bf/fortinet-vpn-bf.log", "fortigate", `login-fail`},
		{"router/crowdsec/opnsense-sshd/opnsense-sshd.log", "auth", `Invalid user`},
	}
	var ev timeline.Event
	for _, f := range files {
		b, err := os.ReadFile(corpus.Path(t, f.path))
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for n, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if !strings.Contains(line, f.marker) {
				continue
			}
			if !parseLine(t, f.format, line, &ev) {
				t.Errorf("%s:%d: not parsed", f.path, n+1)
				continue
			}
			seen++
			if got := label(&ev).String(); got != "authenticate/account" {
				t.Errorf("%s:%d: label %q (action %q), want authenticate/account", f.path, n+1, got, ev.Action)
			}
		}
		if seen == 0 {
			t.Errorf("%s: no %q lines", f.path, f.marker)
		}
	}
}
