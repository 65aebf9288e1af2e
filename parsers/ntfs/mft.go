package ntfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Attribute type codes (MS-FSCC / NTFS documentation).
const (
	attrStandardInfo = 0x10
	attrAttrList     = 0x20
	attrFileName     = 0x30
	attrData         = 0x80
	attrIndexRoot    = 0x90
	attrEnd          = 0xffffffff
)

// $FILE_NAME namespaces.
const (
	nsPOSIX    = 0
	nsWin32    = 1
	nsDOS      = 2
	nsWin32DOS = 3
)

// MFT entry header flags.
const (
	flagInUse = 0x0001
	flagDir   = 0x0002
)

// Errors of MFT entry decoding.
var (
	errNotFile  = errors.New("no FILE signature")
	errBaad     = errors.New("BAAD signature (the entry was marked corrupt by chkdsk)")
	errFixup    = errors.New("bad fixup (update sequence mismatch: torn or corrupted write)")
	errHeader   = errors.New("invalid entry header")
	errAttrList = errors.New("invalid attribute")
)

// fileTimes are raw FILETIMEs (100 ns since 1601-01-01 UTC), in the order
// they are stored: created, modified, MFT changed, accessed.
type fileTimes [4]uint64

const (
	tCr = iota
	tM
	tC
	tA
)

type siInfo struct {
	present bool
	times   fileTimes
	dos     uint32
	owner   uint32
}

type fnInfo struct {
	parent    uint64 // entry number (48 bits)
	parentSeq uint16
	times     fileTimes
	flags     uint32
	nspace    uint8
	id        uint16 // attribute id as TSK numbers it
	size      int    // content length: what TSK prints as the $FILE_NAME size
	name      string
}

type stream struct {
	typ   uint32 // attrData or attrIndexRoot
	id    uint16 // attribute id as TSK numbers it
	rawID uint16 // attribute id in the record that holds it
	name  string
	size  int64
	ext   uint32 // entry number of the extension record holding it, 0: base
}

// entry is what Kiseki keeps of one MFT entry.
type entry struct {
	valid   bool // FILE record that decoded
	seq     uint16
	flags   uint16
	links   uint16
	base    uint64 // base record entry number (extension records), 0 otherwise
	maxID   uint16 // the highest attribute id in the record
	si      siInfo
	fns     []fnInfo
	streams []stream
	al      *attrListInfo // only for the few entries with an $ATTRIBUTE_LIST
}

// attrListInfo is an entry's $ATTRIBUTE_LIST: its content when resident,
// else its runlist and size.
type attrListInfo struct {
	content []byte
	id      uint16
	runs    []byte
	size    int64
}

func le16(b []byte, o int) uint16 { return binary.LittleEndian.Uint16(b[o:]) }
func le32(b []byte, o int) uint32 { return binary.LittleEndian.Uint32(b[o:]) }
func le64(b []byte, o int) uint64 { return binary.LittleEndian.Uint64(b[o:]) }

// applyFixup checks and undoes the update sequence array of a multi-sector
// record in place: the last two bytes of every 512-byte stride must hold
// the update sequence number and are replaced by the saved values.
func applyFixup(rec []byte) error {
	if len(rec) < 48 {
		return errHeader
	}
	off := int(le16(rec, 4))
	cnt := int(le16(rec, 6))
	if cnt == 0 {
		return errFixup
	}
	if off < 40 || off+2*cnt > len(rec) || (cnt-1)*512 > len(rec) {
		return errFixup
	}
	usn0, usn1 := rec[off], rec[off+1]
	for i := 1; i < cnt; i++ {
		p := i*512 - 2
		if rec[p] != usn0 || rec[p+1] != usn1 {
			return errFixup
		}
		rec[p] = rec[off+2*i]
		rec[p+1] = rec[off+2*i+1]
	}
	return nil
}

// decodeEntry decodes one MFT record (fixups already applied) into e. It
// keeps what it could decode when it returns an error for a damaged
// attribute. The record buffer is not retained.
func decodeEntry(rec []byte, e *entry) error {
	*e = entry{fns: e.fns[:0], streams: e.streams[:0]}
	if len(rec) < 48 {
		return errHeader
	}
	e.seq = le16(rec, 16)
	e.links = le16(rec, 18)
	e.flags = le16(rec, 22)
	e.base = le64(rec, 32) & 0xffffffffffff
	off := int(le16(rec, 20))
	used := int(le32(rec, 24))
	if used > len(rec) || used < off {
		used = len(rec)
	}
	if off < 24 || off >= len(rec) {
		return errHeader
	}
	e.valid = true
	for n := 0; off+8 <= used && n < 4096; n++ {
		typ := le32(rec, off)
		if typ == attrEnd {
			return nil
		}
		alen := int(le32(rec, off+4))
		if alen < 16 || off+alen > used || alen%8 != 0 {
			return fmt.Errorf("%w at record offset %d (type 0x%x, length %d)", errAttrList, off, typ, alen)
		}
		a := rec[off : off+alen]
		if err := e.decodeAttr(typ, a); err != nil {
			return fmt.Errorf("%w at record offset %d: %v", errAttrList, off, err)
		}
		off += alen
	}
	return nil
}

func (e *entry) decodeAttr(typ uint32, a []byte) error {
	nonres := a[8] != 0
	nlen := int(a[9])
	noff := int(le16(a, 10))
	id := le16(a, 14)
	if id > e.maxID {
		e.maxID = id
	}
	var name string
	if nlen > 0 {
		if noff+2*nlen > len(a) {
			return errors.New("attribute name runs past the attribute")
		}
		name = utf16String(a[noff : noff+2*nlen])
	}
	var content []byte
	if !nonres {
		if len(a) < 24 {
			return errors.New("short resident attribute")
		}
		csize := int(le32(a, 16))
		coff := int(le16(a, 20))
		if coff > len(a) || csize > len(a)-coff {
			return errors.New("resident content runs past the attribute")
		}
		content = a[coff : coff+csize]
	} else if len(a) < 64 {
		return errors.New("short non-resident attribute")
	}
	switch typ {
	case attrStandardInfo:
		if nonres || len(content) < 36 {
			return errors.New("$STANDARD_INFORMATION too short or not resident")
		}
		e.si.present = true
		for i := range 4 {
			e.si.times[i] = le64(content, 8*i)
		}
		e.si.dos = le32(content, 32)
		if len(content) >= 52 {
			e.si.owner = le32(content, 48)
		}
	case attrFileName:
		if nonres || len(content) < 66 {
			return errors.New("$FILE_NAME too short or not resident")
		}
		fl := int(content[64])
		if 66+2*fl > len(content) {
			return errors.New("$FILE_NAME name runs past the attribute")
		}
		ref := le64(content, 0)
		f := fnInfo{parent: ref & 0xffffffffffff, parentSeq: uint16(ref >> 48),
			flags: le32(content, 56), nspace: content[65], id: id, size: len(content),
			name: utf16String(content[66 : 66+2*fl])}
		for i := range 4 {
			f.times[i] = le64(content, 8+8*i)
		}
		e.fns = append(e.fns, f)
	case attrData, attrIndexRoot:
		s := stream{typ: typ, id: id, rawID: id, name: name}
		if nonres {
			if le64(a, 16) != 0 { // a later VCN fragment: sizes live in VCN 0
				return nil
			}
			s.size = int64(le64(a, 48))
		} else {
			s.size = int64(len(content))
		}
		e.streams = append(e.streams, s)
	case attrAttrList:
		e.al = &attrListInfo{id: id}
		if nonres {
			ro := int(le16(a, 32))
			if ro > len(a) {
				return errors.New("runlist offset past the attribute")
			}
			e.al.runs = append([]byte(nil), a[ro:]...)
			e.al.size = int64(le64(a, 48))
		} else {
			e.al.content = append([]byte(nil), content...)
		}
	}
	return nil
}

// utf16String decodes little-endian UTF-16 (unpaired surrogates become
// U+FFFD, as NTFS names are not guaranteed to be valid UTF-16).
func utf16String(b []byte) string {
	ascii := true
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1] != 0 || b[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		s := make([]byte, len(b)/2)
		for i := range s {
			s[i] = b[2*i]
		}
		return string(s)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le16(b, 2*i)
	}
	r := utf16.Decode(u)
	out := make([]byte, 0, len(r)*3)
	for _, c := range r {
		out = utf8.AppendRune(out, c)
	}
	return string(out)
}

// attrListItem is one entry of an $ATTRIBUTE_LIST.
type attrListItem struct {
	typ  uint32
	name string
	ref  uint64 // entry number holding the attribute
	id   uint16
}

func parseAttrList(b []byte) []attrListItem {
	var out []attrListItem
	for off := 0; off+26 <= len(b) && len(out) < 65536; {
		l := int(le16(b, off+4))
		if l < 26 || off+l > len(b) {
			break
		}
		it := attrListItem{typ: le32(b, off), ref: le64(b, off+16) & 0xffffffffffff, id: le16(b, off+24)}
		nl, no := int(b[off+6]), int(b[off+7])
		if nl > 0 && no+2*nl <= l {
			it.name = utf16String(b[off+no : off+no+2*nl])
		}
		out = append(out, it)
		off += l
	}
	return out
}

// run is one extent of a non-resident attribute, in clusters.
type run struct {
	lcn, length int64 // lcn < 0: sparse
}

// decodeRuns decodes a runlist (mapping pairs), bounded to maxRuns extents.
func decodeRuns(b []byte, maxRuns int) ([]run, error) {
	var out []run
	var lcn int64
	for i := 0; i < len(b) && b[i] != 0; {
		h := b[i]
		ln, on := int(h&0x0f), int(h>>4)
		if ln == 0 || ln > 8 || on > 8 || i+1+ln+on > len(b) {
			return out, errors.New("bad runlist header")
		}
		var length int64
		for k := ln - 1; k >= 0; k-- {
			length = length<<8 | int64(b[i+1+k])
		}
		if on == 0 {
			out = append(out, run{lcn: -1, length: length})
		} else {
			var delta int64
			for k := on - 1; k >= 0; k-- {
				delta = delta<<8 | int64(b[i+1+ln+k])
			}
			if b[i+ln+on]&0x80 != 0 { // sign-extend
				delta -= 1 << (8 * uint(on))
			}
			lcn += delta
			out = append(out, run{lcn: lcn, length: length})
		}
		if length <= 0 || len(out) > maxRuns {
			return out, errors.New("bad runlist length")
		}
		i += 1 + ln + on
	}
	return out, nil
}
