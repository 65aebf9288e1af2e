package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/disk"
	"github.com/kiseki-forensics/kiseki/parsers/memory"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Files inside file systems. A disk image's parser gets an innerSink: for
// every volume whose file system can read file contents (FileSystem.Files),
// the file system's events are watched, and every regular file they name
// is probed while the walk goes on. A file whose name or first bytes a
// format claims is parsed as if it were in the bundle: its events go into
// the image's run (so a resumed ingest never parses it twice), carry the
// image's evidence id and host, RefPath "<volume>!<path>" (the archive
// member convention), the file's inode or MFT entry, and the line and
// offset inside the file that its parser gives them. Each parsed file is
// summarised under its image (ItemSummary.Inner).

// innerProbe is how many leading bytes of every regular file (decompressed
// for compressed files) are read to decide whether a format may claim it;
// only the files claimed have their full head read. It bounds the cost of
// probing every file of a large volume: format detectors read their first
// 20 to 50 lines, which fit in 8 KiB for every log this side of a very
// long URL.
const innerProbe = 8 << 10

// minInnerScore is the detection score a format needs to claim a file inside
// an image. Bundle files are given on purpose and take the best score;
// a volume holds many files nobody meant as evidence (sources, manuals,
// configuration), and a weak guess on one of them only adds noise.
const minInnerScore = 60

// innerQueue is how many files the walk may get ahead of the workers.
const innerQueue = 256

// innerSkip lists formats never run on files inside images: containers
// (an image inside an image is not opened again) and memory dumps.
var innerSkip = map[string]bool{disk.FormatName: true, memory.FormatName: true}

// TagRecovered marks the events parsed from the data of a deleted file:
// its blocks were unallocated when read and may hold later data in part.
const TagRecovered = "recovered"

// innerSink is the sink of a unit whose format may open volumes: the unit's
// countingSink, plus the Volume hook the disk-image layer looks for.
type innerSink struct {
	*countingSink
	ctx  context.Context
	base parsers.Input // zone, year, options, host and evidence of the unit
	// for archives found inside the image (parseArchive)
	c  *Case
	b  *Bundle
	u  *unit
	f  BundleFile
	mu sync.Mutex // serialises every Emit into the unit's run writer
}

// withInner returns the sink a unit's parser of format f gets: for disk
// images an innerSink, for every other format the plain countingSink (log
// parsers keep their lock-free path).
func (c *Case) withInner(ctx context.Context, b *Bundle, u *unit, bf BundleFile, sink *countingSink, base *parsers.Input, f *parsers.Format) timeline.Sink {
	if f.Name != disk.FormatName {
		return sink
	}
	s := &innerSink{countingSink: sink, ctx: ctx, base: *base, c: c, b: b, u: u, f: bf}
	s.base.ReaderAt, s.base.Open, s.base.Parts = nil, nil, nil
	return s
}

// Emit passes an event of the unit itself (not of a volume) on.
func (s *innerSink) Emit(ev *timeline.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.countingSink.Emit(ev)
}

// Volume is called by the disk-image layer before a file system parses vol.
func (s *innerSink) Volume(fs *parsers.FileSystem, vol *parsers.Volume) (timeline.Sink, func()) {
	if fs.Files == nil || len(fs.Sources) == 0 {
		return s, func() {}
	}
	files, err := fs.Files(vol)
	if err != nil {
		s.warn(fmt.Sprintf("%s: files inside the %s volume are not parsed: %v", vol.RefPath, fs.Name, err))
		return s, func() {}
	}
	v := &volumeSink{s: s, vol: vol, files: files, source: fs.Sources[0].Name,
		queue: make(chan innerJob, innerQueue), claimed: map[int64]bool{}, lastKey: -1}
	for range max(runtime.GOMAXPROCS(0), 1) {
		v.wg.Go(v.work)
	}
	return v, v.finish
}

// innerJob is a file the walk named: the fields of its event that
// FileData.File reads.
type innerJob struct{ ev timeline.Event }

// volumeSink receives a volume's file system events, passes them on, and
// queues the files they name for the workers.
type volumeSink struct {
	s       *innerSink
	vol     *parsers.Volume
	files   parsers.FileData
	source  string
	queue   chan innerJob
	wg      sync.WaitGroup
	lastKey int64

	mu      sync.Mutex // guards claimed and results
	claimed map[int64]bool
	results []ItemSummary
}

// take reports whether the file with this key is not parsed yet, and
// marks it parsed: a file whose names the walk gives apart (a hard link in
// another directory) is parsed once. Only parsed files are kept, so the
// set stays as small as the files a format claims.
func (v *volumeSink) take(key int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.claimed[key] {
		return false
	}
	v.claimed[key] = true
	return true
}

func (v *volumeSink) Emit(ev *timeline.Event) error {
	key := ev.Inode
	if key == timeline.Absent {
		key = ev.MFT
	}
	queue := ev.Source == v.source && key > 0 && key != v.lastKey && ev.Path != ""
	var job innerJob
	if queue {
		v.lastKey = key
		job.ev = timeline.Event{Inode: ev.Inode, MFT: ev.MFT, Path: strings.Clone(ev.Path), Source: ev.Source}
	}
	if err := v.s.Emit(ev); err != nil {
		return err
	}
	if !queue {
		return nil
	}
	select {
	case v.queue <- job:
		return nil
	case <-v.s.ctx.Done():
		return v.s.ctx.Err()
	}
}

// finish waits for the files queued and adds their summaries to the unit's.
func (v *volumeSink) finish() {
	close(v.queue)
	v.wg.Wait()
	sort.Slice(v.results, func(i, j int) bool { return v.results[i].Path < v.results[j].Path })
	sum := v.s.summary
	v.s.countingSink.mu.Lock() // Errors is shared with warn
	defer v.s.countingSink.mu.Unlock()
	for _, r := range v.results {
		sum.Inner = append(sum.Inner, r)
		sum.Events += r.Events
		sum.Unparsed += r.Unparsed
		sum.Artifacts += r.Artifacts
		sum.Errors += r.Errors
	}
}

func (v *volumeSink) work() {
	for j := range v.queue {
		if v.s.ctx.Err() != nil {
			continue // drain: the walk stops on its own
		}
		f, ok := v.files.File(&j.ev)
		if !ok {
			continue
		}
		if res := v.parse(f, false); len(res) > 0 {
			v.mu.Lock()
			v.results = append(v.results, res...)
			v.mu.Unlock()
		}
	}
}

// parse detects and parses one file of the volume (or a member of an
// archive inside it) and returns its summary, or an archive's members';
// nothing when no format claims it (nothing was emitted then).
func (v *volumeSink) parse(f parsers.InnerFile, inArchive bool) []ItemSummary {
	name := v.vol.RefPath + "!" + f.Path
	probe := make([]byte, min(f.Size, innerProbe))
	if n, _ := f.R.ReadAt(probe, 0); n < len(probe) {
		return nil // unreadable: the file system walk reports what it can
	}
	comp := sniffCompression(probe)
	detectName := f.Path
	if comp != CompNone {
		detectName = stripCompressionExt(detectName)
	}
	open := func() (io.ReadCloser, error) {
		// a buffer the file's size (small files are the many): a
		// compressed stream's buffer holds compressed bytes only
		buf := int(min(max(f.Size, 4<<10), streamBuffer))
		return streamOf(io.NewSectionReader(f.R, 0, f.Size), func() error { return nil }, name, comp, f.Size, nil, buf)
	}
	// Decide on the first innerProbe bytes (decompressed); only a file
	// that an archive reader or a format claims has its full head read,
	// and detection runs again on it, as for a bundle file.
	head := probe
	if comp != CompNone {
		var err error
		if head, err = readAll(open, innerProbe); err != nil {
			return nil
		}
	}
	if sniffArchive(head) == "" && claim(detectName, head) == nil {
		return nil
	}
	if comp != CompNone || int64(len(probe)) < f.Size {
		var err error
		if head, err = readAll(open, parsers.HeadSize); err != nil {
			return nil
		}
	}
	if kind := sniffArchive(head); kind != "" {
		if inArchive || !v.take(f.Key) {
			return nil // archives inside archives are not opened again
		}
		return v.parseArchive(f, name, kind, comp)
	}
	format := claim(detectName, head)
	if format == nil || !inArchive && !v.take(f.Key) {
		return nil
	}
	ms := ItemSummary{Evidence: v.s.summary.Evidence, Path: name, Host: v.s.summary.Host, Format: format.Name, Status: "parsed"}
	if comp != CompNone {
		ms.Format += "+" + string(comp)
	}
	sink := &countingSink{next: &innerRefSink{v: v, f: &f}, summary: &ms, arts: &artifactStore{},
		clockOffset: v.s.clockOffset, offsetLabel: v.s.offsetLabel}
	in := v.s.base
	in.Name, in.ModTime, in.Warn, in.Open = name, f.ModTime, sink.warn, open
	if comp == CompNone {
		in.ReaderAt, in.Size = f.R, f.Size
	}
	err := parsers.SafeParse(v.s.ctx, format, &in, sink)
	if err != nil && !errors.Is(err, context.Canceled) {
		sink.warn(err.Error())
		ms.Status = "failed"
	}
	sink.setTimes()
	return []ItemSummary{ms}
}

// parseArchive reads a tar or zip archive found inside the image with the
// readers of a bundle's archives (engine/archive.go): the file is spooled
// to the unit's work directory once, and each member, spooled in turn, is
// probed and parsed like a file of the volume, "<path>!<member>", with the
// archive file's inode or MFT reference. A member no format claims is
// skipped, as files of the volume are.
func (v *volumeSink) parseArchive(f parsers.InnerFile, name, kind string, comp Compression) []ItemSummary {
	s := v.s
	var out []ItemSummary
	fail := func(err error) []ItemSummary {
		if errors.Is(err, context.Canceled) {
			return out
		}
		ms := ItemSummary{Evidence: s.summary.Evidence, Path: name, Host: s.summary.Host, Format: kind, Status: "failed",
			Errors: 1, Messages: []string{fmt.Sprintf("%s: %s archive: %v", name, kind, err)}}
		return append(out, ms)
	}
	// The archive file itself is the image's bytes (no expansion); its
	// members count against its own limit and the bundle's.
	budget := &expansionBudget{archiveLeft: max(f.Size*maxExpansion, minBombLimit), bundle: &s.b.expanded}
	tmp, err := s.c.spool(s.u, member{name: name, size: f.Size, mod: f.ModTime, open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(f.R, 0, f.Size)), nil
	}}, &expansionBudget{archiveLeft: f.Size, bundle: new(atomic.Int64)})
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp)
	bf := BundleFile{Rel: name, Abs: tmp, Size: f.Size, Mod: f.ModTime}
	each := func(m member) error {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		mt, err := s.c.spool(s.u, m, budget)
		if err != nil {
			return err
		}
		defer os.Remove(mt)
		fh, err := os.Open(mt)
		if err != nil {
			return err
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil || st.Size() == 0 {
			return err
		}
		mf := f
		mf.Path, mf.Size, mf.ModTime, mf.R = f.Path+"!"+m.name, st.Size(), m.mod, fh
		out = append(out, v.parse(mf, true)...)
		return nil
	}
	limit := max(f.Size*maxExpansion, minBombLimit)
	switch kind {
	case "tar":
		err = eachTarMember(bf, comp, limit, each)
	case "zip":
		err = eachZipMember(bf, comp, limit, each)
	}
	if err != nil {
		return fail(err)
	}
	return out
}

// claim returns the format that claims a file inside an image, if any.
func claim(name string, head []byte) *parsers.Format {
	for _, c := range parsers.Detect(name, head) {
		if c.Score < minInnerScore {
			return nil
		}
		if !innerSkip[c.Format.Name] {
			return c.Format
		}
	}
	return nil
}

// readAll reads up to n bytes of a stream.
func readAll(open func() (io.ReadCloser, error), n int) ([]byte, error) {
	r, err := open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(r, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) && k == 0 {
		return nil, err
	}
	return buf[:k], nil
}

// innerRefSink gives the events of a file inside an image the file's
// inode or MFT reference and passes them into the unit's run.
type innerRefSink struct {
	v *volumeSink
	f *parsers.InnerFile
}

func (r *innerRefSink) Emit(ev *timeline.Event) error {
	if ev.Inode == timeline.Absent {
		ev.Inode = r.f.Inode
	}
	if ev.MFT == timeline.Absent {
		ev.MFT = r.f.MFT
	}
	if r.f.Deleted {
		ev.AddTag(TagRecovered)
	}
	s := r.v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next.Emit(ev)
}
