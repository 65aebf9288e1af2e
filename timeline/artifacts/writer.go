package artifacts

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// SchemaVersion is written into the file's metadata.
const SchemaVersion = "kiseki-artifacts-1"

// BatchRows is the most rows in one record batch.
const BatchRows = 16384

// Column positions.
const (
	ColEvidence = iota
	ColRefPath
	ColOffset
	ColPhysAddr
	ColVirtAddr
	ColKind
	ColValue
	ColContext
	ColEncoding
	numCols
)

var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}

// Schema is the artifacts table's schema (see the package comment).
var Schema = func() *arrow.Schema {
	md := arrow.NewMetadata([]string{"kiseki.schema"}, []string{SchemaVersion})
	return arrow.NewSchema([]arrow.Field{
		{Name: "evidence", Type: arrow.BinaryTypes.String},
		{Name: "ref_path", Type: arrow.BinaryTypes.String},
		{Name: "offset", Type: arrow.PrimitiveTypes.Int64},
		{Name: "phys_addr", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "virt_addr", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "kind", Type: dictType},
		{Name: "value", Type: arrow.BinaryTypes.String},
		{Name: "context", Type: arrow.BinaryTypes.String},
		{Name: "encoding", Type: dictType},
	}, &md)
}()

func dictIndex(dict []string) map[string]int8 {
	m := make(map[string]int8, len(dict))
	for i, s := range dict {
		m[s] = int8(i)
	}
	return m
}

var (
	kindIndex     = dictIndex(Kinds)
	encodingIndex = dictIndex(Encodings)
)

// Writer streams artifacts into an Arrow IPC file in record batches; memory
// stays bounded by one batch. It implements Sink. Not safe for concurrent use.
type Writer struct {
	f        *os.File // when the writer created the file
	ipcw     *ipc.FileWriter
	mem      memory.Allocator
	str      [numCols]*array.StringBuilder
	i64      [numCols]*array.Int64Builder
	idx      [numCols]*array.Int8Builder
	kindDict arrow.Array
	encDict  arrow.Array
	rows     int
	total    int64
	closed   bool
}

// Create creates (or truncates) the file at path and returns a writer to it.
func Create(path string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.f = f
	return w, nil
}

// NewWriter writes the table to out; Close finishes the file but does not
// close out.
func NewWriter(out io.Writer) (*Writer, error) {
	mem := memory.DefaultAllocator
	iw, err := ipc.NewFileWriter(out, ipc.WithSchema(Schema), ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	w := &Writer{ipcw: iw, mem: mem}
	for _, c := range []int{ColEvidence, ColRefPath, ColValue, ColContext} {
		w.str[c] = array.NewStringBuilder(mem)
	}
	for _, c := range []int{ColOffset, ColPhysAddr, ColVirtAddr} {
		w.i64[c] = array.NewInt64Builder(mem)
	}
	for _, c := range []int{ColKind, ColEncoding} {
		w.idx[c] = array.NewInt8Builder(mem)
	}
	w.kindDict = stringArray(mem, Kinds)
	w.encDict = stringArray(mem, Encodings)
	return w, nil
}

func stringArray(mem memory.Allocator, vals []string) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// Artifact appends one row. It fails for a kind or encoding outside the
// fixed dictionaries.
func (w *Writer) Artifact(a *Artifact) error {
	if w.closed {
		return fmt.Errorf("artifacts: write after close")
	}
	k, ok := kindIndex[a.Kind]
	if !ok {
		return fmt.Errorf("artifacts: unknown kind %q", a.Kind)
	}
	enc := a.Encoding
	if enc == "" {
		enc = "ascii"
	}
	e, ok := encodingIndex[enc]
	if !ok {
		return fmt.Errorf("artifacts: unknown encoding %q", a.Encoding)
	}
	w.str[ColEvidence].Append(a.Evidence)
	w.str[ColRefPath].Append(a.RefPath)
	w.i64[ColOffset].Append(a.Offset)
	for _, c := range [2]struct {
		col int
		v   int64
	}{{ColPhysAddr, a.PhysAddr}, {ColVirtAddr, a.VirtAddr}} {
		if c.v < 0 {
			w.i64[c.col].AppendNull()
		} else {
			w.i64[c.col].Append(c.v)
		}
	}
	w.idx[ColKind].Append(k)
	w.str[ColValue].Append(a.Value)
	w.str[ColContext].Append(a.Context)
	w.idx[ColEncoding].Append(e)
	w.rows++
	w.total++
	if w.rows >= BatchRows {
		return w.flush()
	}
	return nil
}

// Rows returns the number of artifacts written so far.
func (w *Writer) Rows() int64 { return w.total }

func (w *Writer) flush() error {
	if w.rows == 0 {
		return nil
	}
	cols := make([]arrow.Array, numCols)
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for c := range numCols {
		switch {
		case w.str[c] != nil:
			cols[c] = w.str[c].NewArray()
		case w.i64[c] != nil:
			cols[c] = w.i64[c].NewArray()
		default:
			idx := w.idx[c].NewArray()
			dict := w.kindDict
			if c == ColEncoding {
				dict = w.encDict
			}
			cols[c] = array.NewDictionaryArray(dictType, idx, dict)
			idx.Release()
		}
	}
	rec := array.NewRecordBatch(Schema, cols, int64(w.rows))
	defer rec.Release()
	w.rows = 0
	return w.ipcw.Write(rec)
}

// Close writes the last batch and the file footer (and closes the file when
// the writer created it).
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.flush()
	if cerr := w.ipcw.Close(); err == nil {
		err = cerr
	}
	for c := range numCols {
		if w.str[c] != nil {
			w.str[c].Release()
		}
		if w.i64[c] != nil {
			w.i64[c].Release()
		}
		if w.idx[c] != nil {
			w.idx[c].Release()
		}
	}
	w.kindDict.Release()
	w.encDict.Release()
	if w.f != nil {
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
