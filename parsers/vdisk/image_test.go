package vdisk_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/fsbody"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/disk"
	_ "github.com/kiseki-forensics/kiseki/parsers/ext4"
	_ "github.com/kiseki-forensics/kiseki/parsers/ntfs"
)

// parseImage runs the disk-image format on a file, as ingest does.
func parseImage(t *testing.T, path string) (*fsbody.Collect, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	head := make([]byte, 4096)
	f.ReadAt(head, 0)
	disk, _ := parsers.Lookup("disk-image")
	if s := disk.Detect(filepath.Base(path), head); s < 100 {
		t.Errorf("%s: disk-image scores %d", path, s)
	}
	var warns []string
	c := &fsbody.Collect{}
	in := &parsers.Input{Name: filepath.Base(path), ReaderAt: f, Size: st.Size(), Zone: time.UTC, ZoneSource: "default",
		Warn: func(m string) { warns = append(warns, m) }}
	if err := disk.Parse(context.Background(), in, c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c, warns
}

// The dfvfs ext2 media in QCOW2, VMDK and VHD: the ext4 reader's bodyfile
// agrees with the Sleuth Kit's reference for that media.
func TestExt2InsideContainersAgreesWithTSK(t *testing.T) {
	ref := fsbody.ReadBody(t, corpus.Path(t, "disk/dfvfs/ext2.reference.tsk_fls_bodyfile.txt"))
	dir := corpus.Path(t, "vm_images/log2timeline-dfvfs/test_data")
	for _, name := range []string{"ext2.qcow2", "ext2.vmdk", "ext2.vhd"} {
		t.Run(name, func(t *testing.T) {
			c, warns := parseImage(t, filepath.Join(dir, name))
			ours := fsbody.Ours(c.Events)
			// The ext4 reader also lists the root and the reserved inodes
			// (docs/ext4.md): left out of the comparison.
			for l := range ours {
				if l.Name == "/" || strings.HasPrefix(l.Name, "<inode ") {
					delete(ours, l)
				}
			}
			fsbody.Check(t, name, ours, ref, 0.99)
			// The VHD's media is 4212736 bytes, the ext2 4 MiB: no warning
			// either way.
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
		})
	}
}

// dfvfs's NTFS volume in QCOW2: syslog is MFT entry 67, created
// 2016-08-06T12:32:12.6627548Z (corpus EXPECTED.md), and the bodyfile's
// lines include every line fls gives for the media converted to raw.
func TestNTFSInsideQCOW2(t *testing.T) {
	p := corpus.Path(t, "vm_images/log2timeline-dfvfs/test_data/windows_volume.qcow2")
	c, _ := parseImage(t, p)
	found := false
	for i := range c.Events {
		ev := &c.Events[i]
		if strings.HasSuffix(ev.Path, "/Windows/System32/config/syslog") && ev.MFT == 67 && ev.TimeDesc == "si_crtime" {
			found = true
			if got := time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano); got != "2016-08-06T12:32:12.6627548Z" {
				t.Errorf("syslog created %s", got)
			}
		}
	}
	if !found {
		t.Fatal("no si_crtime event for MFT entry 67 .../config/syslog")
	}
	raw := filepath.Join(t.TempDir(), "vol.raw")
	if out, err := exec.Command(fsbody.Need(t, "qemu-img"), "convert", "-O", "raw", p, raw).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v\n%s", err, out)
	}
	tsk := fsbody.FLS(t, raw)
	// fls prints a FILETIME of 0 as 2076-11-29T08:54:34Z (3373865674);
	// Kiseki keeps it 0 (docs of parsers/ntfs): such lines are left out.
	for l := range tsk {
		if l.Mtime == 3373865674 {
			delete(tsk, l)
		}
	}
	ours := fsbody.Ours(c.Events)
	missing := 0
	for l, n := range tsk {
		if ours[l] < n {
			missing += n - ours[l]
		}
	}
	t.Logf("%d of %d fls lines not in ours", missing, len(tsk))
	if float64(missing) > 0.01*float64(len(tsk)) {
		t.Errorf("%d of %d fls lines missing", missing, len(tsk))
	}
}

// dfvfs's differencing VHD beside its parent, through disk-image and ext4:
// /passwords.txt is inode 15 and /a_directory/another_file inode 16
// (corpus EXPECTED.md).
func TestDifferencingVHDThroughDiskImage(t *testing.T) {
	p := corpus.Path(t, "vm_images/log2timeline-dfvfs/test_data/image-differential.vhd")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	disk, _ := parsers.Lookup("disk-image")
	c := &fsbody.Collect{}
	in := &parsers.Input{Name: "image-differential.vhd", ReaderAt: f, Size: st.Size(), Parts: []string{p}, Zone: time.UTC}
	if err := disk.Parse(context.Background(), in, c); err != nil {
		t.Fatal(err)
	}
	inodes := map[string]int64{}
	for _, ev := range c.Events {
		inodes[ev.Path] = ev.Inode
	}
	if inodes["/passwords.txt"] != 15 || inodes["/a_directory/another_file"] != 16 {
		t.Fatalf("inodes %v", inodes)
	}
}
