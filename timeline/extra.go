package timeline

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// extraRowLen is the size of extras packed by putExtraRow.
func extraRowLen(extra []KV) int {
	n := 0
	for _, kv := range extra {
		n += 8 + len(kv.Key) + len(kv.Value)
	}
	return n
}

// putExtraRow packs extras into a chunk row, which has room for them
// (extraRowLen), and returns their size: for each pair, the key's and the
// value's byte lengths as uint32s, then their bytes. Quoting them for JSON
// waits for appendExtraJSON on the run writer's goroutine, off the parser's.
func putExtraRow(dst []byte, extra []KV) int {
	at := 0
	for _, kv := range extra {
		binary.LittleEndian.PutUint32(dst[at:], uint32(len(kv.Key)))
		binary.LittleEndian.PutUint32(dst[at+4:], uint32(len(kv.Value)))
		at += 8
		at += copy(dst[at:], kv.Key)
		at += copy(dst[at:], kv.Value)
	}
	return at
}

// appendExtraJSON writes the extras packed by putExtraRow as a JSON
// object of strings, keeping their order; none writes nothing.
func appendExtraJSON(dst, row []byte) []byte {
	if len(row) == 0 {
		return dst
	}
	dst = append(dst, '{')
	for len(row) >= 8 {
		kl, vl := int(binary.LittleEndian.Uint32(row)), int(binary.LittleEndian.Uint32(row[4:]))
		k, v := row[8:8+kl], row[8+kl:8+kl+vl]
		row = row[8+kl+vl:]
		dst = appendJSONKey(dst, unsafe.String(unsafe.SliceData(k), len(k)))
		dst = append(dst, ':')
		dst = appendJSONString(dst, unsafe.String(unsafe.SliceData(v), len(v)))
		if len(row) > 0 {
			dst = append(dst, ',')
		}
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// jsonPlain marks the bytes a JSON string holds as they are.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether the first 8 bytes of s all need no escaping
// (jsonPlain), testing them together: extras are mostly plain ASCII, and
// the byte-by-byte table walk was the run writer's largest cost after I/O.
func plainWord(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8))
	control := (x - 0x20*ones) &^ x & highs // a byte below 0x20
	high := ((x + ones) | x) & highs        // a byte of 0x7f or more
	quote, backslash := x^('"'*ones), x^('\\'*ones)
	quote = (quote - ones) &^ quote & highs // a zero byte there: a quote here
	backslash = (backslash - ones) &^ backslash & highs
	return control|high|quote|backslash == 0
}

// appendJSONKey writes a key; keys are parser-chosen identifiers, so the
// common case needs no escaping scan.
func appendJSONKey(dst []byte, k string) []byte {
	i := 0
	for ; i+8 <= len(k) && plainWord(k[i:]); i += 8 {
	}
	for ; i < len(k); i++ {
		if !jsonPlain[k[i]] {
			return appendJSONString(dst, k)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"')
}

// appendJSONString quotes s for JSON; invalid UTF-8 becomes U+FFFD so the
// output always parses. Runs of bytes that need no escaping are copied whole.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(s[i:]) {
			i += 8
			continue
		}
		c := s[i]
		if jsonPlain[c] {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			if c == '"' || c == '\\' {
				dst = append(dst, '\\', c)
			} else {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// decodeExtra parses an extra column value back into key/value pairs in
// order. The column is written by appendExtraJSON, so a flat object of
// strings is scanned in place: the strings point into s, and only a string
// with an escape costs an allocation. Anything else goes through
// encoding/json.
func decodeExtra(s string, dst []KV) []KV {
	dst = dst[:0]
	if s == "" {
		return dst
	}
	if out, ok := scanExtra(s, dst); ok {
		return out
	}
	return decodeExtraJSON(s, dst[:0])
}

// scanExtra scans a flat JSON object of strings; ok is false for anything
// else (whitespace included, which appendExtraJSON never writes).
func scanExtra(s string, dst []KV) (_ []KV, ok bool) {
	if len(s) < 2 || s[0] != '{' {
		return dst, false
	}
	if s == "{}" {
		return dst, true
	}
	i := 1
	for {
		var k, v string
		if k, i, ok = scanString(s, i); !ok || i >= len(s) || s[i] != ':' {
			return dst, false
		}
		if v, i, ok = scanString(s, i+1); !ok || i >= len(s) {
			return dst, false
		}
		dst = append(dst, KV{k, v})
		switch {
		case s[i] == ',':
			i++
		case s[i] == '}' && i+1 == len(s):
			return dst, true
		default:
			return dst, false
		}
	}
}

// scanString reads the JSON string starting at s[i] and returns it and the
// position after its closing quote.
func scanString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	start := i + 1
	escaped := false
	for j := start; j < len(s); j++ {
		switch s[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			if !escaped {
				return s[start:j], j + 1, true
			}
			var v string
			if err := json.Unmarshal([]byte(s[start-1:j+1]), &v); err != nil {
				return "", j, false
			}
			return v, j + 1, true
		}
	}
	return "", len(s), false
}

// decodeExtraJSON parses an extra value with encoding/json.
func decodeExtraJSON(s string, dst []KV) []KV {
	dec := json.NewDecoder(strings.NewReader(s))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return dst
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return dst
		}
		vt, err := dec.Token()
		if err != nil {
			return dst
		}
		k, _ := kt.(string)
		v, _ := vt.(string)
		dst = append(dst, KV{k, v})
	}
	return dst
}
