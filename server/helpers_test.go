package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
)

func sampleBundle(t testing.TB) string {
	return filepath.Join(corpus.Root(t), "fixtures", "sample")
}

// ingestCase ingests a bundle into a new case with the full-text index, as
// `kiseki ingest` does.
func ingestCase(t testing.TB, bundle string) *engine.Case {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	opt := engine.IngestOptions{Index: func(ctx context.Context, c *engine.Case, p func(done, total int64)) error {
		return search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), p)
	}}
	if _, err := engine.Ingest(context.Background(), bundle, dir, opt); err != nil {
		t.Fatal(err)
	}
	c, err := engine.OpenCase(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type testServer struct {
	URL   string
	c     *engine.Case
	s     *search.Searcher
	srv   *server.Server
	hs    *http.Server
	close func()
}

// start serves a case on 127.0.0.1 with a real listener.
func start(t testing.TB, c *engine.Case, opt server.Options) *testServer {
	t.Helper()
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	ts := startWith(t, c, s, opt)
	var once sync.Once
	ts.close = func() { once.Do(func() { ts.hs.Close(); ts.srv.Close() }) }
	t.Cleanup(ts.close)
	return ts
}

// startWith serves a case with an open searcher (the index takes a lock:
// two searchers on one case at once wait for each other).
func startWith(t testing.TB, c *engine.Case, s *search.Searcher, opt server.Options) *testServer {
	t.Helper()
	srv, err := server.New(c, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := srv.HTTPServer()
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &testServer{URL: "http://" + l.Addr().String(), c: c, s: s, srv: srv, hs: hs, close: func() { hs.Close() }}
}

func (ts *testServer) get(t testing.TB, path string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (ts *testServer) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	code, b, _ := ts.get(t, path)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func (ts *testServer) post(t testing.TB, path string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(ts.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// hostileBundle is an access log whose fields carry markup, script URLs,
// terminal escapes and a 10 MB user agent.
func hostileBundle(t testing.TB) string {
	dir := t.TempDir()
	big := strings.Repeat("A", 10<<20)
	lines := []string{
		`203.0.113.66 - - [13/Jan/2026:10:00:00 +0000] "GET /<script>window.__pwned=1</script> HTTP/1.1" 200 10 "javascript:window.__pwned=3" "<img src=x onerror=window.__pwned=2>"`,
		"203.0.113.66 - - [13/Jan/2026:10:00:01 +0000] \"GET /\x1b]0;pwned\x07\x1b[2J HTTP/1.1\" 404 1 \"-\" \"\x1b[31mred\"",
		`203.0.113.66 - - [13/Jan/2026:10:00:02 +0000] "GET /big HTTP/1.1" 200 1 "-" "` + big + `"`,
		`<svg onload=window.__pwned=4> not a log line <iframe src="javascript:window.__pwned=5"></iframe>`,
		`203.0.113.67 - - [13/Jan/2026:10:00:03 +0000] "GET /x\" onmouseover=\"window.__pwned=6 HTTP/1.1" 200 1 "-" "curl"`,
	}
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	return dir
}
