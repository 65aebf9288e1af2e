package weblog

import (
	"bytes"
	"unicode/utf8"
)

// JSON value kinds reported by Object.Next.
const (
	KindString = 's'
	KindNumber = 'n'
	KindTrue   = 't'
	KindFalse  = 'f'
	KindNull   = 'z'
	KindObject = 'o'
	KindArray  = 'a'
)

// Field is one member of a JSON object. Key and Val point into the scanned
// line; Val of a string excludes the quotes and is still escaped when Esc is
// set (use Decoder.JSON); Val of an object or array is its raw text.
type Field struct {
	Key, Val []byte
	Kind     byte
	Esc      bool
}

// Object walks the members of one JSON object without allocating. It checks
// the syntax of what it walks (strings, numbers, literals, nesting) and stops
// with Err set at the first error.
type Object struct {
	b   []byte
	i   int
	n   int
	Err bool
}

// Begin starts on the object at the start of b (after spaces).
func (o *Object) Begin(b []byte) bool {
	*o = Object{b: b}
	o.skipSpace()
	if o.i >= len(b) || b[o.i] != '{' {
		o.Err = true
		return false
	}
	o.i++
	return true
}

// Rest returns what follows the object once Next has returned false.
func (o *Object) Rest() []byte { return o.b[o.i:] }

func (o *Object) skipSpace() {
	for o.i < len(o.b) {
		switch o.b[o.i] {
		case ' ', '\t', '\r', '\n':
			o.i++
		default:
			return
		}
	}
}

// Next reads the next member into f; false at the end of the object or on
// an error (then Err is set).
func (o *Object) Next(f *Field) bool {
	if o.Err {
		return false
	}
	o.skipSpace()
	if o.i >= len(o.b) {
		o.Err = true
		return false
	}
	if o.b[o.i] == '}' {
		o.i++
		return false
	}
	if o.n > 0 {
		if o.b[o.i] != ',' {
			o.Err = true
			return false
		}
		o.i++
		o.skipSpace()
	}
	o.n++
	if o.i >= len(o.b) || o.b[o.i] != '"' {
		o.Err = true
		return false
	}
	k, _, ok := o.str()
	if !ok {
		o.Err = true
		return false
	}
	f.Key = k
	o.skipSpace()
	if o.i >= len(o.b) || o.b[o.i] != ':' {
		o.Err = true
		return false
	}
	o.i++
	o.skipSpace()
	if o.i >= len(o.b) {
		o.Err = true
		return false
	}
	f.Esc = false
	switch c := o.b[o.i]; {
	case c == '"':
		f.Kind = KindString
		f.Val, f.Esc, ok = o.str()
	case c == '{' || c == '[':
		start := o.i
		ok = o.skipNested()
		f.Val = o.b[start:o.i]
		f.Kind = KindObject
		if c == '[' {
			f.Kind = KindArray
		}
	case c == 't':
		f.Kind, ok = KindTrue, o.lit("true")
	case c == 'f':
		f.Kind, ok = KindFalse, o.lit("false")
	case c == 'n':
		f.Kind, ok = KindNull, o.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := o.i
		for o.i < len(o.b) {
			d := o.b[o.i]
			if (d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E' {
				o.i++
				continue
			}
			break
		}
		f.Kind, f.Val, ok = KindNumber, o.b[start:o.i], true
	default:
		ok = false
	}
	if !ok {
		o.Err = true
		return false
	}
	if f.Kind == KindTrue || f.Kind == KindFalse || f.Kind == KindNull {
		f.Val = o.b[o.i-litLen(f.Kind) : o.i]
	}
	return true
}

func litLen(k byte) int {
	if k == KindFalse {
		return 5
	}
	return 4
}

func (o *Object) lit(s string) bool {
	if len(o.b)-o.i < len(s) || string(o.b[o.i:o.i+len(s)]) != s {
		return false
	}
	o.i += len(s)
	return true
}

// str reads a string starting at the opening quote. Control characters
// inside are accepted (a log line is evidence, not a document to validate).
func (o *Object) str() (v []byte, esc, ok bool) {
	b := o.b
	start := o.i + 1
	i := start
	// Keys and most values are short: a plain loop over the first bytes
	// beats two IndexByte calls.
	for end := min(start+24, len(b)); i < end; i++ {
		switch b[i] {
		case '"':
			o.i = i + 1
			return b[start:i], false, true
		case '\\':
			goto slow
		}
	}
slow:
	for {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return nil, false, false
		}
		bs := bytes.IndexByte(b[i:i+q], '\\')
		if bs < 0 {
			o.i = i + q + 1
			return b[start : i+q], esc, true
		}
		esc = true
		i += bs + 2 // skip the backslash and the escaped byte
		if i > len(b) {
			return nil, false, false
		}
	}
}

// skipNested skips an object or array, minding strings.
func (o *Object) skipNested() bool {
	depth := 0
	for o.i < len(o.b) {
		switch o.b[o.i] {
		case '"':
			if _, _, ok := o.str(); !ok {
				return false
			}
			continue
		case '{', '[':
			depth++
			if depth > 64 {
				return false
			}
		case '}', ']':
			depth--
			if depth == 0 {
				o.i++
				return true
			}
		}
		o.i++
	}
	return false
}

// String returns a member's value as text: a string decoded, anything else
// as written.
func (d *Decoder) String(f *Field) string {
	if f.Kind == KindString && f.Esc {
		return d.JSON(f.Val)
	}
	return S(f.Val)
}

// JSON decodes the escapes of a JSON string body into the line buffer.
// Invalid escapes are kept as written.
func (d *Decoder) JSON(b []byte) string {
	if cap(d.buf)-len(d.buf) < len(b) {
		d.buf = make([]byte, 0, max(2*cap(d.buf), len(b)+256))
	}
	start := len(d.buf)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			d.buf = append(d.buf, c)
			continue
		}
		i++
		switch b[i] {
		case '"', '\\', '/':
			d.buf = append(d.buf, b[i])
		case 'b':
			d.buf = append(d.buf, '\b')
		case 'f':
			d.buf = append(d.buf, '\f')
		case 'n':
			d.buf = append(d.buf, '\n')
		case 'r':
			d.buf = append(d.buf, '\r')
		case 't':
			d.buf = append(d.buf, '\t')
		case 'u':
			r, n := hex4(b[i+1:])
			if n == 0 {
				d.buf = append(d.buf, '\\', 'u')
				continue
			}
			i += n
			if r >= 0xd800 && r < 0xdc00 && i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
				if r2, n2 := hex4(b[i+3:]); n2 > 0 && r2 >= 0xdc00 && r2 < 0xe000 {
					r = (r-0xd800)<<10 + (r2 - 0xdc00) + 0x10000
					i += 2 + n2
				}
			}
			d.buf = utf8.AppendRune(d.buf, r)
		default:
			d.buf = append(d.buf, '\\', b[i])
		}
	}
	return S(d.buf[start:])
}

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, 0
	}
	var r rune
	for _, c := range b[:4] {
		h := unhex(c)
		if h < 0 {
			return 0, 0
		}
		r = r<<4 | rune(h)
	}
	return r, 4
}
