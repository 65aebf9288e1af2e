package taxonomy

import (
	"testing"

	"github.com/kiseki-forensics/kiseki/timeline"
)

func TestClassify(t *testing.T) {
	const none = NoICMPType
	cases := []struct {
		name string
		ev   Event
		want string // Label.String()
		rule string
	}{
		{"asa deny tcp", Event{Source: "cisco-asa", Action: timeline.ActionDeny, Proto: TCP, DstPort: 22, ICMPType: none}, "probe/computer", "firewall/denied-port"},
		{"iptables deny udp", Event{Source: "iptables", Action: timeline.ActionDeny, Proto: UDP, DstPort: 53, ICMPType: none}, "probe/computer", "firewall/denied-port"},
		{"deny, protocol unknown", Event{Source: "juniper", Action: timeline.ActionDeny, DstPort: 23, ICMPType: none}, "probe/computer", "firewall/denied-port"},
		{"deny without port is no port probe", Event{Source: "cisco-asa", Action: timeline.ActionDeny, Proto: TCP, ICMPType: none}, "", ""},
		{"echo request denied", Event{Source: "pfsense", Action: timeline.ActionDeny, Proto: ICMP, ICMPType: 8}, "probe/computer", "firewall/denied-icmp-query"},
		{"ICMPv6 echo request", Event{Source: "iptables", Action: timeline.ActionDeny, Proto: ICMP, ICMPType: 128}, "probe/computer", "firewall/denied-icmp-query"},
		{"echo reply denied is no probe", Event{Source: "pfsense", Action: timeline.ActionDeny, Proto: ICMP, ICMPType: 0}, "", ""},
		{"unreachable denied is no probe", Event{Source: "mikrotik", Action: timeline.ActionDeny, Proto: ICMP, ICMPType: 3}, "", ""},
		{"inbound ident denied", Event{Source: "cisco-asa", Action: timeline.ActionDeny, Proto: TCP, DstPort: 113, SrcPort: 40000, ICMPType: none}, "benign:ident-reply", "firewall/ident-to-113"},
		{"ident answer", Event{Source: "iptables", Action: timeline.ActionDeny, Proto: TCP, SrcPort: 113, DstPort: 51000, ICMPType: none}, "benign:ident-reply", "firewall/ident-from-113"},
		{"udp 113 is not ident", Event{Source: "iptables", Action: timeline.ActionDeny, Proto: UDP, DstPort: 113, ICMPType: none}, "probe/computer", "firewall/denied-port"},
		{"permit is nothing", Event{Source: "cisco-asa", Action: timeline.ActionPermit, Proto: TCP, DstPort: 443, ICMPType: none}, "", ""},
		{"firewall VPN login failure", Event{Source: "fortigate", Action: timeline.ActionLoginFailure, ICMPType: none}, "authenticate/account", "accounts/login"},
		{"sshd failure", Event{Source: "auth", Action: timeline.ActionLoginFailure, ICMPType: none}, "authenticate/account", "accounts/login"},
		{"wtmp login", Event{Source: "utmp", Action: timeline.ActionLoginSuccess, ICMPType: none}, "authenticate/account", "accounts/login"},
		{"sshd banner probe", Event{Source: "auth", Action: timeline.ActionScan, ICMPType: none}, "scan/computer", "accounts/scan"},
		{"GET 200", Event{Source: "access-log", Method: "GET", Status: 200, ICMPType: none}, "read/data", "web/read"},
		{"get 206 lower case", Event{Source: "cloudfront", Method: "get", Status: 206, ICMPType: none}, "read/data", "web/read"},
		{"POST 200", Event{Source: "access-log", Method: "POST", Status: 200, ICMPType: none}, "modify/data", "web/write"},
		{"DELETE 204", Event{Source: "aws-alb", Method: "DELETE", Status: 204, ICMPType: none}, "delete/data", "web/delete"},
		{"GET 404", Event{Source: "access-log", Method: "GET", Status: 404, ICMPType: none}, "probe/data", "web/not-found"},
		{"GET 302 is no read", Event{Source: "access-log", Action: timeline.ActionRead, Method: "GET", Status: 302, ICMPType: none}, "", "web/other"},
		{"POST 402 is no write", Event{Source: "access-log", Action: timeline.ActionModify, Method: "POST", Status: 402, ICMPType: none}, "", "web/other"},
		{"ext4 mtime", Event{Source: "ext4", TimeDesc: timeline.TimeModified, ICMPType: none}, "modify/data", "files/mtime"},
		{"ntfs $SI atime", Event{Source: "ntfs", TimeDesc: "$SI_atime", ICMPType: none}, "read/data", "files/atime"},
		{"ext4 dtime", Event{Source: "ext4", TimeDesc: timeline.TimeDeleted, ICMPType: none}, "delete/data", "files/dtime"},
		{"ctime says nothing", Event{Source: "ext4", TimeDesc: timeline.TimeChanged, ICMPType: none}, "", ""},
		{"created file", Event{Source: "ntfs-usn", Action: timeline.ActionCreate, ICMPType: none}, "modify/data", "files/modify"},
		{"syslog line", Event{Source: "syslog", TimeDesc: timeline.TimeLog, ICMPType: none}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := Classify(&c.ev)
			if l.String() != c.want || l.Rule != c.rule {
				t.Errorf("Classify = %q (rule %q), want %q (rule %q)", l.String(), l.Rule, c.want, c.rule)
			}
		})
	}
}

func TestNormProto(t *testing.T) {
	for in, want := range map[string]string{"TCP": TCP, "6": TCP, "udp": UDP, "17": UDP, "ICMP": ICMP, "1": ICMP, "ipv6-icmp": ICMP, "58": ICMP, "GRE": "gre", "": ""} {
		if got := NormProto(in); got != want {
			t.Errorf("NormProto(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromExtraEdges(t *testing.T) {
	cases := []struct {
		extra string
		proto string
		icmp  int32
	}{
		{``, "", NoICMPType},
		{`{"src_iface":"outside","proto":"tcp"}`, TCP, NoICMPType},
		{`{"nat_proto":"udp"}`, "", NoICMPType},
		{`{"proto":"icmp","icmp_type":"8","icmp_code":"0"}`, ICMP, 8},
		{`{"proto":"icmp","icmp_type":"request"}`, ICMP, 8},
		{`{"proto":"icmp","icmp_type":"999"}`, ICMP, NoICMPType},
		{`{"proto":"1","icmptype":"0x0d"}`, ICMP, 13},
		{`{"proto":"icmp","icmp":"3/1"}`, ICMP, 3},
		{`{"proto":"ICMP","proto_flags":"type 11, code 0"}`, ICMP, 11},
		{`{"msg":"say \"proto\":\"tcp\""}`, "", NoICMPType},
	}
	for _, c := range cases {
		p, n := FromExtra(c.extra)
		if p != c.proto || n != c.icmp {
			t.Errorf("FromExtra(%s) = %q %d, want %q %d", c.extra, p, n, c.proto, c.icmp)
		}
	}
}

func TestValues(t *testing.T) {
	a, tg, b := Values()
	if len(a) != 11 || len(tg) != 7 || len(b) != 1 || b[0] != IdentReply {
		t.Errorf("Values() = %v %v %v", a, tg, b)
	}
}

func BenchmarkFromExtra(b *testing.B) {
	extra := `{"src_iface":"outside","dst_iface":"inside","acl":"outside_access_in","proto":"icmp","icmp_type":"8","icmp_code":"0"}`
	b.ReportAllocs()
	for b.Loop() {
		FromExtra(extra)
	}
}

// TestGenericInputs: the tables for any source read only GenericInputs,
// which search's per-segment memo of labels relies on.
func TestGenericInputs(t *testing.T) {
	for _, tb := range generic {
		for _, r := range tb.Rules {
			if r.DstPort != 0 || r.SrcPort != 0 || r.HasPort || len(r.Protos) > 0 || len(r.ICMPTypes) > 0 {
				t.Errorf("%s/%s reads more than %s", tb.Name, r.Name, GenericInputs)
			}
		}
	}
}

// FuzzFromExtra: any extras string gives a normalised protocol, and an
// ICMP type only for ICMP and only in range.
func FuzzFromExtra(f *testing.F) {
	for _, s := range []string{``, `{"proto":"icmp","icmp_type":"8"}`, `{"proto":"1","icmptype":"0x0d"}`, `{"proto":"ICMP","proto_flags":"type 11, code 0"}`, `{"proto":"icmp","icmp":"3/1"}`, `{"proto":"tcp"}`, `{"proto":"\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, extra string) {
		p, n := FromExtra(extra)
		if n != NoICMPType && (n < 0 || n > maxICMPType || p != ICMP) {
			t.Fatalf("FromExtra(%q) = %q %d", extra, p, n)
		}
		if p != NormProto(p) {
			t.Fatalf("FromExtra(%q): protocol %q not normalised", extra, p)
		}
	})
}
