package engine

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func write(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBundle(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "logs/a/x.log", "x")
	write(t, dir, "logs/a/y.log", "y")
	write(t, dir, "other.txt", "o")
	write(t, dir, "bundle.yaml", `
case: c1
timezone: Asia/Tokyo
evidence:
  - path: logs/
    host: h1
  - path: logs/a/y.log
    host: h2
    format: syslog
    clock_offset: 90s
    docroot: /var/www
`)
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 { // other.txt is not listed; bundle.yaml never is
		t.Fatalf("files %+v", files)
	}
	if files[0].Item.Host != "h1" || files[1].Item.Host != "h2" || files[1].Item.Format != "syslog" || files[1].Item.Options["docroot"] != "/var/www" {
		t.Errorf("items: %+v / %+v", files[0].Item, files[1].Item)
	}

	for name, manifest := range map[string]string{
		"bad zone":     "timezone: Mars/Olympus\n",
		"outside":      "evidence:\n  - path: ../etc/passwd\n",
		"absolute":     "evidence:\n  - path: /etc/passwd\n",
		"bad offset":   "evidence:\n  - path: other.txt\n    clock_offset: soon\n",
		"missing file": "evidence:\n  - path: nothere.log\n",
		"not yaml":     "evidence: [\n",
	} {
		d := t.TempDir()
		write(t, d, "other.txt", "o")
		write(t, d, "bundle.yaml", manifest)
		b, err := LoadBundle(d)
		if err == nil {
			_, err = b.Files()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAuditChain(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.jsonl")
	for _, a := range []string{"one", "two", "three"} {
		if err := appendAudit(p, AuditEntry{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := VerifyAuditChain(p); n != 0 || err != nil {
		t.Fatalf("intact chain reported broken at %d (%v)", n, err)
	}
	b, _ := os.ReadFile(p)
	lines := strings.SplitAfter(string(b), "\n")
	os.WriteFile(p, []byte(lines[0]+lines[2]), 0o644) // line two removed
	if n, _ := VerifyAuditChain(p); n != 2 {
		t.Errorf("removed line: broken at %d, want 2", n)
	}
	os.WriteFile(p, []byte(strings.Replace(string(b), `"two"`, `"TWO"`, 1)), 0o644)
	if n, _ := VerifyAuditChain(p); n != 3 {
		t.Errorf("edited line: broken at %d, want 3", n)
	}
}

func compressors(t testing.TB) map[Compression]func([]byte) []byte {
	return map[Compression]func([]byte) []byte{
		CompGzip: func(b []byte) []byte {
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		CompXZ: func(b []byte) []byte {
			var buf bytes.Buffer
			w, _ := xz.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		CompZstd: func(b []byte) []byte {
			var buf bytes.Buffer
			w, _ := zstd.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		},
		CompBzip2: func(b []byte) []byte {
			cmd := exec.Command("python3", "-c", "import bz2,sys; sys.stdout.buffer.write(bz2.compress(sys.stdin.buffer.read()))")
			cmd.Stdin = bytes.NewReader(b)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("python3 bz2: %v", err)
			}
			return out
		},
	}
}

// TestCompressedEvidence ingests the same log in every supported compression.
func TestCompressedEvidence(t *testing.T) {
	plain := "10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] \"GET /a HTTP/1.1\" 200 1 \"-\" \"ua\"\nnot a log line\n10.0.0.2 - - [13/Jan/2016:19:31:17 +0000] \"GET /b HTTP/1.1\" 200 1 \"-\" \"ua\"\n"
	bundle := t.TempDir()
	ext := map[Compression]string{CompGzip: ".gz", CompXZ: ".xz", CompZstd: ".zst", CompBzip2: ".bz2"}
	for comp, fn := range compressors(t) {
		b := fn([]byte(plain))
		if got := sniffCompression(b); got != comp {
			t.Fatalf("%s sniffed as %q", comp, got)
		}
		write(t, bundle, "access"+ext[comp], string(b))
	}
	sum, err := Ingest(context.Background(), bundle, filepath.Join(t.TempDir(), "case"), IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range sum.Items {
		if !strings.HasPrefix(it.Format, "access-log+") || it.Events != 3 || it.Unparsed != 1 {
			t.Errorf("%s: %+v", it.Path, it)
		}
	}
}

func TestDecompressionBomb(t *testing.T) {
	oldE, oldM := maxExpansion, minBombLimit
	maxExpansion, minBombLimit = 10, 1<<20
	defer func() { maxExpansion, minBombLimit = oldE, oldM }()
	zeros := compressors(t)[CompGzip](bytes.Repeat([]byte("A\n"), 4<<20)) // 8 MiB of lines, ~10 KiB compressed
	p := write(t, t.TempDir(), "bomb.gz", string(zeros))
	r, err := openStream(p, CompGzip, int64(len(zeros)), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, ErrBomb) || n != 1<<20 {
		t.Errorf("read %d bytes, err %v; want 1 MiB and ErrBomb", n, err)
	}
	// Through ingest: the lines before the limit are kept, the error is reported.
	bundle := filepath.Dir(p)
	sum, err := Ingest(context.Background(), bundle, filepath.Join(t.TempDir(), "case"), IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it := sum.Items[0]
	if it.Errors == 0 || it.Events != 1<<19 || !strings.Contains(strings.Join(it.Messages, " "), "bomb") {
		t.Errorf("bomb item: %+v", it)
	}
}

// TestUnknownFiles: text nobody parses is kept line by line; binary is
// reported; empty files are registered without error.
func TestUnknownFiles(t *testing.T) {
	bundle := t.TempDir()
	write(t, bundle, "notes.txt", "first line\nsecond line\n")
	write(t, bundle, "blob.dat", string([]byte{0, 1, 2, 3, 0, 0, 0xff, 0, 7, 0}))
	write(t, bundle, "empty.log", "")
	sum, err := Ingest(context.Background(), bundle, filepath.Join(t.TempDir(), "case"), IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ItemSummary{}
	for _, it := range sum.Items {
		got[it.Path] = it
	}
	if it := got["notes.txt"]; it.Format != "text" || it.Events != 2 || it.Unparsed != 2 {
		t.Errorf("notes.txt: %+v", it)
	}
	if it := got["blob.dat"]; it.Status != "unrecognised" || it.Errors != 1 {
		t.Errorf("blob.bin: %+v", it)
	}
	if it := got["empty.log"]; it.Errors != 0 || it.Events != 0 {
		t.Errorf("empty.log: %+v", it)
	}
	reg, _ := (&Case{Dir: sum.Case}).LoadRegistry()
	if e := reg.ByPath("empty.log"); len(reg.Items) != 3 || e == nil || e.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("registry: %+v", reg.Items)
	}
}

// TestClockOffset: a device 35 s behind has its events moved 35 s later,
// and the correction is recorded with the zone.
func TestClockOffset(t *testing.T) {
	bundle := t.TempDir()
	write(t, bundle, "fw.log", "Jan  1 00:00:00 fw01 kernel: hello\n")
	write(t, bundle, "bundle.yaml", "year: 2026\nevidence:\n  - path: fw.log\n    host: fw01\n    clock_offset: -35s\n")
	caseDir := filepath.Join(t.TempDir(), "case")
	if _, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	c, _ := OpenCase(caseDir)
	dir, m, _ := c.TimelineStore().Current()
	seg, err := timeline.OpenSegment(dir, m.Segments[0])
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Release()
	var ev timeline.Event
	seg.Event(0, &ev)
	if got := ev.UTC().Format("2006-01-02T15:04:05"); got != "2026-01-01T00:00:35" || ev.Zone != "UTC (default) clock_offset=-35s" || ev.Host != "fw01" {
		t.Errorf("event: %s zone %q host %q", got, ev.Zone, ev.Host)
	}
}

// TestArchives: tar.gz and zip evidence is read as a directory; each member
// is detected, parsed and summarised on its own, with the member path in
// every reference. A gzip'd member inside a tar is decompressed too.
func TestArchives(t *testing.T) {
	access := "10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] \"GET /a HTTP/1.1\" 200 1 \"-\" \"ua\"\n"
	sys := "Jan  1 00:00:00 h kernel: hello\nJan  1 00:00:01 h kernel: again\n"
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	add := func(name, body string) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	add("var/log/nginx/access.log", access)
	add("var/log/syslog.1.gz", string(compressors(t)[CompGzip]([]byte(sys))))
	tw.WriteHeader(&tar.Header{Name: "var/log/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.Close()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("logs/access.log")
	w.Write([]byte(access + access))
	zw.Close()

	bundle := t.TempDir()
	write(t, bundle, "web01.tar.gz", string(compressors(t)[CompGzip](tb.Bytes())))
	write(t, bundle, "cdn.zip", zb.String())
	write(t, bundle, "bundle.yaml", "year: 2026\n")
	caseDir := filepath.Join(t.TempDir(), "case")
	sum, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		format string
		events int64
	}{
		"cdn.zip!logs/access.log":               {"access-log", 2},
		"web01.tar.gz!var/log/nginx/access.log": {"access-log", 1},
		"web01.tar.gz!var/log/syslog.1.gz":      {"syslog+gzip", 2},
	}
	if len(sum.Items) != len(want) || sum.Events != 5 {
		t.Fatalf("summary: %+v", sum.Items)
	}
	for _, it := range sum.Items {
		w := want[it.Path]
		if it.Format != w.format || it.Events != w.events || it.Errors != 0 || it.Evidence == "" {
			t.Errorf("%s: %+v, want %+v", it.Path, it, w)
		}
	}
	c, _ := OpenCase(caseDir)
	dir, m, _ := c.TimelineStore().Current()
	seg, _ := timeline.OpenSegment(dir, m.Segments[0])
	defer seg.Release()
	refs := map[string]bool{}
	var ev timeline.Event
	for i := range seg.Len() {
		seg.Event(i, &ev)
		refs[ev.RefPath+":"+fmt.Sprint(ev.Line)] = true
	}
	for _, r := range []string{"cdn.zip!logs/access.log:2", "web01.tar.gz!var/log/syslog.1.gz:2", "web01.tar.gz!var/log/nginx/access.log:1"} {
		if !refs[r] {
			t.Errorf("no event with reference %s (have %v)", r, refs)
		}
	}
}
