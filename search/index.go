package search

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/regexp"
	"github.com/blevesearch/bleve/v2/mapping"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/cespare/xxhash/v2"

	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The index holds one document per distinct text value (kind, value), not
// one per event: a web log of ten million lines has far fewer distinct URLs,
// and Arrow already holds the rows. Matches come back as values and are
// mapped to rows by scanning the column (through its dictionary where it has
// one). Nothing is stored in Bleve but the terms and their positions.

const (
	bleveDir  = "bleve"
	seenFile  = "seen.bin"
	stateFile = "state.json"
	// maxIDValue is the longest value used as its own document id; longer
	// values are identified by a SHA-256 prefix and matched by hashing.
	maxIDValue = 512
	// maxIndexedValue bounds the text analysed per value: a 10 MB hostile
	// line is searchable by its first part without costing 10 MB of terms.
	maxIndexedValue = 64 << 10
	batchDocs       = 5000
)

type indexDoc struct {
	K string `json:"k"`
	V string `json:"v"`
}

// wordsAnalyzer splits on anything that is not a letter or digit, so
// "evil" finds /themes/evil.php?cmd=id and "203.0.113.7" is four terms that
// a phrase query finds in order.
const wordsAnalyzer = "kiseki-words"

func indexMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomTokenizer("kiseki-alnum", map[string]any{"type": regexp.Name, "regexp": `[\p{L}\p{N}]+`}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(wordsAnalyzer, map[string]any{"type": custom.Name, "tokenizer": "kiseki-alnum", "token_filters": []any{lowercase.Name}}); err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	k := bleve.NewKeywordFieldMapping()
	k.Analyzer = keyword.Name
	k.Store, k.IncludeInAll, k.IncludeTermVectors, k.DocValues = false, false, false, false
	v := bleve.NewTextFieldMapping()
	v.Analyzer = wordsAnalyzer
	// Term vectors stay on: without them phrase queries silently find nothing.
	v.Store, v.IncludeInAll, v.IncludeTermVectors, v.DocValues = false, false, true, false
	doc.AddFieldMappingsAt("k", k)
	doc.AddFieldMappingsAt("v", v)
	im.DefaultMapping = doc
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im, nil
}

// docID is the Bleve id of a value: "kind:value", or "kind#sha256" for long
// values.
func docID(kind, value string) string {
	if len(value) <= maxIDValue {
		return kind + ":" + value
	}
	return kind + "#" + longHash(value)
}

func longHash(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:16])
}

type indexState struct {
	Generation int64 `json:"generation"` // timeline generation fully indexed
}

// BuildIndex brings the case's index up to date with the current timeline
// generation. Values already indexed (by any earlier generation) are skipped,
// so a new merge costs only its new values, and a killed build resumes.
func BuildIndex(ctx context.Context, indexDir string, store timeline.Store, progress func(done, total int64)) error {
	tdir, m, err := store.Current()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(indexDir, 0o755); err != nil {
		return err
	}
	var st indexState
	if b, err := os.ReadFile(filepath.Join(indexDir, stateFile)); err == nil {
		json.Unmarshal(b, &st)
	}
	if st.Generation == m.Generation {
		return nil
	}
	idx, err := openOrCreate(filepath.Join(indexDir, bleveDir))
	if err != nil {
		return err
	}
	defer idx.Close()
	seen, seenOut, err := loadSeen(filepath.Join(indexDir, seenFile))
	if err != nil {
		return err
	}
	defer seenOut.Close()
	b := &builder{idx: idx, seen: seen, out: bufio.NewWriter(seenOut), batch: idx.NewBatch()}
	for _, si := range m.Segments {
		if err := ctx.Err(); err != nil {
			return err
		}
		seg, err := timeline.OpenSegment(tdir, si)
		if err != nil {
			return err
		}
		err = b.addSegment(seg)
		seg.Release()
		if err != nil {
			return err
		}
		if progress != nil {
			progress(si.RowBase+si.Rows, m.Rows)
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	st.Generation = m.Generation
	sb, _ := json.Marshal(st)
	return atomicfile.WriteFile(filepath.Join(indexDir, stateFile), sb, 0o644)
}

func openOrCreate(path string) (bleve.Index, error) {
	idx, err := bleve.Open(path)
	if err == nil {
		return idx, nil
	}
	if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		// A build killed before Bleve wrote its metadata leaves a directory
		// it cannot open; nothing in it is needed, the seen set is separate.
		os.RemoveAll(path)
	}
	m, err := indexMapping()
	if err != nil {
		return nil, err
	}
	return bleve.New(path, m)
}

// loadSeen reads the hashes of values already indexed and opens the file for
// appending. The file is appended only after a batch is committed, so it
// never claims a value the index lacks.
func loadSeen(path string) (map[uint64]struct{}, *os.File, error) {
	seen := map[uint64]struct{}{}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReader(f)
	var buf [8]byte
	var good int64
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			break // EOF, or a torn last record from a kill: dropped below
		}
		seen[binary.LittleEndian.Uint64(buf[:])] = struct{}{}
		good += 8
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return seen, f, nil
}

type builder struct {
	idx     bleve.Index
	seen    map[uint64]struct{}
	pending []uint64
	out     *bufio.Writer
	batch   *bleve.Batch
}

func valueHash(kind, v string) uint64 {
	d := xxhash.New()
	d.WriteString(kind)
	d.Write([]byte{0})
	d.WriteString(v)
	return d.Sum64()
}

func (b *builder) add(kind, v string) error {
	if v == "" {
		return nil
	}
	h := valueHash(kind, v)
	if _, ok := b.seen[h]; ok {
		return nil
	}
	b.seen[h] = struct{}{}
	text := v
	if len(text) > maxIndexedValue {
		text = text[:maxIndexedValue]
	}
	if err := b.batch.Index(docID(kind, v), indexDoc{K: kind, V: strings.Clone(text)}); err != nil {
		return err
	}
	b.pending = append(b.pending, h)
	if b.batch.Size() >= batchDocs {
		return b.flush()
	}
	return nil
}

func (b *builder) flush() error {
	if b.batch.Size() > 0 {
		if err := b.idx.Batch(b.batch); err != nil {
			return err
		}
		b.batch.Reset()
	}
	var buf [8]byte
	for _, h := range b.pending {
		binary.LittleEndian.PutUint64(buf[:], h)
		b.out.Write(buf[:])
	}
	b.pending = b.pending[:0]
	return b.out.Flush()
}

func (b *builder) addSegment(seg *timeline.Segment) error {
	for _, kind := range textFields {
		col := fields[kind].cols[0]
		if values, _ := seg.DictCodes(col); values != nil {
			for _, v := range values {
				if err := b.add(kind, v); err != nil {
					return err
				}
			}
			continue
		}
		for i := range seg.Len() {
			if err := b.add(kind, seg.Str(col, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// textIndex answers word and phrase queries with the matching values.
type textIndex struct {
	idx bleve.Index
}

func openTextIndex(indexDir string) (*textIndex, error) {
	// Read-only: searchers only read, and several processes (kiseki serve,
	// kiseki search, kiseki report) may then have one case open at once.
	idx, err := bleve.OpenUsing(filepath.Join(indexDir, bleveDir), map[string]any{"read_only": true})
	if err != nil {
		return nil, err
	}
	return &textIndex{idx: idx}, nil
}

func (t *textIndex) close() { t.idx.Close() }

// MaxTextMatches bounds the distinct values a word query may match; a query
// that matches more is refused with a message rather than answered partly.
const MaxTextMatches = 2_000_000

// valueSet is the set of values a text query matched, per index kind.
// Short values are held as themselves; long ones by their hash id.
type valueSet map[string]map[string]struct{}

func (vs valueSet) has(kind, v string) bool {
	m := vs[kind]
	if m == nil {
		return false
	}
	if len(v) <= maxIDValue {
		_, ok := m[v]
		return ok
	}
	_, ok := m["#"+longHash(v)]
	return ok
}

// lookup runs a word, phrase or wildcard query restricted to kinds.
func (t *textIndex) lookup(term Term, kinds []string) (valueSet, error) {
	var q query.Query
	v := term.Value
	switch {
	case term.Phrase:
		mq := bleve.NewMatchPhraseQuery(v)
		mq.SetField("v")
		q = mq
	case strings.ContainsAny(v, "*?"):
		wq := bleve.NewWildcardQuery(strings.ToLower(v))
		wq.SetField("v")
		q = wq
	default:
		mq := bleve.NewMatchQuery(v)
		mq.SetField("v")
		mq.SetOperator(query.MatchQueryOperatorAnd)
		q = mq
	}
	var kq []query.Query
	for _, k := range kinds {
		tq := bleve.NewTermQuery(k)
		tq.SetField("k")
		kq = append(kq, tq)
	}
	full := bleve.NewConjunctionQuery(q, bleve.NewDisjunctionQuery(kq...))
	out := valueSet{}
	n := 0
	err := t.each(full, func(id string) error {
		if n++; n > MaxTextMatches {
			return fmt.Errorf("%q matches more than %d distinct values; narrow it with a field or a time range", term.Value, MaxTextMatches)
		}
		i := strings.IndexAny(id, ":#")
		if i < 0 {
			return nil
		}
		kind, rest := id[:i], id[i+1:]
		if id[i] == '#' {
			rest = "#" + rest
		}
		if out[kind] == nil {
			out[kind] = map[string]struct{}{}
		}
		out[kind][rest] = struct{}{}
		return nil
	})
	return out, err
}

// each calls fn with the id of every document q matches, straight from
// Bleve's searcher: a search request would collect, rank and sort up to
// MaxTextMatches hits, which for a common word cost seconds, and only the
// ids are wanted.
func (t *textIndex) each(q query.Query, fn func(id string) error) error {
	adv, err := t.idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	s, err := q.Searcher(context.Background(), r, t.idx.Mapping(), blevesearch.SearcherOptions{Score: "none"})
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
