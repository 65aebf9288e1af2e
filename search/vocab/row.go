package vocab

import (
	"encoding/json"
	"net/netip"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// RefAt returns the reference of row i, copied out of the segment.
func RefAt(seg *timeline.Segment, i int) timeline.Ref {
	r := timeline.Ref{Evidence: strings.Clone(seg.Str(timeline.ColEvidence, i)), Path: strings.Clone(seg.Str(timeline.ColRefPath, i))}
	opt := func(c int) *int64 {
		v := seg.Int(c, i)
		if v == timeline.Absent {
			return nil
		}
		return &v
	}
	r.Offset, r.Line, r.Inode, r.MFT = opt(timeline.ColOffset), opt(timeline.ColLine), opt(timeline.ColInode), opt(timeline.ColMFT)
	return r
}

// ExtraValue returns the value of key in an extra column's JSON object, or "".
func ExtraValue(extra, key string) string {
	if extra == "" {
		return ""
	}
	needle := `"` + key + `":"`
	k := strings.Index(extra, needle)
	if k < 0 {
		return ""
	}
	start := k + len(needle) - 1
	end := start + 1
	for end < len(extra) && extra[end] != '"' {
		if extra[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(extra) {
		return ""
	}
	raw := extra[start : end+1]
	if !strings.Contains(raw, `\`) {
		return raw[1 : len(raw)-1]
	}
	var s string
	if json.Unmarshal([]byte(raw), &s) != nil {
		return ""
	}
	return s
}

// ClientAddr is the client of a web request: the CDN's client address, or
// for an origin behind a proxy the first X-Forwarded-For address, else the
// connecting address.
func ClientAddr(seg *timeline.Segment, i int) string {
	src := seg.Str(timeline.ColSrcIP, i)
	if IsCDN(seg.Str(timeline.ColSource, i)) {
		return src
	}
	x := seg.Str(timeline.ColExtra, i)
	if strings.Contains(x, "client_ip") {
		if v := ExtraValue(x, "client_ip"); v != "" {
			return v
		}
	}
	if strings.Contains(x, "x_forwarded_for") {
		if v := firstForwarded(ExtraValue(x, "x_forwarded_for")); v != "" {
			return v
		}
	}
	return src
}

// EventClientAddr is ClientAddr for a materialised event (the same rule).
func EventClientAddr(ev *timeline.Event) string {
	if IsCDN(ev.Source) {
		return ev.SrcIP
	}
	var client, xff string
	for _, kv := range ev.Extra {
		switch kv.Key {
		case "client_ip":
			client = kv.Value
		case "x_forwarded_for":
			xff = kv.Value
		}
	}
	if client != "" {
		return client
	}
	if v := firstForwarded(xff); v != "" {
		return v
	}
	return ev.SrcIP
}

// firstForwarded is the first address of an X-Forwarded-For value, or "".
func firstForwarded(v string) string {
	if j := strings.IndexByte(v, ','); j >= 0 {
		v = v[:j]
	}
	v = strings.TrimSpace(v)
	if _, err := netip.ParseAddr(v); err == nil {
		return v
	}
	return ""
}

// URLPath returns the path part of a logged URL (no query, no scheme/host).
func URLPath(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		rest := u[strings.Index(u, "//")+2:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return "/"
	}
	return u
}

// ParseAddr parses an address column value ("" or garbage: invalid).
func ParseAddr(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Span is a first/last time with an event count and capped references.
type Span struct {
	First, Last int64
	Events      int64
	Refs        []timeline.Ref
}

// AddRef counts one event at t with its reference (kept while under refCap).
func (s *Span) AddRef(t int64, ref timeline.Ref, refCap int) {
	if s.Events == 0 || t < s.First {
		s.First = t
	}
	if s.Events == 0 || t > s.Last {
		s.Last = t
	}
	s.Events++
	if len(s.Refs) < refCap {
		s.Refs = append(s.Refs, ref)
	}
}

// Merge adds another span: its times, count and references (while under refCap).
func (s *Span) Merge(o *Span, refCap int) {
	if o.Events == 0 {
		return
	}
	if s.Events == 0 || o.First < s.First {
		s.First = o.First
	}
	if s.Events == 0 || o.Last > s.Last {
		s.Last = o.Last
	}
	s.Events += o.Events
	for _, r := range o.Refs {
		if len(s.Refs) >= refCap {
			break
		}
		s.Refs = append(s.Refs, r)
	}
}

// Window is a time span as the contract prints it (RFC 3339, UTC).
type Window struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

// FormatTime renders ns as RFC 3339 with nanoseconds in UTC ("" for 0).
func FormatTime(ns int64) string {
	if ns == 0 {
		return ""
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// CacheHit reports whether a CDN row was answered from the CDN's cache (the
// origin never saw it): CloudFront x-edge-result-type Hit, Cloudflare
// CacheCacheStatus hit, Akamai cacheStatus 1, Fastly cache_status HIT.
func CacheHit(extra string) bool {
	if extra == "" {
		return false
	}
	for _, k := range []string{"x-edge-result-type", "CacheCacheStatus", "cache_status", "cacheStatus"} {
		v := strings.ToLower(ExtraValue(extra, k))
		if v == "hit" || v == "1" || strings.HasPrefix(v, "hit") && k != "x-edge-result-type" {
			return true
		}
	}
	return false
}
