package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/timeline"
)

var (
	webshopOnce sync.Once
	webshopCase *engine.Case
	webshopErr  error
)

// webshop ingests the webshop breach fixture (web server disk image, nginx,
// CloudFront, firewall, auth log, wtmp) once, without an index.
func webshop(t *testing.T) *engine.Case {
	t.Helper()
	webshopOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kiseki-index-test")
		if err != nil {
			webshopErr = err
			return
		}
		caseDir := filepath.Join(dir, "case")
		if _, webshopErr = engine.Ingest(context.Background(), filepath.Join("..", "fixtures", "webshop", "bundle"), caseDir, engine.IngestOptions{NoIndex: true}); webshopErr == nil {
			webshopCase, webshopErr = engine.OpenCase(caseDir)
		}
	})
	if webshopErr != nil {
		t.Fatal(webshopErr)
	}
	return webshopCase
}

// indexQueries are queries of every kind that touches the text index:
// words and phrases in URLs, paths, user agents, messages and raw lines,
// word patterns, fields, the request line, and text mixed with columns.
var indexQueries = []string{
	"checkout", "customers", "img", "php", "js", "uploads", "mozilla", "curl", "sshd",
	"Accepted", "password", `"Failed password"`, `"accepted publickey"`, "root",
	`"api customers"`, `"/api/customers"`, "products 126", `"products/126"`, "126",
	"GET", "POST", "get", `"GET /api/customers"`, `"POST /checkout/pay"`, `"get /"`, "GET checkout",
	`"POST /api"`, "HEAD", "chec*", "*.php", "c?rl", "10.0.2.20", "198.18.2.99", `"10.0.1"`,
	"url:customers", "url:checkout*", "path:img", "path:*.php", "ua:curl", "ua:chrome", "message:failed",
	"raw:deny", "message:*", "url:api OR path:uploads", "checkout NOT status:200", "GET status:4xx",
	"-GET js", "(img OR customers) ip:198.18.0.0/16", "zzzznotthere", `"checkout js" source:access-log`,
	"deny tcp", `"deny tcp"`, "built", "teardown",
}

// answers runs every query and returns the matching rows of each.
func answers(t *testing.T, s *Searcher) map[string][]int64 {
	t.Helper()
	out := map[string][]int64{}
	for _, q := range indexQueries {
		rows := []int64{}
		err := s.Each(context.Background(), Request{Query: q}, func(row int64, _ *timeline.Event) error {
			rows = append(rows, row)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[q] = rows
	}
	return out
}

func openCase(t *testing.T, c *engine.Case) *Searcher {
	t.Helper()
	s, err := Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func sameAnswers(t *testing.T, what string, want, got map[string][]int64) {
	t.Helper()
	for _, q := range indexQueries {
		if !slices.Equal(want[q], got[q]) {
			t.Errorf("%s: %s: %d rows, want %d", what, q, len(got[q]), len(want[q]))
		}
	}
}

// TestIndexAnswersEqualScans compares every query's answer through the
// index with the answer of column scans on the same timeline, then kills
// an index build half-way (after a segment is on disk, before it is
// recorded) and checks the case still answers the same by scans, and that
// the next build completes the index with the same answers.
func TestIndexAnswersEqualScans(t *testing.T) {
	c := webshop(t)
	dir := t.TempDir()
	noIndex := openCase(t, c)
	if noIndex.HasIndex() {
		t.Fatal("case ingested with NoIndex has an index")
	}
	want := answers(t, noIndex)
	nonEmpty := 0
	for _, q := range indexQueries {
		if len(want[q]) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(indexQueries)*3/4 {
		t.Fatalf("only %d of %d queries match anything: the comparison would prove little", nonEmpty, len(indexQueries))
	}

	killed := errors.New("killed")
	testHookIndexed = func(int) error { return killed }
	err := BuildIndex(context.Background(), dir, c.TimelineStore(), nil)
	testHookIndexed = nil
	if !errors.Is(err, killed) {
		t.Fatalf("build with a kill: %v", err)
	}
	_, m, err := c.TimelineStore().Current()
	if err != nil {
		t.Fatal(err)
	}
	if IndexComplete(dir, m.Generation) {
		t.Fatal("a killed build says complete")
	}
	half, err := Open(c.TimelineStore(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	if half.HasIndex() {
		t.Fatal("search uses an incomplete index")
	}
	sameAnswers(t, "killed build", want, answers(t, half))

	if err := BuildIndex(context.Background(), dir, c.TimelineStore(), nil); err != nil {
		t.Fatal(err)
	}
	if !IndexComplete(dir, m.Generation) {
		t.Fatal("resumed build not complete")
	}
	full, err := Open(c.TimelineStore(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	if !full.HasIndex() {
		t.Fatal("complete index not used")
	}
	sameAnswers(t, "index", want, answers(t, full))
}

// TestRequestLineWords: the words of a request line (issue #16) find the
// request events, by the method alone or as a phrase with the URL.
func TestRequestLineWords(t *testing.T) {
	c := webshop(t)
	s := openCase(t, c)
	type want struct {
		method, prefix string // events with this method and URL prefix must match
	}
	cases := map[string]want{
		"GET":                  {"GET", ""},
		"post":                 {"POST", ""},
		`"GET /api/customers"`: {"GET", "/api/customers"},
		`"POST /checkout/pay"`: {"POST", "/checkout/pay"},
		"GET customers":        {"GET", "/api/customers"},
		`"get /products"`:      {"GET", "/products"},
	}
	for q, w := range cases {
		var expect []int64
		err := s.Each(context.Background(), Request{Query: "method:" + w.method}, func(row int64, ev *timeline.Event) error {
			if strings.HasPrefix(ev.URL, w.prefix) {
				expect = append(expect, row)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(expect) == 0 {
			t.Fatalf("fixture has no %s %s request", w.method, w.prefix)
		}
		got := map[int64]bool{}
		err = s.Each(context.Background(), Request{Query: q}, func(row int64, ev *timeline.Event) error {
			got[row] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		missing := 0
		for _, r := range expect {
			if !got[r] {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%s: %d of %d %s %s* requests not found (%d matches)", q, missing, len(expect), w.method, w.prefix, len(got))
		}
	}
	// The phrase holds in order: "/api/customers GET" is not a request line.
	n, err := s.Count(context.Background(), Request{Query: `"customers GET"`})
	if err != nil || n != 0 {
		t.Errorf(`"customers GET": %d matches, %v`, n, err)
	}
}
