package netfilter

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// ParseMikroTik parses a RouterOS log line sent to a syslog server:
//
//	2023-03-18T20:35:05.734637+01:00 10.120.127.1 firewall,info drop-in input: in:ether1-WAN out:(unknown 0), connection-state:new src-mac 00:17:10:88:bc:02, proto TCP (SYN), 36.97.161.219:59388->81.82.202.145:23, len 40
//	2023-03-19T12:34:09.757188+01:00 10.120.127.1 system,error,critical login failure for user admin from 10.10.0.35 via winbox
//
// (topics first, then the firewall rule's log-prefix and chain; RouterOS
// manual, "Log" and "Firewall filter": https://help.mikrotik.com/docs/spaces/ROS/pages/328094/Logging).
func ParseMikroTik(s *devlog.State, line []byte, ev *timeline.Event) bool {
	_, msg, ok := s.SyslogEvent(line, ev, MikroTik)
	if !ok {
		return false
	}
	// With no program tag the syslog parser leaves the topics in the message.
	m := msg
	if topics, rest := devlog.Word(m); isTopics(topics) {
		ev.AddExtra("topics", str(topics))
		m = rest
	} else if p, ok := programOf(ev); ok && isTopics(p) {
		ev.AddExtra("topics", str(p))
	}
	if mikrotikFirewall(m, ev) {
		return true
	}
	mikrotikLogin(m, ev)
	return true
}

// isTopics: "firewall,info", "system,error,critical", "account,info".
func isTopics(w []byte) bool {
	if len(w) < 4 || bytes.IndexByte(w, ',') < 0 {
		return false
	}
	for _, c := range w {
		if (c < 'a' || c > 'z') && c != ',' && c != '-' {
			return false
		}
	}
	return true
}

func mikrotikFirewall(m []byte, ev *timeline.Event) bool {
	in := bytes.Index(m, []byte(" in:"))
	if in < 0 || !bytes.Contains(m[in:], []byte(" proto ")) {
		return false
	}
	head := bytes.TrimSuffix(bytes.TrimSpace(m[:in]), []byte{':'})
	chain := head
	if sp := bytes.LastIndexByte(head, ' '); sp >= 0 {
		prefix := head[:sp]
		chain = head[sp+1:]
		ev.AddExtra("prefix", str(prefix))
		ev.Action = prefixAction(prefix)
	}
	ev.AddExtra("chain", str(chain))
	b := m[in+4:]
	out := bytes.Index(b, []byte(" out:"))
	if out < 0 {
		return false
	}
	ev.AddExtra("in_iface", str(b[:out]))
	b = b[out+5:]
	comma := bytes.Index(b, []byte(", "))
	if comma < 0 {
		return false
	}
	ev.AddExtra("out_iface", str(b[:comma]))
	b = b[comma+2:]
	for len(b) > 0 {
		var part []byte
		part, b = mtPart(b)
		mtItem(part, ev)
	}
	return true
}

// mtItem reads one ", "-separated part; "connection-state:new src-mac
// x" and "connection-state:new proto TCP" hold two items.
func mtItem(part []byte, ev *timeline.Event) {
	switch {
	case devlog.HasPrefix(part, "connection-state:"):
		st, more := devlog.Word(part[len("connection-state:"):])
		ev.AddExtra("connection_state", str(st))
		if len(more) > 0 {
			mtItem(more, ev)
		}
	case devlog.HasPrefix(part, "src-mac "):
		ev.AddExtra("src_mac", str(part[len("src-mac "):]))
	case devlog.HasPrefix(part, "proto "):
		name, flags := devlog.Word(part[len("proto "):])
		ev.AddExtra("proto", str(name))
		if len(flags) > 2 && flags[0] == '(' && flags[len(flags)-1] == ')' {
			ev.AddExtra("proto_flags", str(flags[1:len(flags)-1]))
		}
	case devlog.HasPrefix(part, "len "):
		if n, ok := devlog.Int64(part[4:]); ok {
			ev.Bytes = n
		}
	case devlog.HasPrefix(part, "NAT "):
		ev.AddExtra("nat", str(part[4:]))
	default:
		if arrow := bytes.Index(part, []byte("->")); arrow > 0 && ev.SrcIP == "" {
			sa, sp := devlog.SplitAddr(part[:arrow])
			da, dp := devlog.SplitAddr(part[arrow+2:])
			ev.SrcIP, ev.DstIP = str(sa), str(da)
			if n, ok := devlog.Int32(sp); ok {
				ev.SrcPort = n
			}
			if n, ok := devlog.Int32(dp); ok {
				ev.DstPort = n
			}
		}
	}
}

// mtPart cuts the next ", "-separated part, keeping parenthesised commas
// ("proto ICMP (type 3, code 3)") inside.
func mtPart(b []byte) (part, rest []byte) {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 && i+1 < len(b) && b[i+1] == ' ' {
				return b[:i], b[i+2:]
			}
		}
	}
	return b, nil
}

// mikrotikLogin: "login failure for user admin from 1.2.3.4 via ssh",
// "user admin logged in from 1.2.3.4 via winbox", "user admin logged out
// from 1.2.3.4 via web".
func mikrotikLogin(m []byte, ev *timeline.Event) {
	var b []byte
	switch {
	case devlog.HasPrefix(m, "login failure for user "):
		ev.Action = timeline.ActionLoginFailure
		b = m[len("login failure for user "):]
	case devlog.HasPrefix(m, "user ") && bytes.Contains(m, []byte(" logged in ")):
		ev.Action = timeline.ActionLoginSuccess
		b = m[len("user "):]
	case devlog.HasPrefix(m, "user ") && bytes.Contains(m, []byte(" logged out ")):
		ev.Action = timeline.ActionLogout
		b = m[len("user "):]
	default:
		return
	}
	u, rest := devlog.Word(b)
	ev.User = str(u)
	if f, ok := devlog.After(rest, "from "); ok {
		a, r := devlog.Word(f)
		ev.SrcIP = str(a)
		if v, ok := devlog.After(r, "via "); ok {
			ev.AddExtra("via", str(v))
		}
	}
}

// detectMikroTik: RouterOS topics ("firewall,info", "system,error") with
// RouterOS firewall or login wording.
func detectMikroTik(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if (bytes.Contains(line, []byte(" firewall,")) && bytes.Contains(line, []byte(" in:")) && bytes.Contains(line, []byte(" out:"))) ||
			bytes.Contains(line, []byte("login failure for user ")) && bytes.Contains(line, []byte(" via ")) ||
			bytes.Contains(line, []byte(" system,info,account ")) {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "mikrotik"))
}
