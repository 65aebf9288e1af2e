package ext4

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// TestJournalTags builds descriptor and revoke blocks in every tag format
// the kernel writes (journal_tag_bytes: csum v3 16 bytes; else 12, +2 with
// csum v2, -4 without 64bit) and parses them back.
func TestJournalTags(t *testing.T) {
	cases := []struct {
		name     string
		incompat uint32
	}{
		{"v1 32-bit", 0},
		{"64-bit", jIncompat64Bit},
		{"csum v2 32-bit", jIncompatCsumV2},
		{"csum v2 64-bit", jIncompatCsumV2 | jIncompat64Bit},
		{"csum v3 32-bit", jIncompatCsumV3},
		{"csum v3 64-bit", jIncompatCsumV3 | jIncompat64Bit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			js := &jsuper{Incompat: c.incompat}
			is64 := c.incompat&jIncompat64Bit != 0
			want := []jtag{{Block: 0x1234, Flags: 0}, {Block: 0x55667788, Flags: jTagSameUUID}, {Block: 9, Flags: jTagSameUUID | jTagLast | jTagEscape}}
			if is64 {
				want[1].Block |= 0x7 << 32
			}
			b := make([]byte, 1024)
			be.PutUint32(b, jMagic)
			be.PutUint32(b[4:], jDescriptor)
			off := 12
			for _, tg := range want {
				be.PutUint32(b[off:], uint32(tg.Block))
				if c.incompat&jIncompatCsumV3 != 0 {
					be.PutUint32(b[off+4:], tg.Flags)
					be.PutUint32(b[off+8:], uint32(tg.Block>>32))
					be.PutUint32(b[off+12:], 0xdeadbeef) // checksum
				} else {
					be.PutUint16(b[off+4:], 0xbeef) // checksum (v2) or unused
					be.PutUint16(b[off+6:], uint16(tg.Flags))
					if is64 {
						be.PutUint32(b[off+8:], uint32(tg.Block>>32))
					}
				}
				off += js.tagSize()
				if tg.Flags&jTagSameUUID == 0 {
					for i := 0; i < 16; i++ {
						b[off+i] = 0xAA // UUID
					}
					off += 16
				}
			}
			var got []jtag
			js.parseDescriptor(b, func(tg jtag) { got = append(got, tg) })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("tags %+v, want %+v", got, want)
			}
			// revoke block: 4- or 8-byte records, r_count bytes used
			r := make([]byte, 1024)
			be.PutUint32(r, jMagic)
			be.PutUint32(r[4:], jRevoke)
			recs := []uint64{7, 1 << 20}
			if is64 {
				recs[1] |= 3 << 32
			}
			n := 16
			for _, blk := range recs {
				if is64 {
					be.PutUint64(r[n:], blk)
					n += 8
				} else {
					be.PutUint32(r[n:], uint32(blk))
					n += 4
				}
			}
			be.PutUint32(r[12:], uint32(n))
			var revoked []uint64
			js.parseRevoke(r, func(blk uint64) { revoked = append(revoked, blk) })
			if !reflect.DeepEqual(revoked, recs) {
				t.Errorf("revoked %v, want %v", revoked, recs)
			}
		})
	}
	if (&jsuper{Incompat: jIncompatCsumV2}).tagSize() != 10 || (&jsuper{Incompat: jIncompatCsumV2 | jIncompat64Bit}).tagSize() != 14 ||
		(&jsuper{}).tagSize() != 8 || (&jsuper{Incompat: jIncompat64Bit}).tagSize() != 12 || (&jsuper{Incompat: jIncompatCsumV3}).tagSize() != 16 {
		t.Error("tag sizes differ from the kernel's journal_tag_bytes")
	}
}

// TestJournalFixture reads the fixtures' journals: transaction 1 (a
// descriptor, one data block, a commit) and transaction 2 (a revoke of
// block 7, a commit).
func TestJournalFixture(t *testing.T) {
	for _, name := range []string{"ext4-4k", "ext3-1k"} {
		img, err := os.ReadFile(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var warns []string
		in := &parsers.Input{Warn: func(m string) { warns = append(warns, m) }}
		vol := &parsers.Volume{R: bytes.NewReader(img), Size: int64(len(img)), RefPath: "img", Input: in}
		p := &parser{vol: vol, in: in, warnf: func(f string, a ...any) { in.Problemf("ext4", -1, 0, f, a...) }}
		if err := p.run(context.Background(), nopSink{}); err != nil {
			t.Fatal(err)
		}
		if !p.jCommitted[1] || !p.jCommitted[2] || len(p.jCommitted) != 2 {
			t.Errorf("%s: committed %v", name, p.jCommitted)
		}
		if p.jRevoked[7] != 2 || len(p.jRevoked) != 1 {
			t.Errorf("%s: revoked %v", name, p.jRevoked)
		}
		if len(warns) > 0 {
			t.Errorf("%s: warnings %v", name, warns)
		}
	}
}
