package ext4

import (
	"cmp"
	"context"
	"slices"
	"strconv"
)

const (
	rootIno = 2

	maxDepth    = 128  // the Sleuth Kit's MAX_DEPTH
	maxPathLen  = 4096 // the Sleuth Kit's DIR_STRSZ
	maxVisits   = 16   // a directory reached through more names than this is a loop or corruption
	maxDirBytes = 1 << 30
)

// nameRec is one directory entry that names an inode.
type nameRec struct {
	Ino     uint32
	Dir     int32 // parent in walker.paths
	Name    string
	Type    uint8 // file_type of the entry (0: unknown)
	Deleted bool
	Off     int64 // byte offset of the entry in the volume
}

// dirPath is a directory's path as the Sleuth Kit prints it (control
// characters as '^', no mount prefix) and as Kiseki records it.
type dirPath struct {
	TSK  string
	Real string
}

// walker builds the name list from the directory tree.
type walker struct {
	f        *fsys
	v2       bool
	names    []nameRec
	paths    []dirPath
	named    bitset
	visits   map[uint32]uint16
	stack    []uint32
	m        mapper
	blk      []byte
	dedup    map[dedupKey]int
	pending  []nameRec
	orphans  bitset         // top-level orphan inodes (unallocated, used, unnamed)
	sib      []siblingCount // per paths index: the listed directory's names
	sub      bitset         // inodes reachable from an orphan directory
	warnedTo map[uint32]bool
}

type dedupKey struct {
	name string
	ino  uint32
}

func newWalker(f *fsys, mount string) *walker {
	w := &walker{
		f:        f,
		v2:       f.sb.FeatureIncompat&incompatFiletype != 0,
		named:    newBitset(uint64(f.sb.InodesCount) + 1),
		visits:   map[uint32]uint16{},
		m:        mapper{fs: f},
		blk:      make([]byte, f.bs),
		dedup:    map[dedupKey]int{},
		warnedTo: map[uint32]bool{},
	}
	w.paths = append(w.paths, dirPath{TSK: "", Real: mount})
	return w
}

func (f *fsys) isDir(ino uint32) (*dirInfo, bool) {
	i, ok := f.dirs[ino]
	if !ok {
		return nil, false
	}
	return &f.dirRec[i], true
}

// readDir calls fn for every entry of directory ino, live or recovered.
func (w *walker) readDir(ino uint32, deleted bool, fn func(e *dirent, off int64)) {
	d, ok := w.f.isDir(ino)
	if !ok {
		return
	}
	f := w.f
	last := f.sb.InodesCount
	if d.Flags&flagInline != 0 {
		// inline directory: i_block holds the parent (4 bytes) then entries
		base := f.inodeOffset(ino)
		parseDirBlock(d.Block[4:], last, w.v2, deleted, func(e *dirent) { fn(e, base+0x28+4+int64(e.Off)) })
		if len(d.InlineMore) > 0 {
			parseDirBlock(d.InlineMore, last, w.v2, deleted, func(e *dirent) { fn(e, base+int64(d.InlineMoreOff)+int64(e.Off)) })
		}
		return
	}
	size := d.Size
	if size > maxDirBytes {
		f.warnf("directory inode %d (at offset %d) claims %d bytes; reading the first %d", ino, f.inodeOffset(ino), size, maxDirBytes)
		size = maxDirBytes
	}
	limit := (size + uint64(f.bs) - 1) / uint64(f.bs)
	var in inode
	in.Flags = d.Flags
	in.Block = d.Block
	indexed := d.Flags&flagIndex != 0
	err := w.m.walk(&in, limit, func(logical, phys, count uint64) bool {
		for i := uint64(0); i < count; i++ {
			if err := f.readBlock(phys+i, w.blk); err != nil {
				f.warnf("directory inode %d: %v", ino, err)
				return false
			}
			b := w.blk
			if !deleted && !(indexed && logical+i > 0 && htreeInterior(b)) {
				if at, ok := recChain(b); !ok {
					f.warnf("directory inode %d: block %d at offset %d is corrupt (entry chain breaks at +%d); entries recovered by scanning", ino, phys+i, int64(phys+i)*int64(f.bs), at)
				}
			}
			if indexed {
				if logical+i == 0 {
					b = b[:htreeRootEnd(b)]
				} else if htreeInterior(b) {
					continue
				}
			}
			base := int64(phys+i) * int64(f.bs)
			parseDirBlock(b, last, w.v2, deleted, func(e *dirent) { fn(e, base+int64(e.Off)) })
		}
		return true
	})
	if err != nil && !deleted {
		f.warnf("directory inode %d (inode at offset %d): %v", ino, f.inodeOffset(ino), err)
	}
}

// walkDir lists directory ino (whose own inode is unallocated when deleted)
// under paths[pathIdx] and recurses the way the Sleuth Kit's dir walk does.
func (w *walker) walkDir(ctx context.Context, ino uint32, deleted bool, pathIdx int32, record bool) {
	if ctx.Err() != nil {
		return
	}
	if len(w.stack) >= maxDepth {
		w.f.warnf("directory inode %d at %q: deeper than %d levels, not descended", ino, w.paths[pathIdx].Real, maxDepth)
		return
	}
	w.visits[ino]++
	if w.visits[ino] > maxVisits {
		if !w.warnedTo[ino] {
			w.warnedTo[ino] = true
			w.f.warnf("directory inode %d (at offset %d) is reached through more than %d names: loop or corruption, not descended again", ino, w.f.inodeOffset(ino), maxVisits)
		}
		return
	}
	w.stack = append(w.stack, ino)
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()

	// Collect this directory's names, de-duplicated on (name, inode) with a
	// live entry winning over a deleted one, as the Sleuth Kit does.
	clear(w.dedup)
	start := len(w.pending)
	w.readDir(ino, deleted, func(e *dirent, off int64) {
		if isDot(e.Name) {
			return
		}
		k := dedupKey{string(e.Name), e.Inode}
		if i, ok := w.dedup[k]; ok {
			if w.pending[i].Deleted && !e.Deleted {
				w.pending[i].Deleted, w.pending[i].Off, w.pending[i].Type = false, off, e.Type
			}
			return
		}
		w.dedup[k] = len(w.pending)
		w.pending = append(w.pending, nameRec{Ino: e.Inode, Dir: pathIdx, Name: k.name, Type: e.Type, Deleted: e.Deleted, Off: off})
	})
	entries := w.pending[start:]
	if record {
		w.countSiblings(pathIdx, entries)
		for _, n := range entries {
			w.names = append(w.names, n)
			if n.Ino != 0 {
				w.named.set(n.Ino)
			}
		}
	} else {
		for _, n := range entries {
			if n.Ino != 0 {
				w.sub.set(n.Ino)
			}
		}
	}
	// Recurse: the entry names a directory (or has no type), the inode is a
	// directory, and the entry is live or both entry and inode are deleted.
	for i := start; i < len(w.pending); i++ {
		n := w.pending[i]
		if n.Ino == 0 || !(n.Type == 2 || n.Type == 0 || n.Type > 7) {
			continue
		}
		if _, ok := w.f.isDir(n.Ino); !ok {
			if n.Type == 2 && !n.Deleted && w.f.alloc.has(n.Ino) {
				w.f.warnf("entry %q at offset %d names directory inode %d, but the inode is not a directory (corrupt inode or entry)", w.paths[pathIdx].Real+"/"+n.Name, n.Off, n.Ino)
			}
			continue
		}
		childDeleted := !w.f.alloc.has(n.Ino)
		if n.Deleted && !childDeleted {
			continue
		}
		if w.onStack(n.Ino) {
			w.f.warnf("directory loop: %q (inode %d, entry at offset %d) points back at a parent", w.paths[pathIdx].Real+"/"+n.Name, n.Ino, n.Off)
			continue
		}
		parent := w.paths[pathIdx]
		if len(parent.TSK)+len(n.Name) >= maxPathLen {
			w.f.warnf("path of directory inode %d longer than %d bytes, not descended", n.Ino, maxPathLen)
			continue
		}
		w.paths = append(w.paths, dirPath{TSK: parent.TSK + "/" + tskClean(n.Name), Real: parent.Real + "/" + n.Name})
		w.walkDir(ctx, n.Ino, childDeleted, int32(len(w.paths)-1), record)
	}
	w.pending = w.pending[:start]
}

func (w *walker) onStack(ino uint32) bool {
	for _, s := range w.stack {
		if s == ino {
			return true
		}
	}
	return false
}

// findOrphans picks the unallocated, used inodes that no name reaches, drops
// those reachable from another orphan directory, and lists the contents of
// the remaining orphan directories under "<deleted inode N>".
func (w *walker) findOrphans(ctx context.Context) {
	f := w.f
	n := f.sb.InodesCount
	w.orphans = newBitset(uint64(n) + 1)
	w.sub = newBitset(uint64(n) + 1)
	var cands []uint32
	for ino := uint32(1); ino <= n && ino != 0; ino++ {
		if !f.alloc.has(ino) && f.used.has(ino) && !w.named.has(ino) {
			cands = append(cands, ino)
		}
	}
	for _, ino := range cands {
		if _, ok := f.isDir(ino); ok && !w.sub.has(ino) {
			w.stack = w.stack[:0]
			w.walkDir(ctx, ino, true, 0, false)
		}
	}
	clear(w.visits)
	for _, ino := range cands {
		if w.sub.has(ino) {
			continue
		}
		w.orphans.set(ino)
		if _, ok := f.isDir(ino); ok {
			num := strconv.FormatUint(uint64(ino), 10)
			w.paths = append(w.paths, dirPath{TSK: "/$OrphanFiles/OrphanFile-" + num, Real: "<deleted inode " + num + ">"})
			w.stack = w.stack[:0]
			w.walkDir(ctx, ino, true, int32(len(w.paths)-1), true)
		}
	}
}

// byInode sorts the name list by inode number for the emitting pass.
func (w *walker) byInode() {
	slices.SortFunc(w.names, func(a, b nameRec) int {
		if c := cmp.Compare(a.Ino, b.Ino); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Dir, b.Dir); c != 0 {
			return c
		}
		return cmp.Compare(a.Off, b.Off)
	})
}

// tskClean replaces control characters the way the Sleuth Kit prints names.
func tskClean(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] < 0x20 {
					b[j] = '^'
				}
			}
			return string(b)
		}
	}
	return s
}
