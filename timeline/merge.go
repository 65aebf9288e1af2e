package timeline

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
)

// Store is the timeline directory of a case: generations of merged segments,
// with CURRENT naming the one readers use. A merge writes a new generation and
// switches CURRENT by rename, so a killed merge leaves the previous timeline
// intact.
type Store struct{ Dir string }

const currentName = "CURRENT"

// Current returns the directory and manifest of the current generation; an
// empty manifest when nothing was merged yet.
func (s Store) Current() (string, *Manifest, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, currentName))
	if os.IsNotExist(err) {
		return "", &Manifest{Schema: SchemaVersion}, nil
	}
	if err != nil {
		return "", nil, err
	}
	gen := strings.TrimSpace(string(b))
	if !validGeneration(gen) {
		return "", nil, fmt.Errorf("timeline %s: %s names %q, not a generation (g1, g2, ...)", s.Dir, currentName, gen)
	}
	dir := filepath.Join(s.Dir, gen)
	m, err := ReadManifest(dir)
	return dir, m, err
}

// validGeneration: CURRENT names a directory of the timeline, "g" and a
// number; anything else (../../etc) is not opened.
func validGeneration(name string) bool {
	if len(name) < 2 || name[0] != 'g' {
		return false
	}
	_, err := strconv.ParseUint(name[1:], 10, 63)
	return err == nil
}

// runCursor walks one run file batch by batch.
type runCursor struct {
	f     *os.File
	r     *ipc.FileReader
	batch int
	view  *batchView
	row   int
	order int // position among all runs, breaks ties deterministically
}

func openRun(path string, order int) (*runCursor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := ipc.NewFileReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("run %s: %w", path, err)
	}
	if err := checkSchema(path, r.Schema()); err != nil {
		r.Close()
		f.Close()
		return nil, err
	}
	c := &runCursor{f: f, r: r, batch: -1, order: order}
	if err := c.next(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// next moves to the next row; view is nil when the run is exhausted.
func (c *runCursor) next() error {
	c.row++
	for c.view == nil || c.row >= c.view.len() {
		if c.view != nil {
			c.view.rec.Release()
			c.view = nil
		}
		c.batch++
		if c.batch >= c.r.NumRecords() {
			return nil
		}
		rec, err := c.r.RecordBatch(c.batch)
		if err != nil {
			return err
		}
		rec.Retain()
		c.view, c.row = newBatchView(rec), 0
	}
	return nil
}

func (c *runCursor) close() {
	if c.view != nil {
		c.view.rec.Release()
	}
	c.r.Close()
	c.f.Close()
}

type cursorHeap []*runCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	ti, tj := h[i].view.time(h[i].row), h[j].view.time(h[j].row)
	if ti != tj {
		return ti < tj
	}
	return h[i].order < h[j].order
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// second returns the cursor that comes next after the top, or nil.
func (h cursorHeap) second() *runCursor {
	switch {
	case len(h) < 2:
		return nil
	case len(h) == 2 || h.Less(1, 2):
		return h[1]
	}
	return h[2]
}
func (h *cursorHeap) Push(x any) { *h = append(*h, x.(*runCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// RunFiles lists the run files in the given run directories in a stable order.
func RunFiles(runDirs []string) ([]string, error) {
	var files []string
	for _, d := range runDirs {
		m, err := filepath.Glob(filepath.Join(d, "run-*.arrow"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		files = append(files, m...)
	}
	return files, nil
}

// Merge combines every run in runDirs into a new generation of time-ordered
// segments and makes it current; names identify the run directories in the
// manifest. Memory is one batch per run plus two segments (one being built
// while the previous one is written).
// progress, if set, is called with the rows written so far.
func (s Store) Merge(runDirs, names []string, progress func(rows int64)) (*Manifest, error) {
	return s.MergeContext(context.Background(), runDirs, names, progress)
}

// MergeContext is Merge that stops, leaving the current timeline as it was,
// when ctx is cancelled (checked at every segment).
func (s Store) MergeContext(ctx context.Context, runDirs, names []string, progress func(rows int64)) (*Manifest, error) {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, err
	}
	_, prev, err := s.Current()
	if err != nil {
		return nil, err
	}
	gen := prev.Generation + 1
	genName := "g" + strconv.FormatInt(gen, 10)
	out := filepath.Join(s.Dir, genName)
	os.RemoveAll(out) // leftovers of a killed merge
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	files, err := RunFiles(runDirs)
	if err != nil {
		return nil, err
	}
	h := make(cursorHeap, 0, len(files))
	defer func() {
		for _, c := range h {
			c.close()
		}
	}()
	for i, f := range files {
		c, err := openRun(f, i)
		if err != nil {
			return nil, err
		}
		if c.view == nil {
			c.close()
			continue
		}
		h = append(h, c)
	}
	heap.Init(&h)

	m := &Manifest{Schema: SchemaVersion, Generation: gen, Runs: names}
	// Two builders: while one segment is written in the background, the
	// next is built in the other (each builder's string data is bounded by
	// segmentBytes, so the pair takes what one took before).
	b, spare := newSegBuilder(), newSegBuilder()
	defer b.close()
	defer spare.close()
	var (
		first, last int64
		writing     chan error // the write in flight, if any
	)
	// wait collects the write in flight; its builder becomes the spare.
	wait := func() error {
		if writing == nil {
			return nil
		}
		err := <-writing
		writing = nil
		spare.reset()
		if err == nil && progress != nil {
			progress(m.Rows) // every segment listed is now written
		}
		return err
	}
	defer wait() // an error elsewhere: let the write finish before returning
	flush := func() error {
		if b.rows == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := wait(); err != nil {
			return err
		}
		info := SegmentInfo{File: fmt.Sprintf("seg-%06d.arrow", len(m.Segments)), Rows: int64(b.rows), RowBase: m.Rows, First: first, Last: last}
		m.Segments = append(m.Segments, info)
		m.Rows += info.Rows
		full := b
		b, spare = spare, full
		writing = make(chan error, 1)
		seg := &m.Segments[len(m.Segments)-1] // not moved before wait: the next append follows it
		go func() {
			sum, err := writeSegment(filepath.Join(out, info.File), full)
			seg.SHA256 = sum
			writing <- err
		}()
		return nil
	}
	for h.Len() > 0 {
		c := h[0]
		// Copy, in one go, the rows of c's batch that come before every
		// other run's next row: runs of rotated or time-ordered logs hardly
		// overlap, so most rows need no heap work at all.
		end := c.row + 1
		if next := h.second(); next == nil {
			end = c.view.len()
		} else {
			nt := next.view.time(next.row)
			for end < c.view.len() {
				t := c.view.time(end)
				if t > nt || t == nt && c.order > next.order {
					break
				}
				end++
			}
		}
		end = min(end, c.row+SegmentRows-b.rows)
		if b.rows == 0 {
			first = c.view.time(c.row)
		}
		last = c.view.time(end - 1)
		b.copyRange(c.view, c.row, end)
		c.row = end - 1
		if err := c.next(); err != nil {
			return nil, err
		}
		if c.view == nil {
			heap.Pop(&h)
			c.close()
		} else {
			heap.Fix(&h, 0)
		}
		if b.rows >= SegmentRows || b.size() >= segmentBytes {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if err := wait(); err != nil {
		return nil, err
	}
	if err := writeManifest(out, m); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(s.Dir, currentName), []byte(genName+"\n"), 0o644); err != nil {
		return nil, err
	}
	// Older generations are no longer read.
	olds, _ := filepath.Glob(filepath.Join(s.Dir, "g*"))
	for _, o := range olds {
		if filepath.Base(o) != genName {
			os.RemoveAll(o)
		}
	}
	return m, nil
}

// writeSegment writes what b built as the segment file path, synced to
// disk, and returns its SHA-256 (recorded in the manifest, checked by
// kiseki verify).
func writeSegment(path string, b *segBuilder) (string, error) {
	rec := b.finish()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fw, err := ipc.NewFileWriter(io.MultiWriter(f, h), ipc.WithSchema(SegmentSchema))
	if err == nil {
		err = fw.Write(rec)
		if cerr := fw.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("write segment %s: %w", filepath.Base(path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
