package fat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/fsbody"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/disk"
)

// diskImage writes a 24 MiB raw disk with a DOS partition table and one
// FAT16 partition at sector 2048 holding files and a deleted one.
func diskImage(t testing.TB, dir string) string {
	raw := filepath.Join(dir, "disk.raw")
	if err := os.WriteFile(raw, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Truncate(raw, 24<<20)
	sf := exec.Command(fsbody.Need(t, "sfdisk"), "-q", raw)
	sf.Stdin = strings.NewReader("start=2048, type=6\n")
	if out, err := sf.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	if out, err := exec.Command(fsbody.Need(t, "mkfs.vfat"), "--offset", "2048", "-F", "16", raw, "20000").CombinedOutput(); err != nil {
		t.Fatalf("mkfs.vfat: %v\n%s", err, out)
	}
	img := raw + "@@1M"
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	var files []string
	for i := 0; i < 30; i++ {
		p := filepath.Join(src, fmt.Sprintf("access.log.%d", i))
		os.WriteFile(p, bytes.Repeat([]byte("GET / HTTP/1.1\n"), 100*i+1), 0o644)
		mt := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 25 * time.Hour)
		os.Chtimes(p, mt, mt)
		files = append(files, p)
	}
	mtools(t, "mmd", img, "::/logs")
	mtools(t, "mcopy", img, append(append([]string{"-m"}, files...), "::/logs/")...)
	mtools(t, "mdel", img, "::/logs/access.log.7")
	return raw
}

// The case: an E01 (and every VM disk format) of a disk with one
// FAT partition lists its files, deleted ones included, as fls does.
func TestFATInsideContainers(t *testing.T) {
	dir := t.TempDir()
	raw := diskImage(t, dir)
	tsk := fsbody.FLS(t, raw, "-o", "2048")
	if len(tsk) < 30 {
		t.Fatalf("fls lists %d files", len(tsk))
	}
	qemu := fsbody.Need(t, "qemu-img")
	ewf := fsbody.Need(t, "ewfacquire")
	if out, err := exec.Command(ewf, "-u", "-t", filepath.Join(dir, "disk"), "-f", "encase6", raw).CombinedOutput(); err != nil {
		t.Fatalf("ewfacquire: %v\n%s", err, out)
	}
	images := []string{raw, filepath.Join(dir, "disk.E01")}
	for _, c := range []struct{ name, fmt, opts string }{
		{"disk.qcow2", "qcow2", ""}, {"disk.vmdk", "vmdk", "subformat=streamOptimized"},
		{"disk.vhd", "vpc", "subformat=dynamic"}, {"disk.vhdx", "vhdx", ""},
	} {
		out := filepath.Join(dir, c.name)
		args := []string{"convert", "-f", "raw", "-O", c.fmt}
		if c.opts != "" {
			args = append(args, "-o", c.opts)
		}
		if b, err := exec.Command(qemu, append(args, raw, out)...).CombinedOutput(); err != nil {
			t.Fatalf("qemu-img: %v\n%s", err, b)
		}
		images = append(images, out)
	}
	f, _ := parsers.Lookup("disk-image")
	for _, img := range images {
		t.Run(filepath.Base(img), func(t *testing.T) {
			r, err := os.Open(img)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			st, _ := r.Stat()
			head := make([]byte, 4096)
			r.ReadAt(head, 0)
			if s := f.Detect(filepath.Base(img), head); s < 80 {
				t.Errorf("disk-image scores %d", s)
			}
			var warns []string
			var c fsbody.Collect
			in := &parsers.Input{Name: filepath.Base(img), ReaderAt: r, Size: st.Size(), Zone: time.UTC, ZoneSource: "manifest",
				Warn: func(m string) { warns = append(warns, m) }}
			if err := f.Parse(context.Background(), in, &c); err != nil {
				t.Fatal(err)
			}
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			ours := fsbody.Ours(c.Events)
			fsbody.Check(t, img, ours, tsk, 0.99)
			if ours[fsbody.Line{Name: "/logs/access.log.7 (deleted)", Mtime: time.Date(2025, 1, 8, 7, 0, 0, 0, time.UTC).Unix()}] != 1 {
				t.Error("the deleted file is missing")
			}
			if c.Events[0].RefPath != filepath.Base(img)+"#p1" {
				t.Errorf("ref path %q", c.Events[0].RefPath)
			}
		})
	}
}
