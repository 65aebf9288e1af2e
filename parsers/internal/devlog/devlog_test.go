package devlog

import (
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
)

func TestStamp(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	in := &parsers.Input{Zone: tokyo, ZoneSource: "manifest"}
	for _, tc := range []struct {
		in, time, orig, zone string
		n                    int
		yearless             bool
	}{
		{"Mar 11 2026 10:00:00: %ASA", "2026-03-11T01:00:00Z", "Mar 11 2026 10:00:00", "Asia/Tokyo (manifest)", 21, false},
		{"*Mar  1 00:00:01.123: %SYS", "2025-02-28T15:00:01.123Z", "*Mar  1 00:00:01.123", "Asia/Tokyo (manifest)", 21, true},
		{"Jan 1 12:00:00 UTC: x", "2025-01-01T12:00:00Z", "Jan 1 12:00:00 UTC", "UTC", 19, true},
		{".Jan 10 12:00:00.5 JST: x", "2025-01-10T03:00:00.5Z", ".Jan 10 12:00:00.5 JST", "JST", 23, true},
		{"Jan 10 12:00:00 XYZ: x", "2025-01-10T03:00:00Z", "Jan 10 12:00:00 XYZ", "Asia/Tokyo (manifest)", 20, true},
	} {
		s := NewState(in, 2025)
		s.Yearless = false
		tm, orig, zone, n, ok := s.Stamp([]byte(tc.in))
		if !ok {
			t.Errorf("%q: not a stamp", tc.in)
			continue
		}
		got := time.Unix(0, tm).UTC().Format(time.RFC3339Nano)
		if got != tc.time || string(orig) != tc.orig || zone != tc.zone || n != tc.n || s.Yearless != tc.yearless {
			t.Errorf("%q: got %s %q %q %d %v, want %s %q %q %d %v", tc.in, got, orig, zone, n, s.Yearless, tc.time, tc.orig, tc.zone, tc.n, tc.yearless)
		}
	}
	for _, bad := range []string{"", "Mar", "Mar 32 2026 10:00:00", "Foo 11 10:00:00 x", "Mar 11 25:00:00 xxxxx"} {
		s := NewState(in, 2025)
		if _, _, _, _, ok := s.Stamp([]byte(bad)); ok {
			t.Errorf("%q read as a stamp", bad)
		}
	}
}

// TestHeaderSingleSpaceDay: "Nov 2 15:40:14" as some relays write it; the
// fields still point into the original line.
func TestHeaderSingleSpaceDay(t *testing.T) {
	s := NewState(&parsers.Input{ZoneSource: "test"}, 2024)
	line := []byte("Nov 2 15:40:14 workshop sshd[28179]: hello world")
	var h syslog.Header
	if !s.Header(line, &h) {
		t.Fatal("not parsed")
	}
	if string(h.TimeOrig) != "Nov 2 15:40:14" || string(h.Hostname) != "workshop" || string(h.Program) != "sshd" ||
		string(h.PID) != "28179" || string(h.Message) != "hello world" || !s.Yearless {
		t.Errorf("%q %q %q %q %q", h.TimeOrig, h.Hostname, h.Program, h.PID, h.Message)
	}
	if got := time.Unix(0, h.Time).UTC().Format(time.RFC3339); got != "2024-11-02T15:40:14Z" {
		t.Errorf("time %s", got)
	}
	// A repeated host (UniFi) still yields the program.
	line = []byte("Jun 27 09:02:22 gw gw sshd[4]: Failed password")
	if !s.Header(line, &h) || string(h.Program) != "sshd" || string(h.Message) != "Failed password" {
		t.Errorf("repeated host: %q %q", h.Program, h.Message)
	}
}

func TestFields(t *testing.T) {
	for _, tc := range []struct{ in, addr, port string }{
		{"1.2.3.4:80", "1.2.3.4", "80"},
		{"[2001:db8::1]:443", "2001:db8::1", "443"},
		{"10.0.0.1/22", "10.0.0.1", "22"},
		{"2001:db8::1/80", "2001:db8::1", "80"},
		{"2001:db8::1", "2001:db8::1", ""},
		{"1.2.3.4", "1.2.3.4", ""},
	} {
		a, p := SplitAddr([]byte(tc.in))
		if string(a) != tc.addr || string(p) != tc.port {
			t.Errorf("%s: %q %q", tc.in, a, p)
		}
	}
	b := []byte(`date=2024-10-14 tz="-0700" msg="a b \"c\"" flag user=`)
	var got []string
	for {
		k, v, rest, eq, ok := NextKV(b)
		if !ok {
			break
		}
		b = rest
		got = append(got, string(k)+"|"+string(v)+"|"+map[bool]string{true: "=", false: ""}[eq])
	}
	want := []string{"date|2024-10-14|=", "tz|-0700|=", `msg|a b \"c\"|=`, "flag||", "user||="}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d: %q, want %q", i, got[i], want[i])
		}
	}
	if s, ok := Span([]byte("x")[:1], []byte("y")); ok {
		t.Errorf("span of unrelated slices: %q", s)
	}
	if string(UnmapIPv4([]byte("::ffff:192.0.2.1"))) != "192.0.2.1" || string(UnmapIPv4([]byte("::1"))) != "::1" {
		t.Error("UnmapIPv4")
	}
}

func FuzzDevlog(f *testing.F) {
	f.Add([]byte("Mar 11 2026 10:00:00 UTC: x"))
	f.Add([]byte(`a=1 b="2 3" c`))
	f.Add([]byte("Nov 2 15:40:14 h p[1]: m"))
	in := &parsers.Input{ZoneSource: "fuzz"}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := NewState(in, 2026)
		s.Stamp(b)
		var h syslog.Header
		s.Header(b, &h)
		rest := b
		for i := 0; i < 1000; i++ {
			_, _, r, _, ok := NextKV(rest)
			if !ok {
				break
			}
			if len(r) >= len(rest) {
				t.Fatalf("NextKV made no progress on %q", rest)
			}
			rest = r
		}
		SplitAddr(b)
		IsIP(b)
	})
}

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		hits, lines int
		named       bool
		want        int
	}{
		{0, 0, true, 0}, {0, 30, true, 0}, {30, 30, false, 95}, {30, 30, true, 96}, {15, 30, false, 92}, {10, 30, true, 26}, {1, 30, false, 2},
	} {
		if got := Score(tc.hits, tc.lines, tc.named); got != tc.want {
			t.Errorf("Score(%d, %d, %v) = %d, want %d", tc.hits, tc.lines, tc.named, got, tc.want)
		}
	}
}
