package disk

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
)

func FuzzDetect(f *testing.F) {
	for _, p := range []string{"disk/dfvfs/ext2.E01", "disk/plaso/tsk_volume_system.raw"} {
		if b := corpus.Seed(f, p); b != nil {
			f.Add("x.E01", b[:min(len(b), 4096)])
		}
	}
	f.Add("x.dd", []byte("EFI PART"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		Detect(name, head)
		Group([]string{name, name + ".E02", "a.E01", "a.E02"})
	})
}

// FuzzReadTable: MBR/EBR/GPT parsing of arbitrary bytes never panics and
// always ends.
func FuzzReadTable(f *testing.F) {
	if b := corpus.Seed(f, "disk/plaso/tsk_volume_system.raw"); b != nil {
		f.Add(b[:200<<10])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		readTable(bytes.NewReader(b), int64(len(b)))
	})
}

// FuzzOpenContainer: any bytes given as a (possibly E01) image are opened
// and parsed without panic or absurd allocation.
func FuzzOpenContainer(f *testing.F) {
	if b := corpus.Seed(f, "disk/dfvfs/ext2.E01"); b != nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := &parsers.Input{Name: "f.E01", ReaderAt: bytes.NewReader(b), Size: int64(len(b))}
		Parse(context.Background(), in, &collect{})
	})
}

// BenchmarkE01Read reads a whole E01 through go-ewf and the page cache.
// go test ./parsers/disk -run - -bench E01Read -benchtime=20x
func BenchmarkE01Read(b *testing.B) {
	f, err := os.Open(corpus.Path(b, "disk/dfvfs/ext2.split.E01"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	in, _ := inputFor(b, "ext2.split.E01", corpus.Path(b, "disk/dfvfs/ext2.split.E01"), corpus.Path(b, "disk/dfvfs/ext2.split.E02"))
	img, err := openImage(in)
	if err != nil {
		b.Fatal(err)
	}
	defer img.closer()
	buf := make([]byte, 1<<20)
	b.ReportAllocs()
	b.SetBytes(img.size)
	for i := 0; i < b.N; i++ {
		cr := newCachedReader(img.r, img.size, DefaultCachePages)
		for off := int64(0); off < img.size; off += int64(len(buf)) {
			cr.ReadAt(buf, off)
		}
	}
}

// BenchmarkCachedSmallReads: 4 KiB reads served from cached pages.
func BenchmarkCachedSmallReads(b *testing.B) {
	data := make([]byte, 8<<20)
	cr := newCachedReader(bytes.NewReader(data), int64(len(data)), DefaultCachePages)
	buf := make([]byte, 4096)
	b.ReportAllocs()
	b.SetBytes(4096)
	for i := 0; i < b.N; i++ {
		cr.ReadAt(buf, int64(i%1024)*4096)
	}
}

// FuzzSplitRef: any reference path splits without panicking; a partition
// found is positive and the parts join back to the reference.
func FuzzSplitRef(f *testing.F) {
	for _, s := range []string{"disk.E01#p2", "disk.E01#p2/var/log/a#p3.log", "disk.E01#p", "disk.E01", "disk.E01#p00", "disk.E01#p99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		n, rest, err := SplitRef("disk.E01", ref)
		if err != nil {
			return
		}
		if n < 0 || (n > 0 && !strings.HasSuffix(ref, rest)) || (n == 0 && ref != "disk.E01"+rest) {
			t.Fatalf("%q: partition %d, rest %q", ref, n, rest)
		}
	})
}
