package ntfs

import (
	"context"
	"strconv"
	"strings"

	"www.velocidex.com/golang/go-ntfs/parser"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// USN reason flags (MS docs, USN_RECORD_V2.Reason).
var usnReasons = []struct {
	bit  uint32
	name string
}{
	{0x00000001, "DATA_OVERWRITE"},
	{0x00000002, "DATA_EXTEND"},
	{0x00000004, "DATA_TRUNCATION"},
	{0x00000010, "NAMED_DATA_OVERWRITE"},
	{0x00000020, "NAMED_DATA_EXTEND"},
	{0x00000040, "NAMED_DATA_TRUNCATION"},
	{0x00000100, "FILE_CREATE"},
	{0x00000200, "FILE_DELETE"},
	{0x00000400, "EA_CHANGE"},
	{0x00000800, "SECURITY_CHANGE"},
	{0x00001000, "RENAME_OLD_NAME"},
	{0x00002000, "RENAME_NEW_NAME"},
	{0x00004000, "INDEXABLE_CHANGE"},
	{0x00008000, "BASIC_INFO_CHANGE"},
	{0x00010000, "HARD_LINK_CHANGE"},
	{0x00020000, "COMPRESSION_CHANGE"},
	{0x00040000, "ENCRYPTION_CHANGE"},
	{0x00080000, "OBJECT_ID_CHANGE"},
	{0x00100000, "REPARSE_POINT_CHANGE"},
	{0x00200000, "STREAM_CHANGE"},
	{0x00400000, "TRANSACTED_CHANGE"},
	{0x00800000, "INTEGRITY_CHANGE"},
	{0x01000000, "DESIRED_STORAGE_CLASS_CHANGE"},
	{0x80000000, "CLOSE"},
}

// Actions of USN records.
const (
	ActionRename         = "rename"
	ActionOverwrite      = "overwrite"
	ActionSecurityChange = "security-change"
)

// ReasonString renders reason flags as "FILE_CREATE|CLOSE".
func ReasonString(r uint32) string {
	var b strings.Builder
	for _, f := range usnReasons {
		if r&f.bit != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(f.name)
			r &^= f.bit
		}
	}
	if r != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x" + strconv.FormatUint(uint64(r), 16))
	}
	return b.String()
}

// ReasonAction maps reason flags to one action, the most telling first:
// delete, create, rename, overwrite, security change.
func ReasonAction(r uint32) string {
	switch {
	case r&0x200 != 0:
		return timeline.ActionDelete
	case r&0x100 != 0:
		return timeline.ActionCreate
	case r&0x3000 != 0:
		return ActionRename
	case r&0x77 != 0:
		return ActionOverwrite
	case r&0x800 != 0:
		return ActionSecurityChange
	}
	return ""
}

// USNRecord is a decoded USN_RECORD_V2 or V3. Name is only valid until
// the buffer it was decoded from changes.
type USNRecord struct {
	Length     int
	Major      uint16
	File       uint64 // entry number (48 bits of the reference)
	FileSeq    uint16
	Parent     uint64
	ParentSeq  uint16
	USN        int64
	Time       uint64 // FILETIME
	Reason     uint32
	Attributes uint32
	Name       []byte // UTF-16LE
}

// DecodeUSN decodes the record at the start of b. ok is false when b does
// not start with a plausible V2/V3 record; length then is 0. A V4 record
// (range tracking, no name or time) is reported with ok false and its
// length, so the caller can skip it.
func DecodeUSN(b []byte) (rec USNRecord, ok bool) {
	if len(b) < 8 {
		return rec, false
	}
	l := int(le32(b, 0))
	major := le16(b, 4)
	if l < 8 || l%8 != 0 || l > 65536 || l > len(b) {
		return rec, false
	}
	rec.Length, rec.Major = l, major
	var nlen, noff int
	switch major {
	case 2:
		if l < 60 {
			return USNRecord{}, false
		}
		fr, pr := le64(b, 8), le64(b, 16)
		rec.File, rec.FileSeq = fr&0xffffffffffff, uint16(fr>>48)
		rec.Parent, rec.ParentSeq = pr&0xffffffffffff, uint16(pr>>48)
		rec.USN = int64(le64(b, 24))
		rec.Time = le64(b, 32)
		rec.Reason = le32(b, 40)
		rec.Attributes = le32(b, 52)
		nlen, noff = int(le16(b, 56)), int(le16(b, 58))
	case 3:
		if l < 76 {
			return USNRecord{}, false
		}
		// 128-bit references: the entry number and sequence are the low
		// 64 bits as in V2 on NTFS.
		fr, pr := le64(b, 8), le64(b, 24)
		rec.File, rec.FileSeq = fr&0xffffffffffff, uint16(fr>>48)
		rec.Parent, rec.ParentSeq = pr&0xffffffffffff, uint16(pr>>48)
		rec.USN = int64(le64(b, 40))
		rec.Time = le64(b, 48)
		rec.Reason = le32(b, 56)
		rec.Attributes = le32(b, 68)
		nlen, noff = int(le16(b, 72)), int(le16(b, 74))
	default:
		return rec, false
	}
	if nlen%2 != 0 || noff+nlen > l {
		return USNRecord{}, false
	}
	rec.Name = b[noff : noff+nlen]
	return rec, true
}

// usnJournal finds $Extend/$UsnJrnl and its $J stream.
func (p *volParser) usnJournal() (int64, *stream) {
	for i := range p.entries {
		e := &p.entries[i]
		if !e.valid || e.base != 0 || e.flags&flagInUse == 0 {
			continue
		}
		for _, f := range e.fns {
			if f.name == "$UsnJrnl" && f.parent == 11 {
				for k := range e.streams {
					if s := &e.streams[k]; s.typ == attrData && s.name == "$J" {
						return int64(i), s
					}
				}
			}
		}
	}
	return -1, nil
}

const usnChunk = 1 << 20

func (p *volParser) readUSN(ctx context.Context) error {
	idx, s := p.usnJournal()
	if s == nil {
		return nil
	}
	mftEntry, err := p.nctx.GetMFT(idx)
	if err != nil {
		p.warn("usn", "$UsnJrnl (MFT entry %d): %v", idx, err)
		return nil
	}
	j, err := parser.OpenStream(p.nctx, mftEntry, attrData, s.rawID, "$J")
	if err != nil {
		p.warn("usn", "$UsnJrnl:$J (MFT entry %d): %v", idx, err)
		return nil
	}
	reasons := map[uint32]string{}
	buf := make([]byte, usnChunk)
	for _, rng := range j.Ranges() {
		if rng.IsSparse {
			continue
		}
		if err := p.walkUSN(ctx, j, rng.Offset, rng.Offset+rng.Length, buf, reasons, idx); err != nil {
			return err
		}
	}
	return p.sinkErr
}

// walkUSN decodes the records of one allocated range of the $J stream.
func (p *volParser) walkUSN(ctx context.Context, j parser.RangeReaderAt, start, end int64, buf []byte,
	reasons map[uint32]string, jIdx int64) error {
	pos := start
	var bufStart, bufEnd int64 = 0, -1
	garbage := int64(-1)
	flushGarbage := func(upto int64) {
		if garbage < 0 {
			return
		}
		raw := make([]byte, min(upto-garbage, 512))
		j.ReadAt(raw, garbage)
		p.warn("usn-record", "$UsnJrnl:$J bytes %d-%d (MFT entry %d): not a USN record", garbage, upto, jIdx)
		ev := &p.ev
		ev.Reset()
		p.fillRef(ev, jIdx)
		ev.Source = timeline.SourceRaw
		ev.TimeDesc = timeline.TimeUnknown
		ev.Raw = raw
		ev.Message = "$UsnJrnl:$J: unrecognised bytes at stream offset " + itoa(garbage)
		ev.AddExtra("j_offset", itoa(garbage))
		p.emit(ev)
		garbage = -1
	}
	for n := 0; pos+8 <= end; n++ {
		if n%8192 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		refill := pos < bufStart || pos+8 > bufEnd
		if !refill {
			// A record that straddles the buffer's end: read again from
			// its start (once: then pos == bufStart).
			l := int64(le32(buf[pos-bufStart:], 0))
			refill = l <= 65536 && pos+l > bufEnd && bufEnd < end && pos != bufStart
		}
		if refill {
			want := min(int64(len(buf)), end-pos)
			k, _ := j.ReadAt(buf[:want], pos)
			if k < 8 {
				p.warn("usn-read", "$UsnJrnl:$J unreadable at stream offset %d", pos)
				return nil
			}
			bufStart, bufEnd = pos, pos+int64(k)
		}
		b := buf[pos-bufStart : bufEnd-bufStart]
		l := le32(b, 0)
		if l == 0 {
			flushGarbage(pos)
			pos += 8
			continue
		}
		rec, ok := DecodeUSN(b)
		if !ok {
			if rec.Length > 0 && rec.Major == 4 {
				flushGarbage(pos)
				pos += int64(rec.Length)
				continue
			}
			if garbage < 0 {
				garbage = pos
			}
			pos += 8
			continue
		}
		flushGarbage(pos)
		p.emitUSN(j, pos, &rec, reasons)
		pos += int64(rec.Length)
	}
	flushGarbage(pos)
	return nil
}

func (p *volParser) emitUSN(j parser.RangeReaderAt, off int64, r *USNRecord, reasons map[uint32]string) {
	rs, ok := reasons[r.Reason]
	if !ok {
		rs = ReasonString(r.Reason)
		reasons[r.Reason] = rs
	}
	name := utf16String(r.Name)
	var path string
	if p.res.parentOK(r.Parent, r.ParentSeq) {
		dir, orphan := "", false
		if r.Parent != rootEntry {
			dir, orphan = p.res.dir(r.Parent, 0)
		}
		if orphan {
			dir = "<orphan>" + dir
		}
		path = p.mount + dir + "/" + name
	} else {
		path = p.mount + "<orphan>/" + name
	}
	ev := &p.ev
	ev.Reset()
	p.fillRef(ev, int64(r.File))
	ev.Source = SourceUSN
	t, ok := unixNano(r.Time)
	ev.Time = t
	if !ok {
		ev.AddTag("time-out-of-range")
	}
	ev.TimeDesc = "usn"
	ev.TimeOrig = strconv.FormatUint(r.Time, 10) // the raw FILETIME
	ev.Path = path
	ev.Action = ReasonAction(r.Reason)
	ev.Message = rs + " " + path
	ev.AddExtra("usn", strconv.FormatInt(r.USN, 10))
	ev.AddExtra("j_offset", strconv.FormatInt(off, 10))
	ev.AddExtra("reason", rs)
	ev.AddExtra("file_ref", strconv.FormatUint(r.File, 10)+"-"+strconv.FormatUint(uint64(r.FileSeq), 10))
	ev.AddExtra("parent_ref", strconv.FormatUint(r.Parent, 10)+"-"+strconv.FormatUint(uint64(r.ParentSeq), 10))
	ev.AddExtra("name", name)
	ev.AddExtra("attributes", "0x"+strconv.FormatUint(uint64(r.Attributes), 16))
	p.emit(ev)
}
