package ext4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Superblock and group descriptor layout: Linux Documentation/filesystems/ext4
// ("Super Block", "Block Group Descriptors").

const (
	superOffset = 1024
	superSize   = 1024
	superMagic  = 0xEF53

	// feature flags used here
	compatHasJournal = 0x4
	incompatFiletype = 0x2
	incompatMetaBG   = 0x10
	incompatExtents  = 0x40
	incompat64Bit    = 0x80
	incompatFlexBG   = 0x200
	incompatLargeDir = 0x4000
	incompatInline   = 0x8000
	incompatCsumSeed = 0x2000
	roCompatLargeFil = 0x2
	roCompatGDTCsum  = 0x10
	roCompatMetaCsum = 0x400

	// group descriptor flags
	bgInodeUninit = 0x1
	bgBlockUninit = 0x2
)

var le = binary.LittleEndian

// superblock holds the fields of the ext2/3/4 superblock this package uses.
type superblock struct {
	InodesCount     uint32
	BlocksCount     uint64
	FirstDataBlock  uint32
	BlockSize       uint32
	BlocksPerGroup  uint32
	InodesPerGroup  uint32
	RevLevel        uint32
	FirstIno        uint32
	InodeSize       uint32
	FeatureCompat   uint32
	FeatureIncompat uint32
	FeatureRoCompat uint32
	JournalInum     uint32
	DescSize        uint32
	FirstMetaBG     uint32
	UUID            [16]byte
	VolumeName      string
	CsumSeed        uint32 // metadata_csum seed
}

var errNotExt = errors.New("ext4: no ext2/3/4 superblock (magic 0xEF53 at offset 1080)")

// parseSuperblock decodes the 1024-byte superblock and checks that its
// geometry is sane enough to walk: every value that sizes a loop or an
// allocation is bounded here.
func parseSuperblock(b []byte) (*superblock, error) {
	if len(b) < superSize {
		return nil, fmt.Errorf("ext4: superblock short: %d bytes", len(b))
	}
	if le.Uint16(b[0x38:]) != superMagic {
		return nil, errNotExt
	}
	sb := &superblock{
		InodesCount:     le.Uint32(b[0x0:]),
		BlocksCount:     uint64(le.Uint32(b[0x4:])),
		FirstDataBlock:  le.Uint32(b[0x14:]),
		BlocksPerGroup:  le.Uint32(b[0x20:]),
		InodesPerGroup:  le.Uint32(b[0x28:]),
		RevLevel:        le.Uint32(b[0x4C:]),
		FeatureCompat:   le.Uint32(b[0x5C:]),
		FeatureIncompat: le.Uint32(b[0x60:]),
		FeatureRoCompat: le.Uint32(b[0x64:]),
		JournalInum:     le.Uint32(b[0xE0:]),
		FirstMetaBG:     le.Uint32(b[0x104:]),
	}
	logBS := le.Uint32(b[0x18:])
	if logBS > 6 { // 64 KiB is the largest block size ext4 allows
		return nil, fmt.Errorf("ext4: superblock at 1024: block size 1024<<%d is out of range", logBS)
	}
	sb.BlockSize = 1024 << logBS
	copy(sb.UUID[:], b[0x68:0x78])
	name := b[0x78:0x88]
	for i, c := range name {
		if c == 0 {
			name = name[:i]
			break
		}
	}
	sb.VolumeName = string(name)
	if sb.FeatureIncompat&incompatCsumSeed != 0 {
		sb.CsumSeed = le.Uint32(b[0x270:])
	} else {
		sb.CsumSeed = crc32cRaw(^uint32(0), sb.UUID[:])
	}
	if sb.RevLevel == 0 {
		sb.FirstIno, sb.InodeSize = 11, 128
	} else {
		sb.FirstIno = le.Uint32(b[0x54:])
		sb.InodeSize = uint32(le.Uint16(b[0x58:]))
	}
	if sb.FeatureIncompat&incompat64Bit != 0 {
		sb.BlocksCount |= uint64(le.Uint32(b[0x150:])) << 32
		sb.DescSize = uint32(le.Uint16(b[0xFE:]))
		if sb.DescSize < 32 {
			sb.DescSize = 64
		}
	} else {
		sb.DescSize = 32
	}
	switch {
	case sb.InodeSize < 128 || sb.InodeSize > sb.BlockSize || sb.InodeSize&(sb.InodeSize-1) != 0:
		return nil, fmt.Errorf("ext4: superblock at 1024: inode size %d is invalid", sb.InodeSize)
	case sb.InodesPerGroup == 0 || sb.InodesPerGroup > 8*sb.BlockSize:
		return nil, fmt.Errorf("ext4: superblock at 1024: %d inodes per group is invalid", sb.InodesPerGroup)
	case sb.BlocksPerGroup == 0 || sb.BlocksPerGroup > 8*sb.BlockSize:
		return nil, fmt.Errorf("ext4: superblock at 1024: %d blocks per group is invalid", sb.BlocksPerGroup)
	case sb.InodesCount == 0:
		return nil, fmt.Errorf("ext4: superblock at 1024: no inodes")
	case sb.DescSize > 1024 || sb.DescSize&(sb.DescSize-1) != 0:
		return nil, fmt.Errorf("ext4: superblock at 1024: descriptor size %d is invalid", sb.DescSize)
	case sb.BlocksCount <= uint64(sb.FirstDataBlock):
		return nil, fmt.Errorf("ext4: superblock at 1024: %d blocks is invalid", sb.BlocksCount)
	}
	return sb, nil
}

// groupCount is the number of block groups, the last (partial) one included.
func (sb *superblock) groupCount() uint32 {
	byBlocks := (sb.BlocksCount - uint64(sb.FirstDataBlock) + uint64(sb.BlocksPerGroup) - 1) / uint64(sb.BlocksPerGroup)
	byInodes := (uint64(sb.InodesCount) + uint64(sb.InodesPerGroup) - 1) / uint64(sb.InodesPerGroup)
	// The inode count is authoritative for the inode walk: inodes_count is
	// groups*inodes_per_group on a consistent file system.
	if byInodes < byBlocks {
		return uint32(byInodes)
	}
	if byBlocks > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(byBlocks)
}

// group is one block group descriptor.
type group struct {
	InodeBitmap   uint64
	InodeTable    uint64
	Flags         uint16
	ItableUnused  uint32
	DescOffset    int64 // where the descriptor was read from
	descriptorBad bool
}

// parseGroupDesc decodes one 32- or 64-byte group descriptor.
func parseGroupDesc(b []byte, is64 bool) group {
	g := group{
		InodeBitmap:  uint64(le.Uint32(b[0x4:])),
		InodeTable:   uint64(le.Uint32(b[0x8:])),
		Flags:        le.Uint16(b[0x12:]),
		ItableUnused: uint32(le.Uint16(b[0x1C:])),
	}
	if is64 && len(b) >= 64 {
		g.InodeBitmap |= uint64(le.Uint32(b[0x24:])) << 32
		g.InodeTable |= uint64(le.Uint32(b[0x28:])) << 32
		g.ItableUnused |= uint32(le.Uint16(b[0x32:])) << 16
	}
	return g
}

// readGroups reads every group descriptor, following META_BG placement when
// the feature is set. Descriptors lie at increasing offsets, so the list
// ends at the first one past the end of the volume (size > 0): a superblock
// that claims more groups than the volume holds costs nothing.
func readGroups(r io.ReaderAt, size int64, sb *superblock, warn func(string, ...any)) []group {
	n := sb.groupCount()
	bs := uint64(sb.BlockSize)
	ds := uint64(sb.DescSize)
	perBlock := bs / ds
	is64 := sb.FeatureIncompat&incompat64Bit != 0
	groups := make([]group, 0, min(n, 1<<16))
	buf := make([]byte, bs)
	badBlocks := 0
	var cached uint64 = ^uint64(0)
	gdtStart := uint64(sb.FirstDataBlock) + 1
	for i := uint32(0); i < n; i++ {
		var blk uint64
		idx := uint64(i)
		if sb.FeatureIncompat&incompatMetaBG != 0 && idx/perBlock >= uint64(sb.FirstMetaBG) {
			metaGroup := idx / perBlock
			firstGroup := metaGroup * perBlock
			blk = firstGroup*uint64(sb.BlocksPerGroup) + uint64(sb.FirstDataBlock)
			if hasSuperBackup(sb, firstGroup) {
				blk++
			}
		} else {
			blk = gdtStart + idx/perBlock
		}
		if blk != cached {
			if size > 0 && (blk >= uint64(size)/bs || blk*bs+bs > uint64(size)) {
				warn("the superblock describes %d block groups, but the descriptor of group %d (offset %d) is past the end of the volume: reading %d groups", n, i, blk*bs, i)
				break
			}
			if _, err := r.ReadAt(buf, int64(blk*bs)); err != nil {
				if badBlocks++; badBlocks <= 10 {
					warn("group descriptors of group %d at offset %d unreadable: %v", i, blk*bs, err)
				}
				groups = append(groups, group{descriptorBad: true})
				cached = ^uint64(0)
				continue
			}
			cached = blk
		}
		off := (idx % perBlock) * ds
		g := parseGroupDesc(buf[off:off+ds], is64)
		g.DescOffset = int64(blk*bs + off)
		groups = append(groups, g)
	}
	return groups
}

// hasSuperBackup reports whether group g holds a superblock copy (and so a
// descriptor copy): every group without sparse_super, else 0, 1 and powers
// of 3, 5 and 7.
func hasSuperBackup(sb *superblock, g uint64) bool {
	const roCompatSparse = 0x1
	if sb.FeatureRoCompat&roCompatSparse == 0 || g <= 1 {
		return true
	}
	for _, base := range []uint64{3, 5, 7} {
		p := base
		for p < g {
			p *= base
		}
		if p == g {
			return true
		}
	}
	return false
}
