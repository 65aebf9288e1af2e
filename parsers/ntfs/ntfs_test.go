package ntfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// diffTSK compares the bodyfile Kiseki's events make with the Sleuth Kit's
// line by line (keyed by name and meta address). explain returns why a
// difference is expected, or "" when it is a failure.
func diffTSK(t *testing.T, ref, ours map[string]string, explain func(k, tsk, ours string) string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range ref {
		keys[k] = true
	}
	for k := range ours {
		keys[k] = true
	}
	explained := 0
	for k := range keys {
		if ref[k] == ours[k] {
			continue
		}
		if why := explain(k, ref[k], ours[k]); why != "" {
			explained++
			continue
		}
		t.Errorf("unexplained difference for %s\n tsk  %q\n ours %q", k, ref[k], ours[k])
	}
	t.Logf("%d lines compared, %d differences explained", len(keys), explained)
}

// The differences between Kiseki and TSK 4.11.1 that are expected:
func knownDifference(k, tsk, ours string) string {
	switch {
	case tsk != "" && ours != "" && sameBut(tsk, ours):
		// TSK reads the $SI owner id at offset 0x30 even when $SI is the
		// 48-byte NTFS 1.2 form (mkntfs, ntfs-3g and $Boot on Windows) and
		// prints whatever follows: the type of the next attribute (48) or
		// the end marker (4294967295). Kiseki prints 0: there is no owner
		// id. And TSK turns a FILETIME of 0 (mkntfs leaves the $MFT's $SI
		// times 0 on ntfs-3g volumes) into 3373865674 (2076-11-29, a
		// 32-bit wrap-around); Kiseki keeps 0 as "no time".
		return "uid or zero FILETIME"
	case tsk != "" && strings.HasPrefix(k, "/$OrphanFiles|"):
		// TSK's virtual directory that holds orphans has no MFT entry.
		return "virtual $OrphanFiles"
	case tsk == "" && (strings.HasPrefix(k, "/|5-") || strings.HasPrefix(k, "/ ($FILE_NAME)|5-")):
		// Kiseki lists the root directory itself (entry 5); fls lists only
		// what is below it.
		return "root"
	case tsk == "" && strings.HasPrefix(k, "/$OrphanFiles/OrphanFile-"):
		// Allocated entries no directory names (reserved entries 12-23):
		// every MFT entry is in Kiseki's timeline, fls lists only named
		// files and unallocated orphans.
		return "nameless entry"
	}
	return ""
}

// sameBut reports whether two bodyfile lines differ only where TSK
// misreads: uid (ours 0) and times of 3373865674 (ours 0).
func sameBut(tsk, ours string) bool {
	fa, fb := strings.Split(tsk, "|"), strings.Split(ours, "|")
	if len(fa) != 11 || len(fb) != 11 {
		return false
	}
	if fb[4] == "0" {
		fa[4] = "0"
	}
	for i := 7; i < 11; i++ {
		if fa[i] == "3373865674" && fb[i] == "0" {
			fa[i] = "0"
		}
	}
	return strings.Join(fa, "|") == ours
}

func TestCharlieAgainstTSK(t *testing.T) {
	img := bunzip(t, corpus.Path(t, "disk/go-ntfs/charlie.dd.bz2"))
	evs, warns := parseImage(t, img, nil)
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	ref := tskBody(t, corpus.Path(t, "disk/go-ntfs/charlie.dd.reference.tsk_fls_bodyfile.txt"))
	diffTSK(t, ref, ourBody(evs), knownDifference)
}

func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not installed (Debian package in scripts/apt-packages.txt): %v", name, err)
	}
	return p
}

// tskLive runs fls -r -m on an image and returns its bodyfile by key.
func tskLive(t *testing.T, img string) map[string]string {
	out, err := exec.Command(needTool(t, "fls"), "-r", "-m", "/", img).Output()
	if err != nil {
		t.Fatalf("fls: %v", err)
	}
	p := filepath.Join(t.TempDir(), "tsk.body")
	os.WriteFile(p, out, 0o644)
	return tskBody(t, p)
}

func fixture(t testing.TB) string {
	return bunzip(t, filepath.Join(corpus.Root(t), "fixtures", "disk", "ntfs-small.img.bz2"))
}

// The ntfs-3g fixture (fixtures/disk/make-ntfs-fixture.sh): files, a
// deleted file, a deleted directory with a file, an ADS, a hard link and a
// timestomped file, against fls on the same image.
func TestFixtureAgainstTSK(t *testing.T) {
	img := fixture(t)
	evs, warns := parseImage(t, img, nil)
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	ours := ourBody(evs)
	diffTSK(t, tskLive(t, img), ours, func(k, tsk, o string) string {
		if why := knownDifference(k, tsk, o); why != "" {
			return why
		}
		// Hard link: entry 67 has $FILE_NAME 4 (link.txt) and 3 (a.txt).
		// fls prints the last non-DOS $FILE_NAME in the record (3) under
		// every name; Kiseki prints each name with its own $FILE_NAME, so
		// /link.txt is 67-48-4 with link.txt's times.
		if strings.HasPrefix(k, "/link.txt ($FILE_NAME)|67-48-") {
			return "hard link $FILE_NAME"
		}
		// The DOS 8.3 name of /Long File Name.txt: fls skips DOS-namespace
		// $FILE_NAMEs; Kiseki keeps their times (they are evidence too).
		if tsk == "" && k == "/LONGFI~1.TXT ($FILE_NAME)|73-48-4" {
			return "DOS name"
		}
		return ""
	})
	for _, k := range []string{
		"/dir/gone.txt (deleted)|70-128-2",
		"/deldir/inner.txt (deleted)|71-128-2",
		"/b.txt:hidden|69-128-4",
		"/link.txt|67-128-2",
		"/dir/a.txt|67-128-2",
		"/Long File Name.txt ($FILE_NAME)|73-48-5",
		"/LONGFI~1.TXT ($FILE_NAME)|73-48-4",
	} {
		if ours[k] == "" {
			t.Errorf("missing %s", k)
		}
	}
}

func TestTimestompTags(t *testing.T) {
	evs, _ := parseImage(t, fixture(t), map[string]string{"mount": "C:"})
	tagged := map[string]string{}
	for _, e := range evs {
		if e.Tags != "" {
			tagged[e.Path] = strings.TrimSuffix(e.Tags, ","+TagUntrusted)
		}
	}
	want := TagSIBeforeFN + "," + TagZeroSubsec + "," + TagMtimeBeforeCrtim
	if len(tagged) != 1 || tagged["C:/stomp.exe"] != want {
		t.Fatalf("tagged %v, want only C:/stomp.exe = %s", tagged, want)
	}
	// Every event of the entry carries the tags and points at it: MFT
	// number and the entry's byte offset in the image. The $SI times are
	// untrusted (si-before-fn contradicts all four); $FILE_NAME's are not.
	b, _ := os.ReadFile(fixture(t))
	stompOff, _ := mftOffset(t, b, 72)
	n := 0
	for _, e := range evs {
		if e.MFT == 72 && e.Source == Name {
			n++
			w := want
			if strings.HasPrefix(e.TimeDesc, "si_") {
				w += "," + TagUntrusted
			}
			if e.Tags != w || e.Inode != timeline.Absent || e.RefPath != "ntfs-small.img" || e.Offset != stompOff {
				t.Errorf("event %+v", e)
			}
		}
	}
	if n != 8 { // 4 $SI times on the $DATA line, 4 $FN times
		t.Errorf("%d events for entry 72", n)
	}
}

// Every FILE record of the fixture is in the timeline: each base entry has
// events; an entry whose times are all 0 (ntfs-3g leaves the $MFT's $SI
// times 0) still has its line, as one "unknown" event.
func TestEveryEntryListed(t *testing.T) {
	img := fixture(t)
	evs, _ := parseImage(t, img, nil)
	seen := map[int64]bool{}
	unknown := false
	for _, e := range evs {
		seen[e.MFT] = true
		if e.TimeDesc == timeline.TimeUnknown && extra(&e, "meta") == "0-128-1" && e.Path == "/$MFT" {
			unknown = e.Time == 0 && extra(&e, "allocated") == "1"
		}
	}
	if !unknown {
		t.Error("no unknown-time event for /$MFT's $DATA line")
	}
	b, _ := os.ReadFile(img)
	off, rs := mftOffset(t, b, 0)
	for i := int64(0); i < 80; i++ {
		rec := b[off+i*rs : off+(i+1)*rs]
		ext := rec[32] | rec[33] | rec[34] | rec[35] // base record reference
		if string(rec[:4]) == "FILE" && ext == 0 && !seen[i] {
			t.Errorf("MFT entry %d has no events", i)
		}
	}
}
