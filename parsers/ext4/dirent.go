package ext4

// Directory entries (Documentation/filesystems/ext4 "Directory Entries"):
// inode u32, rec_len u16, name_len u8 (u16 without the filetype feature),
// file_type u8, name. An entry's real length is 8+name_len rounded up to 4;
// when the kernel deletes an entry it adds its rec_len to the predecessor's,
// so the bytes of deleted entries survive in the gap after an entry's real
// length. That gap is searched for plausible entries the way the Sleuth Kit
// does (4-byte steps, an entry must end inside the gap).

// dirent is one directory entry found in a block. Name points into the block
// buffer and is valid only during the callback.
type dirent struct {
	Inode   uint32
	Name    []byte
	Type    uint8 // file_type (0 without the filetype feature)
	Deleted bool  // found in slack, inode 0, or in a deleted directory
	Slack   bool  // found in the gap after a live entry
	Off     int   // offset inside the block
}

const direntMin = 12 // the real length of an entry with a 1-byte name

func direntLen(nameLen int) int { return (8 + nameLen + 3) &^ 3 }

// parseDirBlock calls fn for every entry in b, live ones and ones recovered
// from slack. lastInum bounds inode numbers; v2 says names have a 1-byte
// length and a file type; deletedDir marks every entry as deleted. It never
// reads outside b and always terminates (each step advances by at least 4).
func parseDirBlock(b []byte, lastInum uint32, v2, deletedDir bool, fn func(e *dirent)) {
	var e dirent
	dellen := 0
	step := 4
	for idx := 0; idx <= len(b)-direntMin; idx += step {
		ino := le.Uint32(b[idx:])
		reclen := recLen(b, idx)
		var nameLen int
		var typ uint8
		if v2 {
			nameLen = int(b[idx+6])
			typ = b[idx+7]
		} else {
			nameLen = int(le.Uint16(b[idx+6:]))
		}
		step = direntLen(nameLen)
		if ino > lastInum || nameLen == 0 || nameLen > 255 || reclen < step || reclen%4 != 0 || idx+reclen > len(b) {
			step = 4
			if dellen > 0 {
				dellen -= 4
			}
			continue
		}
		// An entry found in a gap must also end inside it.
		if dellen > 0 && dellen < step {
			step = 4
			dellen -= 4
			continue
		}
		name := b[idx+8 : idx+8+nameLen]
		if dellen > 0 && !plausibleName(name, typ) {
			step = 4
			dellen -= 4
			continue
		}
		e = dirent{Inode: ino, Name: name, Type: typ, Off: idx}
		if dellen > 0 {
			e.Slack = true
		}
		e.Deleted = dellen > 0 || ino == 0 || deletedDir
		if dellen > 0 {
			dellen -= step
		}
		fn(&e)
		if dellen <= 0 {
			if reclen-step >= direntMin {
				dellen = reclen - step
			} else {
				step = reclen
			}
		}
	}
}

// plausibleName rejects slack matches that cannot be names: a NUL or a slash
// inside the name, or an unknown file type.
func plausibleName(name []byte, typ uint8) bool {
	if typ > 7 {
		return false
	}
	for _, c := range name {
		if c == 0 || c == '/' {
			return false
		}
	}
	return true
}

// isDot reports whether a name is "." or "..".
func isDot(name []byte) bool {
	return len(name) == 1 && name[0] == '.' || len(name) == 2 && name[0] == '.' && name[1] == '.'
}

// htreeInterior reports whether a directory block is an htree interior node:
// a fake entry with inode 0 spanning the whole block and no name, followed by
// hash/block pairs rather than entries.
func htreeInterior(b []byte) bool {
	return len(b) >= 16 && le.Uint32(b) == 0 && recLen(b, 0) == len(b) && b[6] == 0 && b[7] == 0
}

// htreeRootEnd returns how many bytes of an htree root block hold entries
// ("." and ".."); the rest is the index. It returns len(b) when the block
// does not look like an htree root.
func htreeRootEnd(b []byte) int {
	if len(b) < 40 {
		return len(b)
	}
	dotLen := int(le.Uint16(b[4:]))
	if dotLen != 12 || b[8] != '.' {
		return len(b)
	}
	// dx_root_info after "..": reserved_zero u32, hash_version, info_length 8
	info := b[24:]
	if le.Uint32(info) != 0 || info[5] != 8 {
		return len(b)
	}
	return 24
}

// recChain follows the rec_len chain of a live directory block. It reports
// false and the offset where it breaks when an entry's length is impossible
// or the chain does not end exactly at the end of the block.
func recChain(b []byte) (int, bool) {
	off := 0
	for off < len(b) {
		if off+8 > len(b) {
			return off, false
		}
		reclen := recLen(b, off)
		if reclen < direntMin || reclen%4 != 0 || off+reclen > len(b) || 8+int(b[off+6]) > reclen {
			return off, false
		}
		off += reclen
	}
	return off, true
}

// recLen reads the rec_len of the entry at off. With 64 KiB blocks a length
// of 65536 does not fit 16 bits and is stored as 0 or 65535 (the kernel's
// ext4_rec_len_from_disk).
func recLen(b []byte, off int) int {
	n := int(le.Uint16(b[off+4:]))
	if len(b) >= 65536 && (n == 0 || n == 65535) {
		return 65536
	}
	return n
}
