package ext4

import (
	"context"
	"testing"
)

// TestInlineDirXattr reads an inline directory whose entries continue in
// the system.data extended attribute (the kernel moves them there when
// i_block is full; e2fsprogs cannot make one, so the inode is built here
// from the layout in Documentation/filesystems/ext4 "Inline Data").
func TestInlineDirXattr(t *testing.T) {
	raw := make([]byte, 256)
	le.PutUint16(raw[0:], sIFDIR|0o755)
	le.PutUint32(raw[0x20:], flagInline)
	// i_block: parent inode, then one entry "a" -> 21 filling the 56 bytes
	le.PutUint32(raw[0x28:], 2)
	e := raw[0x28+4:]
	le.PutUint32(e, 21)
	le.PutUint16(e[4:], 56)
	e[6], e[7], e[8] = 1, 1, 'a'
	// in-inode xattrs after i_extra_isize (32)
	le.PutUint16(raw[0x80:], 32)
	x := 128 + 32
	le.PutUint32(raw[x:], 0xEA020000)
	ent := raw[x+4:]
	ent[0], ent[1] = 4, 7 // name_len, index "system."
	const valueOff = 40
	le.PutUint16(ent[2:], valueOff)
	le.PutUint32(ent[8:], 24) // value size
	copy(ent[16:], "data")
	// value: entry "bc" -> 22 (12 bytes) and a deleted "zz" -> 23 in its slack
	v := raw[x+4+valueOff:]
	le.PutUint32(v, 22)
	le.PutUint16(v[4:], 24)
	v[6], v[7], v[8], v[9] = 2, 1, 'b', 'c'
	le.PutUint32(v[12:], 23)
	le.PutUint16(v[16:], 12)
	v[18], v[19], v[20], v[21] = 2, 1, 'z', 'z'

	val, at := inlineDataXattr(raw)
	if len(val) != 24 || at != x+4+valueOff {
		t.Fatalf("system.data: %d bytes at %d", len(val), at)
	}
	f := &fsys{
		sb:     &superblock{InodesCount: 64, InodesPerGroup: 64, InodeSize: 256, BlockSize: 1024, BlocksCount: 100, FeatureIncompat: incompatFiletype},
		bs:     1024,
		groups: []group{{InodeTable: 10}},
		warnf:  t.Errorf,
		alloc:  newBitset(65),
		dirs:   map[uint32]int32{20: 0},
	}
	d := dirInfo{Flags: flagInline, Size: 60, InlineMore: val, InlineMoreOff: at}
	copy(d.Block[:], raw[0x28:0x28+60])
	f.dirRec = []dirInfo{d}
	w := newWalker(f, "")
	w.walkDir(context.Background(), 20, false, 0, true)
	got := map[string]bool{}
	for _, n := range w.names {
		got[n.Name] = n.Deleted
	}
	if len(got) != 3 || got["a"] || got["bc"] || !got["zz"] {
		t.Errorf("names %v", got)
	}
	if w.names[1].Off != f.inodeOffset(20)+int64(at) {
		t.Errorf("offset of bc: %d", w.names[1].Off)
	}
}
