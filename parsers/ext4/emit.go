package ext4

import (
	"strconv"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/timeline"
)

const (
	sourceFS      = "ext4"
	sourceJournal = "ext4-journal"
)

// nameView is one name of an inode as it is emitted.
type nameView struct {
	TSK     string // path as the Sleuth Kit prints it, without markers
	Real    string // Kiseki's path (mount prefix, raw bytes)
	Type    byte   // the Sleuth Kit's name type letter ('r', 'd', '-', ...)
	Deleted bool   // the name is unallocated
	Journal int64  // transaction id for journal copies, else -1
	Tags    string // extra tags
	Stomp   stompVerdict
}

// emitter turns inodes into events. Strings of the event point into buf,
// which is rebuilt for every inode: the sink copies what it keeps.
type emitter struct {
	sink    timeline.Sink
	ev      timeline.Event
	buf     []byte
	refPath string
	evid    string
	host    string
	link    []byte // symlink target scratch
}

// nameTypeLetter maps a directory entry's file_type to the Sleuth Kit's
// name-type letter.
func nameTypeLetter(ft uint8, v2 bool) byte {
	if !v2 {
		return '-'
	}
	switch ft {
	case 1:
		return 'r'
	case 2:
		return 'd'
	case 3:
		return 'c'
	case 4:
		return 'b'
	case 5:
		return 'p'
	case 6:
		return 's'
	case 7:
		return 'l'
	}
	return '-'
}

// metaTypeLetter maps an inode mode to the Sleuth Kit's meta-type letter.
func metaTypeLetter(mode uint16) byte {
	switch mode & sIFMT {
	case sIFREG:
		return 'r'
	case sIFDIR:
		return 'd'
	case sIFIFO:
		return 'p'
	case sIFCHR:
		return 'c'
	case sIFBLK:
		return 'b'
	case sIFLNK:
		return 'l'
	case sIFSOCK:
		return 's'
	}
	return '-'
}

// appendMode appends the Sleuth Kit's "ls -l" mode string (without the
// name-type prefix).
func appendMode(dst []byte, mode uint16) []byte {
	s := [10]byte{metaTypeLetter(mode), '-', '-', '-', '-', '-', '-', '-', '-', '-'}
	if mode&0o400 != 0 {
		s[1] = 'r'
	}
	if mode&0o200 != 0 {
		s[2] = 'w'
	}
	s[3] = execChar(mode&0o100 != 0, mode&0o4000 != 0, 's', 'S')
	if mode&0o40 != 0 {
		s[4] = 'r'
	}
	if mode&0o20 != 0 {
		s[5] = 'w'
	}
	s[6] = execChar(mode&0o10 != 0, mode&0o2000 != 0, 's', 'S')
	if mode&0o4 != 0 {
		s[7] = 'r'
	}
	if mode&0o2 != 0 {
		s[8] = 'w'
	}
	s[9] = execChar(mode&0o1 != 0, mode&0o1000 != 0, 't', 'T')
	return append(dst, s[:]...)
}

func execChar(x, special bool, set, unset byte) byte {
	switch {
	case special && x:
		return set
	case special:
		return unset
	case x:
		return 'x'
	}
	return '-'
}

// span is a string being built in emitter.buf.
type span struct{ a, b int }

func (em *emitter) str(s span) string {
	if s.b == s.a {
		return ""
	}
	return unsafe.String(&em.buf[s.a], s.b-s.a)
}

// emitInode emits one event per nonzero time of in under the name nv, or one
// "unknown" event when it has none. in is nil for entries whose inode field
// is 0 (no metadata). link is the symlink target to print, if any.
func (em *emitter) emitInode(ino uint32, in *inode, allocated bool, nv *nameView, link []byte, off int64) error {
	b := em.buf[:0]
	mark := func() int { return len(b) }

	// name as the Sleuth Kit prints it
	a := mark()
	b = append(b, nv.TSK...)
	if len(link) > 0 {
		b = append(b, " -> "...)
		b = append(b, link...)
	}
	if nv.Deleted {
		if in != nil && allocated {
			b = append(b, " (deleted-realloc)"...)
		} else {
			b = append(b, " (deleted)"...)
		}
	}
	if nv.Journal >= 0 {
		b = append(b, " (journal transaction "...)
		b = strconv.AppendInt(b, nv.Journal, 10)
		b = append(b, ')')
	}
	name := span{a, mark()}

	a = mark()
	b = append(b, nv.Type, '/')
	if in == nil {
		b = append(b, "----------"...)
	} else {
		b = appendMode(b, in.Mode)
	}
	mode := span{a, mark()}

	// time texts: seconds[.nanoseconds]
	type tm struct {
		desc string
		t    timestamp
		orig span
	}
	var times [5]tm
	nt := 0
	add := func(desc string, t timestamp) {
		if t.zero() {
			return
		}
		a := len(b)
		b = strconv.AppendInt(b, t.Sec, 10)
		if t.Nsec != 0 {
			b = append(b, '.')
			var ns [9]byte
			v := t.Nsec
			for i := 8; i >= 0; i-- {
				ns[i] = byte('0' + v%10)
				v /= 10
			}
			b = append(b, ns[:]...)
		}
		times[nt] = tm{desc, t, span{a, len(b)}}
		nt++
	}
	if in != nil {
		add(timeline.TimeModified, in.Mtime)
		add(timeline.TimeAccessed, in.Atime)
		add(timeline.TimeChanged, in.Ctime)
		if in.HasCr {
			add(timeline.TimeBorn, in.Crtime)
		}
		if !allocated && in.Dtime != 0 && nv.Journal < 0 {
			add(timeline.TimeDeleted, timestamp{Sec: int64(in.Dtime)})
		}
	}
	em.buf = b // all appends done: spans are stable now

	// One record: the fields shared by its events are filled once, the
	// time fields per event.
	ev := &em.ev
	ev.Reset()
	ev.Zone = "UTC"
	ev.Host = em.host
	ev.Evidence = em.evid
	ev.RefPath = em.refPath
	ev.Offset = off
	ev.Inode = int64(ino)
	ev.MFT = timeline.Absent
	ev.Path = nv.Real
	ev.Message = em.str(name)
	if nv.Journal >= 0 {
		ev.Source = sourceJournal
	} else {
		ev.Source = sourceFS
	}
	if in != nil && !allocated || in == nil {
		ev.AddTag("deleted")
	}
	if nv.Tags != "" {
		ev.AddTag(nv.Tags)
	}
	if nv.Stomp.tags != "" {
		ev.AddTag(nv.Stomp.tags)
	}
	ev.MarkFS(in != nil && allocated)
	ev.FS.Mode = em.str(mode)
	if in == nil {
		ev.FS.UID, ev.FS.GID, ev.FS.Size, ev.FS.Links = 0, 0, 0, 0
	} else {
		ev.FS.UID, ev.FS.GID, ev.FS.Size, ev.FS.Links = int64(in.UID), int64(in.GID), int64(in.Size), int64(in.Links)
	}
	if nv.Journal >= 0 {
		ev.AddExtra("transaction", strconv.FormatInt(nv.Journal, 10))
	}
	if nt == 0 {
		ev.TimeDesc = timeline.TimeUnknown
		return em.sink.Emit(ev)
	}
	tags, untrusted := ev.Tags, ""
	if nv.Stomp.untrusted != 0 {
		untrusted = tags + "," + TagUntrusted
	}
	for i := 0; i < nt; i++ {
		ev.Tags = tags
		if d := times[i].desc; d == timeline.TimeModified && nv.Stomp.untrusted&untrustedM != 0 ||
			d == timeline.TimeAccessed && nv.Stomp.untrusted&untrustedA != 0 {
			ev.Tags = untrusted
		}
		ev.Time = times[i].t.unixNano()
		ev.TimeDesc = times[i].desc
		ev.TimeOrig = em.str(times[i].orig)
		ev.Action = ""
		if times[i].desc == timeline.TimeDeleted {
			ev.Action = timeline.ActionDelete
		}
		if err := em.sink.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}
