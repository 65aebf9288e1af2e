package taxonomy_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func ingestBundle(t *testing.T, bundle string) *search.Searcher {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if _, err := engine.Ingest(context.Background(), bundle, dir, engine.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := engine.OpenCase(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// key is one source's count of one label.
type key struct{ source, label string }

// displayed labels every event as the timeline shows it.
func displayed(t *testing.T, s *search.Searcher) map[key]int64 {
	t.Helper()
	got := map[key]int64{}
	err := s.Each(context.Background(), search.Request{}, func(_ int64, ev *timeline.Event) error {
		got[key{ev.Source, taxonomy.Of(ev).String()}]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// checkQueries: each label the display shows is what the query fields
// find, source by source.
func checkQueries(t *testing.T, s *search.Searcher, shown map[key]int64) {
	t.Helper()
	for k, n := range shown {
		if k.label == "" {
			continue
		}
		q := "source:" + k.source + " AND "
		if b, ok := strings.CutPrefix(k.label, "benign:"); ok {
			q += "benign:" + b
		} else {
			a, tg, _ := strings.Cut(k.label, "/")
			q += "sandia:" + a + " AND target:" + tg
		}
		got, err := s.Count(context.Background(), search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Errorf("%s: %d events, timeline shows %d", q, got, n)
		}
	}
}

var (
	nginxLine = regexp.MustCompile(`"([A-Z]+) [^"]*" (\d{3}) `)
	asaDeny   = regexp.MustCompile(`%ASA-\d-106023: Deny (tcp|udp) src \S+ dst \S+/(\d+) `)
)

// webLabel is the label a request line should get, from method and status.
func webLabel(method, status string) string {
	switch {
	case (method == "GET" || method == "HEAD") && status[0] == '2':
		return "read/data"
	case (method == "POST" || method == "PUT" || method == "PATCH") && status[0] == '2':
		return "modify/data"
	case method == "DELETE" && status[0] == '2':
		return "delete/data"
	case (method == "GET" || method == "HEAD" || method == "POST") && status == "404":
		return "probe/data"
	}
	return ""
}

// lines calls fn for each line of a plain or gzip'd file.
func lines(t *testing.T, path string, fn func(string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatal(err)
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
}

// TestSampleBundle: the labels of the bundled sample case's nginx logs
// equal those read from the raw lines, and the query fields find them.
func TestSampleBundle(t *testing.T) {
	root := filepath.Join(corpus.Root(t), "fixtures", "sample")
	s := ingestBundle(t, root)
	shown := displayed(t, s)
	want := map[key]int64{}
	for _, f := range []string{"web01/nginx/access.log", "web01/nginx/access.log.1.gz"} {
		lines(t, filepath.Join(root, f), func(l string) {
			if m := nginxLine.FindStringSubmatch(l); m != nil {
				want[key{"access-log", webLabel(m[1], m[2])}]++
			}
		})
	}
	for k, n := range want {
		if shown[k] != n {
			t.Errorf("%s %q: timeline shows %d, raw lines say %d", k.source, k.label, shown[k], n)
		}
	}
	if want[key{"access-log", "probe/data"}] == 0 || want[key{"access-log", "read/data"}] == 0 {
		t.Errorf("sample lacks 404s or reads: %v", want)
	}
	if shown[key{"auth", "authenticate/account"}] == 0 {
		t.Errorf("no authentication labelled in the sample's auth.log: %v", shown)
	}
	checkQueries(t, s, shown)
}

// TestWebshopBundle: the webshop fixture's firewall denials (a scan from
// the compromised web server), CDN and origin requests, logins and file
// times.
func TestWebshopBundle(t *testing.T) {
	root := filepath.Join(corpus.Root(t), "fixtures", "webshop", "bundle")
	s := ingestBundle(t, root)
	shown := displayed(t, s)
	want := map[key]int64{}
	lines(t, filepath.Join(root, "fw01/asa.log"), func(l string) {
		if m := asaDeny.FindStringSubmatch(l); m != nil {
			lbl := "probe/computer"
			if m[2] == "113" {
				lbl = "benign:ident-reply"
			}
			want[key{"cisco-asa", lbl}]++
		}
	})
	lines(t, filepath.Join(root, "web01/nginx/access.log"), func(l string) {
		if m := nginxLine.FindStringSubmatch(l); m != nil {
			want[key{"access-log", webLabel(m[1], m[2])}]++
		}
	})
	var method, status int
	lines(t, filepath.Join(root, "cdn/E1WEBSHOP.2026-03-01.log"), func(l string) {
		f := strings.Split(l, "\t")
		if fields, ok := strings.CutPrefix(l, "#Fields: "); ok {
			for i, n := range strings.Fields(fields) {
				switch n {
				case "cs-method":
					method = i
				case "sc-status":
					status = i
				}
			}
			return
		}
		if strings.HasPrefix(l, "#") || len(f) <= max(method, status) {
			return
		}
		want[key{"cloudfront", webLabel(f[method], f[status])}]++
	})
	if want[key{"cisco-asa", "probe/computer"}] == 0 || want[key{"cloudfront", "read/data"}] == 0 {
		t.Fatalf("webshop raw lines: %v", want)
	}
	for k, n := range want {
		if shown[k] != n {
			t.Errorf("%s %q: timeline shows %d, raw lines say %d", k.source, k.label, shown[k], n)
		}
	}
	for _, k := range []key{{"auth", "authenticate/account"}, {"utmp", "authenticate/account"}, {"ext4", "modify/data"}} {
		if shown[k] == 0 {
			t.Errorf("no %s %s events: %v", k.source, k.label, shown)
		}
	}
	checkQueries(t, s, shown)
}
