package search_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func TestParse(t *testing.T) {
	cases := []struct{ q, want string }{
		{"", "*"},
		{"evil", `:"evil"`},
		{"ip:1.2.3.4 path:*.php", `(ip:"1.2.3.4" AND path:"*.php")`},
		{"a OR b c", `(:"a" OR (:"b" AND :"c"))`},
		{"NOT status:200", `NOT status:"200"`},
		{"-host:web01 +x", `(NOT host:"web01" AND :"x")`},
		{`message:"failed password" AND (user:root OR user:admin)`, `(message:"failed password" AND (user:"root" OR user:"admin"))`},
		{"url:http://x/y", `url:"http://x/y"`},
		{"ip:2001:db8::1", `ip:"2001:db8::1"`},
	}
	for _, tc := range cases {
		n, err := search.Parse(tc.q)
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		if n.String() != tc.want {
			t.Errorf("%q: %s, want %s", tc.q, n, tc.want)
		}
	}
	for _, bad := range []string{"(a", "a)", `"open`, "nosuch:x", "host:", "AND"} {
		if _, err := search.Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

var (
	sampleOnce sync.Once
	sampleCase *engine.Case
	sampleErr  error
)

// sample ingests fixtures/sample once for the package's tests.
func sample(t testing.TB) (*engine.Case, *search.Searcher) {
	t.Helper()
	sampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kiseki-search-test")
		if err != nil {
			sampleErr = err
			return
		}
		opt := engine.IngestOptions{Index: func(ctx context.Context, c *engine.Case, p func(int64, int64)) error {
			return search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), p)
		}}
		if _, sampleErr = engine.Ingest(context.Background(), filepath.Join(corpus.Root(t), "fixtures", "sample"), filepath.Join(dir, "case"), opt); sampleErr == nil {
			sampleCase, sampleErr = engine.OpenCase(filepath.Join(dir, "case"))
		}
	})
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	s, err := search.Open(sampleCase.TimelineStore(), sampleCase.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return sampleCase, s
}

// grepSample counts the sample bundle's lines for which match holds,
// reading the files directly: an independent answer to compare with.
func grepSample(t testing.TB, files []string, match func(line string) bool) int64 {
	var n int64
	for _, f := range files {
		fh, err := os.Open(filepath.Join(corpus.Root(t), "fixtures", "sample", f))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = fh
		if strings.HasSuffix(f, ".gz") {
			if r, err = gzip.NewReader(fh); err != nil {
				t.Fatal(err)
			}
		}
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if match(sc.Text()) {
				n++
			}
		}
		fh.Close()
	}
	return n
}

var webLogs = []string{"web01/nginx/access.log", "web01/nginx/access.log.1.gz"}

func TestCountsAgainstTheFiles(t *testing.T) {
	_, s := sample(t)
	ctx := context.Background()
	cases := []struct {
		query string
		files []string
		match func(string) bool
	}{
		{"ip:203.0.113.66 source:access-log", webLogs, func(l string) bool { return strings.HasPrefix(l, "203.0.113.66 ") }},
		{"ip:203.0.113.0/24 AND source:access-log", webLogs, func(l string) bool { return strings.HasPrefix(l, "203.0.113.") }},
		{"status:404", webLogs, func(l string) bool { return strings.Contains(l, "\" 404 ") }},
		{"status:4xx OR status:5xx", webLogs, func(l string) bool { return strings.Contains(l, "\" 404 ") }},
		{"url:*customer* AND status:200", webLogs, func(l string) bool { return strings.Contains(l, "/api/customer") }},
		{"customer", webLogs, func(l string) bool { return strings.Contains(l, "customer") }},
		{"path:*.php OR url:*.php*", webLogs, func(l string) bool { return strings.Contains(l, ".php") }},
		{`"Failed password" root`, []string{"web01/log/auth.log"}, func(l string) bool { return strings.Contains(l, "Failed password for root") }},
		{"deploy AND NOT publickey AND host:db01", []string{"db01/log/syslog"}, func(l string) bool { return strings.Contains(l, "deploy") && !strings.Contains(l, "publickey") }},
		{"host:web01", []string{"web01/nginx/access.log", "web01/nginx/access.log.1.gz", "web01/log/auth.log"}, func(string) bool { return true }},
		{"source:unparsed", webLogs, func(l string) bool { return strings.HasPrefix(l, "\x16") }},
		{"raw:garbage", webLogs, func(l string) bool { return strings.HasPrefix(l, "\x16") }},
		{"wp*", webLogs, func(l string) bool { return strings.Contains(l, "/wp-") }},
	}
	for _, tc := range cases {
		want := grepSample(t, tc.files, tc.match)
		got, err := s.Count(ctx, search.Request{Query: tc.query})
		if err != nil {
			t.Errorf("%q: %v", tc.query, err)
			continue
		}
		if got != want || want == 0 {
			t.Errorf("%q: %d events, the files have %d", tc.query, got, want)
		}
	}
}

func TestTimeRangeAndPaging(t *testing.T) {
	_, s := sample(t)
	ctx := context.Background()
	from := time.Date(2026, 1, 1, 23, 0, 0, 0, time.UTC).UnixNano()
	to := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC).UnixNano() - 1
	req := search.Request{Query: "source:access-log", From: from, To: to}
	total, err := s.Count(ctx, req)
	if err != nil || total == 0 {
		t.Fatalf("count %d %v", total, err)
	}
	var all []int64
	req.Limit = 0
	s.Each(ctx, req, func(row int64, ev *timeline.Event) error {
		if ev.Time < from || ev.Time > to {
			t.Errorf("row %d outside the range", row)
		}
		all = append(all, row)
		return nil
	})
	if int64(len(all)) != total {
		t.Fatalf("Each gave %d of %d", len(all), total)
	}
	var paged []int64
	for off := 0; ; off += 7 {
		n := 0
		s.Each(ctx, search.Request{Query: req.Query, From: from, To: to, Offset: off, Limit: 7}, func(row int64, _ *timeline.Event) error {
			paged = append(paged, row)
			n++
			return nil
		})
		if n < 7 {
			break
		}
	}
	if len(paged) != len(all) {
		t.Fatalf("paging gave %d rows, want %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i] != all[i] {
			t.Fatalf("page row %d = %d, want %d", i, paged[i], all[i])
		}
	}
	h, err := s.Histogram(ctx, req, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, b := range h {
		sum += b.Count
	}
	if sum != total || !h[0].Start.Equal(time.Unix(0, from).UTC()) {
		t.Errorf("histogram sums to %d (want %d), starts %v", sum, total, h[0].Start)
	}
}

func TestBadTermValues(t *testing.T) {
	_, s := sample(t)
	for _, q := range []string{"status:abc", "ip:10.0.0.0/99", "bytes:>x"} {
		if _, err := s.Count(context.Background(), search.Request{Query: q}); err == nil {
			t.Errorf("%q: no error", q)
		}
	}
}

// BenchmarkQuery measures a field query and a word query over the sample
// timeline; bench/ingest.sh runs queries on a 10-million-event case.
//
//	go test ./search -run - -bench Query
func BenchmarkQuery(b *testing.B) {
	_, s := sample(b)
	ctx := context.Background()
	for _, q := range []string{"ip:203.0.113.0/24 AND status:200", "customer OR garbage"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Count(ctx, search.Request{Query: q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		pat, s        string
		caseSensitive bool
		want          bool
	}{
		{"*.php", "/uploads/.cache/img.php", false, true},
		{"*.PHP", "/x/evil.php", false, true},
		{"*.PHP", "/x/evil.php", true, false},
		{"/api/customer*", "/api/customer?id=7", true, true},
		{"a?c", "abc", true, true},
		{"a?c", "ac", true, false},
		{"*a*a*a*a*b", strings.Repeat("a", 5000), false, false}, // no exponential backtracking
		{"exact", "Exact", false, true},
		{"", "", true, true},
	}
	for _, tc := range cases {
		if got := search.Glob(tc.pat, tc.caseSensitive)(tc.s); got != tc.want {
			t.Errorf("Glob(%q, %v)(%.20q) = %v", tc.pat, tc.caseSensitive, tc.s, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ns := func(s string) int64 { v, _ := time.Parse(time.RFC3339Nano, s); return v.UnixNano() }
	cases := []struct {
		v    string
		end  bool
		want int64
	}{
		{"2026-01-02", false, ns("2026-01-01T15:00:00Z")},
		{"2026-01-02", true, ns("2026-01-02T14:59:59.999999999Z")},
		{"2026-01-02 08:00", true, ns("2026-01-01T23:00:59.999999999Z")},
		{"2026-01-02T08:00:05", true, ns("2026-01-01T23:00:05.999999999Z")},
		{"2026-01-02 08:00:05.25", true, ns("2026-01-01T23:00:05.25Z")},
		{"2026-01-02T08:00:00+09:00", true, ns("2026-01-01T23:00:00Z")},
		{"1767308400000000000", false, 1767308400000000000},
		{"", true, 0},
	}
	for _, tc := range cases {
		got, err := search.ParseTime(tc.v, tokyo, tc.end)
		if err != nil || got != tc.want {
			t.Errorf("ParseTime(%q, end=%v) = %d, %v; want %d", tc.v, tc.end, got, err, tc.want)
		}
	}
	if _, err := search.ParseTime("yesterday", tokyo, false); err == nil {
		t.Error("yesterday parsed")
	}
}
