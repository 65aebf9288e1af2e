package netfilter

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// ParseFortiGate parses a FortiOS log line: key=value pairs, values quoted
// when they hold spaces (FortiOS Log Message Reference,
// https://docs.fortinet.com/document/fortigate/7.4.0/fortios-log-message-reference/).
// Example from that reference:
//
//	date=2019-05-10 time=11:37:47 logid="0000000013" type="traffic" subtype="forward"
//	level="notice" vd="vdom1" eventtime=1557513467369913239 srcip=10.1.100.11
//	srcport=58012 srcintf="port12" dstip=23.59.154.35 dstport=80 dstintf="port11"
//	proto=6 action="close" policyid=1 service="HTTP" sentbyte=1850 rcvdbyte=39898
//
// The line may come bare, after "<PRI>", or after a collector's syslog
// header; date= time= with tz= give the time, else the header's time.
func ParseFortiGate(s *devlog.State, line []byte, ev *timeline.Event) bool {
	b := line
	if len(b) > 2 && b[0] == '<' {
		if e := bytes.IndexByte(b[:min(len(b), 5)], '>'); e > 1 {
			b = b[e+1:]
		}
	}
	haveHeader := false
	if !devlog.HasPrefix(b, "date=") {
		i := bytes.Index(b, []byte(" date="))
		if i < 0 {
			i = bytes.Index(b, []byte(" devname="))
		}
		if i < 0 {
			return false
		}
		if _, _, ok := s.SyslogEvent(line, ev, FortiGate); !ok {
			return false
		}
		haveHeader = true
		b = b[i+1:]
	}
	var date, tod, tz, action, status, logdesc, sent, rcvd []byte
	rest := b
	pairs := 0
	for {
		k, v, r, eq, ok := devlog.NextKV(rest)
		if !ok {
			break
		}
		rest = r
		if !eq {
			continue
		}
		pairs++
		switch string(k) {
		case "date":
			date = v
			continue
		case "time":
			tod = v
			continue
		case "tz":
			tz = v
		case "srcip":
			ev.SrcIP = str(v)
		case "remip":
			if ev.SrcIP == "" {
				ev.SrcIP = str(v)
			}
		case "dstip":
			ev.DstIP = str(v)
		case "srcport":
			if p, ok := devlog.Int32(v); ok {
				ev.SrcPort = p
			}
		case "dstport":
			if p, ok := devlog.Int32(v); ok {
				ev.DstPort = p
			}
		case "user":
			if len(v) > 0 {
				ev.User = str(v)
			}
		case "action":
			action = v
		case "status":
			status = v
		case "logdesc":
			logdesc = v
		case "msg":
			ev.Message = str(v)
		case "sentbyte":
			sent = v
		case "rcvdbyte":
			rcvd = v
		case "devname":
			if ev.Host == "" {
				ev.Host = str(v)
			}
		case "url":
			ev.URL = str(v)
		case "agent":
			ev.UserAgent = str(v)
		case "httpmethod":
			ev.Method = str(v)
		case "hostname":
			if len(v) > 0 && ev.URL == "" {
				ev.AddExtra("http_host", str(v))
				continue
			}
		}
		ev.AddExtra(str(k), str(v))
	}
	if pairs < 3 {
		return false
	}
	if len(date) == 10 && len(tod) >= 8 {
		y, ok1 := parsers.Digits(date[0:4])
		mo, ok2 := parsers.Digits(date[5:7])
		d, ok3 := parsers.Digits(date[8:10])
		hh, ok4 := parsers.Digits(tod[0:2])
		mi, ok5 := parsers.Digits(tod[3:5])
		ss, ok6 := parsers.Digits(tod[6:8])
		if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !parsers.ValidDate(y, mo, d, hh, mi, ss) {
			return false
		}
		// TimeOrig spans "2024-10-14 time=13:46:40" when the two are
		// adjacent, as FortiOS writes them.
		orig, ok := devlog.Span(date, tod)
		if !ok {
			orig = date
		}
		ev.TimeOrig = str(orig)
		ev.TimeDesc = timeline.TimeLog
		if off, ok := offset(tz); ok {
			ev.Time = parsers.UnixNano(y, mo, d, hh, mi, ss, 0, off)
			ev.Zone = str(tz)
		} else {
			ev.Time = s.Local(y, mo, d, hh, mi, ss, 0)
			ev.Zone = s.ZoneLabel()
		}
	} else if !haveHeader {
		return false
	}
	ev.Source = FortiGate
	if ev.Message == "" {
		ev.Message = str(logdesc)
	}
	if n1, ok := devlog.Int64(sent); ok {
		n2, _ := devlog.Int64(rcvd)
		ev.Bytes = n1 + n2
	}
	ev.Action = fortiAction(action, status, logdesc)
	return true
}

func fortiAction(action, status, logdesc []byte) string {
	a := str(action)
	switch {
	case strings.Contains(a, "login-fail"), strings.Contains(a, "auth-fail"), a == "login" && (string(status) == "failed" || string(status) == "failure"):
		return timeline.ActionLoginFailure
	case a == "login" && string(status) == "success", strings.HasSuffix(a, "login") && !strings.Contains(a, "fail"), a == "tunnel-up":
		return timeline.ActionLoginSuccess
	case a == "logout", a == "tunnel-down":
		return timeline.ActionLogout
	case a == "deny", a == "dropped", a == "blocked", a == "block", a == "reset", a == "reject":
		return timeline.ActionDeny
	case a == "accept", a == "close", a == "timeout", a == "server-rst", a == "client-rst", a == "pass", a == "passthrough", a == "ip-conn", a == "start", a == "allow":
		return timeline.ActionPermit
	}
	switch {
	case devlog.ContainsFold(logdesc, "login fail"):
		return timeline.ActionLoginFailure
	case devlog.ContainsFold(logdesc, "login success"):
		return timeline.ActionLoginSuccess
	case devlog.ContainsFold(logdesc, "logout"):
		return timeline.ActionLogout
	}
	return ""
}

// detectFortiGate: lines of FortiOS key=value logs (date= time= with logid=,
// devname= or type=).
func detectFortiGate(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if bytes.Contains(line, []byte("date=")) && bytes.Contains(line, []byte(" time=")) &&
			(bytes.Contains(line, []byte(" logid=")) || bytes.Contains(line, []byte(" devname=")) || bytes.Contains(line, []byte(" type="))) {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "forti"))
}
