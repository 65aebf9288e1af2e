// Package eventview renders events for people and programs the same way in
// every output: the contract's JSON shape of an event, a one-line summary,
// and Sanitize, which neutralises the control characters that log content
// (attacker-controlled) may carry. The CLI, the web server and the report all
// use it.
package eventview

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Sanitize makes attacker-controlled text safe to print on a terminal:
// control characters (escape sequences included) and invalid UTF-8 become
// visible \xNN escapes, so a log line can never drive the terminal.
func Sanitize(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 || r >= 0x80 && r < 0xa0 || r == 0x2028 || r == 0x2029 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
				// invalid bytes, C1 controls, and bidi overrides that reorder text
				for _, x := range []byte(s[i : i+n]) {
					fmt.Fprintf(&b, "\\x%02x", x)
				}
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		if c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// isClean reports whether s is printable ASCII: what Sanitize keeps as is.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			return false
		}
	}
	return true
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Summary is a one-line description of an event for tables.
func Summary(ev *timeline.Event) string {
	var a Appender
	return string(a.Summary(nil, ev))
}

// FormulaSafe keeps a spreadsheet from reading a CSV cell as a formula
// (=HYPERLINK(...), @SUM(...), +cmd|...): a value starting with = + - @, a
// tab or a carriage return gets a leading quote, so it shows as text.
func FormulaSafe(s string) string {
	if FormulaStart(s) {
		return "'" + s
	}
	return s
}

// FormulaStart reports whether a spreadsheet would read s as a formula:
// FormulaSafe quotes exactly these.
func FormulaStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Event is the contract's JSONL shape.
type Event struct {
	Row       *int64            `json:"row,omitempty"`
	Time      string            `json:"time"`
	TimeDesc  string            `json:"time_desc"`
	TimeOrig  string            `json:"time_orig,omitempty"`
	Zone      string            `json:"zone,omitempty"`
	Host      string            `json:"host"`
	Source    string            `json:"source"`
	Evidence  string            `json:"evidence"`
	Ref       timeline.Ref      `json:"ref"`
	Message   string            `json:"message"`
	SrcIP     string            `json:"src_ip,omitempty"`
	DstIP     string            `json:"dst_ip,omitempty"`
	SrcPort   int32             `json:"src_port,omitempty"`
	DstPort   int32             `json:"dst_port,omitempty"`
	User      string            `json:"user,omitempty"`
	Method    string            `json:"method,omitempty"`
	URL       string            `json:"url,omitempty"`
	Status    int32             `json:"status,omitempty"`
	Bytes     *int64            `json:"bytes,omitempty"`
	UserAgent string            `json:"user_agent,omitempty"`
	Path      string            `json:"path,omitempty"`
	Action    string            `json:"action,omitempty"`
	Sandia    string            `json:"sandia,omitempty"` // taxonomy label (docs/query.md)
	Target    string            `json:"target,omitempty"`
	Benign    string            `json:"benign,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
	Raw       string            `json:"raw,omitempty"`
	RawBase64 string            `json:"raw_base64,omitempty"` // when raw is not valid UTF-8
}

// JSON returns the contract JSON of an event; row < 0 omits the row id.
func JSON(row int64, ev *timeline.Event) Event {
	j := Event{
		Time: ev.UTC().Format(time.RFC3339Nano), TimeDesc: ev.TimeDesc, TimeOrig: ev.TimeOrig, Zone: ev.Zone,
		Host: ev.Host, Source: ev.Source, Evidence: ev.Evidence, Ref: ev.Ref(), Message: ev.Message,
		SrcIP: ev.SrcIP, DstIP: ev.DstIP, SrcPort: ev.SrcPort, DstPort: ev.DstPort, User: ev.User,
		Method: ev.Method, URL: ev.URL, Status: ev.Status, UserAgent: ev.UserAgent, Path: ev.Path, Action: ev.Action,
	}
	if row >= 0 {
		j.Row = &row
	}
	l := taxonomy.Of(ev)
	j.Sandia, j.Target, j.Benign = l.Action, l.Target, l.Benign
	if j.Message == "" {
		j.Message = Summary(ev)
	}
	if ev.Bytes != timeline.Absent {
		b := ev.Bytes
		j.Bytes = &b
	}
	if ev.Tags != "" {
		j.Tags = strings.Split(ev.Tags, ",")
	}
	if extra := ev.AllExtra(); len(extra) > 0 {
		j.Extra = make(map[string]string, len(extra))
		for _, kv := range extra {
			j.Extra[kv.Key] = kv.Value
		}
	}
	if len(ev.Raw) > 0 {
		if utf8.Valid(ev.Raw) {
			j.Raw = string(ev.Raw)
		} else {
			j.RawBase64 = base64.StdEncoding.EncodeToString(ev.Raw)
		}
	}
	return j
}
