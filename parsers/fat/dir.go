package fat

import (
	"strings"
	"time"
	"unicode/utf16"
)

// FAT directory entry layout.
const (
	direntSize   = 32
	attrReadOnly = 0x01
	attrVolume   = 0x08
	attrDir      = 0x10
	attrLFN      = 0x0F
	deletedMark  = 0xE5
	ntLowerBase  = 0x08
	ntLowerExt   = 0x10
	lfnLast      = 0x40
	lfnChars     = 13
	// maxDirBytes bounds one directory read into memory: exFAT allows
	// 256 MiB, FAT 65536 entries (2 MiB).
	maxDirBytes = 256 << 20
	// maxDepth bounds directory nesting (a loop of directories whose
	// clusters point back up).
	maxDepth = 256
)

// entry is one file or directory found in a directory.
type entry struct {
	name      string // the Sleuth Kit's name (deleted short names: '_' first)
	short     string // the 8.3 name as the Sleuth Kit prints it (FAT)
	meta      uint64
	off       int64 // volume offset of the (short or exFAT file) entry
	dir       bool
	deleted   bool
	readOnly  bool
	size      uint64
	cluster   uint32
	contig    bool // exFAT NoFatChain: the data is contiguous
	label     bool // the volume label entry (FAT)
	mtime     int64
	atime     int64
	crtime    int64
	hasMtime  bool
	hasAtime  bool
	hasCrtime bool
	mOrig     string // times as written, for TimeOrig
	aOrig     string
	cOrig     string
}

// fatDate decodes a FAT date and time in loc; ok is false for a zero or
// impossible date.
func fatDate(d, t uint16, tenths byte, loc *time.Location) (ns int64, orig string, ok bool) {
	if d == 0 {
		return 0, "", false
	}
	y, mo, day := int(d>>9)+1980, int(d>>5&0xF), int(d&0x1F)
	h, mi, s := int(t>>11), int(t>>5&0x3F), int(t&0x1F)*2
	if mo < 1 || mo > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 59 {
		return 0, "", false
	}
	extra := time.Duration(tenths) * 10 * time.Millisecond
	tm := time.Date(y, time.Month(mo), day, h, mi, s, 0, loc).Add(extra)
	return tm.UnixNano(), tm.Format("2006-01-02 15:04:05.00"), true
}

// shortName renders an 8.3 name the way the Sleuth Kit does: spaces
// trimmed, NT lowercase flags applied, a deleted entry's first byte '_'.
func shortName(raw []byte, nt byte, deleted bool) string {
	base := []byte(strings.TrimRight(string(raw[:8]), " "))
	ext := []byte(strings.TrimRight(string(raw[8:11]), " "))
	if len(base) > 0 && base[0] == 0x05 {
		base[0] = deletedMark
	}
	if deleted && len(base) > 0 {
		base[0] = '_'
	}
	if nt&ntLowerBase != 0 {
		base = []byte(strings.ToLower(string(base)))
	}
	if nt&ntLowerExt != 0 {
		ext = []byte(strings.ToLower(string(ext)))
	}
	if len(ext) > 0 {
		base = append(append(base, '.'), ext...)
	}
	return cleanName(latin1(base))
}

// latin1 maps OEM bytes above 0x7F one to one onto runes (the code page
// is unknown; TSK does the same).
func latin1(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// cleanName replaces control characters by '^', as fls prints them.
func cleanName(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return '^'
		}
		return r
	}, s)
}

// lfnChecksum is the checksum of an 11-byte short name kept in each LFN
// entry.
func lfnChecksum(raw []byte) byte {
	var s byte
	for _, c := range raw[:11] {
		s = (s>>1 | s<<7) + c
	}
	return s
}

// lfnPart appends the 13 UTF-16 units of an LFN entry.
func lfnPart(dst []uint16, e []byte) []uint16 {
	for _, o := range [...]int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
		dst = append(dst, le.Uint16(e[o:]))
	}
	return dst
}

// decodeUTF16 turns name units into a string, stopping at NUL or 0xFFFF.
func decodeUTF16(u []uint16) string {
	for i, c := range u {
		if c == 0 || c == 0xFFFF {
			u = u[:i]
			break
		}
	}
	return cleanName(string(utf16.Decode(u)))
}

// lfnRun collects the LFN entries before a short entry.
type lfnRun struct {
	parts [][]byte // entries in disk order (last part first)
	sum   byte
}

func (l *lfnRun) reset() { l.parts = l.parts[:0] }

// name assembles the long name for the short entry raw, or "" when the run
// does not belong to it.
func (l *lfnRun) name(raw []byte, deleted bool) string {
	if len(l.parts) == 0 {
		return ""
	}
	for _, p := range l.parts {
		if p[13] != l.sum || (p[0] == deletedMark) != deleted {
			return ""
		}
	}
	if !deleted {
		if lfnChecksum(raw) != l.sum || l.parts[0][0]&lfnLast == 0 || int(l.parts[0][0]&0x1F) != len(l.parts) {
			return ""
		}
	}
	u := make([]uint16, 0, len(l.parts)*lfnChars)
	for i := len(l.parts) - 1; i >= 0; i-- {
		u = lfnPart(u, l.parts[i])
	}
	return decodeUTF16(u)
}

// parseFATDir decodes the entries of one directory's bytes. offs gives the
// volume offset of each cluster-sized piece of buf (or one offset for a
// contiguous FAT12/16 root).
func (v *volume) parseFATDir(buf []byte, offsAt func(i int) int64, loc *time.Location) []entry {
	var out []entry
	var lfn lfnRun
	for i := 0; i+direntSize <= len(buf); i += direntSize {
		e := buf[i : i+direntSize]
		if e[0] == 0 {
			break
		}
		deleted := e[0] == deletedMark
		attr := e[11]
		if attr&0x3F == attrLFN {
			if len(lfn.parts) == 0 || lfn.sum != e[13] {
				lfn.reset()
				lfn.sum = e[13]
			}
			lfn.parts = append(lfn.parts, e)
			continue
		}
		if attr&attrVolume != 0 && !deleted && attr&attrDir == 0 {
			// The volume label: its times are usually those of the
			// format; named as fls names it.
			lfn.reset()
			en := v.entryTimes(e, loc)
			en.name = cleanName(latin1(e[:11])) + " (Volume Label Entry)"
			en.off = offsAt(i)
			en.meta = v.g.meta(en.off)
			en.label = true
			out = append(out, en)
			continue
		}
		if attr&attrVolume != 0 || e[0] == '.' {
			lfn.reset()
			continue
		}
		name := lfn.name(e, deleted)
		lfn.reset()
		short := shortName(e[:11], e[12], deleted)
		if name == "" {
			name = short
		}
		off := offsAt(i)
		en := entry{name: name, short: short, meta: v.g.meta(off), off: off, dir: attr&attrDir != 0, deleted: deleted,
			readOnly: attr&attrReadOnly != 0, size: uint64(le.Uint32(e[28:])),
			cluster: uint32(le.Uint16(e[20:]))<<16 | uint32(le.Uint16(e[26:]))}
		if v.g.kind != kindFAT32 {
			en.cluster &= 0xFFFF
		}
		t := v.entryTimes(e, loc)
		en.mtime, en.mOrig, en.hasMtime = t.mtime, t.mOrig, t.hasMtime
		en.atime, en.aOrig, en.hasAtime = t.atime, t.aOrig, t.hasAtime
		en.crtime, en.cOrig, en.hasCrtime = t.crtime, t.cOrig, t.hasCrtime
		out = append(out, en)
	}
	return out
}

// entryTimes decodes the write, access and creation times of a short
// entry in loc.
func (v *volume) entryTimes(e []byte, loc *time.Location) entry {
	var en entry
	en.mtime, en.mOrig, en.hasMtime = fatDate(le.Uint16(e[24:]), le.Uint16(e[22:]), 0, loc)
	en.atime, en.aOrig, en.hasAtime = fatDate(le.Uint16(e[18:]), 0, 0, loc)
	if e[13] <= 199 {
		en.crtime, en.cOrig, en.hasCrtime = fatDate(le.Uint16(e[16:]), le.Uint16(e[14:]), e[13], loc)
	}
	return en
}

// deletedDirClusters guesses the clusters of a deleted FAT directory, whose
// chain the FAT no longer holds: the first cluster, then each following
// free cluster that reads as directory entries (as writers allocate
// directories contiguously when they can), up to max clusters.
func (v *volume) deletedDirClusters(first uint32, max int) []uint32 {
	out := []uint32{first}
	buf := make([]byte, v.g.cluster)
	for c := first + 1; len(out) < max && v.g.validCluster(c); c++ {
		if n, ok := v.next(c); ok || n != 0 {
			break // allocated (or bad): another file's now
		}
		if k, _ := v.r.ReadAt(buf, v.g.clusterOff(c)); k < len(buf) || !dirCluster(buf) {
			break
		}
		out = append(out, c)
	}
	return out
}

// dirCluster reports whether buf reads as directory entries that continue
// a directory: a used first slot, not a "." entry (which starts a
// directory), and every used slot a plausible entry.
func dirCluster(buf []byte) bool {
	if buf[0] == 0 || buf[0] == '.' {
		return false
	}
	for i := 0; i+direntSize <= len(buf); i += direntSize {
		e := buf[i : i+direntSize]
		if e[0] == 0 {
			return allZero(buf[i:])
		}
		if !plausibleDirent(e) {
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// plausibleDirent checks a 32-byte slot the way a carver must: an LFN
// entry with a zero cluster field, or a short entry with reserved
// attribute bits clear, printable name bytes without the characters FAT
// forbids, and valid dates where set.
func plausibleDirent(e []byte) bool {
	if e[11]&0x3F == attrLFN {
		return e[26] == 0 && e[27] == 0
	}
	if e[11]&0xC0 != 0 {
		return false
	}
	for i, c := range e[:11] {
		if i == 0 && (c == deletedMark || c == 0x05) {
			continue
		}
		if c < 0x20 || strings.IndexByte("\"*+,/:;<=>?[\\]|", c) >= 0 {
			return false
		}
	}
	for _, o := range [...]int{16, 18, 24} {
		if d := le.Uint16(e[o:]); d != 0 && (d>>5&0xF == 0 || d>>5&0xF > 12 || d&0x1F == 0) {
			return false
		}
	}
	return true
}
