package cisco

import (
	"bytes"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// conns remembers which connections were built outbound, so their teardown
// gets the same source and destination. It is bounded: past maxConns
// entries it starts over (a teardown then keeps the text's order).
type conns struct{ outbound map[uint64]struct{} }

const maxConns = 1 << 20

func connState(s *devlog.State) *conns {
	if c, ok := s.Ext.(*conns); ok {
		return c
	}
	c := &conns{outbound: map[uint64]struct{}{}}
	s.Ext = c
	return c
}

func asa(s *devlog.State, mne, b []byte, ev *timeline.Event) {
	id, ok := parsers.Digits(mne)
	if !ok {
		return
	}
	switch id {
	case 302013, 302015, 302017, 302303:
		built(s, b, ev)
	case 302014, 302016, 302018, 302304:
		teardown(s, b, ev)
	case 302020, 302021:
		icmpConn(b, ev, id == 302020)
	case 106001, 106006, 106007, 106015, 106016, 106017, 106020, 106021, 106022:
		ev.Action = timeline.ActionDeny
		fromTo(b, ev)
		if r, ok := devlog.After(b, " on interface "); ok {
			w, _ := devlog.Word(r)
			ev.AddExtra("src_iface", str(devlog.TrimPunct(w)))
		}
		protoWord(b, ev)
	case 106010, 106014, 106023:
		deny106023(b, ev)
	case 106100, 106102, 106103:
		aclHit(b, ev)
	case 313001, 313004, 313005, 313008, 313009:
		// Denied ICMP type=8, code=0 from 10.1.1.1 on interface outside
		// Denied invalid ICMP code 9, for Inside:10.255.0.206/8795 (...) to identity:10.12.31.51/0 (...)
		ev.Action = timeline.ActionDeny
		if r, ok := devlog.After(b, "for "); ok && bytes.Contains(r, []byte(" to ")) {
			to := bytes.Index(r, []byte(" to "))
			sIf, sA, sP := side(cutSide(r[:to]))
			w, _ := devlog.Word(r[to+4:])
			dIf, dA, dP := side(devlog.TrimPunct(w))
			setSides(ev, sIf, sA, sP, dIf, dA, dP)
		} else if r, ok := devlog.After(b, "from "); ok {
			w, _ := devlog.Word(r)
			setAddr(ev, devlog.TrimPunct(w), &ev.SrcIP, "src_host")
		}
		if r, ok := devlog.After(b, " on interface "); ok {
			w, _ := devlog.Word(r)
			ev.AddExtra("src_iface", str(w))
		}
	case 710001, 710002, 710003, 710005, 710006:
		// "TCP access denied by ACL from 203.0.113.5/4444 to outside:198.51.100.1/22"
		if id == 710001 || id == 710002 {
			ev.Action = timeline.ActionPermit
		} else {
			ev.Action = timeline.ActionDeny
		}
		w, _ := devlog.Word(b)
		ev.AddExtra("proto", str(w))
		fromTo(b, ev)
	case 305011, 305012:
		nat(b, ev)
	case 113004, 113012, 113005, 113015:
		aaa(b, ev, id == 113004 || id == 113012)
	case 605004, 605005:
		// Login denied from 10.1.1.1/52500 to outside:10.2.2.2/ssh for user "admin"
		ev.Action = timeline.ActionLoginFailure
		if id == 605005 {
			ev.Action = timeline.ActionLoginSuccess
		}
		fromTo(b, ev)
		if r, ok := devlog.After(b, " for user "); ok {
			ev.User = str(bytes.Trim(r, `"' `))
		}
	case 611101, 611102:
		// User authentication succeeded: IP address: 10.1.1.1, Uname: admin
		ev.Action = timeline.ActionLoginSuccess
		if id == 611102 {
			ev.Action = timeline.ActionLoginFailure
		}
		if r, ok := devlog.After(b, "IP address: "); ok {
			w, _ := devlog.Word(r)
			ev.SrcIP = str(devlog.TrimPunct(w))
		}
		unameField(b, ev)
	case 611103:
		ev.Action = timeline.ActionLogout
		unameField(b, ev)
	case 111008:
		// User 'admin' executed the 'configure terminal' command.
		ev.Action = timeline.ActionExecute
		if u, rest, ok := quotedAfter(b, "User "); ok {
			ev.User = str(u)
			if c, _, ok := quotedAfter(rest, "executed the "); ok {
				ev.AddExtra("command", str(c))
			}
		}
	case 111009, 111010:
		// User 'admin', running 'CLI' from IP 10.1.1.1, executed 'write memory'
		ev.Action = timeline.ActionExecute
		if u, _, ok := quotedAfter(b, "User "); ok {
			ev.User = str(u)
		}
		if r, ok := devlog.After(b, " from IP "); ok {
			w, _ := devlog.Word(r)
			ev.SrcIP = str(devlog.TrimPunct(w))
		}
		if c, _, ok := quotedAfter(b, "executed "); ok {
			ev.AddExtra("command", str(c))
		}
	case 502103:
		// User priv level changed: Uname: admin From: 1 To: 15
		ev.Action = timeline.ActionAuthenticate
		unameField(b, ev)
		if r, ok := devlog.After(b, " To: "); ok {
			w, _ := devlog.Word(r)
			ev.AddExtra("privilege", str(w))
		}
	case 113019:
		// Group = GP, Username = user1, IP = 198.51.100.7, Session disconnected. ...
		ev.Action = timeline.ActionLogout
		if r, ok := devlog.After(b, "Username = "); ok {
			ev.User = str(upTo(r, ','))
		}
		if r, ok := devlog.After(b, " IP = "); ok {
			ev.SrcIP = str(upTo(r, ','))
		}
		if r, ok := devlog.After(b, "Reason: "); ok {
			ev.AddExtra("reason", str(r))
		}
	case 113039, 716001, 716002, 722022, 722023:
		// Group <GP> User <user1> IP <198.51.100.7> AnyConnect parent session started.
		ev.Action = timeline.ActionLoginSuccess
		if id == 716002 || id == 722023 {
			ev.Action = timeline.ActionLogout
		}
		if u, ok := angled(b, "User <"); ok {
			ev.User = str(u)
		}
		if ip, ok := angled(b, "IP <"); ok {
			ev.SrcIP = str(ip)
		}
	case 315011:
		// SSH session from 10.1.1.1 on interface inside for user "admin" disconnected by SSH server, reason: ...
		ev.Action = timeline.ActionLogout
		if r, ok := devlog.After(b, "from "); ok {
			w, _ := devlog.Word(r)
			ev.SrcIP = str(w)
		}
		if u, _, ok := quotedAfter(b, "for user "); ok {
			ev.User = str(u)
		}
	case 430001, 430002, 430003, 430004, 430005:
		ftdConn(b, ev)
	case 304001:
		// 10.5.111.32 Accessed URL 192.168.2.32:http://example.com
		// USER001@192.168.0.1(LOCAL\USER001) Accessed URL 172.17.6.211:http://...
		w, r := devlog.Word(b)
		if o := bytes.IndexByte(w, '('); o > 0 {
			w = w[:o]
		}
		if at := bytes.IndexByte(w, '@'); at > 0 {
			ev.User = str(w[:at])
			w = w[at+1:]
		}
		setAddr(ev, w, &ev.SrcIP, "src_host")
		ev.Action = timeline.ActionPermit
		if u, ok := devlog.After(r, "URL "); ok {
			u, _ = devlog.Word(u)
			// "server:URL": the server's address (or name) first.
			if c := bytes.IndexByte(u, ':'); c > 0 && c+1 < len(u) &&
				(devlog.IsIP(u[:c]) || u[c+1] == '/' || devlog.HasPrefix(u[c+1:], "http")) {
				setAddr(ev, u[:c], &ev.DstIP, "dst_host")
				u = u[c+1:]
			}
			ev.URL = str(u)
		}
	case 304002:
		// Access denied URL http://www.example.net/x SRC 10.69.6.39 DEST 192.168.0.19 on interface inside
		ev.Action = timeline.ActionDeny
		if u, ok := devlog.After(b, "URL "); ok {
			u, _ = devlog.Word(u)
			ev.URL = str(u)
		}
		if r, ok := devlog.After(b, " SRC "); ok {
			w, _ := devlog.Word(r)
			setAddr(ev, w, &ev.SrcIP, "src_host")
		}
		if r, ok := devlog.After(b, " DEST "); ok {
			w, _ := devlog.Word(r)
			setAddr(ev, w, &ev.DstIP, "dst_host")
		}
	case 338001, 338002, 338003, 338004, 338005, 338006, 338007, 338008, 338101, 338102, 338103, 338104, 338201, 338202, 338203, 338204:
		// Dynamic Filter {permitted|monitored|dropped} black listed TCP traffic from inside:10.1.1.45/6798 (...) to outside:192.168.99.129/80 (...), destination ... resolved from dynamic list: bad.example.com
		ev.AddTag("blacklist")
		switch {
		case bytes.Contains(b, []byte(" dropped ")):
			ev.Action = timeline.ActionDeny
		default:
			ev.Action = timeline.ActionPermit
		}
		if f, ok := devlog.After(b, " from "); ok {
			if to := bytes.Index(f, []byte(" to ")); to > 0 {
				sIf, sA, sP := side(cutSide(f[:to]))
				rest := f[to+4:]
				if c := bytes.IndexByte(rest, ','); c > 0 {
					rest = rest[:c]
				}
				dIf, dA, dP := side(cutSide(rest))
				setSides(ev, sIf, sA, sP, dIf, dA, dP)
			}
		}
		if r, ok := devlog.After(b, "dynamic list: "); ok {
			w, _ := devlog.Word(r)
			ev.AddExtra("blacklist_entry", str(devlog.TrimPunct(w)))
		}
		if r, ok := devlog.After(b, "threat-level: "); ok {
			w, _ := devlog.Word(r)
			ev.AddExtra("threat_level", str(devlog.TrimPunct(w)))
		}
	}
}

// side parses "iface:addr/port" (the interface name may hold spaces, "NP
// Identity Ifc:10.1.1.1/22"; IPv6 addresses hold colons, interface names
// do not).
func side(b []byte) (iface, addr []byte, port int32) {
	if o := bytes.IndexByte(b, '('); o > 0 {
		b = b[:o] // "10.1.1.1/53723(LOCAL\alice)": the user follows
	}
	c := bytes.IndexByte(b, ':')
	if c > 0 && bytes.IndexByte(b[:c], '/') < 0 {
		iface, b = b[:c], b[c+1:]
	}
	if sp := bytes.IndexByte(b, ' '); sp > 0 {
		b = b[:sp] // "outside:10.0.0.1/53 user1": an old-style user after it
	}
	b = bytes.Trim(b, "()") // "Deny IP spoof from (0.0.0.0) to ..."
	a, p := devlog.SplitAddr(b)
	n, _ := devlog.Int32(p)
	return iface, a, n
}

// cutSide ends a side at " (" (mapped address or user) or the end.
func cutSide(b []byte) []byte {
	if i := bytes.Index(b, []byte(" (")); i >= 0 {
		return b[:i]
	}
	return b
}

// setSides fills source and destination. An ASA with "names" configured
// writes host names instead of addresses: those go to src_host/dst_host.
func setSides(ev *timeline.Event, srcIf, src []byte, sport int32, dstIf, dst []byte, dport int32) {
	ev.SrcPort, ev.DstPort = sport, dport
	setAddr(ev, src, &ev.SrcIP, "src_host")
	setAddr(ev, dst, &ev.DstIP, "dst_host")
	if len(srcIf) > 0 {
		ev.AddExtra("src_iface", str(srcIf))
	}
	if len(dstIf) > 0 {
		ev.AddExtra("dst_iface", str(dstIf))
	}
}

func setAddr(ev *timeline.Event, a []byte, ip *string, hostKey string) {
	switch {
	case len(a) == 0:
	case devlog.IsIP(a):
		*ip = str(a)
	default:
		ev.AddExtra(hostKey, str(a))
	}
}

// built: "Built {inbound|outbound} TCP connection 9 for outside:10.1.2.1/22
// (10.1.2.1/22) to inside:10.1.1.2/53496 (10.1.1.2/53496) [(user)]".
func built(s *devlog.State, b []byte, ev *timeline.Event) {
	ev.Action = timeline.ActionPermit
	ev.AddExtra("event", "built")
	_, r := devlog.Word(b) // Built
	dir, r := devlog.Word(r)
	proto, r := devlog.Word(r)
	ev.AddExtra("direction", str(dir))
	ev.AddExtra("proto", str(proto))
	_, r = devlog.Word(r) // connection
	idw, r := devlog.Word(r)
	ev.AddExtra("conn_id", str(idw))
	f, ok := devlog.After(r, "for ")
	if !ok {
		return
	}
	to := bytes.Index(f, []byte(" to "))
	if to < 0 {
		return
	}
	fIf, fA, fP := side(cutSide(f[:to]))
	tIf, tA, tP := side(cutSide(f[to+4:]))
	if u := trailingUser(f[to+4:]); len(u) > 0 {
		ev.User = str(u)
	}
	outbound := string(dir) == "outbound"
	if outbound {
		setSides(ev, tIf, tA, tP, fIf, fA, fP)
	} else {
		setSides(ev, fIf, fA, fP, tIf, tA, tP)
	}
	if id, ok := parsers.Digits(idw); ok && outbound {
		c := connState(s)
		if len(c.outbound) >= maxConns {
			clear(c.outbound)
		}
		c.outbound[uint64(id)] = struct{}{}
	}
}

// trailingUser returns "user" of a final "(user)" after the mapped address.
func trailingUser(b []byte) []byte {
	b = bytes.TrimRight(b, " ")
	if len(b) < 3 || b[len(b)-1] != ')' {
		return nil
	}
	o := bytes.LastIndexByte(b, '(')
	if o < 0 {
		return nil
	}
	u := b[o+1 : len(b)-1]
	if bytes.IndexByte(u, '/') >= 0 && bytes.IndexByte(u, '\\') < 0 || devlog.IsIP(u) {
		return nil // a mapped address, not a user
	}
	// The first "(...)" after the side is the mapped address; a user
	// follows it.
	if bytes.Count(b, []byte(" (")) < 2 {
		return nil
	}
	return u
}

// teardown: "Teardown TCP connection 9 for outside:10.1.2.1/22 to
// inside:10.1.1.2/53496 duration 0:00:30 bytes 0 SYN Timeout [(user)]".
func teardown(s *devlog.State, b []byte, ev *timeline.Event) {
	ev.Action = timeline.ActionPermit
	ev.AddExtra("event", "teardown")
	_, r := devlog.Word(b) // Teardown
	proto, r := devlog.Word(r)
	ev.AddExtra("proto", str(proto))
	_, r = devlog.Word(r) // connection
	idw, r := devlog.Word(r)
	ev.AddExtra("conn_id", str(idw))
	f, ok := devlog.After(r, "for ")
	if !ok {
		return
	}
	to := bytes.Index(f, []byte(" to "))
	if to < 0 {
		return
	}
	rest := f[to+4:]
	end := bytes.Index(rest, []byte(" duration "))
	if end < 0 {
		end = len(rest)
	}
	fIf, fA, fP := side(cutSide(f[:to]))
	tIf, tA, tP := side(cutSide(rest[:end]))
	outbound := false
	if id, ok := parsers.Digits(idw); ok {
		c := connState(s)
		if _, ok := c.outbound[uint64(id)]; ok {
			outbound = true
			delete(c.outbound, uint64(id))
		}
	}
	if outbound {
		ev.AddExtra("direction", "outbound")
		setSides(ev, tIf, tA, tP, fIf, fA, fP)
	} else {
		setSides(ev, fIf, fA, fP, tIf, tA, tP)
	}
	if end == len(rest) {
		return
	}
	r = rest[end+len(" duration "):]
	dur, r := devlog.Word(r)
	ev.AddExtra("duration", str(dur))
	if devlog.HasPrefix(r, "bytes ") {
		w, r2 := devlog.Word(r[6:])
		if n, ok := devlog.Int64(w); ok {
			ev.Bytes = n
		}
		reason := bytes.TrimSpace(r2)
		if len(reason) > 1 && reason[len(reason)-1] == ')' {
			// "TCP FINs (alice)" or just "(alice)": the user ends the line.
			if u := bytes.LastIndexByte(reason, '('); u == 0 || u > 0 && reason[u-1] == ' ' {
				ev.User = str(reason[u+1 : len(reason)-1])
				reason = bytes.TrimSpace(reason[:u])
			}
		}
		if len(reason) > 0 {
			ev.AddExtra("reason", str(reason))
		}
	}
}

// icmpConn: "Built inbound ICMP connection for faddr 198.51.100.1/0 gaddr
// 203.0.113.1/0 laddr 10.0.0.1/0 type 8 code 0" (teardown: no direction).
func icmpConn(b []byte, ev *timeline.Event, isBuilt bool) {
	ev.Action = timeline.ActionPermit
	ev.AddExtra("proto", "ICMP")
	outbound := false
	if isBuilt {
		ev.AddExtra("event", "built")
		_, r := devlog.Word(b)
		dir, _ := devlog.Word(r)
		ev.AddExtra("direction", str(dir))
		outbound = string(dir) == "outbound"
	} else {
		ev.AddExtra("event", "teardown")
	}
	var fa, la []byte
	if r, ok := devlog.After(b, "faddr "); ok {
		w, _ := devlog.Word(r)
		fa, _ = devlog.SplitAddr(w)
	}
	if r, ok := devlog.After(b, "laddr "); ok {
		w, rest := devlog.Word(r)
		la, _ = devlog.SplitAddr(w)
		if len(rest) > 2 && rest[0] == '(' {
			if c := bytes.IndexByte(rest, ')'); c > 0 {
				ev.User = str(rest[1:c])
			}
		}
	}
	if r, ok := devlog.After(b, "gaddr "); ok {
		w, _ := devlog.Word(r)
		ga, _ := devlog.SplitAddr(w)
		ev.AddExtra("mapped_addr", str(ga))
	}
	if outbound {
		fa, la = la, fa
	}
	setAddr(ev, fa, &ev.SrcIP, "src_host")
	setAddr(ev, la, &ev.DstIP, "dst_host")
	if r, ok := devlog.After(b, " type "); ok {
		w, _ := devlog.Word(r)
		ev.AddExtra("icmp_type", str(w))
	}
	if r, ok := devlog.After(b, " code "); ok {
		w, _ := devlog.Word(r)
		ev.AddExtra("icmp_code", str(devlog.TrimPunct(w)))
	}
}

// fromTo reads "from A/p to [iface:]B/q".
func fromTo(b []byte, ev *timeline.Event) {
	r, ok := devlog.After(b, "from ")
	if !ok {
		return
	}
	w, r := devlog.Word(r)
	if string(w) == "laddr" || string(w) == "faddr" {
		w, r = devlog.Word(r)
	}
	sIf, sA, sP := side(devlog.TrimPunct(w))
	t, ok := devlog.After(r, "to ")
	if !ok || !devlog.HasPrefix(r, "to ") {
		ev.SrcPort = sP
		setAddr(ev, sA, &ev.SrcIP, "src_host")
		return
	}
	w, _ = devlog.Word(t)
	w = devlog.TrimPunct(w)
	dIf, dA, dP := side(w)
	// "to outside:198.51.100.1/ssh": a service name instead of a port.
	if dP == 0 {
		if sl := bytes.LastIndexByte(w, '/'); sl >= 0 {
			ev.AddExtra("service", str(w[sl+1:]))
		}
	}
	setSides(ev, sIf, sA, sP, dIf, dA, dP)
}

func protoWord(b []byte, ev *timeline.Event) {
	for _, p := range []string{"TCP", "UDP", "ICMP", "tcp", "udp", "icmp"} {
		if bytes.Contains(b, []byte(" "+p+" ")) {
			ev.AddExtra("proto", p)
			return
		}
	}
}

// deny106023: `Deny tcp src outside:203.0.113.5/4444 dst inside:10.0.0.10/22
// by access-group "outside_access_in" [0x0, 0x0]`; 106014 "Deny inbound
// icmp src outside:1.2.3.4 dst inside:5.6.7.8 (type 8, code 0)".
func deny106023(b []byte, ev *timeline.Event) {
	ev.Action = timeline.ActionDeny
	_, r := devlog.Word(b) // Deny
	p, r := devlog.Word(r)
	if string(p) == "inbound" || string(p) == "outbound" {
		ev.AddExtra("direction", str(p))
		p, _ = devlog.Word(r)
	}
	ev.AddExtra("proto", str(p))
	var sIf, sA, dIf, dA []byte
	var sP, dP int32
	if r, ok := devlog.After(b, " src "); ok {
		w, _ := devlog.Word(r)
		sIf, sA, sP = side(w)
	}
	if r, ok := devlog.After(b, " dst "); ok {
		w, _ := devlog.Word(r)
		dIf, dA, dP = side(w)
	}
	setSides(ev, sIf, sA, sP, dIf, dA, dP)
	if r, ok := devlog.After(b, "access-group "); ok {
		w, _ := devlog.Word(r)
		ev.AddExtra("acl", str(bytes.Trim(w, `"`)))
	}
	if r, ok := devlog.After(b, "(type "); ok {
		w, _ := devlog.Word(r)
		ev.AddExtra("icmp_type", str(devlog.TrimPunct(w)))
	}
}

// aclHit: "access-list outside-acl permitted tcp outside/1.1.1.1(12345) ->
// inside/192.168.1.1(1357) hit-cnt 1 (first hit) [0x91c26a3, 0x0]".
func aclHit(b []byte, ev *timeline.Event) {
	_, r := devlog.Word(b) // access-list
	acl, r := devlog.Word(r)
	verdict, r := devlog.Word(r)
	proto, r := devlog.Word(r)
	ev.AddExtra("acl", str(acl))
	ev.AddExtra("proto", str(proto))
	if devlog.HasPrefix(r, "for user ") {
		// 106102/106103: "... denied tcp for user 'joe' inside/..."
		u, rest := devlog.Word(r[len("for user "):])
		ev.User = str(bytes.Trim(u, `'"`))
		r = rest
	}
	switch string(verdict) {
	case "permitted":
		ev.Action = timeline.ActionPermit
	case "denied":
		ev.Action = timeline.ActionDeny
	case "est-allowed":
		ev.Action = timeline.ActionPermit
		ev.AddExtra("verdict", "est-allowed")
	}
	arrow := bytes.Index(r, []byte("->"))
	if arrow < 0 {
		return
	}
	sIf, sA, sP := slashSide(bytes.TrimSpace(r[:arrow]))
	w, rest := devlog.Word(r[arrow+2:])
	dIf, dA, dP := slashSide(w)
	setSides(ev, sIf, sA, sP, dIf, dA, dP)
	if h, ok := devlog.After(rest, "hit-cnt "); ok {
		w, _ := devlog.Word(h)
		ev.AddExtra("hit_count", str(w))
	}
}

// slashSide parses "outside/1.1.1.1(12345)" (user and group info may follow
// in a second parenthesis, "(LOCAL\alice, ...)", which is not kept).
func slashSide(b []byte) (iface, addr []byte, port int32) {
	if sp := bytes.IndexByte(b, ' '); sp >= 0 {
		b = b[:sp]
	}
	sl := bytes.IndexByte(b, '/')
	if sl < 0 {
		return nil, b, 0
	}
	iface, b = b[:sl], b[sl+1:]
	if o := bytes.IndexByte(b, '('); o >= 0 {
		c := bytes.IndexByte(b[o:], ')')
		if c > 0 {
			n, _ := devlog.Int32(b[o+1 : o+c])
			return iface, b[:o], n
		}
		return iface, b[:o], 0
	}
	return iface, b, 0
}

// nat: "Built dynamic TCP translation from inside:10.0.0.5/5555 to
// outside:198.51.100.1/5555" (real address to mapped address).
func nat(b []byte, ev *timeline.Event) {
	ev.AddExtra("event", "nat")
	w, r := devlog.Word(b)
	ev.AddExtra("nat", str(w)) // Built | Teardown
	kind, r := devlog.Word(r)
	proto, _ := devlog.Word(r)
	ev.AddExtra("nat_type", str(kind))
	ev.AddExtra("proto", str(proto))
	f, ok := devlog.After(b, " from ")
	if !ok {
		return
	}
	to := bytes.Index(f, []byte(" to "))
	if to < 0 {
		return
	}
	realSide := f[:to]
	// "inside (acl-name):10.0.0.5/5555"
	if o := bytes.Index(realSide, []byte(" (")); o >= 0 {
		if c := bytes.IndexByte(realSide[o:], ')'); c > 0 {
			realSide = append(realSide[:o:o], realSide[o+c+1:]...)
		}
	}
	sIf, sA, sP := side(cutSide(realSide))
	w, rest := devlog.Word(f[to+4:])
	mIf, mA, mP := side(w)
	ev.SrcPort = sP
	setAddr(ev, sA, &ev.SrcIP, "src_host")
	if len(sIf) > 0 {
		ev.AddExtra("src_iface", str(sIf))
	}
	ev.AddExtra("mapped_iface", str(mIf))
	ev.AddExtra("mapped_addr", str(mA))
	if mP != 0 {
		ev.AddExtra("mapped_port", str(w[bytes.LastIndexByte(w, '/')+1:]))
	}
	if d, ok := devlog.After(rest, "duration "); ok {
		dur, _ := devlog.Word(d)
		ev.AddExtra("duration", str(dur))
	}
}

// aaa: "AAA user authentication Rejected : reason = Invalid password :
// local database : user = admin : user IP = 10.2.2.2".
func aaa(b []byte, ev *timeline.Event, ok bool) {
	if ok {
		ev.Action = timeline.ActionLoginSuccess
	} else {
		ev.Action = timeline.ActionLoginFailure
	}
	for len(b) > 0 {
		var part []byte
		if i := bytes.Index(b, []byte(" : ")); i >= 0 {
			part, b = b[:i], b[i+3:]
		} else {
			part, b = b, nil
		}
		k, v, found := bytes.Cut(part, []byte(" = "))
		if !found {
			continue
		}
		switch string(bytes.TrimSpace(k)) {
		case "user":
			ev.User = str(bytes.TrimSpace(v))
		case "user IP":
			ev.SrcIP = str(bytes.TrimSpace(v))
		case "server":
			ev.AddExtra("server", str(bytes.TrimSpace(v)))
		case "reason":
			ev.AddExtra("reason", str(bytes.TrimSpace(v)))
		}
	}
}

func unameField(b []byte, ev *timeline.Event) {
	if r, ok := devlog.After(b, "Uname: "); ok {
		w, _ := devlog.Word(r)
		ev.User = str(devlog.TrimPunct(w))
	}
}

// quotedAfter returns the '...' or "..." text right after prefix.
func quotedAfter(b []byte, prefix string) (q, rest []byte, ok bool) {
	r, found := devlog.After(b, prefix)
	if !found || len(r) < 2 || (r[0] != '\'' && r[0] != '"') {
		return nil, nil, false
	}
	e := bytes.IndexByte(r[1:], r[0])
	if e < 0 {
		return nil, nil, false
	}
	return r[1 : e+1], r[e+2:], true
}

func angled(b []byte, prefix string) ([]byte, bool) {
	r, ok := devlog.After(b, prefix)
	if !ok {
		return nil, false
	}
	e := bytes.IndexByte(r, '>')
	if e < 0 {
		return nil, false
	}
	return r[:e], true
}

func upTo(b []byte, c byte) []byte {
	if i := bytes.IndexByte(b, c); i >= 0 {
		return b[:i]
	}
	return b
}

// ftdConn reads FTD 430001-430005 connection events: "Key: value" pairs
// separated by ", " (SrcIP, DstIP, SrcPort, DstPort, Protocol,
// AccessControlRuleAction, User, IngressInterface, ...).
func ftdConn(b []byte, ev *timeline.Event) {
	for len(b) > 0 {
		var part []byte
		if i := bytes.Index(b, []byte(", ")); i >= 0 {
			part, b = b[:i], b[i+2:]
		} else {
			part, b = b, nil
		}
		k, v, found := bytes.Cut(part, []byte(": "))
		if !found {
			continue
		}
		switch string(k) {
		case "SrcIP":
			ev.SrcIP = str(v)
		case "DstIP":
			ev.DstIP = str(v)
		case "SrcPort":
			ev.SrcPort, _ = devlog.Int32(v)
		case "DstPort":
			ev.DstPort, _ = devlog.Int32(v)
		case "Protocol":
			ev.AddExtra("proto", str(v))
		case "User":
			if string(v) != "No Authentication Required" && len(v) > 0 {
				ev.User = str(v)
			}
		case "AccessControlRuleAction":
			ev.AddExtra("rule_action", str(v))
			switch string(v) {
			case "Allow", "Trust", "Monitor":
				ev.Action = timeline.ActionPermit
			case "Block", "Block with reset", "Block With Reset", "Interactive Block":
				ev.Action = timeline.ActionDeny
			}
		case "AccessControlRuleName":
			ev.AddExtra("acl", str(v))
		case "IngressInterface":
			ev.AddExtra("src_iface", str(v))
		case "EgressInterface":
			ev.AddExtra("dst_iface", str(v))
		case "InitiatorBytes", "ResponderBytes":
			if n, ok := devlog.Int64(v); ok {
				if ev.Bytes < 0 {
					ev.Bytes = 0
				}
				ev.Bytes += n
			}
		case "URL":
			ev.URL = str(v)
		}
	}
}
