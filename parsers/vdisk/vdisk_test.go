package vdisk

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
)

// ext2MD5 is the MD5 of the 4 MiB ext2 media that dfvfs ships in every
// container (corpus vm_images/log2timeline-dfvfs/EXPECTED.md).
const ext2MD5 = "196066add11fb71c4c49cf1bb50d6d24"

func openFile(t testing.TB, p string) (*Disk, *os.File) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	d, err := Open(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if d == nil {
		t.Fatalf("%s: not recognised as a virtual disk", p)
	}
	return d, f
}

func md5Of(t testing.TB, r io.ReaderAt, size int64) string {
	t.Helper()
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// The dfvfs samples: the same ext2 media through QCOW2, VHD and VMDK.
func TestCorpusContainers(t *testing.T) {
	dir := corpus.Path(t, "vm_images/log2timeline-dfvfs/test_data")
	for _, c := range []struct {
		name, kind string
		size       int64
	}{
		{"ext2.qcow2", KindQCOW2, 4 << 20},
		{"ext2.vmdk", KindVMDK, 4 << 20},
		{"ext2.vhd", KindVHD, 4212736},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, _ := openFile(t, filepath.Join(dir, c.name))
			if d.Kind != c.kind || d.Size != c.size {
				t.Fatalf("kind %s size %d, want %s %d", d.Kind, d.Size, c.kind, c.size)
			}
			if got := md5Of(t, d.R, 4<<20); got != ext2MD5 {
				t.Fatalf("media md5 %s, want %s", got, ext2MD5)
			}
			if n, err := d.R.ReadAt(make([]byte, 10), d.Size-4); n != 4 || err != io.EOF {
				t.Fatalf("read at the end: %d %v", n, err)
			}
		})
	}
}

// A differencing VHD needs its parent: without its path it is refused
// naming the parent; from its file, the parent beside it (image.vhd, whose
// identifier it names) gives the sectors it does not hold.
func TestDifferencingVHD(t *testing.T) {
	p := corpus.Path(t, "vm_images/log2timeline-dfvfs/test_data/image-differential.vhd")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	_, err = Open(f, st.Size())
	if err == nil || !strings.Contains(err.Error(), "differencing") || !strings.Contains(err.Error(), "image.vhd") {
		t.Fatalf("err = %v", err)
	}
	parent, _ := openFile(t, filepath.Join(filepath.Dir(p), "image.vhd"))
	if parent.Size != 104448 {
		t.Fatalf("parent size %d", parent.Size)
	}
	d, err := OpenFile(f, st.Size(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Size != parent.Size {
		t.Fatalf("size %d", d.Size)
	}
	// This child holds every sector of its one block (all bitmap bits
	// set): it reads as its own data.
	a, b := make([]byte, d.Size), make([]byte, d.Size)
	d.R.ReadAt(a, 0)
	parent.R.ReadAt(b, 0)
	if a[1080] != 0x53 || a[1081] != 0xef {
		t.Fatal("no ext2 superblock in the child's media")
	}
	// A copy whose bitmap gives sectors 0-7 back to the parent, with other
	// bytes in the child's copy of them, and sector 8 changed in the child:
	// sectors 0-7 read as the parent's, sector 8 as the child's.
	dir := t.TempDir()
	child, _ := os.ReadFile(p)
	pb, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "image.vhd"))
	const block = 4 * 512 // the block's host offset (BAT entry 4), bitmap first
	child[block] = 0
	for i := block + 512; i < block+512+8*512; i++ {
		child[i] = 0xAA
	}
	for i := block + 512 + 8*512; i < block+512+9*512; i++ {
		child[i] = 0xBB
	}
	cp := filepath.Join(dir, "child.vhd")
	os.WriteFile(cp, child, 0o644)
	os.WriteFile(filepath.Join(dir, "image.vhd"), pb, 0o644)
	d2, err := OpenFile(bytes.NewReader(child), int64(len(child)), cp)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	c := make([]byte, 5*1024)
	d2.R.ReadAt(c, 0)
	if !bytes.Equal(c[:4096], b[:4096]) || !bytes.Equal(c[4096:4608], bytes.Repeat([]byte{0xBB}, 512)) || !bytes.Equal(c[4608:], a[4608:5*1024]) {
		t.Fatal("sectors not taken from the parent and the child as the bitmap says")
	}
	// A parent under another name is not found: refused.
	os.Remove(filepath.Join(dir, "image.vhd"))
	if _, err := OpenFile(bytes.NewReader(child), int64(len(child)), cp); err == nil || !strings.Contains(err.Error(), "not beside it") {
		t.Fatalf("err = %v", err)
	}
}

// need returns the path of a tool the test runs, skipping (failing under
// CI=true, where scripts/apt-packages.txt installs it) when it is missing.
func need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (scripts/apt-packages.txt)", tool)
		}
		t.Skipf("%s not installed: test skipped", tool)
	}
	return p
}

// rawMedia writes a 4 MiB raw image with varied content and holes (zero
// runs that converters leave unallocated).
func rawMedia(t testing.TB, dir string) string {
	b := make([]byte, 4<<20)
	for i := 0; i < len(b); i += 4096 {
		if i/4096%3 == 1 {
			continue // a hole
		}
		for j := 0; j < 4096; j += 8 {
			copy(b[i+j:], []byte{byte(i >> 12), byte(i >> 20), byte(j), byte(j >> 8), 'k', 's', 'k', byte(i)})
		}
	}
	p := filepath.Join(dir, "media.raw")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every format qemu-img writes reads back the same media.
func TestQemuImgFormats(t *testing.T) {
	qemu := need(t, "qemu-img")
	dir := t.TempDir()
	raw := rawMedia(t, dir)
	want, _ := os.ReadFile(raw)
	for _, c := range []struct {
		name string
		args []string
		kind string
	}{
		{"v2.qcow2", []string{"-O", "qcow2", "-o", "compat=0.10"}, KindQCOW2},
		{"v3.qcow2", []string{"-O", "qcow2", "-o", "compat=1.1,cluster_size=4096"}, KindQCOW2},
		{"comp.qcow2", []string{"-c", "-O", "qcow2"}, KindQCOW2},
		{"zstd.qcow2", []string{"-c", "-O", "qcow2", "-o", "compression_type=zstd"}, KindQCOW2},
		{"sparse.vmdk", []string{"-O", "vmdk"}, KindVMDK},
		{"stream.vmdk", []string{"-O", "vmdk", "-o", "subformat=streamOptimized"}, KindVMDK},
		{"dyn.vhd", []string{"-O", "vpc", "-o", "subformat=dynamic,force_size=on"}, KindVHD},
		{"fixed.vhd", []string{"-O", "vpc", "-o", "subformat=fixed,force_size=on"}, KindVHD},
		{"d.vhdx", []string{"-O", "vhdx", "-o", "block_size=1048576"}, KindVHDX},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name)
			args := append(append([]string{"convert", "-f", "raw"}, c.args...), raw, out)
			if b, err := exec.Command(qemu, args...).CombinedOutput(); err != nil {
				t.Fatalf("qemu-img %v: %v\n%s", args, err, b)
			}
			d, _ := openFile(t, out)
			if d.Kind != c.kind || d.Size < int64(len(want)) {
				t.Fatalf("kind %s size %d", d.Kind, d.Size)
			}
			got := make([]byte, len(want))
			if _, err := d.R.ReadAt(got, 0); err != nil && err != io.EOF {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && got[i] == want[i] {
					i++
				}
				t.Fatalf("media differs from offset %d", i)
			}
		})
	}
}

// A split sparse VMDK: the descriptor is refused, naming its extents; an
// extent opens alone with a warning (here the only one: the whole media).
func TestSplitSparseVMDK(t *testing.T) {
	qemu := need(t, "qemu-img")
	dir := t.TempDir()
	raw := rawMedia(t, dir)
	want, _ := os.ReadFile(raw)
	desc := filepath.Join(dir, "split.vmdk")
	if b, err := exec.Command(qemu, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", raw, desc).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, b)
	}
	f, _ := os.Open(desc)
	defer f.Close()
	st, _ := f.Stat()
	if _, err := Open(f, st.Size()); err == nil || !strings.Contains(err.Error(), "split-s001.vmdk") {
		t.Fatalf("descriptor: %v", err)
	}
	d, _ := openFile(t, filepath.Join(dir, "split-s001.vmdk"))
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "split disk") {
		t.Errorf("warnings %v", d.Warnings)
	}
	got := make([]byte, len(want))
	if _, err := d.R.ReadAt(got, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("media differs")
	}
}

// A QCOW2 overlay reads the clusters it never wrote from its backing file
// beside it (a QCOW2 or a raw image); without it, it is refused.
func TestQCOW2BackingFile(t *testing.T) {
	qemu := need(t, "qemu-img")
	qemuIO := need(t, "qemu-io")
	dir := t.TempDir()
	raw := rawMedia(t, dir)
	want, _ := os.ReadFile(raw)
	for i := 65536; i < 65536+4096; i++ {
		want[i] = 0xcd
	}
	base := filepath.Join(dir, "base.qcow2")
	run := func(name string, args ...string) {
		if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, b)
		}
	}
	run(qemu, "convert", "-f", "raw", "-O", "qcow2", raw, base)
	for _, c := range []struct{ backing, fmt string }{{"base.qcow2", "qcow2"}, {"media.raw", "raw"}} {
		ov := filepath.Join(dir, "over-"+c.fmt+".qcow2")
		run(qemu, "create", "-q", "-f", "qcow2", "-b", c.backing, "-F", c.fmt, ov)
		run(qemuIO, "-c", "write -P 0xcd 65536 4096", ov)
		f, _ := os.Open(ov)
		st, _ := f.Stat()
		d, err := OpenFile(f, st.Size(), ov)
		if err != nil {
			t.Fatalf("%s: %v", c.fmt, err)
		}
		got := make([]byte, len(want))
		if _, err := d.R.ReadAt(got, 0); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s backing: media differs", c.fmt)
		}
		d.Close()
		if _, err := Open(f, st.Size()); err == nil || !strings.Contains(err.Error(), c.backing) {
			t.Errorf("without its path: %v", err)
		}
		f.Close()
	}
}
