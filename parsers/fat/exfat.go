package fat

import (
	"fmt"
	"time"
)

// exFAT directory entry types (in-use bit 0x80 set; clear: deleted).
const (
	exInUse     = 0x80
	exFile      = 0x05 // 0x85 in use
	exStream    = 0x40 // 0xC0 in use
	exName      = 0x41 // 0xC1 in use
	exNameChars = 15
	exNoFatLink = 0x02 // stream extension flag: data is contiguous
	exUTCValid  = 0x80
	exMaxSecond = 18 // secondary entries of a file set: stream + 17 names (255 chars)
	exBitmap    = 0x81
)

// exfatBitmap reads the allocation bitmap the root directory's bitmap
// entry points at (the first one: the bitmap of the first FAT), or nil.
func (v *volume) exfatBitmap() []byte {
	buf, _, err := v.readClusters(v.chain(v.g.rootCluster, maxDirBytes/int(v.g.cluster)))
	if err != nil && len(buf) == 0 {
		return nil
	}
	for i := 0; i+direntSize <= len(buf); i += direntSize {
		e := buf[i : i+direntSize]
		if e[0] == 0 {
			break
		}
		if e[0] != exBitmap {
			continue
		}
		first, n := le.Uint32(e[20:]), le.Uint64(e[24:])
		if !v.g.validCluster(first) || n < uint64(v.g.clusters+7)/8 || n > uint64(v.g.clusters)/8+uint64(v.g.cluster) {
			return nil
		}
		cl := (int64(n) + v.g.cluster - 1) / v.g.cluster
		clusters := v.chain(first, int(cl))
		if int64(len(clusters)) < cl { // no FAT chain: contiguous
			clusters = clusters[:0]
			for c := first; int64(len(clusters)) < cl && v.g.validCluster(c); c++ {
				clusters = append(clusters, c)
			}
		}
		b, _, err := v.readClusters(clusters)
		if err != nil || uint64(len(b)) < n {
			return nil
		}
		return b[:n]
	}
	return nil
}

// exfatTime decodes an exFAT timestamp with its 10 ms increment and UTC
// offset byte; without a valid offset the time is local (loc).
func exfatTime(ts uint32, ms10, utc byte, loc *time.Location) (int64, string, bool) {
	if ts == 0 {
		return 0, "", false
	}
	d, t := uint16(ts>>16), uint16(ts)
	if utc&exUTCValid != 0 {
		q := int(int8(utc<<1) >> 1) // 7-bit signed count of 15 minutes
		loc = time.FixedZone("", q*15*60)
	}
	if ms10 > 199 {
		ms10 = 0
	}
	ns, orig, ok := fatDate(d, t, ms10, loc)
	return ns, orig, ok
}

// parseExFATDir decodes the file entry sets of one directory.
func (v *volume) parseExFATDir(buf []byte, offsAt func(i int) int64, loc *time.Location) []entry {
	var out []entry
	for i := 0; i+direntSize <= len(buf); i += direntSize {
		e := buf[i : i+direntSize]
		if e[0] == 0 {
			break
		}
		if e[0]&^exInUse != exFile {
			continue
		}
		deleted := e[0]&exInUse == 0
		sec := int(e[1])
		if sec < 2 || sec > exMaxSecond || i+(sec+1)*direntSize > len(buf) {
			continue
		}
		st := buf[i+direntSize : i+2*direntSize]
		if st[0]&^exInUse != exStream || (st[0]&exInUse == 0) != deleted {
			continue
		}
		nameLen := int(st[3])
		units := make([]uint16, 0, nameLen)
		for k := 2; k <= sec && len(units) < nameLen; k++ {
			ne := buf[i+k*direntSize : i+(k+1)*direntSize]
			if ne[0]&^exInUse != exName {
				break
			}
			for c := 0; c < exNameChars && len(units) < nameLen; c++ {
				units = append(units, le.Uint16(ne[2+2*c:]))
			}
		}
		off := offsAt(i)
		attr := le.Uint16(e[4:])
		en := entry{name: decodeUTF16(units), meta: v.g.meta(off), off: off, dir: attr&attrDir != 0, deleted: deleted,
			readOnly: attr&attrReadOnly != 0, size: le.Uint64(st[24:]), cluster: le.Uint32(st[20:]), contig: st[1]&exNoFatLink != 0}
		en.crtime, en.cOrig, en.hasCrtime = exfatTime(le.Uint32(e[8:]), e[20], e[22], loc)
		en.mtime, en.mOrig, en.hasMtime = exfatTime(le.Uint32(e[12:]), e[21], e[23], loc)
		en.atime, en.aOrig, en.hasAtime = exfatTime(le.Uint32(e[16:]), 0, e[24], loc)
		if en.name == "" {
			en.name = fmt.Sprintf("<entry at offset %d>", off)
		}
		out = append(out, en)
		i += sec * direntSize
	}
	return out
}
