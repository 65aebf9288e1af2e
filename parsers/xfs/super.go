package xfs

import (
	"encoding/binary"
	"fmt"
	"io"
)

var be = binary.BigEndian

// Superblock values and limits.
const (
	sbMagic = "XFSB"
	// The version number's low nibble; 4 and 5 are what Linux mounts.
	minVersion, maxVersion   = 4, 5
	minBlockLog, maxBlockLog = 9, 16 // 512 B - 64 KiB blocks
	minInodeLog, maxInodeLog = 8, 11 // 256 B - 2 KiB inodes
	// features_incompat bits (v5) and features2 (v4) that change layouts.
	incompatFtype   = 1 << 0
	incompatSparse  = 1 << 1
	incompatBigtime = 1 << 3
	incompatNrext64 = 1 << 5
	features2Ftype  = 0x200
	versionMoreBits = 0x8000
)

type superblock struct {
	blockSize int64
	dblocks   uint64
	rootIno   uint64
	agBlocks  uint32
	agCount   uint32
	version   int
	sectSize  int64
	inodeSize int64
	inoPerBlk int
	blockLog  uint
	inoPBLog  uint
	agBlkLog  uint
	dirBlkLog uint
	ftype     bool
	sparse    bool
	label     string
}

func readSuper(r io.ReaderAt) (*superblock, error) {
	b := make([]byte, 512)
	if n, err := r.ReadAt(b, 0); n < len(b) {
		return nil, fmt.Errorf("reading the superblock at offset 0: %v", err)
	}
	if string(b[:4]) != sbMagic {
		return nil, fmt.Errorf("no XFS superblock magic at offset 0")
	}
	s := &superblock{
		blockSize: int64(be.Uint32(b[4:])), dblocks: be.Uint64(b[8:]), rootIno: be.Uint64(b[56:]),
		agBlocks: be.Uint32(b[84:]), agCount: be.Uint32(b[88:]), version: int(be.Uint16(b[100:]) & 0xF),
		sectSize: int64(be.Uint16(b[102:])), inodeSize: int64(be.Uint16(b[104:])), inoPerBlk: int(be.Uint16(b[106:])),
		blockLog: uint(b[120]), inoPBLog: uint(b[123]), agBlkLog: uint(b[124]), dirBlkLog: uint(b[192]),
	}
	s.label = string(trimNUL(b[108:120]))
	switch {
	case s.version < minVersion || s.version > maxVersion:
		return nil, fmt.Errorf("superblock version %d at offset 100 (4 and 5 are read)", s.version)
	case s.blockLog < minBlockLog || s.blockLog > maxBlockLog || s.blockSize != 1<<s.blockLog:
		return nil, fmt.Errorf("block size %d (log %d) at offset 4", s.blockSize, s.blockLog)
	case s.inodeSize < 1<<minInodeLog || s.inodeSize > 1<<maxInodeLog || s.inodeSize&(s.inodeSize-1) != 0 || int64(s.inoPerBlk)*s.inodeSize != s.blockSize || 1<<s.inoPBLog != s.inoPerBlk:
		return nil, fmt.Errorf("inode size %d, %d per block at offset 104", s.inodeSize, s.inoPerBlk)
	case s.sectSize < 512 || s.sectSize > s.blockSize || s.agBlocks == 0 || s.agCount == 0 || s.agBlkLog > 31 || uint64(1)<<s.agBlkLog < uint64(s.agBlocks):
		return nil, fmt.Errorf("sector size %d, %d allocation groups of %d blocks (log %d)", s.sectSize, s.agCount, s.agBlocks, s.agBlkLog)
	case s.dirBlkLog > 8:
		return nil, fmt.Errorf("directory block log %d at offset 192", s.dirBlkLog)
	}
	if s.version == 5 {
		inc := be.Uint32(b[216:])
		s.ftype, s.sparse = inc&incompatFtype != 0, inc&incompatSparse != 0
	} else if be.Uint16(b[100:])&versionMoreBits != 0 {
		s.ftype = be.Uint32(b[200:])&features2Ftype != 0
	}
	return s, nil
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// fsbOff is the byte offset of file system block fsb (AG number in the
// high bits, AG block in the low agBlkLog bits).
func (s *superblock) fsbOff(fsb uint64) int64 {
	ag := fsb >> s.agBlkLog
	agb := fsb & (1<<s.agBlkLog - 1)
	return (int64(ag)*int64(s.agBlocks) + int64(agb)) * s.blockSize
}

// inoOff is the byte offset of inode ino.
func (s *superblock) inoOff(ino uint64) int64 {
	shift := s.agBlkLog + s.inoPBLog
	ag := ino >> shift
	agino := ino & (1<<shift - 1)
	agb := agino >> s.inoPBLog
	return (int64(ag)*int64(s.agBlocks)+int64(agb))*s.blockSize + int64(agino&(1<<s.inoPBLog-1))*s.inodeSize
}

// inoNum is the inode number of AG-relative inode agino in AG ag.
func (s *superblock) inoNum(ag uint32, agino uint32) uint64 {
	return uint64(ag)<<(s.agBlkLog+s.inoPBLog) | uint64(agino)
}
