package fat

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Sources of the events, one per file system.
const (
	SourceFAT   = "fat"
	SourceExFAT = "exfat"
)

func init() {
	parsers.RegisterFileSystem(&parsers.FileSystem{Name: SourceFAT, Detect: DetectFAT, Parse: Parse, Files: Files,
		Sources: []parsers.Source{{Name: SourceFAT, Class: parsers.ClassFS}}})
	parsers.RegisterFileSystem(&parsers.FileSystem{Name: SourceExFAT, Detect: DetectExFAT, Parse: Parse, Files: Files,
		Sources: []parsers.Source{{Name: SourceExFAT, Class: parsers.ClassFS}}})
}

// DetectFAT reports whether r starts with a FAT12/16/32 boot sector.
func DetectFAT(r io.ReaderAt, size int64) bool {
	g, err := readBoot(r, size)
	return err == nil && g.kind != kindExFAT
}

// DetectExFAT reports whether r starts with an exFAT boot sector.
func DetectExFAT(r io.ReaderAt, size int64) bool {
	g, err := readBoot(r, size)
	return err == nil && g.kind == kindExFAT
}

// Parse walks the volume's directory tree from the root and emits the
// events of every entry found, allocated or deleted. A panic inside the
// walk is returned as an error naming the volume.
func Parse(ctx context.Context, vol *parsers.Volume, sink timeline.Sink) (err error) {
	in := vol.Input
	if in == nil {
		in = &parsers.Input{}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: FAT: internal error while reading the file system: %v", vol.RefPath, r)
		}
	}()
	warnf := func(format string, args ...any) {
		in.Problem(parsers.Problem{Name: vol.RefPath, Offset: -1, Kind: "fat", Err: fmt.Errorf(format, args...)})
	}
	v, err := openVolume(vol.R, vol.Size, warnf)
	if err != nil {
		return fmt.Errorf("%s: FAT: %w", vol.RefPath, err)
	}
	w := &walker{v: v, loc: in.Zone, zone: in.ZoneLabel(), sink: sink, seen: map[uint32]bool{}, emitted: map[int64]bool{}, in: in, vol: vol,
		mount: strings.TrimRight(in.Options["mount"], "/")}
	if w.loc == nil {
		w.loc = time.UTC
	}
	w.source = SourceFAT
	if v.g.kind == kindExFAT {
		w.source = SourceExFAT
	}
	if err := w.walkRoot(ctx); err != nil {
		return err
	}
	return w.scanOrphans(ctx)
}

// walker visits directories depth first and emits their entries.
type walker struct {
	v      *volume
	loc    *time.Location
	zone   string
	source string
	mount  string
	sink   timeline.Sink
	seen   map[uint32]bool // first clusters of directories already read
	// emitted holds the volume offsets of the entries emitted by the
	// walk: the orphan scan skips them.
	emitted map[int64]bool
	in      *parsers.Input
	vol     *parsers.Volume
	ev      timeline.Event
	events  int
}

func (w *walker) walkRoot(ctx context.Context) error {
	g := w.v.g
	if g.kind == kindFAT12 || g.kind == kindFAT16 {
		buf := make([]byte, g.rootSize)
		if n, err := w.v.r.ReadAt(buf, g.rootOff); n < len(buf) {
			return fmt.Errorf("%s: FAT: root directory at offset %d: read %d of %d bytes: %v", w.vol.RefPath, g.rootOff, n, len(buf), err)
		}
		return w.walkDir(ctx, "", buf, func(i int) int64 { return g.rootOff + int64(i) }, 0)
	}
	w.seen[g.rootCluster] = true
	buf, offs, err := w.v.readClusters(w.v.chain(g.rootCluster, maxDirBytes/int(g.cluster)))
	if err != nil {
		w.v.warnf("root directory: %v", err)
	}
	return w.walkDir(ctx, "", buf, w.clusterOffs(offs), 0)
}

func (w *walker) clusterOffs(offs []int64) func(i int) int64 {
	cs := int(w.v.g.cluster)
	return func(i int) int64 { return offs[i/cs] + int64(i%cs) }
}

// walkDir emits the entries of one directory (path is its TSK path, "" for
// the root) and descends into its subdirectories.
func (w *walker) walkDir(ctx context.Context, path string, buf []byte, offsAt func(int) int64, depth int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var entries []entry
	if w.v.g.kind == kindExFAT {
		entries = w.v.parseExFATDir(buf, offsAt, w.loc)
	} else {
		entries = w.v.parseFATDir(buf, offsAt, w.loc)
	}
	for i := range entries {
		e := &entries[i]
		p := path + "/" + e.name
		var sub []byte
		var subOffs []int64
		if e.dir {
			sub, subOffs = w.readDir(e, p, depth)
			if w.v.g.kind != kindExFAT {
				e.size = uint64(len(sub))
			}
		}
		if err := w.emit(e, p); err != nil {
			return err
		}
		if len(sub) > 0 {
			if err := w.walkDir(ctx, p, sub, w.clusterOffs(subOffs), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDir reads the clusters of a subdirectory: its chain when allocated
// (exFAT: its contiguous run when flagged); when deleted (FAT), its first
// cluster if that still starts with a "." entry, and the free clusters
// after it that still hold directory entries (deletedDirClusters).
func (w *walker) readDir(e *entry, p string, depth int) ([]byte, []int64) {
	g := w.v.g
	if !g.validCluster(e.cluster) || w.seen[e.cluster] {
		return nil, nil
	}
	if depth >= maxDepth {
		w.v.warnf("%s: directory nesting deeper than %d; not followed", p, maxDepth)
		return nil, nil
	}
	w.seen[e.cluster] = true
	maxCl := maxDirBytes / int(g.cluster)
	var cl []uint32
	switch {
	case g.kind == kindExFAT && (e.contig || e.deleted):
		n := int((e.size + uint64(g.cluster) - 1) / uint64(g.cluster))
		for c := e.cluster; len(cl) < min(n, maxCl) && g.validCluster(c); c++ {
			cl = append(cl, c)
		}
	case e.deleted:
		cl = w.v.deletedDirClusters(e.cluster, maxCl)
	default:
		cl = w.v.chain(e.cluster, maxCl)
	}
	buf, offs, err := w.v.readClusters(cl)
	if err != nil {
		w.v.warnf("%s: %v", p, err)
	}
	if e.deleted && g.kind != kindExFAT && (len(buf) < direntSize || buf[0] != '.' || buf[11]&attrDir == 0) {
		return nil, nil // the cluster was reused: not this directory any more
	}
	return buf, offs
}

// emit sends one event per time of the entry found at path p.
func (w *walker) emit(e *entry, p string) error {
	w.emitted[e.off] = true
	return w.emitAs(e, p, w.mount+p)
}

// emitAs sends one event per time of the entry, under the Sleuth Kit's
// name p and Kiseki's path real.
func (w *walker) emitAs(e *entry, p, real string) error {
	ev := &w.ev
	ev.Reset()
	ev.Source = w.source
	ev.Zone = w.zone
	ev.Host = w.in.Host
	ev.Evidence = w.in.Evidence
	ev.RefPath = w.vol.RefPath
	ev.Offset = e.off
	ev.Inode = int64(e.meta)
	ev.MFT = timeline.Absent
	ev.Path = real
	name := p
	if e.deleted {
		name += " (deleted)"
		ev.AddTag("deleted")
	}
	ev.Message = name
	ev.MarkFS(!e.deleted) // the meta address is the inode, the name the message (timeline/fs.go)
	ev.FS.Mode = modeString(e)
	ev.FS.UID, ev.FS.GID, ev.FS.Size = 0, 0, int64(e.size)
	times := [...]struct {
		ok   bool
		ns   int64
		desc string
		orig string
	}{
		{e.hasMtime, e.mtime, timeline.TimeModified, e.mOrig},
		{e.hasAtime, e.atime, timeline.TimeAccessed, e.aOrig},
		{e.hasCrtime, e.crtime, timeline.TimeBorn, e.cOrig},
	}
	timed := false
	for _, t := range times {
		if !t.ok {
			continue
		}
		timed = true
		ev.Time, ev.TimeDesc, ev.TimeOrig = t.ns, t.desc, t.orig
		if err := w.sink.Emit(ev); err != nil {
			return err
		}
		w.events++
	}
	if !timed {
		ev.TimeDesc = timeline.TimeUnknown
		w.events++
		return w.sink.Emit(ev)
	}
	return nil
}

// modeString is the Sleuth Kit's mode for a FAT entry: everyone may do
// everything, less write for read-only entries.
func modeString(e *entry) string {
	switch {
	case e.dir && e.readOnly:
		return "d/dr-xr-xr-x"
	case e.dir:
		return "d/drwxrwxrwx"
	case e.readOnly:
		return "r/rr-xr-xr-x"
	}
	return "r/rrwxrwxrwx"
}
