package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// benchRows is the size of the benchmark timeline: several segments.
const benchRows = 400_000

// benchTimeline writes a timeline of unique values once per run: half web
// requests (unique client, URL, user agent and referer, a CloudFront-like
// handful of extras), half NTFS file-system records (four times per
// attribute of unique files), as an ingest would.
func benchTimeline(b *testing.B) *search.Searcher {
	b.Helper()
	dir := b.TempDir()
	run := filepath.Join(dir, "runs", "E0001")
	os.MkdirAll(run, 0o755)
	w := timeline.NewRunWriter(run)
	var ev timeline.Event
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := 0; i < benchRows/2; i++ {
		ev.Reset()
		ev.Time, ev.TimeDesc, ev.Zone = t0+int64(i)*1e9, timeline.TimeRequest, "+0000"
		ev.Host, ev.Source, ev.Evidence, ev.RefPath, ev.Line, ev.Offset = "web01", "access-log", "E0001", "web01/access.log", int64(i+1), int64(i)*180
		ev.SrcIP = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		ev.Method, ev.URL, ev.Status, ev.Bytes = "GET", fmt.Sprintf("/shop/item/%d?ref=%x", i, i*7919), 200, int64(i%5000)
		ev.UserAgent = fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64) Firefox/%d.0", i%300)
		ev.TimeOrig = time.Unix(0, ev.Time).UTC().Format("02/Jan/2006:15:04:05 -0700")
		ev.AddExtra("referer", fmt.Sprintf("https://example.com/p/%d", i))
		ev.AddExtra("proto", "HTTP/1.1")
		ev.AddExtra("x_edge_location", "NRT57-C1")
		if err := w.Emit(&ev); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < benchRows/8; i++ {
		for k, desc := range []string{"si_mtime", "si_atime", "si_ctime", "si_crtime"} {
			ev.Reset()
			ev.Time, ev.TimeDesc, ev.Zone = t0-int64(i)*1e9-int64(k)*1e6, desc, "UTC"
			ev.Host, ev.Source, ev.Evidence, ev.RefPath = "web01", "ntfs", "E0002", "web01/c.img"
			ev.MFT, ev.Offset = int64(64+i), int64(64+i)*1024
			ev.Message = fmt.Sprintf("/Users/u/Documents/report-%d.docx", i)
			ev.Path = "C:" + ev.Message
			ev.MarkFS(i%10 != 0)
			ev.FS.Seq, ev.FS.AttrType, ev.FS.AttrID, ev.FS.Mode, ev.FS.UID, ev.FS.GID, ev.FS.Size = int64(i%7+1), 128, 1, "r/rrwxrwxrwx", 0, 0, int64(i)*10
			if err := w.Emit(&ev); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := w.Close(); err != nil {
		b.Fatal(err)
	}
	store := timeline.Store{Dir: filepath.Join(dir, "timeline")}
	if _, err := store.Merge([]string{run}, []string{"E0001"}, nil); err != nil {
		b.Fatal(err)
	}
	s, err := search.Open(store, filepath.Join(dir, "index"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

// BenchmarkTimelineExport measures `kiseki timeline --format F` over the
// benchmark timeline, reading segments included, and reports rows/s (one
// core: the export is one goroutine), by wall time and by CPU time (the
// machine may be shared; run with GOMAXPROCS=1 so CPU time is one core's).
//
//	go test ./cli -run - -bench TimelineExport -benchtime 3x
func BenchmarkTimelineExport(b *testing.B) {
	s := benchTimeline(b)
	// "read": the rows read and decoded into events, written nowhere: the
	// floor under every format.
	for _, format := range []string{"read", "jsonl", "csv", "l2tcsv", "bodyfile"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuSeconds()
			for b.Loop() {
				var ew eventWriter = nopWriter{}
				if format != "read" {
					var err error
					if ew, err = newEventWriter(format, io.Discard, time.UTC); err != nil {
						b.Fatal(err)
					}
				}
				err := s.Each(context.Background(), search.Request{}, func(row int64, ev *timeline.Event) error { return ew.write(row, ev) })
				if err == nil {
					err = ew.close()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			if used := cpuSeconds() - cpu; used > 0 {
				b.ReportMetric(float64(benchRows)*float64(b.N)/used, "rows/cpu-s")
			}
		})
	}
}

type nopWriter struct{}

func (nopWriter) write(int64, *timeline.Event) error { return nil }
func (nopWriter) close() error                       { return nil }
