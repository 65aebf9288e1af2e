package devlog

import (
	"bytes"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// NextKV reads the next space-separated token of b as key=value. A value
// that starts with '"' runs to the closing quote (the quotes are removed);
// a token without '=' comes back as key with a nil value and hasEq false.
// rest is what follows. ok is false when b holds only spaces.
func NextKV(b []byte) (key, val, rest []byte, hasEq, ok bool) {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i == len(b) {
		return nil, nil, nil, false, false
	}
	b = b[i:]
	j := 0
	for j < len(b) && b[j] != '=' && b[j] != ' ' {
		j++
	}
	if j == len(b) || b[j] == ' ' {
		return b[:j], nil, b[j:], false, true
	}
	key = b[:j]
	v := b[j+1:]
	if len(v) > 0 && v[0] == '"' {
		end := 1
		for end < len(v) && v[end] != '"' {
			if v[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(v) {
			return key, v[1:], nil, true, true
		}
		return key, v[1:end], v[end+1:], true, true
	}
	k := bytes.IndexByte(v, ' ')
	if k < 0 {
		return key, v, nil, true, true
	}
	return key, v[:k], v[k:], true, true
}

// Int32 parses a decimal port, count or status; ok is false for anything
// else (and for values that do not fit).
func Int32(b []byte) (int32, bool) {
	if len(b) > 9 {
		return 0, false
	}
	n, ok := parsers.Digits(b)
	return int32(n), ok
}

// Int64 parses a decimal byte count.
func Int64(b []byte) (int64, bool) {
	n, ok := parsers.Digits(b)
	return int64(n), ok
}

// SplitAddr splits "1.2.3.4:80", "[2001:db8::1]:80", "1.2.3.4/80" and
// "2001:db8::1/80" (Cisco, Juniper) into address and port; an address
// without a port comes back whole with a nil port.
func SplitAddr(b []byte) (addr, port []byte) {
	if len(b) > 0 && b[0] == '[' {
		if e := bytes.IndexByte(b, ']'); e > 0 {
			if e+1 < len(b) && b[e+1] == ':' {
				return b[1:e], b[e+2:]
			}
			return b[1:e], nil
		}
	}
	if i := bytes.LastIndexByte(b, '/'); i >= 0 {
		return b[:i], b[i+1:]
	}
	if i := bytes.IndexByte(b, ':'); i >= 0 && bytes.IndexByte(b[i+1:], ':') < 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// IsIP reports whether b looks like an IPv4 or IPv6 address (digits, hex,
// dots and colons, with at least one dot or two colons). It does not
// allocate.
func IsIP(b []byte) bool {
	if len(b) < 2 || len(b) > 45 {
		return false
	}
	dots, colons := 0, 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == '%': // zone index
		default:
			return false
		}
	}
	if colons == 0 {
		return dots == 3
	}
	return colons >= 2
}

// Word returns the first space-separated word of b and the rest after it.
func Word(b []byte) (word, rest []byte) {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

// After returns what follows the first occurrence of sep in b.
func After(b []byte, sep string) ([]byte, bool) {
	i := bytes.Index(b, []byte(sep))
	if i < 0 {
		return nil, false
	}
	return b[i+len(sep):], true
}

// HasPrefix is bytes.HasPrefix with a string prefix, without allocating.
func HasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// TrimPunct removes trailing ',' ';' ':' ')' and '.' from a word.
func TrimPunct(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case ',', ';', ':', ')', '.':
			b = b[:len(b)-1]
		default:
			return b
		}
	}
	return b
}

// UnmapIPv4 turns an IPv4-mapped IPv6 address ("::ffff:192.0.2.1") into the
// IPv4 address it carries; other addresses come back unchanged.
func UnmapIPv4(b []byte) []byte {
	if len(b) > 7 && (HasPrefix(b, "::ffff:") || HasPrefix(b, "::FFFF:")) && bytes.IndexByte(b[7:], '.') > 0 {
		return b[7:]
	}
	return b
}

// Span returns the bytes from the start of a to the end of b, where a and b
// are sub-slices of the same line with b shortly after a (date= and time=
// fields); ok is false otherwise.
func Span(a, b []byte) ([]byte, bool) {
	if len(a) == 0 || len(b) == 0 {
		return nil, false
	}
	pa := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	pb := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if pb < pa || pb-pa > 64 || cap(a) < int(pb-pa)+len(b) {
		return nil, false
	}
	return a[:int(pb-pa)+len(b)], true
}

// Bytes views s as bytes without copying; the result must not be written.
func Bytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// ContainsFold reports whether b contains the lower-case ASCII word w,
// ignoring ASCII case, without allocating.
func ContainsFold(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		j := 0
		for ; j < len(w); j++ {
			c := b[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 32
			}
			if c != w[j] {
				break
			}
		}
		if j == len(w) {
			return true
		}
	}
	return false
}
