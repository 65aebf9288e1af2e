package ext4

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMkfsVariants builds small file systems with mkfs (Debian package
// e2fsprogs, listed in scripts/apt-packages.txt) in layouts the committed
// fixtures do not cover and compares each with fls on the same image.
func TestMkfsVariants(t *testing.T) {
	mkfs, err := exec.LookPath("mkfs.ext4")
	if err != nil {
		t.Fatalf("mkfs.ext4 (Debian package e2fsprogs) is needed for this test: %v", err)
	}
	tree := t.TempDir()
	for d := 0; d < 6; d++ {
		dir := filepath.Join(tree, fmt.Sprintf("d%d", d), "sub")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 40; i++ {
			// small files: inline data where the feature is on
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-%03d.txt", i)), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// a directory too big for i_block but small enough for the inline
	// xattr (system.data) with 256-byte inodes
	if err := os.MkdirAll(filepath.Join(tree, "small"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		if err := os.WriteFile(filepath.Join(tree, "small", fmt.Sprintf("s%d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("d0/sub/file-000.txt", filepath.Join(tree, "ln")); err != nil {
		t.Fatal(err)
	}
	variants := []struct {
		name  string
		args  []string
		debug string // debugfs -w commands run after mkfs
	}{
		{"meta_bg", []string{"-O", "meta_bg,^resize_inode", "-b", "1024", "-g", "1024", "-N", "2048"}, ""},
		// debugfs makes an inline directory (mkfs -d never does)
		{"inline_data", []string{"-O", "inline_data", "-I", "256"},
			"mkdir idir\nln /small/s0 /idir/a0\nln /small/s1 /idir/a1\nln /small/s2 /idir/a2\n"},
		{"1k-64bit", []string{"-b", "1024", "-O", "64bit"}, ""},
		{"ext2", []string{"-t", "ext2"}, ""},
		// revision 0: no filetype feature, 16-bit name lengths, name type "-"
		{"ext2-rev0", []string{"-t", "ext2", "-r", "0"}, ""},
		{"128-byte-inodes", []string{"-I", "128"}, ""},
		{"uninit_bg-no-journal", []string{"-O", "^has_journal,^metadata_csum,uninit_bg"}, ""},
		// an orphan directory tree: /od and /od/sub deleted, the slack
		// that held "od" overwritten by a new entry "xy"
		{"orphan-dir", []string{"-t", "ext2"},
			"mkdir /od\nmkdir /od/sub\nwrite /etc/hostname /od/f1\nwrite /etc/hostname /od/sub/f2\nwrite /etc/hostname /p\n" +
				"rm /od/f1\nrm /od/sub/f2\nrmdir /od/sub\nrmdir /od\nln /p /xy\n"},
		{"many-groups", []string{"-b", "1024", "-g", "256", "-N", "4096", "-O", "^flex_bg"}, ""},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.img")
			args := append([]string{"-q", "-F", "-E", "lazy_itable_init=0"}, v.args...)
			args = append(args, "-d", tree, img, "8M")
			cmd := exec.Command(mkfs, args...)
			cmd.Env = append(os.Environ(), "E2FSPROGS_FAKE_TIME=1767225600")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mkfs %v: %v\n%s", args, err, out)
			}
			if v.debug != "" {
				cmd := exec.Command("debugfs", "-w", img, "-f", "-")
				cmd.Stdin = strings.NewReader(v.debug)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("debugfs: %v\n%s", err, out)
				}
			}
			f, size := openFile(t, img)
			evs, warns := parseImage(t, f, size, nil)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			if v.name == "orphan-dir" {
				var found bool
				for i := range evs {
					if strings.HasPrefix(evs[i].Path, "<deleted inode ") && strings.HasSuffix(evs[i].Path, "/sub/f2") &&
						strings.HasPrefix(extra(&evs[i], "name"), "/$OrphanFiles/OrphanFile-") && strings.HasSuffix(extra(&evs[i], "name"), "/sub/f2 (deleted)") {
						found = true
					}
				}
				if !found {
					t.Error("no event for the file in the orphan directory's subdirectory")
				}
			}
			compareTSKDiff(t, toBody(t, evs, sourceFS), runFLS(t, img), nil, commonExtra, func(tsk, got bodyLine) string {
				tsk.Crtime = got.Crtime
				if (v.name == "ext2" || v.name == "orphan-dir") && tsk == got {
					// The Sleuth Kit reads i_crtime (and nanoseconds) only
					// when it classifies the file system as ext4; this ext2
					// has 256-byte inodes that hold a creation time, which
					// Kiseki reports.
					return "crtime of a large inode on ext2"
				}
				return ""
			})
		})
	}
}
