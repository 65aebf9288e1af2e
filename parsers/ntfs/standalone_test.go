package ntfs

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
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

// TestStandaloneUSNMatchesImage: the $UsnJrnl:$J icat copies out of the
// USN fixture, alone and behind a sparse start of zeros (as icat writes a
// long-lived journal), gives the image's USN events: same times, USNs,
// reasons and file references; the path is the name (no $MFT to look the
// parent up in).
func TestStandaloneUSNMatchesImage(t *testing.T) {
	img := bunzip(t, filepath.Join(corpus.Root(t), "fixtures", "disk", "ntfs-usn.img.bz2"))
	j, err := exec.Command(needTool(t, "icat"), img, "64-128-4").Output()
	if err != nil || len(j) == 0 {
		t.Fatalf("icat $J: %v", err)
	}
	imgEvs, _ := parseImage(t, img, nil)
	var want []string
	for _, e := range imgEvs {
		if e.Source == SourceUSN {
			want = append(want, usnKey(&e, strings.TrimPrefix(e.Path, "<orphan>/")))
		}
	}
	for _, prefix := range []int{0, 64 << 10} {
		data := append(make([]byte, prefix), j...)
		p := filepath.Join(t.TempDir(), "$J")
		os.WriteFile(p, data, 0o644)
		head := data[:min(len(data), parsers.HeadSize)]
		if c := parsers.Detect("$J", head); len(c) == 0 || c[0].Format.Name != FormatUSN {
			t.Fatalf("sparse start %d: detection %+v", prefix, c)
		}
		f, _ := parsers.Lookup(FormatUSN)
		var c collect
		var warns []string
		in := &parsers.Input{Name: "$J", Evidence: "E1", Host: "h", Size: int64(len(data)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
			Warn: func(m string) { warns = append(warns, m) }}
		if err := f.Parse(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range c.evs {
			if e.Source == SourceUSN {
				off, _ := strconv.Atoi(extra(&e, "j_offset"))
				e.Extra = append(e.Extra[:0:0], e.Extra...)
				for i := range e.Extra {
					if e.Extra[i].Key == "j_offset" {
						e.Extra[i].Value = strconv.Itoa(off - prefix)
					}
				}
				got = append(got, usnKey(&e, e.Path))
			}
		}
		if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") || len(warns) != 0 {
			t.Errorf("sparse start %d: %d events (want %d), warnings %q\nfirst got  %v\nfirst want %v", prefix, len(got), len(want), warns, first(got), first(want))
		}
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func usnKey(e *timeline.Event, path string) string {
	return strings.Join([]string{timeFmt(e.Time), path, e.Action, extra(e, "usn"), extra(e, "j_offset"), extra(e, "reason"), extra(e, "file_ref"), extra(e, "parent_ref"), strconv.FormatInt(e.MFT, 10)}, "|")
}

func FuzzStandaloneUSN(f *testing.F) {
	if b := corpus.Seed(f, "disk/go-ntfs/usn_sample.bin"); len(b) > 0 {
		f.Add("$J", b[:min(len(b), 4096)])
	}
	f.Add("$J", make([]byte, 64))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		detectUSN(name, data)
		in := &parsers.Input{Name: name, Size: int64(len(data)), ReaderAt: bytes.NewReader(data),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		parseUSN(context.Background(), in, discard{})
	})
}

// go test ./parsers/ntfs -run - -bench StandaloneUSN
func BenchmarkStandaloneUSN(b *testing.B) {
	data := corpus.Seed(b, "disk/go-ntfs/usn_sample.bin")
	if data == nil {
		b.Skip("no corpus")
	}
	in := &parsers.Input{Name: "$J", Size: int64(len(data)), ReaderAt: bytes.NewReader(data)}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parseUSN(context.Background(), in, discard{}); err != nil {
			b.Fatal(err)
		}
	}
}

// The same on the shared corpus's image (go-ntfs's charlie.dd): the $MFT
// icat extracts from it gives the image's file rows.
func TestStandaloneMFTMatchesCorpusImage(t *testing.T) {
	img := bunzip(t, corpus.Path(t, "disk/go-ntfs/charlie.dd.bz2"))
	mft := extractMFT(t, img)
	imgEvs, _ := parseImage(t, img, nil)
	mftEvs, _ := parseStandalone(t, mft)
	want, got := ourBody(imgEvs), ourBody(mftEvs)
	if len(want) < 20 {
		t.Fatalf("only %d file rows from the image", len(want))
	}
	diff := 0
	for k, w := range want {
		if got[k] != w {
			diff++
			if diff <= 10 {
				t.Errorf("file row %s:\n image %s\n $MFT  %s", k, w, got[k])
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diff++
			if diff <= 10 {
				t.Errorf("row only from the $MFT: %s", got[k])
			}
		}
	}
	t.Logf("%d file rows, %d differ", len(want), diff)
}
