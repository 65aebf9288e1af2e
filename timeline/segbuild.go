package timeline

import (
	"runtime"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// segBuilder builds one segment (SegmentSchema) in Go slices and wraps them
// as Arrow arrays at the end. Dictionary columns use a Go map plus a
// last-value shortcut: consecutive rows of a merged timeline mostly repeat
// host, source, evidence and the like, and Arrow's own dictionary builder
// costs several times more per row.
type segBuilder struct {
	rows int
	ints [numCols][]int64
	str  [numCols]strCol
	dict [numCols]*dictCol
	// trans maps the codes of a run's dictionary (the runDict columns) to
	// this segment's, by column and by the run dictionary's data, so a row
	// costs a slice lookup and not a map lookup; -1: not looked up yet.
	trans [numCols]map[arrow.ArrayData][]int32
	// The helper goroutine (nil channels on one CPU) and its hand-over.
	jobs chan copyJob
	done chan struct{}
}

type strCol struct {
	offsets []int32
	data    []byte
}

type dictCol struct {
	index   map[string]int32
	values  strCol
	codes   []int32
	last    string // last value appended (points into values.data)
	lastIdx int32
	hasLast bool
}

// segmentBytes bounds a segment's string data, so wide rows (CDN logs with
// dozens of extra fields) end a segment before SegmentRows. The merge holds
// two segments at once (one building, one writing): this is half the memory
// it may take.
const segmentBytes = 48 << 20

// size is the builder's string data in bytes, roughly.
func (b *segBuilder) size() int {
	n := 0
	for c := range numCols {
		n += len(b.str[c].data)
		if d := b.dict[c]; d != nil {
			n += len(d.values.data) + 4*len(d.codes)
		}
	}
	return n
}

// newSegBuilder returns a builder; close it when done.
func newSegBuilder() *segBuilder {
	b := &segBuilder{}
	if runtime.GOMAXPROCS(0) > 1 {
		b.jobs, b.done = make(chan copyJob), make(chan struct{})
		go b.helper()
	}
	for c := range numCols {
		if columns[c].kind == kindStr {
			b.dict[c] = &dictCol{index: map[string]int32{}}
		}
	}
	b.reset()
	return b
}

func (b *segBuilder) reset() {
	b.rows = 0
	for c := range numCols {
		b.ints[c] = b.ints[c][:0]
		b.str[c].offsets = append(b.str[c].offsets[:0], 0)
		b.str[c].data = b.str[c].data[:0]
		if d := b.dict[c]; d != nil {
			clear(d.index)
			d.values.offsets = append(d.values.offsets[:0], 0)
			d.values.data = d.values.data[:0]
			d.codes = d.codes[:0]
			d.hasLast = false
		}
		clear(b.trans[c])
	}
}

func (d *dictCol) add(v string) {
	if d.hasLast && v == d.last {
		d.codes = append(d.codes, d.lastIdx)
		return
	}
	d.codes = append(d.codes, d.code(v))
}

// code returns v's code, adding v to the dictionary if new.
func (d *dictCol) code(v string) int32 {
	idx, ok := d.index[v]
	if !ok {
		idx = int32(len(d.values.offsets) - 1)
		start := len(d.values.data)
		d.values.data = append(d.values.data, v...)
		d.values.offsets = append(d.values.offsets, int32(len(d.values.data)))
		// The map key must outlive the caller's string: point it into our
		// data, which is only appended to (a grown slice leaves old bytes
		// intact in the old array, still referenced by the key).
		key := unsafe.String(unsafe.SliceData(d.values.data[start:]), len(v))
		d.index[key] = idx
		v = key
	}
	d.last, d.lastIdx, d.hasLast = v, idx, true
	return idx
}

// translation returns the run-to-segment code map for column c and the
// run dictionary of src.
func (b *segBuilder) translation(c int, src *array.Dictionary) []int32 {
	if b.trans[c] == nil {
		b.trans[c] = map[arrow.ArrayData][]int32{}
	}
	key := src.Dictionary().Data()
	tr, ok := b.trans[c][key]
	if !ok {
		tr = make([]int32, src.Dictionary().Len())
		for i := range tr {
			tr[i] = -1
		}
		b.trans[c][key] = tr
	}
	return tr
}

// translate appends to d the segment codes of a run's codes, through tr
// (run code to segment code, -1 until looked up in values).
func translate[T int8 | int16 | int32](d *dictCol, tr []int32, values *array.String, codes []T) []int32 {
	out := d.codes
	for _, code := range codes {
		if tr[code] < 0 {
			tr[code] = d.code(values.Value(int(code)))
		}
		out = append(out, tr[code])
	}
	return out
}

// heavyCols are the dictionary columns that runs store plain: addresses,
// URLs, paths, of high cardinality, whose every row costs the merge a map
// lookup that mostly misses the cache. A second goroutine does them while
// the merge's own copies the other columns.
var heavyCols = func() (heavy [numCols]bool) {
	for c, col := range columns {
		heavy[c] = col.kind == kindStr && !col.runDict
	}
	return heavy
}()

// copyJob is a copyRange handed to the helper goroutine.
type copyJob struct {
	v    *batchView
	i, j int
}

// minParallelRows is the smallest copy worth handing the heavy columns to
// the helper: below it, the hand-over costs more than it saves.
const minParallelRows = 256

// copyRange appends rows [i, j) of v, column by column.
func (b *segBuilder) copyRange(v *batchView, i, j int) {
	parallel := b.jobs != nil && j-i >= minParallelRows
	if parallel {
		b.jobs <- copyJob{v, i, j}
	}
	for c := range numCols {
		if !parallel || !heavyCols[c] {
			b.copyColumn(c, v, i, j)
		}
	}
	if parallel {
		<-b.done
	}
	b.rows += j - i
}

// helper copies the heavy columns of each job it is given. The columns are
// disjoint from the ones copyRange does meanwhile, and v is only read.
func (b *segBuilder) helper() {
	for job := range b.jobs {
		for c := range numCols {
			if heavyCols[c] {
				b.copyColumn(c, job.v, job.i, job.j)
			}
		}
		b.done <- struct{}{}
	}
}

// close stops the helper goroutine.
func (b *segBuilder) close() {
	if b.jobs != nil {
		close(b.jobs)
	}
}

// copyColumn appends rows [i, j) of column c of v.
func (b *segBuilder) copyColumn(c int, v *batchView, i, j int) {
	switch {
	case columns[c].kind == kindTime:
		for _, t := range v.times.TimestampValues()[i:j] {
			b.ints[c] = append(b.ints[c], int64(t))
		}
	case columns[c].kind == kindI64 && v.i64[c] != nil && v.i64[c].NullN() == 0:
		b.ints[c] = append(b.ints[c], v.i64[c].Int64Values()[i:j]...)
	case isIntCol(c):
		for r := i; r < j; r++ {
			b.ints[c] = append(b.ints[c], v.int(c, r))
		}
	case b.dict[c] != nil && v.dict[c] != nil:
		d, tr, values := b.dict[c], b.translation(c, v.dict[c]), v.dstr[c]
		switch idx := v.dict[c].Indices().(type) {
		case *array.Int8:
			d.codes = translate(d, tr, values, idx.Int8Values()[i:j])
		case *array.Int16:
			d.codes = translate(d, tr, values, idx.Int16Values()[i:j])
		case *array.Int32:
			d.codes = translate(d, tr, values, idx.Int32Values()[i:j])
		default:
			for r := i; r < j; r++ {
				d.add(v.string(c, r))
			}
		}
	case b.dict[c] != nil:
		d := b.dict[c]
		for r := i; r < j; r++ {
			d.add(v.string(c, r))
		}
	default:
		s := &b.str[c]
		for r := i; r < j; r++ {
			s.data = append(s.data, v.string(c, r)...)
			s.offsets = append(s.offsets, int32(len(s.data)))
		}
	}
}

func strArray(typ arrow.DataType, s *strCol, n int) arrow.Array {
	data := array.NewData(typ, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(s.offsets)), memory.NewBufferBytes(s.data)}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// finish returns the segment as a record batch; its arrays point into the
// builder's buffers, valid until the next reset.
func (b *segBuilder) finish() arrow.RecordBatch {
	n := b.rows
	arrays := make([]arrow.Array, numCols)
	for c := range numCols {
		typ := SegmentSchema.Field(c).Type
		switch columns[c].kind {
		case kindTime:
			data := array.NewData(typ, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.ints[c]))}, nil, 0, 0)
			arrays[c] = array.MakeFromData(data)
			data.Release()
		case kindI64, kindI32:
			arrays[c] = intArray(typ, columns[c].kind, b.ints[c])
		case kindStr:
			d := b.dict[c]
			codes := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(d.codes))}, nil, 0, 0)
			idx := array.MakeFromData(codes)
			vals := strArray(arrow.BinaryTypes.String, &d.values, len(d.values.offsets)-1)
			arrays[c] = array.NewDictionaryArray(typ, idx, vals)
			codes.Release()
			idx.Release()
			vals.Release()
		default:
			arrays[c] = strArray(typ, &b.str[c], n)
		}
	}
	rec := array.NewRecordBatch(SegmentSchema, arrays, int64(n))
	for _, a := range arrays {
		a.Release()
	}
	return rec
}

// intArray builds a nullable int64/int32 array; Absent (int64) or 0 (int32)
// are nulls, as in the run format.
func intArray(typ arrow.DataType, kind colKind, vals []int64) arrow.Array {
	n := len(vals)
	absent := int64(Absent)
	if kind == kindI32 {
		absent = 0
	}
	valid := make([]byte, (n+7)/8)
	nulls := 0
	var raw []byte
	if kind == kindI32 {
		out := make([]int32, n)
		for i, v := range vals {
			if v == absent {
				nulls++
			} else {
				out[i] = int32(v)
				valid[i>>3] |= 1 << (i & 7)
			}
		}
		raw = bytesOf(out)
	} else {
		out := make([]int64, n)
		for i, v := range vals {
			if v == absent {
				nulls++
			} else {
				out[i] = v
				valid[i>>3] |= 1 << (i & 7)
			}
		}
		raw = bytesOf(out)
	}
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(valid)
	}
	data := array.NewData(typ, n, []*memory.Buffer{vb, memory.NewBufferBytes(raw)}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}
