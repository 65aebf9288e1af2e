package search

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseQuery: any query text parses or fails with a QueryError, never
// panics, and a parsed query prints.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "*", "status:404", `url:"/wp-login.php" AND NOT src_ip:10.0.0.1`,
		"(a OR b) AND (c OR (d AND NOT e))", `"Accepted password" deploy`, "status:abc", "nosuchfield:x", "(unclosed",
		"host:web01 source:nginx-access", `user:"a\"b"`, "NOT NOT NOT x", "a AND", "))((", "ＡＮＤ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := Parse(q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("%q: error %v is not a QueryError", q, err)
			}
			return
		}
		_ = n.String()
	})
}

// FuzzParseTime: --from/--to text parses or fails, and a time given to
// the second or coarser covers a range that does not end before it starts.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "2026-01-02", "2026-01-02 08:00", "2026-01-02 08:00:05", "2026-01-02T08:00:05.123456789+09:00",
		"1767225600000000000", "yesterday", "9999-12-31", "0000-01-01", "2026-02-30", "-1"} {
		f.Add(s)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		f.Skip("no zone database:", err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		from, ferr := ParseTime(v, tokyo, false)
		to, terr := ParseTime(v, tokyo, true)
		if (ferr == nil) != (terr == nil) {
			t.Fatalf("%q: from err %v, to err %v", v, ferr, terr)
		}
		if ferr == nil && to < from {
			t.Fatalf("%q: range ends (%d) before it starts (%d)", v, to, from)
		}
	})
}

// FuzzParseCursor: a cursor parses or fails, and one that parses prints
// back to a cursor equal to it.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"1767225600000000000:42", "0:0", "-5:7", ":", "1:", ":1", "a:b", "1:2:3", "9223372036854775808:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			return
		}
		back, err := ParseCursor(c.String())
		if err != nil || back != c {
			t.Fatalf("%q: %v printed %q reads back as %v, %v", s, c, c.String(), back, err)
		}
	})
}
