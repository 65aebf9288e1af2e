package fat

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/fsbody"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

var (
	fatFS   = &parsers.FileSystem{Name: SourceFAT, Parse: Parse}
	exfatFS = &parsers.FileSystem{Name: SourceExFAT, Parse: Parse}
)

// mtools runs one mtools command on image with TZ=UTC, so that the local
// times it writes are the UTC renditions of the source files' times.
func mtools(t testing.TB, tool, image string, args ...string) {
	t.Helper()
	cmd := exec.Command(fsbody.Need(t, tool), append([]string{"-i", image}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "MTOOLS_SKIP_CHECK=1", "LC_ALL=C.UTF-8")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
}

// buildFAT makes a FAT image of the given width holding nested directories,
// long and short names, a read-only file and deleted files and directories,
// with varied modification times (mcopy -m keeps the source's).
func buildFAT(t testing.TB, dir string, bits, kb int) string {
	img := filepath.Join(dir, fmt.Sprintf("fat%d.img", bits))
	if out, err := exec.Command(fsbody.Need(t, "mkfs.vfat"), "-F", fmt.Sprint(bits), "-C", img, fmt.Sprint(kb)).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.vfat: %v\n%s", err, out)
	}
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	base := time.Date(2024, 2, 29, 23, 58, 0, 0, time.UTC)
	var files []string
	for i := 0; i < 60; i++ {
		var name string
		switch i % 4 {
		case 0:
			name = fmt.Sprintf("Long File Name %03d.log", i)
		case 1:
			name = fmt.Sprintf("F%d.TXT", i)
		case 2:
			name = fmt.Sprintf("mixed.Case.%d.json", i)
		default:
			name = fmt.Sprintf("access-%d.log.1", i)
		}
		p := filepath.Join(src, name)
		os.WriteFile(p, []byte(strings.Repeat("line\n", i*40+1)), 0o644)
		mt := base.Add(time.Duration(i) * 37 * time.Hour)
		os.Chtimes(p, mt, mt)
		files = append(files, p)
	}
	mtools(t, "mmd", img, "::/var", "::/var/log", "::/var/log/nginx", "::/Documents and Settings", "::/gone", "::/gone/sub")
	mtools(t, "mcopy", img, append(append([]string{"-m"}, files[:20]...), "::/")...)
	mtools(t, "mcopy", img, append(append([]string{"-m"}, files[20:40]...), "::/var/log/nginx/")...)
	mtools(t, "mcopy", img, append(append([]string{"-m"}, files[40:50]...), "::/Documents and Settings/")...)
	mtools(t, "mcopy", img, append(append([]string{"-m"}, files[50:]...), "::/gone/sub/")...)
	mtools(t, "mattrib", img, "+r", "::/F1.TXT")
	mtools(t, "mdel", img, "::/F5.TXT", "::/Long File Name 004.log", "::/var/log/nginx/access-23.log.1")
	mtools(t, "mdeltree", img, "::/gone")
	return img
}

func parseFile(t testing.TB, fs *parsers.FileSystem, img string, zone *time.Location) []timeline.Event {
	t.Helper()
	evs, warns := fsbody.ParseVolume(t, fs, img, &parsers.Input{Zone: zone, ZoneSource: "manifest", Host: "h", Evidence: "E1"})
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	return evs
}

// The bodyfile of each FAT width agrees with the Sleuth Kit's fls -r -m.
func TestFATAgreesWithFLS(t *testing.T) {
	for _, c := range []struct{ bits, kb int }{{12, 2048}, {16, 16384}, {32, 40000}} {
		t.Run(fmt.Sprintf("FAT%d", c.bits), func(t *testing.T) {
			img := buildFAT(t, t.TempDir(), c.bits, c.kb)
			evs := parseFile(t, fatFS, img, time.UTC)
			ours, tsk := fsbody.Ours(evs), fsbody.FLS(t, img)
			fsbody.Check(t, img, ours, tsk, 0.99)
			var deleted, longNames int
			for l := range ours {
				if strings.HasSuffix(l.Name, " (deleted)") {
					deleted++
				}
				if strings.HasPrefix(l.Name, "/Long File Name ") {
					longNames++
				}
			}
			// 3 files and the /gone tree (2 directories, 10 files) deleted
			if deleted < 3 || longNames < 4 {
				t.Errorf("%d deleted and %d long names in %v", deleted, longNames, ours)
			}
		})
	}
}

// The go-fat sample: every file of fls, and the facts of its golden file.
func TestGoFATSample(t *testing.T) {
	img := corpus.Path(t, "fat/Velocidex-go-fat/testcases/fat12.dd")
	evs := parseFile(t, fatFS, img, time.UTC)
	fsbody.Check(t, img, fsbody.Ours(evs), fsbody.FLS(t, img), 0.99)
	var found bool
	for i := range evs {
		ev := &evs[i]
		if ev.Path != "/a/b/alice.txt" || ev.TimeDesc != timeline.TimeModified {
			continue
		}
		found = true
		if got := time.Unix(0, ev.Time).UTC().Format(time.RFC3339); got != "2023-09-22T21:27:12Z" || fsbody.Extra(ev, "size") != "174313" {
			t.Errorf("alice.txt: mtime %s size %s", got, fsbody.Extra(ev, "size"))
		}
		if ev.Zone != "UTC (manifest)" || ev.Source != SourceFAT || ev.Inode <= 2 {
			t.Errorf("alice.txt: zone %q source %q inode %d", ev.Zone, ev.Source, ev.Inode)
		}
	}
	if !found {
		t.Fatal("no mtime event for /a/b/alice.txt")
	}
}

// FAT times are local: read in the manifest's zone, they move by its
// offset, and agree with fls told the same zone.
func TestFATZoneFromManifest(t *testing.T) {
	img := corpus.Path(t, "fat/Velocidex-go-fat/testcases/fat12.dd")
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	utc := fsbody.Ours(parseFile(t, fatFS, img, time.UTC))
	evs := parseFile(t, fatFS, img, tokyo)
	jst := fsbody.Ours(evs)
	if utc[fsbody.Line{Name: "/a/b/alice.txt", Mtime: 1695418032}] != 1 || jst[fsbody.Line{Name: "/a/b/alice.txt", Mtime: 1695418032 - 9*3600}] != 1 {
		t.Fatalf("alice.txt mtime not moved by 9 h: utc %v", utc)
	}
	if evs[0].Zone != "Asia/Tokyo (manifest)" {
		t.Errorf("zone label %q", evs[0].Zone)
	}
	tsk := fsbody.FLS(t, img, "-z", "Asia/Tokyo")
	fsbody.Check(t, "fat12.dd in Asia/Tokyo", jst, tsk, 0.99)
}

// exfatEven drops the 10 ms increment (up to 1.99 s) that Kiseki adds to
// exFAT mtimes and the Sleuth Kit's bodyfile leaves out: both then give the
// timestamp's even second.
func exfatEven(m map[fsbody.Line]int) map[fsbody.Line]int {
	out := map[fsbody.Line]int{}
	for l, n := range m {
		l.Mtime -= l.Mtime & 1
		out[l] += n
	}
	return out
}

// The go-exfat sample: the tree its tests assert, deleted entries, and
// agreement with fls.
func TestExFATSample(t *testing.T) {
	img := corpus.Path(t, "fat/dsoprea-go-exfat/test/assets/test.exfat")
	evs := parseFile(t, exfatFS, img, time.UTC)
	ours := fsbody.Ours(evs)
	fsbody.Check(t, img, exfatEven(ours), exfatEven(fsbody.FLS(t, img)), 0.99)
	paths := map[string]bool{}
	for i := range evs {
		paths[evs[i].Path] = true
	}
	// EXPECTED.md: 13 paths; three files of it are deleted entries, which
	// go-exfat lists as well.
	for _, p := range []string{"/testdirectory/300daec8-cec3-11e9-bfa2-0f240e41d1d8", "/testdirectory2/00c57ab0-cec3-11e9-b750-bbed8d2244c8",
		"/testdirectory2/ff7b94be-cec2-11e9-b7b1-6b2e61bd775c", "/testdirectory2/file1", "/testdirectory2/file2",
		"/testdirectory3/10422c86-cec3-11e9-953f-4f501efd2640", "/064cbfd4-cec3-11e9-926d-c362c80fab7b",
		"/2-delahaye-type-165-cabriolet-dsc_8025.jpg", "/79c6d31a-cca1-11e9-8325-9746d045e868", "/8fd71ab132c59bf33cd7890c0acebf12.jpg",
		"/testdirectory", "/testdirectory2", "/testdirectory3"} {
		if !paths[p] {
			t.Errorf("missing %s", p)
		}
	}
	if len(paths) != 13 {
		t.Errorf("%d paths, want 13: %v", len(paths), paths)
	}
	if ours[fsbody.Line{Name: "/testdirectory2/file1 (deleted)", Mtime: 1567552823}] != 1 {
		t.Errorf("file1: deleted entry with its 10 ms increment not found: %v", ours)
	}
}

// An empty exFAT made by mkfs.exfat: recognised, nothing to list.
func TestEmptyExFAT(t *testing.T) {
	img := filepath.Join(t.TempDir(), "e.img")
	os.WriteFile(img, nil, 0o644)
	os.Truncate(img, 8<<20)
	if out, err := exec.Command(fsbody.Need(t, "mkfs.exfat"), "-L", "kiseki", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.exfat: %v\n%s", err, out)
	}
	f, _ := os.Open(img)
	defer f.Close()
	if !DetectExFAT(f, 8<<20) || DetectFAT(f, 8<<20) {
		t.Fatal("detection")
	}
	if evs := parseFile(t, exfatFS, img, time.UTC); len(evs) != 0 {
		t.Fatalf("%d events from an empty volume", len(evs))
	}
}

// pyfatfs's empty images: the volume label entry is all they list, with
// the times of the format, as fls gives them; the FAT32 one has fewer
// clusters than FAT32 should (Linux mkfs.fat allows it): fls cannot open
// it, Kiseki reads it as FAT32 (no FAT16 size, no fixed root).
func TestPyFATFSImages(t *testing.T) {
	for _, c := range []struct {
		name, kind, label string
	}{{"pyfat12", kindFAT12, "FAT12TEST"}, {"pyfat16", kindFAT16, "FAT16TEST"}, {"pyfat32", kindFAT32, "FAT32TEST"}} {
		t.Run(c.name, func(t *testing.T) {
			gz, err := os.Open(corpus.Path(t, "fat/nathanhi-pyfatfs/tests/data/"+c.name+".img.gz"))
			if err != nil {
				t.Fatal(err)
			}
			defer gz.Close()
			zr, err := gzip.NewReader(gz)
			if err != nil {
				t.Fatal(err)
			}
			img := filepath.Join(t.TempDir(), c.name+".img")
			out, _ := os.Create(img)
			io.Copy(out, zr)
			out.Close()
			f, _ := os.Open(img)
			g, err := readBoot(f, 0)
			f.Close()
			if err != nil || g.kind != c.kind {
				t.Fatalf("kind %v: %v", g, err)
			}
			evs := parseFile(t, fatFS, img, time.UTC)
			ours := fsbody.Ours(evs)
			if len(ours) != 1 {
				t.Fatalf("lines %v", ours)
			}
			for l := range ours {
				if !strings.HasPrefix(l.Name, "/"+c.label) || !strings.HasSuffix(l.Name, " (Volume Label Entry)") || l.Mtime == 0 {
					t.Errorf("label line %+v", l)
				}
			}
			if c.kind != kindFAT32 {
				fsbody.Check(t, c.name, ours, fsbody.FLS(t, img), 1)
			}
		})
	}
}

// Boot code that jumps and ends in 55 AA (an MBR) is not a FAT volume
// unless its media descriptor is one.
func TestBootSectorMediaDescriptor(t *testing.T) {
	b, err := os.ReadFile(corpus.Path(t, "fat/Velocidex-go-fat/testcases/fat12.dd"))
	if err != nil {
		t.Fatal(err)
	}
	if !DetectFAT(bytes.NewReader(b), int64(len(b))) {
		t.Fatal("fat12.dd not detected")
	}
	b[21] = 0x00
	if DetectFAT(bytes.NewReader(b), int64(len(b))) {
		t.Fatal("detected with media descriptor 0x00")
	}
}
