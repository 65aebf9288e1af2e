package logformat

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/webtest"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// nginx's predefined "combined" format (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format).
const nginxCombined = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

func opts(f string) map[string]string { return map[string]string{Option: f} }

// lnav's access log report for logfile_shop_access_log.0: 1000 requests,
// 0 invalid, 110 unique visitors (address and agent), 15 not found, 19.0MB sent.
func TestShopLogLnavReport(t *testing.T) {
	// The shop log adds X-Forwarded-For after the combined fields; pasted as
	// the whole nginx statement.
	stmt := "log_format main '" + nginxCombined + "'\n    ' \"$http_x_forwarded_for\"';"
	evs := webtest.RunFile(t, Source, corpus.Path(t, "weblog/lnav/logfile_shop_access_log.0"), opts(stmt))
	if len(evs) != 1000 {
		t.Fatalf("%d events", len(evs))
	}
	webtest.ParseRate(t, "logfile_shop_access_log.0", evs)
	visitors := map[string]bool{}
	notFound := map[string]bool{} // lnav counts the paths not found
	var sent int64
	for i := range evs {
		ev := &evs[i]
		visitors[ev.SrcIP+"\x00"+ev.UserAgent] = true
		if ev.Status == 404 {
			path, _, _ := strings.Cut(ev.URL, "?")
			notFound[path] = true
		}
		if ev.Bytes > 0 {
			sent += ev.Bytes
		}
	}
	if len(visitors) != 110 || len(notFound) != 15 {
		t.Errorf("visitors %d (lnav 110), not found %d (lnav 15)", len(visitors), len(notFound))
	}
	if mb := float64(sent) / 1e6; mb < 18.95 || mb >= 19.05 {
		t.Errorf("sent %.2f MB, lnav 19.0MB", mb)
	}
	ev := &evs[0]
	if ev.SrcIP != "54.36.149.41" || webtest.RFC3339(ev) != "2019-01-22T00:26:14Z" || ev.Zone != "+0330" || ev.TimeOrig != "22/Jan/2019:03:56:14 +0330" ||
		ev.Method != "GET" || !strings.HasPrefix(ev.URL, "/filter/27|13%20%D9%85") || ev.Status != 200 || ev.Bytes != 30577 ||
		ev.UserAgent != "Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)" || ev.Source != Source || ev.Action != timeline.ActionRead {
		t.Errorf("%+v", *ev)
	}
	if v, _ := webtest.Extra(ev, "proto"); v != "HTTP/1.1" {
		t.Errorf("proto %q", v)
	}
	if _, ok := webtest.Extra(ev, "x_forwarded_for"); ok {
		t.Errorf("a '-' X-Forwarded-For must be absent")
	}
	if v, _ := webtest.Extra(&evs[1], "referer"); v != "https://www.zanbil.ir/m/filter/b113" {
		t.Errorf("referer %q", v)
	}
}

// CrowdSec's nginx sample mixes layouts: the combined lines must give the
// values CrowdSec asserts; the others (a vhost prefix, a missing field, an
// error log line) must come out as unparsed events, not disappear.
func TestCrowdSecNginx(t *testing.T) {
	dir := corpus.Path(t, "weblog/crowdsec/nginx_http-logs")
	evs := webtest.RunFile(t, Source, filepath.Join(dir, "nginx_http-logs.log"), opts(nginxCombined))
	want := webtest.Asserts(t, filepath.Join(dir, "parser.assert"), "s01-parse", "crowdsecurity/nginx-logs")
	if len(evs) != 9 {
		t.Fatalf("%d events", len(evs))
	}
	// CrowdSec result indexes follow the lines it parsed; match them by message.
	lines := strings.Split(strings.TrimRight(string(mustRead(t, filepath.Join(dir, "nginx_http-logs.log"))), "\n"), "\n")
	checked := 0
	for _, w := range want {
		if w["remote_addr"] == "" || w["target_fqdn"] != "" || w["time_local"] == "" {
			continue
		}
		idx := -1
		for i, l := range lines {
			if l == w["message"] {
				idx = i
			}
		}
		if idx < 0 || !strings.HasPrefix(w["message"], w["remote_addr"]+" - ") {
			continue
		}
		ev := &evs[idx]
		if ev.Source != Source {
			continue // CrowdSec's grok also takes lines without $remote_user; this format does not
		}
		got := map[string]string{
			"remote_addr": ev.SrcIP, "remote_user": ev.User, "time_local": ev.TimeOrig, "verb": ev.Method, "request": ev.URL,
			"status": strconv.Itoa(int(ev.Status)), "body_bytes_sent": strconv.FormatInt(ev.Bytes, 10), "http_user_agent": ev.UserAgent,
		}
		got["http_referer"], _ = webtest.Extra(ev, "referer")
		proto, _ := webtest.Extra(ev, "proto")
		got["http_version"] = strings.TrimPrefix(proto, "HTTP/")
		for k, v := range got {
			wv := w[k]
			if wv == "-" {
				wv = ""
			}
			if v != wv {
				t.Errorf("line %d: %s = %q, crowdsec %q", idx+1, k, v, wv)
			}
		}
		checked++
	}
	if checked < 4 {
		t.Errorf("only %d crowdsec results compared", checked)
	}
	for _, i := range []int{3, 4, 5, 7, 8} {
		if evs[i].Source != timeline.SourceRaw || len(evs[i].Raw) == 0 {
			t.Errorf("line %d should be unparsed: %+v", i+1, evs[i])
		}
	}
	// With the vhost in front ($host), the vhost lines parse.
	vh := webtest.RunFile(t, Source, filepath.Join(dir, "nginx_http-logs.log"), opts("$host "+nginxCombined))
	if v, _ := webtest.Extra(&vh[3], "vhost"); v != "www.crowdsec.net" || vh[3].SrcIP != "192.168.1.1" || vh[3].URL != "/solr/admin/info/system?wt=json" {
		t.Errorf("vhost line: %+v", vh[3])
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Apache's combined format as it appears in httpd.conf
// (https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats),
// over CrowdSec's apache2 sample and plaso's apache_access.log.
const apacheCombined = `LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"" combined`

func TestApacheCombined(t *testing.T) {
	evs := webtest.RunFile(t, Source, corpus.Path(t, "weblog/plaso/apache_access.log"), opts(apacheCombined))
	if len(evs) != 15 {
		t.Fatalf("%d events", len(evs))
	}
	parsed := 0
	for i := range evs {
		if evs[i].Source == Source {
			parsed++
		}
	}
	// Line 1 is common log format (no referer/agent); plaso's sample holds a few
	// lines in other layouts too.
	t.Logf("plaso apache_access.log: %d of %d lines in the combined format", parsed, len(evs))
	ev := &evs[1]
	if ev.SrcIP != "10.1.1.2" || webtest.RFC3339(ev) != "2016-01-13T19:31:17Z" || ev.Method != "GET" || ev.URL != "/wp-content/themes/darkmode/evil.php" ||
		ev.Status != 200 || ev.Bytes != 1063 || !strings.HasPrefix(ev.UserAgent, "Mozilla/5.0 (Macintosh;") {
		t.Errorf("%+v", *ev)
	}
	if evs[4].Zone != "+0200" || webtest.RFC3339(&evs[4]) != "2016-01-13T17:31:20Z" {
		t.Errorf("offset: %+v", evs[4])
	}
	if evs[0].Source != timeline.SourceRaw {
		t.Errorf("a common-format line is not combined: %+v", evs[0])
	}
	// The same data with Apache's common format reads line 1.
	common := webtest.RunFile(t, Source, corpus.Path(t, "weblog/plaso/apache_access.log"), opts(`%h %l %u %t "%r" %>s %b`))
	if common[0].Source != Source || common[0].URL != "/wp-content/themes/darkmode/header.php?install2" || common[0].Bytes != 494 {
		t.Errorf("common: %+v", common[0])
	}
}

// Formats with other fields: the list, and times other than $time_local.
func TestFields(t *testing.T) {
	cases := []struct {
		name, format, line string
		check              func(t *testing.T, ev *timeline.Event)
	}{
		{"xff-iso-request_time", `$remote_addr [$time_iso8601] "$request" $status $bytes_sent $request_time "$http_x_forwarded_for" $host:$server_port $upstream_addr`,
			`10.0.0.5 [2026-03-01T09:00:01+09:00] "POST /cart/checkout?id=7 HTTP/2.0" 302 1234 0.042 "203.0.113.50, 10.0.0.1" shop.example.jp:443 10.0.1.2:8080`,
			func(t *testing.T, ev *timeline.Event) {
				if ev.SrcIP != "10.0.0.5" || webtest.RFC3339(ev) != "2026-03-01T00:00:01Z" || ev.Zone != "+0900" || ev.Method != "POST" || ev.Action != timeline.ActionModify ||
					ev.URL != "/cart/checkout?id=7" || ev.Status != 302 || ev.DstPort != 443 || ev.Bytes != timeline.Absent {
					t.Errorf("%+v", *ev)
				}
				for k, v := range map[string]string{"client_ip": "203.0.113.50", "x_forwarded_for": "203.0.113.50, 10.0.0.1", "request_time": "0.042",
					"vhost": "shop.example.jp", "bytes_sent": "1234", "upstream_addr": "10.0.1.2:8080", "proto": "HTTP/2.0"} {
					if got, _ := webtest.Extra(ev, k); got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
			}},
		{"msec", `$msec $remote_addr $request_method $uri?$args $status`, `1573840000.123 192.0.2.1 DELETE /api/items/9?force=1 204`,
			func(t *testing.T, ev *timeline.Event) {
				if webtest.RFC3339(ev) != "2019-11-15T17:46:40.123Z" || ev.Zone != "UTC" || ev.Action != timeline.ActionDelete || ev.URL != "/api/items/9?force=1" || ev.Status != 204 {
					t.Errorf("%+v", *ev)
				}
			}},
		{"apache-strftime-local", `%{%Y-%m-%d %H:%M:%S}t %a %u "%m %U%q %H" %>s %B %D "%{X-Forwarded-For}i" %v`,
			`2026-01-02 03:04:05 192.0.2.7 alice "GET /a/b?c=d HTTP/1.1" 200 512 1500 "198.51.100.1" www.example.com`,
			func(t *testing.T, ev *timeline.Event) {
				// No zone in the format: the case's zone (Asia/Tokyo in this test).
				if webtest.RFC3339(ev) != "2026-01-01T18:04:05Z" || ev.Zone != "Asia/Tokyo (manifest)" || ev.User != "alice" || ev.URL != "/a/b?c=d" || ev.Bytes != 512 {
					t.Errorf("%+v", *ev)
				}
				for k, v := range map[string]string{"client_ip": "198.51.100.1", "request_time_us": "1500", "vhost": "www.example.com", "proto": "HTTP/1.1"} {
					if got, _ := webtest.Extra(ev, k); got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
			}},
		{"apache-escaped-quote", `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`,
			`192.0.2.9 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.0" 200 2326 "-" "evil \"agent\" 1.0"`,
			func(t *testing.T, ev *timeline.Event) {
				if ev.UserAgent != `evil \"agent\" 1.0` || webtest.RFC3339(ev) != "2000-10-10T20:55:36Z" {
					t.Errorf("%+v", *ev)
				}
			}},
		{"ipv6-port", `$remote_addr:$remote_port [$time_local] "$request" $status $body_bytes_sent`,
			`2001:db8::7:51234 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5`,
			func(t *testing.T, ev *timeline.Event) {
				if ev.SrcIP != "2001:db8::7" || ev.SrcPort != 51234 || ev.Bytes != 5 {
					t.Errorf("%+v", *ev)
				}
			}},
		{"apache-no-body", `%h %l %u %t "%r" %>s %b`, `192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "HEAD / HTTP/1.0" 304 -`,
			func(t *testing.T, ev *timeline.Event) {
				if ev.Bytes != 0 || ev.Status != 304 {
					t.Errorf("%+v", *ev)
				}
			}},
		{"nginx-json", "log_format json escape=json '{\"t\":\"$time_iso8601\",\"ip\":\"$remote_addr\",\"req\":\"$request\",\"st\":$status,\"ua\":\"$http_user_agent\"}';",
			`{"t":"2026-01-02T03:04:05+00:00","ip":"192.0.2.8","req":"GET /q?a=\"b\" HTTP/1.1","st":200,"ua":"x \"y\""}`,
			func(t *testing.T, ev *timeline.Event) {
				if ev.SrcIP != "192.0.2.8" || ev.URL != `/q?a=\"b\"` || ev.UserAgent != `x \"y\"` || ev.Status != 200 || webtest.RFC3339(ev) != "2026-01-02T03:04:05Z" {
					t.Errorf("%+v", *ev)
				}
			}},
		{"tls-garbage-request", nginxCombined, `192.0.2.3 - - [10/Oct/2000:13:55:36 -0700] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-"`,
			func(t *testing.T, ev *timeline.Event) {
				if ev.Method != "" || ev.Status != 400 {
					t.Errorf("%+v", *ev)
				}
				if !strings.HasPrefix(ev.Message, `\x16\x03`) {
					t.Errorf("message %q", ev.Message)
				}
			}},
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := parsers.Lookup(Source)
			in := webtest.Input("x.log", []byte(c.line+"\n"), opts(c.format), nil)
			in.Zone, in.ZoneSource = tokyo, "manifest"
			var s webtest.Sink
			if err := f.Parse(t.Context(), in, &s); err != nil {
				t.Fatal(err)
			}
			if len(s.Events) != 1 || s.Events[0].Source != Source {
				t.Fatalf("%+v", s.Events)
			}
			c.check(t, &s.Events[0])
			var ev timeline.Event
			if !f.ParseLine([]byte(c.line), in, &ev) || ev.Time != s.Events[0].Time {
				t.Errorf("ParseLine: %+v", ev)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, f := range []string{"", "$remote_addr $status", "$remote_addr$remote_user [$time_local]", "%h %Q %t", "${unclosed [$time_local]"} {
		if _, err := Compile(f); err == nil {
			t.Errorf("%q compiled", f)
		}
	}
	f, _ := parsers.Lookup(Source)
	if err := f.Parse(t.Context(), webtest.Input("x", []byte("a\n"), nil, nil), &webtest.Sink{}); err == nil {
		t.Error("parse without log_format must fail")
	}
	if f.Detect("access.log", []byte("192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n")) != 0 {
		t.Error("detection cannot see the option: it must not claim files")
	}
}

// BenchmarkNginxCombined parses lnav's shop log (real traffic) with the
// combined format plus X-Forwarded-For.
//
//	go test ./parsers/logformat -run '^$' -bench . -benchtime 2s
func BenchmarkNginxCombined(b *testing.B) {
	src, err := os.ReadFile(corpus.Path(b, "weblog/lnav/logfile_shop_access_log.0"))
	if err != nil {
		b.Fatal(err)
	}
	webtest.Bench(b, Source, bytes.Repeat(src, 50), opts(nginxCombined+` "$http_x_forwarded_for"`))
}

func FuzzLogFormat(f *testing.F) {
	f.Add(nginxCombined, []byte(`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl"`))
	f.Add(`%{%d/%b/%Y %T %z}t %h "%r"`, []byte(`10/Oct/2000 13:55:36 -0700 1.2.3.4 "GET / HTTP/1.1"`))
	f.Add(`$msec $remote_addr`, []byte("1573840000.123 ::1\n\n\x00"))
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		p, _ := parsers.Lookup(Source)
		in := webtest.Input("fuzz", data, opts(format), nil)
		var sink webtest.Discard
		_ = p.Parse(t.Context(), in, &sink) // a bad format is an error, never a panic
		var ev timeline.Event
		p.ParseLine(data, in, &ev)
	})
}

// FuzzLogFormatLine compiles the format and matches one line, without
// ScanLines' buffer: many inputs a second.
func FuzzLogFormatLine(f *testing.F) {
	f.Add(nginxCombined, []byte(`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl"`))
	f.Add(`%U%q %{%e %b %Y %s}t`, []byte(`/a?b  1 Jan 2020 1577836800`))
	f.Fuzz(func(t *testing.T, format string, line []byte) {
		c, err := Compile(format)
		if err != nil {
			return
		}
		m := newMatcher(c, webtest.Input("fuzz", nil, nil, nil))
		var ev timeline.Event
		ev.Reset()
		m.line(line, &ev)
	})
}
