package netfilter

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

func srcIP(ev *timeline.Event, _ string) string { return ev.SrcIP }
func dstIP(ev *timeline.Event, _ string) string { return ev.DstIP }
func srcPort(ev *timeline.Event, _ string) string {
	return strconv.Itoa(int(ev.SrcPort))
}
func dstPort(ev *timeline.Event, _ string) string {
	return strconv.Itoa(int(ev.DstPort))
}
func user(ev *timeline.Event, _ string) string     { return ev.User }
func origTime(ev *timeline.Event, _ string) string { return ev.TimeOrig }
func firstN(s string, n int) string                { return s[:min(n, len(s))] }

func length(ev *timeline.Event, _ string) string { return strconv.FormatInt(ev.Bytes, 10) }

// lastLen: CrowdSec's "length" of an iptables line is its last LEN= (the
// UDP length when there is one); ours is the IP length, the UDP one is kept
// as payload_len.
func lastLen(ev *timeline.Event, w string) string {
	if p := parsertest.Extra(ev, "payload_len"); p != "" {
		return p
	}
	return length(ev, w)
}

// action compares CrowdSec's action words with ours.
func action(ev *timeline.Event, want string) string {
	exp := map[string]string{"drop": timeline.ActionDeny, "D": timeline.ActionDeny, "DROP": timeline.ActionDeny,
		"REJECT": timeline.ActionDeny, "PVEFW-reject": timeline.ActionDeny, "accept": timeline.ActionPermit, "A": timeline.ActionPermit,
		"ACCEPT": timeline.ActionPermit, "block": timeline.ActionDeny, "pass": timeline.ActionPermit,
		"iptables_drop": "", "mikrotik_drop": "", "ssl-login-fail": timeline.ActionLoginFailure,
		"gui_failed_auth": timeline.ActionLoginFailure, "opnsense_gui_failed_auth": timeline.ActionLoginFailure,
		"pfsense_gui_failed_auth": timeline.ActionLoginFailure, "mikrotik_failed_auth": timeline.ActionLoginFailure,
		"ssh_failed-auth": timeline.ActionLoginFailure}
	e, known := exp[want]
	if !known {
		return "unknown crowdsec action " + want
	}
	if e == "" || ev.Action == e { // iptables_drop: the crowdsec type for any logged packet
		return want
	}
	return "action=" + ev.Action
}

var (
	iptablesFields = parsertest.Field{
		"Parsed.src_ip": srcIP, "Meta.source_ip": srcIP, "Parsed.dst_ip": dstIP,
		"Parsed.src_port": srcPort, "Parsed.dst_port": dstPort, "Parsed.proto": extra("proto"),
		"Parsed.int_eth": extra("in_iface"), "Parsed.length": lastLen, "Parsed.timestamp": origTime,
		"Meta.machine": extra("hostname"),
		"Meta.action":  action, "Parsed.action": action, "Parsed.sshd_client_ip": srcIP,
		"Parsed.sshd_invalid_user": user, "Meta.target_user": user,
	}
	proxmoxFields = parsertest.Field{
		"Parsed.src_ip": srcIP, "Meta.source_ip": srcIP, "Parsed.dst_ip": dstIP,
		"Parsed.src_port": srcPort, "Parsed.dst_port": dstPort, "Parsed.proto": extra("proto"),
		"Parsed.iface": extra("in_iface"), "Parsed.oface": extra("out_iface"),
		"Parsed.physin": extra("physin"), "Parsed.physout": extra("physout"),
		"Parsed.vmid": extra("vmid"), "Parsed.loglevel": extra("loglevel"), "Parsed.logdate": origTime,
		"Parsed.action": action, "Parsed.ttl": extra("ttl"), "Parsed.program": extra("program"),
		"Parsed.data_length": extra("payload_len"),
	}
	pfFields = parsertest.Field{
		"Parsed.src_ip": srcIP, "Meta.source_ip": srcIP, "Parsed.dst_ip": dstIP,
		"Parsed.src_port": srcPort, "Parsed.dst_port": dstPort,
		"Parsed.ip4_proto": extra("proto"), "Parsed.ip6_proto": extra("proto"),
		"Parsed.iface": extra("iface"), "Meta.iface": extra("iface"), "Parsed.direction": extra("direction"),
		"Parsed.reason": extra("reason"), "Parsed.rule": extra("rule"), "Meta.rulenr": extra("rule"),
		"Parsed.tracker": extra("tracker"), "Meta.ruleid": extra("tracker"), "Parsed.action": action,
		"Parsed.length": length, "Parsed.ip4_ttl": extra("ttl"), "Parsed.ip6_hop_limit": extra("hoplimit"),
		"Parsed.tcp_flags": extra("tcp_flags"), "Parsed.timestamp": origTime, "Parsed.timestamp8601": origTime,
		"Parsed.program": extra("program"), "Parsed.pid": extra("pid"), "Meta.machine": extra("hostname"),
		"Parsed.username": user, "Meta.username": user, "Parsed.source_ip": srcIP,
		"Enriched.MarshaledTime": parsertest.Time(false),
	}
	fortiFields = parsertest.Field{
		"Meta.source_ip": srcIP, "Meta.target_user": user, "Meta.action": action,
		"Meta.msg":      func(ev *timeline.Event, _ string) string { return ev.Message },
		"Meta.sub_type": extra("subtype"), "Meta.reason": extra("reason"), "Meta.tunnel_type": extra("tunneltype"),
	}
	mikrotikFields = parsertest.Field{
		"Parsed.source_ip": srcIP, "Meta.source_ip": srcIP, "Parsed.dst_ip": dstIP,
		"Parsed.src_port": srcPort, "Parsed.dst_port": dstPort, "Meta.dst_port": dstPort,
		"Parsed.proto": extra("proto"), "Parsed.if_in": extra("in_iface"), "Parsed.if_out": extra("out_iface"),
		"Parsed.chain": extra("chain"), "Parsed.tag": extra("prefix"), "Parsed.topics": extra("topics"),
		"Parsed.connection_state": extra("connection_state"), "Parsed.src_mac": extra("src_mac"),
		"Parsed.length": length, "Parsed.timestamp": origTime, "Parsed.invalid_user": user, "Meta.user": user,
		"Meta.log_type":          action,
		"Enriched.MarshaledTime": parsertest.Time(false),
	}
)

// strip0x: CrowdSec's proxmox parser drops the "0x" of TOS and PREC.
func strip0x(k string) func(*timeline.Event, string) string {
	return func(ev *timeline.Event, _ string) string {
		return strings.TrimPrefix(parsertest.Extra(ev, k), "0x")
	}
}

func message(ev *timeline.Event, _ string) string { return ev.Message }

// messageNoTag: CrowdSec's UniFi parser cuts the rule tag off the message.
func messageNoTag(ev *timeline.Event, w string) string {
	if parsertest.Extra(ev, "rule_id") != "" {
		if i := strings.Index(ev.Message, "] "); i >= 0 {
			return ev.Message[i+2:]
		}
	}
	return ev.Message
}

func init() {
	// Netfilter keys CrowdSec unmarshals, against our fields and extras.
	for k, f := range map[string]func(*timeline.Event, string) string{
		"SRC": srcIP, "DST": dstIP, "SPT": srcPort, "DPT": dstPort, "PROTO": extra("proto"),
		"IN": extra("in_iface"), "OUT": extra("out_iface"), "MAC": extra("mac"), "TTL": extra("ttl"),
		"DESCR": extra("descr"), "LEN": lastLen,
	} {
		iptablesFields[`Unmarshaled.iptables["`+k+`"]`] = f
	}
	for _, k := range []string{"ID", "TOS", "PREC", "RES", "URGP", "WINDOW", "MARK"} {
		iptablesFields[`Unmarshaled.iptables["`+k+`"]`] = extra(k)
	}
	for k, f := range map[string]func(*timeline.Event, string) string{
		"Parsed.message": messageNoTag, "Meta.timestamp": parsertest.Time(false), "Meta.timestamp[4:]": parsertest.Time(true),
		"Enriched.MarshaledTime[4:]": parsertest.Time(true), "Parsed.rule_id": extra("rule_id"),
		"Parsed.dst_zone": extra("dst_zone"), "Parsed.hostname": extra("hostname"), "Parsed.pid": extra("pid"),
	} {
		iptablesFields[k] = f
	}
	for k, f := range map[string]func(*timeline.Event, string) string{
		"Parsed.message": message, "Parsed.id": extra("ID"), "Parsed.tos": strip0x("TOS"), "Parsed.prec": strip0x("PREC"),
		"Parsed.ack": extra("ACK"), "Parsed.tcp_flags": extra("tcp_flags"),
		"Parsed.dst_mac": func(ev *timeline.Event, _ string) string { return firstN(parsertest.Extra(ev, "mac"), 17) },
		// CrowdSec's int_eth is the chain without its -IN/-OUT direction.
		"Parsed.int_eth": func(ev *timeline.Event, _ string) string {
			c := parsertest.Extra(ev, "chain")
			return strings.TrimSuffix(strings.TrimSuffix(c, "-IN"), "-OUT")
		},
	} {
		proxmoxFields[k] = f
	}
	for k, f := range map[string]func(*timeline.Event, string) string{
		"Parsed.message": message, "Meta.timestamp": parsertest.Time(false), "Meta.timestamp[4:]": parsertest.Time(true),
		"Enriched.MarshaledTime[4:]": parsertest.Time(true), "Parsed.ip4_flags": extra("ip_flags"), "Parsed.ip4_id": extra("ip_id"),
		"Parsed.ip4_offset": extra("ip_offset"), "Parsed.ip4_proto_id": extra("proto_id"), "Parsed.ip6_proto_id": extra("proto_id"),
		"Parsed.ip4_tos": extra("tos"), "Parsed.ip6_class": extra("ip6_class"), "Parsed.ip6_flow_label": extra("ip6_flow_label"),
		"Parsed.ip_ver": extra("ip_version"), "Parsed.data_length": extra("data_length"), "Parsed.sequence_number": extra("tcp_seq"),
		"Parsed.ack_number": extra("tcp_ack"), "Parsed.tcp_window": extra("tcp_window"), "Parsed.tcp_options": extra("tcp_options"),
	} {
		pfFields[k] = f
	}
	mikrotikFields["Meta.timestamp"] = parsertest.Time(false)
	fortiFields[`Unmarshaled.fortinet["action"]`] = extra("action")
	fortiFields[`Unmarshaled.fortinet["date"]`] = func(ev *timeline.Event, _ string) string { return firstN(ev.TimeOrig, 10) }
	fortiFields[`Unmarshaled.fortinet["time"]`] = func(ev *timeline.Event, _ string) string {
		return ev.TimeOrig[max(0, len(ev.TimeOrig)-8):]
	}
	// FortiOS fields CrowdSec unmarshals, kept as extras under the same key.
	for _, k := range []string{"remip", "subtype", "logdesc", "reason", "vd", "type", "tunnelid", "tunneltype", "tz", "group", "level", "logid", "eventtime", "dst_host"} {
		fortiFields[`Unmarshaled.fortinet["`+k+`"]`] = extra(k)
	}
	fortiFields[`Unmarshaled.fortinet["user"]`] = user
	fortiFields[`Unmarshaled.fortinet["msg"]`] = func(ev *timeline.Event, _ string) string { return ev.Message }
}

func TestCrowdsecAsserts(t *testing.T) {
	for _, tc := range []struct {
		format, dir, log string
		fields           parsertest.Field
		min              int
	}{
		{IPTables, "router/crowdsec/iptables-logs", "iptables-logs.log", iptablesFields, 20},
		{IPTables, "router/crowdsec/unifi-logs", "unifi-logs.log", iptablesFields, 40},
		{IPTables, "router/crowdsec/proxmox-iptables-logs", "proxmox-iptables.log", proxmoxFields, 75},
		{IPTables, "router/crowdsec/iptables-scan-multi-port", "iptables-scan-multi-port.log", iptablesFields, 0},
		{PFSense, "router/crowdsec/pf-logs", "pf-logs.log", pfFields, 150},
		{PFSense, "router/crowdsec/pf-scan-multi-port", "pf-scan-multi-port.log", pfFields, 0},
		{PFSense, "router/crowdsec/pfsense-rfc5424-filterlog", "pfsense-rfc5424-filterlog.log", pfFields, 15},
		{PFSense, "router/crowdsec/pfsense-gui-auth", "pfsense-gui-auth.log", pfFields, 50},
		{PFSense, "router/crowdsec/opnsense-gui-auth", "opnsense-gui-auth.log", pfFields, 40},
		{FortiGate, "router/crowdsec/fortinet-vpn-bf", "fortinet-vpn-bf.log", fortiFields, 150},
		{MikroTik, "router/crowdsec/mikrotik-logs", "mikrotik-logs.log", mikrotikFields, 100},
		{MikroTik, "router/crowdsec/mikrotik-bf", "mikrotik-bf.log", mikrotikFields, 0},
		{MikroTik, "router/crowdsec/mikrotik-scan-multi_ports", "mikrotik-scan-multi_ports.log", mikrotikFields, 0},
	} {
		t.Run(tc.log, func(t *testing.T) {
			dir := corpus.Path(t, tc.dir)
			evs := parsertest.Parse(t, tc.format, filepath.Join(dir, tc.log), 2024, nil)
			n := 0
			if tc.min > 0 {
				n = parsertest.CheckCrowdsec(t, dir, tc.log, evs, tc.fields)
				if n < tc.min {
					t.Errorf("compared %d values, want at least %d", n, tc.min)
				}
			}
			p, total := parsertest.ParsedRatio(evs)
			if p*100 <= total*99 {
				t.Errorf("parsed %d of %d lines", p, total)
			}
			for i := range evs {
				if evs[i].Source != tc.format {
					t.Errorf("line %d: source %q: %s", evs[i].Line, evs[i].Source, evs[i].Raw)
				}
			}
			t.Logf("%s: %d values compared, %d/%d lines parsed", tc.log, n, p, total)
		})
	}
}

type want struct {
	time, zone         string
	src, dst           string
	sport, dport       int32
	user, action       string
	bytes              int64
	extraKey, extraVal string
}

func check(t *testing.T, line string, ev *timeline.Event, w want) {
	t.Helper()
	got := want{ev.UTC().Format(time.RFC3339Nano), ev.Zone, ev.SrcIP, ev.DstIP, ev.SrcPort, ev.DstPort, ev.User, ev.Action, ev.Bytes, w.extraKey, parsertest.Extra(ev, w.extraKey)}
	if w.bytes == 0 {
		got.bytes = 0
	}
	if w.zone == "" {
		got.zone = ""
	}
	if got != w {
		t.Errorf("%s\n got %+v\nwant %+v", line, got, w)
	}
}

func TestLines(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	in := &parsers.Input{Zone: tokyo, ZoneSource: "manifest", Year: 2026}
	for _, tc := range []struct {
		parse devlog.LineFunc
		line  string
		want  want
	}{
		// UFW's own prefix (Ubuntu ufw(8) logging).
		{ParseIPTables, "Mar  3 10:00:00 web kernel: [ 1234.5678] [UFW BLOCK] IN=eth0 OUT= MAC=00:11 SRC=203.0.113.7 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
			want{time: "2026-03-03T01:00:00Z", zone: "Asia/Tokyo (manifest)", src: "203.0.113.7", dst: "192.0.2.10", sport: 40000, dport: 22, action: "deny", bytes: 60, extraKey: "prefix", extraVal: "[UFW BLOCK]"}},
		{ParseIPTables, "Mar  3 10:00:00 web kernel: ACCEPT-SSH: IN=eth0 OUT= SRC=203.0.113.7 DST=192.0.2.10 LEN=52 PROTO=TCP SPT=40001 DPT=22",
			want{time: "2026-03-03T01:00:00Z", src: "203.0.113.7", dst: "192.0.2.10", sport: 40001, dport: 22, action: "permit", extraKey: "proto", extraVal: "TCP"}},
		{ParseIPTables, "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0.94 MAC=24:8a SRC=10.3.94.11 DST=10.3.94.12 LEN=52 PROTO=UDP SPT=49152 DPT=3784 LEN=32",
			want{time: "2022-06-20T11:09:14Z", zone: "+0200", src: "10.3.94.11", dst: "10.3.94.12", sport: 49152, dport: 3784, action: "deny", bytes: 52, extraKey: "vmid", extraVal: "0"}},
		// pfSense documentation, raw filter log format examples.
		{ParsePFSense, "Sep 28 10:38:41 pfSense filterlog: 6,,,1000102434,em0,match,block,out,4,0x0,,64,0,0,DF,6,tcp,40,10.0.2.15,10.0.2.2,22,53742,0,FA,3617062173,29633380,65535,,",
			want{time: "2026-09-28T01:38:41Z", src: "10.0.2.15", dst: "10.0.2.2", sport: 22, dport: 53742, action: "deny", bytes: 40, extraKey: "tcp_flags", extraVal: "FA"}},
		{ParsePFSense, "<134>1 2022-09-06T19:00:06+02:00 opnsense filterlog 57126 - [meta sequenceId=\"2667099\"] 98,,,881dd59a3e942966c90498ac104715a0,re0,match,pass,in,6,0x00,0x0ea87,51,udp,17,73,2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a,2c02:2454:ada:d900::1738,6881,51918,73",
			want{time: "2022-09-06T17:00:06Z", zone: "+02:00", src: "2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a", dst: "2c02:2454:ada:d900::1738", sport: 6881, dport: 51918, action: "permit", extraKey: "proto", extraVal: "udp"}},
		{ParsePFSense, "Jan  1 00:00:00 pfSense filterlog[1]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,none,1,icmp,84,198.51.100.1,192.0.2.1,request,1234,1",
			want{time: "2025-12-31T15:00:00Z", src: "198.51.100.1", dst: "192.0.2.1", action: "deny", extraKey: "icmp_type", extraVal: "request"}},
		{ParsePFSense, "Oct 26 14:50:21 pfSense php-fpm[374]: /index.php: webConfigurator authentication error for user 'toto' from: 10.0.0.1",
			want{time: "2026-10-26T05:50:21Z", src: "10.0.0.1", user: "toto", action: "login-failure"}},
		// FortiOS Log Message Reference, traffic log example.
		{ParseFortiGate, `date=2019-05-10 time=11:37:47 logid="0000000013" type="traffic" subtype="forward" level="notice" vd="vdom1" eventtime=1557513467369913239 srcip=10.1.100.11 srcport=58012 srcintf="port12" srcintfrole="undefined" dstip=23.59.154.35 dstport=80 dstintf="port11" dstintfrole="undefined" srcuuid="ae28f494-5735-51e9-f247-d1d2ce663f4b" dstuuid="ae28f494-5735-51e9-f247-d1d2ce663f4b" poluuid="ccb269e0-5735-51e9-a218-a397dd08b7eb" sessionid=105048 proto=6 action="close" policyid=1 policytype="policy" service="HTTP" dstcountry="Canada" srccountry="Reserved" trandisp="snat" transip=172.16.200.2 transport=58012 appid=34050 app="HTTP.BROWSER_Firefox" appcat="Web.Client" apprisk="elevated" applist="g-default" duration=116 sentbyte=1850 rcvdbyte=39898 sentpkt=25 rcvdpkt=37 utmaction="allow" countapp=1 osname="Ubuntu" mastersrcmac="a2:e9:00:ec:40:01" srcmac="a2:e9:00:ec:40:01" srcserver=0`,
			want{time: "2019-05-10T02:37:47Z", zone: "Asia/Tokyo (manifest)", src: "10.1.100.11", dst: "23.59.154.35", sport: 58012, dport: 80, action: "permit", bytes: 41748, extraKey: "service", extraVal: "HTTP"}},
		{ParseFortiGate, `date=2024-10-14 time=13:46:40 eventtime=1728938800841267391 tz="-0700" logid="1234567890" type="event" subtype="vpn" level="alert" vd="root" logdesc="SSL VPN login fail" action="ssl-login-fail" tunneltype="ssl-web" tunnelid=0 remip=192.168.0.1 user="N/A" group="N/A" dst_host="N/A" reason="sslvpn_login_unknown_user" msg="SSL user failed to logged in"`,
			want{time: "2024-10-14T20:46:40Z", zone: "-0700", src: "192.168.0.1", user: "N/A", action: "login-failure", extraKey: "reason", extraVal: "sslvpn_login_unknown_user"}},
		{ParseFortiGate, `<189>date=2024-01-02 time=03:04:05 devname="FGT60E" devid="FGT60E0000000001" logid="0100032001" type="event" subtype="system" level="information" vd="root" logdesc="Admin login successful" sn="1" user="admin" ui="https(198.51.100.5)" method="https" srcip=198.51.100.5 dstip=192.0.2.1 action="login" status="success" reason="none" profile="super_admin" msg="Administrator admin logged in successfully from https(198.51.100.5)"`,
			want{time: "2024-01-01T18:04:05Z", src: "198.51.100.5", dst: "192.0.2.1", user: "admin", action: "login-success"}},
		// Elastic fortinet_fortigate pipeline tests (test-fortinet-fix.log): a UTM/IPS record with an escaped quote.
		{ParseFortiGate, `<185>date=2026-03-31 time=07:48:26 devname="MYDEV" devid="MYDEVID" eventtime=1773733509096718719 tz="-0500" logid="0419016384" type="utm" subtype="ips" eventtype="signature" level="alert" vd="root" severity="high" srcip=10.11.12.1 dstip=10.7.1.5 srcintf="eth0" dstintf="eth1" sessionid=1234567 action="detected" proto=6 service="HTTP" policyid=11 attack="HTTP.X-Forwarded-For.Header.XSS" srcport=50123 dstport=443 hostname="10.5.0.1" url="/?sample=1" agent="curl/7.47.0" httpmethod="GET" direction="outgoing" attackid=55823 msg="web_misc: HTTP.X-Forwarded-For.Header.XSS" forwardedfor="abcd0e.xff\"></script><script>alert(document.domain);</script>" crscore=30`,
			want{time: "2026-03-31T12:48:26Z", zone: "-0500", src: "10.11.12.1", dst: "10.7.1.5", sport: 50123, dport: 443, extraKey: "attack", extraVal: "HTTP.X-Forwarded-For.Header.XSS"}},
		{ParseMikroTik, "2026-05-31T00:04:27.696749+02:00 gw firewall,info input: in:WAN out:(unknown 0), connection-state:new src-mac e4:41:64:93:a8:0f, proto TCP (SYN), [2001:db8:1234::1]:40384->[2001:db8:1234::2]:20461, len 24",
			want{time: "2026-05-30T22:04:27.696749Z", src: "2001:db8:1234::1", dst: "2001:db8:1234::2", sport: 40384, dport: 20461, bytes: 24, extraKey: "chain", extraVal: "input"}},
		{ParseMikroTik, "Mar 19 12:34:09 10.120.127.1 firewall,info drop-icmp forward: in:ether1 out:bridge, connection-state:new proto ICMP (type 3, code 3), 10.0.0.1->10.0.0.2, len 56",
			want{time: "2026-03-19T03:34:09Z", src: "10.0.0.1", dst: "10.0.0.2", action: "deny", bytes: 56, extraKey: "proto_flags", extraVal: "type 3, code 3"}},
		{ParseMikroTik, "2023-03-19T12:34:09.757188+01:00 10.120.127.1 system,error,critical login failure for user admin from 10.10.0.35 via winbox",
			want{time: "2023-03-19T11:34:09.757188Z", src: "10.10.0.35", user: "admin", action: "login-failure", extraKey: "via", extraVal: "winbox"}},
		{ParseMikroTik, "2023-03-19T12:34:09+01:00 10.120.127.1 system,info,account user admin logged in from 10.10.0.35 via ssh",
			want{time: "2023-03-19T11:34:09Z", src: "10.10.0.35", user: "admin", action: "login-success", extraKey: "via", extraVal: "ssh"}},
	} {
		var ev timeline.Event
		ev.Reset()
		if !tc.parse(devlog.NewState(in, 2026), []byte(tc.line), &ev) {
			t.Errorf("not parsed: %s", tc.line)
			continue
		}
		check(t, tc.line, &ev, tc.want)
	}
}

// TestFortiGateTZ: CrowdSec's dateparse reads this line as 13:46:40Z and
// drops tz="-0700"; the instant is 20:46:40Z.
func TestFortiGateTZ(t *testing.T) {
	evs := parsertest.Parse(t, FortiGate, corpus.Path(t, "router/crowdsec/fortinet-vpn-bf/fortinet-vpn-bf.log"), 0, nil)
	if got := evs[0].UTC().Format(time.RFC3339); got != "2024-10-14T20:46:40Z" || evs[0].TimeOrig != "2024-10-14 time=13:46:40" || evs[0].Zone != "-0700" {
		t.Errorf("time %s orig %q zone %q", got, evs[0].TimeOrig, evs[0].Zone)
	}
}

func TestDetectScores(t *testing.T) {
	for _, tc := range []struct {
		file   string
		detect func(string, []byte) int
		min    int
	}{
		{"router/crowdsec/iptables-logs/iptables-logs.log", detectIPTables, 90},
		{"router/crowdsec/pf-logs/pf-logs.log", detectPFSense, 90},
		{"router/crowdsec/fortinet-vpn-bf/fortinet-vpn-bf.log", detectFortiGate, 90},
		{"router/crowdsec/mikrotik-logs/mikrotik-logs.log", detectMikroTik, 90},
	} {
		head, err := os.ReadFile(corpus.Path(t, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if s := tc.detect(filepath.Base(tc.file), head); s < tc.min {
			t.Errorf("%s scored %d", tc.file, s)
		}
	}
	plain, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	for _, d := range []func(string, []byte) int{detectIPTables, detectPFSense, detectFortiGate, detectMikroTik} {
		if s := d("syslog", plain); s > 0 {
			t.Errorf("plain syslog scored %d", s)
		}
	}
}

var fuzzSeeds = []string{
	"Jun  8 14:34:33 sd-126005 kernel: [50028442.088484] IN=enp1s0 OUT= MAC=00:08 SRC=195.54.160.107 DST=51.15.166.67 LEN=40 PROTO=TCP SPT=8080 DPT=8123 SYN URGP=0",
	"0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0.94 SRC=10.3.94.11 DST=10.3.94.12 LEN=52 PROTO=UDP SPT=49152 DPT=3784",
	"Sep 28 10:38:09 pfSense filterlog: 53,,,1000000301,em0,match,block,in,4,0x0,,64,420,0,none,6,tcp,460,10.0.2.2,10.0.2.15,53742,22,420,PA,29633380:29633800,3617062173,65535,,",
	`date=2024-10-14 time=13:46:40 tz="-0700" type="event" remip=192.168.0.1 user="N/A" msg="x"`,
	"2023-03-18T20:35:05.734637+01:00 10.120.127.1 firewall,info drop-in input: in:ether1-WAN out:(unknown 0), connection-state:new src-mac 00:17:10:88:bc:02, proto UDP, 186.26.78.68:44355->81.82.202.145:53, len 65",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	in := &parsers.Input{ZoneSource: "fuzz", Year: 2024}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range []devlog.LineFunc{ParseIPTables, ParsePFSense, ParseFortiGate, ParseMikroTik} {
			var ev timeline.Event
			ev.Reset()
			p(devlog.NewState(in, 2024), line, &ev)
		}
	})
}

// BenchmarkParse: go test ./parsers/netfilter -run x -bench . -benchtime 1s
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name  string
		parse devlog.LineFunc
		file  string
	}{
		{IPTables, ParseIPTables, "router/crowdsec/iptables-scan-multi-port/iptables-scan-multi-port.log"},
		{PFSense, ParsePFSense, "router/crowdsec/pf-scan-multi-port/pf-scan-multi-port.log"},
		{FortiGate, ParseFortiGate, "router/crowdsec/fortinet-vpn-bf/fortinet-vpn-bf.log"},
		{MikroTik, ParseMikroTik, "router/crowdsec/mikrotik-scan-multi_ports/mikrotik-scan-multi_ports.log"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data, err := os.ReadFile(corpus.Path(b, bc.file))
			if err != nil {
				b.Fatal(err)
			}
			lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
			s := devlog.NewState(&parsers.Input{ZoneSource: "bench", Year: 2024}, 2024)
			parsertest.BenchLines(b, lines, len(data), func(l []byte, ev *timeline.Event) bool { return bc.parse(s, l, ev) })
		})
	}
}
