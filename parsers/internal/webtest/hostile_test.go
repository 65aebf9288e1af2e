package webtest_test

import (
	"bytes"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers/internal/webtest"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestHostileInput: a 10 MB line, NUL bytes, invalid UTF-8 and terminal
// escape sequences go through every web/CDN format without a panic, and
// every line comes out as an event (parsed or kept raw): nothing dropped.
func TestHostileInput(t *testing.T) {
	var data bytes.Buffer
	data.WriteString("#Fields: date time c-ip cs-method cs-uri-stem sc-status\n")
	data.Write(bytes.Repeat([]byte("A"), 10<<20))
	data.WriteString("\n\x00\x00\x00\n\xff\xfe\xc3\x28 invalid utf-8\n\x1b[2J\x1b]0;owned\x07\x1b[31m\n")
	data.WriteString("2024-01-01 00:00:00 192.0.2.1 GET /\x1b[31mred\xff 200\n")
	data.WriteString(`{"ClientIP":"\u001b[2J","EdgeStartTimestamp":1625754264,"ClientRequestURI":"/\u0000"}` + "\n")
	for _, format := range []string{"cloudfront", "w3c", "aws-alb", "cloudflare", "akamai", "fastly", "log-format"} {
		t.Run(format, func(t *testing.T) {
			evs := webtest.Run(t, format, "hostile.log", data.Bytes(), map[string]string{"log_format": `$remote_addr [$time_local] "$request" $status`})
			lines := 7 // the #Fields line is data to every format but W3C's
			if format == "w3c" || format == "cloudfront" {
				lines = 6
			}
			if len(evs) != lines {
				t.Fatalf("%d events for %d data lines", len(evs), lines)
			}
			for _, ev := range evs {
				if ev.Source == timeline.SourceRaw && len(ev.Raw) == 0 {
					t.Errorf("line %d kept raw without its bytes", ev.Line)
				}
				if ev.Line == 2 && (ev.Source != timeline.SourceRaw || len(ev.Raw) != 10<<20) {
					t.Errorf("10 MB line: %s, %d raw bytes", ev.Source, len(ev.Raw))
				}
			}
		})
	}
}
