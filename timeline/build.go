package timeline

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

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
	// Direct access for the common layouts, so reading a row is slice
	// indexing and not Arrow's generic accessors: a string column's (or a
	// dictionary's values') offsets and bytes, an int32-coded dictionary's
	// codes, and whether a column has no nulls.
	offs    [numCols][]int32
	bytes   [numCols][]byte
	codes   [numCols][]int32
	noNulls [numCols]bool
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
			if idx, ok := a.Indices().(*array.Int32); ok && v.dstr[c].Offset() == 0 {
				v.codes[c] = idx.Int32Values()
			}
		}
		if s := v.str[c]; s != nil && s.Offset() == 0 {
			v.offs[c], v.bytes[c] = s.ValueOffsets(), s.ValueBytes()
		}
		if d := v.dstr[c]; d != nil && v.codes[c] != nil {
			v.offs[c], v.bytes[c] = d.ValueOffsets(), d.ValueBytes()
		}
		if len(v.offs[c]) > 0 && v.offs[c][0] != 0 {
			v.offs[c], v.bytes[c] = nil, nil // bytes not from 0: the generic path
		}
		v.noNulls[c] = rec.Column(c).NullN() == 0
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
		if !v.noNulls[c] && v.i64[c].IsNull(i) {
			return Absent
		}
		return v.i64[c].Value(i)
	case kindI32:
		if !v.noNulls[c] && v.i32[c].IsNull(i) {
			return 0
		}
		return int64(v.i32[c].Value(i))
	}
	return 0
}

// str returns string column c at row i; the string points into the batch.
func (v *batchView) string(c, i int) string {
	if offs := v.offs[c]; offs != nil && v.noNulls[c] {
		if codes := v.codes[c]; codes != nil {
			i = int(codes[i])
		}
		lo, hi := offs[i], offs[i+1]
		if lo == hi {
			return ""
		}
		return unsafe.String(&v.bytes[c][lo], hi-lo)
	}
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
