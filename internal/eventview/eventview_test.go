package eventview

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kiseki-forensics/kiseki/timeline"
)

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"\x1b]0;pwned\x07":      `\x1b]0;pwned\x07`,
		"a\x00b":                `a\x00b`,
		"日本語":                   "日本語",
		"bad\xffutf8":           `bad\xffutf8`,
		"rtl\u202eevil":         `rtl\xe2\x80\xaeevil`,
		"c1\u009bcontrol":       `c1\xc2\x9bcontrol`,
		"<script>x</script>":    "<script>x</script>", // markup is for the HTML layer to escape
		"line\nbreak\rreturn\t": `line\x0abreak\x0dreturn\x09`,
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONKeepsBytes(t *testing.T) {
	var ev timeline.Event
	ev.Reset()
	ev.Time = 1_700_000_000_123_456_789
	ev.Source, ev.Host, ev.Evidence, ev.RefPath, ev.Line = "unparsed", "web01", "E0001", "a.log", 7
	ev.Raw = []byte("\x1b[31mred\xff")
	j := JSON(3, &ev)
	if j.Time != "2023-11-14T22:13:20.123456789Z" || *j.Row != 3 || j.Raw != "" || j.RawBase64 == "" || *j.Ref.Line != 7 {
		t.Fatalf("%+v", j)
	}
	if s := Summary(&ev); strings.IndexByte(s, 0x1b) >= 0 || strings.IndexByte(s, 0xff) >= 0 {
		t.Fatalf("summary carries control bytes: %q", s)
	}
}

// FuzzSanitize: never panics, output is valid UTF-8 without control
// characters.
func FuzzSanitize(f *testing.F) {
	f.Add("\x1b[2J\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e {
				t.Fatalf("control %U left in %q", r, out)
			}
		}
	})
}

func BenchmarkSanitize(b *testing.B) {
	s := strings.Repeat("GET /index.php?id=1 HTTP/1.1 \x1b[31m", 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Sanitize(s)
	}
}
