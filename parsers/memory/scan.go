package memory

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/memory/carve"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The scan: every range is cut into chunks of ChunkSize bytes, each read with
// Overlap bytes of its neighbours on both sides (its window), and the windows
// are scanned by GOMAXPROCS workers. A match belongs to the chunk its anchor
// (carve.Match.Anchor, the start of the value) lies in; since no match spans
// more than carve.MaxMatch characters and Overlap is more than twice that
// (UTF-16 doubles the bytes), every match is seen whole by its owner and by
// nobody else, so it is reported exactly once. Results are handed to the
// callback chunk by chunk in file order (within a chunk in the order found),
// in the calling goroutine.

const (
	// DefaultChunkSize is the owned part of one window.
	DefaultChunkSize = 8 << 20
	// Overlap is how far a window reaches into each neighbouring chunk.
	Overlap = 2*carve.MaxMatch + 64
)

// Encodings of findings.
const (
	EncASCII   = "ascii"
	EncUTF16LE = "utf16le"
)

// Finding is one value found in the image. Value and Context are valid only
// during the callback.
type Finding struct {
	Kind     carve.Kind
	Offset   int64 // file offset of the value (AVML: of the snappy chunk holding it)
	Phys     int64 // physical address, or Absent
	Virt     int64 // virtual address, or Absent
	Encoding string
	Value    []byte // UTF-16 values are given transcoded to ASCII
	Context  []byte // printable-escaped text around the value on its line
	Epoch    int64  // bash history time, seconds
	Issuer   string // card issuer
	// Format is the line format that recognised a KindLogLine finding.
	Format *parsers.Format
}

// Options tune a scan. The zero value scans with the defaults and tries no
// line formats.
type Options struct {
	ChunkSize int // default DefaultChunkSize
	Workers   int // default runtime.GOMAXPROCS(0)
	// LineFormats are tried, in order, on log line candidates; Input is
	// handed to their ParseLine (zone and year defaults).
	LineFormats []*parsers.Format
	Input       *parsers.Input
	// Warn receives problems that did not stop the scan (called in the
	// calling goroutine).
	Warn func(msg string)
}

// Stats sums up a scan.
type Stats struct {
	Bytes    int64                 // bytes of memory scanned
	Findings [carve.NumKinds]int64 // per kind (KindLogLine: lines a line format recognised)
}

type rec struct {
	kind   carve.Kind
	utf16  bool
	pos    int64 // offset within the range
	v0, v1 int32 // value in the arena
	c0, c1 int32 // context in the arena
	epoch  int64
	issuer string
	format *parsers.Format
}

type result struct {
	recs    []rec
	arena   []byte
	warns   []string
	bytes   int64
	dropped int // findings not kept: the chunk's arena was full
}

// maxArena bounds the bytes of values and contexts kept for one chunk, so
// that hostile memory (a page of "x=http://" repeated) cannot make one
// chunk's findings take gigabytes. What does not fit is counted and warned.
const maxArena = 64 << 20

type job struct {
	rg               *Range
	winStart, winEnd int64 // window within the range
	own0, own1       int   // owned part, window coordinates
	done             chan *result
}

// Scan scans the ranges of an image and calls fn for every finding, chunk
// by chunk in file order. It stops at the first error fn returns, or when ctx is cancelled.
func Scan(ctx context.Context, r io.ReaderAt, lay *Layout, opt Options, fn func(f *Finding) error) (Stats, error) {
	var st Stats
	chunk := opt.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if opt.Input == nil {
		opt.Input = &parsers.Input{ZoneSource: "default"}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	queue := make(chan *job, 2*workers)
	free := make(chan *result, 2*workers+2)
	jobs := make(chan *job)
	go func() {
		defer close(queue)
		defer close(jobs)
		for i := range lay.Ranges {
			rg := &lay.Ranges[i]
			for own := int64(0); own < rg.Len; own += int64(chunk) {
				j := &job{rg: rg, done: make(chan *result, 1)}
				j.winStart = max(0, own-Overlap)
				j.winEnd = min(rg.Len, own+int64(chunk)+Overlap)
				j.own0 = int(own - j.winStart)
				j.own1 = int(min(rg.Len, own+int64(chunk)) - j.winStart)
				select {
				case queue <- j:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- j:
				case <-ctx.Done():
					j.done <- &result{}
					return
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(r, &opt)
			w.free = free
			for j := range jobs {
				if ctx.Err() != nil {
					j.done <- &result{}
					continue
				}
				j.done <- w.run(j)
			}
		}()
	}
	defer wg.Wait()

	var (
		err error
		f   Finding
	)
	for j := range queue {
		res := <-j.done
		if err != nil {
			continue
		}
		for _, m := range res.warns {
			if opt.Warn != nil {
				opt.Warn(m)
			}
		}
		st.Bytes += res.bytes
		for k := range res.recs {
			rc := &res.recs[k]
			st.Findings[rc.kind]++
			rg := j.rg
			f = Finding{Kind: rc.kind, Phys: Absent, Virt: Absent, Encoding: EncASCII,
				Value: res.arena[rc.v0:rc.v1], Context: res.arena[rc.c0:rc.c1],
				Epoch: rc.epoch, Issuer: rc.issuer, Format: rc.format}
			if rc.utf16 {
				f.Encoding = EncUTF16LE
			}
			if rg.Frames != nil {
				f.Offset = rg.Frames[frameAt(rg.Frames, rc.pos)].Off
			} else {
				f.Offset = rg.FileOff + rc.pos
			}
			if rg.Phys != Absent {
				f.Phys = rg.Phys + rc.pos
			}
			if rg.Virt != Absent {
				f.Virt = rg.Virt + rc.pos
			}
			if e := fn(&f); e != nil {
				err = e
				cancel()
				break
			}
		}
		select {
		case free <- res:
		default:
		}
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return st, err
}

type worker struct {
	r       io.ReaderAt
	opt     *Options
	sc      carve.Scanner
	buf     []byte
	u16     []byte
	scratch []byte
	ev      timeline.Event
	onMatch func(m *carve.Match)
	free    chan *result

	// the run being scanned
	j        *job
	res      *result
	runStart int
	utf16    bool
}

func newWorker(r io.ReaderAt, opt *Options) *worker {
	w := &worker{r: r, opt: opt}
	w.onMatch = w.match
	return w
}

func (w *worker) run(j *job) (res *result) {
	// Results are recycled through the scan's free list: their record and
	// arena slices keep their capacity (a sync.Pool would lose them at
	// every collection).
	select {
	case res = <-w.free:
	default:
		res = new(result)
	}
	res.recs, res.arena, res.warns, res.bytes, res.dropped = res.recs[:0], res.arena[:0], res.warns[:0], 0, 0
	defer func() {
		if p := recover(); p != nil {
			res.warns = append(res.warns, fmt.Sprintf("memory scan of range bytes %d-%d (file offset %d): panic: %v", j.winStart, j.winEnd, j.rg.FileOff, p))
		}
	}()
	n := int(j.winEnd - j.winStart)
	if cap(w.buf) < n {
		w.buf = make([]byte, n)
	}
	buf := w.buf[:n]
	if j.rg.Frames != nil {
		if err := readFrames(w.r, j.rg.Frames, buf, j.winStart, &w.scratch); err != nil {
			res.warns = append(res.warns, err.Error())
		}
	} else {
		k, err := w.r.ReadAt(buf, j.rg.FileOff+j.winStart)
		if k < n {
			res.warns = append(res.warns, fmt.Sprintf("read at offset %d: %d of %d bytes: %v", j.rg.FileOff+j.winStart, k, n, err))
			clear(buf[k:])
		}
	}
	res.bytes = int64(j.own1 - j.own0)
	w.j, w.res = j, res
	findRuns(buf, w.ascii, w.utf16Run)
	w.j, w.res = nil, nil
	if res.dropped > 0 {
		res.warns = append(res.warns, fmt.Sprintf("range bytes %d-%d (file offset %d): %d findings not kept, over %d MiB of values in one chunk",
			j.winStart+int64(j.own0), j.winStart+int64(j.own1), j.rg.FileOff+j.winStart+int64(j.own0), res.dropped, maxArena>>20))
	}
	return res
}

func (w *worker) ascii(s, e int) {
	// A run past the owned part, or ending before it, holds no owned anchor
	// (a history stamp's command starts one byte after the run).
	if s >= w.j.own1 || e+1 < w.j.own0 {
		return
	}
	w.runStart, w.utf16 = s, false
	w.sc.Scan(w.buf[s:e], w.onMatch)
	if e-s == 11 && w.buf[s] == '#' {
		w.historyEntry(s, e)
	}
}

// historyEntry handles bash's history in memory: bash reads the history
// file into one buffer and cuts it in place, so "#EPOCH\ncommand\n" lies
// there as "#EPOCH\0command\0". The run [s,e) is the stamp; the command is
// the text after the NUL.
func (w *worker) historyEntry(s, e int) {
	b := w.buf
	if e+1 >= len(b) || b[e] != 0 {
		return
	}
	sec, ok := carve.Epoch(b[s:e])
	if !ok {
		return
	}
	c := e + 1
	k := c
	for k < len(b) && k-c < carve.MaxLine && isText(b[k]) && b[k] != '\n' {
		k++
	}
	if k == c || (k < len(b) && b[k] != 0 && b[k] != '\n') || b[c] == '#' {
		return
	}
	w.runStart, w.utf16 = c, false
	m := carve.Match{Kind: carve.KindCommand, Start: 0, End: k - c, Anchor: 0, Value: b[c:k], Epoch: sec}
	w.match(&m)
}

func (w *worker) utf16Run(s, e int) {
	if s >= w.j.own1 || e+1 < w.j.own0 {
		return
	}
	w.u16 = w.u16[:0]
	for p := s; p < e; p += 2 {
		w.u16 = append(w.u16, w.buf[p])
	}
	w.runStart, w.utf16 = s, true
	w.sc.Scan(w.u16, w.onMatch)
}

// pos maps a position in the scanned text to the window.
func (w *worker) pos(i int) int {
	if w.utf16 {
		return w.runStart + 2*i
	}
	return w.runStart + i
}

func (w *worker) match(m *carve.Match) {
	a := w.pos(m.Anchor)
	if a < w.j.own0 || a >= w.j.own1 {
		return
	}
	res := w.res
	if len(res.arena) > maxArena {
		res.dropped++
		return
	}
	rc := rec{kind: m.Kind, utf16: w.utf16, pos: w.j.winStart + int64(w.pos(m.Start)), epoch: m.Epoch, issuer: m.Issuer}
	if m.Kind == carve.KindLogLine {
		rc.format = w.lineFormat(m.Value)
		if rc.format == nil {
			return
		}
	}
	rc.v0 = int32(len(res.arena))
	res.arena = append(res.arena, m.Value...)
	rc.v1 = int32(len(res.arena))
	rc.c0 = rc.v1
	res.arena = w.sc.Context(res.arena, m)
	rc.c1 = int32(len(res.arena))
	res.recs = append(res.recs, rc)
}

// lineFormat returns the first line format that recognises line.
func (w *worker) lineFormat(line []byte) (f *parsers.Format) {
	for _, lf := range w.opt.LineFormats {
		if w.tryLine(lf, line) {
			return lf
		}
	}
	return nil
}

func (w *worker) tryLine(lf *parsers.Format, line []byte) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
			w.res.warns = append(w.res.warns, fmt.Sprintf("line format %s panicked on a carved line: %v", lf.Name, p))
		}
	}()
	w.ev.Reset()
	return lf.ParseLine(line, w.opt.Input, &w.ev)
}
