package accesslog_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/accesslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func parseFile(t testing.TB, path string) []timeline.Event {
	t.Helper()
	in := &parsers.Input{Name: path, Evidence: "E1", Host: "web", ZoneSource: "test",
		Open: func() (io.ReadCloser, error) { return os.Open(path) }}
	f, ok := parsers.Lookup(accesslog.FormatName)
	if !ok {
		t.Fatal("access-log not registered")
	}
	var c parsertest.Collect
	if err := f.Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.Events
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// TestCrowdSecAsserts checks every field CrowdSec's own parser tests assert
// for nginx, Apache and Traefik CLF lines.
func TestCrowdSecAsserts(t *testing.T) {
	cases := []struct {
		dir, log, parser string
		keys             map[string]func(ev *timeline.Event) string
	}{
		{"weblog/crowdsec/nginx_http-logs", "nginx_http-logs.log", "crowdsecurity/nginx-logs", nil},
		{"weblog/crowdsec/apache2-logs", "apache2-logs.log", "crowdsecurity/apache2-logs", nil},
		{"weblog/crowdsec/traefik_clf", "traefik_clf.log", "crowdsecurity/traefik-logs", nil},
	}
	get := map[string]func(ev *timeline.Event) string{
		"remote_addr":     func(ev *timeline.Event) string { return ev.SrcIP },
		"clientip":        func(ev *timeline.Event) string { return ev.SrcIP },
		"remote_user":     func(ev *timeline.Event) string { return ev.User },
		"auth":            func(ev *timeline.Event) string { return ev.User },
		"request":         func(ev *timeline.Event) string { return ev.URL },
		"verb":            func(ev *timeline.Event) string { return ev.Method },
		"status":          func(ev *timeline.Event) string { return strconv.Itoa(int(ev.Status)) },
		"response":        func(ev *timeline.Event) string { return strconv.Itoa(int(ev.Status)) },
		"body_bytes_sent": func(ev *timeline.Event) string { return strconv.FormatInt(ev.Bytes, 10) },
		"bytes":           func(ev *timeline.Event) string { return strconv.FormatInt(ev.Bytes, 10) },
		"http_user_agent": func(ev *timeline.Event) string { return ev.UserAgent },
		"http_referer":    func(ev *timeline.Event) string { return parsertest.Extra(ev, "referer") },
		"referrer":        func(ev *timeline.Event) string { return parsertest.Extra(ev, "referer") },
		"http_version":    func(ev *timeline.Event) string { return strings.TrimPrefix(parsertest.Extra(ev, "proto"), "HTTP/") },
		"httpversion":     func(ev *timeline.Event) string { return strings.TrimPrefix(parsertest.Extra(ev, "proto"), "HTTP/") },
		"time_local":      func(ev *timeline.Event) string { return ev.TimeOrig },
		"timestamp":       func(ev *timeline.Event) string { return ev.TimeOrig },
		"target_fqdn":     func(ev *timeline.Event) string { return parsertest.Extra(ev, "vhost") },
		"port":            func(ev *timeline.Event) string { return parsertest.Extra(ev, "vhost_port") },
	}
	for _, tc := range cases {
		t.Run(tc.parser, func(t *testing.T) {
			dir := corpus.Path(t, tc.dir)
			events := parseFile(t, dir+"/"+tc.log)
			want := corpus.ReadAsserts(t, dir+"/parser.assert")["s01-parse"][tc.parser]
			if len(want) == 0 {
				t.Fatal("no s01-parse assertions found")
			}
			checked := 0
			for idx, fields := range want {
				if idx >= len(events) {
					t.Fatalf("assertion for line %d, file has %d", idx+1, len(events))
				}
				ev := &events[idx]
				if fields["Success"] != "true" || fields["verb"] == "" || fields["loglevel"] != "" {
					// CrowdSec did not parse it as an access line (an error
					// log line): it must be kept raw here.
					if ev.Source != timeline.SourceRaw {
						t.Errorf("line %d: parsed as %s, CrowdSec says it is not an access line", idx+1, ev.Source)
					}
					continue
				}
				if ev.Source != accesslog.FormatName {
					t.Errorf("line %d: not parsed: %q", idx+1, ev.Raw)
					continue
				}
				for key, v := range fields {
					fn := get[key]
					if fn == nil {
						continue
					}
					switch key {
					case "remote_user", "auth", "http_user_agent", "http_referer", "referrer":
						v = dash(v)
					case "status", "response", "body_bytes_sent", "bytes":
						if v == "-" { // no status / no body: stored as 0
							v = "0"
						}
					}
					if got := fn(ev); got != v {
						t.Errorf("line %d %s: got %q, want %q", idx+1, key, got, v)
					}
					checked++
				}
			}
			if checked < 20 {
				t.Fatalf("only %d field assertions checked", checked)
			}
		})
	}
}

// TestLnavShopReport checks the figures of lnav's access-log report on 1000
// real nginx lines with a +0330 offset and a trailing X-Forwarded-For field.
func TestLnavShopReport(t *testing.T) {
	events := parseFile(t, corpus.Path(t, "weblog/lnav/logfile_shop_access_log.0"))
	var requests int
	var bytesSent int64
	visitors := map[string]bool{}
	notFound := map[string]bool{} // lnav lists not-found URLs by path, without the query
	for _, ev := range events {
		if ev.Source != accesslog.FormatName {
			t.Fatalf("line %d unparsed: %q", ev.Line, ev.Raw)
		}
		requests++
		visitors[ev.SrcIP+"\x00"+ev.UserAgent] = true
		if ev.Status == 404 {
			path, _, _ := strings.Cut(ev.URL, "?")
			notFound[path] = true
		}
		bytesSent += ev.Bytes
	}
	// lnav: "1000 Total requests", "110 Unique visitors", "15 Not found", "19.0MB Tx. amount".
	if requests != 1000 || len(visitors) != 110 || len(notFound) != 15 {
		t.Errorf("requests %d visitors %d not found %d; want 1000 110 15", requests, len(visitors), len(notFound))
	}
	if mb := float64(bytesSent) / 1e6; mb < 18.95 || mb >= 19.05 { // lnav's MB is 10^6 bytes
		t.Errorf("bytes %.2f MB, want 19.0MB", mb)
	}
	first := events[0]
	// 22/Jan/2019:03:56:14 +0330 is 00:26:14 UTC.
	if got := first.UTC(); !got.Equal(time.Date(2019, 1, 22, 0, 26, 14, 0, time.UTC)) || first.Zone != "+0330" {
		t.Errorf("first time %v zone %q", got, first.Zone)
	}
}

func TestLines(t *testing.T) {
	cases := []struct {
		name, line string
		ok         bool
		check      func(t *testing.T, ev *timeline.Event)
	}{
		{"combined +0900", `203.0.113.9 - alice [02/Jan/2026:08:00:01 +0900] "POST /login?next=%2F HTTP/2.0" 302 0 "https://shop.example/" "curl/8.5.0"`, true,
			func(t *testing.T, ev *timeline.Event) {
				if !ev.UTC().Equal(time.Date(2026, 1, 1, 23, 0, 1, 0, time.UTC)) || ev.Zone != "+0900" || ev.TimeOrig != "02/Jan/2026:08:00:01 +0900" {
					t.Errorf("time %v zone %q orig %q", ev.UTC(), ev.Zone, ev.TimeOrig)
				}
				if ev.User != "alice" || ev.Method != "POST" || ev.URL != "/login?next=%2F" || ev.Status != 302 || ev.Bytes != 0 || ev.Action != timeline.ActionModify {
					t.Errorf("fields %+v", ev)
				}
			}},
		{"common (no referer/agent), bytes -", `10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] "GET / HTTP/1.0" 304 -`, true,
			func(t *testing.T, ev *timeline.Event) {
				if ev.Bytes != 0 || ev.UserAgent != "" || ev.Status != 304 {
					t.Errorf("fields %+v", ev)
				}
			}},
		{"trailing xff and request time", `10.0.0.2 - - [13/Jan/2016:19:31:16 -0500] "GET /a HTTP/1.1" 200 5 "-" "ua" "198.51.100.7, 10.0.0.9" 0.004`, true,
			func(t *testing.T, ev *timeline.Event) {
				if parsertest.Extra(ev, "x_forwarded_for") != "198.51.100.7, 10.0.0.9" || parsertest.Extra(ev, "trailer") != "0.004" {
					t.Errorf("extras %v", ev.Extra)
				}
				if !ev.UTC().Equal(time.Date(2016, 1, 14, 0, 31, 16, 0, time.UTC)) {
					t.Errorf("time %v", ev.UTC())
				}
			}},
		{"leading vhost with port", `shop.example:443 10.0.0.3 - - [13/Jan/2016:19:31:16 +0000] "GET /b HTTP/1.1" 200 5 "-" "ua"`, true,
			func(t *testing.T, ev *timeline.Event) {
				if parsertest.Extra(ev, "vhost") != "shop.example" || parsertest.Extra(ev, "vhost_port") != "443" || ev.SrcIP != "10.0.0.3" {
					t.Errorf("fields %+v", ev)
				}
			}},
		{"ipv6 client", `2001:db8::1 - - [13/Jan/2016:19:31:16 +0000] "GET /c HTTP/1.1" 200 5 "-" "ua"`, true,
			func(t *testing.T, ev *timeline.Event) {
				if ev.SrcIP != "2001:db8::1" {
					t.Errorf("src %q", ev.SrcIP)
				}
			}},
		{"escaped quotes in agent", `10.0.0.4 - - [13/Jan/2016:19:31:16 +0000] "GET /d HTTP/1.1" 200 5 "-" "a \"quoted\" agent"`, true,
			func(t *testing.T, ev *timeline.Event) {
				if ev.UserAgent != `a \"quoted\" agent` {
					t.Errorf("ua %q", ev.UserAgent)
				}
			}},
		{"binary garbage request kept in message", `10.0.0.5 - - [13/Jan/2016:19:31:16 +0000] "\x16\x03\x01" 400 157 "-" "-"`, true,
			func(t *testing.T, ev *timeline.Event) {
				if ev.Method != "" || ev.Message != `\x16\x03\x01` || ev.Status != 400 {
					t.Errorf("fields %+v", ev)
				}
			}},
		{"fractional seconds", `10.0.0.6 - - [13/Jan/2016:19:31:16.250 +0000] "GET / HTTP/1.1" 200 1`, true,
			func(t *testing.T, ev *timeline.Event) {
				if ev.Time%1e9 != 250e6 {
					t.Errorf("nsec %d", ev.Time%1e9)
				}
			}},
		{"bad month", `10.0.0.1 - - [13/Foo/2016:19:31:16 +0000] "GET / HTTP/1.0" 200 1`, false, nil},
		{"Feb 30", `10.0.0.1 - - [30/Feb/2016:19:31:16 +0000] "GET / HTTP/1.0" 200 1`, false, nil},
		{"no status", `10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] "GET / HTTP/1.0"`, false, nil},
		{"unterminated request", `10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] "GET / HTTP/1.0 200 1`, false, nil},
		{"nginx error log", `2021/12/01 13:53:33 [error] 31#31: *46 open() failed, client: 172.17.0.1`, false, nil},
		{"empty", ``, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p accesslog.Parser
			var ev timeline.Event
			ev.Reset()
			if ok := p.Parse([]byte(tc.line), &ev); ok != tc.ok {
				t.Fatalf("Parse = %v, want %v", ok, tc.ok)
			}
			if tc.check != nil {
				tc.check(t, &ev)
			}
		})
	}
}

// TestUnparsedKept: malformed lines become unparsed events with their bytes,
// numbered, and the good lines around them still parse.
func TestUnparsedKept(t *testing.T) {
	path := corpus.Path(t, "weblog/lnav/logfile_bad_access_log.0")
	events := parseFile(t, path)
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(events) != len(lines) {
		t.Fatalf("%d events for %d lines", len(events), len(lines))
	}
	unparsed := 0
	for i, ev := range events {
		if ev.Line != int64(i+1) {
			t.Errorf("event %d has line %d", i, ev.Line)
		}
		if ev.Source == timeline.SourceRaw {
			unparsed++
			if string(ev.Raw) != lines[i] {
				t.Errorf("line %d raw %q, want %q", i+1, ev.Raw, lines[i])
			}
		}
	}
	// Line 2 lacks the ident and user fields: "192.168.202.254 [20/Jul/2009...".
	// It still has an address, time and request, so it parses; every line of
	// this file is an access line.
	if unparsed != 0 {
		t.Errorf("%d unparsed", unparsed)
	}
}

func TestOffsets(t *testing.T) {
	data := "10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] \"GET / HTTP/1.0\" 200 1\r\nnot a line\n10.0.0.2 - - [13/Jan/2016:19:31:17 +0000] \"GET / HTTP/1.0\" 200 1"
	in := &parsers.Input{Name: "x", ZoneSource: "test"}
	var c parsertest.Collect
	if err := accesslog.ParseReader(context.Background(), strings.NewReader(data), in, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) != 3 {
		t.Fatalf("%d events", len(c.Events))
	}
	wantOff := []int64{0, int64(strings.Index(data, "not")), int64(strings.Index(data, "10.0.0.2"))}
	for i, ev := range c.Events {
		if ev.Offset != wantOff[i] || ev.Line != int64(i+1) {
			t.Errorf("event %d: offset %d line %d, want %d %d", i, ev.Offset, ev.Line, wantOff[i], i+1)
		}
	}
	if c.Events[1].Source != timeline.SourceRaw || c.Events[1].Time != c.Events[0].Time {
		t.Errorf("unparsed line should sit at the previous time: %+v", c.Events[1])
	}
}

func TestDetect(t *testing.T) {
	head, _ := os.ReadFile(corpus.Path(t, "weblog/crowdsec/apache2-logs/apache2-logs.log"))
	best := parsers.Detect("access.log", head)
	if len(best) == 0 || best[0].Format.Name != accesslog.FormatName {
		t.Fatalf("detect: %v", best)
	}
	syslogHead, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	f, _ := parsers.Lookup(accesslog.FormatName)
	if s := f.Detect("syslog", syslogHead); s != 0 {
		t.Errorf("access-log claims a syslog file with score %d", s)
	}
}

func FuzzParse(f *testing.F) {
	sc := bufio.NewScanner(strings.NewReader(`10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] "GET / HTTP/1.0" 200 1 "-" "ua"
shop:80 10.0.0.3 - - [13/Jan/2016:19:31:16.5 +0000] "GET /b HTTP/1.1" 200 5 "-" "ua" "xff" 1
x [ ] "`))
	for sc.Scan() {
		f.Add(sc.Bytes())
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var p accesslog.Parser
		var ev timeline.Event
		ev.Reset()
		p.Parse(line, &ev)
		in := &parsers.Input{Name: "fuzz"}
		var c parsertest.Collect
		if err := accesslog.ParseReader(context.Background(), bytes.NewReader(line), in, &c); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkParse measures parsing real nginx lines (the lnav shop log's
// 1000 lines, 50 times over).
//
//	go test ./parsers/accesslog -run - -bench Parse -benchmem
func BenchmarkParse(b *testing.B) {
	one, err := os.ReadFile(corpus.Path(b, "weblog/lnav/logfile_shop_access_log.0"))
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat(one, 50)
	in := &parsers.Input{Name: "bench"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var d parsertest.Discard
	for b.Loop() {
		if err := accesslog.ParseReader(context.Background(), bytes.NewReader(data), in, &d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.N)/b.Elapsed().Seconds(), "lines/s")
}
