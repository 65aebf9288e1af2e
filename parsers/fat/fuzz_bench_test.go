package fat

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type discard struct{ n int }

// fileSink opens and reads the file of every event (the fuzz targets'
// check that file reading survives what the walk survives).
type fileSink struct{ fd parsers.FileData }

func (s fileSink) Emit(ev *timeline.Event) error {
	if f, ok := s.fd.File(ev); ok {
		buf := make([]byte, 4096)
		for off := int64(0); off < min(f.Size, 1<<20); off += int64(len(buf)) {
			f.R.ReadAt(buf, off)
		}
	}
	return nil
}

func (d *discard) Emit(*timeline.Event) error { d.n++; return nil }

// FuzzParse: any bytes given as a FAT or exFAT volume are read without
// panic, hang or absurd allocation.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"fat/Velocidex-go-fat/testcases/fat12.dd", "fat/dsoprea-go-exfat/test/assets/test.exfat"} {
		if b := corpus.Seed(f, p); b != nil {
			f.Add(b[:256<<10])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		if !DetectFAT(r, int64(len(b))) && !DetectExFAT(r, int64(len(b))) {
			return
		}
		vol := &parsers.Volume{R: r, Size: int64(len(b)), RefPath: "fuzz", Input: &parsers.Input{}}
		fd, err := Files(vol)
		if err != nil {
			return
		}
		Parse(context.Background(), vol, fileSink{fd})
	})
}

// BenchmarkParse walks the go-fat sample (400 entries) and the go-exfat
// sample.
// go test ./parsers/fat -run - -bench Parse
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, path string }{{"fat12", "fat/Velocidex-go-fat/testcases/fat12.dd"}, {"exfat", "fat/dsoprea-go-exfat/test/assets/test.exfat"}} {
		data, err := os.ReadFile(corpus.Path(b, c.path))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			var d discard
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				vol := &parsers.Volume{R: bytes.NewReader(data), Size: int64(len(data)), RefPath: "bench", Input: &parsers.Input{}}
				if err := Parse(context.Background(), vol, &d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(d.n)/float64(b.N), "events/op")
		})
	}
}
