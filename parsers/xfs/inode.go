package xfs

import (
	"fmt"
	"math"
)

// Inode core layout and values.
const (
	inodeMagic     = "IN"
	fmtLocal       = 1
	fmtExtents     = 2
	fmtBtree       = 3
	coreV2Size     = 100
	coreV3Size     = 176
	flagRealtime   = 1 << 0 // di_flags: extents address the realtime device
	flag2Bigtime   = 1 << 3
	flag2Nrext64   = 1 << 4
	sIFMT          = 0o170000
	sIFDIR         = 0o040000
	sIFREG         = 0o100000
	sIFLNK         = 0o120000
	bigtimeEpochNs = int64(math.MaxInt32+1) * 1e9 // bigtime counts from 1901-12-13T20:45:52Z
	// maxExtents bounds the extents of one fork read into memory.
	maxExtents = 1 << 20
)

// timestamp is a decoded inode time.
type timestamp struct {
	ns  int64
	set bool
}

// inode is what the events and the directory walk need of an inode.
type inode struct {
	mode                      uint16
	format                    uint8
	version                   uint8
	uid, gid, nlink           uint32
	size                      uint64
	nextents                  uint64
	atime, mtime, ctime, crtm timestamp
	fork                      []byte // the data fork (valid while the inode buffer is)
	realtime                  bool   // the data lives on the realtime device
}

func decodeTime(b []byte, big bool) timestamp {
	if big {
		v := be.Uint64(b)
		if v == 0 {
			return timestamp{}
		}
		return timestamp{ns: int64(v) - bigtimeEpochNs, set: true}
	}
	sec, nsec := int32(be.Uint32(b)), be.Uint32(b[4:])
	if sec == 0 && nsec == 0 {
		return timestamp{}
	}
	return timestamp{ns: int64(sec)*1e9 + int64(nsec%1e9), set: true}
}

// decodeInode decodes the core of raw (inodeSize bytes). ok is false when
// the magic is missing.
func decodeInode(raw []byte, in *inode) bool {
	if string(raw[:2]) != inodeMagic {
		return false
	}
	*in = inode{mode: be.Uint16(raw[2:]), version: raw[4], format: raw[5],
		uid: be.Uint32(raw[8:]), gid: be.Uint32(raw[12:]), nlink: be.Uint32(raw[16:]), size: be.Uint64(raw[56:])}
	if in.version == 1 {
		in.nlink = uint32(be.Uint16(raw[6:]))
	}
	in.realtime = be.Uint16(raw[90:])&flagRealtime != 0
	core := coreV2Size
	var flags2 uint64
	if in.version >= 3 && len(raw) >= coreV3Size {
		core = coreV3Size
		flags2 = be.Uint64(raw[120:])
	}
	big := flags2&flag2Bigtime != 0
	in.atime, in.mtime, in.ctime = decodeTime(raw[32:], big), decodeTime(raw[40:], big), decodeTime(raw[48:], big)
	if core == coreV3Size {
		in.crtm = decodeTime(raw[144:], big)
	}
	if flags2&flag2Nrext64 != 0 {
		in.nextents = be.Uint64(raw[24:])
	} else {
		in.nextents = uint64(be.Uint32(raw[76:]))
	}
	end := len(raw)
	if fo := int(raw[82]) * 8; fo > 0 && core+fo < end {
		end = core + fo
	}
	in.fork = raw[core:end]
	return true
}

// extent is one mapping of file blocks to file system blocks.
type extent struct {
	off, fsb, count uint64
	unwritten       bool
}

func decodeExtent(b []byte) extent {
	hi, lo := be.Uint64(b), be.Uint64(b[8:])
	return extent{
		unwritten: hi>>63 != 0,
		off:       hi >> 9 & (1<<54 - 1),
		fsb:       (hi&(1<<9-1))<<43 | lo>>21,
		count:     lo & (1<<21 - 1),
	}
}

// extents lists the data fork's mappings (extent list or bmbt).
func (f *fsys) extents(in *inode) ([]extent, error) {
	switch in.format {
	case fmtExtents:
		n := in.nextents
		if n*16 > uint64(len(in.fork)) {
			return nil, fmt.Errorf("%d extents do not fit in the %d-byte data fork", n, len(in.fork))
		}
		out := make([]extent, n)
		for i := range out {
			out[i] = decodeExtent(in.fork[16*i:])
		}
		return out, nil
	case fmtBtree:
		return f.bmbtRoot(in.fork)
	}
	return nil, fmt.Errorf("data fork format %d has no extents", in.format)
}

// bmbtRoot walks a B+tree-format data fork: the root in the inode (level,
// numrecs, keys, then pointers at the half of the fork), blocks below.
func (f *fsys) bmbtRoot(fork []byte) ([]extent, error) {
	if len(fork) < 4 {
		return nil, fmt.Errorf("bmbt root in a %d-byte fork", len(fork))
	}
	level, n := be.Uint16(fork), int(be.Uint16(fork[2:]))
	maxr := (len(fork) - 4) / 16
	if level == 0 || n > maxr {
		return nil, fmt.Errorf("bmbt root level %d with %d records (at most %d)", level, n, maxr)
	}
	var out []extent
	seen := map[uint64]bool{}
	for i := 0; i < n; i++ {
		ptr := be.Uint64(fork[4+maxr*8+8*i:])
		var err error
		if out, err = f.bmbtBlock(ptr, int(level)-1, out, seen); err != nil {
			return out, err
		}
	}
	return out, nil
}

// bmbt block header sizes: "BMAP" (v4) and "BMA3" (v5, with CRC).
const (
	bmapHdrV4 = 24
	bmapHdrV5 = 72
)

// bmbtBlock appends the extents below block fsb; seen holds the blocks
// already read (shared pointers in a hostile tree are refused).
func (f *fsys) bmbtBlock(fsb uint64, level int, out []extent, seen map[uint64]bool) ([]extent, error) {
	if seen[fsb] {
		return out, fmt.Errorf("bmbt block %d is reached twice", fsb)
	}
	seen[fsb] = true
	b := make([]byte, f.sb.blockSize)
	off := f.sb.fsbOff(fsb)
	if err := f.read(b, off, "bmbt block"); err != nil {
		return out, err
	}
	hdr := bmapHdrV4
	switch string(b[:4]) {
	case "BMAP":
	case "BMA3":
		hdr = bmapHdrV5
	default:
		return out, fmt.Errorf("bmbt block at offset %d: magic %q", off, b[:4])
	}
	if int(be.Uint16(b[4:])) != level {
		return out, fmt.Errorf("bmbt block at offset %d: level %d, want %d", off, be.Uint16(b[4:]), level)
	}
	n := int(be.Uint16(b[6:]))
	if level == 0 {
		if hdr+16*n > len(b) || len(out)+n > maxExtents {
			return out, fmt.Errorf("bmbt leaf at offset %d: %d records", off, n)
		}
		for i := 0; i < n; i++ {
			out = append(out, decodeExtent(b[hdr+16*i:]))
		}
		return out, nil
	}
	maxr := (len(b) - hdr) / 16
	if n > maxr {
		return out, fmt.Errorf("bmbt node at offset %d: %d records (at most %d)", off, n, maxr)
	}
	for i := 0; i < n; i++ {
		var err error
		if out, err = f.bmbtBlock(be.Uint64(b[hdr+maxr*8+8*i:]), level-1, out, seen); err != nil {
			return out, err
		}
	}
	return out, nil
}
