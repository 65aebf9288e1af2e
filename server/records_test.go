package server_test

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// rawOf returns an event's raw bytes as the detail view and the download
// give them.
func rawOf(t *testing.T, ts *testServer, row int64) (view, download []byte, from string) {
	t.Helper()
	var d struct {
		RawText   string `json:"raw_text"`
		RawBase64 string `json:"raw_base64"`
		RawFrom   string `json:"raw_from"`
		RawError  string `json:"raw_error"`
	}
	ts.getJSON(t, fmt.Sprintf("/api/v1/events/%d", row), &d)
	if d.RawError != "" {
		t.Errorf("row %d: raw_error %s", row, d.RawError)
	}
	view = []byte(d.RawText)
	if d.RawBase64 != "" {
		var err error
		if view, err = decodeBase64(d.RawBase64); err != nil {
			t.Fatal(err)
		}
	}
	code, b, _ := ts.get(t, fmt.Sprintf("/api/v1/events/%d/raw", row))
	if code != 200 {
		t.Fatalf("raw download of row %d: %d %s", row, code, b)
	}
	return view, b, d.RawFrom
}

func decodeBase64(s string) ([]byte, error) {
	var b []byte
	err := json.Unmarshal([]byte(`"`+s+`"`), &b)
	return b, err
}

// A line inside a tar member (plain and gzip'd tar) shows its own bytes in
// the raw view and the download, not the archive's bytes at the member's
// offset (the tar header, before the case service read through archives).
func TestRawOfArchiveMember(t *testing.T) {
	lines := []string{
		`198.51.100.1 - - [13/Jan/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "curl/8.0"`,
		`198.51.100.2 - - [13/Jan/2026:10:00:01 +0000] "GET /b HTTP/1.1" 404 20 "-" "curl/8.0"`,
		`198.51.100.3 - - [13/Jan/2026:10:00:02 +0000] "POST /c HTTP/1.1" 500 30 "-" "curl/8.0"`,
	}
	other := "203.0.113.9 - - [13/Jan/2026:09:00:00 +0000] \"GET /first HTTP/1.1\" 200 1 \"-\" \"x\"\n"
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, m := range []struct{ name, body string }{
		{"logs/first.log", other},
		{"logs/access.log", strings.Join(lines, "\n") + "\n"},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(m.body))
	}
	tw.Close()
	bundle := t.TempDir()
	os.WriteFile(filepath.Join(bundle, "web.tar"), tb.Bytes(), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	os.WriteFile(filepath.Join(bundle, "web2.tar.gz"), gz.Bytes(), 0o644)

	c := ingestCase(t, bundle)
	ts := start(t, c, server.Options{})
	seen := map[string]int{}
	err := ts.s.Each(context.Background(), search.Request{}, func(row int64, ev *timeline.Event) error {
		if !strings.HasSuffix(ev.RefPath, "!logs/access.log") {
			return nil
		}
		want := lines[ev.Line-1]
		view, dl, from := rawOf(t, ts, row)
		if from != "evidence" || string(view) != want || string(dl) != want {
			t.Errorf("%s line %d (row %d): raw from %q = %q, download %q; want %q", ev.RefPath, ev.Line, row, from, view, dl, want)
		}
		seen[ev.RefPath]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen["web.tar!logs/access.log"] != 3 || seen["web2.tar.gz!logs/access.log"] != 3 {
		t.Errorf("member events checked: %v", seen)
	}
}

// An MFT entry inside an NTFS partition of an E01 shows the entry's own
// bytes (the decoded image at the event's offset), checked against the
// NTFS volume the E01 was made from (fixtures/disk/make-disk-fixture.sh:
// partition 1 at sector 2048), not the E01 file's compressed bytes.
func TestRawOfE01Partition(t *testing.T) {
	root := corpus.Root(t)
	e01, err := os.ReadFile(filepath.Join(root, "fixtures", "disk", "disk-mbr-ntfs.E01"))
	if err != nil {
		t.Fatal(err)
	}
	bz, err := os.Open(filepath.Join(root, "fixtures", "disk", "ntfs-small.img.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	defer bz.Close()
	vol, err := io.ReadAll(bzip2.NewReader(bz))
	if err != nil {
		t.Fatal(err)
	}
	const p1 = 2048 * 512
	bundle := t.TempDir()
	os.WriteFile(filepath.Join(bundle, "disk-mbr-ntfs.E01"), e01, 0o644)
	c := ingestCase(t, bundle)
	ts := start(t, c, server.Options{})
	checked := 0
	err = ts.s.Each(context.Background(), search.Request{Limit: 2000}, func(row int64, ev *timeline.Event) error {
		if ev.RefPath != "disk-mbr-ntfs.E01#p1" || ev.MFT == timeline.Absent || ev.Offset == timeline.Absent || checked >= 20 {
			return nil
		}
		view, dl, from := rawOf(t, ts, row)
		at := ev.Offset - p1
		if from != "evidence" || len(view) < 1024 || at < 0 || at+int64(len(view)) > int64(len(vol)) {
			t.Fatalf("row %d (MFT %d at %d): raw from %q, %d bytes", row, ev.MFT, ev.Offset, from, len(view))
		}
		if !bytes.HasPrefix(view, []byte("FILE")) || !bytes.Equal(view, vol[at:at+int64(len(view))]) || !bytes.Equal(dl, view) {
			t.Errorf("row %d (MFT %d at %d): raw %.16q… is not the volume's entry %.16q…", row, ev.MFT, ev.Offset, view, vol[at:])
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no MFT event of partition 1 was checked")
	}
}
