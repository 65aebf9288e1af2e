package fat

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// openFiles opens an image file for reading its files.
func openFiles(t *testing.T, img string) parsers.FileData {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	fd, err := Files(&parsers.Volume{R: f, Size: st.Size(), RefPath: img, Input: &parsers.Input{Zone: time.UTC}})
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

// Every file of the mtools-built images reads back the bytes mcopy wrote,
// deleted files included while their clusters are free.
func TestFilesContent(t *testing.T) {
	for _, bits := range []int{12, 32} {
		dir := t.TempDir()
		img := buildFAT(t, dir, bits, map[int]int{12: 2048, 32: 40000}[bits])
		evs := parseFile(t, fatFS, img, time.UTC)
		fd := openFiles(t, img)
		read, deleted := 0, 0
		for i := range evs {
			ev := &evs[i]
			if ev.TimeDesc != timeline.TimeModified || strings.HasPrefix(fsExtra(ev, "mode"), "d/") {
				continue
			}
			want, err := os.ReadFile(filepath.Join(dir, "src", filepath.Base(ev.Path)))
			if err != nil {
				continue // an orphan's short name
			}
			f, ok := fd.File(ev)
			if !ok {
				if !strings.Contains(ev.Tags, "deleted") {
					t.Errorf("%s: not readable", ev.Path)
				}
				continue
			}
			got, err := io.ReadAll(io.NewSectionReader(f.R, 0, f.Size))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: %d bytes read (%v), want %d", ev.Path, len(got), err, len(want))
			}
			if f.Inode != ev.Inode || f.Path != ev.Path || f.ModTime.Unix() != ev.Time/1e9 {
				t.Errorf("%s: inode %d path %s mtime %v", ev.Path, f.Inode, f.Path, f.ModTime)
			}
			read++
			if f.Deleted {
				deleted++
			}
		}
		if read < 50 || deleted < 3 {
			t.Errorf("FAT%d: %d files read, %d of them deleted", bits, read, deleted)
		}
	}
}

// go-fat's golden MD5 of /a/b/alice.txt, read through Files.
func TestFilesGoFATAlice(t *testing.T) {
	img := corpus.Path(t, "fat/Velocidex-go-fat/testcases/fat12.dd")
	evs := parseFile(t, fatFS, img, time.UTC)
	fd := openFiles(t, img)
	for i := range evs {
		if evs[i].Path != "/a/b/alice.txt" {
			continue
		}
		f, ok := fd.File(&evs[i])
		if !ok || f.Size != 174313 {
			t.Fatalf("alice.txt: %v %d", ok, f.Size)
		}
		b, _ := io.ReadAll(io.NewSectionReader(f.R, 0, f.Size))
		if got := md5hex(b); got != "7e56f48cb7671ceba58e48bf232a379c" {
			t.Fatalf("md5 %s", got)
		}
		return
	}
	t.Fatal("no alice.txt")
}

func fsExtra(ev *timeline.Event, k string) string {
	for _, kv := range ev.Extra {
		if kv.Key == k {
			return kv.Value
		}
	}
	return ""
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// go-exfat's sample: the JPEG its tests hash reads back with that SHA-1;
// deleted files are read while the allocation bitmap has their clusters
// free: file2 (cluster 98) is, file1 is not (its cluster 97 is allocated
// again, as the Sleuth Kit's blkstat says of sector 896).
func TestFilesExFAT(t *testing.T) {
	img := corpus.Path(t, "fat/dsoprea-go-exfat/test/assets/test.exfat")
	evs := parseFile(t, exfatFS, img, time.UTC)
	fd := openFiles(t, img)
	if fd.(*fileData).bitmap == nil {
		t.Fatal("no allocation bitmap")
	}
	got := map[string]string{}
	for i := range evs {
		ev := &evs[i]
		if ev.TimeDesc != timeline.TimeModified {
			continue
		}
		f, ok := fd.File(ev)
		if !ok {
			continue
		}
		b, err := io.ReadAll(io.NewSectionReader(f.R, 0, f.Size))
		if err != nil {
			t.Fatal(err)
		}
		s := sha1.Sum(b)
		got[ev.Path] = hex.EncodeToString(s[:])
	}
	if h := got["/2-delahaye-type-165-cabriolet-dsc_8025.jpg"]; h != "a2219fa800ae2325003d8d4f5122b37f12f1e18e" {
		t.Errorf("jpeg sha1 %q", h)
	}
	_, file1 := got["/testdirectory2/file1"]
	_, file2 := got["/testdirectory2/file2"]
	if file1 || !file2 {
		t.Errorf("deleted file1 read %v, file2 read %v", file1, file2)
	}
	t.Logf("%d files read", len(got))
}
