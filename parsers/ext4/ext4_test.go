package ext4

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// compareTSK checks our bodyfile view of the events against a Sleuth Kit
// 4.11.1 `fls -r -m /` bodyfile: every line of the reference must be ours
// with the same name, inode, mode, uid, gid, size and times (whole seconds),
// unless it is listed in missingOK with the reason. Lines we have beyond
// the reference must be explained by extraOK.
func compareTSK(t *testing.T, got, ref map[string]bodyLine, missingOK map[string]string, extraOK func(b bodyLine) string) {
	compareTSKDiff(t, got, ref, missingOK, extraOK, nil)
}

// compareTSKDiff is compareTSK with diffOK explaining differing lines.
func compareTSKDiff(t *testing.T, got, ref map[string]bodyLine, missingOK map[string]string, extraOK func(b bodyLine) string, diffOK func(tsk, got bodyLine) string) {
	t.Helper()
	for _, k := range sortedKeys(ref) {
		r := ref[k]
		g, ok := got[k]
		if !ok {
			if _, explained := missingOK[r.Name]; explained || r.Name == "/$OrphanFiles" {
				// "/$OrphanFiles" is the Sleuth Kit's virtual directory
				// (inode count + 1) that holds orphans; Kiseki emits no
				// event for an inode that does not exist and puts orphans
				// under "<deleted inode N>" instead.
				continue
			}
			t.Errorf("missing: %s", r)
			continue
		}
		if g != r && (diffOK == nil || diffOK(r, g) == "") {
			t.Errorf("differs:\n  tsk %s\n  got %s", r, g)
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := ref[k]; ok {
			continue
		}
		if why := extraOK(got[k]); why == "" {
			t.Errorf("extra line not in the Sleuth Kit's output: %s", got[k])
		}
	}
}

// commonExtra explains lines the Sleuth Kit never prints: fls lists names,
// so the root directory itself and inodes without any name are absent.
func commonExtra(b bodyLine) string {
	switch {
	case b.Name == "/" && b.Meta == "2":
		return "root directory: fls does not print the directory it starts from"
	case strings.HasPrefix(b.Name, "<inode "):
		return "allocated inode without a name (reserved inodes: bad blocks, resize, journal): fls lists names only"
	}
	return ""
}

func openFile(t *testing.T, p string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

// TestCorpusAgainstTSK parses the ext2/ext4 images of the shared corpus and
// compares with the Sleuth Kit's bodyfiles kept beside them.
func TestCorpusAgainstTSK(t *testing.T) {
	cases := []struct {
		image, ref string
		offset     int64 // partition start
	}{
		{"disk/go-ext4/hierarchy_32.ext4", "disk/go-ext4/hierarchy_32.ext4.reference.tsk_fls_bodyfile.txt", 0},
		{"disk/go-ext4/hierarchy_64.ext4", "disk/go-ext4/hierarchy_64.ext4.reference.tsk_fls_bodyfile.txt", 0},
		{"disk/go-ext4/tiny.ext4", "disk/go-ext4/tiny.ext4.reference.tsk_fls_bodyfile.txt", 0},
		{"disk/plaso/imynd.dd", "disk/plaso/imynd.dd.reference.tsk_fls_bodyfile.txt", 0},
		{"disk/plaso/syslog_image.dd", "disk/plaso/syslog_image.dd.reference.tsk_fls_bodyfile.txt", 0},
		// The second partition of an MBR disk (sector 352, see the mmls
		// reference); the first (sector 1) holds no file system the Sleuth
		// Kit recognises, and Detect agrees (checked below).
		{"disk/plaso/tsk_volume_system.raw", "disk/plaso/tsk_volume_system.raw.reference.tsk_fls_bodyfile.txt", 352 * 512},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.image), func(t *testing.T) {
			f, size := openFile(t, corpus.Path(t, c.image))
			r := io.NewSectionReader(f, c.offset, size-c.offset)
			if !Detect(r, r.Size()) {
				t.Fatal("Detect: false")
			}
			evs, warns := parseImage(t, r, r.Size(), nil)
			if len(warns) > 0 {
				t.Errorf("warnings on a clean image: %v", warns)
			}
			compareTSK(t, toBody(t, evs, sourceFS), readBodyfile(t, corpus.Path(t, c.ref)), nil, commonExtra)
		})
	}
	t.Run("tsk_volume_system.raw#p1", func(t *testing.T) {
		f, size := openFile(t, corpus.Path(t, "disk/plaso/tsk_volume_system.raw"))
		if Detect(io.NewSectionReader(f, 512, size-512), size-512) {
			t.Error("Detect: true on the first partition, which holds no ext file system")
		}
	})
	// The dfvfs ext2 image as split raw: the parts concatenated are the
	// image (the container layer joins them in production).
	t.Run("ext2.splitraw", func(t *testing.T) {
		var img []byte
		for _, part := range []string{"disk/dfvfs/ext2.splitraw.000", "disk/dfvfs/ext2.splitraw.001"} {
			b, err := os.ReadFile(corpus.Path(t, part))
			if err != nil {
				t.Fatal(err)
			}
			img = append(img, b...)
		}
		evs, warns := parseImage(t, bytes.NewReader(img), int64(len(img)), nil)
		if len(warns) > 0 {
			t.Errorf("warnings: %v", warns)
		}
		compareTSK(t, toBody(t, evs, sourceFS), readBodyfile(t, corpus.Path(t, "disk/dfvfs/ext2.reference.tsk_fls_bodyfile.txt")), nil, commonExtra)
	})
}

// TestCorpusEvents asserts field-level values of events on real images.
func TestCorpusEvents(t *testing.T) {
	f, size := openFile(t, corpus.Path(t, "disk/plaso/imynd.dd"))
	evs, _ := parseImage(t, f, size, map[string]string{"mount": "/srv/"})
	find := func(path, desc string) *timeline.Event {
		for i := range evs {
			if evs[i].Path == path && evs[i].TimeDesc == desc {
				return &evs[i]
			}
		}
		t.Fatalf("no %s event for %s", desc, path)
		return nil
	}
	// plaso's filestat test: /passwords.txt is inode 15, uid 151107, gid 5000.
	ev := find("/srv/passwords.txt", timeline.TimeModified)
	if ev.Inode != 15 || ev.Source != "ext4" || ev.RefPath != "img" || ev.Evidence != "E1" || ev.Host != "h" || ev.MFT != timeline.Absent {
		t.Errorf("reference fields: %+v", ev)
	}
	if got := ev.UTC().Format(time.RFC3339Nano); got != "2012-05-25T16:00:53Z" {
		t.Errorf("mtime %s", got)
	}
	want := map[string]string{"meta": "15", "name": "/passwords.txt", "mode": "r/rr--------", "uid": "151107", "gid": "5000", "size": "116", "allocated": "1", "links": "1"}
	for k, v := range want {
		if got := extra(ev, k); got != v {
			t.Errorf("extra %s = %q, want %q", k, got, v)
		}
	}
	if len(ev.AllExtra()) != len(want) {
		t.Errorf("extra keys: %v", ev.AllExtra())
	}
	if ev.Offset <= 0 || ev.Tags != "" || ev.Action != "" || ev.TimeOrig != "1337961653" || ev.Zone != "UTC" {
		t.Errorf("event: offset %d tags %q action %q orig %q zone %q", ev.Offset, ev.Tags, ev.Action, ev.TimeOrig, ev.Zone)
	}
	// The orphan: an unallocated inode no name points at, with its deletion time.
	ev = find("<deleted inode 13>", timeline.TimeDeleted)
	if ev.Action != timeline.ActionDelete || ev.Tags != "deleted" || extra(ev, "name") != "/$OrphanFiles/OrphanFile-13 (deleted)" || extra(ev, "allocated") != "0" {
		t.Errorf("orphan dtime event: %+v", ev)
	}
	// A deleted name whose inode field was zeroed: one "unknown" event.
	ev = find("/srv/a_directory/another_file~", timeline.TimeUnknown)
	if ev.Inode != 0 || ev.Time != 0 || extra(ev, "name") != "/a_directory/another_file~ (deleted)" || extra(ev, "mode") != "r/----------" || ev.Tags != "deleted" {
		t.Errorf("inode-0 name: %+v", ev)
	}
	ev = find("/srv", timeline.TimeModified)
	if ev.Inode != 2 || extra(ev, "name") != "/" {
		t.Errorf("root: %+v", ev)
	}
}

// TestGoExt4Golden checks hierarchy_64.ext4 against go-ext4's own golden
// listing (mode, inode, uid, gid, size, mtime) and stat of thejungle.txt.
func TestGoExt4Golden(t *testing.T) {
	raw, err := os.ReadFile(corpus.Path(t, "disk/go-ext4/hierarchy_64.ext4.expected.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Listdir []string `json:"listdir"`
		Stat    []string `json:"stat"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	f, size := openFile(t, corpus.Path(t, "disk/go-ext4/hierarchy_64.ext4"))
	evs, _ := parseImage(t, f, size, nil)
	type row struct{ mode, uid, gid, size, mtime string }
	ours := map[string]row{} // "inode path" -> row
	for i := range evs {
		ev := &evs[i]
		if ev.Source != sourceFS || ev.TimeDesc != timeline.TimeModified || strings.Contains(extra(ev, "name"), "(deleted") {
			continue
		}
		mode := extra(ev, "mode")[2:] // drop the name-type prefix: "-rw-r--r--" style
		if mode[0] == 'r' {
			mode = "-" + mode[1:]
		}
		ours[extra(ev, "meta")+" "+strings.TrimPrefix(ev.Path, "/")] = row{mode, extra(ev, "uid"), extra(ev, "gid"), extra(ev, "size"), ev.UTC().Format(time.RFC3339)}
	}
	n := 0
	for _, line := range golden.Listdir {
		fs := strings.Fields(line)
		if len(fs) != 7 {
			continue
		}
		n++
		key := fs[1] + " " + fs[6]
		want := row{fs[0], fs[2], fs[3], fs[4], fs[5]}
		if got, ok := ours[key]; !ok || got != want {
			t.Errorf("%s: got %+v, golden %+v", key, got, want)
		}
	}
	if n != 16 {
		t.Errorf("golden rows: %d", n)
	}
	// go-ext4's stat of inode 16 shows nanoseconds and a birth time, but the
	// image has 128-byte inodes: there are no _extra fields and no i_crtime,
	// go-ext4 reads them from the next inode's bytes. The seconds agree;
	// Kiseki reports no sub-second part and no crtime for such inodes, as the
	// Sleuth Kit does.
	stat := strings.Join(golden.Stat, "\n")
	for desc, goldenField := range map[string]string{timeline.TimeModified: "Mtime", timeline.TimeAccessed: "Atime", timeline.TimeChanged: "Ctime"} {
		i := strings.Index(stat, `"`+goldenField+`": "`)
		if i < 0 {
			t.Fatalf("golden stat without %s", goldenField)
		}
		g, err := time.Parse(time.RFC3339Nano, stat[i+len(goldenField)+5:i+len(goldenField)+5+strings.Index(stat[i+len(goldenField)+5:], `"`)])
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for j := range evs {
			if evs[j].Path == "/thejungle.txt" && evs[j].TimeDesc == desc && evs[j].Source == sourceFS {
				found = true
				if evs[j].Time != g.Truncate(time.Second).UnixNano() {
					t.Errorf("%s: %s, golden %s", desc, evs[j].UTC(), g)
				}
			}
		}
		if !found {
			t.Errorf("no %s for /thejungle.txt", desc)
		}
	}
	for j := range evs {
		if evs[j].Inode == 16 && evs[j].TimeDesc == timeline.TimeBorn {
			t.Errorf("crtime on a 128-byte inode: %s", evs[j].UTC())
		}
	}
}

// fixture decompresses fixtures/disk/NAME.img.gz into a temporary file.
func fixture(t testing.TB, name string) string {
	t.Helper()
	gz, err := os.Open(filepath.Join(corpus.Root(t), "fixtures", "disk", name+".img.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name+".img")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// runFLS runs the Sleuth Kit's fls (Debian package sleuthkit, listed in
// scripts/apt-packages.txt); the test fails when it is missing.
func runFLS(t *testing.T, img string) map[string]bodyLine {
	t.Helper()
	fls, err := exec.LookPath("fls")
	if err != nil {
		t.Fatalf("fls (Debian package sleuthkit) is needed for this test: %v", err)
	}
	out, err := exec.Command(fls, "-r", "-m", "/", img).Output()
	if err != nil {
		t.Fatalf("fls: %v", err)
	}
	return parseBodyfile(t, out)
}

// TestFixturesAgainstFLS parses the images made by fixtures/disk/make-ext4.sh
// make-ext4-stomp.sh and make-ext4-kernel.sh and compares with fls run on the same image now.
func TestFixturesAgainstFLS(t *testing.T) {
	for _, name := range []string{"ext4-4k", "ext3-1k", "ext4-stomp", "ext4-kernel"} {
		t.Run(name, func(t *testing.T) {
			img := fixture(t, name)
			f, size := openFile(t, img)
			evs, warns := parseImage(t, f, size, nil)
			if len(warns) > 0 {
				t.Errorf("warnings on a clean image: %v", warns)
			}
			missingOK := map[string]string{
				// fls reads htree index blocks as if they held directory
				// entries and reports a hash/block pair as a deleted entry
				// named "^" (a control character); Kiseki skips index
				// blocks (the dx_root info after "..", interior nodes).
				"/www/uploads/^ (deleted)": "htree index block read as entries by fls",
			}
			compareTSK(t, toBody(t, evs, sourceFS), runFLS(t, img), missingOK, commonExtra)
		})
	}
}

// TestFixtureValues asserts what the fixture script set with debugfs:
// nanoseconds, a time after 2038, uid/gid above 16 bits, deleted names from
// slack, a deleted directory's contents, the journal's older copy of the
// time-stomped file.
func TestFixtureValues(t *testing.T) {
	img := fixture(t, "ext4-4k")
	f, size := openFile(t, img)
	evs, _ := parseImage(t, f, size, map[string]string{"mount": "/var"})
	get := func(src, path, desc string) []*timeline.Event {
		var out []*timeline.Event
		for i := range evs {
			if evs[i].Source == src && evs[i].Path == path && evs[i].TimeDesc == desc {
				out = append(out, &evs[i])
			}
		}
		return out
	}
	one := func(src, path, desc string) *timeline.Event {
		t.Helper()
		e := get(src, path, desc)
		if len(e) != 1 {
			t.Fatalf("%s %s %s: %d events", src, path, desc, len(e))
		}
		return e[0]
	}
	times := []struct{ path, desc, want, orig string }{
		// mtime_extra 493827160 = 123456790<<2 | epoch 0
		{"/var/www/index.php", "mtime", "2024-05-01T10:00:00.12345679Z", "1714557600.123456790"},
		{"/var/www/index.php", "atime", "2024-05-01T10:00:00.000000001Z", "1714557600.000000001"},
		{"/var/www/index.php", "crtime", "2024-05-01T09:59:59.00000025Z", "1714557599.000000250"},
		// mtime_extra 1717986917 = 429496729<<2 | epoch 1: 2040, past 2038
		{"/var/future.txt", "mtime", "2040-01-02T03:04:05.429496729Z", "2209086245.429496729"},
	}
	for _, c := range times {
		ev := one(sourceFS, c.path, c.desc)
		if got := ev.UTC().Format(time.RFC3339Nano); got != c.want || ev.TimeOrig != c.orig {
			t.Errorf("%s %s = %s (%s), want %s (%s)", c.path, c.desc, got, ev.TimeOrig, c.want, c.orig)
		}
	}
	if ev := one(sourceFS, "/var/etc/passwd", "mtime"); extra(ev, "uid") != "70000" || extra(ev, "gid") != "70001" {
		t.Errorf("uid/gid: %v", ev.Extra)
	}
	// Deleted names and the deleted directory's contents.
	for _, c := range []struct{ path, name string }{
		{"/var/www/shop/gone.php", "/www/shop/gone.php (deleted)"},
		{"/var/tmp/work", "/tmp/work (deleted)"},
		{"/var/tmp/work/scan.sh", "/tmp/work/scan.sh (deleted)"},
		{"/var/www/uploads/image-151-with-a-long-name-for-htree.jpg", "/www/uploads/image-151-with-a-long-name-for-htree.jpg (deleted)"},
	} {
		ev := one(sourceFS, c.path, "dtime")
		if extra(ev, "name") != c.name || ev.Tags != "deleted" || ev.Action != timeline.ActionDelete || extra(ev, "allocated") != "0" {
			t.Errorf("%s: name %q tags %q action %q", c.path, extra(ev, "name"), ev.Tags, ev.Action)
		}
	}
	// Journal: transaction 1 holds the inode-table block of pay.php from
	// before its times were set to 2015-01-01.
	cur := one(sourceFS, "/var/www/shop/pay.php", "mtime")
	if got := cur.UTC().Format(time.RFC3339); got != "2015-01-01T00:00:00Z" {
		t.Errorf("current mtime %s", got)
	}
	old := one(sourceJournal, "/var/www/shop/pay.php", "mtime")
	if got := old.UTC().Format(time.RFC3339); got != "2024-05-01T10:00:00Z" {
		t.Errorf("journal mtime %s", got)
	}
	if extra(old, "transaction") != "1" || old.Tags != "journal-copy,"+TagMtimeBackwards || extra(old, "name") != "/www/shop/pay.php (journal transaction 1)" || old.Inode != cur.Inode || old.Offset == cur.Offset {
		t.Errorf("journal event: tags %q extra %v offset %d", old.Tags, old.Extra, old.Offset)
	}
	if len(get(sourceJournal, "/var/www/shop/pay.php", "crtime")) != 0 {
		t.Error("journal crtime equal to the current one must not be emitted")
	}
	for i := range evs {
		if evs[i].Source == sourceJournal && evs[i].Inode != cur.Inode {
			t.Errorf("journal event for an inode whose times did not change: %s %s", evs[i].Path, evs[i].TimeDesc)
		}
	}
	// The ext3 image has the same history in a 1 KiB journal with 32-bit tags.
	img3 := fixture(t, "ext3-1k")
	f3, size3 := openFile(t, img3)
	evs3, _ := parseImage(t, f3, size3, nil)
	var found bool
	for i := range evs3 {
		ev := &evs3[i]
		if ev.Source == sourceJournal && ev.Path == "/www/shop/pay.php" && ev.TimeDesc == "mtime" {
			found = ev.UTC().Format(time.RFC3339) == "2024-05-01T10:00:00Z" && extra(ev, "transaction") == "1"
		}
	}
	if !found {
		t.Error("ext3-1k: no journal mtime for pay.php from transaction 1")
	}
}

// TestRegistered checks the plug-in registration.
func TestRegistered(t *testing.T) {
	for _, fs := range parsers.FileSystems() {
		if fs.Name == "ext4" {
			return
		}
	}
	t.Fatal("ext4 not registered")
}

func TestDecodeTime(t *testing.T) {
	cases := []struct {
		lo, extra uint32
		has       bool
		sec       int64
		ns        uint32
	}{
		{0x7fffffff, 0, true, 0x7fffffff, 0},
		{0x80000000, 0, true, -0x80000000, 0},       // epoch 0: before 1970 (kernel)
		{0x80000000, 1, true, 0x80000000, 0},        // epoch 1: 2038-01-19
		{0xffffffff, 3 | 5<<2, true, 3<<32 - 1, 5},  // last second before 2446
		{0x80000000, 0, false, 0x80000000, 0},       // no extra: unsigned
		{100, 0xffffffff &^ 3, true, 100, 0},        // nanoseconds above 999999999: dropped
		{100, 999999999 << 2, true, 100, 999999999}, // largest valid
	}
	for _, c := range cases {
		got := decodeTime(c.lo, c.extra, c.has)
		if got.Sec != c.sec || got.Nsec != c.ns {
			t.Errorf("decodeTime(%#x, %#x, %v) = %+v, want %d.%09d", c.lo, c.extra, c.has, got, c.sec, c.ns)
		}
	}
}

func TestTSKClean(t *testing.T) {
	for in, want := range map[string]string{"plain": "plain", "a\nb\x01": "a^b^", "\x7f\xe3\x81\x82": "\x7f\xe3\x81\x82"} {
		if got := tskClean(in); got != want {
			t.Errorf("tskClean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMode(t *testing.T) {
	for mode, want := range map[uint16]string{
		0o100644: "rrw-r--r--", 0o40755: "drwxr-xr-x", 0o120777: "lrwxrwxrwx",
		0o104755: "rrwsr-xr-x", 0o102644: "rrw-r-Sr--", 0o41777: "drwxrwxrwt", 0o41776: "drwxrwxrwT",
		0o10600: "prw-------", 0o20600: "crw-------", 0o60600: "brw-------", 0o140755: "srwxr-xr-x", 0: "----------",
	} {
		if got := string(appendMode(nil, mode)); got != want {
			t.Errorf("mode %o: %s, want %s", mode, got, want)
		}
	}
}
