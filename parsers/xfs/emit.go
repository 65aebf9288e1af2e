package xfs

import (
	"strconv"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// emitter turns inodes into events.
type emitter struct {
	sink timeline.Sink
	in   *parsers.Input
	vol  *parsers.Volume
	ev   timeline.Event
	buf  []byte
}

// emit sends one event per set time of in (one "unknown" event when it has
// none or in is nil) under the TSK-style name tsk and the path real.
func (em *emitter) emit(ino uint64, in *inode, allocated bool, tsk, real string, deleted bool, off int64) error {
	ev := &em.ev
	ev.Reset()
	ev.Source = Source
	ev.Zone = "UTC"
	ev.Host = em.in.Host
	ev.Evidence = em.in.Evidence
	ev.RefPath = em.vol.RefPath
	ev.Offset = off
	ev.Inode = int64(ino)
	ev.MFT = timeline.Absent
	ev.Path = real
	nm := tsk
	if deleted {
		if in != nil && allocated {
			nm += " (deleted-realloc)"
		} else {
			nm += " (deleted)"
		}
	}
	if deleted || !allocated {
		ev.AddTag("deleted")
	}
	ev.Message = nm
	// The meta address is the inode, the name the message (timeline/fs.go).
	if in == nil {
		ev.MarkFS(false)
		ev.FS.Mode = "-/----------"
		ev.FS.UID, ev.FS.GID, ev.FS.Size, ev.FS.Links = 0, 0, 0, 0
		ev.TimeDesc = timeline.TimeUnknown
		return em.sink.Emit(ev)
	}
	ev.MarkFS(allocated)
	em.buf = appendMode(em.buf[:0], in.mode)
	ev.FS.Mode = string(em.buf)
	ev.FS.UID, ev.FS.GID, ev.FS.Size, ev.FS.Links = int64(in.uid), int64(in.gid), int64(in.size), int64(in.nlink)
	times := [...]struct {
		t    timestamp
		desc string
	}{{in.mtime, timeline.TimeModified}, {in.atime, timeline.TimeAccessed}, {in.ctime, timeline.TimeChanged}, {in.crtm, timeline.TimeBorn}}
	timed := false
	for _, t := range times {
		if !t.t.set {
			continue
		}
		timed = true
		ev.Time, ev.TimeDesc = t.t.ns, t.desc
		ev.TimeOrig = strconv.FormatInt(t.t.ns, 10)
		if err := em.sink.Emit(ev); err != nil {
			return err
		}
	}
	if !timed {
		ev.TimeDesc = timeline.TimeUnknown
		return em.sink.Emit(ev)
	}
	return nil
}

// typeLetter is the Sleuth Kit's letter for a file type.
func typeLetter(mode uint16) byte {
	switch mode & sIFMT {
	case sIFREG:
		return 'r'
	case sIFDIR:
		return 'd'
	case sIFLNK:
		return 'l'
	case 0o010000:
		return 'p'
	case 0o020000:
		return 'c'
	case 0o060000:
		return 'b'
	case 0o140000:
		return 's'
	}
	return '-'
}

// appendMode appends the Sleuth Kit's "t/tmode" string: the type letter,
// '/', then ls -l's ten characters.
func appendMode(dst []byte, mode uint16) []byte {
	t := typeLetter(mode)
	dst = append(dst, t, '/', t)
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		c := byte('-')
		if mode&(1<<(8-i)) != 0 {
			c = rwx[i]
		}
		dst = append(dst, c)
	}
	n := len(dst)
	special := [3]struct {
		bit      uint16
		at       int
		set, uns byte
	}{{0o4000, n - 7, 's', 'S'}, {0o2000, n - 4, 's', 'S'}, {0o1000, n - 1, 't', 'T'}}
	for _, s := range special {
		if mode&s.bit != 0 {
			if dst[s.at] == 'x' {
				dst[s.at] = s.set
			} else {
				dst[s.at] = s.uns
			}
		}
	}
	return dst
}
