package ext4

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"unsafe"
)

// The jbd2 journal (Documentation/filesystems/ext4 "Journal (jbd2)"), all
// fields big-endian. Every block of the log area is looked at, not only the
// part that recovery would replay: a descriptor block lists the file system
// blocks whose copies follow it, and copies of inode-table blocks are older
// states of inodes. Data blocks that start with the journal magic are
// stored "escaped" (magic zeroed), so a block that starts with the magic is
// always a journal header.

var be = binary.BigEndian

const (
	jMagic      = 0xC03B3998
	jDescriptor = 1
	jCommit     = 2
	jSuperV1    = 3
	jSuperV2    = 4
	jRevoke     = 5

	jIncompatRevoke = 0x1
	jIncompat64Bit  = 0x2
	jIncompatCsumV2 = 0x8
	jIncompatCsumV3 = 0x10

	jTagEscape   = 0x1
	jTagSameUUID = 0x2
	jTagLast     = 0x8

	maxJournalBlocks = 1 << 24 // 64 GiB of 4 KiB blocks: larger is corruption

	// incompatRecover is the file system's EXT4_FEATURE_INCOMPAT_RECOVER:
	// the journal holds transactions, from the journal superblock's
	// s_sequence on, that are not yet written to their place (a crash or a
	// copy of a mounted volume). Without it the kernel wipes the log
	// instead of replaying it: everything in it is older than the disk.
	incompatRecover = 0x4
)

// jsuper is the journal superblock.
type jsuper struct {
	BlockSize uint32
	MaxLen    uint32
	First     uint32
	Sequence  uint32
	Start     uint32
	Incompat  uint32
}

func parseJournalSuper(b []byte) (*jsuper, error) {
	if len(b) < 0x30 || be.Uint32(b) != jMagic {
		return nil, fmt.Errorf("journal superblock without magic")
	}
	t := be.Uint32(b[4:])
	if t != jSuperV1 && t != jSuperV2 {
		return nil, fmt.Errorf("journal superblock of type %d", t)
	}
	j := &jsuper{
		BlockSize: be.Uint32(b[0xC:]),
		MaxLen:    be.Uint32(b[0x10:]),
		First:     be.Uint32(b[0x14:]),
		Sequence:  be.Uint32(b[0x18:]),
		Start:     be.Uint32(b[0x1C:]),
	}
	if t == jSuperV2 {
		j.Incompat = be.Uint32(b[0x28:])
	}
	if j.MaxLen > maxJournalBlocks || j.First == 0 || j.First >= j.MaxLen {
		return nil, fmt.Errorf("journal superblock: length %d, first block %d", j.MaxLen, j.First)
	}
	return j, nil
}

// tagSize is the size of one block tag in a descriptor block.
func (j *jsuper) tagSize() int {
	if j.Incompat&jIncompatCsumV3 != 0 {
		return 16
	}
	sz := 12
	if j.Incompat&jIncompatCsumV2 != 0 {
		sz += 2
	}
	if j.Incompat&jIncompat64Bit == 0 {
		sz -= 4
	}
	return sz
}

// jtag is one entry of a descriptor block.
type jtag struct {
	Block uint64
	Flags uint32
}

// parseDescriptor calls fn for every tag of a descriptor block.
func (j *jsuper) parseDescriptor(b []byte, fn func(t jtag)) {
	end := len(b)
	if j.Incompat&(jIncompatCsumV2|jIncompatCsumV3) != 0 {
		end -= 4 // jbd2_journal_block_tail
	}
	ts := j.tagSize()
	for off := 12; off+ts <= end; {
		t := jtag{Block: uint64(be.Uint32(b[off:]))}
		if j.Incompat&jIncompatCsumV3 != 0 {
			t.Flags = be.Uint32(b[off+4:])
			if j.Incompat&jIncompat64Bit != 0 {
				t.Block |= uint64(be.Uint32(b[off+8:])) << 32
			}
		} else {
			t.Flags = uint32(be.Uint16(b[off+6:]))
			if j.Incompat&jIncompat64Bit != 0 {
				t.Block |= uint64(be.Uint32(b[off+8:])) << 32
			}
		}
		fn(t)
		off += ts
		if t.Flags&jTagSameUUID == 0 {
			off += 16
		}
		if t.Flags&jTagLast != 0 {
			return
		}
	}
}

// parseRevoke calls fn for every block number a revoke block lists.
func (j *jsuper) parseRevoke(b []byte, fn func(blk uint64)) {
	if len(b) < 16 {
		return
	}
	count := int(be.Uint32(b[12:]))
	if count > len(b) {
		count = len(b)
	}
	rs := 4
	if j.Incompat&jIncompat64Bit != 0 {
		rs = 8
	}
	for off := 16; off+rs <= count; off += rs {
		if rs == 8 {
			fn(be.Uint64(b[off:]))
		} else {
			fn(uint64(be.Uint32(b[off:])))
		}
	}
}

// journalCopy is an older state of an inode found in the journal.
type journalCopy struct {
	Ino     uint32
	Trans   uint32
	FSBlock uint64 // the file system block the copy is of
	Off     int64  // byte offset of the copy in the volume
	In      inode
	Alloc   bool
}

// journal reads the internal journal: it returns the older inode states to
// emit and notes the inodes whose mtime went backwards (p.backwards).
func (p *parser) journal(ctx context.Context) ([]journalCopy, error) {
	f := p.f
	p.backwards = map[uint32]bool{}
	if f.sb.FeatureCompat&compatHasJournal == 0 || f.sb.JournalInum == 0 || f.sb.JournalInum > f.sb.InodesCount {
		return nil, nil
	}
	jino := f.sb.JournalInum
	off := f.inodeOffset(jino)
	if off < 0 {
		return nil, nil
	}
	raw := make([]byte, f.sb.InodeSize)
	if _, err := f.r.ReadAt(raw, off); err != nil {
		p.warnf("journal inode %d at offset %d unreadable: %v", jino, off, err)
		return nil, nil
	}
	var jin inode
	decodeInode(raw, &jin, false)
	nblk := jin.Size / uint64(f.bs)
	if nblk > maxJournalBlocks {
		p.warnf("journal inode %d (at offset %d) claims %d bytes; reading the first %d blocks", jino, off, jin.Size, maxJournalBlocks)
		nblk = maxJournalBlocks
	}
	if nblk < 2 {
		return nil, nil
	}
	phys := make([]uint64, nblk)
	m := mapper{fs: f}
	if err := m.walk(&jin, nblk, func(logical, ph, count uint64) bool {
		for i := uint64(0); i < count; i++ {
			phys[logical+i] = ph + i
		}
		return true
	}); err != nil {
		p.warnf("journal inode %d (at offset %d): %v", jino, off, err)
	}
	return p.scanJournal(ctx, phys)
}

// scanJournal walks every block of the journal and collects inode copies
// whose times differ from the inode's current times.
func (p *parser) scanJournal(ctx context.Context, phys []uint64) ([]journalCopy, error) {
	f := p.f
	blk := make([]byte, f.bs)
	data := make([]byte, f.bs)
	if phys[0] == 0 || f.readBlock(phys[0], blk) != nil {
		p.warnf("journal superblock unreadable")
		return nil, nil
	}
	js, err := parseJournalSuper(blk)
	if err != nil {
		p.warnf("journal at block %d: %v", phys[0], err)
		return nil, nil
	}
	if int(js.BlockSize) != f.bs {
		p.warnf("journal block size %d differs from the file system's %d; journal not read", js.BlockSize, f.bs)
		return nil, nil
	}
	maxLen := uint64(js.MaxLen)
	if maxLen > uint64(len(phys)) {
		maxLen = uint64(len(phys))
	}
	// transactions from js.Sequence on are newer than the inode tables
	// when the log is to be replayed
	replay := f.sb.FeatureIncompat&incompatRecover != 0 && js.Start != 0
	committed := map[uint32]bool{}
	revoked := map[uint64]uint32{} // block -> highest revoking transaction
	var copies []journalCopy
	type pendingCopy struct {
		fsBlock uint64
		jblock  uint64
		trans   uint32
		escaped bool
	}
	var pend []pendingCopy
	isz := int(f.sb.InodeSize)
	for lb := uint64(js.First); lb < maxLen; lb++ {
		if lb&1023 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if phys[lb] == 0 || f.readBlock(phys[lb], blk) != nil {
			continue
		}
		if be.Uint32(blk) != jMagic {
			continue
		}
		seq := be.Uint32(blk[8:])
		switch be.Uint32(blk[4:]) {
		case jDescriptor:
			next := lb
			js.parseDescriptor(blk, func(t jtag) {
				next++
				if next >= maxLen {
					next = uint64(js.First)
				}
				if p.inodeTableBlock(t.Block) {
					pend = append(pend, pendingCopy{t.Block, next, seq, t.Flags&jTagEscape != 0})
				}
			})
		case jCommit:
			committed[seq] = true
		case jRevoke:
			js.parseRevoke(blk, func(b uint64) {
				if s, ok := revoked[b]; !ok || seq > s {
					revoked[b] = seq
				}
			})
		}
	}
	cur := make([]byte, isz)
	var in, now inode
	largeDirs := f.sb.FeatureIncompat&incompatLargeDir != 0
	for _, pc := range pend {
		if phys[pc.jblock] == 0 || f.readBlock(phys[pc.jblock], data) != nil {
			continue
		}
		if pc.escaped {
			be.PutUint32(data, jMagic)
		}
		_, first := p.tableInodes(pc.fsBlock)
		for i := 0; i+isz <= len(data); i += isz {
			ino := first + uint32(i/isz)
			if ino == 0 || ino > f.sb.InodesCount {
				continue
			}
			rawCopy := data[i : i+isz]
			if allZero(rawCopy[:0x80]) {
				continue
			}
			decodeInode(rawCopy, &in, largeDirs)
			off := f.inodeOffset(ino)
			if _, err := f.r.ReadAt(cur, off); err != nil {
				continue
			}
			decodeInode(cur, &now, largeDirs)
			if in.Atime == now.Atime && in.Mtime == now.Mtime && in.Ctime == now.Ctime && in.Crtime == now.Crtime {
				continue
			}
			pending := replay && int32(pc.trans-js.Sequence) >= 0 // jbd2's tid_geq
			if committed[pc.trans] && !pending && mtimeWentBack(&in, &now) {
				p.backwards[ino] = true
			}
			c := journalCopy{Ino: ino, Trans: pc.trans, FSBlock: pc.fsBlock, Off: int64(phys[pc.jblock])*int64(f.bs) + int64(i), In: in, Alloc: f.alloc.has(ino)}
			copies = append(copies, c)
		}
	}
	p.jCommitted, p.jRevoked = committed, revoked
	return copies, nil
}

// mtimeWentBack reports whether a journal copy (old) of an inode, from a
// committed transaction already written to its place, is of the same file
// as now (same i_generation, file type and size) and has a later mtime: the
// mtime was set back since (rule 3). The same size keeps out writes that
// changed the content; a copy of an earlier file with this inode number has
// another generation.
func mtimeWentBack(old, now *inode) bool {
	return old.Gen == now.Gen && old.Mode&sIFMT == now.Mode&sIFMT && old.Size == now.Size &&
		!now.Mtime.zero() && before(now.Mtime, old.Mtime)
}

// inodeTableBlock reports whether fs block b lies in some group's inode table.
func (p *parser) inodeTableBlock(b uint64) bool {
	g, _ := p.tableInodes(b)
	return g >= 0
}

// tableInodes returns the group whose inode table holds block b and the
// number of the first inode in that block, or -1.
func (p *parser) tableInodes(b uint64) (int, uint32) {
	f := p.f
	if p.tables == nil {
		per := uint64(f.sb.InodesPerGroup) * uint64(f.sb.InodeSize)
		n := (per + uint64(f.bs) - 1) / uint64(f.bs)
		for gi, g := range f.groups {
			if g.descriptorBad {
				continue
			}
			p.tables = append(p.tables, tableRange{g.InodeTable, g.InodeTable + n, gi})
		}
		sort.Slice(p.tables, func(i, j int) bool { return p.tables[i].start < p.tables[j].start })
	}
	i := sort.Search(len(p.tables), func(i int) bool { return p.tables[i].end > b })
	if i == len(p.tables) || b < p.tables[i].start {
		return -1, 0
	}
	t := p.tables[i]
	perBlock := uint64(f.bs) / uint64(f.sb.InodeSize)
	first := uint64(t.group)*uint64(f.sb.InodesPerGroup) + (b-t.start)*perBlock + 1
	if first > uint64(f.sb.InodesCount) {
		return -1, 0
	}
	return t.group, uint32(first)
}

type tableRange struct {
	start, end uint64
	group      int
}

// emitJournal emits, for each inode, the times of its journal copies that
// differ from its current times, once per distinct value (earliest
// transaction first).
func (p *parser) emitJournal(copies []journalCopy) error {
	sort.SliceStable(copies, func(i, j int) bool {
		if copies[i].Ino != copies[j].Ino {
			return copies[i].Ino < copies[j].Ino
		}
		return copies[i].Trans < copies[j].Trans
	})
	f, em := p.f, p.em
	largeDirs := f.sb.FeatureIncompat&incompatLargeDir != 0
	cur := make([]byte, f.sb.InodeSize)
	seen := map[[2]int64]bool{}
	var now inode
	for i := 0; i < len(copies); {
		ino := copies[i].Ino
		j := i
		for j < len(copies) && copies[j].Ino == ino {
			j++
		}
		if _, err := f.r.ReadAt(cur, f.inodeOffset(ino)); err != nil {
			i = j
			continue
		}
		decodeInode(cur, &now, largeDirs)
		nv := p.nameOf(ino)
		clear(seen)
		for _, c := range copies[i:j] {
			in := c.In
			// keep only the times that differ from now and were not already
			// emitted from an earlier transaction
			keep := func(t *timestamp, cur timestamp, code int64) {
				if *t == cur || seen[[2]int64{code, t.unixNano()}] {
					*t = timestamp{}
					return
				}
				seen[[2]int64{code, t.unixNano()}] = true
			}
			keep(&in.Atime, now.Atime, 0)
			keep(&in.Mtime, now.Mtime, 1)
			keep(&in.Ctime, now.Ctime, 2)
			keep(&in.Crtime, now.Crtime, 3)
			in.Dtime = 0
			if !hasTime(&in) {
				continue
			}
			v := nv
			v.Journal = int64(c.Trans)
			v.Tags = "journal-copy"
			if t := p.stomped[ino]; t != "" {
				// the inode's rule tags, never untrusted: the copy's times
				// are an older state, not the contradicted ones
				v.Tags += "," + t
			}
			if in.Gen != now.Gen || in.Mode&sIFMT != now.Mode&sIFMT {
				// the copy is of an earlier file that had this inode number
				v.Tags += ",inode-reused"
			}
			if !p.jCommitted[c.Trans] {
				v.Tags += ",uncommitted"
			}
			if s, ok := p.jRevoked[c.FSBlock]; ok && s >= c.Trans {
				v.Tags += ",revoked"
			}
			if err := em.emitInode(ino, &in, c.Alloc, &v, nil, c.Off); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// nameOf returns the inode's first name for journal events.
func (p *parser) nameOf(ino uint32) nameView {
	w := p.w
	k := sort.Search(len(w.names), func(i int) bool { return w.names[i].Ino >= ino })
	num := strconv.FormatUint(uint64(ino), 10)
	if k < len(w.names) && w.names[k].Ino == ino {
		n := &w.names[k]
		d := &w.paths[n.Dir]
		return nameView{TSK: d.TSK + "/" + tskClean(n.Name), Real: d.Real + "/" + n.Name, Type: nameTypeLetter(n.Type, w.v2), Deleted: n.Deleted}
	}
	if ino == rootIno {
		r := w.paths[0].Real
		if r == "" {
			r = "/"
		}
		return nameView{TSK: "/", Real: r, Type: 'd'}
	}
	if !p.f.alloc.has(ino) {
		return nameView{TSK: "/$OrphanFiles/OrphanFile-" + num, Real: "<deleted inode " + num + ">", Type: '-', Deleted: true}
	}
	return nameView{TSK: "<inode " + num + ">", Real: "<inode " + num + ">", Type: '-'}
}

// bstr views b as a string without copying; b must not change while the
// string is in use.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
