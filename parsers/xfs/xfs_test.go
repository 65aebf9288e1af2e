package xfs

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/fsbody"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

var xfsFS = &parsers.FileSystem{Name: Source, Parse: Parse}

// tree is the layout written with mkfs.xfs -p: directories and the files
// in them. big holds enough names for a leaf/node directory.
type tree struct {
	dirs  []string
	files map[string][]string
}

func sampleTree(bigCount int) tree {
	t := tree{files: map[string][]string{}}
	t.dirs = []string{"", "/etc", "/var", "/var/log", "/var/log/nginx", "/home", "/home/alice", "/big"}
	t.files[""] = []string{"vmlinuz"}
	t.files["/etc"] = []string{"passwd", "shadow", "group", "hosts"}
	t.files["/var/log"] = []string{"messages", "secure", "cron", "audit.log"}
	for i := 1; i <= 30; i++ {
		t.files["/var/log/nginx"] = append(t.files["/var/log/nginx"], fmt.Sprintf("access.log.%d", i))
	}
	t.files["/home/alice"] = []string{".bash_history", strings.Repeat("long-name-", 24) + "end"}
	for i := 0; i < bigCount; i++ {
		t.files["/big"] = append(t.files["/big"], fmt.Sprintf("session-%06d.json", i))
	}
	return t
}

// proto writes a mkfs.xfs protofile for t; every file has content src.
func (t tree) proto(src string) string {
	var b strings.Builder
	b.WriteString("/dev/null\n0 0\nd--755 0 0\n")
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		ind := strings.Repeat(" ", depth)
		for _, f := range t.files[dir] {
			content := src
			if f == "messages" {
				content = src + ".large" // many blocks
			}
			fmt.Fprintf(&b, "%s%s ---640 1000 100 %s\n", ind, f, content)
		}
		if dir == "/var/log" {
			fmt.Fprintf(&b, "%slatest l--777 0 0 nginx/access.log.1\n", ind)
		}
		for _, d := range t.dirs {
			if d != "" && filepath.Dir(d) == orRoot(dir) {
				fmt.Fprintf(&b, "%s%s d--750 0 0\n", ind, filepath.Base(d))
				walk(d, depth+1)
				fmt.Fprintf(&b, "%s$\n", ind)
			}
		}
	}
	walk("", 1)
	b.WriteString("$\n")
	return b.String()
}

// mkfs makes a 300 MiB XFS image of t with the given mkfs.xfs options.
func mkfs(t testing.TB, dir string, tr tree, opts ...string) string {
	src := filepath.Join(dir, "content")
	os.WriteFile(src, []byte("127.0.0.1 - - [01/Jan/2025:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n"), 0o644)
	var large bytes.Buffer
	for i := 0; large.Len() < 1<<20+123; i++ {
		fmt.Fprintf(&large, "Jan  1 00:00:%02d web01 kernel: line %d\n", i%60, i)
	}
	os.WriteFile(src+".large", large.Bytes(), 0o644)
	proto := filepath.Join(dir, "proto")
	os.WriteFile(proto, []byte(tr.proto(src)), 0o644)
	img := filepath.Join(dir, "x.img")
	os.WriteFile(img, nil, 0o644)
	os.Truncate(img, 300<<20)
	args := append(append([]string{"-q", "-f"}, opts...), "-p", proto, img)
	if out, err := exec.Command(fsbody.Need(t, "mkfs.xfs"), args...).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.xfs %v: %v\n%s", args, err, out)
	}
	return img
}

// xfsDB runs xfs_db -r with commands and TZ=UTC.
func xfsDB(t testing.TB, img string, expert bool, cmds ...string) string {
	args := []string{"-r"}
	if expert {
		args = []string{"-x"}
	}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	cmd := exec.Command(fsbody.Need(t, "xfs_db"), append(args, img)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xfs_db: %v\n%s", err, out)
	}
	return string(out)
}

// reference lists (path, inode) with xfs_db ls, then each inode's mtime.
func reference(t testing.TB, img string, tr tree) map[fsbody.Line]int {
	var cmds []string
	for _, d := range tr.dirs {
		cmds = append(cmds, "ls "+orRoot(d))
	}
	out := xfsDB(t, img, false, cmds...)
	type ent struct {
		path string
		ino  uint64
	}
	var ents []ent
	dir := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasSuffix(l, ":") && strings.HasPrefix(l, "/") {
			dir = strings.TrimSuffix(strings.TrimSuffix(l, ":"), "/")
			continue
		}
		f := strings.Fields(l)
		if len(f) < 6 || f[len(f)-1] != "(good)" {
			continue
		}
		name := strings.Join(f[5:len(f)-1], " ")
		if name == "." || name == ".." {
			continue
		}
		ino, _ := strconv.ParseUint(f[1], 10, 64)
		ents = append(ents, ent{dir + "/" + name, ino})
	}
	cmds = cmds[:0]
	for _, e := range ents {
		cmds = append(cmds, fmt.Sprintf("inode %d", e.ino), "print core.mtime.sec")
	}
	out = xfsDB(t, img, false, cmds...)
	var times []int64
	for _, l := range strings.Split(out, "\n") {
		v, ok := strings.CutPrefix(l, "core.mtime.sec = ")
		if !ok {
			continue
		}
		tm, err := time.Parse("Mon Jan _2 15:04:05 2006", v)
		if err != nil {
			t.Fatalf("xfs_db time %q: %v", v, err)
		}
		times = append(times, tm.Unix())
	}
	if len(times) != len(ents) {
		t.Fatalf("xfs_db printed %d times for %d inodes", len(times), len(ents))
	}
	ref := map[fsbody.Line]int{}
	for i, e := range ents {
		ref[fsbody.Line{Name: e.path, Mtime: times[i]}]++
	}
	return ref
}

// setTimes gives every n-th inode of the names a distinct mtime through
// xfs_db -x (bigtime raw values: ns since 1901-12-13T20:45:52Z).
func setTimes(t testing.TB, img string, inodes []uint64) {
	var cmds []string
	for i, ino := range inodes {
		sec := int64(1500000000 + i*86461)
		cmds = append(cmds, fmt.Sprintf("inode %d", ino), fmt.Sprintf("write core.mtime.sec %d", (sec+1<<31)*1e9+int64(i)))
	}
	xfsDB(t, img, true, cmds...)
}

func parse(t testing.TB, img string) []timeline.Event {
	t.Helper()
	evs, warns := fsbody.ParseVolume(t, xfsFS, img, &parsers.Input{Host: "h", Evidence: "E1"})
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	return evs
}

// ours keeps the named, allocated files of the events (xfs_db lists those).
func ours(evs []timeline.Event) map[fsbody.Line]int {
	out := map[fsbody.Line]int{}
	for l, n := range fsbody.Ours(evs) {
		if strings.HasPrefix(l.Name, "/") && l.Name != "/" && !strings.HasPrefix(l.Name, "/$OrphanFiles") {
			out[l] += n
		}
	}
	return out
}

// Names, inodes and mtimes agree with xfs_db on v5 (bigtime, sparse
// inodes) and v4 (no CRC) file systems, small and large directories.
func TestAgreesWithXFSDB(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []string
	}{
		{"v5", nil},
		{"v5-dir8k", []string{"-n", "size=8192"}},
		{"v4", []string{"-m", "crc=0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			tr := sampleTree(3000)
			img := mkfs(t, dir, tr, c.opts...)
			if c.name == "v5" {
				// distinct mtimes for the files of /var/log/nginx
				var inos []uint64
				for _, ev := range parse(t, img) {
					if strings.HasPrefix(ev.Path, "/var/log/nginx/") && ev.TimeDesc == timeline.TimeModified {
						inos = append(inos, uint64(ev.Inode))
					}
				}
				if len(inos) != 30 {
					t.Fatalf("%d nginx files", len(inos))
				}
				setTimes(t, img, inos)
			}
			evs := parse(t, img)
			got, want := ours(evs), reference(t, img, tr)
			fsbody.Check(t, c.name, got, want, 0.99)
			if n := len(got); n != 3049 { // 3041 files, 7 directories (the root aside), 1 symlink
				t.Errorf("%d files", n)
			}
			if c.name == "v5" && got[fsbody.Line{Name: "/var/log/nginx/access.log.1", Mtime: 1500000000}]+got[fsbody.Line{Name: "/var/log/nginx/access.log.2", Mtime: 1500000000}] == 0 {
				t.Errorf("the mtime written with xfs_db is not read back")
			}
		})
	}
}

// The root, the symlink and the long name come out with their metadata.
func TestDetails(t *testing.T) {
	dir := t.TempDir()
	img := mkfs(t, dir, sampleTree(10))
	evs := parse(t, img)
	seen := map[string]*timeline.Event{}
	for i := range evs {
		seen[evs[i].Path] = &evs[i]
	}
	root, link := seen["/"], seen["/var/log/latest"]
	long := seen["/home/alice/"+strings.Repeat("long-name-", 24)+"end"]
	if root == nil || link == nil || long == nil {
		t.Fatalf("root %v link %v long %v", root != nil, link != nil, long != nil)
	}
	if m := fsbody.Extra(root, "mode"); m != "d/drwxr-xr-x" {
		t.Errorf("root mode %q", m)
	}
	if m := fsbody.Extra(link, "mode"); m != "l/lrwxrwxrwx" || fsbody.Extra(link, "size") != "18" {
		t.Errorf("link mode %q size %s", m, fsbody.Extra(link, "size"))
	}
	if fsbody.Extra(long, "uid") != "1000" || fsbody.Extra(long, "gid") != "100" || fsbody.Extra(long, "mode") != "r/rrw-r-----" {
		t.Errorf("long: uid %s gid %s mode %s", fsbody.Extra(long, "uid"), fsbody.Extra(long, "gid"), fsbody.Extra(long, "mode"))
	}
	var kinds []string
	for i := range evs {
		if evs[i].Path == long.Path {
			kinds = append(kinds, evs[i].TimeDesc)
		}
	}
	if strings.Join(kinds, ",") != "mtime,atime,ctime,crtime" && strings.Join(kinds, ",") != "mtime,ctime,crtime" {
		t.Errorf("times of a v5 inode: %v", kinds)
	}
}

// A name removed from a block directory is recovered from the free region
// with its inode number.
func TestDeletedEntry(t *testing.T) {
	b := make([]byte, 40)
	copy(b, []byte{0xFF, 0xFF, 0, 40, 0, 0, 0x10, 0x01, 7})
	copy(b[9:], "old.log")
	d, ok := deletedEntry(b, 1)
	if !ok || d.ino != 0x1001 || string(d.name) != "old.log" || !d.deleted {
		t.Fatalf("%+v %v", d, ok)
	}
	if _, ok := deletedEntry(bytes.Repeat([]byte{0}, 16), 1); ok {
		t.Fatal("an empty region gave a name")
	}
}

// Every regular file reads back the content mkfs.xfs copied into it.
func TestFilesContent(t *testing.T) {
	dir := t.TempDir()
	img := mkfs(t, dir, sampleTree(100))
	small, _ := os.ReadFile(filepath.Join(dir, "content"))
	large, _ := os.ReadFile(filepath.Join(dir, "content.large"))
	evs := parse(t, img)
	f, _ := os.Open(img)
	defer f.Close()
	st, _ := f.Stat()
	fd, err := Files(&parsers.Volume{R: f, Size: st.Size(), RefPath: "x.img"})
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for i := range evs {
		ev := &evs[i]
		if ev.TimeDesc != timeline.TimeModified || !strings.HasPrefix(fsbody.Extra(ev, "mode"), "r/") || !strings.HasPrefix(ev.Path, "/") {
			continue
		}
		want := small
		if strings.HasSuffix(ev.Path, "/messages") {
			want = large
		}
		file, ok := fd.File(ev)
		if !ok {
			t.Errorf("%s: not readable", ev.Path)
			continue
		}
		got := make([]byte, file.Size+10)
		n, err := file.R.ReadAt(got, 0)
		if n != len(want) || err != io.EOF || !bytes.Equal(got[:n], want) {
			t.Errorf("%s: %d bytes (%v), want %d", ev.Path, n, err, len(want))
		}
		read++
	}
	if read != 141 {
		t.Errorf("%d files read, want 141", read)
	}
}
