package netfilter

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/authlog"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Format names and event sources.
const (
	IPTables  = "iptables"
	PFSense   = "pfsense"
	FortiGate = "fortigate"
	MikroTik  = "mikrotik"
)

var str = devlog.Str

func register(name, desc string, hasZone, hasYear bool, detect func(string, []byte) int, parse devlog.LineFunc, reason string) {
	devlog.Register(&parsers.Format{
		Name:        name,
		Sources:     []parsers.Source{{Name: name, Class: parsers.ClassFirewall}},
		Description: desc,
		HasZone:     hasZone,
		HasYear:     hasYear,
		Detect:      detect,
	}, parse, reason)
}

func init() {
	register(IPTables, "Linux iptables/netfilter kernel log lines (syslog, UniFi, Proxmox VE firewall)", false, false, detectIPTables, ParseIPTables, "not a netfilter log line")
	register(PFSense, "pfSense/OPNsense filterlog CSV (syslog-wrapped)", false, false, detectPFSense, ParsePFSense, "not a filterlog line")
	register(FortiGate, "FortiGate/FortiOS key=value logs", true, true, detectFortiGate, ParseFortiGate, "not a FortiGate log line")
	register(MikroTik, "MikroTik RouterOS firewall and system logs", false, false, detectMikroTik, ParseMikroTik, "not a RouterOS log line")
}

// payloadStart finds the first netfilter key (IN=, OUT=) of a line that has
// SRC= after it; -1 when the line is no netfilter line.
func payloadStart(b []byte) int {
	src := bytes.Index(b, []byte(" SRC="))
	if src < 0 {
		return -1
	}
	for _, k := range []string{"IN=", "OUT="} {
		i := bytes.Index(b[:src], []byte(k))
		for i >= 0 {
			if i == 0 || b[i-1] == ' ' || b[i-1] == ']' || b[i-1] == ':' {
				return i
			}
			j := bytes.Index(b[i+1:src], []byte(k))
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return -1
}

// ParseIPTables parses one netfilter log line.
func ParseIPTables(s *devlog.State, line []byte, ev *timeline.Event) bool {
	if proxmox(s, line, ev) {
		return true
	}
	_, msg, ok := s.SyslogEvent(line, ev, IPTables)
	if !ok {
		return false
	}
	p := payloadStart(msg)
	if p < 0 {
		// Another syslog line of the same log (an sshd line on a gateway).
		prog, _ := programOf(ev)
		authlog.Message(prog, msg, ev)
		return true
	}
	prefix := msg[:p]
	// Drop the kernel's uptime stamp "[50028442.088484] ".
	if len(prefix) > 0 && prefix[0] == '[' {
		if e := bytes.IndexByte(prefix, ']'); e > 0 && isUptime(prefix[1:e]) {
			prefix = prefix[e+1:]
		}
	}
	prefix = bytes.TrimSpace(prefix)
	if d := bytes.Index(prefix, []byte("DESCR=")); d >= 0 {
		// UniFi: `[WAN_LOCAL-D-2000] DESCR="[WAN_LOCAL]Block All Traffic"`.
		if _, v, _, eq, ok := devlog.NextKV(prefix[d:]); ok && eq {
			ev.AddExtra("descr", str(v))
		}
		prefix = bytes.TrimSpace(prefix[:d])
	}
	if len(prefix) > 0 {
		ev.AddExtra("prefix", str(prefix))
	}
	ev.Action = prefixAction(prefix)
	unifiTag(prefix, ev)
	netfilterFields(msg[p:], ev)
	return true
}

// unifiTag reads a UniFi rule tag "[WAN_LOCAL-D-2147483647]": the rule set
// (source and destination zones), the verdict letter and the rule id.
func unifiTag(p []byte, ev *timeline.Event) {
	if len(p) < 6 || p[0] != '[' {
		return
	}
	e := bytes.IndexByte(p, ']')
	if e < 0 {
		return
	}
	tag := p[1:e]
	last := bytes.LastIndexByte(tag, '-')
	if last < 2 || tag[last-2] != '-' {
		return
	}
	ev.AddExtra("rule_id", str(tag[last+1:]))
	set := tag[:last-2]
	ev.AddExtra("ruleset", str(set))
	if u := bytes.LastIndexByte(set, '_'); u > 0 {
		ev.AddExtra("src_zone", str(set[:u]))
		ev.AddExtra("dst_zone", str(set[u+1:]))
	}
}

func programOf(ev *timeline.Event) ([]byte, bool) {
	for _, kv := range ev.Extra {
		if kv.Key == "program" {
			return devlog.Bytes(kv.Value), true
		}
	}
	return nil, false
}

func isUptime(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && c != '.' && c != ' ' {
			return false
		}
	}
	return len(b) > 0
}

// prefixAction reads permit/deny from a log prefix: UniFi's rule tag
// "[WAN_LOCAL-D-2000]" (A accept, D drop, R reject) first, then words.
func prefixAction(p []byte) string {
	if len(p) > 4 && p[0] == '[' {
		if e := bytes.IndexByte(p, ']'); e > 4 {
			tag := p[1:e]
			// NAME-X-ID: the letter between the last two dashes.
			if last := bytes.LastIndexByte(tag, '-'); last >= 2 && tag[last-2] == '-' {
				switch tag[last-1] {
				case 'A':
					return timeline.ActionPermit
				case 'D', 'R':
					return timeline.ActionDeny
				}
			}
		}
	}
	var up [128]byte
	n := copy(up[:], p)
	for i := 0; i < n; i++ {
		if c := up[i]; c >= 'a' && c <= 'z' {
			up[i] = c - 32
		}
	}
	u := up[:n]
	for _, w := range []string{"BLOCK", "DROP", "REJECT", "DENY", "DENIED"} {
		if bytes.Contains(u, []byte(w)) {
			return timeline.ActionDeny
		}
	}
	for _, w := range []string{"ACCEPT", "ALLOW", "PASS", "PERMIT"} {
		if bytes.Contains(u, []byte(w)) {
			return timeline.ActionPermit
		}
	}
	return ""
}

// netfilterFields reads IN= OUT= MAC= SRC= DST= LEN= ... PROTO= SPT= DPT=.
func netfilterFields(b []byte, ev *timeline.Event) {
	seenLen, seenProto := false, false
	var flags []byte
	defer func() {
		if len(flags) > 0 {
			ev.AddExtra("tcp_flags", str(flags))
		}
	}()
	for {
		k, v, rest, eq, ok := devlog.NextKV(b)
		if !ok {
			return
		}
		b = rest
		if !eq {
			// Bare words: DF before PROTO=, TCP flags (SYN ACK FIN...) after.
			if seenProto {
				if len(flags) == 0 {
					flags = k
				} else if sp, ok := devlog.Span(flags, k); ok {
					flags = sp
				}
			}
			continue
		}
		switch string(k) {
		case "IN":
			if len(v) > 0 {
				ev.AddExtra("in_iface", str(v))
			}
		case "OUT":
			if len(v) > 0 {
				ev.AddExtra("out_iface", str(v))
			}
		case "PHYSIN":
			ev.AddExtra("physin", str(v))
		case "PHYSOUT":
			ev.AddExtra("physout", str(v))
		case "MAC":
			if len(v) > 0 {
				ev.AddExtra("mac", str(v))
			}
		case "SRC":
			ev.SrcIP = str(v)
		case "DST":
			ev.DstIP = str(v)
		case "LEN":
			if !seenLen {
				seenLen = true
				if n, ok := devlog.Int64(v); ok {
					ev.Bytes = n
				}
			} else {
				ev.AddExtra("payload_len", str(v)) // the UDP/TCP length after the IP one
			}
		case "PROTO":
			seenProto = true
			ev.AddExtra("proto", str(v))
		case "SPT":
			if n, ok := devlog.Int32(v); ok {
				ev.SrcPort = n
			}
		case "DPT":
			if n, ok := devlog.Int32(v); ok {
				ev.DstPort = n
			}
		case "TTL":
			ev.AddExtra("ttl", str(v))
		case "TYPE":
			ev.AddExtra("icmp_type", str(v))
		case "CODE":
			ev.AddExtra("icmp_code", str(v))
		case "DESCR":
			ev.AddExtra("descr", str(v))
		default:
			// TOS PREC ID WINDOW RES URGP SEQ ACK MARK TC FLOWLBL HOPLIMIT...
			// as netfilter names them.
			ev.AddExtra(str(k), str(v))
		}
	}
}

// proxmox reads the Proxmox VE firewall log (/var/log/pve-firewall.log):
// "VMID LOGLEVEL CHAIN dd/Mon/yyyy:hh:mm:ss +zzzz [PREFIX: ]IN=...".
func proxmox(s *devlog.State, line []byte, ev *timeline.Event) bool {
	if len(line) < 40 || line[0] < '0' || line[0] > '9' {
		return false
	}
	vmid, rest := devlog.Word(line)
	level, rest := devlog.Word(rest)
	chain, rest := devlog.Word(rest)
	if _, ok := parsers.Digits(vmid); !ok {
		return false
	}
	if _, ok := parsers.Digits(level); !ok || len(chain) == 0 {
		return false
	}
	// 20/Jun/2022:13:09:14 +0200
	if len(rest) < 26 || rest[2] != '/' || rest[6] != '/' || rest[11] != ':' || rest[20] != ' ' {
		return false
	}
	d, ok1 := parsers.Digits(rest[0:2])
	mo := parsers.Month(rest[3:6])
	y, ok2 := parsers.Digits(rest[7:11])
	hh, ok3 := parsers.Digits(rest[12:14])
	mi, ok4 := parsers.Digits(rest[15:17])
	ss, ok5 := parsers.Digits(rest[18:20])
	off, ok6 := offset(rest[21:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo == 0 || !parsers.ValidDate(y, mo, d, hh, mi, ss) {
		return false
	}
	body := rest[26:]
	p := payloadStart(body)
	if p < 0 {
		return false
	}
	ev.Time = parsers.UnixNano(y, mo, d, hh, mi, ss, 0, off)
	ev.TimeDesc = timeline.TimeLog
	ev.TimeOrig = str(rest[:26])
	ev.Zone = str(rest[21:26])
	ev.Source = IPTables
	ev.Message = str(line)
	ev.AddExtra("program", "pve-firewall")
	ev.AddExtra("vmid", str(vmid))
	ev.AddExtra("loglevel", str(level))
	ev.AddExtra("chain", str(chain))
	prefix := bytes.TrimSpace(body[:p])
	prefix = bytes.TrimSuffix(prefix, []byte{':'})
	if len(prefix) > 0 {
		ev.AddExtra("prefix", str(prefix))
	}
	ev.Action = prefixAction(prefix)
	netfilterFields(body[p:], ev)
	return true
}

// offset reads "+0200" / "-0700" into seconds east of UTC.
func offset(b []byte) (int, bool) {
	if len(b) != 5 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	h, ok1 := parsers.Digits(b[1:3])
	m, ok2 := parsers.Digits(b[3:5])
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, false
	}
	o := h*3600 + m*60
	if b[0] == '-' {
		o = -o
	}
	return o, true
}

// detectIPTables: most lines carry netfilter's SRC=/DST=/PROTO= keys.
func detectIPTables(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if payloadStart(line) >= 0 && bytes.Contains(line, []byte(" DST=")) && bytes.Contains(line, []byte(" PROTO=")) {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "firewall") || strings.Contains(strings.ToLower(name), "iptables") || strings.Contains(strings.ToLower(name), "ufw"))
}
