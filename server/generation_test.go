package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
)

// ingestAsync runs an ingest and fails the test when it does not finish
// (a served case must not hold an ingest up until the server exits).
func ingestAsync(t *testing.T, bundle, caseDir string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		opt := engine.IngestOptions{Index: func(ctx context.Context, c *engine.Case, p func(done, total int64)) error {
			return search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), p)
		}}
		_, err := engine.Ingest(context.Background(), bundle, caseDir, opt)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute): // a hang guard, not a speed check
		t.Fatal("ingest into the served case did not finish: held up by the server")
	}
}

// waitGeneration asks the server for the case until it shows generation gen.
func waitGeneration(t *testing.T, ts *testServer, gen int64) {
	t.Helper()
	var ci struct {
		Generation int64 `json:"generation"`
		Events     int64 `json:"events"`
	}
	for range 200 {
		ts.getJSON(t, "/api/v1/case", &ci)
		if ci.Generation == gen {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server still shows generation %d, want %d", ci.Generation, gen)
}

// countOf is the server's count for a query.
func countOf(t *testing.T, ts *testServer, q string) int64 {
	t.Helper()
	var c struct {
		Total int64 `json:"total"`
	}
	ts.getJSON(t, "/api/v1/count?q="+q, &c)
	return c.Total
}

// A server started on a case before its first ingest picks the ingest's
// generation up (it used to show generation 0 until restarted).
func TestServeBeforeIngest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case")
	c, err := engine.CreateOrOpenCase(dir, engine.CaseMeta{Name: "early"})
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, c, server.Options{})
	if n := countOf(t, ts, ""); n != 0 {
		t.Fatalf("empty case counts %d", n)
	}
	ingestAsync(t, sampleBundle(t), dir)
	waitGeneration(t, ts, 1)
	fresh, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	want, _ := fresh.Count(context.Background(), search.Request{Query: "password"})
	if got := countOf(t, ts, "password"); got != want || want == 0 {
		t.Fatalf("count password: server %d, fresh searcher %d", got, want)
	}
}

// An ingest into a served, indexed case finishes while the server runs;
// the server then answers from the new generation (no missing-segment
// errors) and lets go of the old one's files.
func TestIngestIntoServedCase(t *testing.T) {
	bundle := t.TempDir()
	if err := os.CopyFS(bundle, os.DirFS(sampleBundle(t))); err != nil {
		t.Fatal(err)
	}
	c := ingestCase(t, bundle)
	oldDir, m, err := c.TimelineStore().Current()
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, c, server.Options{})
	before := countOf(t, ts, "password") // reads the index and the segments
	if before == 0 {
		t.Fatal("no password events in the sample")
	}
	extra := "Jan  2 03:04:05 web01 sshd[999]: Failed password for invalid user zz9 from 192.0.2.99 port 4711 ssh2\n"
	if err := os.WriteFile(filepath.Join(bundle, "web01", "log", "auth.log.1"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	ingestAsync(t, bundle, c.Dir)
	waitGeneration(t, ts, m.Generation+1)
	if got := countOf(t, ts, "password"); got != before+1 {
		t.Errorf("count password after the ingest: %d, want %d", got, before+1)
	}
	if got := countOf(t, ts, "zz9"); got != 1 {
		t.Errorf("count zz9 (the new event): %d, want 1", got)
	}
	var ci struct {
		Indexed bool `json:"indexed"`
	}
	for range 200 { // the index is opened once the ingest is done
		if ts.getJSON(t, "/api/v1/case", &ci); ci.Indexed {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !ci.Indexed {
		t.Error("the server does not use the rebuilt index")
	}
	if code, b, _ := ts.get(t, "/api/v1/events?q=password&limit=1000"); code != 200 {
		t.Fatalf("events after the ingest: %d %s", code, b)
	}
	if open := openUnder(t, oldDir); len(open) > 0 {
		t.Errorf("the server still holds the old generation's files: %v", open)
	}
}

// openUnder lists this process's open files and mappings below dir (Linux:
// /proc/self/fd and /proc/self/maps).
func openUnder(t *testing.T, dir string) []string {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd: cannot see open files")
	}
	var out []string
	for _, fd := range fds {
		if p, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(p, dir) {
			out = append(out, fmt.Sprintf("fd %s: %s", fd.Name(), p))
		}
	}
	if maps, err := os.ReadFile("/proc/self/maps"); err == nil {
		for _, l := range strings.Split(string(maps), "\n") {
			if i := strings.Index(l, dir); i >= 0 {
				out = append(out, "mapped: "+l[i:])
			}
		}
	}
	return out
}
