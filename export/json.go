package export

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// doc builds one JSON object into a reused buffer.
type doc struct {
	b     []byte
	first bool
}

func (d *doc) begin() { d.b, d.first = append(d.b[:0], '{'), true }
func (d *doc) end() []byte {
	d.b = append(d.b, '}')
	return d.b
}

func (d *doc) key(k string) {
	if !d.first {
		d.b = append(d.b, ',')
	}
	d.first = false
	d.b = appendString(d.b, k)
	d.b = append(d.b, ':')
}

// str writes a string field; an empty value is left out.
func (d *doc) str(k, v string) {
	if v == "" {
		return
	}
	d.key(k)
	d.b = appendString(d.b, v)
}

func (d *doc) num(k string, v int64) {
	d.key(k)
	d.b = strconv.AppendInt(d.b, v, 10)
}

// opt writes an integer field unless it is timeline.Absent.
func (d *doc) opt(k string, v int64) {
	if v != timeline.Absent {
		d.num(k, v)
	}
}

// appendString appends v as a JSON string; invalid UTF-8 becomes U+FFFD so
// the output is always valid JSON (raw bytes go to raw_base64).
func appendString(b []byte, v string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, v[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// extraJSON renders an event's extra fields as a JSON object.
func extraJSON(extra []timeline.KV) []byte {
	var d doc
	d.begin()
	for _, kv := range extra {
		d.key(kv.Key)
		d.b = appendString(d.b, kv.Value)
	}
	return d.end()
}

// fields writes the event's fields shared by the Timesketch and OpenSearch
// documents; extra fields become extraPrefix+key (Timesketch wants flat
// documents) or an "extra" object when extraPrefix is empty.
func (d *doc) fields(caseName string, ev *timeline.Event, extraPrefix string) {
	d.str("case", caseName)
	d.num("time_ns", ev.Time)
	d.str("time_desc", ev.TimeDesc)
	d.str("time_orig", ev.TimeOrig)
	d.str("zone", ev.Zone)
	d.str("host", ev.Host)
	d.str("source", ev.Source)
	d.str("evidence", ev.Evidence)
	d.str("ref", ev.Ref().String())
	d.str("ref_path", ev.RefPath)
	d.opt("ref_offset", ev.Offset)
	d.opt("ref_line", ev.Line)
	d.opt("ref_inode", ev.Inode)
	d.opt("ref_mft", ev.MFT)
	d.str("path", ev.Path)
	d.str("user", ev.User)
	d.str("src_ip", ev.SrcIP)
	if ev.SrcPort != 0 {
		d.num("src_port", int64(ev.SrcPort))
	}
	d.str("dst_ip", ev.DstIP)
	if ev.DstPort != 0 {
		d.num("dst_port", int64(ev.DstPort))
	}
	d.str("method", ev.Method)
	d.str("url", ev.URL)
	if ev.Status != 0 {
		d.num("status", int64(ev.Status))
	}
	d.opt("bytes", ev.Bytes)
	d.str("user_agent", ev.UserAgent)
	d.str("action", ev.Action)
	if ev.Tags != "" {
		d.key("tags")
		d.b = append(d.b, '[')
		for i, t := range strings.Split(ev.Tags, ",") {
			if i > 0 {
				d.b = append(d.b, ',')
			}
			d.b = appendString(d.b, t)
		}
		d.b = append(d.b, ']')
	}
	if extra := ev.AllExtra(); len(extra) > 0 {
		if extraPrefix == "" {
			d.key("extra")
			d.b = append(d.b, extraJSON(extra)...)
		} else {
			for _, kv := range extra {
				d.key(extraPrefix + kv.Key)
				d.b = appendString(d.b, kv.Value)
			}
		}
	}
	if len(ev.Raw) > 0 {
		if utf8.Valid(ev.Raw) {
			d.str("raw", string(ev.Raw))
		} else {
			d.str("raw_base64", base64.StdEncoding.EncodeToString(ev.Raw))
		}
	}
}

// message is the event's message, or the one-line summary the timeline
// shows when the source has none (Timesketch requires a message).
func message(ev *timeline.Event) string {
	if ev.Message != "" {
		return ev.Message
	}
	if s := eventview.Summary(ev); s != "" {
		return s
	}
	return ev.Source
}

// utcMicros formats t as ISO 8601 in UTC with microseconds, as Timesketch's
// importer documents ("2015-07-24T19:01:01+00:00").
func utcMicros(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000000+00:00")
}

// eventIDs gives each event a stable id: a hash of its evidence file's
// SHA-256, its reference inside it, its time and what the time means. Two
// events with all four equal (rare: one record giving two events of one
// kind at one instant) get an occurrence number in timeline order, which the
// merge keeps stable.
type eventIDs struct {
	sha      map[string]string
	lastTime int64
	seen     map[string]int
	buf      []byte
}

func newEventIDs(sha map[string]string) *eventIDs {
	return &eventIDs{sha: sha, seen: map[string]int{}}
}

func (g *eventIDs) id(ev *timeline.Event) string {
	b := g.buf[:0]
	sha := g.sha[ev.Evidence]
	if sha == "" {
		sha = ev.Evidence
	}
	b = append(b, sha...)
	b = append(b, 0)
	b = append(b, ev.RefPath...)
	for _, v := range [...]int64{ev.Offset, ev.Line, ev.Inode, ev.MFT, ev.Time} {
		b = append(b, 0)
		b = strconv.AppendInt(b, v, 10)
	}
	b = append(b, 0)
	b = append(b, ev.TimeDesc...)
	g.buf = b
	sum := sha256.Sum256(b)
	id := hex.EncodeToString(sum[:20])
	if ev.Time != g.lastTime {
		clear(g.seen)
		g.lastTime = ev.Time
	}
	n := g.seen[id]
	g.seen[id] = n + 1
	if n > 0 {
		id += "-" + strconv.Itoa(n)
	}
	return id
}
