// Package weblog holds what the HTTP access log parsers (CDN, load balancer,
// W3C, custom log_format) share: zero-copy strings over a line, the action a
// method stands for, percent-decoding into a reused buffer, address splitting
// and the time notations these logs use.
//
// Strings returned by S and by Decoder point into buffers owned by the
// caller; they are valid only until the caller reuses the buffer (the next
// line). A timeline.Sink copies what it keeps before Emit returns, so events
// may carry them.
package weblog

import (
	"bytes"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// S returns b as a string without copying. The string is valid only while b
// is not modified.
func S(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// B returns s as a byte slice without copying; the slice must not be
// modified.
func B(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Action maps an HTTP method to the investigator's action: read for GET and
// HEAD, modify for POST, PUT and PATCH, delete for DELETE; "" otherwise.
func Action(method string) string {
	switch method {
	case "GET", "HEAD":
		return timeline.ActionRead
	case "POST", "PUT", "PATCH":
		return timeline.ActionModify
	case "DELETE":
		return timeline.ActionDelete
	}
	return ""
}

// Dash reports whether a field value is the "no value" marker of web logs.
func Dash(b []byte) bool { return len(b) == 0 || (len(b) == 1 && b[0] == '-') }

// SplitHostPort splits "1.2.3.4:80" or "[2001:db8::1]:443" into address and
// port; a value without a port is returned whole with port 0. A bare IPv6
// address (more than one colon, no brackets) is kept whole.
func SplitHostPort(b []byte) (host []byte, port int32) {
	if len(b) > 0 && b[0] == '[' {
		for i := 1; i < len(b); i++ {
			if b[i] == ']' {
				h := b[1:i]
				if i+1 < len(b) && b[i+1] == ':' {
					if p, ok := digits(b[i+2:]); ok && p <= 65535 {
						return h, int32(p)
					}
				}
				return h, 0
			}
		}
		return b, 0
	}
	colon, n := -1, 0
	for i, c := range b {
		if c == ':' {
			colon = i
			n++
		}
	}
	if n != 1 {
		return b, 0
	}
	p, ok := digits(b[colon+1:])
	if !ok || p > 65535 {
		return b, 0
	}
	return b[:colon], int32(p)
}

func digits(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Int parses an optionally signed decimal integer.
func Int(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	n, ok := digits(b)
	if !ok {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// FirstForwarded returns the first address of an X-Forwarded-For list
// ("client, proxy1, proxy2"): the client as the first proxy saw it.
func FirstForwarded(b []byte) []byte {
	for i, c := range b {
		if c == ',' {
			b = b[:i]
			break
		}
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// Decoder percent-decodes values into one buffer reused for a whole line.
// Reset it before each line; the strings it returns stay valid until then.
type Decoder struct{ buf []byte }

// Reset forgets the previous line's values.
func (d *Decoder) Reset() { d.buf = d.buf[:0] }

// Decode returns b with %XX sequences decoded and, if plus is set, '+' as a
// space. A malformed escape is kept as written. b without escapes is
// returned as is, without copying.
func (d *Decoder) Decode(b []byte, plus bool) string {
	pct := bytes.IndexByte(b, '%')
	if plus {
		if bytes.IndexByte(b, '+') >= 0 {
			return d.decodeSlow(b, plus)
		}
	}
	if pct < 0 {
		return S(b)
	}
	d.grow(len(b))
	start := len(d.buf)
	dst := d.buf[start : start+len(b)]
	j := copy(dst, b[:pct])
	for i := pct; i < len(b); i++ {
		c := b[i]
		if c == '%' && i+2 < len(b) {
			h, l := unhex(b[i+1]), unhex(b[i+2])
			if h >= 0 && l >= 0 {
				dst[j] = byte(h<<4 | l)
				j++
				i += 2
				continue
			}
		}
		dst[j] = c
		j++
	}
	d.buf = d.buf[:start+j]
	return S(d.buf[start:])
}

// RepeatDecoder decodes like Decoder.Decode but remembers recent results:
// a log has few distinct user agents, and comparing an agent with one seen
// before is several times cheaper than decoding its %20s again. Use one per
// column; a returned string stays valid until the next call.
type RepeatDecoder struct {
	slots [64]decodedValue
	dec   Decoder
}

type decodedValue struct {
	raw, out []byte
	plus     bool
}

// Decode returns b decoded as Decoder.Decode would.
func (r *RepeatDecoder) Decode(b []byte, plus bool) string {
	if len(b) == 0 {
		return ""
	}
	s := &r.slots[(uint(len(b))*31+uint(b[len(b)/2])*7+uint(b[len(b)-1]))%uint(len(r.slots))]
	if s.plus == plus && s.raw != nil && bytes.Equal(s.raw, b) {
		return S(s.out)
	}
	if bytes.IndexByte(b, '%') < 0 && (!plus || bytes.IndexByte(b, '+') < 0) {
		return S(b)
	}
	r.dec.Reset()
	s.out = append(s.out[:0], r.dec.Decode(b, plus)...)
	s.raw = append(s.raw[:0], b...)
	s.plus = plus
	return S(s.out)
}

// grow makes room for n more bytes. A new array leaves the strings already
// handed out on the old one, which the garbage collector keeps alive.
func (d *Decoder) grow(n int) {
	if cap(d.buf)-len(d.buf) < n {
		d.buf = make([]byte, 0, max(2*cap(d.buf), n+256))
	}
}

func (d *Decoder) decodeSlow(b []byte, plus bool) string {
	d.grow(len(b) + 8)
	start := len(d.buf)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '%' && i+2 < len(b) && unhex(b[i+1]) >= 0 && unhex(b[i+2]) >= 0:
			d.buf = append(d.buf, byte(unhex(b[i+1])<<4|unhex(b[i+2])))
			i += 2
		case c == '+' && plus && i+1 < len(b) && b[i+1] == '+':
			// IIS writes a space as '+' but leaves a '+' as is: "; +http"
			// becomes ";++http". Two pluses are read as a space and a plus.
			d.buf = append(d.buf, ' ', '+')
			i++
		case c == '+' && plus:
			d.buf = append(d.buf, ' ')
		default:
			d.buf = append(d.buf, c)
		}
	}
	return S(d.buf[start:])
}

// Concat copies the parts into the buffer and returns them joined, as a
// string valid for the line (for values built from pieces).
func (d *Decoder) Concat(parts ...[]byte) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if cap(d.buf)-len(d.buf) < n {
		d.buf = make([]byte, 0, max(2*cap(d.buf), n+256))
	}
	start := len(d.buf)
	for _, p := range parts {
		d.buf = append(d.buf, p...)
	}
	return S(d.buf[start:])
}

var unhexTable = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c-'a') + 10
		t[c-'a'+'A'] = int8(c-'a') + 10
	}
	return t
}()

func unhex(c byte) int { return int(unhexTable[c]) }

// Undouble copies a quoted value with each doubled quote ("") made single
// into the line buffer.
func (d *Decoder) Undouble(v []byte) []byte {
	if cap(d.buf)-len(d.buf) < len(v) {
		d.buf = make([]byte, 0, max(2*cap(d.buf), len(v)+256))
	}
	start := len(d.buf)
	for r := 0; r < len(v); r++ {
		d.buf = append(d.buf, v[r])
		if v[r] == '"' && r+1 < len(v) && v[r+1] == '"' {
			r++
		}
	}
	return d.buf[start:len(d.buf):len(d.buf)]
}

// NextLine returns the first line of a detection head that is not blank,
// without its line ending, and the head after it; line is nil when no such
// line is left. A cut last line counts as a line.
func NextLine(head []byte) (line, rest []byte) {
	for len(head) > 0 {
		line = head
		if nl := bytes.IndexByte(head, '\n'); nl >= 0 {
			line, head = head[:nl], head[nl+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) > 0 {
			return line, head
		}
	}
	return nil, nil
}
