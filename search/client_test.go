package search_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
)

// TestClientAndAnnotationFields: an origin log behind a CDN records the edge as the
// connecting address and the client in X-Forwarded-For. client_ip: finds
// the client (the first X-Forwarded-For address, never a later hop); ip:
// still reads the connecting and destination addresses only (reading the
// extra column for every ip: term doubled scope's time on the look-alike
// case: the client belongs in a column of its own at ingest).
func TestClientAndAnnotationFields(t *testing.T) {
	lines := `130.176.12.34 - - [05/Apr/2026:14:06:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua" "203.0.113.66"
130.176.12.35 - - [05/Apr/2026:14:06:01 +0000] "POST /b HTTP/1.1" 200 5 "-" "ua" "203.0.113.66, 130.176.12.35"
203.0.113.66 - - [05/Apr/2026:14:06:02 +0000] "GET /c HTTP/1.1" 200 5 "-" "ua" "-"
130.176.12.34 - - [05/Apr/2026:14:06:03 +0000] "GET /d HTTP/1.1" 200 5 "-" "ua" "198.51.100.7, 203.0.113.66"
130.176.12.34 - - [05/Apr/2026:14:06:04 +0000] "GET /e HTTP/1.1" 200 5 "-" "ua" "2001:db8::7"
`
	bundle := t.TempDir()
	if err := os.WriteFile(filepath.Join(bundle, "access.log"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "case")
	opt := engine.IngestOptions{Index: func(ctx context.Context, c *engine.Case, p func(int64, int64)) error {
		return search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), p)
	}}
	if _, err := engine.Ingest(context.Background(), bundle, dir, opt); err != nil {
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
	defer s.Close()
	for q, want := range map[string]int64{
		"client_ip:203.0.113.66":                    2, // /a, /b; not /d, where it is a later hop
		"ip:203.0.113.66 OR client_ip:203.0.113.66": 3, // and /c, where it connected directly
		"src_ip:203.0.113.66":                       1,
		"client_ip:198.51.100.0/24":                 1,
		"client_ip:2001:db8::/32":                   1,
		"ip:130.176.12.34":                          3,
		"client_ip:130.176.12.34":                   0,
		"client_ip:203.0.113.66 AND url:/b*":        1,
	} {
		n, err := s.Count(context.Background(), search.Request{Query: q})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != want {
			t.Errorf("%s: %d events, want %d", q, n, want)
		}
	}

	// The analysts' annotations: tag: matches their tags as well as the
	// parsers', starred: and comment: read them (rows 0 and 3 tagged,
	// row 1 starred and commented).
	s.SetNotes(func(field, value string) ([]int64, error) {
		switch {
		case field == "tag" && (value == "webshell-upload" || value == "webshell-*"):
			return []int64{3, 0}, nil
		case field == "starred" && value == "true", field == "comment" && value == "exfil":
			return []int64{1}, nil
		}
		return nil, nil
	})
	for q, want := range map[string]int64{
		"tag:webshell-upload":                         2,
		"tag:webshell-*":                              2,
		"tag:webshell-upload OR starred:true":         3,
		"tag:webshell-upload AND url:/a*":             1,
		"url:/d* AND tag:webshell-upload":             1,
		"NOT tag:webshell-upload":                     3,
		"starred:true AND comment:exfil":              1,
		"tag:other":                                   0,
		"(tag:webshell-upload OR tag:other) -url:/a*": 1,
	} {
		n, err := s.Count(context.Background(), search.Request{Query: q})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != want {
			t.Errorf("%s: %d events, want %d", q, n, want)
		}
	}
}
