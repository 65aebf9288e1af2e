package juniper

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/authlog"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "juniper"

var str = devlog.Str

func init() {
	devlog.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassFirewall}},
		Description: "Juniper SRX RT_FLOW session logs and Junos OS login/command events",
		HasZone:     false,
		HasYear:     false,
		Detect:      detect,
	}, ParseLine, "not a Junos log line")
}

// tagPrefixes start the event tags read here: RT_FLOW_SESSION_*, the
// RT_SCREEN_* attack screens, the UI_*
// management events, SSHD_LOGIN_FAILED and LOGIN_FAILED.
var tagPrefixes = []string{"RT_FLOW_SESSION_", "APPTRACK_SESSION_", "RT_SCREEN_", "UI_", "LOGIN_FAILED", "SSHD_LOGIN_FAILED"}

// tagWindow bounds the search for the tag: it sits in the header (the
// RFC 5424 MSGID or the BSD message start), well before any payload.
const tagWindow = 256

// findTag returns the position and the text of the first Junos event tag
// that starts a word.
func findTag(full []byte) (int, []byte) {
	line := full[:min(len(full), tagWindow)]
	best := -1
	for _, t := range tagPrefixes {
		from := 0
		for {
			i := bytes.Index(line[from:], []byte(t))
			if i < 0 {
				break
			}
			i += from
			if i == 0 || line[i-1] == ' ' {
				if best < 0 || i < best {
					best = i
				}
				break
			}
			from = i + 1
		}
	}
	if best < 0 {
		return -1, nil
	}
	e := best
	for e < len(full) && (full[e] >= 'A' && full[e] <= 'Z' || full[e] == '_') {
		e++
	}
	return best, full[best:e]
}

// ParseLine parses one Junos log line. Strings point into line.
func ParseLine(s *devlog.State, line []byte, ev *timeline.Event) bool {
	prog, body, hdr := s.SyslogEvent(line, ev, FormatName)
	at, tag := findTag(line)
	if at < 0 {
		if !hdr {
			return false
		}
		authlog.Message(prog, body, ev)
		return true
	}
	// The device's own RFC 3339 stamp before the tag wins over a relay's.
	if t, orig, zone, ok := lastStamp(s, line[:at]); ok {
		ev.Time, ev.TimeOrig, ev.Zone, ev.TimeDesc = t, str(orig), zone, timeline.TimeLog
		s.Yearless = false
	} else if !hdr {
		return false
	}
	ev.Source = FormatName
	ev.AddExtra("event", str(tag))
	rest := line[at+len(tag):]
	var sd []byte
	if r := bytes.TrimLeft(rest, " "); len(r) > 0 && r[0] == '[' {
		end := syslog.SDEnd(r)
		sd, rest = r[:end], r[end:]
	}
	msg := bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(rest, " "), []byte(":")), " ")
	ev.Message = str(msg)
	t := str(tag)
	switch {
	case strings.HasPrefix(t, "RT_FLOW_SESSION_"), strings.HasPrefix(t, "APPTRACK_SESSION_"):
		flow(t, sd, msg, ev)
	case strings.HasPrefix(t, "RT_SCREEN_"):
		screen(sd, msg, ev)
	default:
		mgmt(t, sd, msg, ev)
	}
	return true
}

// lastStamp finds the last RFC 3339 word ("2015-06-16T03:54:16.444-07:00",
// or without zone, then read in the case zone) in b.
func lastStamp(s *devlog.State, b []byte) (t int64, orig []byte, zone string, ok bool) {
	for len(b) > 0 {
		w, rest := devlog.Word(b)
		b = rest
		if len(w) < 19 || w[4] != '-' || w[10] != 'T' || w[0] < '0' || w[0] > '9' {
			continue
		}
		if tt, z, good := syslog.ParseRFC3339(w); good {
			t, orig, zone, ok = tt, w, z, true
			continue
		}
		if tt, good := zoneless(s, w); good {
			t, orig, zone, ok = tt, w, s.ZoneLabel(), true
		}
	}
	return
}

// zoneless reads "2017-07-03T12:23:33[.146]" in the case zone.
func zoneless(s *devlog.State, w []byte) (int64, bool) {
	if len(w) < 19 || w[13] != ':' || w[16] != ':' {
		return 0, false
	}
	y, ok1 := parsers.Digits(w[0:4])
	mo, ok2 := parsers.Digits(w[5:7])
	d, ok3 := parsers.Digits(w[8:10])
	hh, ok4 := parsers.Digits(w[11:13])
	mi, ok5 := parsers.Digits(w[14:16])
	ss, ok6 := parsers.Digits(w[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !parsers.ValidDate(y, mo, d, hh, mi, ss) {
		return 0, false
	}
	nsec := 0
	if len(w) > 20 && w[19] == '.' {
		scale := 100000000
		for _, c := range w[20:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			nsec += int(c-'0') * scale
			scale /= 10
		}
	} else if len(w) != 19 {
		return 0, false
	}
	return s.Local(y, mo, d, hh, mi, ss, nsec), true
}

// sdPairs calls fn for every key="value" of structured data.
func sdPairs(sd []byte, fn func(k, v []byte)) {
	if len(sd) < 2 {
		return
	}
	b := sd[1:]
	if sp := bytes.IndexByte(b, ' '); sp >= 0 {
		b = b[sp:] // skip the SD-ID "junos@2636.1.1.1.2.36"
	} else {
		return
	}
	for {
		k, v, rest, eq, ok := devlog.NextKV(b)
		if !ok {
			return
		}
		b = rest
		if eq {
			fn(k, bytes.TrimSuffix(v, []byte("]")))
		}
	}
}

func flow(tag string, sd, msg []byte, ev *timeline.Event) {
	switch tag {
	case "RT_FLOW_SESSION_DENY", "RT_FLOW_SESSION_DENY_LS":
		ev.Action = timeline.ActionDeny
	default:
		ev.Action = timeline.ActionPermit
	}
	if len(sd) > 0 {
		var cb, sb int64 = -1, -1
		sdPairs(sd, func(k, v []byte) {
			switch string(k) {
			case "source-address":
				ev.SrcIP = str(v)
			case "destination-address":
				ev.DstIP = str(v)
			case "source-port":
				ev.SrcPort, _ = devlog.Int32(v)
			case "destination-port":
				ev.DstPort, _ = devlog.Int32(v)
			case "username":
				if string(v) != "N/A" && len(v) > 0 {
					ev.User = str(v)
				}
			case "bytes-from-client":
				cb, _ = devlog.Int64(v)
			case "bytes-from-server":
				sb, _ = devlog.Int64(v)
			case "policy-name":
				ev.AddExtra("policy", str(v))
			case "source-zone-name":
				ev.AddExtra("src_zone", str(v))
			case "destination-zone-name":
				ev.AddExtra("dst_zone", str(v))
			case "protocol-id":
				ev.AddExtra("proto", str(v))
			case "service-name":
				ev.AddExtra("service", str(v))
			case "session-id-32", "session-id":
				ev.AddExtra("session_id", str(v))
			case "nat-source-address":
				ev.AddExtra("nat_src_ip", str(v))
			case "nat-destination-address":
				ev.AddExtra("nat_dst_ip", str(v))
			case "reason":
				ev.AddExtra("reason", str(v))
			case "elapsed-time":
				ev.AddExtra("duration", str(v))
			case "application":
				ev.AddExtra("application", str(v))
			case "packet-incoming-interface":
				ev.AddExtra("in_iface", str(v))
			}
		})
		if cb >= 0 || sb >= 0 {
			ev.Bytes = max(cb, 0) + max(sb, 0)
		}
		return
	}
	plainFlow(tag, msg, ev)
}

// plainFlow reads the text form:
//
//	session created 10.0.0.1/1234->10.0.0.2/443 junos-https 1.2.3.4/5555->10.0.0.2/443 [src-nat-rule-type] src-nat-rule [dst-nat-rule-type] dst-nat-rule 6 policy trust untrust 4711 N/A(N/A) ge-0/0/0.0
//	session closed TCP FIN: 10.0.0.1/1234->10.0.0.2/443 junos-https 1.2.3.4/5555->... 6 policy trust untrust 4711 12(3400) 10(56000) 35 ...
//	session denied 10.0.0.1/1234->10.0.0.2/23 junos-telnet 6(0) deny-all untrust trust ...
func plainFlow(tag string, m []byte, ev *timeline.Event) {
	var b []byte
	switch {
	case devlog.HasPrefix(m, "session created "):
		b = m[len("session created "):]
	case devlog.HasPrefix(m, "session denied "):
		b = m[len("session denied "):]
	case devlog.HasPrefix(m, "session closed "):
		b = m[len("session closed "):]
		if c := bytes.Index(b, []byte(": ")); c >= 0 {
			ev.AddExtra("reason", str(b[:c]))
			b = b[c+2:]
		}
	default:
		return
	}
	tuple, rest := devlog.Word(b)
	if !tuplePair(tuple, ev) {
		return
	}
	svc, rest := devlog.Word(rest)
	if devlog.HasPrefix(svc, "0x") { // Junos 12.3X48+: connection tag first
		svc, rest = devlog.Word(rest)
	}
	ev.AddExtra("service", str(svc))
	if tag == "RT_FLOW_SESSION_DENY" || tag == "RT_FLOW_SESSION_DENY_LS" {
		proto, r := devlog.Word(rest)
		if o := bytes.IndexByte(proto, '('); o > 0 {
			proto = proto[:o]
		}
		ev.AddExtra("proto", str(proto))
		policy, r := devlog.Word(r)
		sz, r := devlog.Word(r)
		dz, _ := devlog.Word(r)
		ev.AddExtra("policy", str(policy))
		ev.AddExtra("src_zone", str(sz))
		ev.AddExtra("dst_zone", str(dz))
		return
	}
	nat, rest := devlog.Word(rest)
	if w, r := devlog.Word(rest); devlog.HasPrefix(w, "0x") {
		rest = r // the NAT connection tag
	}
	if a := bytes.Index(nat, []byte("->")); a > 0 {
		na, _ := devlog.SplitAddr(nat[:a])
		nd, _ := devlog.SplitAddr(nat[a+2:])
		ev.AddExtra("nat_src_ip", str(na))
		ev.AddExtra("nat_dst_ip", str(nd))
	}
	// The protocol id is the first number after the NAT rules; policy,
	// zones and session id follow it.
	for len(rest) > 0 {
		w, r := devlog.Word(rest)
		rest = r
		if _, ok := devlog.Int32(w); ok {
			ev.AddExtra("proto", str(w))
			policy, r := devlog.Word(rest)
			sz, r := devlog.Word(r)
			dz, r := devlog.Word(r)
			sid, r := devlog.Word(r)
			ev.AddExtra("policy", str(policy))
			ev.AddExtra("src_zone", str(sz))
			ev.AddExtra("dst_zone", str(dz))
			ev.AddExtra("session_id", str(sid))
			rest = r
			break
		}
	}
	// Close: "12(3400) 10(56000) 35": packets(bytes) each way, seconds.
	var total int64
	pairs := 0
	for len(rest) > 0 && pairs < 2 {
		w, r := devlog.Word(rest)
		rest = r
		o := bytes.IndexByte(w, '(')
		if o <= 0 || w[len(w)-1] != ')' {
			if pairs > 0 {
				break
			}
			continue
		}
		if _, ok := devlog.Int64(w[:o]); !ok {
			// username(roles)
			if string(w[:o]) != "N/A" {
				ev.User = str(w[:o])
			}
			continue
		}
		n, ok := devlog.Int64(w[o+1 : len(w)-1])
		if !ok {
			continue
		}
		total += n
		pairs++
	}
	if pairs == 2 {
		ev.Bytes = total
		if d, _ := devlog.Word(rest); len(d) > 0 {
			if _, ok := devlog.Int64(d); ok {
				ev.AddExtra("duration", str(d))
			}
		}
	}
}

// screen reads the attack screens ("RT_SCREEN_TCP: SYN flood! source:
// 203.0.113.9:4444, destination: 10.0.0.2:80, zone name: untrust,
// interface name: ge-0/0/0.0, action: drop"): a scan or flood the SRX
// dropped (or only logged, "action: alarm-without-drop").
func screen(sd, m []byte, ev *timeline.Event) {
	ev.AddTag("scan")
	if e := bytes.IndexByte(m, '!'); e > 0 {
		ev.AddExtra("attack", str(m[:e]))
	}
	ev.Action = timeline.ActionDeny
	if r, ok := devlog.After(m, "source: "); ok {
		w, _ := devlog.Word(r)
		a, p := devlog.SplitAddr(bytes.TrimRight(w, ","))
		ev.SrcIP = str(a)
		ev.SrcPort, _ = devlog.Int32(p)
	}
	if r, ok := devlog.After(m, "destination: "); ok {
		w, _ := devlog.Word(r)
		a, p := devlog.SplitAddr(bytes.TrimRight(w, ","))
		ev.DstIP = str(a)
		ev.DstPort, _ = devlog.Int32(p)
	}
	if r, ok := devlog.After(m, "zone name: "); ok {
		w, _ := devlog.Word(r)
		ev.AddExtra("src_zone", str(bytes.TrimRight(w, ",")))
	}
	if r, ok := devlog.After(m, "action: "); ok {
		w, _ := devlog.Word(r)
		w = bytes.TrimRight(w, ",.")
		ev.AddExtra("screen_action", str(w))
		if !devlog.HasPrefix(w, "drop") {
			ev.Action = "" // alarm only: the packet went through
		}
	}
	sdPairs(sd, func(k, v []byte) {
		switch string(k) {
		case "source-address":
			ev.SrcIP = str(v)
		case "destination-address":
			ev.DstIP = str(v)
		case "source-port":
			ev.SrcPort, _ = devlog.Int32(v)
		case "destination-port":
			ev.DstPort, _ = devlog.Int32(v)
		case "attack-name":
			ev.AddExtra("attack", str(v))
		case "source-zone-name":
			ev.AddExtra("src_zone", str(v))
		case "action":
			ev.AddExtra("screen_action", str(v))
			if !devlog.HasPrefix(v, "drop") {
				ev.Action = ""
			}
		}
	})
}

// tuplePair reads "10.0.0.1/1234->10.0.0.2/443".
func tuplePair(t []byte, ev *timeline.Event) bool {
	a := bytes.Index(t, []byte("->"))
	if a <= 0 {
		return false
	}
	sa, sp := devlog.SplitAddr(t[:a])
	da, dp := devlog.SplitAddr(t[a+2:])
	ev.SrcIP, ev.DstIP = str(sa), str(da)
	ev.SrcPort, _ = devlog.Int32(sp)
	ev.DstPort, _ = devlog.Int32(dp)
	return true
}

// mgmt reads the management events:
//
//	UI_LOGIN_EVENT: User 'admin' login, class 'j-super-user' [1234], ssh-connection '10.0.0.1 5555 10.0.0.2 22', client-mode 'cli'
//	UI_LOGOUT_EVENT: User 'admin' logout
//	UI_AUTH_EVENT: Authenticated user 'admin' at permission level 'j-super-user'
//	UI_CMDLINE_READ_LINE: User 'admin', command 'show configuration '
//	UI_COMMIT: User 'admin' requested 'commit' operation (comment: none)
//	SSHD_LOGIN_FAILED: Login failed for user 'root' from host '192.0.2.1'
//	LOGIN_FAILED: Login failed for user root from host 192.0.2.1
func mgmt(tag string, sd, m []byte, ev *timeline.Event) {
	switch tag {
	case "UI_LOGIN_EVENT", "UI_AUTH_EVENT":
		ev.Action = timeline.ActionLoginSuccess
	case "UI_LOGOUT_EVENT":
		ev.Action = timeline.ActionLogout
	case "UI_CMDLINE_READ_LINE", "UI_COMMIT":
		ev.Action = timeline.ActionExecute
	case "SSHD_LOGIN_FAILED", "LOGIN_FAILED":
		ev.Action = timeline.ActionLoginFailure
	}
	if q, ok := quoted(m, "ser '"); ok { // "User 'x'", "user 'x'"
		ev.User = str(q)
	} else if r, ok := devlog.After(m, "for user "); ok {
		w, _ := devlog.Word(r)
		ev.User = str(w)
	}
	if q, ok := quoted(m, "command '"); ok {
		ev.AddExtra("command", str(bytes.TrimRight(q, " ")))
	}
	if tag == "UI_COMMIT" {
		if q, ok := quoted(m, "requested '"); ok {
			ev.AddExtra("command", str(q))
		}
	}
	if q, ok := quoted(m, "-connection '"); ok { // ssh-connection, telnet-connection
		ip, r := devlog.Word(q)
		ev.SrcIP = str(ip)
		p, r := devlog.Word(r)
		ev.SrcPort, _ = devlog.Int32(p)
		_, r = devlog.Word(r)
		dp, _ := devlog.Word(r)
		ev.DstPort, _ = devlog.Int32(dp)
	}
	if q, ok := quoted(m, "from host '"); ok {
		ev.SrcIP = str(q)
	} else if r, ok := devlog.After(m, "from host "); ok {
		w, _ := devlog.Word(r)
		ev.SrcIP = str(w)
	}
	sdPairs(sd, func(k, v []byte) {
		switch string(k) {
		case "username":
			ev.User = str(v)
		case "command":
			ev.AddExtra("command", str(bytes.TrimRight(v, " ")))
		case "source-address", "remote-address":
			ev.SrcIP = str(v)
		}
	})
}

func quoted(b []byte, prefix string) ([]byte, bool) {
	r, ok := devlog.After(b, prefix)
	if !ok {
		return nil, false
	}
	e := bytes.IndexByte(r, '\'')
	if e < 0 {
		return nil, false
	}
	return r[:e], true
}

// detect: lines carrying RT_FLOW session tags or Junos management events.
func detect(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if at, _ := findTag(line); at >= 0 && (bytes.Contains(line, []byte("RT_FLOW")) || bytes.Contains(line, []byte("RT_SCREEN")) || bytes.Contains(line, []byte("junos@")) ||
			bytes.Contains(line, []byte(" mgd[")) || bytes.Contains(line, []byte(" mgd ")) || bytes.Contains(line, []byte("SSHD_LOGIN_FAILED"))) {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "junos") || strings.Contains(strings.ToLower(name), "srx"))
}
