package cli

import (
	"bufio"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// bodyWriter writes a Sleuth Kit bodyfile (mactime -b input):
// MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime.
// File system events of one file (same evidence, volume, meta address and
// name) are folded into one line, as fls -m prints them. Only file system
// rows are written unless all is set: a log event has no mode, owner or size
// and one time, and mactime would print it as a row of placeholders. With
// all, any other event is a line of its own with its time in the slot its
// description names (mtime when it names none). When the file rows come
// from more than one image, every name is host:/mount/path, so two hosts'
// files (or two volumes of one host) cannot be mistaken for one another.
//
// A row reads only typed columns (timeline.FS): no extra JSON. The lines
// are kept in one slice and their strings in an arena, so a row costs a map
// lookup and no allocation; the lines are sorted by name at close, as
// mactime prints them.
type bodyWriter struct {
	bw    *bufio.Writer
	all   bool
	files map[bodyKey]int32 // index in lines
	lines []bodyLine
	text  arena
	buf   []byte
	// mounts is the mount prefix of each evidence item's paths, learned from
	// rows whose path is the mount followed by the file system name.
	mounts map[string]string
}

func newBodyWriter(bw *bufio.Writer) *bodyWriter {
	return &bodyWriter{bw: bw, files: map[bodyKey]int32{}, mounts: map[string]string{}}
}

// bodyKey identifies one bodyfile line: the meta address (inode, or MFT
// entry and attribute) and the name, in one evidence item and volume.
type bodyKey struct {
	evidence, ref, name string
	inode, mft, attrID  int64
	attrType            int32
}

type bodyLine struct {
	host, name, evidence, mode string
	key                        bodyKey
	uid, gid, size             int64
	a, m, c, b                 int64
}

// arenaBlock is the size of the arena's blocks: large enough that a block
// holds thousands of names, small enough to waste little at the end.
const arenaBlock = 1 << 20

// arena holds copies of strings that must outlive the segment they were
// read from, in blocks that never move, so each copy is not an allocation.
type arena struct{ block []byte }

// keep returns a copy of s in the arena.
func (a *arena) keep(s string) string {
	if len(s) == 0 {
		return ""
	}
	if cap(a.block)-len(a.block) < len(s) {
		a.block = make([]byte, 0, max(arenaBlock, len(s)))
	}
	at := len(a.block)
	a.block = append(a.block, s...)
	return unsafe.String(&a.block[at], len(s))
}

func (w *bodyWriter) write(_ int64, ev *timeline.Event) error {
	secs := ev.Time / 1e9
	if !ev.IsFS() {
		if !w.all {
			return nil
		}
		return w.writeOther(ev, secs)
	}
	k := bodyKey{evidence: ev.Evidence, ref: ev.RefPath, name: ev.Message, inode: ev.Inode, mft: ev.MFT,
		attrType: ev.FS.AttrType, attrID: ev.FS.AttrID}
	i, ok := w.files[k]
	if !ok {
		k.evidence, k.ref, k.name = w.text.keep(k.evidence), w.text.keep(k.ref), w.text.keep(k.name)
		i = int32(len(w.lines))
		w.files[k] = i
		w.lines = append(w.lines, bodyLine{host: w.text.keep(sanitize(ev.Host)), name: w.text.keep(sanitize(ev.Message)),
			evidence: k.evidence, mode: w.text.keep(ev.FS.Mode), key: k, uid: ev.FS.UID, gid: ev.FS.GID, size: ev.FS.Size})
		w.learnMount(ev.Evidence, ev.Path, ev.Message)
	}
	l := &w.lines[i]
	switch f := ev.MACB(); {
	case f&timeline.FSTimeA != 0:
		l.a = secs
	case f&timeline.FSTimeM != 0:
		l.m = secs
	case f&timeline.FSTimeC != 0:
		l.c = secs
	case f&timeline.FSTimeB != 0:
		l.b = secs
	}
	return nil
}

// writeOther writes a row that is not of a file system as a line of its
// own, its time in the slot its description names (mtime if none).
func (w *bodyWriter) writeOther(ev *timeline.Event, secs int64) error {
	l := bodyLine{name: summary(ev), key: bodyKey{inode: max(ev.Inode, 0), mft: timeline.Absent}}
	switch suffixAfterUnderscore(ev.TimeDesc) {
	case timeline.TimeAccessed:
		l.a = secs
	case timeline.TimeChanged:
		l.c = secs
	case timeline.TimeBorn:
		l.b = secs
	default:
		l.m = secs
	}
	w.buf = l.append(w.buf[:0])
	_, err := w.bw.Write(w.buf)
	return err
}

// learnMount records the mount prefix of an evidence item's file paths: a
// file's path is its mount point followed by its name in the file system
// (orphans and names with replaced bytes do not tell, and are skipped).
func (w *bodyWriter) learnMount(evidence, path, name string) {
	if _, ok := w.mounts[evidence]; ok || len(name) < 2 || name[0] != '/' || !strings.HasSuffix(path, name) {
		return
	}
	w.mounts[strings.Clone(evidence)] = strings.Clone(path[:len(path)-len(name)])
}

// append appends the line as fls -m prints it.
func (l *bodyLine) append(b []byte) []byte {
	b = append(b, "0|"...)
	for name := l.name; ; {
		i := strings.IndexByte(name, '|')
		if i < 0 {
			b = append(b, name...)
			break
		}
		b = append(b, name[:i]...)
		b = append(b, `\x7c`...)
		name = name[i+1:]
	}
	b = append(b, '|')
	ev := timeline.Event{Inode: l.key.inode, MFT: l.key.mft, FS: timeline.FS{AttrType: l.key.attrType, AttrID: l.key.attrID}}
	b = ev.AppendMeta(b)
	b = append(b, '|')
	if l.mode == "" {
		b = append(b, '0')
	}
	b = append(b, l.mode...)
	for _, v := range [...]int64{max(l.uid, 0), max(l.gid, 0), max(l.size, 0), l.a, l.m, l.c, l.b} {
		b = append(b, '|')
		b = strconv.AppendInt(b, v, 10)
	}
	return append(b, '\n')
}

func (w *bodyWriter) close() error {
	images := map[[2]string]bool{}
	for i := range w.lines {
		images[[2]string{w.lines[i].key.evidence, w.lines[i].key.ref}] = true
	}
	if len(images) > 1 {
		for i := range w.lines {
			l := &w.lines[i]
			sep := ""
			if !strings.HasPrefix(l.name, "/") { // "<inode 7>": a reserved inode without a name
				sep = "/"
			}
			l.name = l.host + ":" + w.mounts[l.evidence] + sep + l.name
		}
	}
	slices.SortStableFunc(w.lines, func(a, b bodyLine) int { return strings.Compare(a.name, b.name) })
	for i := range w.lines {
		w.buf = w.lines[i].append(w.buf[:0])
		if _, err := w.bw.Write(w.buf); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
