package taxonomy

import (
	"strings"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Protocol names after NormProto.
const (
	TCP  = "tcp"
	UDP  = "udp"
	ICMP = "icmp" // ICMP and ICMPv6
)

// NormProto maps a protocol as firewalls write it (TCP, tcp, 6, icmp,
// ipv6-icmp, 58...) to tcp, udp or icmp; any other protocol is returned
// lower-cased, and "" stays "".
func NormProto(p string) string {
	switch strings.ToLower(p) {
	case "tcp", "6":
		return TCP
	case "udp", "17":
		return UDP
	case "icmp", "1", "icmp6", "icmpv6", "ipv6-icmp", "58":
		return ICMP
	}
	return strings.ToLower(p)
}

// extraKey is a key firewall parsers keep protocol or ICMP type under
// (parsers/cisco, netfilter, juniper, paloalto, cef), bare and as it
// appears in the timeline's extras JSON.
type extraKey struct{ name, quoted string }

var (
	keyProto      = extraKey{"proto", `"proto":"`}
	keyICMPType   = extraKey{"icmp_type", `"icmp_type":"`}     // ASA, iptables, pfSense
	keyFortiICMP  = extraKey{"icmptype", `"icmptype":"`}       // FortiGate (hex: 0x08)
	keyIOSICMP    = extraKey{"icmp", `"icmp":"`}               // IOS ACL log "(8/0)": type/code
	keyProtoFlags = extraKey{"proto_flags", `"proto_flags":"`} // MikroTik "type 3, code 3"
)

// pfSense writes ICMP types as words (filterlog's icmp_type field).
var icmpWords = map[string]int32{
	"reply": 0, "unreach": 3, "unreachproto": 3, "unreachport": 3, "redirect": 5, "request": 8,
	"timexceed": 11, "paramprob": 12, "tstamp": 13, "tstampreply": 14, "maskreq": 17, "maskreply": 18,
}

// FromExtra reads the protocol (NormProto) and ICMP type (NoICMPType when
// absent) from an event's extras as the timeline stores them (a JSON
// object of strings). It looks for the keys as substrings: no decoding, no
// allocation, for column scans over millions of rows.
func FromExtra(extra string) (proto string, icmpType int32) {
	return fromLookup(func(k extraKey) string { return value(extra, k.quoted) })
}

// FromKV is FromExtra for an event's extras as parsers emit them.
func FromKV(kvs []timeline.KV) (proto string, icmpType int32) {
	return fromLookup(func(k extraKey) string {
		for _, kv := range kvs {
			if kv.Key == k.name {
				return kv.Value
			}
		}
		return ""
	})
}

func fromLookup(get func(extraKey) string) (proto string, icmpType int32) {
	icmpType = NoICMPType
	p := get(keyProto)
	if p == "" {
		return "", icmpType
	}
	proto = NormProto(p)
	if proto != ICMP {
		return proto, icmpType
	}
	if v := get(keyICMPType); v != "" {
		if n, ok := atoi(v); ok {
			return proto, n
		}
		if n, ok := icmpWords[v]; ok {
			return proto, n
		}
	}
	if v := get(keyFortiICMP); v != "" {
		if n, ok := hexByte(v); ok {
			return proto, n
		}
	}
	if v := get(keyIOSICMP); v != "" {
		if i := strings.IndexByte(v, '/'); i > 0 {
			v = v[:i]
		}
		if n, ok := atoi(v); ok {
			return proto, n
		}
	}
	if v := get(keyProtoFlags); strings.HasPrefix(v, "type ") {
		v = v[len("type "):]
		if i := strings.IndexByte(v, ','); i > 0 {
			v = v[:i]
		}
		if n, ok := atoi(v); ok {
			return proto, n
		}
	}
	return proto, icmpType
}

// value returns the string after key up to the closing quote ("" when the
// key is absent or the value holds an escape).
func value(extra, key string) string {
	i := strings.Index(extra, key)
	if i < 0 {
		return ""
	}
	v := extra[i+len(key):]
	j := strings.IndexByte(v, '"')
	if j < 0 || strings.IndexByte(v[:j], '\\') >= 0 {
		return ""
	}
	return v[:j]
}

// maxICMPType: ICMP and ICMPv6 types are one byte.
const maxICMPType = 255

func atoi(s string) (int32, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	var n int32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int32(c-'0')
	}
	return n, n <= maxICMPType
}

func hexByte(s string) (int32, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" || len(s) > 2 {
		return atoi(s)
	}
	var n int32
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case c >= '0' && c <= '9':
			n = n*16 + int32(c-'0')
		case c >= 'a' && c <= 'f':
			n = n*16 + int32(c-'a'+10)
		default:
			return 0, false
		}
	}
	return n, true
}
