package cisco

import (
	"bytes"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Format names and event sources.
const (
	ASA = "cisco-asa"
	IOS = "cisco-ios"
)

var str = devlog.Str

func init() {
	for _, f := range []struct {
		name, desc string
		detect     func(string, []byte) int
		parse      devlog.LineFunc
	}{
		{ASA, "Cisco ASA/FTD/PIX firewall syslog (%ASA-n-nnnnnn)", detectASA, ParseASA},
		{IOS, "Cisco IOS/IOS-XE syslog (%FACILITY-n-MNEMONIC)", detectIOS, ParseIOS},
	} {
		devlog.Register(&parsers.Format{
			Name:        f.name,
			Sources:     []parsers.Source{{Name: f.name, Class: parsers.ClassFirewall}},
			Description: f.desc,
			HasZone:     false,
			HasYear:     false,
			Detect:      f.detect,
		}, f.parse, "not a Cisco log line (or no time)")
	}
}

// ParseASA parses one line of an ASA/FTD log.
func ParseASA(s *devlog.State, line []byte, ev *timeline.Event) bool { return parse(s, line, ev, ASA) }

// ParseIOS parses one line of an IOS log.
func ParseIOS(s *devlog.State, line []byte, ev *timeline.Event) bool { return parse(s, line, ev, IOS) }

// marker is a "%FAC-SEV-MNEMONIC:" tag.
type marker struct {
	start, body   int // index of '%', index of the message after ": "
	fac, sev, mne []byte
	firewall      bool // ASA, FTD, PIX, FWSM
}

// findMarker finds the first valid "%FAC-n-MNEMONIC:" in line.
func findMarker(line []byte) (m marker, ok bool) {
	from := 0
	for from < len(line) {
		i := bytes.IndexByte(line[from:], '%')
		if i < 0 {
			return m, false
		}
		i += from
		from = i + 1
		j := i + 1
		for j < len(line) && isTagChar(line[j]) && line[j] != '-' {
			j++
		}
		facEnd := j
		// "%ASA-session-3-106102:": a logging class between facility and
		// severity.
		if j+1 < len(line) && line[j] == '-' && line[j+1] >= 'a' && line[j+1] <= 'z' {
			k := j + 1
			for k < len(line) && line[k] >= 'a' && line[k] <= 'z' {
				k++
			}
			j = k
		}
		if facEnd == i+1 || j+3 >= len(line) || line[j] != '-' || line[j+1] < '0' || line[j+1] > '7' || line[j+2] != '-' {
			continue
		}
		k := j + 3
		for k < len(line) && isTagChar(line[k]) {
			k++
		}
		if k == j+3 || k >= len(line) {
			continue
		}
		if line[k] != ':' {
			// "%ASA-6-302016 Teardown ...": some relays drop the colon
			// after a numeric ASA message id.
			if _, num := parsers.Digits(line[j+3 : k]); !(num && line[k] == ' ' && isFirewall(line[i+1:facEnd])) {
				continue
			}
		}
		m.start, m.fac, m.sev, m.mne = i, line[i+1:facEnd], line[j+1:j+2], line[j+3:k]
		m.body = k + 1
		if m.body < len(line) && line[m.body] == ' ' {
			m.body++
		}
		m.firewall = isFirewall(m.fac)
		return m, true
	}
	return m, false
}

func isFirewall(fac []byte) bool {
	switch string(fac) {
	case "ASA", "FTD", "PIX", "FWSM":
		return true
	}
	return false
}

func isTagChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// stamp is one time found before the marker.
type stamp struct {
	t        int64
	orig     []byte
	zone     string
	yearless bool
}

func parse(s *devlog.State, line []byte, ev *timeline.Event, format string) bool {
	m, ok := findMarker(line)
	if !ok {
		// Another syslog line of the same file keeps its place in the
		// timeline with the header's time.
		_, _, ok := s.SyslogEvent(line, ev, format)
		return ok
	}
	var first, last stamp
	n := 0
	var host, seq []byte
	p := line[:m.start]
	for i := 0; i < len(p); {
		c := p[i]
		if c == ' ' || c == ':' {
			i++
			continue
		}
		if c == '<' {
			e := bytes.IndexByte(p[i:], '>')
			if e < 0 {
				break
			}
			i += e + 1
			continue
		}
		w := p[i:]
		if sp := bytes.IndexByte(w, ' '); sp >= 0 {
			w = w[:sp]
		}
		wt := bytes.TrimSuffix(w, []byte{':'})
		if len(wt) >= 20 && wt[4] == '-' && wt[0] >= '0' && wt[0] <= '9' {
			if t, zone, ok := syslog.ParseRFC3339(wt); ok {
				st := stamp{t: t, orig: wt, zone: zone}
				if n == 0 {
					first = st
				}
				last = st
				n++
				i += len(w)
				continue
			}
		}
		s.Yearless = false
		if t, orig, zone, used, ok := s.Stamp(p[i:]); ok {
			st := stamp{t: t, orig: orig, zone: zone, yearless: s.Yearless}
			if n == 0 {
				first = st
			}
			last = st
			n++
			i += used
			continue
		}
		if _, isNum := parsers.Digits(wt); isNum {
			seq = wt
		} else if host == nil && len(wt) > 0 {
			host = wt
		}
		i += len(w)
	}
	if n == 0 {
		return false
	}
	s.Yearless = last.yearless
	ev.Time = last.t
	ev.TimeDesc = timeline.TimeLog
	ev.TimeOrig = str(last.orig)
	ev.Zone = last.zone
	ev.Message = str(line[m.start:])
	if n > 1 {
		ev.AddExtra("syslog_time", str(first.orig))
	}
	if len(host) > 0 {
		ev.AddExtra("hostname", str(host))
		if ev.Host == "" {
			ev.Host = str(host)
		}
	}
	if len(seq) > 0 {
		ev.AddExtra("seq", str(seq))
	}
	ev.AddExtra("severity", str(m.sev))
	body := line[m.body:]
	if m.firewall {
		ev.Source = ASA
		ev.AddExtra("msgid", str(m.mne))
		asa(s, m.mne, body, ev)
	} else {
		ev.Source = IOS
		ev.AddExtra("facility", str(m.fac))
		ev.AddExtra("mnemonic", str(m.mne))
		ios(m.fac, m.mne, body, ev)
	}
	return true
}

// detectASA: most lines carry an ASA/FTD/PIX message tag.
func detectASA(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if m, ok := findMarker(line); ok && m.firewall {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "asa"))
}

// detectIOS: most lines carry an IOS message tag.
func detectIOS(name string, head []byte) int {
	hits := 0
	n := devlog.Lines(head, 30, func(line []byte) {
		if m, ok := findMarker(line); ok && !m.firewall {
			hits++
		}
	})
	return devlog.Score(hits, n, strings.Contains(strings.ToLower(name), "ios") || strings.Contains(strings.ToLower(name), "router"))
}
