package xfs

import (
	"context"
	"fmt"
	"io"
)

// fsys is an opened XFS file system.
type fsys struct {
	r     io.ReaderAt
	size  int64
	sb    *superblock
	warnf func(string, ...any)
}

// read reads len(b) bytes at off, naming what in the error.
func (f *fsys) read(b []byte, off int64, what string) error {
	if off < 0 || f.size > 0 && off+int64(len(b)) > f.size {
		return fmt.Errorf("%s at offset %d (%d bytes) lies outside the %d-byte volume", what, off, len(b), f.size)
	}
	if n, err := f.r.ReadAt(b, off); n < len(b) {
		return fmt.Errorf("reading %s at offset %d: %d of %d bytes: %v", what, off, n, len(b), err)
	}
	return nil
}

// inobt block header sizes: "IABT" (v4) and "IAB3" (v5, with CRC).
const (
	inobtHdrV4 = 16
	inobtHdrV5 = 56
	// chunkInodes is the number of inodes an inode B+tree record covers.
	chunkInodes = 64
	// maxInobtDepth bounds the inode B+tree's levels (real trees have few).
	maxInobtDepth = 8
	agiSector     = 2
)

// chunk is one inode B+tree record: 64 inodes from startIno.
type chunk struct {
	ag       uint32
	startIno uint32 // AG-relative
	holes    uint16 // sparse inodes: bit i set = inodes 4i..4i+3 are not there
	free     uint64 // bit i set = inode i free
}

// chunks lists the inode chunks of every allocation group, in order.
func (f *fsys) chunks(ctx context.Context) []chunk {
	var out []chunk
	s := f.sb
	agi := make([]byte, s.sectSize)
	for ag := uint32(0); ag < s.agCount; ag++ {
		if ctx.Err() != nil {
			return out
		}
		agStart := int64(ag) * int64(s.agBlocks) * s.blockSize
		off := agStart + agiSector*s.sectSize
		if err := f.read(agi, off, "AGI"); err != nil {
			f.warnf("allocation group %d: %v; its inodes are not read", ag, err)
			continue
		}
		if string(agi[:4]) != "XAGI" {
			f.warnf("allocation group %d: no AGI magic at offset %d; its inodes are not read", ag, off)
			continue
		}
		root, level := be.Uint32(agi[20:]), be.Uint32(agi[24:])
		if level == 0 || level > maxInobtDepth {
			f.warnf("allocation group %d: inode B+tree of %d levels (AGI at offset %d)", ag, level, off)
			continue
		}
		var err error
		if out, err = f.inobtBlock(ag, root, int(level)-1, out, map[uint32]bool{}); err != nil {
			f.warnf("allocation group %d: inode B+tree: %v", ag, err)
		}
	}
	return out
}

// inobtBlock appends the records below block agb; seen holds the blocks
// already read, so that pointers shared by several nodes (a hostile tree)
// cannot make the walk exponential.
func (f *fsys) inobtBlock(ag, agb uint32, level int, out []chunk, seen map[uint32]bool) ([]chunk, error) {
	s := f.sb
	if agb >= s.agBlocks {
		return out, fmt.Errorf("block %d past the end of the group", agb)
	}
	if seen[agb] {
		return out, fmt.Errorf("block %d is reached twice", agb)
	}
	seen[agb] = true
	b := make([]byte, s.blockSize)
	off := (int64(ag)*int64(s.agBlocks) + int64(agb)) * s.blockSize
	if err := f.read(b, off, "inode B+tree block"); err != nil {
		return out, err
	}
	hdr := inobtHdrV4
	switch string(b[:4]) {
	case "IABT":
	case "IAB3":
		hdr = inobtHdrV5
	default:
		return out, fmt.Errorf("block at offset %d: magic %q", off, b[:4])
	}
	if int(be.Uint16(b[4:])) != level {
		return out, fmt.Errorf("block at offset %d: level %d, want %d", off, be.Uint16(b[4:]), level)
	}
	n := int(be.Uint16(b[6:]))
	if level == 0 {
		if hdr+16*n > len(b) {
			return out, fmt.Errorf("leaf at offset %d: %d records", off, n)
		}
		for i := 0; i < n; i++ {
			r := b[hdr+16*i:]
			c := chunk{ag: ag, startIno: be.Uint32(r), free: be.Uint64(r[8:])}
			if s.sparse {
				c.holes = be.Uint16(r[4:])
			}
			out = append(out, c)
		}
		return out, nil
	}
	maxr := (len(b) - hdr) / 8
	if n > maxr {
		return out, fmt.Errorf("node at offset %d: %d records (at most %d)", off, n, maxr)
	}
	for i := 0; i < n; i++ {
		var err error
		if out, err = f.inobtBlock(ag, be.Uint32(b[hdr+maxr*4+4*i:]), level-1, out, seen); err != nil {
			return out, err
		}
	}
	return out, nil
}

// readInode reads and decodes inode ino into in, using buf (inodeSize).
func (f *fsys) readInode(ino uint64, buf []byte, in *inode) error {
	off := f.sb.inoOff(ino)
	if err := f.read(buf, off, fmt.Sprintf("inode %d", ino)); err != nil {
		return err
	}
	if !decodeInode(buf, in) {
		return fmt.Errorf("inode %d at offset %d: no inode magic", ino, off)
	}
	return nil
}
