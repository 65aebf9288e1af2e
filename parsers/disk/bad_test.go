package disk

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/ntfs"
)

// The committed E01 fixture (fixtures/disk/make-disk-fixture.sh): an MBR
// disk with NTFS in p1 and in logical p5, an empty p2. Each NTFS partition
// is its own source; p2 is reported.
func TestE01WithNTFSPartitions(t *testing.T) {
	p := filepath.Join(corpus.Root(t), "fixtures", "disk", "disk-mbr-ntfs.E01")
	in, warns := inputFor(t, "disk-mbr-ntfs.E01", p)
	img, err := openImage(in)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(p + ".md5")
	if got := md5All(t, img.r, img.size); got != strings.TrimSpace(string(want)) || img.size != 16<<20 {
		t.Fatalf("media md5 %s size %d, want %s", got, img.size, want)
	}
	img.closer()
	var c collect
	if err := Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	perRef := map[string]int{}
	offsets := map[string]int64{}
	for _, e := range c.evs {
		perRef[e.RefPath]++
		if e.Path == "/dir/a.txt" {
			offsets[e.RefPath] = e.MFT
		}
	}
	if len(perRef) != 2 || perRef["disk-mbr-ntfs.E01#p1"] == 0 || perRef["disk-mbr-ntfs.E01#p1"] != perRef["disk-mbr-ntfs.E01#p5"] {
		t.Fatalf("events per partition %v", perRef)
	}
	if offsets["disk-mbr-ntfs.E01#p1"] != 67 || offsets["disk-mbr-ntfs.E01#p5"] != 67 {
		t.Fatalf("a.txt MFT %v", offsets)
	}
	if len(*warns) != 1 || !strings.Contains((*warns)[0], "partition p2 at offset 5242880 (type 0x83 Linux, 2097152 bytes): no supported file system") {
		t.Fatalf("warnings %q", *warns)
	}
}

// mbrImage writes a 1 MiB image whose MBR holds the given entries (type,
// start sector, sectors) and returns its path.
func mbrImage(t *testing.T, entries ...[3]uint32) string {
	b := make([]byte, 1<<20)
	for i, e := range entries {
		p := b[446+16*i:]
		p[4] = byte(e[0])
		binary.LittleEndian.PutUint32(p[8:], e[1])
		binary.LittleEndian.PutUint32(p[12:], e[2])
	}
	b[510], b[511] = 0x55, 0xaa
	path := filepath.Join(t.TempDir(), "bad.img")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadPartitionTables(t *testing.T) {
	registerProbe()
	cases := []struct {
		name    string
		entries [][3]uint32
		patch   func(b []byte)
		warns   []string
	}{
		{"past end", [][3]uint32{{0x83, 1024, 100}, {0x83, 1 << 30, 1 << 20}}, func(b []byte) { plantBytes(b, 1024*512) },
			[]string{"partition p2 at offset 549755813888 (type 0x83 Linux, 536870912 bytes) lies past the end of the image (1048576 bytes)"}},
		{"runs past end", [][3]uint32{{0x83, 1024, 4096}}, func(b []byte) { plantBytes(b, 1024*512) },
			[]string{"partition p1 at offset 524288 (2097152 bytes) runs past the end of the image (1048576 bytes); reading the 524288 bytes present"}},
		{"EBR loop", [][3]uint32{{0x05, 100, 1000}}, func(b []byte) {
			// EBR at sector 100 whose next-EBR entry points back to itself.
			e := b[100*512:]
			e[446+4], e[446+8] = 0x83, 2
			binary.LittleEndian.PutUint32(e[446+12:], 10)
			e[446+16+4] = 0x05
			binary.LittleEndian.PutUint32(e[446+16+8:], 0)
			binary.LittleEndian.PutUint32(e[446+16+12:], 1000)
			e[510], e[511] = 0x55, 0xaa
		}, []string{"extended partition: EBR chain loops back to offset 51200", "partition p5 at offset 52224 (type 0x83 Linux, 5120 bytes): no supported file system"}},
		{"empty", [][3]uint32{{0x83, 2048, 0}, {0x83, 1, 1}}, nil, nil}, // not plausible: no table at all
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mbrImage(t, c.entries...)
			if c.patch != nil {
				b, _ := os.ReadFile(p)
				c.patch(b)
				os.WriteFile(p, b, 0o644)
			}
			in, warns := inputFor(t, "bad.img", p)
			var col collect
			err := Parse(context.Background(), in, &col)
			if c.warns == nil {
				if err == nil || !strings.Contains(err.Error(), "bad.img: no partition table") {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(*warns) != len(c.warns) {
				t.Fatalf("warnings %q\nwant %q", *warns, c.warns)
			}
			for i, w := range c.warns {
				if !strings.Contains((*warns)[i], w) {
					t.Errorf("warning %q\nwant %q", (*warns)[i], w)
				}
			}
		})
	}
}

func plantBytes(b []byte, off int) {
	binary.LittleEndian.PutUint32(b[off+1024+4:], 42)
	b[off+1080], b[off+1081] = 0x53, 0xef
}

// Truncated and corrupted E01s give clear errors or read what is there;
// never a panic, never an absurd allocation.
func TestBadE01(t *testing.T) {
	src, err := os.ReadFile(corpus.Path(t, "disk/dfvfs/ext2.E01"))
	if err != nil {
		t.Fatal(err)
	}
	findSection := func(b []byte, name string) int {
		off := 13
		for off+76 <= len(b) {
			if string(bytes.TrimRight(b[off:off+16], "\x00")) == name {
				return off
			}
			next := int(binary.LittleEndian.Uint64(b[off+16:]))
			if next <= off {
				break
			}
			off = next
		}
		t.Fatalf("no %s section", name)
		return 0
	}
	cases := map[string]func([]byte) []byte{
		"truncated half": func(b []byte) []byte { return b[:len(b)/2] },
		"truncated 100":  func(b []byte) []byte { return b[:100] },
		"absurd chunks": func(b []byte) []byte {
			v := findSection(b, "volume") + 76
			binary.LittleEndian.PutUint32(b[v+4:], 0xffffffff)
			return b
		},
		"absurd chunk size": func(b []byte) []byte {
			v := findSection(b, "volume") + 76
			binary.LittleEndian.PutUint32(b[v+8:], 0xffffffff)
			return b
		},
		"absurd table": func(b []byte) []byte {
			v := findSection(b, "table") + 76
			binary.LittleEndian.PutUint32(b[v:], 0x7fffffff)
			return b
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			b := mutate(append([]byte(nil), src...))
			var warns []string
			in := &parsers.Input{Name: "x.E01", ReaderAt: bytes.NewReader(b), Size: int64(len(b)),
				Warn: func(m string) { warns = append(warns, m) }}
			var c collect
			err := Parse(context.Background(), in, &c)
			if err == nil && len(warns) == 0 && len(c.evs) == 0 {
				t.Fatal("no error, no warning, no events")
			}
			if err != nil && !strings.HasPrefix(err.Error(), "x.E01: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			t.Logf("err=%v warns=%q", err, warns)
		})
	}
}
