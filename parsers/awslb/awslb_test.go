package awslb

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/webtest"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// albValue returns our value for a CrowdSec aws-alb parsed field.
func albValue(ev *timeline.Event, key string) (string, bool) {
	switch key {
	case "remote_addr":
		return ev.SrcIP, ev.SrcIP != ""
	case "remote_port":
		return strconv.Itoa(int(ev.SrcPort)), ev.SrcPort != 0
	case "target_addr":
		return ev.DstIP, ev.DstIP != ""
	case "target_port":
		return strconv.Itoa(int(ev.DstPort)), ev.DstPort != 0
	case "http_method":
		return ev.Method, ev.Method != ""
	case "http_user_agent":
		return ev.UserAgent, ev.UserAgent != ""
	case "request":
		return ev.URL, ev.URL != ""
	case "elb_status_code":
		return strconv.Itoa(int(ev.Status)), ev.Status != 0
	case "sent_bytes":
		return strconv.FormatInt(ev.Bytes, 10), ev.Bytes != timeline.Absent
	case "request_creation_time":
		return ev.TimeOrig, true
	case "http_version":
		v, ok := webtest.Extra(ev, "proto")
		return strings.TrimPrefix(v, "HTTP/"), ok
	}
	ours := map[string]string{"host": "vhost", "protocol": "scheme", "time": "response_time"}[key]
	if ours == "" {
		ours = key
	}
	return webtest.Extra(ev, ours)
}

// The CrowdSec hub's ALB sample is built from the examples of AWS's ALB
// guide (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html).
func TestCrowdSecALB(t *testing.T) {
	dir := corpus.Path(t, "cdn/crowdsec/aws-alb-logs")
	evs := webtest.RunFile(t, Source, filepath.Join(dir, "aws-alb-logs.log"), nil)
	want := webtest.Asserts(t, filepath.Join(dir, "parser.assert"), "s01-parse", "crowdsecurity/aws-alb")
	if len(want) != 14 || len(evs) != 14 {
		t.Fatalf("%d events, %d crowdsec results", len(evs), len(want))
	}
	for i, w := range want {
		ev := &evs[i]
		checked := 0
		for key, wv := range w {
			if webtest.MetaKeys[key] {
				continue
			}
			got, has := albValue(ev, key)
			if wv == "-" {
				if has {
					t.Errorf("line %d: %s = %q, crowdsec says absent", i+1, key, got)
				}
			} else if got != wv {
				t.Errorf("line %d: %s = %q, crowdsec %q", i+1, key, got, wv)
			}
			checked++
		}
		if checked < 30 {
			t.Errorf("line %d: only %d fields checked", i+1, checked)
		}
		if ev.URL != w["http_path"] || ev.SrcIP != w["source_ip"] || strconv.Itoa(int(ev.Status)) != w["http_status"] || ev.Method != w["http_verb"] {
			t.Errorf("line %d: meta mismatch: %+v", i+1, *ev)
		}
		if v, _ := webtest.Extra(ev, "vhost"); v != w["http_host"] {
			t.Errorf("line %d: vhost %q, crowdsec http_host %q", i+1, v, w["http_host"])
		}
		if ev.Source != Source || ev.Zone != "UTC" || ev.TimeDesc != timeline.TimeRequest || ev.Action != timeline.ActionRead {
			t.Errorf("line %d: %+v", i+1, *ev)
		}
	}
	// CrowdSec's dateparse-enrich takes request_creation_time as the time.
	enrich := map[int]string{0: "2018-07-02T22:22:48.364Z", 3: "2023-04-26T19:53:46.678Z", 6: "2023-04-26T19:53:56.714Z"}
	for i, ts := range enrich {
		if got := webtest.RFC3339(&evs[i]); got != ts {
			t.Errorf("line %d: time %s, crowdsec %s", i+1, got, ts)
		}
	}
	webtest.ParseRate(t, "aws-alb-logs.log", evs)
}

// plaso's expectations for test_data/aws_elb_access.log
// (log2timeline/plaso tests/parsers/aws_elb_access.py and
// tests/parsers/text_plugins/aws_elb_access.py).
func TestPlasoELB(t *testing.T) {
	evs := webtest.RunFile(t, Source, corpus.Path(t, "cdn/plaso/aws_elb_access.log"), nil)
	if len(evs) != 16 { // plaso: 16 event data, no warnings
		t.Fatalf("%d events", len(evs))
	}
	webtest.ParseRate(t, "aws_elb_access.log", evs)
	type want struct {
		line             int
		time, resp       string
		src, dst         string
		srcPort, dstPort int32
		status           int32
		bytes            int64
		method, url, ua  string
		extra            map[string]string
		desc             string
	}
	cases := []want{
		{line: 1, time: "2020-01-11T16:55:19.624Z", resp: "2020-01-11T16:55:20.356586Z", src: "192.168.1.10", srcPort: 44325, dst: "192.168.1.123", dstPort: 32869,
			status: 200, bytes: 107999, method: "GET", url: "/", ua: "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)", desc: timeline.TimeRequest,
			extra: map[string]string{"actions_executed": "waf,forward", "chosen_cert_arn": "arn:aws:abc:us-east-2:234567891234:certificate",
				"target_group_arn": "arn:aws:elasticloadbalancing:us-east-2:123456789123", "target_list": "192.168.1.123:32869",
				"target_processing_time": "0.164", "target_status_code": "200", "target_status_code_list": "200", "domain_name": "www.domain.name",
				"matched_rule_priority": "2", "received_bytes": "391", "request_processing_time": "0.013", "type": "https",
				"elb": "app/production-web/jf29fj2198ejf922", "response_processing_time": "0.000", "ssl_cipher": "ECDHE-RSA-AES128-GCM-SHA256",
				"ssl_protocol": "TLSv1.2", "trace_id": "XXXXXXX", "lb": "alb", "proto": "HTTP/1.1", "vhost": "www.domain.name", "port": "443"}},
		{line: 11, time: "2021-05-13T23:39:43.945958Z", src: "192.168.131.39", srcPort: 2817, dst: "10.0.0.1", dstPort: 80, status: 200, bytes: 29,
			method: "GET", url: "/", ua: "curl/7.38.0", desc: timeline.TimeRequest,
			extra: map[string]string{"elb": "my-loadbalancer", "request_processing_time": "0.000073", "backend_processing_time": "0.001048",
				"response_processing_time": "0.000057", "backend_status_code": "200", "received_bytes": "0", "lb": "elb"}},
		// A TCP listener: no request; plaso keeps "-" status and -1 bytes.
		{line: 14, time: "2021-05-13T23:39:46.945958Z", src: "192.168.131.39", srcPort: 2817, dst: "10.0.0.1", dstPort: 80, bytes: -1, desc: timeline.TimeRequest,
			extra: map[string]string{"request_processing_time": "0.001065", "received_bytes": "-1", "sent_bytes": "-1",
				"ssl_cipher": "ECDHE-ECDSA-AES128-GCM-SHA256", "ssl_protocol": "TLSv1.2"}},
		{line: 15, time: "2022-04-01T08:51:42Z", src: "72.21.218.154", srcPort: 51341, dst: "172.100.100.185", dstPort: 443, bytes: 246, desc: timeline.TimeLog,
			extra: map[string]string{"type": "tls", "version": "2.0", "elb": "net/my-network-loadbalancer/c6e77e28c25b2234", "listener": "g3d4b5e8bb8464cd",
				"connection_time": "5", "tls_handshake_time": "2", "received_bytes": "98",
				"chosen_cert_arn": "arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99", "tls_cipher": "ECDHE-RSA-AES128-SHA",
				"tls_protocol_version": "tlsv12", "domain_name": "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
				"alpn_fe_protocol": "h2", "alpn_be_protocol": "h2", "alpn_client_preference_list": "h2", "lb": "nlb"}},
	}
	for _, w := range cases {
		ev := &evs[w.line-1]
		if got := webtest.RFC3339(ev); got != w.time {
			t.Errorf("line %d: time %s, want %s", w.line, got, w.time)
		}
		if w.resp != "" {
			if v, _ := webtest.Extra(ev, "response_time"); v != w.resp {
				t.Errorf("line %d: response_time %q", w.line, v)
			}
		}
		if ev.SrcIP != w.src || ev.SrcPort != w.srcPort || ev.DstIP != w.dst || ev.DstPort != w.dstPort || ev.Status != w.status ||
			ev.Bytes != w.bytes || ev.Method != w.method || ev.URL != w.url || ev.UserAgent != w.ua || ev.TimeDesc != w.desc || ev.Line != int64(w.line) {
			t.Errorf("line %d: %+v", w.line, *ev)
		}
		for k, v := range w.extra {
			if got, _ := webtest.Extra(ev, k); got != v {
				t.Errorf("line %d: extra %s = %q, want %q", w.line, k, got, v)
			}
		}
	}
	if evs[13].Method != "" || evs[13].Status != 0 {
		t.Errorf("line 14 has no request: %+v", evs[13])
	}
}

func TestUnparsed(t *testing.T) {
	data := "https 2023-04-26T12:23:00.186641Z app/x 192.168.1.11:44740 10.0.0.1:80 0.086\n" +
		"https 2023-04-26T12:23:00.186641Z app/x 192.168.1.11:44740 \"unterminated\n" +
		"not a load balancer line\x00\x1b]0;x\x07\n"
	evs := webtest.Run(t, Source, "bad.log", []byte(data), nil)
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	for _, ev := range evs {
		if ev.Source != timeline.SourceRaw || len(ev.Raw) == 0 || ev.Message == "" || ev.Line == timeline.Absent {
			t.Errorf("%+v", ev)
		}
	}
}

func TestParseLine(t *testing.T) {
	f, _ := parsers.Lookup(Source)
	in := webtest.Input("mem", nil, nil, nil)
	var ev timeline.Event
	line := `h2 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.1.252:48160 10.0.0.66:9000 0.000 0.002 0.000 200 200 5 257 "GET https://10.0.2.105:773/ HTTP/2.0" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337327-72bd00b0343d75b906739c42" "-" "-" 1 2018-07-02T22:22:48.364000Z "redirect" "https://example.com:80/" "-" "10.0.0.66:9000" "200" "-" "-"`
	if !f.ParseLine([]byte(line), in, &ev) || ev.SrcIP != "192.168.1.252" || ev.URL != "/" || webtest.RFC3339(&ev) != "2018-07-02T22:22:48.364Z" {
		t.Fatalf("%+v", ev)
	}
	if f.ParseLine([]byte(`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`), in, &ev) {
		t.Fatal("an access log line is not an ELB line")
	}
}

func TestDetect(t *testing.T) {
	alb, _ := os.ReadFile(corpus.Path(t, "cdn/crowdsec/aws-alb-logs/aws-alb-logs.log"))
	elb, _ := os.ReadFile(corpus.Path(t, "cdn/plaso/aws_elb_access.log"))
	classic := elb[bytes.Index(elb, []byte("2021-05-13T23:39:43")):]
	nlb := elb[bytes.Index(elb, []byte("tls 2.0")):]
	for name, head := range map[string][]byte{"alb": alb, "elb": elb, "classic": classic, "nlb": nlb} {
		if detect(name, head) < 90 {
			t.Errorf("%s not detected", name)
		}
	}
	for _, head := range []string{
		`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`,
		"Jan  1 00:00:00 host sshd[1]: Accepted password for root from 192.0.2.1 port 22 ssh2",
		`{"ClientIP":"192.0.2.1"}`,
		"#Fields: date time c-ip\n2024-01-01 00:00:00 192.0.2.1",
		"2024-03-12\t15:22:28\tCDG50-P2\t703\t1.2.3.4\tGET\td6rcaj0q1hys9.cloudfront.net\t/testseb\t400\t-\tcurl/7.81.0\tquery_param=42",
	} {
		if s := detect("x.log", []byte(head)); s != 0 {
			t.Errorf("claims %q with %d", head, s)
		}
	}
}

// BenchmarkALB parses the CrowdSec ALB sample repeated.
//
//	go test ./parsers/awslb -run '^$' -bench . -benchtime 2s
func BenchmarkALB(b *testing.B) {
	src, err := os.ReadFile(corpus.Path(b, "cdn/crowdsec/aws-alb-logs/aws-alb-logs.log"))
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.HasSuffix(src, []byte("\n")) {
		src = append(src, '\n')
	}
	webtest.Bench(b, Source, bytes.Repeat(src, 2000), nil)
}

func FuzzALB(f *testing.F) {
	f.Add([]byte(`https 2023-04-26T19:53:46.679895Z app/x 192.168.1.13:44740 - -1 -1 -1 404 - 204 167 "GET https://api.example.com:443/%%32%65 HTTP/1.1" "ua" ECDHE TLSv1.2 - "Root=1" "api.example.com" "arn" 0 2023-04-26T19:53:46.678000Z "waf,fixed-response" "-" "-" "-" "-" "-" "-"`))
	f.Add([]byte("2021-05-13T23:39:45.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 \"- - - \" \"-\" - -"))
	f.Add([]byte("tls 2.0 2022-04-01T08:51:42 net/x g3 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn - ECDHE tlsv12 - d h2 h2 \"h2\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := webtest.Input("fuzz", data, nil, nil)
		webtest.Exercise(t, Source, in, data)
	})
}
