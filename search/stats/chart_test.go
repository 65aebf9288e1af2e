package stats

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCharts draws the fixture's ports and checks the drawings against the
// counts: every SVG bar's height is its count on the y scale and the bars
// of an hour sum to that hour's denials; the PNG decodes at the layout's
// size with the first series' colour at the bottom of its tallest bar.
// KISEKI_STATS_CHARTS=DIR keeps the files for a look.
func TestCharts(t *testing.T) {
	s, truth, _ := fixtureCase(t)
	res, err := Compute(context.Background(), s, Options{By: ByPort})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := NewChart(res, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Hours) != fixtureHours || len(ch.Series) != 6 || ch.Series[5] != Other {
		t.Fatalf("chart: %d hours, series %v", len(ch.Hours), ch.Series)
	}
	perHour := map[string]int64{}
	for _, d := range truth {
		perHour[hourLabel(d.at.Truncate(3600e9))]++
	}
	var svg, pngBuf bytes.Buffer
	if err := ch.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	if err := ch.PNG(&pngBuf); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("KISEKI_STATS_CHARTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "ports.svg"), svg.Bytes(), 0o644)
		os.WriteFile(filepath.Join(dir, "ports.png"), pngBuf.Bytes(), 0o644)
	}

	l := ch.layout()
	var doc struct {
		Rects []struct {
			Height int    `xml:"height,attr"`
			Title  string `xml:"title"`
		} `xml:"rect"`
	}
	if err := xml.Unmarshal(svg.Bytes(), &doc); err != nil {
		t.Fatalf("SVG does not parse: %v", err)
	}
	drawn := map[string]int64{}
	bars := 0
	for _, r := range doc.Rects {
		if r.Title == "" {
			continue
		}
		bars++
		// "03-11 09h tcp/22: 41"
		colon := strings.LastIndex(r.Title, ": ")
		n, err := strconv.ParseInt(r.Title[colon+2:], 10, 64)
		if err != nil {
			t.Fatalf("bar title %q", r.Title)
		}
		drawn[r.Title[:len("01-02 15h")]] += n
		if want := int(n * int64(l.plotH) / l.yTop); r.Height < want-1 || r.Height > want+1 {
			t.Errorf("bar %q: %d px high, want %d", r.Title, r.Height, want)
		}
	}
	if bars < fixtureHours*6 {
		t.Errorf("%d bars drawn", bars)
	}
	for h, n := range perHour {
		if drawn[h] != n {
			t.Errorf("hour %s: bars sum to %d, denials %d", h, drawn[h], n)
		}
	}

	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != l.w || b.Dy() < l.h {
		t.Errorf("PNG %v, layout %dx%d", b, l.w, l.h)
	}
	first := ch.Values[0]
	tallest := 0
	for h := range first {
		if first[h] > first[tallest] {
			tallest = h
		}
	}
	r, g, b, _ := img.At(l.left+tallest*l.barW+l.barW/2, l.y(0)-1).RGBA()
	if want := palette[0]; uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(b>>8) != want.B {
		t.Errorf("PNG bottom of hour %d: %d,%d,%d, want the first series' %v", tallest, r>>8, g>>8, b>>8, want)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct{ m, step, top int64 }{{0, 1, 1}, {3, 1, 3}, {7, 2, 8}, {41, 10, 50}, {230, 50, 250}, {999, 200, 1000}, {1001, 200, 1200}} {
		if s, top := niceTicks(c.m); s != c.step || top != c.top {
			t.Errorf("niceTicks(%d) = %d %d, want %d %d", c.m, s, top, c.step, c.top)
		}
	}
}
