package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/server"
)

// GET /api/v1/report changes nothing in the case (it used to append a
// verify and a report entry to the audit log); POST issues the report and
// records it.
func TestReportGetWritesNothing(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{})
	audit := func() []byte {
		b, err := os.ReadFile(c.AuditPath())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := audit()
	for _, f := range []string{"json", "md"} {
		if code, b, _ := ts.get(t, "/api/v1/report?format="+f); code != 200 {
			t.Fatalf("GET report %s: %d %.200s", f, code, b)
		}
	}
	if after := audit(); !bytes.Equal(after, before) {
		t.Fatalf("GET /api/v1/report wrote to the audit log:\n%s", after[len(before):])
	}
	if code, b := ts.post(t, "/api/v1/report?format=json", map[string]any{}); code != 200 {
		t.Fatalf("POST report: %d %.200s", code, b)
	}
	added := string(audit()[len(before):])
	if !strings.Contains(added, `"action":"verify"`) || !strings.Contains(added, `"action":"report"`) {
		t.Fatalf("POST report recorded: %s", added)
	}
}

// A request whose body stalls half-way is answered and its connection
// closed after the read timeout, not held open.
func TestStalledBodyIsCut(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{ReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/annotations HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"kind\":", strings.TrimPrefix(ts.URL, "http://"))
	// A hang guard, not a speed check: the server must end the exchange.
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Fatalf("stalled body answered %d", resp.StatusCode)
	}
}

// Cached answers are bounded by size, not count: histograms with a million
// buckets each (a fine interval over a long span) are not all kept (20 of
// them took the server to 1.6 GB).
func TestAnswerCacheBoundedBySize(t *testing.T) {
	bundle := t.TempDir()
	lines := "198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET /a HTTP/1.1\" 200 1 \"-\" \"x\"\n" +
		"198.51.100.1 - - [12/Jan/2026:13:46:39 +0000] \"GET /b HTTP/1.1\" 200 1 \"-\" \"x\"\n" // 999,999 s later
	os.WriteFile(filepath.Join(bundle, "access.log"), []byte(lines), 0o644)
	c := ingestCase(t, bundle)
	ts := start(t, c, server.Options{})
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	for k := 1; k <= 4; k++ {
		var h struct {
			Buckets []json.RawMessage `json:"buckets"`
		}
		ts.getJSON(t, fmt.Sprintf("/api/v1/histogram?interval=%ds", k), &h)
		if want := 1_000_000/k + 1; len(h.Buckets) < want-1 {
			t.Fatalf("interval %ds: %d buckets, want %d", k, len(h.Buckets), want)
		}
	}
	if grown := int64(heap()) - int64(base); grown > 40<<20 {
		t.Fatalf("the server keeps %d MiB after 4 histograms", grown>>20)
	}
}
