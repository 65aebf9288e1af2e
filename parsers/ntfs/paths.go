package ntfs

import "strings"

const rootEntry = 5

// maxDepth bounds a directory chain; deeper chains are treated as loops.
const maxDepth = 1024

// Path states.
const (
	stUnknown = iota
	stBusy
	stDone
)

// resolver builds directory paths by entry index (never by the record
// number in the entry header, which mkntfs leaves 0 in entries 16-23).
type resolver struct {
	p      *volParser
	state  []uint8
	path   []string // directory path without a trailing slash; "" for the root
	orphan []bool   // the chain ends at a parent that was reused or is missing
}

func (r *resolver) init(p *volParser) {
	r.p = p
	r.state = make([]uint8, len(p.entries))
	r.path = make([]string, len(p.entries))
	r.orphan = make([]bool, len(p.entries))
}

// primaryName is the $FILE_NAME an entry's own path is built from: the
// first long (POSIX, Win32 or Win32&DOS) name, else a DOS name.
func primaryName(e *entry) *fnInfo {
	for i := range e.fns {
		if e.fns[i].nspace != nsDOS {
			return &e.fns[i]
		}
	}
	if len(e.fns) > 0 {
		return &e.fns[0]
	}
	return nil
}

// parentOK reports whether entry pidx is still the parent that a
// $FILE_NAME with (pidx, pseq) names: same sequence number, or, for a
// deleted parent, one higher (NTFS bumps the sequence on delete; the Sleuth
// Kit accepts the same).
func (r *resolver) parentOK(pidx uint64, pseq uint16) bool {
	if pidx >= uint64(len(r.p.entries)) {
		return false
	}
	pe := &r.p.entries[pidx]
	if !pe.valid || pe.base != 0 {
		return false
	}
	if pseq == 0 || pe.seq == pseq {
		return true
	}
	return pe.flags&flagInUse == 0 && pe.seq == pseq+1
}

// dir returns the path of directory entry idx and whether it hangs off an
// orphan.
func (r *resolver) dir(idx uint64, depth int) (string, bool) {
	if idx == rootEntry {
		return "", false
	}
	switch r.state[idx] {
	case stDone:
		return r.path[idx], r.orphan[idx]
	case stBusy:
		r.p.warn("loop", "directory loop at MFT entry %d", idx)
		return "/<loop " + itoa(int64(idx)) + ">", true
	}
	if depth > maxDepth {
		r.p.warn("loop", "directory chain deeper than %d at MFT entry %d", maxDepth, idx)
		return "/<too deep>", true
	}
	e := &r.p.entries[idx]
	f := primaryName(e)
	var path string
	var orphan bool
	if f == nil {
		path, orphan = "/OrphanFile-"+itoa(int64(idx)), true
	} else {
		r.state[idx] = stBusy
		path, orphan = r.child(f, depth+1)
	}
	r.state[idx], r.path[idx], r.orphan[idx] = stDone, path, orphan
	return path, orphan
}

// child returns the path of a name: its parent's path plus the name.
func (r *resolver) child(f *fnInfo, depth int) (string, bool) {
	if !r.parentOK(f.parent, f.parentSeq) {
		return "/" + f.name, true
	}
	pp, orphan := r.dir(f.parent, depth)
	return pp + "/" + f.name, orphan
}

func itoa(v int64) string {
	var b [20]byte
	i := len(b)
	neg := v < 0
	if neg {
		v = -v
	}
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// tskName replaces control characters as fls does when printing names.
func tskName(s string) string {
	if strings.IndexFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f }) < 0 {
		return s
	}
	return strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f {
			return '^'
		}
		return c
	}, s)
}
