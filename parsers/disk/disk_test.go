package disk

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// probeFS is a stand-in file system for these tests: it recognises the ext2
// superblock magic (0xEF53 at byte 1080) and emits one event per volume, so
// the container layer can be tested without the real ext4 parser.
var probeFS = &parsers.FileSystem{
	Name: "test-ext-probe",
	Detect: func(r io.ReaderAt, size int64) bool {
		var b [2]byte
		n, _ := r.ReadAt(b[:], 1080)
		return n == 2 && b[0] == 0x53 && b[1] == 0xef
	},
	Parse: func(ctx context.Context, vol *parsers.Volume, sink timeline.Sink) error {
		var ev timeline.Event
		ev.Reset()
		ev.Source = "test-ext-probe"
		ev.RefPath = vol.RefPath
		ev.Offset = vol.Offset
		ev.Bytes = vol.Size
		// Read the superblock through the volume reader: proves the
		// section starts at the partition's first byte.
		sb := make([]byte, 1024)
		if _, err := vol.R.ReadAt(sb, 1024); err != nil {
			return err
		}
		ev.Message = fmt.Sprintf("blocks=%d", binary.LittleEndian.Uint32(sb[4:]))
		return sink.Emit(&ev)
	},
}

var registerOnce sync.Once

func registerProbe() { registerOnce.Do(func() { parsers.RegisterFileSystem(probeFS) }) }

type collect struct{ evs []timeline.Event }

func (c *collect) Emit(ev *timeline.Event) error {
	e := *ev
	e.Extra = append([]timeline.KV(nil), ev.Extra...)
	c.evs = append(c.evs, e)
	return nil
}

func inputFor(t testing.TB, name string, parts ...string) (*parsers.Input, *[]string) {
	t.Helper()
	var warns []string
	f, err := os.Open(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	in := &parsers.Input{Name: name, Evidence: "E1", Host: "h", ReaderAt: f, Size: st.Size(), Parts: parts,
		Warn: func(m string) { warns = append(warns, m) }}
	return in, &warns
}

func md5All(t testing.TB, r io.ReaderAt, size int64) string {
	t.Helper()
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileMD5(t testing.TB, paths ...string) (string, int64) {
	h := md5.New()
	var n int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
		n += int64(len(b))
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// Every container of the same media must read the same bytes as the raw
// image: dfvfs ships ext2 as E01, split E01 and split raw; plaso ships
// imynd.dd with its E01 and tsk_volume_system.raw with a split E01 of it.
func TestContainersReadSameBytes(t *testing.T) {
	dfvfs := corpus.Path(t, "disk/dfvfs")
	plaso := corpus.Path(t, "disk/plaso")
	rawMD5, rawSize := fileMD5(t, filepath.Join(dfvfs, "ext2.splitraw.000"), filepath.Join(dfvfs, "ext2.splitraw.001"))
	imyndMD5, imyndSize := fileMD5(t, filepath.Join(plaso, "imynd.dd"))
	volMD5, volSize := fileMD5(t, filepath.Join(plaso, "tsk_volume_system.raw"))
	// The corpus README records the media MD5 prefixes.
	if !strings.HasPrefix(rawMD5, "196066ad") || !strings.HasPrefix(imyndMD5, "d73c51f1") || !strings.HasPrefix(volMD5, "38ea5af8") {
		t.Fatalf("corpus changed: %s %s %s", rawMD5, imyndMD5, volMD5)
	}
	cases := []struct {
		parts []string
		kind  string
		md5   string
		size  int64
	}{
		{[]string{filepath.Join(dfvfs, "ext2.E01")}, kindEWF, rawMD5, rawSize},
		{[]string{filepath.Join(dfvfs, "ext2.split.E01"), filepath.Join(dfvfs, "ext2.split.E02")}, kindEWF, rawMD5, rawSize},
		{[]string{filepath.Join(dfvfs, "ext2.splitraw.000"), filepath.Join(dfvfs, "ext2.splitraw.001")}, kindSplitRaw, rawMD5, rawSize},
		{[]string{filepath.Join(plaso, "image.E01")}, kindEWF, imyndMD5, imyndSize},
		{[]string{filepath.Join(plaso, "image-split.E01"), filepath.Join(plaso, "image-split.E02")}, kindEWF, volMD5, volSize},
		{[]string{filepath.Join(plaso, "tsk_volume_system.raw")}, kindRaw, volMD5, volSize},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.parts[0]), func(t *testing.T) {
			in, _ := inputFor(t, filepath.Base(c.parts[0]), c.parts...)
			img, err := openImage(in)
			if err != nil {
				t.Fatal(err)
			}
			defer img.closer()
			if img.kind != c.kind || img.size != c.size {
				t.Fatalf("kind %s size %d, want %s %d", img.kind, img.size, c.kind, c.size)
			}
			cr := newCachedReader(img.r, img.size, 4)
			if got := md5All(t, cr, img.size); got != c.md5 {
				t.Fatalf("md5 %s, want %s", got, c.md5)
			}
			// Unaligned reads across page and part boundaries.
			want := make([]byte, 100000)
			got := make([]byte, 100000)
			off := int64(PageSize - 333)
			if _, err := img.r.ReadAt(want, off); err != nil && err != io.EOF {
				t.Fatal(err)
			}
			if _, err := cr.ReadAt(got, off); err != nil && err != io.EOF {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("cached read differs from direct read")
			}
			if n, err := cr.ReadAt(got[:10], img.size-4); n != 4 || err != io.EOF {
				t.Fatalf("read at end: %d %v", n, err)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	paths := []string{
		"a/disk.E01", "a/disk.E02", "a/disk.E03",
		"b/x.000", "b/x.001",
		"c/y.001", "c/y.002", "c/y.003",
		"d/z.aa", "d/z.ab",
		"e/single.E01", "e/single.dd",
		"f/gap.E01", "f/gap.E03",
		"g/w.e01", "g/w.e02",
	}
	got := Group(paths)
	want := [][]string{
		{"a/disk.E01", "a/disk.E02", "a/disk.E03"},
		{"b/x.000", "b/x.001"},
		{"c/y.001", "c/y.002", "c/y.003"},
		{"d/z.aa", "d/z.ab"},
		{"g/w.e01", "g/w.e02"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if ewfExt(98, true) != "E99" || ewfExt(99, true) != "EAA" || ewfExt(100, false) != "eab" {
		t.Fatal(ewfExt(98, true), ewfExt(99, true), ewfExt(100, false))
	}
}

func head(t testing.TB, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b[:min(len(b), parsers.HeadSize)]
}

func TestDetect(t *testing.T) {
	registerProbe()
	dfvfs := corpus.Path(t, "disk/dfvfs")
	plaso := corpus.Path(t, "disk/plaso")
	cases := []struct {
		path string
		min  int
	}{
		{filepath.Join(dfvfs, "ext2.E01"), 100},
		{filepath.Join(plaso, "tsk_volume_system.raw"), 80}, // MBR
		{filepath.Join(plaso, "imynd.dd"), 90},              // bare ext2, by content
		{filepath.Join(dfvfs, "ext2.splitraw.000"), 90},
		{filepath.Join(dfvfs, "ext2.splitraw.001"), 30}, // second half: by name only
	}
	for _, c := range cases {
		if s := Detect(filepath.Base(c.path), head(t, c.path)); s < c.min {
			t.Errorf("%s: score %d < %d", c.path, s, c.min)
		}
	}
	if s := Detect("notes.txt", []byte("hello world\n")); s != 0 {
		t.Errorf("text scored %d", s)
	}
}

// tsk_volume_system.raw: TSK mmls lists a Linux partition at sector 1 (350
// sectors) and, inside the DOS extended partition at 351, a logical Linux
// partition at 352 (2528 sectors).
func TestPartitionsMatchMMLS(t *testing.T) {
	p := corpus.Path(t, "disk/plaso/tsk_volume_system.raw")
	mmls, err := os.ReadFile(corpus.Path(t, "disk/plaso/tsk_volume_system.raw.reference.tsk_mmls.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(mmls), "\n") {
		f := strings.Fields(l)
		if len(f) >= 6 && strings.Contains(f[1], ":") { // a partition slot, not Meta or unallocated
			start, _ := strconv.ParseInt(f[2], 10, 64)
			length, _ := strconv.ParseInt(f[4], 10, 64)
			want = append(want, fmt.Sprintf("%d+%d %s", start*512, length*512, strings.Trim(f[len(f)-1], "()")))
		}
	}
	f, _ := os.Open(p)
	defer f.Close()
	st, _ := f.Stat()
	tab := readTable(f, st.Size())
	var got []string
	for _, p := range tab.Parts {
		got = append(got, fmt.Sprintf("%d+%d %s", p.Start, p.Length, p.Type))
	}
	if tab.Scheme != "mbr" || fmt.Sprint(got) != fmt.Sprint(want) || len(tab.Warnings) != 0 {
		t.Fatalf("got %s %v %v\nwant %v", tab.Scheme, got, tab.Warnings, want)
	}
	if tab.Parts[0].Num != 1 || tab.Parts[1].Num != 5 {
		t.Fatalf("numbers %d %d", tab.Parts[0].Num, tab.Parts[1].Num)
	}
}

// Each partition with a file system becomes its own source, with its
// offset and "#p<N>" reference, through every container.
func TestParseDispatchesPartitions(t *testing.T) {
	registerProbe()
	plaso := corpus.Path(t, "disk/plaso")
	for _, parts := range [][]string{
		{filepath.Join(plaso, "tsk_volume_system.raw")},
		{filepath.Join(plaso, "image-split.E01"), filepath.Join(plaso, "image-split.E02")},
	} {
		name := filepath.Base(parts[0])
		in, warns := inputFor(t, name, parts...)
		var c collect
		if err := Parse(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range c.evs {
			got = append(got, fmt.Sprintf("%s@%d %s", e.RefPath, e.Offset, e.Message))
		}
		// Partition 1 is all zeros (TSK's fls finds nothing there either:
		// its reference lists files only for the partition at sector 352),
		// so it is reported, not read.
		want := []string{name + "#p5@180224 blocks=1264"}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(*warns) != 1 ||
			!strings.Contains((*warns)[0], "partition p1 at offset 512 (type 0x83 Linux, 179200 bytes): no supported file system") {
			t.Fatalf("%s: got %v warns %v\nwant %v", name, got, *warns, want)
		}
	}
	// A bare file system: no table, RefPath is the image name.
	in, _ := inputFor(t, "imynd.dd", filepath.Join(plaso, "imynd.dd"))
	var c collect
	if err := Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.evs) != 1 || c.evs[0].RefPath != "imynd.dd" || c.evs[0].Offset != 0 {
		t.Fatalf("bare: %+v", c.evs)
	}
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not installed (Debian package listed in scripts/apt-packages.txt): %v", name, err)
	}
	return p
}

func run(t *testing.T, stdin string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// plantExt writes an ext2 superblock magic and a block count into the
// partition at byte offset off, so probeFS recognises it.
func plantExt(t *testing.T, path string, off int64, blocks uint32) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], blocks)
	f.WriteAt(b[:], off+1024+4)
	f.WriteAt([]byte{0x53, 0xef}, off+1080)
}

// MBR with primary, extended and logical partitions made by sfdisk, and a
// GPT made by sgdisk, on sparse files.
func TestPartitionToolsTables(t *testing.T) {
	registerProbe()
	sfdisk := needTool(t, "sfdisk")
	sgdisk := needTool(t, "sgdisk")
	dir := t.TempDir()

	mbr := filepath.Join(dir, "mbr.img")
	os.WriteFile(mbr, nil, 0o644)
	os.Truncate(mbr, 64<<20)
	run(t, "label: dos\nstart=2048, size=20480, type=83\nstart=22528, size=8192, type=7\nstart=32768, type=5\nstart=34816, size=8192, type=83\nstart=45056, size=4096, type=83\n", sfdisk, "-q", mbr)
	plantExt(t, mbr, 2048*512, 111)
	plantExt(t, mbr, 34816*512, 555)
	plantExt(t, mbr, 45056*512, 666)

	gpt := filepath.Join(dir, "gpt.img")
	os.WriteFile(gpt, nil, 0o644)
	os.Truncate(gpt, 64<<20)
	run(t, "", sgdisk, "-n", "1:2048:+10M", "-t", "1:8300", "-c", "1:root", "-n", "2:0:+8M", "-t", "2:0700", "-n", "3:0:+4M", "-t", "3:8300", gpt)
	plantExt(t, gpt, 2048*512, 777)
	plantExt(t, gpt, (2048+20480+16384)*512, 888)

	cases := []struct {
		path  string
		want  []string
		warns []string
	}{
		{mbr, []string{"mbr.img#p1@1048576 blocks=111", "mbr.img#p5@17825792 blocks=555", "mbr.img#p6@23068672 blocks=666"},
			[]string{"partition p2 at offset 11534336 (type 0x07 NTFS/exFAT/HPFS, 4194304 bytes): no supported file system"}},
		{gpt, []string{"gpt.img#p1@1048576 blocks=777", "gpt.img#p3@19922944 blocks=888"},
			[]string{"partition p2 at offset 11534336 (type EBD0A0A2-B9E5-4433-87C068B6B72699C7 ), 8388608 bytes): no supported file system"}},
	}
	for _, c := range cases {
		in, warns := inputFor(t, filepath.Base(c.path), c.path)
		var col collect
		if err := Parse(context.Background(), in, &col); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range col.evs {
			got = append(got, fmt.Sprintf("%s@%d %s", e.RefPath, e.Offset, e.Message))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("got %v\nwant %v", got, c.want)
		}
		if len(*warns) != len(c.warns) {
			t.Errorf("warnings %q, want %q", *warns, c.warns)
			continue
		}
		for i, w := range c.warns {
			if !strings.Contains((*warns)[i], w[:40]) {
				t.Errorf("warning %q, want %q", (*warns)[i], w)
			}
		}
	}
}
