package cli

import "testing"

func TestL2TField(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "-",
		"GET /a,b HTTP/1.1":    "GET /a b HTTP/1.1",
		"line one\r\nline two": "line one-line two",
		"say \"hi\"":           "say \"hi\"", // no quoting, quotes kept as written
		"\x1b[31mred":          "\\x1b[31mred",
	} {
		if got := l2tField(in); got != want {
			t.Errorf("l2tField(%q) = %q, want %q", in, got, want)
		}
	}
}
