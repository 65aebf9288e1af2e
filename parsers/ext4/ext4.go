package ext4

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func init() {
	parsers.RegisterFileSystem(&parsers.FileSystem{Name: "ext4", Detect: Detect, Parse: Parse, Files: Files,
		Sources: []parsers.Source{{Name: sourceFS, Class: parsers.ClassFS}, {Name: sourceJournal, Class: parsers.ClassFS}}})
}

// Detect reports whether r holds an ext2, ext3 or ext4 superblock.
func Detect(r io.ReaderAt, size int64) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	buf := make([]byte, superSize)
	if _, err := r.ReadAt(buf, superOffset); err != nil {
		return false
	}
	_, err := parseSuperblock(buf)
	return err == nil
}

// Parse reads the file system on vol and emits its events: one per nonzero
// inode time under every name of the inode, and the journal's older copies.
// A panic inside the walk is recovered and returned as an error naming the
// volume.
func Parse(ctx context.Context, vol *parsers.Volume, sink timeline.Sink) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: ext4: internal error while reading the file system: %v", vol.RefPath, r)
		}
	}()
	in := vol.Input
	if in == nil {
		in = &parsers.Input{}
	}
	warnf := func(format string, args ...any) {
		in.Problem(parsers.Problem{Name: vol.RefPath, Offset: -1, Kind: "ext4", Err: fmt.Errorf(format, args...)})
	}
	p := &parser{vol: vol, in: in, warnf: warnf}
	return p.run(ctx, sink)
}

type parser struct {
	vol        *parsers.Volume
	in         *parsers.Input
	warnf      func(string, ...any)
	f          *fsys
	w          *walker
	em         *emitter
	tables     []tableRange
	jCommitted map[uint32]bool
	jRevoked   map[uint64]uint32
	backwards  map[uint32]bool   // inodes whose journal shows a later mtime (rule 3)
	stomped    map[uint32]string // rule tags of the inodes a rule fired on
	// Stats for tests and benchmarks.
	inodes, events int
	csumBad        int
}

// countingSink counts events passed through.
type countingSink struct {
	timeline.Sink
	n *int
}

func (c countingSink) Emit(ev *timeline.Event) error { *c.n++; return c.Sink.Emit(ev) }

func (p *parser) run(ctx context.Context, sink timeline.Sink) error {
	f, err := open(p.vol.R, p.vol.Size, p.warnf)
	if err != nil {
		return fmt.Errorf("%s: %w", p.vol.RefPath, err)
	}
	p.f = f
	mount := strings.TrimRight(p.in.Options["mount"], "/")
	p.em = &emitter{sink: countingSink{sink, &p.events}, refPath: p.vol.RefPath, evid: p.in.Evidence, host: p.in.Host}

	buf := make([]byte, scanChunk-scanChunk%int(f.sb.InodeSize))
	if err := p.scanMeta(ctx, buf); err != nil {
		return err
	}
	w := newWalker(f, mount)
	p.w = w
	w.walkDir(ctx, rootIno, !f.alloc.has(rootIno), 0, true)
	w.findOrphans(ctx)
	w.byInode()
	if err := ctx.Err(); err != nil {
		return err
	}
	// The journal is read before the inodes are emitted: its older copies
	// feed the mtime-backwards rule. Its events come after the inodes'.
	copies, err := p.journal(ctx)
	if err != nil {
		return err
	}
	if err := p.emitAll(ctx, buf, mount); err != nil {
		return err
	}
	return p.emitJournal(copies)
}

// scanMeta is the first pass: allocation and "used" bits, and the block maps
// of directories for the walk.
func (p *parser) scanMeta(ctx context.Context, buf []byte) error {
	f := p.f
	n := uint64(f.sb.InodesCount) + 1
	f.alloc, f.used, f.mtimeNs = newBitset(n), newBitset(n), newBitset(n)
	f.dirs = map[uint32]int32{}
	return f.scanInodes(ctx, buf, func(ino uint32, raw []byte, off int64, allocated bool) error {
		if allocated {
			f.alloc.set(ino)
		}
		if le.Uint32(raw[0x0C:]) != 0 {
			f.used.set(ino)
			if hasMtimeNs(raw) {
				f.mtimeNs.set(ino)
			}
		}
		mode := le.Uint16(raw[0:])
		if mode&sIFMT == sIFDIR {
			d := dirInfo{Flags: le.Uint32(raw[0x20:]), Size: uint64(le.Uint32(raw[0x4:]))}
			if f.sb.FeatureIncompat&incompatLargeDir != 0 {
				d.Size |= uint64(le.Uint32(raw[0x6C:])) << 32
			}
			copy(d.Block[:], raw[0x28:0x28+60])
			if d.Flags&flagInline != 0 {
				if v, at := inlineDataXattr(raw); len(v) > 0 {
					d.InlineMore, d.InlineMoreOff = bytes.Clone(v), at
				}
			}
			f.dirs[ino] = int32(len(f.dirRec))
			f.dirRec = append(f.dirRec, d)
		}
		return nil
	})
}

// emitAll is the second pass: every inode with its names.
func (p *parser) emitAll(ctx context.Context, buf []byte, mount string) error {
	f, w, em := p.f, p.w, p.em
	v2 := w.v2
	p.stomped = map[uint32]string{}
	largeDirs := f.sb.FeatureIncompat&incompatLargeDir != 0
	names := w.names
	k := 0
	// Entries whose inode field is 0 carry no metadata: the name alone.
	for ; k < len(names) && names[k].Ino == 0; k++ {
		n := &names[k]
		nv := nameView{TSK: w.paths[n.Dir].TSK + "/" + tskClean(n.Name), Real: w.paths[n.Dir].Real + "/" + n.Name,
			Type: nameTypeLetter(n.Type, v2), Deleted: true, Journal: -1}
		if err := em.emitInode(0, nil, false, &nv, nil, n.Off); err != nil {
			return err
		}
	}
	var in inode
	var tskb, realb []byte
	root := mount
	if root == "" {
		root = "/"
	}
	csum := f.sb.FeatureRoCompat&roCompatMetaCsum != 0
	err := f.scanInodes(ctx, buf, func(ino uint32, raw []byte, off int64, allocated bool) error {
		p.inodes++
		// names of inodes that were not visited (their table is past the
		// end of a truncated volume) come out without metadata
		for k < len(names) && names[k].Ino < ino {
			if err := p.emitUnread(&names[k]); err != nil {
				return err
			}
			k++
		}
		first := k
		for k < len(names) && names[k].Ino == ino {
			k++
		}
		mine := names[first:k]
		orphan := w.orphans.has(ino)
		if len(mine) == 0 && !orphan && ino != rootIno && neverUsed(raw) {
			return nil
		}
		decodeInode(raw, &in, largeDirs)
		link := p.symlink(&in)
		sv := p.judge(ino, &in, mine)
		if sv.tags != "" {
			p.stomped[ino] = sv.tags
		}
		tags := ""
		if csum && allocated && !inodeChecksum(f.sb.CsumSeed, ino, raw) {
			tags = "checksum-mismatch"
			if p.csumBad++; p.csumBad <= maxCsumWarnings {
				p.warnf("inode %d at offset %d: checksum mismatch (corrupt, or changed without updating the checksum)", ino, off)
			}
		}
		if len(mine) > 0 {
			for i := range mine {
				n := &mine[i]
				dir := &w.paths[n.Dir]
				tskb = append(append(append(tskb[:0], dir.TSK...), '/'), n.Name...)
				cleanInPlace(tskb[len(dir.TSK)+1:])
				realb = append(append(append(realb[:0], dir.Real...), '/'), n.Name...)
				nv := nameView{TSK: bstr(tskb), Real: bstr(realb), Type: nameTypeLetter(n.Type, v2), Deleted: n.Deleted, Journal: -1, Tags: tags, Stomp: sv}
				if err := em.emitInode(ino, &in, allocated, &nv, link, off); err != nil {
					return err
				}
			}
			return nil
		}
		num := strconv.FormatUint(uint64(ino), 10)
		var nv nameView
		switch {
		case ino == rootIno:
			nv = nameView{TSK: "/", Real: root, Type: 'd', Journal: -1}
		case !allocated:
			if !orphan && !hasTime(&in) {
				return nil // never used
			}
			nv = nameView{TSK: "/$OrphanFiles/OrphanFile-" + num, Real: "<deleted inode " + num + ">", Type: '-', Deleted: true, Journal: -1}
		default:
			if !hasTime(&in) {
				return nil
			}
			nv = nameView{TSK: "<inode " + num + ">", Real: "<inode " + num + ">", Type: '-', Journal: -1}
		}
		nv.Tags, nv.Stomp = tags, sv
		return em.emitInode(ino, &in, allocated, &nv, link, off)
	})
	for ; err == nil && k < len(names); k++ {
		err = p.emitUnread(&names[k])
	}
	if p.csumBad > maxCsumWarnings {
		p.warnf("%d inodes in all with a checksum mismatch (first %d reported)", p.csumBad, maxCsumWarnings)
	}
	return err
}

// maxCsumWarnings bounds per-inode checksum warnings on a damaged image.
const maxCsumWarnings = 100

// emitUnread emits a name whose inode could not be read: one "unknown"
// event without metadata, like an entry whose inode field is 0.
func (p *parser) emitUnread(n *nameRec) error {
	w := p.w
	nv := nameView{TSK: w.paths[n.Dir].TSK + "/" + tskClean(n.Name), Real: w.paths[n.Dir].Real + "/" + n.Name,
		Type: nameTypeLetter(n.Type, w.v2), Deleted: n.Deleted, Journal: -1, Tags: "inode-unreadable"}
	return p.em.emitInode(n.Ino, nil, false, &nv, nil, n.Off)
}

// neverUsed reports whether an inode has no mode, size, times or links
// (the first 32 bytes) and no extra times: nothing to emit without a name.
func neverUsed(raw []byte) bool {
	return allZero(raw[:0x20]) && (len(raw) < 0x98 || allZero(raw[0x84:0x98]))
}

// hasTime reports whether any of the inode's times is set.
func hasTime(in *inode) bool {
	return !in.Atime.zero() || !in.Mtime.zero() || !in.Ctime.zero() || in.HasCr && !in.Crtime.zero() || in.Dtime != 0
}

// symlink returns the target of a symbolic link the way the Sleuth Kit shows
// it: from i_block for short targets, from the first direct blocks for
// block-mapped ones; not for extent-mapped targets (the Sleuth Kit 4.11 does
// not print those either).
func (p *parser) symlink(in *inode) []byte {
	if in.Mode&sIFMT != sIFLNK || in.Flags&flagExtents != 0 || in.Flags&flagInline != 0 || in.Size >= 4096 {
		return nil
	}
	em := p.em
	em.link = em.link[:0]
	if in.Size < 60 {
		em.link = append(em.link, in.Block[:in.Size]...)
	} else {
		blk := make([]byte, p.f.bs)
		for i := 0; i < 12 && uint64(len(em.link)) < in.Size; i++ {
			ptr := uint64(le.Uint32(in.Block[4*i:]))
			if err := p.f.readBlock(ptr, blk); err != nil {
				break
			}
			n := in.Size - uint64(len(em.link))
			if n > uint64(len(blk)) {
				n = uint64(len(blk))
			}
			em.link = append(em.link, blk[:n]...)
		}
	}
	// the Sleuth Kit stops at a NUL and prints control characters as '^'
	for i, c := range em.link {
		if c == 0 {
			em.link = em.link[:i]
			break
		}
	}
	cleanInPlace(em.link)
	return em.link
}

func cleanInPlace(b []byte) {
	for i, c := range b {
		if c < 0x20 {
			b[i] = '^'
		}
	}
}
