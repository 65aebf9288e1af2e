package ext4

import "hash/crc32"

// Inode layout: Linux Documentation/filesystems/ext4 "Index Nodes".

const (
	sIFMT   = 0xF000
	sIFSOCK = 0xC000
	sIFLNK  = 0xA000
	sIFREG  = 0x8000
	sIFBLK  = 0x6000
	sIFDIR  = 0x4000
	sIFCHR  = 0x2000
	sIFIFO  = 0x1000

	flagIndex   = 0x1000     // EXT4_INDEX_FL: hashed (htree) directory
	flagExtents = 0x80000    // EXT4_EXTENTS_FL
	flagInline  = 0x10000000 // EXT4_INLINE_DATA_FL
)

// timestamp is a decoded inode time: seconds since the epoch and nanoseconds.
type timestamp struct {
	Sec  int64
	Nsec uint32
}

func (t timestamp) zero() bool { return t.Sec == 0 && t.Nsec == 0 }

func (t timestamp) unixNano() int64 { return t.Sec*1e9 + int64(t.Nsec) }

// inode is the decoded part of an on-disk inode that the timeline uses.
type inode struct {
	Mode     uint16
	UID, GID uint32
	Size     uint64
	Links    uint16
	Flags    uint32
	Atime    timestamp
	Mtime    timestamp
	Ctime    timestamp
	Crtime   timestamp
	HasCr    bool   // the inode is large enough to hold i_crtime
	Dtime    uint32 // seconds; on allocated inodes it links the orphan list
	Block    [60]byte
	FileACL  uint64
	Gen      uint32 // i_generation
	RawCtime uint32 // the 32-bit i_ctime, which the Sleuth Kit uses for "used"
}

// decodeTime combines a 32-bit seconds field with its _extra field: the low
// two bits extend the signed seconds past 2038, the upper 30 bits are
// nanoseconds (the kernel's ext4_decode_extra_time). Without an _extra field
// the seconds are read unsigned, as e2fsprogs and the Sleuth Kit read them
// (the kernel reads them signed, which only differs for times before 1970
// or after 2038, and a 128-byte inode cannot hold either on purpose).
func decodeTime(lo uint32, extra uint32, hasExtra bool) timestamp {
	if !hasExtra {
		return timestamp{Sec: int64(lo)}
	}
	sec := int64(int32(lo)) + int64(extra&3)<<32
	ns := extra >> 2
	if ns > 999999999 { // not a valid nanosecond count: keep the seconds
		ns = 0
	}
	return timestamp{Sec: sec, Nsec: ns}
}

// decodeInode decodes one on-disk inode. b is inode_size bytes (at least 128).
// largeDirs says whether directory sizes use i_size_high (INCOMPAT_LARGEDIR).
func decodeInode(b []byte, in *inode, largeDirs bool) {
	in.Mode = le.Uint16(b[0x0:])
	in.UID = uint32(le.Uint16(b[0x2:])) | uint32(le.Uint16(b[0x78:]))<<16
	in.GID = uint32(le.Uint16(b[0x18:])) | uint32(le.Uint16(b[0x7A:]))<<16
	in.Size = uint64(le.Uint32(b[0x4:]))
	typ := in.Mode & sIFMT
	if typ == sIFREG || (typ == sIFDIR && largeDirs) {
		in.Size |= uint64(le.Uint32(b[0x6C:])) << 32
	}
	in.Links = le.Uint16(b[0x1A:])
	in.Flags = le.Uint32(b[0x20:])
	in.Dtime = le.Uint32(b[0x14:])
	in.RawCtime = le.Uint32(b[0x0C:])
	copy(in.Block[:], b[0x28:0x28+60])
	in.FileACL = uint64(le.Uint32(b[0x68:])) | uint64(le.Uint16(b[0x76:]))<<32
	in.Gen = le.Uint32(b[0x64:])

	// Fields past the 128-byte base exist when i_extra_isize covers them.
	extra := 0
	if len(b) > 128 {
		extra = int(le.Uint16(b[0x80:]))
		if 128+extra > len(b) {
			extra = len(b) - 128
		}
	}
	has := func(off int) bool { return extra >= off+4-128 }
	ex := func(off int) uint32 {
		if has(off) {
			return le.Uint32(b[off:])
		}
		return 0
	}
	in.Ctime = decodeTime(le.Uint32(b[0x0C:]), ex(0x84), has(0x84))
	in.Mtime = decodeTime(le.Uint32(b[0x10:]), ex(0x88), has(0x88))
	in.Atime = decodeTime(le.Uint32(b[0x08:]), ex(0x8C), has(0x8C))
	in.HasCr = has(0x90)
	if in.HasCr {
		in.Crtime = decodeTime(le.Uint32(b[0x90:]), ex(0x94), has(0x94))
	} else {
		in.Crtime = timestamp{}
	}
}

// allZero reports whether b holds only zero bytes (a never-used inode).
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if le.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// inodeChecksum verifies the metadata_csum checksum of an on-disk inode
// (crc32c over the file system seed, the inode number, i_generation and the
// inode with its checksum fields taken as zero). ok is false on a mismatch.
func inodeChecksum(seed uint32, ino uint32, b []byte) (ok bool) {
	var num [8]byte
	le.PutUint32(num[0:], ino)
	copy(num[4:], b[0x64:0x68]) // i_generation
	c := crc32cRaw(seed, num[:])
	var zero [2]byte
	c = crc32cRaw(c, b[:0x7C])
	c = crc32cRaw(c, zero[:])
	c = crc32cRaw(c, b[0x7E:128])
	hasHi := false
	if len(b) > 128 {
		extra := int(le.Uint16(b[0x80:]))
		hasHi = extra >= 4 && 128+extra <= len(b)
		if hasHi {
			c = crc32cRaw(c, b[128:0x82])
			c = crc32cRaw(c, zero[:])
			c = crc32cRaw(c, b[0x84:])
		} else {
			c = crc32cRaw(c, b[128:])
		}
	}
	stored := uint32(le.Uint16(b[0x7C:]))
	if hasHi {
		stored |= uint32(le.Uint16(b[0x82:])) << 16
		return c == stored
	}
	return c&0xFFFF == stored
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32cRaw is the kernel's crc32c_le: no inversion on input or output.
func crc32cRaw(crc uint32, p []byte) uint32 { return ^crc32.Update(^crc, castagnoli, p) }

// inlineDataXattr returns the value of the in-inode extended attribute
// "system.data" (name index 7, name "data"), where an inline file or
// directory continues past the 60 bytes of i_block, and its offset inside
// the inode; nil when there is none (Documentation/filesystems/ext4
// "Extended Attributes", "Inline Data").
func inlineDataXattr(raw []byte) ([]byte, int) {
	if len(raw) <= 128+4 {
		return nil, 0
	}
	start := 128 + int(le.Uint16(raw[0x80:]))
	if start+4 > len(raw) || le.Uint32(raw[start:]) != 0xEA020000 {
		return nil, 0
	}
	first := start + 4
	for off := first; off+16 <= len(raw); {
		if le.Uint32(raw[off:]) == 0 {
			break
		}
		nameLen := int(raw[off])
		index := raw[off+1]
		valueOff := int(le.Uint16(raw[off+2:]))
		valueInum := le.Uint32(raw[off+4:])
		valueSize := int(le.Uint32(raw[off+8:]))
		if off+16+nameLen > len(raw) {
			break
		}
		name := raw[off+16 : off+16+nameLen]
		if index == 7 && string(name) == "data" && valueInum == 0 {
			a := first + valueOff
			if valueSize < 0 || a < first || a+valueSize > len(raw) {
				return nil, 0
			}
			return raw[a : a+valueSize], a
		}
		off += (16 + nameLen + 3) &^ 3
	}
	return nil, 0
}
