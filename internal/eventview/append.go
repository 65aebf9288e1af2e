package eventview

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Appender writes events as JSON and summaries into byte slices, reusing
// its buffers, so that an export allocates nothing per event. Its output is
// byte for byte what encoding/json makes of JSON(row, ev) and what Summary
// returns (tested). The zero value is ready to use; not for concurrent use.
type Appender struct {
	utc Clock
	kv  []timeline.KV
	num []byte
	sum []byte
}

// JSON appends the contract JSON of ev (json.Marshal(JSON(row, ev))).
func (a *Appender) JSON(b []byte, row int64, ev *timeline.Event) []byte {
	b = append(b, '{')
	if row >= 0 {
		b = append(b, `"row":`...)
		b = strconv.AppendInt(b, row, 10)
		b = append(b, ',')
	}
	b = append(b, `"time":"`...)
	if a.utc.loc == nil {
		a.utc.loc = time.UTC
	}
	b = a.utc.AppendRFC3339Nano(b, ev.Time)
	b = append(b, '"')
	b = field(b, "time_desc", ev.TimeDesc, false)
	b = field(b, "time_orig", ev.TimeOrig, true)
	b = field(b, "zone", ev.Zone, true)
	b = field(b, "host", ev.Host, false)
	b = field(b, "source", ev.Source, false)
	b = field(b, "evidence", ev.Evidence, false)
	b = append(b, `,"ref":{"evidence":`...)
	b = AppendJSONString(b, ev.Evidence)
	b = append(b, `,"path":`...)
	b = AppendJSONString(b, ev.RefPath)
	b = optNum(b, "offset", ev.Offset)
	b = optNum(b, "line", ev.Line)
	b = optNum(b, "inode", ev.Inode)
	b = optNum(b, "mft", ev.MFT)
	b = append(b, '}')
	l := taxonomy.Of(ev)
	if ev.Message != "" {
		b = field(b, "message", ev.Message, false)
	} else {
		a.sum = appendSummary(a.sum[:0], ev, l)
		b = append(b, `,"message":`...)
		b = appendJSONBytes(b, a.sum)
	}
	b = field(b, "src_ip", ev.SrcIP, true)
	b = field(b, "dst_ip", ev.DstIP, true)
	b = nzNum(b, "src_port", int64(ev.SrcPort))
	b = nzNum(b, "dst_port", int64(ev.DstPort))
	b = field(b, "user", ev.User, true)
	b = field(b, "method", ev.Method, true)
	b = field(b, "url", ev.URL, true)
	b = nzNum(b, "status", int64(ev.Status))
	b = optNum(b, "bytes", ev.Bytes)
	b = field(b, "user_agent", ev.UserAgent, true)
	b = field(b, "path", ev.Path, true)
	b = field(b, "action", ev.Action, true)
	b = field(b, "sandia", l.Action, true)
	b = field(b, "target", l.Target, true)
	b = field(b, "benign", l.Benign, true)
	if ev.Tags != "" {
		b = append(b, `,"tags":[`...)
		for i, tags := 0, ev.Tags; ; i++ {
			t, rest, more := strings.Cut(tags, ",")
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, t)
			if !more {
				break
			}
			tags = rest
		}
		b = append(b, ']')
	}
	b = a.extra(b, ev)
	if len(ev.Raw) > 0 {
		if utf8.Valid(ev.Raw) {
			b = append(b, `,"raw":`...)
			b = appendJSONBytes(b, ev.Raw)
		} else {
			b = append(b, `,"raw_base64":"`...)
			b = base64.StdEncoding.AppendEncode(b, ev.Raw)
			b = append(b, '"')
		}
	}
	return append(b, '}')
}

// extra appends the "extra" object as encoding/json writes a map: keys
// sorted, the last of equal keys winning.
func (a *Appender) extra(b []byte, ev *timeline.Event) []byte {
	a.kv, a.num = ev.AppendFSExtraBuf(a.kv[:0], a.num)
	a.kv = append(a.kv, ev.Extra...)
	if len(a.kv) == 0 {
		return b
	}
	slices.SortStableFunc(a.kv, func(x, y timeline.KV) int { return strings.Compare(x.Key, y.Key) })
	b = append(b, `,"extra":{`...)
	first := true
	for i, kv := range a.kv {
		if i+1 < len(a.kv) && a.kv[i+1].Key == kv.Key {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendJSONString(b, kv.Key)
		b = append(b, ':')
		b = AppendJSONString(b, kv.Value)
	}
	return append(b, '}')
}

func field(b []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return AppendJSONString(b, v)
}

func optNum(b []byte, name string, v int64) []byte {
	if v == timeline.Absent {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, v, 10)
}

func nzNum(b []byte, name string, v int64) []byte {
	if v == 0 {
		return b
	}
	return optNum(b, name, v)
}

const hex = "0123456789abcdef"

// jsonSafe marks the ASCII bytes encoding/json writes as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendJSONString appends s quoted as encoding/json quotes it (HTML
// characters escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped).
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '<', '>', '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += n
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += n
			start = i
			continue
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendJSONBytes(b, s []byte) []byte { return AppendJSONString(b, unsafeString(s)) }

// Summary appends Summary(ev).
func (a *Appender) Summary(b []byte, ev *timeline.Event) []byte {
	return appendSummary(b, ev, taxonomy.Of(ev))
}

// appendSummary appends Summary(ev), l being ev's taxonomy label.
func appendSummary(b []byte, ev *timeline.Event, l taxonomy.Label) []byte {
	start := len(b)
	add := func(s string) {
		if s == "" {
			return
		}
		if len(b) > start {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	if ev.SrcIP != "" {
		add(ev.SrcIP)
		if ev.SrcPort != 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(ev.SrcPort), 10)
		}
		if ev.DstIP != "" {
			b = append(b, " ->"...)
		}
	}
	if ev.DstIP != "" {
		add(ev.DstIP)
		if ev.DstPort != 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(ev.DstPort), 10)
		}
	}
	if ev.User != "" {
		add("user=")
		b = append(b, ev.User...)
	}
	add(ev.Method)
	add(ev.URL)
	if ev.Status != 0 {
		add("-")
		b = strconv.AppendInt(b[:len(b)-1], int64(ev.Status), 10)
	}
	if ev.Bytes > 0 && ev.Method != "" {
		add("-")
		b = strconv.AppendInt(b[:len(b)-1], ev.Bytes, 10)
		b = append(b, 'B')
	}
	add(ev.Path)
	if ev.Action != "" {
		add("[")
		b = append(b, ev.Action...)
		b = append(b, ']')
	}
	switch {
	case l.Benign != "":
		add("<benign:")
		b = append(b, l.Benign...)
		b = append(b, '>')
	case l.Action != "":
		add("<")
		b = append(b, l.Action...)
		b = append(b, '/')
		b = append(b, l.Target...)
		b = append(b, '>')
	}
	add(ev.Message)
	if ev.Source == timeline.SourceRaw && len(ev.Raw) > 0 {
		add(unsafeString(ev.Raw))
	}
	if ev.Tags != "" {
		add("{")
		b = append(b, ev.Tags...)
		b = append(b, '}')
	}
	if s := unsafeString(b[start:]); !isClean(s) {
		b = append(b[:start], Sanitize(s)...)
	}
	return b
}
