package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type page struct {
	Events []struct {
		Row       int64  `json:"row"`
		Time      string `json:"time"`
		Cursor    string `json:"cursor"`
		Host      string `json:"host"`
		Summary   string `json:"summary"`
		Starred   bool   `json:"starred"`
		Truncated bool   `json:"truncated"`
	} `json:"events"`
	MoreBefore bool `json:"more_before"`
	MoreAfter  bool `json:"more_after"`
}

// TestAPIAgreesWithSearch pages through the sample case forwards and
// backwards by cursor and checks the rows, counts, histogram and facets
// against the search package's answers (what the CLI prints).
func TestAPIAgreesWithSearch(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{})
	ctx := context.Background()
	for _, q := range []string{"", "status:404", "host:db01", "ip:192.0.2.0/24 AND method:GET"} {
		var want []int64
		ts.s.Each(ctx, search.Request{Query: q}, func(row int64, _ *timeline.Event) error { want = append(want, row); return nil })
		qs := "q=" + urlq(q)
		var got []int64
		var p page
		ts.getJSON(t, "/api/v1/events?limit=37&"+qs, &p)
		for {
			for _, e := range p.Events {
				got = append(got, e.Row)
			}
			if !p.MoreAfter {
				break
			}
			cur := p.Events[len(p.Events)-1].Cursor
			p = page{}
			ts.getJSON(t, "/api/v1/events?limit=37&"+qs+"&after="+cur, &p)
			if !p.MoreBefore {
				t.Fatalf("%q: a page after a cursor says nothing is before it", q)
			}
		}
		if !equalRows(got, want) {
			t.Fatalf("%q forward: %d rows, want %d", q, len(got), len(want))
		}
		// Backwards from the newest page.
		got = got[:0]
		p = page{}
		ts.getJSON(t, "/api/v1/events?limit=41&end=1&"+qs, &p)
		for {
			rows := make([]int64, 0, len(p.Events))
			for _, e := range p.Events {
				rows = append(rows, e.Row)
			}
			got = append(rows, got...)
			if !p.MoreBefore {
				break
			}
			cur := p.Events[0].Cursor
			p = page{}
			ts.getJSON(t, "/api/v1/events?limit=41&"+qs+"&before="+cur, &p)
		}
		if !equalRows(got, want) {
			t.Fatalf("%q backward: %d rows, want %d", q, len(got), len(want))
		}
		var cnt struct{ Total int64 }
		ts.getJSON(t, "/api/v1/count?"+qs, &cnt)
		var h struct {
			Total   int64
			Buckets []search.Bucket
		}
		ts.getJSON(t, "/api/v1/histogram?"+qs, &h)
		if cnt.Total != int64(len(want)) || h.Total != cnt.Total {
			t.Fatalf("%q: count %d, histogram %d, want %d", q, cnt.Total, h.Total, len(want))
		}
	}
	// Jump to a time: the first event at or after it.
	var p page
	ts.getJSON(t, "/api/v1/events?limit=1&at=2025-12-30%2012:00&tz=UTC", &p)
	var want int64 = -1
	at := time.Date(2025, 12, 30, 12, 0, 0, 0, time.UTC).UnixNano()
	ts.s.Each(ctx, search.Request{From: at, Limit: 1}, func(row int64, _ *timeline.Event) error { want = row; return nil })
	if len(p.Events) != 1 || p.Events[0].Row != want || !p.MoreBefore {
		t.Fatalf("jump: %+v, want row %d", p, want)
	}
	// The same wall time in the case zone (Asia/Tokyo) is nine hours earlier.
	p = page{}
	ts.getJSON(t, "/api/v1/events?limit=1&at=2025-12-30%2021:00&tz=case", &p)
	if p.Events[0].Row != want {
		t.Fatalf("jump in the case zone: row %d, want %d", p.Events[0].Row, want)
	}
	var f map[string][]search.FacetValue
	ts.getJSON(t, "/api/v1/facets", &f)
	if len(f["host"]) != 2 || f["host"][0] != (search.FacetValue{Value: "web01", Count: 2705}) || f["host"][1].Count != 400 {
		t.Fatalf("facets: %+v", f)
	}
	p = page{}
	ts.getJSON(t, "/api/v1/events?host=db01&limit=1000", &p)
	if len(p.Events) != 400 {
		t.Fatalf("host filter: %d events", len(p.Events))
	}
	for _, bad := range []string{"/api/v1/events?q=(", "/api/v1/events?after=x", "/api/v1/events?from=yesterday", "/api/v1/events?tz=Mars/Olympus", "/api/v1/histogram?interval=0s"} {
		if code, _, _ := ts.get(t, bad); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	var d struct {
		Event    struct{ Ref timeline.Ref }
		Evidence *engine.EvidenceRecord
		RawText  string `json:"raw_text"`
		RawFrom  string `json:"raw_from"`
	}
	ts.getJSON(t, "/api/v1/events/5", &d)
	if d.Evidence == nil || len(d.Evidence.SHA256) != 64 || d.RawFrom != "evidence" || !strings.Contains(d.RawText, "GET /static/app.js") {
		t.Fatalf("detail: %+v", d)
	}
	if code, _, _ := ts.get(t, "/api/v1/events/99999999"); code != 404 {
		t.Fatalf("missing row: %d", code)
	}
	var ev struct{ Items []engine.EvidenceRecord }
	ts.getJSON(t, "/api/v1/evidence", &ev)
	if len(ev.Items) != 4 {
		t.Fatalf("evidence: %+v", ev)
	}
}

func urlq(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "&", "%26", "+", "%2B", "/", "%2F", ":", "%3A", "#", "%23")
	return r.Replace(s)
}

func equalRows(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAnnotations stars, tags and comments an event and saves a search, then
// finds them in annotations.jsonl, in the audit log (with the chain intact),
// after a restart, and in the exports with the display zone applied.
func TestAnnotations(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{User: "analyst1"})
	for _, a := range []map[string]any{
		{"kind": "star", "row": 7},
		{"kind": "tag", "row": 7, "value": "webshell"},
		{"kind": "comment", "row": 7, "value": "first request to the shell"},
		{"kind": "search", "name": "404s", "value": "status:404"},
	} {
		if code, b := ts.post(t, "/api/v1/annotations", a); code != 200 {
			t.Fatalf("%v: %d %s", a, code, b)
		}
	}
	for _, bad := range []map[string]any{{"kind": "comment", "row": 7, "value": " "}, {"kind": "tag", "row": 7, "value": "a,b"}, {"kind": "nuke", "row": 7}, {"kind": "star"}, {"kind": "star", "row": 1 << 40}} {
		if code, _ := ts.post(t, "/api/v1/annotations", bad); code != 400 {
			t.Errorf("%v accepted", bad)
		}
	}
	lines := readLines(t, filepath.Join(c.Dir, "annotations.jsonl"))
	if len(lines) != 4 || !strings.Contains(lines[2], `"user":"analyst1"`) || !strings.Contains(lines[2], `first request to the shell`) {
		t.Fatalf("annotations.jsonl: %q", lines)
	}
	audit := strings.Join(readLines(t, c.AuditPath()), "\n")
	if strings.Count(audit, `"action":"annotate"`) != 4 || !strings.Contains(audit, "first request to the shell") {
		t.Fatalf("audit log lacks the annotations:\n%s", audit)
	}
	if n, err := engine.VerifyAuditChain(c.AuditPath()); err != nil || n != 0 {
		t.Fatalf("audit chain broken at line %d (%v)", n, err)
	}
	// A new server over the same case, while the first still runs, sees them.
	ts2 := start(t, c, server.Options{})
	var p page
	ts2.getJSON(t, "/api/v1/events?limit=10", &p)
	if !p.Events[7].Starred {
		t.Fatalf("star lost after restart: %+v", p.Events[7])
	}
	var all struct {
		Events   []server.EventNotes
		Searches []server.Annotation
	}
	ts2.getJSON(t, "/api/v1/annotations", &all)
	if len(all.Events) != 1 || all.Events[0].Tags[0] != "webshell" || len(all.Events[0].Comments) != 1 || len(all.Searches) != 1 {
		t.Fatalf("annotations: %+v", all)
	}
	_, csv, _ := ts2.get(t, "/api/v1/annotations/export?format=csv&tz=Asia/Tokyo")
	if !strings.Contains(string(csv), "+09:00") || !strings.Contains(string(csv), "first request to the shell") {
		t.Fatalf("annotation export: %s", csv)
	}
	_, csv, _ = ts2.get(t, "/api/v1/export?format=csv&tz=America/New_York&q=status:404")
	if !strings.Contains(string(csv), "-05:00") || strings.Count(string(csv), "\n") < 2 {
		t.Fatalf("event export: %.500s", csv)
	}
	_, html, _ := ts2.get(t, "/annotations")
	if !strings.Contains(string(html), "first request to the shell") || !strings.Contains(string(html), "404s") {
		t.Fatalf("annotations page: %s", html)
	}
}

func readLines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 32<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestSecurity checks the headers, the Host check, the token, same-origin
// JSON for writes, asset paths, and that evidence is never written.
func TestSecurity(t *testing.T) {
	bundle := hostileBundle(t)
	before := hashTree(t, bundle)
	c := ingestCase(t, bundle)
	ts := start(t, c, server.Options{})
	code, body, h := ts.get(t, "/")
	if code != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("index: %d %v", code, h)
	}
	if bytes.Contains(body, []byte("<script>window")) {
		t.Fatal("markup from the case in the page")
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/case", nil)
	req.Host = "attacker.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("foreign Host accepted: %v %v", resp.StatusCode, err)
	}
	for _, p := range []string{"/assets/..%2f..%2fcase.json", "/assets/../../go.mod", "/assets/.%2e/embed.go", "/evidence.json", "/case.json", "/annotations.jsonl"} {
		if code, b, _ := ts.get(t, p); code == 200 && !strings.Contains(string(b), "<!doctype html>") {
			t.Errorf("%s served: %.100s", p, b)
		}
	}
	r, _ := http.NewRequest("POST", ts.URL+"/api/v1/annotations", strings.NewReader(`{"kind":"star","row":0}`))
	r.Header.Set("Content-Type", "text/plain")
	if resp, _ := http.DefaultClient.Do(r); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form-encoded write accepted: %d", resp.StatusCode)
	}
	r, _ = http.NewRequest("POST", ts.URL+"/api/v1/annotations", strings.NewReader(`{"kind":"star","row":0}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", "http://attacker.example")
	if resp, _ := http.DefaultClient.Do(r); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin write accepted: %d", resp.StatusCode)
	}
	// API JSON carries markup only as escaped strings; the event page as text.
	_, b, _ := ts.get(t, "/api/v1/events?limit=10")
	if bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("\x1b")) || len(b) > 200<<10 {
		t.Fatalf("events JSON: %d bytes, raw markup or escapes present", len(b))
	}
	for row := 0; row < 5; row++ {
		_, b, _ := ts.get(t, "/event/"+string(rune('0'+row)))
		for _, bad := range []string{"<script>window", "<img src=x", "<svg onload", "<iframe", "\x1b", `href="javascript`} {
			if bytes.Contains(b, []byte(bad)) {
				t.Fatalf("event page %d carries %q", row, bad)
			}
		}
	}
	// Token mode.
	tok := start(t, c, server.Options{Token: "s3cret"})
	if code, _, _ := tok.get(t, "/api/v1/case"); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	req, _ = http.NewRequest("GET", tok.URL+"/api/v1/case", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 200 {
		t.Fatalf("bearer token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	jar := &cookieJar{}
	cl := &http.Client{Jar: jar}
	resp, err = cl.Get(tok.URL + "/?token=s3cret")
	if err != nil || resp.StatusCode != 200 || resp.Request.URL.RawQuery != "" {
		t.Fatalf("token link: %v %v", resp, err)
	}
	if resp, _ := cl.Get(tok.URL + "/api/v1/case"); resp.StatusCode != 200 {
		t.Fatalf("cookie after token link: %d", resp.StatusCode)
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": false, "localhost:80": false, "[::1]:8080": false, "0.0.0.0:8080": true, "192.0.2.1:80": true, "example.org:80": true} {
		if got, err := server.NeedsToken(addr); err != nil || got != want {
			t.Errorf("NeedsToken(%s) = %v, %v", addr, got, err)
		}
	}
	ts.post(t, "/api/v1/annotations", map[string]any{"kind": "comment", "row": 0, "value": "<script>alert(1)</script>"})
	if after := hashTree(t, bundle); after != before {
		t.Fatal("evidence changed while serving")
	}
}

type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(_ *urlT, cs []*http.Cookie) { j.cookies = append(j.cookies, cs...) }
func (j *cookieJar) Cookies(_ *urlT) []*http.Cookie        { return j.cookies }

func hashTree(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			h, _ := engine.HashFile(p, nil)
			b.WriteString(p + " " + h + " " + info.ModTime().String() + "\n")
		}
		return nil
	})
	return b.String()
}

var _ = json.Marshal

// TestScopeLeaksReport: the API's scope and leak answers equal the CLI
// packages' (the same code), and the report downloads.
func TestScopeLeaksReport(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{})
	var sc struct {
		Hosts           []struct{ Name string }
		RemoteAddresses []struct{ Address string } `json:"remote_addresses"`
	}
	ts.getJSON(t, "/api/v1/scope?ioc=203.0.113.66", &sc)
	if len(sc.Hosts) == 0 || sc.Hosts[0].Name != "web01" {
		t.Fatalf("scope: %+v", sc)
	}
	var lk struct{ Records int64 }
	ts.getJSON(t, "/api/v1/leaks?actor=203.0.113.66&status=2xx", &lk)
	if lk.Records == 0 {
		t.Fatalf("leaks: %+v", lk)
	}
	if code, _, _ := ts.get(t, "/api/v1/leaks"); code != 400 {
		t.Fatalf("leaks without selectors: %d", code)
	}
	code, b, h := ts.get(t, "/api/v1/report?format=json&ioc=203.0.113.66")
	var rep struct {
		Summary struct {
			LeakRecords int64 `json:"leak_records"`
		}
	}
	if code != 200 || json.Unmarshal(b, &rep) != nil || rep.Summary.LeakRecords != lk.Records || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("report: %d %s %.300s", code, h, b)
	}
}
