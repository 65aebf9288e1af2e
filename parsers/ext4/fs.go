package ext4

import (
	"context"
	"fmt"
	"io"
)

// fsys is an opened ext2/3/4 file system.
type fsys struct {
	r      io.ReaderAt
	size   int64
	sb     *superblock
	bs     int
	groups []group
	warnf  func(format string, args ...any)

	alloc bitset // inode allocated per the bitmaps
	used  bitset // i_ctime != 0 (the Sleuth Kit's "used")
	// mtimeNs: the inode's mtime has nanoseconds (the timestomp sibling
	// rule): one bit per inode, set in the first pass
	mtimeNs bitset
	dirs    map[uint32]int32
	dirRec  []dirInfo

	scanned bool // scanInodes ran once: its warnings are not repeated
}

// dirInfo is what the directory walk needs about a directory inode.
type dirInfo struct {
	Flags uint32
	Size  uint64
	Block [60]byte
	// Inline directories: entries past i_block, from the system.data
	// attribute, and that value's offset inside the inode.
	InlineMore    []byte
	InlineMoreOff int
}

type bitset []uint64

func newBitset(n uint64) bitset    { return make(bitset, (n+64)/64) }
func (b bitset) set(i uint32)      { b[i>>6] |= 1 << (i & 63) }
func (b bitset) has(i uint32) bool { return int(i>>6) < len(b) && b[i>>6]&(1<<(i&63)) != 0 }

// open reads the superblock and the group descriptors.
func open(r io.ReaderAt, size int64, warnf func(string, ...any)) (*fsys, error) {
	buf := make([]byte, superSize)
	if _, err := r.ReadAt(buf, superOffset); err != nil {
		return nil, fmt.Errorf("ext4: reading superblock at offset %d: %w", superOffset, err)
	}
	sb, err := parseSuperblock(buf)
	if err != nil {
		return nil, err
	}
	f := &fsys{r: r, size: size, sb: sb, bs: int(sb.BlockSize), warnf: warnf}
	if size > 0 && int64(sb.BlocksCount)*int64(sb.BlockSize) > size {
		warnf("image truncated: the file system claims %d bytes (%d blocks) but the volume ends at offset %d; reading what is there",
			int64(sb.BlocksCount)*int64(sb.BlockSize), sb.BlocksCount, size)
	}
	f.groups = readGroups(r, size, sb, warnf)
	if len(f.groups) == 0 {
		return nil, fmt.Errorf("ext4: no readable group descriptor")
	}
	// Walk only the inodes the groups that were read can hold.
	if most := uint64(len(f.groups)) * uint64(sb.InodesPerGroup); uint64(sb.InodesCount) > most {
		warnf("the superblock claims %d inodes, the %d groups read hold %d: reading those", sb.InodesCount, len(f.groups), most)
		sb.InodesCount = uint32(most)
	}
	return f, nil
}

// readBlock reads file system block n into b (len(b) == block size).
func (f *fsys) readBlock(n uint64, b []byte) error {
	if n >= f.sb.BlocksCount {
		return fmt.Errorf("block %d past the end of the file system", n)
	}
	off := int64(n) * int64(f.bs)
	if _, err := f.r.ReadAt(b, off); err != nil {
		return fmt.Errorf("reading block %d at offset %d: %w", n, off, err)
	}
	return nil
}

// checksummedGroups reports whether group descriptor flags are meaningful.
func (f *fsys) checksummedGroups() bool {
	return f.sb.FeatureRoCompat&(roCompatGDTCsum|roCompatMetaCsum) != 0
}

// inodeOffset returns the byte offset of inode ino, or -1.
func (f *fsys) inodeOffset(ino uint32) int64 {
	if ino == 0 || ino > f.sb.InodesCount {
		return -1
	}
	g := (ino - 1) / f.sb.InodesPerGroup
	if int(g) >= len(f.groups) || f.groups[g].descriptorBad {
		return -1
	}
	idx := (ino - 1) % f.sb.InodesPerGroup
	return int64(f.groups[g].InodeTable)*int64(f.bs) + int64(idx)*int64(f.sb.InodeSize)
}

// inodeVisitor receives every inode of the file system in order. raw is the
// on-disk inode (valid during the call), off its byte offset.
type inodeVisitor func(ino uint32, raw []byte, off int64, allocated bool) error

// scanChunk is how many bytes of an inode table are read at once.
const scanChunk = 1 << 20

// scanInodes visits every inode of every group, allocated or not, in inode
// number order. Unreadable tables or bitmaps are reported and skipped.
func (f *fsys) scanInodes(ctx context.Context, buf []byte, visit inodeVisitor) error {
	sb := f.sb
	isz := int(sb.InodeSize)
	ipg := sb.InodesPerGroup
	bitmap := make([]byte, f.bs)
	zero := make([]byte, isz)
	perChunk := len(buf) / isz
	skipped := 0
	// Problems are reported on the first scan only; later scans see the same.
	warnf := f.warnf
	if f.scanned {
		warnf = func(string, ...any) {}
	}
	defer func() { f.scanned = true }()
	for gi := range f.groups {
		if err := ctx.Err(); err != nil {
			return err
		}
		g := &f.groups[gi]
		first := uint32(gi)*ipg + 1
		count := ipg
		if first > sb.InodesCount {
			break
		}
		if uint64(first)+uint64(count)-1 > uint64(sb.InodesCount) {
			count = sb.InodesCount - first + 1
		}
		uninit := f.checksummedGroups() && g.Flags&bgInodeUninit != 0
		tableOK := !uninit && !g.descriptorBad && g.InodeTable < sb.BlocksCount
		if !tableOK && !uninit && !g.descriptorBad {
			warnf("group %d: inode table at block %d is past the end of the file system (descriptor at offset %d)", gi, g.InodeTable, g.DescOffset)
		}
		base := int64(g.InodeTable) * int64(f.bs)
		if tableOK && f.size > 0 && base >= f.size {
			// The whole table is past the end of a truncated volume: its
			// inodes cannot be read, so they are not visited (names that
			// point at them are still emitted, without metadata).
			if skipped++; skipped == 1 {
				warnf("group %d: inode table at offset %d is past the end of the volume (truncated image); this and later such groups are skipped", gi, base)
			}
			continue
		}
		haveBitmap := false
		if !uninit && !g.descriptorBad {
			if err := f.readBlock(g.InodeBitmap, bitmap); err != nil {
				warnf("group %d: inode bitmap unreadable (descriptor at offset %d): %v; its inodes are taken as unallocated", gi, g.DescOffset, err)
			} else {
				haveBitmap = true
			}
		}
		for start := uint32(0); start < count; start += uint32(perChunk) {
			n := count - start
			if n > uint32(perChunk) {
				n = uint32(perChunk)
			}
			chunk := buf[:int(n)*isz]
			readOK := false
			if tableOK {
				off := base + int64(start)*int64(isz)
				got, err := f.r.ReadAt(chunk, off)
				if err != nil && got < len(chunk) {
					warnf("group %d: inode table unreadable at offset %d (%d of %d bytes): %v", gi, off+int64(got), got, len(chunk), err)
					for i := got; i < len(chunk); i++ {
						chunk[i] = 0
					}
					readOK = got > 0
					tableOK = false // the rest of this table is past the end too
				} else {
					readOK = true
				}
			}
			for i := uint32(0); i < n; i++ {
				idx := start + i
				ino := first + idx
				raw := zero
				if readOK {
					raw = chunk[int(i)*isz : int(i+1)*isz]
				}
				allocated := haveBitmap && bitmap[idx>>3]&(1<<(idx&7)) != 0
				if err := visit(ino, raw, base+int64(idx)*int64(isz), allocated); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
