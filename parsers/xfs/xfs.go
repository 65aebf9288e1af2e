package xfs

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Source is the source of the events.
const Source = "xfs"

func init() {
	parsers.RegisterFileSystem(&parsers.FileSystem{Name: Source, Detect: Detect, Parse: Parse, Files: Files,
		Sources: []parsers.Source{{Name: Source, Class: parsers.ClassFS}}})
}

// Detect reports whether r starts with an XFS superblock this package reads.
func Detect(r io.ReaderAt, size int64) bool {
	_, err := readSuper(r)
	return err == nil
}

// maxDirDepth bounds directory nesting (a directory loop in a damaged tree).
const maxDirDepth = 512

// Parse reads the volume: names from the directory tree, then every inode
// of the inode B+trees with its names. A panic inside is returned as an
// error naming the volume.
func Parse(ctx context.Context, vol *parsers.Volume, sink timeline.Sink) (err error) {
	in := vol.Input
	if in == nil {
		in = &parsers.Input{}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: XFS: internal error while reading the file system: %v", vol.RefPath, r)
		}
	}()
	warnf := func(format string, args ...any) {
		in.Problem(parsers.Problem{Name: vol.RefPath, Offset: -1, Kind: "xfs", Err: fmt.Errorf(format, args...)})
	}
	sb, err := readSuper(vol.R)
	if err != nil {
		return fmt.Errorf("%s: XFS: %w", vol.RefPath, err)
	}
	f := &fsys{r: vol.R, size: vol.Size, sb: sb, warnf: warnf}
	if end := int64(sb.dblocks) * sb.blockSize; vol.Size > 0 && end > vol.Size {
		warnf("image truncated: the file system claims %d bytes but the volume ends at offset %d; reading what is there", end, vol.Size)
	}
	w := &walker{f: f, names: map[uint64][]name{}, dirSeen: map[uint64]bool{}, mount: strings.TrimRight(in.Options["mount"], "/")}
	w.walk(ctx, sb.rootIno, "", 0)
	if err := ctx.Err(); err != nil {
		return err
	}
	em := &emitter{sink: sink, in: in, vol: vol}
	return w.emitAll(ctx, em)
}

// name is one name of an inode.
type name struct {
	path    string // TSK-style path from the root, "/a/b"
	deleted bool
	off     int64 // volume offset of the directory entry
}

type walker struct {
	f       *fsys
	names   map[uint64][]name
	dirSeen map[uint64]bool
	mount   string
}

// walk lists directory ino (at path) and descends into its subdirectories.
func (w *walker) walk(ctx context.Context, ino uint64, path string, depth int) {
	if ctx.Err() != nil || w.dirSeen[ino] {
		return
	}
	w.dirSeen[ino] = true
	if depth > maxDirDepth {
		w.f.warnf("%s: directories nested deeper than %d; not followed", path, maxDirDepth)
		return
	}
	buf := make([]byte, w.f.sb.inodeSize)
	var in inode
	if err := w.f.readInode(ino, buf, &in); err != nil {
		w.f.warnf("directory %s: %v", orRoot(path), err)
		return
	}
	ents, err := w.f.readDir(&in, w.f.sb.inoOff(ino))
	if err != nil {
		w.f.warnf("directory %s (inode %d): %v", orRoot(path), ino, err)
	}
	var sub []dirent
	for _, d := range ents {
		p := path + "/" + cleanName(d.name)
		w.names[d.ino] = append(w.names[d.ino], name{path: p, deleted: d.deleted, off: d.off})
		if !d.deleted {
			sub = append(sub, d)
		}
	}
	for _, d := range sub {
		if w.f.sb.ftype && d.ftype != ftypeDir {
			continue // the entry says it is no directory: no inode read
		}
		var cin inode
		if w.f.readInode(d.ino, buf, &cin) == nil && cin.mode&sIFMT == sIFDIR {
			w.walk(ctx, d.ino, path+"/"+cleanName(d.name), depth+1)
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// cleanName replaces control characters by '^', as the Sleuth Kit prints
// names.
func cleanName(b []byte) string {
	s := string(b)
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

// emitAll visits every inode of the inode B+trees and emits it under its
// names; then the deleted names whose inodes no chunk lists.
func (w *walker) emitAll(ctx context.Context, em *emitter) error {
	f := w.f
	s := f.sb
	chunks := f.chunks(ctx)
	sort.Slice(chunks, func(i, j int) bool {
		return chunks[i].ag < chunks[j].ag || chunks[i].ag == chunks[j].ag && chunks[i].startIno < chunks[j].startIno
	})
	buf := make([]byte, chunkInodes*s.inodeSize)
	var in inode
	for _, c := range chunks {
		if err := ctx.Err(); err != nil {
			return err
		}
		first := s.inoNum(c.ag, c.startIno)
		off := s.inoOff(first)
		n, _ := f.r.ReadAt(buf, off)
		for i := 0; i < chunkInodes; i++ {
			if c.holes&(1<<(i/4)) != 0 {
				continue
			}
			ino := first + uint64(i)
			if int64(i+1)*s.inodeSize > int64(n) {
				f.warnf("inode %d at offset %d: past the end of the volume", ino, off+int64(i)*s.inodeSize)
				break
			}
			raw := buf[int64(i)*s.inodeSize : int64(i+1)*s.inodeSize]
			if !decodeInode(raw, &in) {
				continue
			}
			allocated := c.free&(1<<i) == 0
			if err := w.emitInode(em, ino, &in, allocated, off+int64(i)*s.inodeSize); err != nil {
				return err
			}
			delete(w.names, ino)
		}
	}
	// names whose inode no chunk lists (a freed chunk): without metadata
	rest := make([]uint64, 0, len(w.names))
	for ino := range w.names {
		rest = append(rest, ino)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	for _, ino := range rest {
		for _, nm := range w.names[ino] {
			if err := em.emit(ino, nil, false, nm.path, w.mount+nm.path, nm.deleted, nm.off); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *walker) emitInode(em *emitter, ino uint64, in *inode, allocated bool, off int64) error {
	names := w.names[ino]
	if ino == w.f.sb.rootIno {
		mount := w.mount
		if mount == "" {
			mount = "/"
		}
		return em.emit(ino, in, allocated, "/", mount, false, off)
	}
	if len(names) > 0 {
		for _, nm := range names {
			if err := em.emit(ino, in, allocated, nm.path, w.mount+nm.path, nm.deleted, off); err != nil {
				return err
			}
		}
		return nil
	}
	num := strconv.FormatUint(ino, 10)
	switch {
	case allocated && hasTime(in):
		return em.emit(ino, in, true, "<inode "+num+">", "<inode "+num+">", false, off)
	case !allocated && hasTime(in):
		return em.emit(ino, in, false, "/$OrphanFiles/OrphanFile-"+num, "<deleted inode "+num+">", true, off)
	}
	return nil
}

func hasTime(in *inode) bool { return in.atime.set || in.mtime.set || in.ctime.set || in.crtm.set }
