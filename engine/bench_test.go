package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// nginxLines returns n combined-format lines like bench/gen-nginx's.
func nginxLines(n int) []byte {
	var b bytes.Buffer
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 9*3600))
	paths := []string{"/", "/products", "/cart", "/static/app.js", "/api/customer?id=", "/search?q="}
	for i := range n {
		t = t.Add(time.Duration(i%40) * time.Millisecond)
		p := paths[i%len(paths)]
		if p[len(p)-1] == '=' {
			p += fmt.Sprint(i % 50000)
		}
		fmt.Fprintf(&b, "%d.%d.%d.%d - - [%s] \"GET %s HTTP/1.1\" %d %d \"https://shop.example/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\"\n",
			1+i%223, i%256, (i/256)%256, 1+i%254, t.Format("02/Jan/2006:15:04:05 -0700"), p, []int{200, 200, 304, 404}[i%4], i%60000)
	}
	return b.Bytes()
}

// BenchmarkParseIntoArrow measures the parse half of ingest: nginx lines
// parsed and written as sorted Arrow runs, one file on one parser goroutine
// (the run writer sorts and writes on a second). It reports lines per wall
// second and per CPU second, since a shared machine distorts the first.
//
//	go test ./engine -run - -bench ParseIntoArrow -benchtime 5x
func BenchmarkParseIntoArrow(b *testing.B) {
	data := nginxLines(1_000_000)
	f, _ := parsers.Lookup("access-log")
	in := &parsers.Input{Name: "bench", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	lines := 0
	for b.Loop() {
		dir := b.TempDir()
		w := timeline.NewRunWriter(dir)
		if err := f.Parse(context.Background(), in, w); err != nil {
			b.Fatal(err)
		}
		n, err := w.Close()
		if err != nil {
			b.Fatal(err)
		}
		lines += int(n)
		os.RemoveAll(dir)
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(lines)/(parsertest.ProcessCPU()-cpu0).Seconds(), "lines/cpu-s")
}

// BenchmarkIngest measures a whole ingest (hash, parse, merge; no index) of
// four files of 250k nginx lines into a fresh case.
//
//	go test ./engine -run - -bench Ingest -benchtime 3x
func BenchmarkIngest(b *testing.B) {
	bundle := b.TempDir()
	for i := range 4 {
		if err := os.WriteFile(filepath.Join(bundle, fmt.Sprintf("access.log.%d", i)), nginxLines(250_000), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := parsertest.ProcessCPU()
	lines := int64(0)
	for b.Loop() {
		sum, err := Ingest(context.Background(), bundle, filepath.Join(b.TempDir(), "case"), IngestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		lines += sum.Events
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(lines)/(parsertest.ProcessCPU()-cpu0).Seconds(), "lines/cpu-s")
}
