package ntfs

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// mftRecords returns the first n raw MFT records of the fixture.
func mftRecords(t testing.TB, n int) [][]byte {
	img, err := os.ReadFile(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	off, rs := mftOffset(t, img, 0)
	var out [][]byte
	for i := 0; i < n; i++ {
		out = append(out, append([]byte(nil), img[off+int64(i)*rs:off+int64(i+1)*rs]...))
	}
	return out
}

// FuzzDecodeEntry: fixups, attribute walking, attribute lists and
// runlists must never panic or loop on any record.
func FuzzDecodeEntry(f *testing.F) {
	for _, r := range mftRecords(f, 73) {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		var e entry
		if applyFixup(rec) == nil {
			decodeEntry(rec, &e)
			if e.al != nil {
				parseAttrList(e.al.content)
				decodeRuns(e.al.runs, 1024)
			}
			mftExtents(rec)
			if tags, u := timestomp(&e); (tags == "") != (u == 0) {
				t.Fatalf("timestomp tags %q with untrusted mask %b", tags, u)
			}
			modeString(&e)
		}
	})
}

// FuzzParseVolume runs the whole parser on a mutated copy of the fixture's
// first 256 KiB (boot sector and MFT): no panic, no hang.
func FuzzParseVolume(f *testing.F) {
	img, err := os.ReadFile(fixture(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img[:256<<10], uint32(0), byte(0))
	f.Fuzz(func(t *testing.T, img []byte, at uint32, val byte) {
		if len(img) == 0 {
			return
		}
		img = append([]byte(nil), img...)
		img[int(at)%len(img)] ^= val
		in := &parsers.Input{Name: "fuzz.img"}
		vol := &parsers.Volume{R: bytes.NewReader(img), Size: int64(len(img)), RefPath: "fuzz.img", Input: in}
		Parse(context.Background(), vol, discard{})
	})
}

type discard struct{}

func (discard) Emit(*timeline.Event) error { return nil }

// BenchmarkDecodeEntry measures MFT entry decoding alone.
// go test ./parsers/ntfs -run - -bench DecodeEntry -benchtime=1s
func BenchmarkDecodeEntry(b *testing.B) {
	recs := mftRecords(b, 73)
	var e entry
	buf := make([]byte, len(recs[0]))
	b.ReportAllocs()
	b.SetBytes(int64(len(recs[0])))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := recs[i%len(recs)]
		copy(buf, r)
		if string(buf[:4]) == "FILE" && applyFixup(buf) == nil {
			e.fns, e.streams = e.fns[:0], e.streams[:0]
			decodeEntry(buf, &e)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkParseCharlie runs the whole parser (MFT walk, paths, events)
// on the go-ntfs charlie image.
// go test ./parsers/ntfs -run - -bench ParseCharlie -benchtime=20x
func BenchmarkParseCharlie(b *testing.B) {
	img := bunzip(b, corpus.Path(b, "disk/go-ntfs/charlie.dd.bz2"))
	data, err := os.ReadFile(img)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var entries int64
	for i := 0; i < b.N; i++ {
		in := &parsers.Input{Name: "charlie.dd"}
		vol := &parsers.Volume{R: bytes.NewReader(data), Size: int64(len(data)), RefPath: "charlie.dd", Input: in}
		p := &volParser{vol: vol, in: in, sink: discard{}, badRunStart: -1}
		if err := p.open(); err != nil {
			b.Fatal(err)
		}
		if err := p.readMFT(context.Background()); err != nil {
			b.Fatal(err)
		}
		p.mergeExtensions()
		p.emitEntries(context.Background())
		entries += p.entriesRead
	}
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
}
