package ext4

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
)

func loadImage(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpus.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// locate opens img and returns the byte offset of inode ino and of the first
// block of its data.
func locate(t testing.TB, img []byte, ino uint32) (inodeOff, dataOff int64) {
	t.Helper()
	f, err := open(bytes.NewReader(img), int64(len(img)), func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	inodeOff = f.inodeOffset(ino)
	var in inode
	decodeInode(img[inodeOff:inodeOff+int64(f.sb.InodeSize)], &in, false)
	m := mapper{fs: f}
	dataOff = -1
	m.walk(&in, 1, func(l, p, n uint64) bool { dataOff = int64(p) * int64(f.bs); return false })
	if dataOff < 0 {
		t.Fatalf("inode %d has no data block", ino)
	}
	return inodeOff, dataOff
}

func hasPath(t *testing.T, img []byte, want ...string) ([]string, map[string]bool) {
	t.Helper()
	evs, warns := parseImage(t, bytes.NewReader(img), int64(len(img)), nil)
	got := map[string]bool{}
	for i := range evs {
		got[evs[i].Path] = true
	}
	for _, p := range want {
		if !got[p] {
			t.Errorf("%s not read", p)
		}
	}
	return warns, got
}

func wantWarning(t *testing.T, warns []string, substr string) {
	t.Helper()
	for _, w := range warns {
		if strings.Contains(w, substr) && strings.Contains(w, "offset") && strings.HasPrefix(w, "img: ext4: ") {
			return
		}
	}
	t.Errorf("no warning with %q and an offset in %q", substr, warns)
}

// hierarchy_64.ext4: /directory1 is inode 12, /directory2 inode 13,
// /directory1/subdirectory1 inode 14.
func TestBadInput(t *testing.T) {
	orig := loadImage(t, "disk/go-ext4/hierarchy_64.ext4")

	t.Run("truncated", func(t *testing.T) {
		img := orig[:300<<10] // group 0 only partly present
		warns, _ := hasPath(t, img, "/directory1/fortune1")
		wantWarning(t, warns, "truncated")
	})
	t.Run("truncated-in-inode-table", func(t *testing.T) {
		ioff, _ := locate(t, orig, 20)
		img := orig[:ioff]
		warns, _ := hasPath(t, img, "/directory1")
		wantWarning(t, warns, "inode table unreadable")
	})
	t.Run("truncated-groups", func(t *testing.T) {
		// ext3-1k has two groups of 8 MiB; the second one's inode table is
		// cut off: the first group is read, one warning names the offset.
		full, err := os.ReadFile(fixture(t, "ext3-1k"))
		if err != nil {
			t.Fatal(err)
		}
		img := full[:8<<20]
		warns, _ := hasPath(t, img, "/www/shop/pay.php", "/etc/passwd")
		wantWarning(t, warns, "past the end of the volume")
		if len(warns) > 3 {
			t.Errorf("too many warnings: %q", warns)
		}
	})
	t.Run("corrupt-inode", func(t *testing.T) {
		img := bytes.Clone(orig)
		ioff, _ := locate(t, img, 12)
		for i := int64(0); i < 128; i++ {
			img[ioff+i] = 0xA5
		}
		// directory1 is garbage now: its subtree is lost, the rest is read
		warns, got := hasPath(t, img, "/directory2/fortune10", "/thejungle.txt")
		wantWarning(t, warns, "not a directory")
		if got["/directory1/fortune1"] {
			t.Error("children of a garbage inode read")
		}
	})
	t.Run("checksum-mismatch", func(t *testing.T) {
		gz := fixture(t, "ext4-4k")
		img, err := os.ReadFile(gz)
		if err != nil {
			t.Fatal(err)
		}
		ioff, _ := locate(t, img, 13) // /etc/passwd
		img[ioff+0x10] ^= 1           // one bit of i_mtime
		evs, warns := parseImage(t, bytes.NewReader(img), int64(len(img)), nil)
		wantWarning(t, warns, "inode 13 at offset")
		// the timestomp tags of /etc/passwd: see TestTimestompJournal
		want := "checksum-mismatch," + TagMtimeBeforeCrtime + "," + TagAtimeBeforeCrtime
		for i := range evs {
			if evs[i].Inode == 13 && evs[i].Source == sourceFS && strings.TrimSuffix(evs[i].Tags, ","+TagUntrusted) != want {
				t.Errorf("tags %q", evs[i].Tags)
			}
		}
	})
	t.Run("corrupt-dir-block", func(t *testing.T) {
		img := bytes.Clone(orig)
		_, doff := locate(t, img, 12)
		for i := int64(0); i < 1024; i += 4 {
			copy(img[doff+i:], []byte{0x13, 0x37, 0xff, 0xff})
		}
		warns, got := hasPath(t, img, "/directory2/fortune10", "/thejungle.txt")
		wantWarning(t, warns, "corrupt")
		if got["/directory1/fortune1"] {
			t.Error("entries read from a garbage block")
		}
	})
	t.Run("loop", func(t *testing.T) {
		img := bytes.Clone(orig)
		_, doff := locate(t, img, 14) // /directory1/subdirectory1
		// its third entry (after "." and "..") becomes a directory entry
		// pointing back at /directory1
		off := doff
		for n := 0; n < 2; n++ {
			off += int64(le.Uint16(img[off+4:]))
		}
		le.PutUint32(img[off:], 12)
		img[off+7] = 2
		warns, _ := hasPath(t, img, "/directory2/fortune10")
		wantWarning(t, warns, "loop")
	})
	t.Run("absurd-dir-size", func(t *testing.T) {
		img := bytes.Clone(orig)
		ioff, _ := locate(t, img, 13)
		le.PutUint32(img[ioff+4:], 0xFFFFFFF0)
		warns, _ := hasPath(t, img, "/directory2/fortune10")
		wantWarning(t, warns, "claims")
	})
	t.Run("garbage-superblock", func(t *testing.T) {
		img := bytes.Clone(orig)
		le.PutUint32(img[1024+0x18:], 40) // block size 1024<<40
		vol := &parsers.Volume{R: bytes.NewReader(img), Size: int64(len(img)), RefPath: "img", Input: &parsers.Input{}}
		err := Parse(context.Background(), vol, &memSink{})
		if err == nil || !strings.Contains(err.Error(), "offset") && !strings.Contains(err.Error(), "1024") {
			t.Errorf("err = %v", err)
		}
		if Detect(bytes.NewReader(img), int64(len(img))) {
			t.Error("Detect: true")
		}
	})
	t.Run("zeros", func(t *testing.T) {
		img := make([]byte, 64<<10)
		if Detect(bytes.NewReader(img), int64(len(img))) {
			t.Error("Detect on zeros")
		}
		vol := &parsers.Volume{R: bytes.NewReader(img), Size: int64(len(img)), RefPath: "img", Input: &parsers.Input{}}
		if err := Parse(context.Background(), vol, &memSink{}); err == nil {
			t.Error("no error on zeros")
		}
	})
}
