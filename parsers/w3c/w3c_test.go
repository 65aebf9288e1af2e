package w3c

import (
	"bytes"
	"compress/gzip"
	"io"
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

// cloudFrontValue returns what our event holds for a CrowdSec aws-cloudfront
// field name, and whether CrowdSec's value is one we record ("-" is absent).
func cloudFrontValue(ev *timeline.Event, key string) (string, bool) {
	switch key {
	case "c_ip":
		return ev.SrcIP, ev.SrcIP != ""
	case "c_port":
		return strconv.Itoa(int(ev.SrcPort)), ev.SrcPort != 0
	case "cs_method":
		return ev.Method, ev.Method != ""
	case "sc_status":
		return strconv.Itoa(int(ev.Status)), ev.Status != 0
	case "sc_bytes":
		return strconv.FormatInt(ev.Bytes, 10), ev.Bytes != timeline.Absent
	case "cs_user_agent":
		return ev.UserAgent, ev.UserAgent != ""
	case "cs_uri_stem":
		stem, _, _ := strings.Cut(ev.URL, "?")
		return stem, stem != ""
	case "cs_uri_query":
		_, q, ok := strings.Cut(ev.URL, "?")
		return q, ok
	}
	ours := map[string]string{
		"cs_host": "vhost", "cs_referer": "referer", "cs_protocol_version": "proto",
		"x_forwarded_for": "x_forwarded_for", "cs_cookie": "cs(Cookie)",
	}[key]
	if ours == "" {
		ours = strings.ReplaceAll(key, "_", "-")
	}
	return webtest.Extra(ev, ours)
}

func TestCloudFrontCrowdSec(t *testing.T) {
	dir := corpus.Path(t, "cdn/crowdsec/aws-cloudfront-logs")
	evs := webtest.RunFile(t, "cloudfront", filepath.Join(dir, "aws-cloudfront-logs.log"), nil)
	want := webtest.Asserts(t, filepath.Join(dir, "parser.assert"), "s01-parse", "crowdsecurity/aws-cloudfront")
	if len(evs) != len(want) || len(want) != 2 {
		t.Fatalf("got %d events, crowdsec asserts %d results", len(evs), len(want))
	}
	for i, w := range want {
		ev := &evs[i]
		if ev.Source != "cloudfront" {
			t.Fatalf("event %d: source %q (%s)", i, ev.Source, ev.Message)
		}
		checked := 0
		for key, wv := range w {
			if webtest.MetaKeys[key] {
				continue
			}
			switch key {
			case "year", "month", "day", "time":
				ts := ev.UTC()
				got := map[string]string{"year": ts.Format("2006"), "month": ts.Format("01"), "day": ts.Format("02"), "time": ts.Format("15:04:05")}[key]
				if got != wv {
					t.Errorf("event %d: %s = %q, crowdsec %q", i, key, got, wv)
				}
				checked++
				continue
			}
			got, has := cloudFrontValue(ev, key)
			if wv == "-" {
				if has {
					t.Errorf("event %d: %s = %q, crowdsec says absent", i, key, got)
				}
			} else if got != wv {
				t.Errorf("event %d: %s = %q, crowdsec %q", i, key, got, wv)
			}
			checked++
		}
		if checked < 30 {
			t.Errorf("event %d: only %d crowdsec fields checked", i, checked)
		}
		// Meta: the normalised view.
		if got := ev.URL; got != w["http_path"] {
			t.Errorf("event %d: URL %q, crowdsec http_path %q", i, got, w["http_path"])
		}
		if ev.SrcIP != w["source_ip"] || ev.Method != w["http_verb"] || strconv.Itoa(int(ev.Status)) != w["http_status"] {
			t.Errorf("event %d: meta mismatch", i)
		}
		// CrowdSec dateparse-enrich: 2024-03-12T15:22:28Z.
		if got := webtest.RFC3339(ev); got != "2024-03-12T15:22:28Z" {
			t.Errorf("event %d: time %s", i, got)
		}
		if ev.Zone != "UTC" || ev.TimeDesc != timeline.TimeRequest || ev.Action != timeline.ActionRead {
			t.Errorf("event %d: zone %q desc %q action %q", i, ev.Zone, ev.TimeDesc, ev.Action)
		}
		if ev.Line != int64(i+1) || ev.RefPath == "" || ev.Evidence == "" {
			t.Errorf("event %d: reference %+v", i, ev.Ref())
		}
	}
	webtest.ParseRate(t, "aws-cloudfront-logs.log", evs)
}

// awsDocExample is the example log file of the CloudFront developer guide,
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
// (first two lines of its body).
const awsDocExample = "#Version: 1.0\n" +
	"#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n" +
	"2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-\n" +
	"2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tk6WGMNkEzR5BEM_SaF47gjtX9zBDO2m349OY2an0QPEaUum1ZOLrow==\td111111abcdef8.cloudfront.net\thttps\t23\t0.000\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.000\tHit\ttext/html\t78\t-\t-\n"

func TestCloudFrontAWSDocExample(t *testing.T) {
	for _, format := range []string{"cloudfront", "w3c"} {
		evs := webtest.Run(t, format, "E2EXAMPLE.2019-12-04-21.a1b2c3d4", []byte(awsDocExample), nil)
		if len(evs) != 2 {
			t.Fatalf("%s: %d events, want 2 (headers are not events)", format, len(evs))
		}
		ev := &evs[0]
		const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36"
		if ev.Source != "cloudfront" || webtest.RFC3339(ev) != "2019-12-04T21:02:31Z" || ev.TimeOrig != "2019-12-04 21:02:31" ||
			ev.SrcIP != "192.0.2.100" || ev.SrcPort != 11040 || ev.Method != "GET" || ev.URL != "/index.html" ||
			ev.Status != 200 || ev.Bytes != 392 || ev.UserAgent != ua || ev.Line != 3 || ev.Offset != int64(strings.Index(awsDocExample, "2019")) {
			t.Errorf("%s: event %+v", format, *ev)
		}
		for k, v := range map[string]string{"x-edge-location": "LAX1", "x-edge-result-type": "Hit", "x-host-header": "d111111abcdef8.cloudfront.net",
			"cs-protocol": "https", "time-taken": "0.001", "proto": "HTTP/2.0", "x-edge-request-id": "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
			"vhost": "d111111abcdef8.cloudfront.net", "sc-content-type": "text/html"} {
			if got, _ := webtest.Extra(ev, k); got != v {
				t.Errorf("%s: extra %s = %q, want %q", format, k, got, v)
			}
		}
		if _, ok := webtest.Extra(ev, "referer"); ok {
			t.Errorf("%s: a '-' referer must be absent", format)
		}
	}
}

// TestCloudFrontHeaderChange: columns follow the latest #Fields, by name.
func TestCloudFrontHeaderChange(t *testing.T) {
	data := "#Version: 1.0\n#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status x-edge-location x-forwarded-for cs(Referer)\n" +
		"2024-01-02\t03:04:05\t198.51.100.7\tPOST\t/login\tuser=a%20b\t302\tNRT57-P1\t203.0.113.9,%2010.0.0.1\thttps://example.com/a%20b\n" +
		"#Fields: sc-status time date c-ip cs-method cs-uri-stem x-edge-location\n" +
		"404\t23:59:59\t2024-01-02\t2001:db8::1\tDELETE\t/x\tNRT57-P1\n"
	evs := webtest.Run(t, "cloudfront", "cf.log", []byte(data), nil)
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	a, b := &evs[0], &evs[1]
	if a.URL != "/login?user=a%20b" || a.Action != timeline.ActionModify || a.Status != 302 || webtest.RFC3339(a) != "2024-01-02T03:04:05Z" {
		t.Errorf("first: %+v", *a)
	}
	if v, _ := webtest.Extra(a, "client_ip"); v != "203.0.113.9" {
		t.Errorf("client_ip %q", v)
	}
	if v, _ := webtest.Extra(a, "referer"); v != "https://example.com/a b" {
		t.Errorf("referer %q", v)
	}
	if b.Status != 404 || b.SrcIP != "2001:db8::1" || b.Action != timeline.ActionDelete || webtest.RFC3339(b) != "2024-01-02T23:59:59Z" {
		t.Errorf("second: %+v", *b)
	}
}

// TestTabValueCount: a tab-separated line with more values than #Fields
// names keeps the rest whole, one with fewer is unparsed, and an agent that
// repeats (the decoder's cache) or collides decodes the same every time.
func TestTabValueCount(t *testing.T) {
	head := "#Fields: date time c-ip cs(User-Agent)\n"
	data := head +
		"2024-01-02\t03:04:05\t198.51.100.7\tcurl/8%20x\tsurplus\tmore\n" +
		"2024-01-02\t03:04:06\t198.51.100.7\n" +
		"2024-01-02\t03:04:07\t198.51.100.7\tcurl/8%20x\n" +
		"2024-01-02\t03:04:08\t198.51.100.7\tcurl/8%20y\n" +
		"2024-01-02\t03:04:09\t198.51.100.7\tcurl/8%20x\n"
	evs := webtest.Run(t, "cloudfront", "cf.log", []byte(data), nil)
	if len(evs) != 5 {
		t.Fatalf("%d events", len(evs))
	}
	if v, _ := webtest.Extra(&evs[0], "w3c_extra_values"); v != "surplus\tmore" || !strings.Contains(evs[0].Tags, "extra-columns") {
		t.Errorf("surplus values: %q, tags %q", v, evs[0].Tags)
	}
	if evs[1].Source != timeline.SourceRaw || evs[1].Message != "w3c: fewer values than #Fields names" {
		t.Errorf("short line: %+v", evs[1])
	}
	for i, want := range []string{"curl/8 x", "", "curl/8 x", "curl/8 y", "curl/8 x"} {
		if evs[i].UserAgent != want {
			t.Errorf("line %d: agent %q, want %q", i+2, evs[i].UserAgent, want)
		}
	}
	if strings.Contains(evs[2].Tags, "extra-columns") {
		t.Errorf("exact line tagged: %q", evs[2].Tags)
	}
}

// lnav's W3C samples (tstack/lnav test/logfile_w3c.*): values read off the files.
func TestW3CLnav(t *testing.T) {
	type want struct {
		line                      int64
		time, zone                string
		src, dst, method, url, ua string
		user                      string
		status                    int32
		bytes                     int64
		dstPort                   int32
		extra                     map[string]string
	}
	cases := []struct {
		file   string
		events int
		checks []want
	}{
		{"logfile_w3c.0", 1, []want{{line: 5, time: "2002-05-02T17:42:15Z", zone: "UTC", src: "172.22.255.255", dst: "172.30.255.255", dstPort: 80,
			method: "GET", url: "/images/picture.jpg", status: 200, bytes: -1, ua: "Mozilla/4.0 (compatible;MSIE 5.5; Windows 2000 Server)"}}},
		// Oracle Web Cache: #GMT-Offset -0800, columns separated by runs of spaces, quoted values.
		{"logfile_w3c.1", 1, []want{{line: 7, time: "2001-10-31T08:00:18Z", zone: "-0800", src: "64.103.37.2", user: "DMS.user", method: "GET",
			url: "/admin/images/oc_bottomleft.gif", status: 200, bytes: 350, ua: "Mozilla/4.5 [en] (WinNT; I)",
			extra: map[string]string{"referer": "http://www.oracle.com/nl/partner/content.html", "time-taken": "370879", "c-dns": "client_joaz7"}}}},
		// IIS 4 FTP log: time only, the date from #Date; a second header starts a new day.
		{"logfile_w3c.2", 14, []want{
			{line: 5, time: "2000-10-09T16:44:49Z", zone: "UTC", src: "1.1.1.1", method: "[2]USER", url: "anonymous", status: 331, bytes: -1},
			{line: 15, time: "2000-10-09T16:48:44Z", zone: "UTC", src: "1.1.1.1", method: "[3]QUIT", status: 226, bytes: -1},
			{line: 20, time: "2000-10-10T16:44:49Z", zone: "UTC", src: "1.1.1.1", method: "[2]USER", url: "anonymous", status: 331, bytes: -1}}},
		// IIS Advanced Logging: local time columns, blank lines, quoted values with doubled quotes.
		{"logfile_w3c.3", 3, []want{
			{line: 8, time: "2012-08-15T17:00:00.363Z", zone: "UTC (default)", src: "70.95.0.0", dst: "1.2.3.4", dstPort: 80, method: "GET", url: "/Products/theProduct", status: 200, bytes: -1,
				ua:    "Mozilla/5.0 (Linux; Android 4.4.4; SM-G900V Build/KTU84P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.59 Mobile Safari/537.36",
				extra: map[string]string{"vhost": "xzy.example.com", "TimeTakenMS": "109", "referer": "http://example.com/Search/SearchResults.pg?informationRecipient.languageCode.c=en"}},
			{line: 10, time: "2012-08-15T17:00:00.675Z", zone: "UTC (default)", src: "173.5.0.0", dst: "10.10.28.140", dstPort: 80, method: "GET", url: "/hello/world/6,681965", status: 404, bytes: -1,
				ua:    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2062.124 Safari/537.36",
				extra: map[string]string{"sc-substatus": ` "garbage" w/ spaces `}}}},
		// Incapsula: every value quoted.
		{"logfile_w3c.4", 2, []want{{line: 5, time: "2017-06-28T07:26:35Z", zone: "UTC", src: "123.123.123.123", dst: "124.124.124.124", dstPort: 80, method: "GET",
			url: "www.example.com/page.php?variable=test", status: 200, bytes: -1,
			ua:    "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/58.0.3029.110 Safari/537.36",
			extra: map[string]string{"cs-countrycode": "SE", "sc-action": "REQ_PASSED", "client_ip": "123.123.123.123", "proto": "HTTP"}}}},
		// More values than #Fields names: the named ones are read, the rest kept.
		{"logfile_w3c.5", 1, []want{{line: 2, time: "2015-01-13T00:32:17Z", zone: "UTC", dst: "100.79.192.81", method: "GET", url: "/robots.txt", bytes: -1,
			extra: map[string]string{"w3c_extra_values": "80 - 157.55.39.146 Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm) - 404 0 2 1405 242 283"}}}},
		// IIS 8.5, several headers, invalid UTF-8 in a user agent.
		{"logfile_w3c.6", 1, []want{{line: 5, time: "2015-01-13T00:32:17Z", zone: "UTC", src: "157.55.39.146", dst: "100.79.192.81", dstPort: 80, method: "GET", url: "/robots.txt", status: 404, bytes: 1405,
			extra: map[string]string{"time-taken": "283", "cs-bytes": "242", "sc-win32-status": "2"}}}},
		{"logfile_w3c_big.0", 210, []want{{line: 254, time: "2015-01-13T23:15:41Z", zone: "UTC", src: "188.165.15.50", dst: "100.79.192.81", dstPort: 80, method: "GET", url: "/robots.txt", status: 404, bytes: 1405,
			ua: "Mozilla/5.0 (compatible; AhrefsBot/5.0; +http://ahrefs.com/robot/)"}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			evs := webtest.RunFile(t, "w3c", corpus.Path(t, "cdn/lnav/"+c.file), nil)
			if len(evs) != c.events {
				t.Errorf("%d events, want %d", len(evs), c.events)
			}
			webtest.ParseRate(t, c.file, evs)
			byLine := map[int64]*timeline.Event{}
			for i := range evs {
				byLine[evs[i].Line] = &evs[i]
			}
			for _, w := range c.checks {
				ev := byLine[w.line]
				if ev == nil {
					t.Fatalf("no event for line %d", w.line)
				}
				if got := webtest.RFC3339(ev); got != w.time || ev.Zone != w.zone {
					t.Errorf("line %d: time %s %q, want %s %q", w.line, got, ev.Zone, w.time, w.zone)
				}
				if ev.Source != "w3c" || ev.SrcIP != w.src || ev.DstIP != w.dst || ev.DstPort != w.dstPort || ev.Method != w.method ||
					(w.url != "" && ev.URL != w.url) || ev.Status != w.status || ev.Bytes != w.bytes || (w.ua != "" && ev.UserAgent != w.ua) || ev.User != w.user {
					t.Errorf("line %d: got %+v\nwant %+v", w.line, *ev, w)
				}
				for k, v := range w.extra {
					if got, _ := webtest.Extra(ev, k); got != v {
						t.Errorf("line %d: extra %s = %q, want %q", w.line, k, got, v)
					}
				}
			}
		})
	}
}

// TestW3CLocalTime: date-local/time-local are read in the case's zone.
func TestW3CLocalTime(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("#Fields: date-local time-local c-ip cs-method cs-uri-stem sc-status\n2026-01-01 09:00:00 192.0.2.1 GET / 200\n")
	f, _ := parsers.Lookup("w3c")
	in := webtest.Input("x.log", data, nil, nil)
	in.Zone, in.ZoneSource = tokyo, "manifest"
	var s webtest.Sink
	if err := f.Parse(t.Context(), in, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 1 || webtest.RFC3339(&s.Events[0]) != "2026-01-01T00:00:00Z" || s.Events[0].Zone != "Asia/Tokyo (manifest)" {
		t.Fatalf("%+v", s.Events)
	}
}

func TestUnparsed(t *testing.T) {
	data := "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n" +
		"2024-01-01 00:00:00 192.0.2.1 GET / 200\n" +
		"2024-01-01 00:00:01 192.0.2.1\n" + // too few values
		"2024-13-01 00:00:02 192.0.2.1 GET / 200\n" + // bad date
		"garbage\x00\x1b[31m\n"
	evs := webtest.Run(t, "w3c", "u.log", []byte(data), nil)
	if len(evs) != 4 {
		t.Fatalf("%d events", len(evs))
	}
	for _, ev := range evs[1:] {
		if ev.Source != timeline.SourceRaw || ev.Time != evs[0].Time || ev.TimeDesc != timeline.TimeUnknown || len(ev.Raw) == 0 || ev.Message == "" {
			t.Errorf("line %d: %+v", ev.Line, ev)
		}
	}
	// No header at all: the w3c format keeps every line raw.
	evs = webtest.Run(t, "w3c", "n.log", []byte("2024-01-01 00:00:00 192.0.2.1 GET / 200\n"), nil)
	if len(evs) != 1 || evs[0].Source != timeline.SourceRaw {
		t.Fatalf("%+v", evs)
	}
}

func TestParseLine(t *testing.T) {
	f, _ := parsers.Lookup("cloudfront")
	in := webtest.Input("mem", nil, nil, nil)
	line := strings.Split(awsDocExample, "\n")[2]
	var ev timeline.Event
	if !f.ParseLine([]byte(line), in, &ev) || ev.SrcIP != "192.0.2.100" || webtest.RFC3339(&ev) != "2019-12-04T21:02:31Z" {
		t.Fatalf("%+v", ev)
	}
	if f.ParseLine([]byte("Jan  1 00:00:00 host sshd[1]: hello"), in, &ev) {
		t.Fatal("a syslog line is not CloudFront")
	}
	w, _ := parsers.Lookup("w3c")
	if w.ParseLine([]byte("2015-01-13 00:32:17 100.79.192.81 GET /robots.txt"), in, &ev) {
		t.Fatal("w3c lines cannot be placed without a header")
	}
}

// TestGzipCloudFront: a delivered CloudFront file is gzip'd; the engine hands
// parsers the decompressed stream, so this checks detection and parsing of
// what that stream holds.
func TestGzipCloudFront(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(awsDocExample))
	zw.Close()
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	name := "E2EXAMPLE.2019-12-04-21.a1b2c3d4.gz"
	if c := parsers.Detect(name, plain); len(c) == 0 || c[0].Format.Name != "cloudfront" {
		t.Fatalf("detected %v", c)
	}
	if evs := webtest.Run(t, "cloudfront", name, plain, nil); len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, head string
		cf, w3c    bool
	}{
		{"a.log", awsDocExample, true, false},
		{"b.log", strings.SplitN(awsDocExample, "\n", 3)[2], true, false},
		{"u_ex150113.log", "#Software: Microsoft Internet Information Services 8.5\n#Version: 1.0\n#Date: 2015-01-13 00:32:17\n#Fields: date time s-ip cs-method\n", false, true},
		{"access.log", `192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326` + "\n", false, false},
		{"syslog", "Jan  1 00:00:00 host sshd[1]: Accepted password\n", false, false},
		{"x.json", `{"ClientIP":"192.0.2.1"}` + "\n", false, false},
		{"alb.log", "http 2023-04-26T12:22:55.463821Z app/x/y 192.168.1.10:44740 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - -\n", false, false},
		{"tsv", "2024-01-01\t00:00:00\tsomething\n", false, false},
	}
	for _, c := range cases {
		cf, w := detectCloudFront(c.name, []byte(c.head)) > 0, detectW3C(c.name, []byte(c.head)) > 0
		if c.cf && detectCloudFront(c.name, []byte(c.head)) <= detectW3C(c.name, []byte(c.head)) {
			t.Errorf("%s: cloudfront must win", c.name)
		}
		if cf != c.cf || (!c.cf && w != c.w3c) {
			t.Errorf("%s: cloudfront %v w3c %v, want %v %v", c.name, cf, w, c.cf, c.w3c)
		}
	}
}

// cloudFrontLines builds n realistic CloudFront lines (varied addresses,
// paths and agents) for the benchmark.
// cloudFrontLines makes n lines whose user agents mix like a real site's:
// most lines carry one of a few browsers, some one of 200 rarer agents and
// one in twenty an agent seen only once, so the agent cache is not flattered.
func cloudFrontLines(n int) []byte {
	agents := []string{
		"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36",
		"curl/8.5.0",
		"Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_4%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.4%20Mobile/15E148%20Safari/604.1",
	}
	agent := func(i int) string {
		switch {
		case i%20 == 7:
			return "Mozilla/5.0%20(X11;%20Linux%20x86_64)%20Scanner/" + strconv.Itoa(i)
		case i%20 < 3:
			return "Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/" + strconv.Itoa(100+i*7919%200) + ".0.0.0%20Safari/537.36"
		}
		return agents[i%len(agents)]
	}
	paths := []string{"/index.html", "/api/v1/orders", "/static/app.js", "/images/logo.png", "/checkout"}
	var b bytes.Buffer
	b.WriteString("#Version: 1.0\n#Fields: " + cloudFrontFields + "\n")
	for i := 0; i < n; i++ {
		q := "-"
		if i%3 == 0 {
			q = "id=" + strconv.Itoa(i)
		}
		b.WriteString("2024-03-12\t15:" + strconv.Itoa(10+i%50) + ":28\tNRT57-P1\t" + strconv.Itoa(300+i%5000) + "\t198.51.100." + strconv.Itoa(i%250) +
			"\tGET\td111111abcdef8.cloudfront.net\t" + paths[i%len(paths)] + "\t200\t-\t" + agent(i) + "\t" + q +
			"\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\twww.example.com\thttps\t23\t0.001\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t" +
			strconv.Itoa(1024+i%60000) + "\t0.001\tHit\ttext/html\t78\t-\t-\n")
	}
	return b.Bytes()
}

// BenchmarkCloudFront measures whole-file parsing (ScanLines included).
//
//	go test ./parsers/w3c -run '^$' -bench CloudFront -benchtime 2s
func BenchmarkCloudFront(b *testing.B) {
	webtest.Bench(b, "cloudfront", cloudFrontLines(20000), nil)
}

// BenchmarkIIS measures an IIS file (space-separated, '+' in agents).
func BenchmarkIIS(b *testing.B) {
	src, err := os.ReadFile(corpus.Path(b, "cdn/lnav/logfile_w3c_big.0"))
	if err != nil {
		b.Fatal(err)
	}
	webtest.Bench(b, "w3c", bytes.Repeat(src, 50), nil)
}

func FuzzW3C(f *testing.F) {
	f.Add([]byte(awsDocExample), true)
	f.Add([]byte("#Fields: date time c-ip cs(User-Agent) cs-uri-stem\n2024-01-01 00:00:00 \"a \"\"b\" x+y%zz /\n"), false)
	f.Add([]byte("#Date: 2000-10-09 16:44:49\n#Fields: time c-ip\n16:44:49 1.1.1.1\n01:00:00 1.1.1.1\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, cloudfront bool) {
		name := "w3c"
		if cloudfront {
			name = "cloudfront"
		}
		in := webtest.Input("fuzz", data, nil, nil)
		webtest.Exercise(t, name, in, data)
	})
}

// FuzzW3CLines drives the per-line state machine directly (directives, header
// changes, data lines) without ScanLines' buffer, so it runs many more inputs
// than FuzzW3C.
func FuzzW3CLines(f *testing.F) {
	f.Add([]byte(awsDocExample), false)
	f.Add([]byte("#GMT-Offset: -0800\n#Fields: time c-ip cs-uri cs-uri-query\n00:00:01 1 \"a\"\"b\" q\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, cloudfront bool) {
		p := newParser(webtest.Input("fuzz", nil, nil, nil), cloudfront)
		var ev timeline.Event
		for i, line := range bytes.Split(data, []byte{'\n'}) {
			if len(line) > 0 && line[0] == '#' {
				p.directive(line, &parsers.Line{Number: int64(i + 1)})
				continue
			}
			ev.Reset()
			p.line(line, &ev)
		}
	})
}
