package cisco

import (
	"bytes"

	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// ios reads the IOS messages that carry who and what. Wording follows the
// Cisco IOS system message guides and the ACL logging examples of "Configuring
// IP Access Lists" (https://www.cisco.com/c/en/us/support/docs/security/ios-firewall/23602-confaccesslists.html).
func ios(fac, mne, b []byte, ev *timeline.Event) {
	switch {
	case (string(fac) == "SEC" && devlog.HasPrefix(mne, "IPACCESSLOG")) ||
		(string(fac) == "IPV6_ACL" && devlog.HasPrefix(mne, "ACCESSLOG")) ||
		(string(fac) == "FMANFP" && devlog.HasPrefix(mne, "IPACCESSLOG")):
		accessLog(b, ev)
	case string(fac) == "SEC_LOGIN":
		secLogin(mne, b, ev)
	case string(fac) == "SYS" && string(mne) == "CONFIG_I":
		// Configured from console by admin on vty0 (10.1.1.1)
		ev.Action = timeline.ActionExecute
		ev.AddExtra("command", "configure")
		if r, ok := devlog.After(b, " by "); ok {
			w, rest := devlog.Word(r)
			if isTTY(w) {
				// "Configured from console by vty0 (10.1.1.1)": no AAA user.
				ev.AddExtra("line", str(w))
			} else {
				ev.User = str(w)
			}
			if o := bytes.IndexByte(rest, '('); o >= 0 {
				if c := bytes.IndexByte(rest[o:], ')'); c > 0 && devlog.IsIP(rest[o+1:o+c]) {
					ev.SrcIP = str(rest[o+1 : o+c])
				}
			}
			if l, ok := devlog.After(rest, "on "); ok {
				w, _ := devlog.Word(l)
				ev.AddExtra("line", str(w))
			}
		}
	case string(fac) == "PARSER" && string(mne) == "CFGLOG_LOGGEDCMD":
		// User:admin  logged command:interface GigabitEthernet0/1
		ev.Action = timeline.ActionExecute
		if r, ok := devlog.After(b, "User:"); ok {
			w, _ := devlog.Word(r)
			ev.User = str(w)
		}
		if r, ok := devlog.After(b, "logged command:"); ok {
			ev.AddExtra("command", str(r))
		}
	case string(fac) == "SSH" && devlog.HasPrefix(mne, "SSH2_USERAUTH"):
		// User 'admin' authentication for SSH2 Session from 10.1.1.1 (tty = 0) using crypto cipher '...', hmac '...' Succeeded
		if u, _, ok := quotedAfter(b, "User "); ok {
			ev.User = str(u)
		}
		sshFrom(b, ev)
		switch {
		case bytes.HasSuffix(bytes.TrimSpace(b), []byte("Succeeded")):
			ev.Action = timeline.ActionLoginSuccess
		case bytes.HasSuffix(bytes.TrimSpace(b), []byte("Failed")):
			ev.Action = timeline.ActionLoginFailure
		}
	case string(fac) == "SSH" && (string(mne) == "SSH2_CLOSE" || string(mne) == "SSH2_SESSION"):
		// SSH2 Session from 10.1.1.1 (tty = 0) for user 'admin' using crypto cipher ..., hmac ... closed|Succeeded
		if u, _, ok := quotedAfter(b, "for user "); ok {
			ev.User = str(u)
		}
		sshFrom(b, ev)
		if string(mne) == "SSH2_CLOSE" {
			ev.Action = timeline.ActionLogout
		} else if bytes.HasSuffix(bytes.TrimSpace(b), []byte("Succeeded")) {
			ev.Action = timeline.ActionLoginSuccess
		}
	}
}

// isTTY: IOS line names (vty0, con0, console, tty1, aux0).
func isTTY(w []byte) bool {
	for _, p := range []string{"vty", "con", "tty", "aux"} {
		if devlog.HasPrefix(w, p) {
			rest := w[len(p):]
			if string(w) == "console" {
				return true
			}
			if _, ok := devlog.Int32(rest); ok {
				return true
			}
		}
	}
	return false
}

func sshFrom(b []byte, ev *timeline.Event) {
	if r, ok := devlog.After(b, "Session from "); ok {
		w, _ := devlog.Word(r)
		ev.SrcIP = str(w)
	}
}

// accessLog: "list 102 denied tcp 10.1.1.1(1234) -> 10.2.2.2(23), 1 packet",
// "list 100 permitted icmp 10.1.1.1 -> 10.2.2.2 (8/0), 1 packet",
// "list 1 denied 10.1.1.1 1 packet" (standard ACL), and with log-input
// "tcp 10.1.1.1(1234) (GigabitEthernet0/0 0011.2233.4455) -> ...".
func accessLog(b []byte, ev *timeline.Event) {
	r, ok := devlog.After(b, "list ")
	if !ok {
		return
	}
	acl, r := devlog.Word(r)
	ev.AddExtra("acl", str(acl))
	verdict, r := devlog.Word(r)
	switch string(verdict) {
	case "permitted":
		ev.Action = timeline.ActionPermit
	case "denied":
		ev.Action = timeline.ActionDeny
	}
	arrow := bytes.Index(r, []byte("->"))
	if arrow < 0 {
		// Standard ACL: "10.1.1.1 1 packet".
		w, rest := devlog.Word(r)
		ev.SrcIP = str(w)
		packets(rest, ev)
		return
	}
	left := bytes.TrimSpace(r[:arrow])
	// The protocol comes first unless the ACL is standard.
	first, afterProto := devlog.Word(left)
	if !looksAddr(first) {
		ev.AddExtra("proto", str(first))
		left = afterProto
	}
	if o := bytes.Index(left, []byte(" (")); o >= 0 {
		// log-input: "(GigabitEthernet0/0 0011.2233.4455)"
		in := left[o+2:]
		if c := bytes.IndexByte(in, ')'); c > 0 {
			iface, mac := devlog.Word(in[:c])
			ev.AddExtra("src_iface", str(iface))
			if len(mac) > 0 {
				ev.AddExtra("mac", str(mac))
			}
		}
		left = left[:o]
	}
	ev.SrcIP, ev.SrcPort = addrParen(left)
	right := bytes.TrimSpace(r[arrow+2:])
	dst, rest := devlog.Word(right)
	dst = bytes.TrimRight(dst, ",")
	ev.DstIP, ev.DstPort = addrParen(dst)
	if len(rest) > 0 && rest[0] == '(' {
		// ICMP "(8/0)": type/code.
		if c := bytes.IndexByte(rest, ')'); c > 0 {
			ev.AddExtra("icmp", str(rest[1:c]))
			rest = rest[c+1:]
		}
	}
	packets(bytes.TrimLeft(rest, ", "), ev)
}

func looksAddr(w []byte) bool {
	if o := bytes.IndexByte(w, '('); o > 0 {
		w = w[:o]
	}
	return devlog.IsIP(w)
}

// addrParen splits "10.1.1.1(1234)".
func addrParen(b []byte) (string, int32) {
	if o := bytes.IndexByte(b, '('); o > 0 && b[len(b)-1] == ')' {
		n, _ := devlog.Int32(b[o+1 : len(b)-1])
		return str(b[:o]), n
	}
	return str(b), 0
}

func packets(b []byte, ev *timeline.Event) {
	b = bytes.TrimLeft(b, ", ")
	w, rest := devlog.Word(b)
	if _, ok := devlog.Int32(w); ok && devlog.HasPrefix(rest, "packet") {
		ev.AddExtra("packets", str(w))
	}
}

// secLogin: "Login Success [user: admin] [Source: 10.1.1.1] [localport: 22]
// at 10:00:00 UTC Mon Mar 1 2026", "Login failed [user: admin] [Source:
// 10.1.1.1] [localport: 22] [Reason: Login Authentication Failed] at ...".
func secLogin(mne, b []byte, ev *timeline.Event) {
	switch string(mne) {
	case "LOGIN_SUCCESS":
		ev.Action = timeline.ActionLoginSuccess
	case "LOGIN_FAILED":
		ev.Action = timeline.ActionLoginFailure
	}
	for {
		o := bytes.IndexByte(b, '[')
		if o < 0 {
			return
		}
		c := bytes.IndexByte(b[o:], ']')
		if c < 0 {
			return
		}
		k, v, ok := bytes.Cut(b[o+1:o+c], []byte(": "))
		b = b[o+c+1:]
		if !ok {
			continue
		}
		switch string(k) {
		case "user":
			ev.User = str(v)
		case "Source":
			ev.SrcIP = str(v)
		case "localport":
			ev.DstPort, _ = devlog.Int32(v)
		case "Reason":
			ev.AddExtra("reason", str(v))
		}
	}
}
