package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// IngestOptions tune an ingest run.
type IngestOptions struct {
	Workers  int          // parallel work units; 0 = GOMAXPROCS
	Progress ProgressFunc // optional progress reporting
	Args     []string     // command line, for the audit log
	NoIndex  bool         // skip the full-text index build
	Index    IndexBuilder // builds the index after the merge (nil: no index)
	// Queryable, if set, is called as soon as the merged timeline can be
	// searched (by column scans), before the index is built, with the time
	// since the ingest started.
	Queryable func(elapsed time.Duration)
}

// ProgressFunc is told what phase ingest is in, with done and total units
// (bytes while hashing and parsing, rows while merging and indexing).
type ProgressFunc func(phase string, done, total int64)

// IndexBuilder builds the case's index for the current timeline generation.
type IndexBuilder func(ctx context.Context, c *Case, progress func(done, total int64)) error

// ItemSummary is the ingest summary of one file (or one split image).
type ItemSummary struct {
	Evidence  string   `json:"evidence"`
	Path      string   `json:"path"`
	Host      string   `json:"host"`
	Format    string   `json:"format"`
	Events    int64    `json:"events"`
	Artifacts int64    `json:"artifacts,omitempty"` // non-timed findings (memory carving)
	Unparsed  int64    `json:"unparsed"`
	Errors    int64    `json:"errors"`
	First     string   `json:"first,omitempty"`
	Last      string   `json:"last,omitempty"`
	Parts     []string `json:"parts,omitempty"`
	// Members are the files of an archive, each summarised on its own.
	Members []ItemSummary `json:"members,omitempty"`
	// Inner are the files inside a disk image's file systems that a
	// format claimed, each summarised on its own (engine/inner.go); the
	// image's counts include theirs.
	Inner      []ItemSummary `json:"inner,omitempty"`
	Candidates []string      `json:"candidates,omitempty"` // other formats that also matched
	Messages   []string      `json:"messages,omitempty"`   // warnings and errors, first ones
	// Problems counts the parsers' problems per kind (parsers.Problem);
	// the first ones of each kind are in Messages.
	Problems map[string]int64 `json:"problems,omitempty"`
	Status   string           `json:"status"` // parsed, failed, unrecognised
}

// IngestSummary is what ingest reports.
type IngestSummary struct {
	Case     string        `json:"case"`
	Items    []ItemSummary `json:"items"`
	Events   int64         `json:"events"`
	Parsed   int           `json:"parsed_now"` // units parsed in this run (0: nothing new)
	Merged   bool          `json:"merged"`
	Indexed  bool          `json:"indexed"`
	Duration string        `json:"duration"`
	// Phases gives the wall time of each phase (hash, parse, merge, index).
	Phases map[string]string `json:"phases"`
	// Queryable is the time from the start until the case could be
	// searched (timeline merged); IndexComplete until the index was
	// complete too (absent without an index).
	Queryable     string `json:"queryable"`
	IndexComplete string `json:"index_complete,omitempty"`
}

// maxMessages bounds the messages an item's summary lists (a corrupt image
// can have millions of problems; they are counted, not all listed), and
// maxMessagesPerKind how many of those one kind of problem may take, so
// one flood does not hide the other kinds.
const (
	maxMessages        = 20
	maxMessagesPerKind = 5
)

type unit struct {
	tmp     string // work directory while the unit is parsed
	rec     *EvidenceRecord
	file    BundleFile
	parts   []BundleFile
	format  *parsers.Format
	summary ItemSummary

	want      map[string]string // SHA-256 registered for each part, by Abs ("" pending)
	hashes    map[string]string // SHA-256 of each part taken while parsed, by Abs
	published bool              // parsed in this run and renamed into runs/
}

// Ingest registers, parses, merges and indexes a bundle into the case. It is
// resumable: units already parsed are kept, a unit killed half-way is
// parsed again from scratch, and nothing is ever written twice.
func Ingest(ctx context.Context, bundleDir, caseDir string, opt IngestOptions) (*IngestSummary, error) {
	start := time.Now()
	b, err := LoadBundle(bundleDir)
	if err != nil {
		return nil, err
	}
	c, err := CreateOrOpenCase(caseDir, CaseMeta{Name: b.Case, Timezone: b.Timezone, Year: b.Year})
	if err != nil {
		return nil, err
	}
	unlock, err := c.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c.Meta.Bundle != b.Dir || (b.Timezone != "" && c.Meta.Timezone != b.Timezone) {
		c.Meta.Bundle = b.Dir
		if b.Timezone != "" {
			c.Meta.Timezone = b.Timezone
		}
		if err := c.saveMeta(); err != nil {
			return nil, err
		}
	}
	if err := c.Audit("ingest-start", opt.Args, map[string]string{"bundle": b.Dir}, nil); err != nil {
		return nil, err
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	files, err := b.Files()
	if err != nil {
		return nil, err
	}
	phases := map[string]string{}
	mark := time.Now()
	phase := func(name string) {
		phases[name] = time.Since(mark).Round(time.Millisecond).String()
		mark = time.Now()
	}
	reg, err := c.register(files)
	if err != nil {
		return nil, err
	}
	units, err := plan(b, files, reg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.runsDir(), 0o755); err != nil {
		return nil, err
	}

	// Parse what is not done yet; what is done is checked by content.
	var todo, parsed []*unit
	var total int64
	for _, u := range units {
		if hashed(reg, u) && c.loadDone(u) {
			parsed = append(parsed, u)
			continue
		}
		todo = append(todo, u)
		for _, p := range u.parts {
			total += p.Size
		}
	}
	if err := c.checkUnchanged(ctx, reg, parsed, workers, progress); err != nil {
		return nil, err
	}
	phase("hash")
	var done atomic.Int64
	report := func(n int64) { progress("parse", done.Add(n), total) }
	var wg sync.WaitGroup
	queue := make(chan *unit)
	for range min(workers, max(len(todo), 1)) {
		wg.Go(func() {
			for u := range queue {
				c.parseUnit(ctx, b, u, report)
			}
		})
	}
	for _, u := range todo {
		if ctx.Err() != nil {
			break
		}
		queue <- u
	}
	close(queue)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Hashes taken while parsing and formats found go into the registry,
	// before the merge makes any event visible.
	republished := false
	for _, u := range todo {
		if r := reg.ByID(u.rec.ID); r != nil && u.published {
			r.Format = u.summary.Format
			if n, _, _, err := b.normalisation(u.file.Item); err == nil {
				r.Normalisation = &n // what input() applied to the unit's files
			}
		}
		republished = republished || u.published
	}
	for _, u := range units {
		c.publishArtifacts(u.rec.ID)
	}
	if err := c.recordHashes(reg, todo); err != nil {
		return nil, err
	}

	phase("parse")
	timeline.DropSpareChunks() // the merge needs the memory more
	sum := &IngestSummary{Case: c.Dir, Parsed: len(todo), Phases: phases}
	for _, u := range units {
		sum.Events += u.summary.Events
		if len(u.summary.Members) == 0 {
			sum.Items = append(sum.Items, u.summary)
			continue
		}
		// An archive is listed by its members; the archive's own line stays
		// only when something went wrong with the archive itself.
		sum.Items = append(sum.Items, u.summary.Members...)
		if u.summary.Errors > 0 {
			a := u.summary
			a.Members, a.Events, a.Unparsed, a.Artifacts = nil, 0, 0, 0
			sum.Items = append(sum.Items, a)
		}
	}
	sort.Slice(sum.Items, func(i, j int) bool { return sum.Items[i].Path < sum.Items[j].Path })

	merged, err := c.mergeIfNeeded(ctx, progress, republished)
	if err != nil {
		return nil, err
	}
	sum.Merged = merged
	phase("merge")
	queryable := time.Since(start)
	sum.Queryable = queryable.Round(time.Millisecond).String()
	if opt.Queryable != nil {
		opt.Queryable(queryable)
	}
	if !opt.NoIndex && opt.Index != nil {
		// Search already answers by scanning the columns; it switches to
		// the index once the build records it complete. A build killed
		// here loses nothing: the next ingest resumes it.
		err := opt.Index(ctx, c, func(d, t int64) { progress("index", d, t) })
		if err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		sum.Indexed = true
		phase("index")
		sum.IndexComplete = time.Since(start).Round(time.Millisecond).String()
	}
	sum.Duration = time.Since(start).Round(time.Millisecond).String()
	hashes := map[string]string{}
	for _, r := range reg.Items {
		hashes[r.ID] = r.SHA256
	}
	result := map[string]any{"items": len(sum.Items), "events": sum.Events, "parsed_now": sum.Parsed, "merged": merged}
	// The manifest lists every segment's SHA-256: its own, recorded in the
	// chain, lets kiseki verify check the timeline's files.
	if ms, err := c.TimelineStore().ManifestSum(); err != nil {
		return nil, err
	} else if ms != "" {
		result["timeline_manifest"] = ms
	}
	if err := c.Audit("ingest-done", opt.Args, result, hashes); err != nil {
		return nil, err
	}
	return sum, nil
}

// register lists new evidence in the registry with its id. Its SHA-256 is
// pending until the unit is parsed: it is taken from the bytes the parser
// reads (see sourceFile), and recorded before the merge.
func (c *Case) register(files []BundleFile) (*Registry, error) {
	reg, err := c.LoadRegistry()
	if err != nil {
		return nil, err
	}
	added := false
	for _, f := range files {
		if reg.byAbs(f.Abs) != nil {
			continue
		}
		reg.Items = append(reg.Items, EvidenceRecord{ID: reg.nextID(), Path: f.Rel, Abs: f.Abs, Size: f.Size,
			ModTime: f.Mod, Registered: time.Now().UTC(), Host: f.Item.Host})
		added = true
	}
	if added {
		if err := c.saveRegistry(reg); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

func (r *Registry) byAbs(abs string) *EvidenceRecord {
	for i := range r.Items {
		if r.Items[i].Abs == abs {
			return &r.Items[i]
		}
	}
	return nil
}

// plan groups split images and assigns each unit its registry record.
func plan(b *Bundle, files []BundleFile, reg *Registry) ([]*unit, error) {
	byAbs := map[string]BundleFile{}
	var paths []string
	for _, f := range files {
		byAbs[f.Abs] = f
		paths = append(paths, f.Abs)
	}
	grouped := map[string]bool{}
	var units []*unit
	for _, f := range parsers.Formats() {
		if f.Group == nil {
			continue
		}
		for _, g := range f.Group(paths) {
			if len(g) < 2 || grouped[g[0]] {
				continue
			}
			u := &unit{}
			for _, p := range g {
				bf, ok := byAbs[p]
				if !ok || grouped[p] {
					return nil, fmt.Errorf("format %s grouped %s, which is not evidence of this bundle", f.Name, p)
				}
				grouped[p] = true
				u.parts = append(u.parts, bf)
			}
			u.file = u.parts[0]
			u.format = f
			units = append(units, u)
		}
	}
	for _, f := range files {
		if !grouped[f.Abs] {
			units = append(units, &unit{file: f, parts: []BundleFile{f}})
		}
	}
	for _, u := range units {
		u.rec = reg.byAbs(u.file.Abs)
		if u.rec == nil {
			return nil, fmt.Errorf("%s: not registered", u.file.Rel)
		}
		u.summary = ItemSummary{Evidence: u.rec.ID, Path: u.file.Rel, Host: u.file.Item.Host}
		u.want = map[string]string{}
		for _, p := range u.parts {
			if r := reg.byAbs(p.Abs); r != nil {
				u.want[p.Abs] = r.SHA256
			}
		}
		if len(u.parts) > 1 {
			for _, p := range u.parts {
				u.summary.Parts = append(u.summary.Parts, p.Rel)
			}
		}
	}
	return units, nil
}

func (c *Case) unitDir(u *unit) string { return filepath.Join(c.runsDir(), u.rec.ID) }

const doneName = "done.json"

// loadDone reports whether the unit was parsed by an earlier run, and loads
// its summary. A unit that failed is not done: a re-run tries it again (the
// user may have fixed its format in the manifest).
func (c *Case) loadDone(u *unit) bool {
	var s ItemSummary
	if err := readJSON(filepath.Join(c.unitDir(u), doneName), &s); err != nil {
		return false
	}
	if s.Status == "failed" {
		return false
	}
	u.summary = s
	return true
}

// parseUnit parses one unit into runs/.tmp-ID and renames it to runs/ID when
// complete, so a killed parse leaves nothing that a later run would merge.
// The unit's files are hashed while they are parsed; when what was read
// differs from what is registered, or changed while it was read, its events
// are discarded and the unit fails.
func (c *Case) parseUnit(ctx context.Context, b *Bundle, u *unit, progress func(int64)) {
	final := c.unitDir(u)
	tmp := filepath.Join(c.runsDir(), ".tmp-"+u.rec.ID)
	os.RemoveAll(tmp)
	s := &u.summary
	fail := func(err error) {
		s.Errors++
		s.Status = "failed"
		s.Messages = append(s.Messages, err.Error())
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		fail(err)
		return
	}
	u.tmp = tmp
	srcs, err := u.openSources()
	if err != nil {
		fail(err)
		os.RemoveAll(tmp)
		return
	}
	defer closeSources(srcs)
	// A single file is hashed as the parser reads it; the parts of a split
	// image, which its parser opens by name, are hashed beside the parse.
	tee, async := srcs[0], srcs
	if len(srcs) == 1 {
		async = nil
	}
	sums := hashSourcesAsync(ctx, async)
	w := timeline.NewRunWriter(tmp)
	sink := &countingSink{next: w, summary: s, arts: &artifactStore{path: filepath.Join(tmp, artifactsFile)}}
	err = c.parseInto(ctx, b, u, sink, progress)
	if _, cerr := w.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if cerr := sink.arts.close(); err == nil && cerr != nil {
		err = cerr
	}
	hashes, herr := sums()
	if len(srcs) == 1 {
		hashes[tee.path], herr = tee.finish(ctx)
	}
	if errors.Is(err, context.Canceled) || errors.Is(herr, context.Canceled) {
		return
	}
	if herr == nil {
		herr = c.checkRegistered(u, hashes)
	}
	if herr != nil {
		// Nothing read from bytes that are not the registered ones is kept.
		s.Events, s.Unparsed, s.Artifacts, s.Members = 0, 0, 0, nil
		fail(herr)
		os.RemoveAll(tmp)
		return
	}
	u.hashes = hashes
	unrecognised := s.Status == "unrecognised"
	s.Status = "parsed"
	if err != nil {
		fail(err)
	}
	if unrecognised {
		s.Status = "unrecognised"
	}
	sink.setTimes()
	if err := writeJSONAtomic(filepath.Join(tmp, doneName), s); err != nil {
		return
	}
	os.RemoveAll(final)
	if atomicfile.Rename(tmp, final) == nil {
		u.published = true
		c.publishArtifacts(u.rec.ID)
	}
}

const artifactsFile = "artifacts.arrow"

// publishArtifacts links a unit's artifact table into CASEDIR/artifacts/,
// where readers find every table. Idempotent, so a kill between the unit's
// rename and the link is mended by the next run.
func (c *Case) publishArtifacts(id string) {
	src := filepath.Join(c.runsDir(), id, artifactsFile)
	if _, err := os.Stat(src); err != nil {
		return
	}
	dst := filepath.Join(c.ArtifactsDir(), id+".arrow")
	if _, err := os.Stat(dst); err == nil {
		return
	}
	os.MkdirAll(c.ArtifactsDir(), 0o755)
	if os.Link(src, dst) != nil {
		os.Symlink(src, dst)
	}
}

func (c *Case) parseInto(ctx context.Context, b *Bundle, u *unit, sink *countingSink, progress func(int64)) error {
	return c.parseFile(ctx, b, u, u.file, sink, progress, false)
}

// parseFile detects and parses one file: an evidence file, or a member of an
// archive spooled to a temporary file (inArchive: archives inside archives
// are not opened again).
func (c *Case) parseFile(ctx context.Context, b *Bundle, u *unit, f BundleFile, sink *countingSink, progress func(int64), inArchive bool) error {
	s := sink.summary
	if f.Size == 0 && len(u.parts) == 1 {
		s.Format = "empty" // registered and hashed; nothing to parse
		return nil
	}
	head, err := readHead(f, CompNone, 8)
	if err != nil {
		return err
	}
	comp := sniffCompression(head)
	name := f.Rel
	if comp != CompNone {
		name = stripCompressionExt(name)
	}
	head, err = readHead(f, comp, parsers.HeadSize)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Rel, err)
	}
	if kind := sniffArchive(head); kind != "" && !inArchive && u.format == nil && f.Item.Format == "" {
		s.Format = kind
		if comp != CompNone {
			s.Format += "+" + string(comp)
		}
		return c.parseArchive(ctx, b, u, f, kind, comp, sink, progress)
	}
	format := u.format
	want := f.Item.Format
	if want == "" && f.Item.Options["log_format"] != nil {
		// The user pasted the server's format line: it says how to read the file.
		want = "log-format"
	}
	if want != "" && format == nil {
		var ok bool
		if format, ok = parsers.Lookup(want); !ok {
			return fmt.Errorf("%s: bundle.yaml names format %q, which Kiseki does not know", f.Rel, want)
		}
	}
	if format == nil {
		cands := parsers.Detect(name, head)
		if len(cands) > 0 {
			format = cands[0].Format
			for _, cd := range cands[1:] {
				// Plain syslog always matches a syslog-wrapped device or
				// auth log that a specific format claimed: not ambiguous.
				if cd.Score*100 >= cands[0].Score*80 && cd.Format.Name != "syslog" {
					s.Candidates = append(s.Candidates, fmt.Sprintf("%s(%d)", cd.Format.Name, cd.Score))
				}
			}
			if len(s.Candidates) > 0 {
				s.Candidates = append([]string{fmt.Sprintf("%s(%d)", format.Name, cands[0].Score)}, s.Candidates...)
			}
		}
	}
	streamed := false
	in, closeFile, err := c.input(b, u, f, comp, func(n int64) { streamed = true; progress(n) }, sink)
	if err != nil {
		return err
	}
	defer closeFile()
	if format == nil {
		if !looksLikeText(head) {
			s.Status = "unrecognised"
			return fmt.Errorf("%s: no parser recognises this file (and it is not text)", f.Rel)
		}
		// Keep every line as raw so nothing is lost.
		s.Format = "text"
		return keepLines(ctx, in, sink)
	}
	s.Format = format.Name
	if comp != CompNone {
		s.Format += "+" + string(comp)
	}
	err = parsers.SafeParse(ctx, format, in, c.withInner(ctx, b, u, f, sink, in, format))
	if !streamed {
		progress(f.Size) // random-access formats count at the end
	}
	return err
}

// input builds the parser input of file f of a unit. The returned func
// closes the file behind Input.ReaderAt.
func (c *Case) input(b *Bundle, u *unit, f BundleFile, comp Compression, progress func(int64), sink *countingSink) (*parsers.Input, func(), error) {
	name := f.Rel
	norm, loc, offset, err := b.normalisation(f.Item)
	if err != nil {
		return nil, nil, err
	}
	opts := map[string]string{}
	for k, v := range f.Item.Options {
		opts[k] = fmt.Sprint(v)
	}
	in := &parsers.Input{
		Name: name, Evidence: u.rec.ID, Host: f.Item.Host,
		Zone: loc, ZoneSource: norm.ParserZoneSource(), Year: norm.Year, ModTime: f.Mod, Options: opts,
		Size: f.Size, Report: sink.problem,
		Open: func() (io.ReadCloser, error) { return f.open(comp, progress) },
	}
	for _, p := range u.parts {
		in.Parts = append(in.Parts, p.Abs)
	}
	closeFile := func() {}
	if comp == CompNone && f.src != nil {
		in.ReaderAt = f.src
	} else if comp == CompNone {
		rf, err := os.Open(f.Abs)
		if err != nil {
			return nil, nil, err
		}
		in.ReaderAt = rf
		closeFile = func() { rf.Close() }
	}
	if offset != 0 {
		sink.clockOffset = offset
		sink.offsetLabel = " clock_offset=" + f.Item.ClockOffset
	}
	return in, closeFile, nil
}

func keepLines(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var ev timeline.Event
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		parsers.Unparsed(&ev, in, l, 0, "no parser recognised this file")
		return sink.Emit(&ev)
	})
}

// countingSink fills in what every event of a unit shares, applies the
// source's clock correction, and counts for the summary.
type countingSink struct {
	next        timeline.Sink
	summary     *ItemSummary
	first, last int64
	clockOffset time.Duration
	offsetLabel string
	lastZone    string
	lastLabel   string
	mu          sync.Mutex // guards Errors and Messages: Warn may come from any goroutine

	arts *artifactStore // shared by the members of an archive
}

// artifactStore is a unit's artifact table, created on the first artifact.
type artifactStore struct {
	path string
	w    *artifacts.Writer
}

func (a *artifactStore) close() error {
	if a.w == nil {
		return nil
	}
	return a.w.Close()
}

// Artifact stores a non-timed finding (parsers/memory looks for this
// method on its sink).
func (s *countingSink) Artifact(a *artifacts.Artifact) error {
	if s.arts.w == nil {
		w, err := artifacts.Create(s.arts.path)
		if err != nil {
			return err
		}
		s.arts.w = w
	}
	if a.Evidence == "" {
		a.Evidence = s.summary.Evidence
	}
	s.summary.Artifacts++
	return s.arts.w.Artifact(a)
}

// setTimes writes the first and last event times into the summary.
func (s *countingSink) setTimes() {
	if s.first != 0 || s.last != 0 {
		s.summary.First = time.Unix(0, s.first).UTC().Format(time.RFC3339Nano)
		s.summary.Last = time.Unix(0, s.last).UTC().Format(time.RFC3339Nano)
	}
}

func (s *countingSink) Emit(ev *timeline.Event) error {
	if ev.Evidence == "" {
		ev.Evidence = s.summary.Evidence
	}
	if ev.Host == "" {
		ev.Host = s.summary.Host
	}
	if s.clockOffset != 0 && ev.TimeDesc != timeline.TimeUnknown {
		// The device's clock was off by clock_offset: true time = shown - offset.
		ev.Time -= int64(s.clockOffset)
		if ev.Zone != s.lastZone {
			s.lastZone, s.lastLabel = ev.Zone, ev.Zone+s.offsetLabel
		}
		ev.Zone = s.lastLabel
	}
	s.summary.Events++
	if ev.Source == timeline.SourceRaw {
		s.summary.Unparsed++
	}
	if ev.TimeDesc != timeline.TimeUnknown && ev.Time != 0 { // 0: a record with no time set
		if s.first == 0 && s.last == 0 || ev.Time < s.first {
			s.first = ev.Time
		}
		if ev.Time > s.last {
			s.last = ev.Time
		}
	}
	return s.next.Emit(ev)
}

// problem counts a parser's problem by kind and lists it while its kind
// and the item have room: the one place problems are counted and capped.
func (s *countingSink) problem(p *parsers.Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Errors++
	if s.summary.Problems == nil {
		s.summary.Problems = map[string]int64{}
	}
	s.summary.Problems[p.Kind]++
	if s.summary.Problems[p.Kind] <= maxMessagesPerKind && len(s.summary.Messages) < maxMessages {
		s.summary.Messages = append(s.summary.Messages, p.Error())
	}
}

func (s *countingSink) warn(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Errors++
	if len(s.summary.Messages) < maxMessages {
		s.summary.Messages = append(s.summary.Messages, msg)
	}
}

// mergeIfNeeded merges when the set of parsed units differs from what the
// current timeline was built from, or force says a unit was parsed again.
func (c *Case) mergeIfNeeded(ctx context.Context, progress ProgressFunc, force bool) (bool, error) {
	entries, err := os.ReadDir(c.runsDir())
	if err != nil {
		return false, err
	}
	var dirs, names []string
	var total int64
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		var s ItemSummary
		if readJSON(filepath.Join(c.runsDir(), e.Name(), doneName), &s) != nil {
			continue
		}
		dirs = append(dirs, filepath.Join(c.runsDir(), e.Name()))
		names = append(names, e.Name())
		total += s.Events
	}
	store := c.TimelineStore()
	_, m, err := store.Current()
	if err != nil {
		return false, err
	}
	if !force && slicesEqual(m.Runs, names) {
		return false, nil
	}
	_, err = store.MergeContext(ctx, dirs, names, func(rows int64) { progress("merge", rows, total) })
	return err == nil, err
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
