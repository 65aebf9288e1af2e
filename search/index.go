package search

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The index answers one question the columns cannot answer quickly: which
// stretches of a text column hold a given word. A document is a block of
// one text kind in one segment: blockSize distinct values of a dictionary
// column (URLs, paths, user agents repeat, so a block of the dictionary
// stands for every row that uses it) or blockSize rows of a plain column
// (messages, raw lines). Its one field, named after the kind, holds the
// block's distinct words. A query looks its words up, gets candidate
// blocks, and the evaluator checks the values of those blocks with the same
// tokenizer the column scans use; so the index only narrows, and answers
// equal those of a case without it. Nothing is stored in Bleve but terms.
//
// Values derived from other columns are not indexed: a request's one-line
// summary (address, method, URL, status) is built for display from its
// columns and never stored as a message; its words are found through the
// URL and the request line (requestLine in eval.go).
//
// The index is built per timeline generation into shards (one per core,
// segment i in shard i mod shards) written in parallel. state.json records
// the segments done; a killed build resumes from it, and search uses the
// index only once it says complete for the current generation.

const (
	bleveDir  = "bleve"
	stateFile = "state.json"
	// indexFormat changes whenever documents change shape; an index of
	// another format is rebuilt, and ignored by search until then.
	indexFormat = 2
	// blockSize is the number of values (dictionary) or rows (plain) per
	// document: small enough that a rare word's candidate blocks cost
	// little to check, large enough that a segment of 256k rows is a few
	// thousand documents.
	blockSize = 128
	// maxShards bounds the parallel index writers; each holds a batch of
	// one segment's documents in memory.
	maxShards = 4
)

type indexState struct {
	Format     int    `json:"format"`
	Generation int64  `json:"generation"`
	Shards     int    `json:"shards"`
	Done       []bool `json:"done"` // by segment position in the manifest
	Complete   bool   `json:"complete"`
}

func readState(indexDir string) indexState {
	var st indexState
	if b, err := os.ReadFile(filepath.Join(indexDir, stateFile)); err == nil {
		if json.Unmarshal(b, &st) != nil {
			st = indexState{}
		}
	}
	return st
}

func writeState(indexDir string, st indexState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(indexDir, stateFile), b, 0o644)
}

// IndexComplete reports whether the index in indexDir is complete for the
// timeline generation gen.
func IndexComplete(indexDir string, gen int64) bool {
	st := readState(indexDir)
	return st.Format == indexFormat && st.Complete && st.Generation == gen
}

func indexMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(wordsAnalyzer, map[string]any{"type": custom.Name, "tokenizer": wordsTokenizerName}); err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, kind := range textFields {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = wordsAnalyzer
		f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = false, false, false, false
		doc.AddFieldMappingsAt(kind, f)
	}
	im.DefaultMapping = doc
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im, nil
}

func shardPath(indexDir string, i int) string {
	return filepath.Join(indexDir, bleveDir, strconv.Itoa(i))
}

// BuildIndex brings the case's index up to date with the current timeline
// generation. A build of the same generation that was killed resumes at the
// segments it had not finished; another generation or format starts over.
func BuildIndex(ctx context.Context, indexDir string, store timeline.Store, progress func(done, total int64)) error {
	tdir, m, err := store.Current()
	if err != nil {
		return err
	}
	st := readState(indexDir)
	if st.Format == indexFormat && st.Generation == m.Generation && st.Complete {
		return nil
	}
	if st.Format != indexFormat || st.Generation != m.Generation || len(st.Done) != len(m.Segments) || st.Shards < 1 {
		if err := os.RemoveAll(indexDir); err != nil {
			return err
		}
		st = indexState{Format: indexFormat, Generation: m.Generation, Shards: min(maxShards, max(1, runtime.GOMAXPROCS(0))), Done: make([]bool, len(m.Segments))}
	}
	if err := os.MkdirAll(filepath.Join(indexDir, bleveDir), 0o755); err != nil {
		return err
	}
	if err := writeState(indexDir, st); err != nil {
		return err
	}
	shards := make([]bleve.Index, st.Shards)
	defer func() {
		for _, s := range shards {
			if s != nil {
				s.Close()
			}
		}
	}()
	for i := range shards {
		if shards[i], err = openOrCreate(shardPath(indexDir, i), &st); err != nil {
			return err
		}
	}
	var (
		mu   sync.Mutex // guards st, done and the state file
		done int64
	)
	for i, si := range m.Segments {
		if st.Done[i] {
			done += si.Rows
		}
	}
	errs := make([]error, len(shards))
	var wg sync.WaitGroup
	for k := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = buildShard(ctx, shards[k], tdir, m, k, len(shards), func(i int) error {
				mu.Lock()
				defer mu.Unlock()
				st.Done[i] = true
				done += m.Segments[i].Rows
				if progress != nil {
					progress(done, m.Rows)
				}
				return writeState(indexDir, st)
			}, func(i int) bool {
				mu.Lock()
				defer mu.Unlock()
				return st.Done[i]
			})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, s := range shards {
		shards[i] = nil
		if err := s.Close(); err != nil {
			return err
		}
	}
	st.Complete = true
	return writeState(indexDir, st)
}

// testHookIndexed, when set by a test, runs after a segment's batch is on
// disk and before it is recorded done; an error stands for a build killed
// there.
var testHookIndexed func(segment int) error

// buildShard indexes segments k, k+n, k+2n... of m into idx, skipping
// those done, and calls markDone for each once its batch is on disk.
func buildShard(ctx context.Context, idx bleve.Index, tdir string, m *timeline.Manifest, k, n int, markDone func(int) error, isDone func(int) bool) error {
	var (
		pending sync.WaitGroup // batches not yet on disk
		mu      sync.Mutex
		perr    error // the first persistence or state error
	)
	setErr := func(err error) {
		mu.Lock()
		perr = cmp.Or(perr, err)
		mu.Unlock()
	}
	var err error
	for i := k; i < len(m.Segments) && err == nil; i += n {
		if isDone(i) {
			continue
		}
		if err = ctx.Err(); err != nil {
			break
		}
		pending.Add(1)
		err = indexSegment(idx, tdir, m.Segments[i], func(perr error) {
			defer pending.Done()
			if perr != nil {
				setErr(perr)
				return
			}
			if testHookIndexed != nil {
				if err := testHookIndexed(i); err != nil {
					setErr(err)
					return
				}
			}
			setErr(markDone(i))
		})
		if err != nil {
			pending.Done()
			err = fmt.Errorf("segment %s: %w", m.Segments[i].File, err)
		}
	}
	// Wait for what was committed, even on error: the next build then
	// resumes after it.
	pending.Wait()
	return cmp.Or(err, perr)
}

// openOrCreate opens a shard, or creates it. A shard a killed build left
// unopenable is created again, and its segments marked to do.
func openOrCreate(path string, st *indexState) (bleve.Index, error) {
	idx, err := bleve.OpenUsing(path, writeConfig())
	if err == nil {
		return idx, nil
	}
	if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		if err := os.RemoveAll(path); err != nil {
			return nil, err
		}
		shard, _ := strconv.Atoi(filepath.Base(path))
		for i := shard; i < len(st.Done); i += st.Shards {
			st.Done[i] = false
		}
	}
	m, err := indexMapping()
	if err != nil {
		return nil, err
	}
	return bleve.NewUsing(path, m, scorch.Name, scorch.Name, writeConfig())
}

// writeConfig lets a batch return once it is searchable in memory; it is
// on disk when its persisted callback runs, and only then is its segment
// recorded as done. A new map each time: Bleve writes the index's path
// into it.
func writeConfig() map[string]any { return map[string]any{"unsafe_batch": true} }

// blockID names the document of block b of kind in the segment whose first
// row is rowBase.
func blockID(rowBase int64, kind string, b int) string {
	return strconv.FormatInt(rowBase, 10) + "/" + kind + "/" + strconv.Itoa(b)
}

// indexSegment writes the documents of one segment as one batch. Their ids
// are fixed by the segment and block, so a segment indexed again after a
// kill replaces its documents.
// persisted is called once the batch is on disk (or could not be
// written); it is not called when indexSegment returns an error.
func indexSegment(idx bleve.Index, tdir string, si timeline.SegmentInfo, persisted func(error)) error {
	seg, err := timeline.OpenSegment(tdir, si)
	if err != nil {
		return err
	}
	defer seg.Release()
	an := idx.Mapping().AnalyzerNamed(wordsAnalyzer)
	if an == nil {
		return fmt.Errorf("analyzer %s missing", wordsAnalyzer)
	}
	batch := idx.NewBatch()
	w := newBlockWords()
	for _, kind := range textFields {
		col := fields[kind].cols[0]
		n, value := seg.Len(), func(i int) string { return seg.Str(col, i) }
		if d, ok := Dict(seg, col); ok {
			n, value = d.Values.Len(), d.Values.Value
		}
		for b := 0; b*blockSize < n; b++ {
			w.reset()
			for i := b * blockSize; i < min(n, (b+1)*blockSize); i++ {
				w.add(value(i))
			}
			if w.empty() {
				continue
			}
			doc := document.NewDocument(blockID(si.RowBase, kind, b))
			doc.AddField(document.NewTextFieldCustom(kind, nil, w.text(), index.IndexField, an))
			if err := batch.IndexAdvanced(doc); err != nil {
				return err
			}
		}
	}
	if batch.Size() == 0 {
		// Nothing to write: Bleve would never call back.
		persisted(nil)
		return nil
	}
	batch.SetPersistedCallback(persisted)
	return idx.Batch(batch)
}

// blockWords gathers the distinct lower-case words of a block.
type blockWords struct {
	seen map[string]struct{}
	buf  []byte
}

func newBlockWords() *blockWords { return &blockWords{seen: map[string]struct{}{}} }

func (w *blockWords) reset() {
	clear(w.seen)
	w.buf = w.buf[:0]
}

func (w *blockWords) empty() bool { return len(w.buf) == 0 }

func (w *blockWords) add(v string) {
	eachWord(v, func(word string, ascii bool) bool {
		lw := lowerWord(word, ascii)
		if _, ok := w.seen[lw]; ok {
			return true
		}
		// The key must outlive the segment's memory: a copy.
		w.seen[strings.Clone(lw)] = struct{}{}
		w.buf = append(w.buf, lw...)
		w.buf = append(w.buf, ' ')
		return true
	})
}

// text is the block's words separated by spaces, a fresh copy.
func (w *blockWords) text() []byte { return slices.Clone(w.buf) }

// textIndex answers which blocks may hold a text query's words.
type textIndex struct {
	shards []bleve.Index
}

// openTextIndex opens a complete index of generation gen, or returns nil
// when there is none (search then scans the columns).
func openTextIndex(indexDir string, gen int64) (*textIndex, error) {
	st := readState(indexDir)
	if st.Format != indexFormat || !st.Complete || st.Generation != gen {
		return nil, nil
	}
	t := &textIndex{}
	for i := range st.Shards {
		// Read-only: searchers only read, and several processes (kiseki
		// serve, kiseki search, kiseki report) may have one case open.
		idx, err := bleve.OpenUsing(shardPath(indexDir, i), map[string]any{"read_only": true})
		if err != nil {
			t.close()
			return nil, err
		}
		t.shards = append(t.shards, idx)
	}
	return t, nil
}

func (t *textIndex) close() {
	for _, s := range t.shards {
		s.Close()
	}
}

// segKind names one text kind of one segment (by its first row).
type segKind struct {
	rowBase int64
	kind    string
}

// candidates are the blocks a query may match, by segment and kind, in
// increasing order.
type candidates map[segKind][]int

// lookup returns the blocks of kinds that hold every word of q (or, for a
// pattern, a word matching it).
func (t *textIndex) lookup(q textQuery, kinds []string) (candidates, error) {
	var kq []query.Query
	for _, k := range kinds {
		if q.pattern != nil {
			wq := bleve.NewWildcardQuery(q.pattern.pat)
			wq.SetField(k)
			kq = append(kq, wq)
			continue
		}
		var words []query.Query
		for _, w := range q.words {
			tq := bleve.NewTermQuery(w)
			tq.SetField(k)
			words = append(words, tq)
		}
		kq = append(kq, bleve.NewConjunctionQuery(words...))
	}
	out := candidates{}
	full := bleve.NewDisjunctionQuery(kq...)
	for _, s := range t.shards {
		err := each(s, full, func(id string) error {
			a, rest, _ := strings.Cut(id, "/")
			kind, b, _ := strings.Cut(rest, "/")
			base, err1 := strconv.ParseInt(a, 10, 64)
			blk, err2 := strconv.Atoi(b)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("index document %q: not a block id", id)
			}
			k := segKind{base, kind}
			out[k] = append(out[k], blk)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for k, v := range out {
		slices.Sort(v)
		out[k] = v
	}
	return out, nil
}

// each calls fn with the id of every document q matches, straight from
// Bleve's searcher: a search request would collect, rank and sort the
// hits, and only the ids are wanted.
func each(idx bleve.Index, q query.Query, fn func(id string) error) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	s, err := q.Searcher(context.Background(), r, idx.Mapping(), blevesearch.SearcherOptions{Score: "none"})
	if err != nil {
		return err
	}
	defer s.Close()
	sctx := &blevesearch.SearchContext{DocumentMatchPool: blevesearch.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: r}
	for {
		dm, err := s.Next(sctx)
		if err != nil || dm == nil {
			return err
		}
		id, err := r.ExternalID(dm.IndexInternalID)
		if err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
		sctx.DocumentMatchPool.Put(dm)
	}
}
