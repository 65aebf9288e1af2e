package timeline

import (
	"cmp"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// colBuf is one column of a chunk, in plain Go slices: appending to them is
// a few nanoseconds, several times cheaper than Arrow's builders, which
// matters at a million events a second.
type colBuf struct {
	ints    []int64 // integer and time columns
	offsets []int32 // string and binary columns: len(rows)+1 ends into data
	data    []byte
}

// chunk holds events column by column until they are sorted and written.
type chunk struct {
	cols [numCols]colBuf
	rows int
}

func (k *chunk) add(ev *Event) {
	if k.rows == 0 {
		for c := range numCols {
			if !isIntCol(c) {
				k.cols[c].offsets = append(k.cols[c].offsets[:0], 0)
			}
		}
	}
	// Written out column by column: this runs once per event of every
	// parser, and the generic loop's dispatch cost more than the copying.
	k.num(ColTime, ev.Time)
	k.str(ColTimeDesc, ev.TimeDesc)
	k.str(ColTimeOrig, ev.TimeOrig)
	k.str(ColZone, ev.Zone)
	k.str(ColHost, ev.Host)
	k.str(ColSource, ev.Source)
	k.str(ColEvidence, ev.Evidence)
	k.str(ColRefPath, ev.RefPath)
	k.num(ColOffset, ev.Offset)
	k.num(ColLine, ev.Line)
	k.num(ColInode, ev.Inode)
	k.num(ColMFT, ev.MFT)
	k.str(ColPath, ev.Path)
	k.str(ColUser, ev.User)
	k.str(ColSrcIP, ev.SrcIP)
	k.num(ColSrcPort, int64(ev.SrcPort))
	k.str(ColDstIP, ev.DstIP)
	k.num(ColDstPort, int64(ev.DstPort))
	k.str(ColMethod, ev.Method)
	k.str(ColURL, ev.URL)
	k.num(ColStatus, int64(ev.Status))
	k.num(ColBytes, ev.Bytes)
	k.str(ColUserAgent, ev.UserAgent)
	k.str(ColAction, ev.Action)
	k.str(ColMessage, ev.Message)
	k.str(ColTags, ev.Tags)
	extra := &k.cols[ColExtra]
	extra.data = appendExtraJSON(extra.data, ev.Extra)
	extra.offsets = append(extra.offsets, int32(len(extra.data)))
	raw := &k.cols[ColRaw]
	raw.data = append(raw.data, ev.Raw...)
	raw.offsets = append(raw.offsets, int32(len(raw.data)))
	k.rows++
}

func (k *chunk) num(c int, v int64) { k.cols[c].ints = append(k.cols[c].ints, v) }

func (k *chunk) str(c int, v string) {
	col := &k.cols[c]
	if len(v) > 0 {
		col.data = append(col.data, v...)
	}
	col.offsets = append(col.offsets, int32(len(col.data)))
}

// size is the chunk's memory in bytes, roughly.
func (k *chunk) size() int {
	n := k.rows * (numCols * 8)
	for c := range numCols {
		n += len(k.cols[c].data)
	}
	return n
}

func (k *chunk) reset() {
	for c := range numCols {
		k.cols[c].ints = k.cols[c].ints[:0]
		k.cols[c].offsets = k.cols[c].offsets[:0]
		k.cols[c].data = k.cols[c].data[:0]
	}
	k.rows = 0
}

// sortedOrder returns the row positions in time order, or nil when the rows
// already are (the common case for logs); arrival order breaks ties, so the
// result is deterministic.
func (k *chunk) sortedOrder() []uint32 {
	times := k.cols[ColTime].ints
	if slices.IsSorted(times) {
		return nil
	}
	order := make([]uint32, k.rows)
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		if c := cmp.Compare(times[a], times[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

// gather holds reusable output buffers for building one batch.
type gather struct {
	ints    []int64
	ints32  []int32
	valid   []byte
	offsets []int32
	data    []byte
}

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

// batch builds an Arrow record batch (RunSchema) of rows [start, end) in the
// given order (nil: chunk order). The arrays point into g's buffers, valid
// until the next call.
func (k *chunk) batch(order []uint32, start, end int, g *[numCols]gather) arrow.RecordBatch {
	n := end - start
	row := func(i int) int {
		if order == nil {
			return start + i
		}
		return int(order[start+i])
	}
	arrays := make([]arrow.Array, numCols)
	for c := range numCols {
		col, out := &k.cols[c], &g[c]
		var data arrow.ArrayData
		switch columns[c].kind {
		case kindTime:
			out.ints = out.ints[:0]
			for i := range n {
				out.ints = append(out.ints, col.ints[row(i)])
			}
			data = array.NewData(RunSchema.Field(c).Type, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(out.ints))}, nil, 0, 0)
		case kindI64, kindI32:
			absent := int64(Absent)
			if columns[c].kind == kindI32 {
				absent = 0
			}
			out.valid = slices.Grow(out.valid[:0], (n+7)/8)[:(n+7)/8]
			clear(out.valid)
			out.ints, out.ints32 = out.ints[:0], out.ints32[:0]
			nulls := 0
			for i := range n {
				v := col.ints[row(i)]
				if v == absent {
					nulls++
					v = 0
				} else {
					out.valid[i>>3] |= 1 << (i & 7)
				}
				if columns[c].kind == kindI32 {
					out.ints32 = append(out.ints32, int32(v))
				} else {
					out.ints = append(out.ints, v)
				}
			}
			vals := bytesOf(out.ints)
			if columns[c].kind == kindI32 {
				vals = bytesOf(out.ints32)
			}
			var validity *memory.Buffer
			if nulls > 0 {
				validity = memory.NewBufferBytes(out.valid)
			}
			data = array.NewData(RunSchema.Field(c).Type, n, []*memory.Buffer{validity, memory.NewBufferBytes(vals)}, nil, nulls, 0)
		default:
			out.offsets = append(out.offsets[:0], 0)
			out.data = out.data[:0]
			if order == nil {
				// Already in order: one copy of the data, offsets rebased.
				lo, hi := col.offsets[start], col.offsets[end]
				out.data = append(out.data, col.data[lo:hi]...)
				for _, o := range col.offsets[start+1 : end+1] {
					out.offsets = append(out.offsets, o-lo)
				}
			} else {
				for i := range n {
					r := row(i)
					out.data = append(out.data, col.data[col.offsets[r]:col.offsets[r+1]]...)
					out.offsets = append(out.offsets, int32(len(out.data)))
				}
			}
			data = array.NewData(RunSchema.Field(c).Type, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(out.offsets)), memory.NewBufferBytes(out.data)}, nil, 0, 0)
		}
		arrays[c] = array.MakeFromData(data)
		data.Release()
	}
	rec := array.NewRecordBatch(RunSchema, arrays, int64(n))
	for _, a := range arrays {
		a.Release()
	}
	return rec
}
