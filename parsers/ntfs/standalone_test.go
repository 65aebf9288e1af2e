package ntfs

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// extractMFT copies the $MFT out of an image with the Sleuth Kit's icat, as
// an investigator does (icat IMAGE 0 > $MFT).
func extractMFT(t testing.TB, img string) string {
	t.Helper()
	out, err := exec.Command(needTool(t, "icat"), img, "0").Output()
	if err != nil {
		t.Fatalf("icat: %v", err)
	}
	p := filepath.Join(t.TempDir(), "$MFT")
	os.WriteFile(p, out, 0o644)
	return p
}

func parseStandalone(t testing.TB, p string) ([]timeline.Event, []string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := parsers.Lookup(FormatMFT)
	if !ok {
		t.Fatal("ntfs-mft not registered")
	}
	var warns []string
	in := &parsers.Input{Name: filepath.Base(p), Evidence: "E1", Host: "h", Size: int64(len(b)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		Warn: func(m string) { warns = append(warns, m) }}
	var c collect
	if err := f.Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.evs, warns
}

// TestStandaloneMFTMatchesImage: the $MFT icat extracts from the NTFS
// fixture gives the same file rows (bodyfile lines: name, meta address,
// mode, size and four times) and the same timestomp tags as the image.
func TestStandaloneMFTMatchesImage(t *testing.T) {
	img := fixture(t)
	mft := extractMFT(t, img)
	head, _ := os.ReadFile(mft)
	if got := parsers.Detect("$MFT", head[:min(len(head), parsers.HeadSize)]); len(got) == 0 || got[0].Format.Name != FormatMFT || got[0].Score != 100 {
		t.Fatalf("detection of an extracted $MFT: %+v", got)
	}
	if got := parsers.Detect("x.bin", head[:min(len(head), parsers.HeadSize)]); len(got) == 0 || got[0].Format.Name != FormatMFT {
		t.Fatalf("detection of a $MFT under another name: %+v", got)
	}

	imgEvs, _ := parseImage(t, img, nil)
	mftEvs, warns := parseStandalone(t, mft)
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	want, got := ourBody(imgEvs), ourBody(mftEvs)
	if len(want) < 20 {
		t.Fatalf("only %d file rows from the image", len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("file row %s:\n image %s\n $MFT  %s", k, w, got[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("row only from the $MFT: %s", got[k])
		}
	}
	tags := func(evs []timeline.Event) map[string]string {
		m := map[string]string{}
		for _, e := range evs {
			if e.Source == Name && e.Tags != "" {
				m[e.Path] = e.Tags
			}
		}
		return m
	}
	ti, tm := tags(imgEvs), tags(mftEvs)
	if len(ti) == 0 || len(ti) != len(tm) {
		t.Errorf("timestomp tags: image %v, $MFT %v", ti, tm)
	}
	for _, e := range mftEvs {
		if e.Source == Name && (e.Offset < 0 || e.Offset%1024 != 0 || e.MFT*1024 != e.Offset) {
			t.Fatalf("offset %d of entry %d is not its place in the $MFT file", e.Offset, e.MFT)
		}
	}
}

// TestStandaloneMFTTruncated: a $MFT cut inside a record keeps every whole
// record and reports the cut one.
func TestStandaloneMFTTruncated(t *testing.T) {
	mft := extractMFT(t, fixture(t))
	b, _ := os.ReadFile(mft)
	cut := filepath.Join(t.TempDir(), "$MFT")
	os.WriteFile(cut, b[:40*1024+300], 0o644)
	evs, _ := parseStandalone(t, cut)
	var unreadable bool
	for _, e := range evs {
		if e.Source == timeline.SourceRaw && strings.Contains(e.Message, "entries 40-40 unreadable") {
			unreadable = true
		}
		if e.Source == Name && e.MFT >= 40 {
			t.Errorf("an event from the cut record %d", e.MFT)
		}
	}
	if !unreadable {
		t.Error("the cut record is not reported")
	}
}

func FuzzDetectMFT(f *testing.F) {
	for _, r := range mftRecords(f, 4) {
		f.Add("$MFT", r)
	}
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		if s := detectMFT(name, head); s != 0 && mftRecordSize(head) == 0 {
			t.Fatalf("score %d without a FILE record", s)
		}
		in := &parsers.Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(head)), nil }}
		parseMFT(context.Background(), in, discard{})
	})
}

// go test ./parsers/ntfs -run - -bench StandaloneMFT
func BenchmarkStandaloneMFT(b *testing.B) {
	mft := extractMFT(b, fixture(b))
	data, _ := os.ReadFile(mft)
	in := &parsers.Input{Name: "$MFT", Size: int64(len(data)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parseMFT(context.Background(), in, discard{}); err != nil {
			b.Fatal(err)
		}
	}
}
