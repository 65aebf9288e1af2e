package weblog

import (
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
)

func TestTimes(t *testing.T) {
	cases := []struct {
		in   string
		clf  bool
		want string
		zone string
		ok   bool
	}{
		{"2023-04-26T12:22:55.463821Z", false, "2023-04-26T12:22:55.463821Z", "UTC", true},
		{"2021-11-12T16:59:45+0000", false, "2021-11-12T16:59:45Z", "+0000", true},
		{"2026-03-01T09:00:01+09:00", false, "2026-03-01T00:00:01Z", "+0900", true},
		{"2022-04-01T08:51:42", false, "2022-04-01T08:51:42Z", "UTC (default)", true},
		{"2019-01-22 03:56:14 -0330", false, "2019-01-22T07:26:14Z", "-0330", true},
		{"2023-02-29T00:00:00Z", false, "", "", false},
		{"2023-01-01T24:00:00Z", false, "", "", false},
		{"22/Jan/2019:03:56:14 +0330", true, "2019-01-22T00:26:14Z", "+0330", true},
		{"10/Oct/2000:13:55:36 -0700", true, "2000-10-10T20:55:36Z", "-0700", true},
		{"10/Foo/2000:13:55:36 -0700", true, "", "", false},
	}
	in := &parsers.Input{ZoneSource: "default"}
	for _, c := range cases {
		var cv Civil
		var ok bool
		if c.clf {
			ok = ParseCLF([]byte(c.in), &cv)
		} else {
			ok = ParseISO([]byte(c.in), &cv)
		}
		if ok != c.ok {
			t.Errorf("%s: ok %v", c.in, ok)
			continue
		}
		if !ok {
			continue
		}
		got := time.Unix(0, cv.UnixNano(nil)).UTC().Format(time.RFC3339Nano)
		if got != c.want || ZoneLabel(&cv, in) != c.zone {
			t.Errorf("%s: %s %q, want %s %q", c.in, got, ZoneLabel(&cv, in), c.want, c.zone)
		}
	}
	for in, want := range map[string]int64{
		"1573840000": 1573840000e9, "1573840000.123": 1573840000123e6, "1712790000100000000": 1712790000100000000,
		"1712790000100": 1712790000100e6, "1712790000100000": 1712790000100000e3,
	} {
		if got, ok := ParseEpoch([]byte(in)); !ok || got != want {
			t.Errorf("epoch %s: %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "12a", "1.2.3", "-5", "99999999999999999999999"} {
		if _, ok := ParseEpoch([]byte(bad)); ok {
			t.Errorf("epoch %q accepted", bad)
		}
	}
	if OffsetLabel(-5*3600-45*60) != "-0545" || OffsetLabel(0) != "+0000" || OffsetLabel(14*3600) != "+1400" || OffsetLabel(37) != "+0000" {
		t.Error("offset labels")
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string][2]any{
		"192.168.1.10:44740": {"192.168.1.10", int32(44740)}, "[2001:db8::1]:443": {"2001:db8::1", int32(443)},
		"2001:db8::1": {"2001:db8::1", int32(0)}, "-": {"-", int32(0)}, "host:99999": {"host:99999", int32(0)},
	} {
		h, p := SplitHostPort([]byte(in))
		if string(h) != want[0] || p != want[1] {
			t.Errorf("%s: %s %d", in, h, p)
		}
	}
	var d Decoder
	var r RepeatDecoder
	for _, c := range []struct {
		in   string
		plus bool
		want string
	}{
		{"Mozilla/5.0%20(Windows%20NT)", false, "Mozilla/5.0 (Windows NT)"},
		{"a+b%zz%4", false, "a+b%zz%4"},
		{"Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)", true, "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
		{"plain", true, "plain"},
		// The repeat decoder's cache: a hit, values that share a slot
		// (same length, middle and last byte), and the same text read
		// with and without plus.
		{"Mozilla/5.0%20(Windows%20NT)", false, "Mozilla/5.0 (Windows NT)"},
		{"a%20b%20c", false, "a b c"},
		{"z%41b%20c", false, "zAb c"},
		{"a%20b%20c", false, "a b c"},
		{"a+b%20c", true, "a b c"},
		{"a+b%20c", false, "a+b c"},
		{"", true, ""},
	} {
		if got := d.Decode([]byte(c.in), c.plus); got != c.want {
			t.Errorf("decode %q: %q", c.in, got)
		}
		if got := r.Decode([]byte(c.in), c.plus); got != c.want {
			t.Errorf("repeat decode %q: %q", c.in, got)
		}
	}
	if string(FirstForwarded([]byte(" 203.0.113.9, 10.0.0.1"))) != "203.0.113.9" {
		t.Error("first forwarded")
	}
	if Action("GET") != "read" || Action("PATCH") != "modify" || Action("DELETE") != "delete" || Action("OPTIONS") != "" {
		t.Error("actions")
	}
}

func TestJSONObject(t *testing.T) {
	var o Object
	var f Field
	var d Decoder
	src := ` {"a":"x\"y\u00e9","n":-1.5e3,"t":true,"z":null,"o":{"k":["}",1]},"arr":[],"f":false} tail`
	if !o.Begin([]byte(src)) {
		t.Fatal("begin")
	}
	var got []string
	for o.Next(&f) {
		got = append(got, string(f.Key)+"="+string(f.Kind)+":"+d.String(&f))
	}
	want := []string{`a=s:x"yé`, "n=n:-1.5e3", "t=t:true", "z=z:null", `o=o:{"k":["}",1]}`, "arr=a:[]", "f=f:false"}
	if o.Err || len(got) != len(want) {
		t.Fatalf("%v err %v", got, o.Err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %s, want %s", i, got[i], want[i])
		}
	}
	if string(o.Rest()) != " tail" {
		t.Errorf("rest %q", o.Rest())
	}
	for _, bad := range []string{`{"a":}`, `{"a" 1}`, `{"a":1,}`, `{"a":"x`, `{"a":tru}`, `{"a":1 "b":2}`, `[1]`} {
		o.Begin([]byte(bad))
		for o.Next(&f) {
		}
		if !o.Err {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"a":"\ud83d\ude00","b":[{"c":"]"}],"d":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o Object
		var fl Field
		var d Decoder
		if !o.Begin(data) {
			return
		}
		for i := 0; o.Next(&fl) && i < 1000; i++ {
			d.String(&fl)
		}
	})
}

func TestCivilFromDays(t *testing.T) {
	for _, c := range []struct{ y, m, d int }{{1970, 1, 1}, {1969, 12, 31}, {2000, 2, 29}, {2024, 12, 31}, {1600, 3, 1}, {9999, 12, 31}, {1, 1, 1}} {
		if y, m, d := CivilFromDays(parsers.DaysFromCivil(c.y, c.m, c.d)); y != c.y || m != c.m || d != c.d {
			t.Errorf("%v: got %d-%d-%d", c, y, m, d)
		}
	}
}

func TestNextLine(t *testing.T) {
	head := []byte("\r\n  \t\n#Fields: a b\r\nx y\ncut")
	var got []string
	for {
		var line []byte
		if line, head = NextLine(head); line == nil {
			break
		}
		got = append(got, string(line))
	}
	if len(got) != 3 || got[0] != "#Fields: a b" || got[1] != "x y" || got[2] != "cut" {
		t.Errorf("got %q", got)
	}
}
