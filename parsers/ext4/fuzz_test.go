package ext4

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type nopSink struct{}

func (nopSink) Emit(*timeline.Event) error { return nil }

// FuzzSuperblockInode decodes arbitrary bytes as a superblock and as an
// inode of every size; "we don't care about errors, just that we don't panic".
func FuzzSuperblockInode(f *testing.F) {
	img, err := os.ReadFile(corpus.Path(f, "disk/go-ext4/hierarchy_64.ext4"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img[1024:2048])
	f.Add(make([]byte, 1024))
	f.Fuzz(func(t *testing.T, b []byte) {
		if sb, err := parseSuperblock(b); err == nil {
			sb.groupCount()
			hasSuperBackup(sb, uint64(len(b)))
		}
		var in inode
		for _, n := range []int{128, 256, 512, 1024} {
			if len(b) >= n {
				decodeInode(b[:n], &in, true)
				inodeChecksum(0, 1, b[:n])
				inlineDataXattr(b[:n])
			}
		}
		if len(b) >= 64 {
			parseGroupDesc(b[:64], true)
		}
	})
}

// FuzzDirBlock parses arbitrary bytes as a directory block.
func FuzzDirBlock(f *testing.F) {
	img, err := os.ReadFile(corpus.Path(f, "disk/plaso/imynd.dd"))
	if err != nil {
		f.Fatal(err)
	}
	_, doff := locate(f, img, 12)
	f.Add(img[doff:doff+1024], true)
	f.Add(make([]byte, 1024), false)
	f.Fuzz(func(t *testing.T, b []byte, v2 bool) {
		n := 0
		parseDirBlock(b, 1<<20, v2, false, func(e *dirent) {
			if e.Off < 0 || e.Off+8+len(e.Name) > len(b) {
				t.Fatalf("entry outside the block: %+v", e)
			}
			n++
		})
		if n > len(b)/4+1 {
			t.Fatalf("%d entries from %d bytes", n, len(b))
		}
		recChain(b)
		htreeInterior(b)
		htreeRootEnd(b)
	})
}

// FuzzJournal parses arbitrary bytes as journal superblock, descriptor and
// revoke blocks with every feature combination.
func FuzzJournal(f *testing.F) {
	jsb := make([]byte, 1024)
	be.PutUint32(jsb, jMagic)
	be.PutUint32(jsb[4:], jSuperV2)
	be.PutUint32(jsb[0xC:], 1024)
	be.PutUint32(jsb[0x10:], 1024)
	be.PutUint32(jsb[0x14:], 1)
	f.Add(jsb, uint32(0x13))
	f.Add(make([]byte, 4096), uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, incompat uint32) {
		if js, err := parseJournalSuper(b); err == nil {
			js.tagSize()
		}
		js := &jsuper{Incompat: incompat}
		js.parseDescriptor(b, func(jtag) {})
		js.parseRevoke(b, func(uint64) {})
	})
}

// FuzzParse runs the whole walk over a mutated small image: bad images must
// give errors or warnings, never a panic or a hang.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"disk/plaso/imynd.dd", "disk/plaso/syslog_image.dd", "disk/go-ext4/hierarchy_64.ext4"} {
		b, err := os.ReadFile(corpus.Path(f, p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4<<20 {
			return
		}
		vol := &parsers.Volume{R: bytes.NewReader(b), Size: int64(len(b)), RefPath: "fuzz", Input: &parsers.Input{}}
		Detect(vol.R, vol.Size)
		_ = Parse(context.Background(), vol, nopSink{})
	})
}

// BenchmarkParse measures the whole walk on the ext4-4k fixture (318 names,
// 4096 inodes, journal included):
//
//	go test ./parsers/ext4 -run '^$' -bench Parse -benchtime 3s
func BenchmarkParse(b *testing.B) {
	img, err := os.ReadFile(fixture(b, "ext4-4k"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(img)))
	var inodes int
	for i := 0; i < b.N; i++ {
		vol := &parsers.Volume{R: bytes.NewReader(img), Size: int64(len(img)), RefPath: "img", Input: &parsers.Input{}}
		p := &parser{vol: vol, in: vol.Input, warnf: func(string, ...any) {}}
		if err := p.run(context.Background(), nopSink{}); err != nil {
			b.Fatal(err)
		}
		inodes += p.inodes
	}
	b.ReportMetric(float64(inodes)/b.Elapsed().Seconds(), "inodes/s")
}
