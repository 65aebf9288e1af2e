package timeline

import (
	"strconv"
	"strings"
	"unsafe"
)

// FSFlags are the bits of the fs_flags column.
type FSFlags int32

const (
	// FSRecord marks a file-system record (a row of fls -m): every other
	// FS field is meaningful only with it, and fs_flags is null without it.
	FSRecord FSFlags = 1 << iota
	// FSAllocated: the metadata entry (inode, MFT entry) is in use; a
	// record without it is of a deleted file.
	FSAllocated
	// FSTimeM, FSTimeA, FSTimeC and FSTimeB say which of the MACB times the
	// event's time is. The run writer sets them from TimeDesc (its suffix
	// after the last '_': mtime, atime, ctime, crtime): parsers do not.
	FSTimeM
	FSTimeA
	FSTimeC
	FSTimeB
)

// fsTimeBits are the MACB bits, which the run writer derives.
const fsTimeBits = FSTimeM | FSTimeA | FSTimeC | FSTimeB

// FS holds the typed fields of a file-system record: what a Sleuth Kit
// bodyfile line holds besides the name and the times. A parser of a file
// system fills them with MarkFS and the field setters; every other event
// leaves them as Reset made them. The record's name as fls prints it (with
// " (deleted)", ":ADS", " ($FILE_NAME)" and the like) is the event's
// Message; its meta address is Inode (Unix file systems) or MFT with
// AttrType and AttrID (NTFS): see Meta.
type FS struct {
	Seq      int64  // NTFS sequence number of the MFT entry; Absent elsewhere
	AttrType int32  // NTFS attribute type (128 $DATA, 48 $FILE_NAME, ...); 0: none
	AttrID   int64  // NTFS attribute id; Absent: none
	AttrName string // the attribute's name (an alternate data stream's), if any
	Mode     string // mode as fls prints it: name type, '/', meta type and permissions ("r/rrw-r--r--")
	UID, GID int64  // owner; Absent: none
	Size     int64  // size in bytes; Absent: none
	Links    int64  // link count (Unix file systems); Absent: none
	Flags    FSFlags
}

// resetFS is the FS of an event that is not a file-system record.
var resetFS = FS{Seq: Absent, AttrID: Absent, UID: Absent, GID: Absent, Size: Absent, Links: Absent}

// MarkFS makes ev a file-system record whose metadata entry is allocated
// (in use) or not. Set its other FS fields directly.
func (e *Event) MarkFS(allocated bool) {
	e.FS.Flags = FSRecord
	if allocated {
		e.FS.Flags |= FSAllocated
	}
}

// IsFS reports whether ev is a file-system record.
func (e *Event) IsFS() bool { return e.FS.Flags&FSRecord != 0 }

// macbBit is the MACB bit of a time description: its suffix after the last
// '_' names the time (si_mtime, fn_crtime, mtime).
func macbBit(desc string) FSFlags {
	if i := strings.LastIndexByte(desc, '_'); i >= 0 {
		desc = desc[i+1:]
	}
	switch desc {
	case TimeModified:
		return FSTimeM
	case TimeAccessed:
		return FSTimeA
	case TimeChanged:
		return FSTimeC
	case TimeBorn:
		return FSTimeB
	}
	return 0
}

// AppendMeta appends the record's meta address as fls prints it: the inode,
// or the MFT entry followed by "-type-id" when the record is of an attribute.
func (e *Event) AppendMeta(dst []byte) []byte {
	if e.MFT != Absent {
		dst = strconv.AppendInt(dst, e.MFT, 10)
		if e.FS.AttrType != 0 {
			dst = append(dst, '-')
			dst = strconv.AppendInt(dst, int64(e.FS.AttrType), 10)
			dst = append(dst, '-')
			dst = strconv.AppendInt(dst, e.FS.AttrID, 10)
		}
		return dst
	}
	if e.Inode != Absent {
		return strconv.AppendInt(dst, e.Inode, 10)
	}
	return append(dst, '0')
}

// fsExtraKeys are the names the FS fields had as extras in schema 1, and
// still have where an event's fields are shown by name (the contract's
// JSON "extra", l2tcsv's extra column), in this order.
var fsExtraKeys = [...]string{"meta", "name", "mode", "uid", "gid", "size", "links", "allocated"}

// AppendFSExtra appends the FS fields of a file-system record as the
// key/value pairs of fsExtraKeys (none for other events), then returns dst.
// The values are new strings: for output, not for a hot path (there,
// AppendFSExtraBuf).
func (e *Event) AppendFSExtra(dst []KV) []KV {
	dst, _ = e.AppendFSExtraBuf(dst, nil)
	return dst
}

// AppendFSExtraBuf is AppendFSExtra with the numbers written into buf,
// which it returns grown: the values point into it, valid until buf is
// written again, so a caller that reuses buf allocates nothing per event.
func (e *Event) AppendFSExtraBuf(dst []KV, buf []byte) ([]KV, []byte) {
	if !e.IsFS() {
		return dst, buf
	}
	buf = buf[:0]
	var ends [5]int
	buf = e.AppendMeta(buf)
	ends[0] = len(buf)
	for i, v := range [...]int64{e.FS.UID, e.FS.GID, e.FS.Size, e.FS.Links} {
		buf = strconv.AppendInt(buf, max(v, 0), 10)
		ends[i+1] = len(buf)
	}
	str := func(i int) string {
		lo := 0
		if i > 0 {
			lo = ends[i-1]
		}
		return unsafe.String(unsafe.SliceData(buf[lo:]), ends[i]-lo)
	}
	k := &fsExtraKeys
	dst = append(dst, KV{k[0], str(0)}, KV{k[1], e.Message}, KV{k[2], e.FS.Mode},
		KV{k[3], str(1)}, KV{k[4], str(2)}, KV{k[5], str(3)})
	if e.FS.Links != Absent {
		dst = append(dst, KV{k[6], str(4)})
	}
	alloc := "0"
	if e.FS.Flags&FSAllocated != 0 {
		alloc = "1"
	}
	return append(dst, KV{k[7], alloc}), buf
}

// AllExtra returns the FS fields by name (AppendFSExtra) followed by the
// format-specific extras: every field that has no column of the contract's
// JSON shape.
func (e *Event) AllExtra() []KV {
	if !e.IsFS() {
		return e.Extra
	}
	return append(e.AppendFSExtra(make([]KV, 0, len(fsExtraKeys)+len(e.Extra))), e.Extra...)
}

// MACB returns which of the MACB times the event's time is (FSTimeM, ...;
// 0 for none): the bits the run writer stored, or, on an event that has not
// been through it, those its TimeDesc names.
func (e *Event) MACB() FSFlags {
	if b := e.FS.Flags & fsTimeBits; b != 0 {
		return b
	}
	return macbBit(e.TimeDesc)
}
