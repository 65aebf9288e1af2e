package paloalto

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "paloalto"

var str = devlog.Str

func init() {
	devlog.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassFirewall}},
		Description: "Palo Alto Networks PAN-OS syslog CSV (TRAFFIC, THREAT, CONFIG, SYSTEM)",
		HasZone:     false,
		HasYear:     true,
		Detect:      detect,
	}, ParseLine, "not a PAN-OS log line")
}

const maxFields = 128

// csvStart finds the record: "1,YYYY/MM/DD hh:mm:ss,SERIAL,TYPE," (the first
// field is reserved and often 1 or empty).
func csvStart(line []byte) int {
	from := 0
	for from < len(line) {
		i := bytes.IndexByte(line[from:], '/')
		if i < 0 {
			return -1
		}
		i += from
		// i points at the first '/' of the receive time "2023/07/06".
		if i >= 5 && line[i-5] == ',' && i+15 <= len(line) && line[i+3] == '/' && line[i+9] == ':' {
			s := bytes.LastIndexByte(line[:i-5], ' ')
			return s + 1
		}
		from = i + 1
	}
	return -1
}

// split cuts a PAN-OS CSV record into fields; quoted values (which hold
// commas) lose their quotes.
func split(b []byte, f *[maxFields][]byte) int {
	n := 0
	for n < maxFields {
		if len(b) > 0 && b[0] == '"' {
			e := bytes.IndexByte(b[1:], '"')
			if e >= 0 {
				f[n] = b[1 : e+1]
				n++
				b = b[e+2:]
				if len(b) == 0 {
					return n
				}
				if b[0] == ',' {
					b = b[1:]
				}
				continue
			}
		}
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			f[n] = b
			return n + 1
		}
		f[n] = b[:i]
		n++
		b = b[i+1:]
	}
	return n
}

// ParseLine parses one PAN-OS log line.
func ParseLine(s *devlog.State, line []byte, ev *timeline.Event) bool {
	at := csvStart(line)
	if at < 0 {
		return false
	}
	var h syslog.Header
	hdr := at > 0 && s.Header(line, &h)
	if hdr {
		syslog.FillEvent(&h, ev, FormatName)
	}
	var f [maxFields][]byte
	n := split(line[at:], &f)
	if n < 7 {
		return false
	}
	ev.Source = FormatName
	ev.Message = str(line[at:])
	typ := f[3]
	get := func(i int) []byte {
		if i < n {
			return f[i]
		}
		return nil
	}
	add := func(k string, i int) {
		if v := get(i); len(v) > 0 {
			ev.AddExtra(k, str(v))
		}
	}
	ev.AddExtra("log_type", str(typ))
	add("log_subtype", 4)
	add("serial", 2)
	add("generated_time", 6)
	// Time: an RFC 3339 header wins (it has the zone); else PAN-OS 10's
	// high-resolution stamp; else the receive time in the case zone.
	timed := hdr && len(h.TimeOrig) > 0 && h.TimeOrig[0] >= '0' && h.TimeOrig[0] <= '9'
	if !timed {
		for i := n - 1; i > 30; i-- {
			if v := f[i]; len(v) >= 20 && v[4] == '-' && v[10] == 'T' {
				if t, zone, ok := syslog.ParseRFC3339(v); ok {
					ev.Time, ev.TimeOrig, ev.Zone, ev.TimeDesc, timed = t, str(v), zone, timeline.TimeLog, true
					break
				}
			}
		}
	}
	if !timed {
		t, ok := panTime(s, f[1])
		if !ok {
			if !hdr {
				return false
			}
		} else {
			ev.Time, ev.TimeOrig, ev.Zone, ev.TimeDesc = t, str(f[1]), s.ZoneLabel(), timeline.TimeLog
		}
	}
	s.Yearless = false
	switch string(typ) {
	case "TRAFFIC", "THREAT":
		session(typ, &f, n, ev, add)
	case "CONFIG":
		// host, vsys, command, admin, client, result, config path
		ev.Action = timeline.ActionExecute
		ev.SrcIP = str(get(7))
		add("vsys", 8)
		add("command", 9)
		ev.User = str(get(10))
		add("client", 11)
		add("result", 12)
		add("path", 13)
	case "SYSTEM":
		// vsys, event id, object, fu, fu, module, severity, description
		add("event_id", 8)
		add("object", 9)
		add("module", 12)
		add("severity", 13)
		desc := get(14)
		if len(desc) > 0 {
			ev.Message = str(desc)
		}
		systemEvent(get(8), desc, ev)
	}
	return true
}

// session reads the TRAFFIC and THREAT fields they share and their own.
func session(typ []byte, f *[maxFields][]byte, n int, ev *timeline.Event, add func(string, int)) {
	if n < 31 {
		return
	}
	ev.SrcIP, ev.DstIP = str(f[7]), str(f[8])
	add("nat_src_ip", 9)
	add("nat_dst_ip", 10)
	add("rule", 11)
	if len(f[12]) > 0 {
		ev.User = str(f[12])
	}
	add("dst_user", 13)
	add("app", 14)
	add("vsys", 15)
	add("src_zone", 16)
	add("dst_zone", 17)
	add("in_iface", 18)
	add("out_iface", 19)
	add("log_fwd_profile", 20)
	add("session_id", 22)
	add("repeat_count", 23)
	ev.SrcPort, _ = devlog.Int32(f[24])
	ev.DstPort, _ = devlog.Int32(f[25])
	add("nat_src_port", 26)
	add("nat_dst_port", 27)
	add("flags", 28)
	add("proto", 29)
	add("fw_action", 30)
	ev.Action = panAction(f[30])
	if string(typ) == "TRAFFIC" {
		if b, ok := devlog.Int64(f[31]); ok && n > 31 {
			ev.Bytes = b
		}
		add("bytes_sent", 32)
		add("bytes_received", 33)
		add("packets", 34)
		add("start_time", 35)
		add("elapsed", 36)
		add("category", 37)
		add("seq", 39)
		add("src_country", 41)
		add("dst_country", 42)
		add("session_end_reason", 46)
		return
	}
	if n > 31 && len(f[31]) > 0 {
		ev.URL = str(f[31])
	}
	add("threat_id", 32)
	add("category", 33)
	add("severity", 34)
	add("direction", 35)
	add("seq", 36)
	add("action_flags", 37)
	add("src_country", 38)
	add("dst_country", 39)
	add("content_type", 41)
	add("file_digest", 43)
	if n > 46 && len(f[46]) > 0 {
		ev.UserAgent = str(f[46])
	}
	add("xff", 48)
	add("referer", 49)
	if n > 32 && len(f[32]) > 0 {
		ev.Message = str(f[32])
	}
}

func panAction(a []byte) string {
	switch s := string(a); {
	case s == "allow" || s == "alert" || s == "continue" || s == "override":
		return timeline.ActionPermit
	case s == "deny" || s == "drop" || s == "drop-ICMP" || s == "drop-all-packets" || s == "sinkhole" ||
		strings.HasPrefix(s, "reset-") || strings.HasPrefix(s, "block"):
		return timeline.ActionDeny
	}
	return ""
}

// systemEvent: SYSTEM auth-success / auth-fail, and the admin login
// descriptions ("User admin logged in via Web from 10.0.0.5 using https").
func systemEvent(id, desc []byte, ev *timeline.Event) {
	switch string(id) {
	case "auth-success", "globalprotectportal-auth-succ", "globalprotectgateway-auth-succ":
		ev.Action = timeline.ActionLoginSuccess
	case "auth-fail", "globalprotectportal-auth-fail", "globalprotectgateway-auth-fail":
		ev.Action = timeline.ActionLoginFailure
	}
	if r, ok := devlog.After(desc, "User "); ok {
		u, rest := devlog.Word(r)
		if len(u) > 0 && ev.Action == "" {
			switch {
			case devlog.HasPrefix(rest, "logged in"):
				ev.Action = timeline.ActionLoginSuccess
			case devlog.HasPrefix(rest, "logged out"):
				ev.Action = timeline.ActionLogout
			}
		}
		ev.User = str(bytes.Trim(u, "'\""))
	}
	if r, ok := devlog.After(desc, " from "); ok {
		w, _ := devlog.Word(r)
		w = devlog.TrimPunct(bytes.Trim(w, "'\""))
		if devlog.IsIP(w) {
			ev.SrcIP = str(w)
		}
	}
}

// panTime reads "2023/07/06 08:11:40" in the case zone.
func panTime(s *devlog.State, b []byte) (int64, bool) {
	if len(b) != 19 || b[4] != '/' || b[7] != '/' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	y, ok1 := parsers.Digits(b[0:4])
	mo, ok2 := parsers.Digits(b[5:7])
	d, ok3 := parsers.Digits(b[8:10])
	hh, ok4 := parsers.Digits(b[11:13])
	mi, ok5 := parsers.Digits(b[14:16])
	ss, ok6 := parsers.Digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !parsers.ValidDate(y, mo, d, hh, mi, ss) {
		return 0, false
	}
	return s.Local(y, mo, d, hh, mi, ss, 0), true
}

// detect: most lines hold a PAN-OS record of a known type.
func detect(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		at := csvStart(line)
		if at < 0 {
			return
		}
		var f [maxFields][]byte
		if k := split(line[at:], &f); k > 7 {
			switch string(f[3]) {
			case "TRAFFIC", "THREAT", "CONFIG", "SYSTEM", "GLOBALPROTECT", "USERID", "HIPMATCH", "AUTHENTICATION", "DECRYPTION":
				hits++
			}
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "pan") || strings.Contains(strings.ToLower(name), "palo"))
}
