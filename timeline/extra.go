package timeline

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// appendExtraJSON writes extras as a JSON object of strings, keeping their order.
func appendExtraJSON(dst []byte, extra []KV) []byte {
	if len(extra) == 0 {
		return dst
	}
	dst = append(dst, '{')
	for i, kv := range extra {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONKey(dst, kv.Key)
		dst = append(dst, ':')
		dst = appendJSONString(dst, kv.Value)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONKey writes a key; keys are parser-chosen identifiers, so the
// common case needs no escaping scan.
func appendJSONKey(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
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
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
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

// decodeExtra parses an extra column value back into key/value pairs in order.
func decodeExtra(s string, dst []KV) []KV {
	dst = dst[:0]
	if s == "" {
		return dst
	}
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
