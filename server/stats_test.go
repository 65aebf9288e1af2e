package server_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/search/stats"
	"github.com/kiseki-forensics/kiseki/server"
)

// TestStats: the API answers as kiseki stats --json, the chart is an SVG
// of the same counts, the page lists the rows, and the country view,
// which needs a database the server has not, is refused.
func TestStats(t *testing.T) {
	c := ingestCase(t, filepath.Join(corpus.Root(t), "fixtures", "webshop", "bundle"))
	ts := start(t, c, server.Options{})
	for _, by := range []string{stats.ByPort, stats.BySrc24, stats.BySensor} {
		want, err := stats.Compute(context.Background(), ts.s, stats.Options{By: by})
		if err != nil {
			t.Fatal(err)
		}
		wb, _ := json.Marshal(want)
		code, got, _ := ts.get(t, "/api/v1/stats?by="+by)
		if code != 200 || strings.TrimSpace(string(got)) != string(wb) {
			t.Errorf("by %s: %d %s\nwant %s", by, code, got, wb)
		}
		if len(want.Rows) == 0 {
			t.Errorf("by %s: no rows on the webshop fixture", by)
		}
	}
	code, svg, h := ts.get(t, "/stats/ports.svg?top=3")
	var doc struct {
		Rects []struct {
			Title string `xml:"title"`
		} `xml:"rect"`
	}
	if code != 200 || h.Get("Content-Type") != "image/svg+xml" || xml.Unmarshal(svg, &doc) != nil || !strings.Contains(string(svg), ">other<") {
		t.Errorf("chart: %d %s: %.300s", code, h.Get("Content-Type"), svg)
	}
	code, page, _ := ts.get(t, "/stats?by=src24")
	if code != 200 || !strings.Contains(string(page), "<td>10.0.1.0/24</td>") || !strings.Contains(string(page), `src="/stats/ports.svg?by=src24"`) {
		t.Errorf("page: %d %.500s", code, page)
	}
	if code, body, _ := ts.get(t, "/api/v1/stats?by=country"); code != 400 || !strings.Contains(string(body), "geoip") {
		t.Errorf("country without a database: %d %s", code, body)
	}
	if code, _, _ := ts.get(t, "/api/v1/stats?proto=sctp"); code != 400 {
		t.Errorf("bad protocol: %d", code)
	}
}
