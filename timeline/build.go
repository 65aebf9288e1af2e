package timeline

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowBuilder appends rows to one Arrow record batch of either schema.
type rowBuilder struct {
	schema *arrow.Schema
	rb     *array.RecordBuilder
	times  *array.TimestampBuilder
	i64    [numCols]*array.Int64Builder
	i32    [numCols]*array.Int32Builder
	plain  [numCols]*array.BinaryBuilder
	dict   [numCols]*array.BinaryDictionaryBuilder
	rows   int
}

func newRowBuilder(schema *arrow.Schema) *rowBuilder {
	b := &rowBuilder{schema: schema, rb: array.NewRecordBuilder(memory.DefaultAllocator, schema)}
	for c := range numCols {
		switch fb := b.rb.Field(c).(type) {
		case *array.TimestampBuilder:
			b.times = fb
		case *array.Int64Builder:
			b.i64[c] = fb
		case *array.Int32Builder:
			b.i32[c] = fb
		case *array.StringBuilder:
			b.plain[c] = fb.BinaryBuilder
		case *array.BinaryBuilder:
			b.plain[c] = fb
		case *array.BinaryDictionaryBuilder:
			b.dict[c] = fb
		default:
			panic("timeline: unexpected builder for column " + columns[c].name)
		}
	}
	return b
}

func (b *rowBuilder) appendInt(c int, v int64) {
	switch columns[c].kind {
	case kindTime:
		b.times.Append(arrow.Timestamp(v))
	case kindI64:
		if v == Absent {
			b.i64[c].AppendNull()
		} else {
			b.i64[c].Append(v)
		}
	case kindI32:
		if v == 0 {
			b.i32[c].AppendNull()
		} else {
			b.i32[c].Append(int32(v))
		}
	}
}

func (b *rowBuilder) appendBytes(c int, v []byte) {
	if d := b.dict[c]; d != nil {
		// The memo table copies the bytes; an error here means the index type
		// overflowed, which the segment row limit rules out.
		if err := d.Append(v); err != nil {
			panic(err)
		}
		return
	}
	b.plain[c].Append(v)
}

func (b *rowBuilder) appendString(c int, s string) {
	b.appendBytes(c, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// finish returns the built batch and resets the builder (dictionaries too).
func (b *rowBuilder) finish() arrow.RecordBatch {
	rec := b.rb.NewRecordBatch()
	for c := range numCols {
		if d := b.dict[c]; d != nil {
			d.ResetFull()
		}
	}
	b.rows = 0
	return rec
}

func (b *rowBuilder) release() { b.rb.Release() }

// isIntCol reports whether column c is stored as an integer.
func isIntCol(c int) bool {
	k := columns[c].kind
	return k == kindTime || k == kindI64 || k == kindI32
}

// batchView gives typed access to the columns of a record batch of either schema.
type batchView struct {
	rec   arrow.RecordBatch
	times *array.Timestamp
	i64   [numCols]*array.Int64
	i32   [numCols]*array.Int32
	str   [numCols]*array.String
	bin   [numCols]*array.Binary
	dict  [numCols]*array.Dictionary
	dstr  [numCols]*array.String // dictionary values
}

func newBatchView(rec arrow.RecordBatch) *batchView {
	v := &batchView{rec: rec}
	for c := range numCols {
		switch a := rec.Column(c).(type) {
		case *array.Timestamp:
			v.times = a
		case *array.Int64:
			v.i64[c] = a
		case *array.Int32:
			v.i32[c] = a
		case *array.String:
			v.str[c] = a
		case *array.Binary:
			v.bin[c] = a
		case *array.Dictionary:
			v.dict[c] = a
			v.dstr[c] = a.Dictionary().(*array.String)
		}
	}
	return v
}

func (v *batchView) len() int { return int(v.rec.NumRows()) }

func (v *batchView) time(i int) int64 { return int64(v.times.Value(i)) }

func (v *batchView) int(c, i int) int64 {
	switch columns[c].kind {
	case kindTime:
		return int64(v.times.Value(i))
	case kindI64:
		if v.i64[c].IsNull(i) {
			return Absent
		}
		return v.i64[c].Value(i)
	case kindI32:
		if v.i32[c].IsNull(i) {
			return 0
		}
		return int64(v.i32[c].Value(i))
	}
	return 0
}

// str returns string column c at row i; the string points into the batch.
func (v *batchView) string(c, i int) string {
	if d := v.dict[c]; d != nil {
		if d.IsNull(i) {
			return ""
		}
		return v.dstr[c].Value(d.GetValueIndex(i))
	}
	if s := v.str[c]; s != nil {
		return s.Value(i)
	}
	if b := v.bin[c]; b != nil {
		by := b.Value(i)
		return unsafe.String(unsafe.SliceData(by), len(by))
	}
	return ""
}

// copyRow appends row i of v to b.
func (b *rowBuilder) copyRow(v *batchView, i int) {
	for c := range numCols {
		if isIntCol(c) {
			b.appendInt(c, v.int(c, i))
		} else {
			b.appendString(c, v.string(c, i))
		}
	}
	b.rows++
}

// readEvent fills ev from row i of v; strings point into the batch.
func (v *batchView) readEvent(i int, ev *Event) {
	ev.Reset()
	for c := range numCols {
		switch {
		case isIntCol(c):
			ev.setIntField(c, v.int(c, i))
		case c == ColRaw:
			if b := v.bin[c]; b != nil && b.ValueLen(i) > 0 {
				ev.Raw = b.Value(i)
			}
		case c == ColExtra:
			ev.Extra = decodeExtra(v.string(c, i), ev.Extra)
		default:
			ev.setStrField(c, v.string(c, i))
		}
	}
}
