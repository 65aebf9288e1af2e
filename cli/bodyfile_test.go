package cli_test

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
)

// mactime runs the Sleuth Kit's mactime -b on a bodyfile and returns its
// data rows (ISO dates, comma-separated).
func mactime(t *testing.T, body string) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "body.txt")
	os.WriteFile(p, []byte(body), 0o644)
	out, err := exec.Command("mactime", "-b", p, "-d", "-y").CombinedOutput()
	if err != nil {
		t.Fatalf("mactime -b: %v\n%s", err, out)
	}
	rows := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(rows) > 0 && strings.HasPrefix(rows[0], "Date,") {
		rows = rows[1:]
	}
	return rows
}

// placeholders counts mactime rows that are not a file's: a mode of 0 (no
// file system record), the rows a log event becomes. (A file's time that is
// zero, such as an ext3 file's crtime, is a "0000-00-00" row in mactime for
// fls -m's bodyfile too, and is kept as fls writes it.)
func placeholders(rows []string) int {
	n := 0
	for _, r := range rows {
		if f := strings.Split(r, ","); len(f) > 3 && f[3] == "0" {
			n++
		}
	}
	return n
}

// TestBodyfileFileSystemOnly: on the webshop case (an ext4 image and logs),
// the bodyfile holds the image's files only, and mactime prints no
// placeholder row; --all adds the log events as rows of their own.
func TestBodyfileFileSystemOnly(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, filepath.Join(corpus.Root(t), "fixtures", "webshop", "bundle"), caseDir)
	body, errOut, code := run(t, "timeline", "--case", caseDir, "--format", "bodyfile")
	if code != 0 {
		t.Fatal(errOut)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	for _, l := range lines {
		if f := strings.Split(l, "|"); len(f) != 11 || f[2] == "0" || f[3] == "0" {
			t.Fatalf("not a file system row: %q", l)
		}
	}
	if !strings.Contains(body, "|/shop/uploads/.cache/img.php|") {
		t.Errorf("the web shell is missing from the bodyfile")
	}
	rows := mactime(t, body)
	if n := placeholders(rows); n != 0 || len(rows) < len(lines) {
		t.Errorf("mactime: %d placeholder rows of %d (%d files)", n, len(rows), len(lines))
	}

	all, _, _ := run(t, "timeline", "--case", caseDir, "--format", "bodyfile", "--all")
	allLines := strings.Split(strings.TrimSpace(all), "\n")
	if len(allLines) <= len(lines) || !strings.Contains(all, "POST /uploads/upload.php") {
		t.Errorf("--all: %d lines, files alone %d, or the upload is missing", len(allLines), len(lines))
	}
}

// TestBodyfileSeveralImages: with two images in a case, every name is
// host:/mount/path, so the hosts' files cannot collide.
func TestBodyfileSeveralImages(t *testing.T) {
	root := corpus.Root(t)
	bundle := t.TempDir()
	unpack := func(src, dst string, dec func(io.Reader) (io.Reader, error)) {
		b, err := os.ReadFile(filepath.Join(root, "fixtures", "disk", src))
		if err != nil {
			t.Fatal(err)
		}
		r, err := dec(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(bundle, dst), out, 0o644)
	}
	unpack("ext4-4k.img.gz", "a.img", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) })
	unpack("ntfs-small.img.bz2", "b.img", func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil })
	os.WriteFile(filepath.Join(bundle, "bundle.yaml"), []byte(`evidence:
  - path: a.img
    host: lin01
    mount: /srv
  - path: b.img
    host: win01
    mount: /C
`), 0o644)
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, bundle, caseDir)
	body, errOut, code := run(t, "timeline", "--case", caseDir, "--format", "bodyfile")
	if code != 0 {
		t.Fatal(errOut)
	}
	hosts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		name := strings.Split(l, "|")[1]
		switch {
		case strings.HasPrefix(name, "lin01:/srv/"), name == "lin01:/srv":
			hosts["lin01"]++
		case strings.HasPrefix(name, "win01:/C/"), name == "win01:/C":
			hosts["win01"]++
		default:
			t.Errorf("name without host:/mount: %q", l)
		}
	}
	if hosts["lin01"] == 0 || hosts["win01"] == 0 {
		t.Errorf("rows per host: %v", hosts)
	}
	if n := placeholders(mactime(t, body)); n != 0 {
		t.Errorf("mactime: %d placeholder rows", n)
	}
}
