package ext4

import "fmt"

// Mapping a file's logical blocks to file system blocks: extent trees
// (Documentation/filesystems/ext4 "Extent Tree") and the classic block map
// (12 direct, one indirect, one double and one triple indirect pointer).

const extentMagic = 0xF30A

// blockFn receives one mapped run: count blocks starting at logical block
// logical live at physical block phys. Returning false stops the walk.
type blockFn func(logical, phys, count uint64) bool

// mapper walks block maps with one scratch buffer per tree level.
type mapper struct {
	fs      *fsys
	scratch [][]byte
}

func (m *mapper) buf(level int) []byte {
	for len(m.scratch) <= level {
		m.scratch = append(m.scratch, make([]byte, m.fs.bs))
	}
	return m.scratch[level]
}

// walk calls fn for the runs of the inode's data that lie below limit
// logical blocks, in logical order for well-formed trees. Problems are
// returned as an error naming the offset; runs found before are kept.
func (m *mapper) walk(in *inode, limit uint64, fn blockFn) error {
	if in.Flags&flagInline != 0 {
		return nil // data lives in the inode; the caller handles it
	}
	if in.Flags&flagExtents != 0 {
		_, err := m.extents(in.Block[:], 0, limit, fn, -1)
		return err
	}
	return m.blockMap(in.Block[:], limit, fn)
}

// extents walks an extent node. depthWant is the depth the parent expects
// (-1 at the root); a child must be exactly one level below its parent,
// which also makes loops impossible.
func (m *mapper) extents(node []byte, level int, limit uint64, fn blockFn, depthWant int) (bool, error) {
	if len(node) < 12 || le.Uint16(node[0:]) != extentMagic {
		return true, fmt.Errorf("extent node without magic")
	}
	entries := int(le.Uint16(node[2:]))
	depth := int(le.Uint16(node[6:]))
	if depthWant >= 0 && depth != depthWant || depth > 5 {
		return true, fmt.Errorf("extent node depth %d (want %d)", depth, depthWant)
	}
	if max := (len(node) - 12) / 12; entries > max {
		entries = max
	}
	for i := 0; i < entries; i++ {
		e := node[12+12*i:]
		logical := uint64(le.Uint32(e[0:]))
		if logical >= limit {
			return true, nil
		}
		if depth == 0 {
			n := uint64(le.Uint16(e[4:]))
			if n > 32768 { // uninitialized extent: reads as zeros
				continue
			}
			phys := uint64(le.Uint16(e[6:]))<<32 | uint64(le.Uint32(e[8:]))
			if logical+n > limit {
				n = limit - logical
			}
			if n == 0 {
				continue
			}
			if phys+n > m.fs.sb.BlocksCount {
				return true, fmt.Errorf("extent to block %d past the end of the file system", phys)
			}
			if !fn(logical, phys, n) {
				return false, nil
			}
			continue
		}
		child := uint64(le.Uint16(e[8:]))<<32 | uint64(le.Uint32(e[4:]))
		b := m.buf(level + 1)
		if err := m.fs.readBlock(child, b); err != nil {
			return true, fmt.Errorf("extent index block: %w", err)
		}
		more, err := m.extents(b, level+1, limit, fn, depth-1)
		if err != nil || !more {
			return more, err
		}
	}
	return true, nil
}

// blockMap walks the 15 block pointers of a classic inode.
func (m *mapper) blockMap(ptrs []byte, limit uint64, fn blockFn) error {
	per := uint64(m.fs.bs / 4)
	for i := uint64(0); i < 12; i++ {
		if i >= limit {
			return nil
		}
		if p := uint64(le.Uint32(ptrs[4*i:])); p != 0 {
			if p >= m.fs.sb.BlocksCount {
				return fmt.Errorf("block pointer %d past the end of the file system", p)
			}
			if !fn(i, p, 1) {
				return nil
			}
		}
	}
	start := uint64(12)
	span := per
	for level := 1; level <= 3; level++ {
		if start >= limit {
			return nil
		}
		if p := uint64(le.Uint32(ptrs[4*(11+level):])); p != 0 {
			more, err := m.indirect(p, level, start, limit, fn)
			if err != nil || !more {
				return err
			}
		}
		start += span
		span *= per
	}
	return nil
}

func (m *mapper) indirect(blk uint64, level int, start, limit uint64, fn blockFn) (bool, error) {
	if blk >= m.fs.sb.BlocksCount {
		return true, fmt.Errorf("indirect block %d past the end of the file system", blk)
	}
	b := m.buf(level)
	if err := m.fs.readBlock(blk, b); err != nil {
		return true, err
	}
	per := uint64(m.fs.bs / 4)
	span := uint64(1)
	for i := 1; i < level; i++ {
		span *= per
	}
	for i := uint64(0); i < per; i++ {
		logical := start + i*span
		if logical >= limit {
			return true, nil
		}
		p := uint64(le.Uint32(b[4*i:]))
		if p == 0 {
			continue
		}
		if level == 1 {
			if p >= m.fs.sb.BlocksCount {
				return true, fmt.Errorf("block pointer %d in block %d past the end of the file system", p, blk)
			}
			if !fn(logical, p, 1) {
				return false, nil
			}
			continue
		}
		more, err := m.indirect(p, level-1, logical, limit, fn)
		// the child overwrote this level's buffer only if it shares it: it
		// uses level-1, so b is intact.
		if err != nil || !more {
			return more, err
		}
	}
	return true, nil
}
