package ntfs

import (
	"context"
	"strconv"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// FILETIME conversion: 100 ns ticks since 1601-01-01 UTC.
const (
	filetimeEpoch = 116444736000000000 // 1970-01-01 in FILETIME ticks
	maxFiletime   = filetimeEpoch + (1<<63-1)/100
)

// unixNano converts a FILETIME; ok is false for values past year 2262.
func unixNano(ft uint64) (int64, bool) {
	if ft > maxFiletime {
		return 1<<63 - 1, false
	}
	return (int64(ft) - filetimeEpoch) * 100, true
}

// SIDesc and FNDesc are the time descriptions of the $STANDARD_INFORMATION
// and $FILE_NAME times, in the order crtime, mtime, ctime, atime.
var (
	SIDesc = [4]string{"si_crtime", "si_mtime", "si_ctime", "si_atime"}
	FNDesc = [4]string{"fn_crtime", "fn_mtime", "fn_ctime", "fn_atime"}
)

// line is one line of the Sleuth Kit's bodyfile: one name and attribute of
// an entry with four times.
type line struct {
	name string // as fls -m prints it
	path string // Event.Path
	// The attribute the line is of (its type, 0 for none, id and name),
	// which with the entry make the meta address fls prints ("64-128-4").
	attrType int32
	attrID   int64
	attrName string
	size     int64
	times    fileTimes
	desc     *[4]string
}

// Tags of the timestomp rules (docs/timeline-format.md "Timestomp tags").
// Every event of an entry a rule fires on carries the rule's tag; the $SI
// events whose own time a rule contradicts also carry TagUntrusted.
// $FILE_NAME times are set by the kernel only (SetFileTime cannot reach
// them): they are never untrusted.
const (
	// $SI created earlier than a $FN created: all four $SI times untrusted
	// (the tool rewrote $SI).
	TagSIBeforeFN = "timestomp:si-before-fn"
	// A $SI time whose sub-second part is all zero where the $FN's same
	// time has one: the $SI times with zero sub-seconds untrusted.
	TagZeroSubsec = "timestomp:zero-subsec"
	// $SI modified earlier than $SI created: $SI mtime untrusted.
	TagMtimeBeforeCrtim = "timestomp:si-mtime-before-crtime"
	// On the events whose time a rule contradicts.
	TagUntrusted = timeline.TagTimestompUntrusted
)

// ticksPerSecond: FILETIME counts 100 ns ticks, so a time with no
// sub-second part is a multiple of 10^7.
const ticksPerSecond = 10_000_000

// timestomp returns the tags of the rules that fire for an entry and the
// $SI times they contradict (bit k for e.si.times[k]): $SI created earlier
// than a $FN created; a $SI time with an all-zero sub-second part where the
// $FN's same time has one; $SI modified earlier than $SI created.
func timestomp(e *entry) (tags string, untrusted uint8) {
	if !e.si.present {
		return "", 0
	}
	si := &e.si.times
	var before bool
	var zero uint8
	for i := range e.fns {
		f := &e.fns[i].times
		if si[tCr] != 0 && f[tCr] != 0 && si[tCr] < f[tCr] {
			before = true
		}
		for k := range 4 {
			if si[k] != 0 && si[k]%ticksPerSecond == 0 && f[k]%ticksPerSecond != 0 {
				zero |= 1 << k
			}
		}
	}
	add := func(t string) {
		if tags != "" {
			tags += ","
		}
		tags += t
	}
	if before {
		add(TagSIBeforeFN)
		untrusted = 1<<tCr | 1<<tM | 1<<tC | 1<<tA
	}
	if zero != 0 {
		add(TagZeroSubsec)
		untrusted |= zero
	}
	if si[tM] != 0 && si[tCr] != 0 && si[tM] < si[tCr] {
		add(TagMtimeBeforeCrtim)
		untrusted |= 1 << tM
	}
	return tags, untrusted
}

// modeString renders the mode as fls does: name type, meta type, then
// r (unless read-only), w (unless hidden) and x for user, group, other.
func modeString(e *entry) string {
	nt, mt := byte('r'), byte('r')
	switch f := primaryName(e); {
	case e.flags&flagInUse == 0:
		// fls finds deleted entries through the MFT, not a directory
		// entry, and prints the name type as unknown.
		nt = '-'
	case f != nil && f.flags&0x10000000 != 0:
		nt = 'd'
	}
	if e.flags&flagDir != 0 {
		mt = 'd'
	}
	perm := "---"
	if e.si.present {
		b := []byte("r-x")
		if e.si.dos&0x1 != 0 {
			b[0] = '-'
		}
		if e.si.dos&0x2 == 0 {
			b[1] = 'w'
		}
		perm = string(b)
	}
	return string([]byte{nt, '/', mt}) + perm + perm + perm
}

func (p *volParser) emitEntries(ctx context.Context) error {
	p.res.init(p)
	var lines []line
	type named struct {
		path   string
		orphan bool
	}
	var names []named
	for idx := range p.entries {
		if idx%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		e := &p.entries[idx]
		if !e.valid || e.base != 0 {
			continue
		}
		names = names[:0]
		child := func(f *fnInfo) named {
			if idx == rootEntry {
				return named{"/", false}
			}
			path, orphan := p.res.child(f, 0)
			return named{path, orphan}
		}
		for i := range e.fns {
			if e.fns[i].nspace == nsDOS {
				continue
			}
			n := child(&e.fns[i])
			dup := false
			for _, m := range names {
				dup = dup || m == n
			}
			if !dup {
				names = append(names, n)
			}
		}
		if len(names) == 0 && len(e.fns) > 0 {
			names = append(names, child(&e.fns[0]))
		}
		if len(names) == 0 {
			names = append(names, named{"/OrphanFile-" + itoa(int64(idx)), true})
		}
		suffix := ""
		if e.flags&flagInUse == 0 {
			suffix = " (deleted)"
		}
		show := func(n named) (tsk, path string) {
			if n.orphan {
				return "/$OrphanFiles" + tskName(n.path), p.mount + "<orphan>" + n.path
			}
			return tskName(n.path), p.mount + n.path
		}
		lines = lines[:0]
		for _, n := range names {
			tsk, path := show(n)
			shown := 0
			for _, s := range e.streams {
				l := line{name: tsk, path: path, size: s.size, times: e.si.times, desc: &SIDesc,
					attrType: int32(s.typ), attrID: int64(s.id), attrName: s.name}
				if s.name != "" && !(s.typ == attrIndexRoot && s.name == "$I30") {
					l.name += ":" + tskName(s.name)
					l.path += ":" + s.name
				}
				l.name += suffix
				lines = append(lines, l)
				shown++
			}
			if shown == 0 {
				lines = append(lines, line{name: tsk + suffix, path: path, attrID: timeline.Absent, times: e.si.times, desc: &SIDesc})
			}
		}
		for i := range e.fns {
			f := &e.fns[i]
			tsk, path := show(child(f))
			lines = append(lines, line{name: tsk + " ($FILE_NAME)" + suffix, path: path, size: int64(f.size),
				times: f.times, desc: &FNDesc, attrType: attrFileName, attrID: int64(f.id)})
		}
		var st stompTags
		st.tags, st.untrusted = timestomp(e)
		if st.untrusted != 0 {
			st.untrustedTags = st.tags + "," + TagUntrusted
		}
		st.mode = modeString(e)
		st.uid = int64(e.si.owner)
		st.seq = int64(e.seq)
		st.allocated = e.flags&flagInUse != 0
		p.entryOff = p.physical(int64(idx) * p.recSize)
		for i := range lines {
			p.emitLine(int64(idx), &lines[i], &st)
		}
		if p.sinkErr != nil {
			return p.sinkErr
		}
	}
	return nil
}

// stompTags are an entry's timestomp tags: tags on every event,
// untrustedTags on the $SI events whose time k has bit k set in untrusted;
// and the entry's fields every line shares.
type stompTags struct {
	tags, untrustedTags string
	untrusted           uint8
	mode                string // modeString
	uid, seq            int64
	allocated           bool
}

// emitLine emits the events of one line.
func (p *volParser) emitLine(idx int64, l *line, st *stompTags) {
	ev := &p.ev
	any := false
	for k := range 4 {
		ft := l.times[k]
		if ft == 0 {
			continue
		}
		any = true
		tags := st.tags
		if l.desc == &SIDesc && st.untrusted&(1<<k) != 0 {
			tags = st.untrustedTags
		}
		p.fillLine(ev, idx, l, tags, st)
		t, ok := unixNano(ft)
		ev.Time = t
		if !ok {
			ev.AddTag("time-out-of-range")
		}
		ev.TimeDesc = l.desc[k]
		ev.TimeOrig = strconv.FormatUint(ft, 10) // the raw FILETIME
		p.emit(ev)
	}
	if !any {
		p.fillLine(ev, idx, l, st.tags, st)
		ev.TimeDesc = timeline.TimeUnknown
		p.emit(ev)
	}
}

func (p *volParser) fillLine(ev *timeline.Event, idx int64, l *line, tags string, st *stompTags) {
	ev.Reset()
	p.fillRef(ev, idx)
	ev.Source = Name
	if p.entryOff >= 0 {
		ev.Offset = p.entryOff // the MFT entry's byte offset in the image
	}
	ev.Path = l.path
	ev.Bytes = l.size
	ev.Message = l.name
	ev.Tags = tags
	ev.MarkFS(st.allocated)
	ev.FS.Seq = st.seq
	ev.FS.AttrType, ev.FS.AttrID, ev.FS.AttrName = l.attrType, l.attrID, l.attrName
	ev.FS.Mode = st.mode
	ev.FS.UID, ev.FS.GID, ev.FS.Size = st.uid, 0, l.size
}
