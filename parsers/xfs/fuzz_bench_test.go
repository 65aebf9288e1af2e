package xfs

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

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

// corpusImage decompresses the blsforme sample (an empty 500 MiB XFS) to a
// temporary file.
func corpusImage(t testing.TB) string {
	src, err := os.Open(corpus.Path(t, "xfs_btrfs/serpent-os-blsforme/crates/superblock/tests/xfs.img.zst"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	zr, err := zstd.NewReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	p := filepath.Join(t.TempDir(), "xfs.img")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	return p
}

// The blsforme sample: label BLSFORME (its README), an empty tree: the
// root directory and the unnamed metadata inodes (realtime bitmap and
// summary) alone.
func TestCorpusSample(t *testing.T) {
	p := corpusImage(t)
	f, _ := os.Open(p)
	defer f.Close()
	sb, err := readSuper(f)
	if err != nil || sb.label != "BLSFORME" || sb.version != 5 {
		t.Fatalf("superblock %+v: %v", sb, err)
	}
	evs := parse(t, p)
	for i := range evs {
		if evs[i].Path != "/" && !strings.HasPrefix(evs[i].Path, "<inode ") {
			t.Errorf("unexpected %s (inode %d)", evs[i].Path, evs[i].Inode)
		}
	}
	if len(evs) == 0 {
		t.Fatal("no event for the root directory")
	}
}

// FuzzParse: any bytes given as an XFS volume are read without panic, hang
// or absurd allocation. Seeds: the head of a mkfs.xfs image.
func FuzzParse(f *testing.F) {
	if b := corpus.Seed(f, "xfs_btrfs/serpent-os-blsforme/crates/superblock/tests/xfs.img.zst"); b != nil {
		if zr, err := zstd.NewReader(bytes.NewReader(b)); err == nil {
			head := make([]byte, 256<<10)
			n, _ := io.ReadFull(zr, head)
			zr.Close()
			f.Add(head[:n])
		}
	}
	f.Add([]byte("XFSB"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		if !Detect(r, int64(len(b))) {
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

// BenchmarkParse reads a mkfs.xfs image of 3049 names (one directory of
// 3000).
// go test ./parsers/xfs -run - -bench Parse
func BenchmarkParse(b *testing.B) {
	img := mkfs(b, b.TempDir(), sampleTree(3000))
	f, err := os.Open(img)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	var d discard
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		vol := &parsers.Volume{R: f, Size: st.Size(), RefPath: "bench", Input: &parsers.Input{}}
		if err := Parse(context.Background(), vol, &d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.n)/float64(b.N), "events/op")
}
