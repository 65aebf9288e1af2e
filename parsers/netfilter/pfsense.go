package netfilter

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/authlog"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// ParsePFSense parses one pfSense/OPNsense log line: filterlog CSV, the web
// GUI's authentication messages, or any other syslog line of the firewall.
//
// filterlog fields, as the pfSense documentation lists them
// (https://docs.netgate.com/pfsense/en/latest/monitoring/logs/raw-filter-format.html):
//
//	rule,subrule,anchor,tracker,interface,reason,action,direction,ipversion,
//	IPv4: tos,ecn,ttl,id,offset,flags,protoid,proto,length,src,dst
//	IPv6: class,flowlabel,hoplimit,proto,protoid,length,src,dst
//	tcp:  srcport,dstport,datalen,tcpflags,seq,ack,window,urg,options
//	udp:  srcport,dstport,datalen
//	icmp: icmptype,...
func ParsePFSense(s *devlog.State, line []byte, ev *timeline.Event) bool {
	prog, msg, ok := s.SyslogEvent(line, ev, PFSense)
	if !ok {
		return false
	}
	if string(prog) == "filterlog" || looksFilterlog(msg) {
		return filterlog(msg, ev)
	}
	if guiAuth(msg, ev) {
		return true
	}
	authlog.Message(prog, msg, ev)
	return true
}

func looksFilterlog(m []byte) bool {
	return len(m) > 20 && m[0] >= '0' && m[0] <= '9' &&
		(bytes.Contains(m, []byte(",block,")) || bytes.Contains(m, []byte(",pass,")) || bytes.Contains(m, []byte(",match,")))
}

func filterlog(m []byte, ev *timeline.Event) bool {
	var f [48][]byte
	n := 0
	for n < len(f) {
		i := bytes.IndexByte(m, ',')
		if i < 0 {
			f[n] = m
			n++
			break
		}
		f[n] = m[:i]
		m = m[i+1:]
		n++
	}
	if n < 9 {
		return false
	}
	ev.AddExtra("rule", str(f[0]))
	if len(f[3]) > 0 {
		ev.AddExtra("tracker", str(f[3]))
	}
	ev.AddExtra("iface", str(f[4]))
	ev.AddExtra("reason", str(f[5]))
	ev.AddExtra("fw_action", str(f[6]))
	ev.AddExtra("direction", str(f[7]))
	switch string(f[6]) {
	case "pass":
		ev.Action = timeline.ActionPermit
	case "block", "reject":
		ev.Action = timeline.ActionDeny
	}
	var proto []byte
	var rest [][]byte
	switch string(f[8]) {
	case "4":
		if n < 20 {
			return true
		}
		proto = f[16]
		if l, ok := devlog.Int64(f[17]); ok {
			ev.Bytes = l
		}
		ev.SrcIP, ev.DstIP = str(f[18]), str(f[19])
		ev.AddExtra("tos", str(f[9]))
		ev.AddExtra("ttl", str(f[11]))
		ev.AddExtra("ip_id", str(f[12]))
		ev.AddExtra("ip_offset", str(f[13]))
		ev.AddExtra("ip_flags", str(f[14]))
		ev.AddExtra("proto_id", str(f[15]))
		rest = f[20:n]
	case "6":
		if n < 17 {
			return true
		}
		proto = f[12]
		if l, ok := devlog.Int64(f[14]); ok {
			ev.Bytes = l
		}
		ev.SrcIP, ev.DstIP = str(f[15]), str(f[16])
		ev.AddExtra("ip6_class", str(f[9]))
		ev.AddExtra("ip6_flow_label", str(f[10]))
		ev.AddExtra("hoplimit", str(f[11]))
		ev.AddExtra("proto_id", str(f[13]))
		rest = f[17:n]
	default:
		return true
	}
	ev.AddExtra("ip_version", str(f[8]))
	ev.AddExtra("proto", str(proto))
	switch {
	case eqFold(proto, "tcp"), eqFold(proto, "udp"):
		if len(rest) >= 2 {
			if p, ok := devlog.Int32(rest[0]); ok {
				ev.SrcPort = p
			}
			if p, ok := devlog.Int32(rest[1]); ok {
				ev.DstPort = p
			}
		}
		if len(rest) >= 3 {
			ev.AddExtra("data_length", str(rest[2]))
		}
		if eqFold(proto, "tcp") && len(rest) >= 4 {
			ev.AddExtra("tcp_flags", str(rest[3]))
			for i, k := range []string{"tcp_seq", "tcp_ack", "tcp_window", "tcp_urg", "tcp_options"} {
				if 4+i < len(rest) {
					ev.AddExtra(k, str(rest[4+i]))
				}
			}
		}
	case eqFold(proto, "icmp"), eqFold(proto, "ipv6-icmp"):
		if len(rest) >= 1 {
			ev.AddExtra("icmp_type", str(rest[0]))
		}
	}
	return true
}

func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// guiAuth reads the web configurator's login messages:
// pfSense "/index.php: webConfigurator authentication error for user 'toto'
// from: 10.0.0.1", "Successful login for user 'admin' from: 10.0.0.1";
// OPNsense "/index.php: Web GUI authentication error for 'toto' from 1.2.3.4".
func guiAuth(m []byte, ev *timeline.Event) bool {
	var b []byte
	action := ""
	if r, ok := devlog.After(m, "authentication error for "); ok {
		b, action = r, timeline.ActionLoginFailure
	} else if r, ok := devlog.After(m, "Successful login for "); ok {
		b, action = r, timeline.ActionLoginSuccess
	} else {
		return false
	}
	b = bytes.TrimPrefix(b, []byte("user "))
	if len(b) > 0 && b[0] == '\'' {
		if e := bytes.IndexByte(b[1:], '\''); e >= 0 {
			ev.User = str(b[1 : e+1])
			b = b[e+2:]
		}
	}
	if r, ok := devlog.After(b, "from"); ok {
		r = bytes.TrimLeft(r, ": ")
		w, _ := devlog.Word(r)
		ev.SrcIP = str(devlog.TrimPunct(w))
	}
	ev.Action = action
	ev.AddExtra("service", "webgui")
	return true
}

// detectPFSense: filterlog lines or web GUI authentication messages.
func detectPFSense(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if bytes.Contains(line, []byte(" filterlog")) && looksFilterlogAnywhere(line) ||
			bytes.Contains(line, []byte("webConfigurator authentication")) ||
			bytes.Contains(line, []byte("Web GUI authentication")) {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "filter"))
}

func looksFilterlogAnywhere(line []byte) bool {
	return bytes.Contains(line, []byte(",block,")) || bytes.Contains(line, []byte(",pass,")) || bytes.Contains(line, []byte(",match,"))
}
