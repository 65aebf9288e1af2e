package timeline

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// chunk holds a parser's events as packed rows until they are sorted and
// written as a run. Appending a row is one sequential copy into a single
// buffer, so the parser's goroutine, the one that bounds ingest, does as
// little as it can; turning rows into Arrow columns happens in batch, on the
// run writer's goroutine, one batch at a time while the column buffers are
// still in cache. (One buffer per column cost the parser twice as much: at
// 48 MiB a chunk, 47 streams of appends outrun the caches.)
//
// A row is, little-endian: the integer columns but time as int64s in
// intCols order, the byte length of each string column as a uint32 in
// strCols order, then the strings' bytes in that order (extras packed by
// putExtraRow). Times are kept apart for sorting.
type chunk struct {
	times  []int64
	starts []int // where each row begins in data
	data   []byte
	rows   int
}

var (
	intCols = [...]int{ColOffset, ColLine, ColInode, ColMFT, ColSrcPort, ColDstPort, ColStatus, ColBytes,
		ColFSSeq, ColFSAttrType, ColFSAttrID, ColFSUID, ColFSGID, ColFSSize, ColFSLinks, ColFSFlags}
	strCols = [...]int{ColTimeDesc, ColTimeOrig, ColZone, ColHost, ColSource, ColEvidence, ColRefPath, ColPath, ColUser,
		ColSrcIP, ColDstIP, ColMethod, ColURL, ColUserAgent, ColAction, ColMessage, ColTags, ColFSAttrName, ColFSMode,
		ColExtra, ColRaw}
)

const (
	lensAt    = len(intCols) * 8
	rowHeader = lensAt + len(strCols)*4
	// maxBatchBytes ends a batch before runBatchRows when its rows are
	// large (kept raw lines run to MaxLine), so Arrow's 32-bit string
	// offsets cannot overflow and the merge's batch per run stays small.
	maxBatchBytes = 64 << 20
)

// add appends ev as a row; limit is the size at which the writer flushes
// the chunk (0: none), which bounds how far the buffer grows.
func (k *chunk) add(ev *Event, limit int) {
	// Sized first and then filled by position: one capacity check per row
	// instead of one per field.
	strs := [...]string{ev.TimeDesc, ev.TimeOrig, ev.Zone, ev.Host, ev.Source, ev.Evidence, ev.RefPath, ev.Path, ev.User,
		ev.SrcIP, ev.DstIP, ev.Method, ev.URL, ev.UserAgent, ev.Action, ev.Message, ev.Tags, ev.FS.AttrName, ev.FS.Mode}
	extra := extraRowLen(ev.Extra)
	n := rowHeader + extra + len(ev.Raw)
	for _, s := range &strs {
		n += len(s)
	}
	h := len(k.data)
	if cap(k.data)-h < n {
		k.grow(n, limit)
	}
	k.data = k.data[:h+n]
	d := k.data[h : h+n]
	le := binary.LittleEndian
	le.PutUint64(d[0:], uint64(ev.Offset))
	le.PutUint64(d[8:], uint64(ev.Line))
	le.PutUint64(d[16:], uint64(ev.Inode))
	le.PutUint64(d[24:], uint64(ev.MFT))
	le.PutUint64(d[32:], uint64(ev.SrcPort))
	le.PutUint64(d[40:], uint64(ev.DstPort))
	le.PutUint64(d[48:], uint64(ev.Status))
	le.PutUint64(d[56:], uint64(ev.Bytes))
	fs := &ev.FS
	flags := fs.Flags
	if flags&FSRecord != 0 {
		flags = flags&^fsTimeBits | macbBit(ev.TimeDesc)
	}
	le.PutUint64(d[64:], uint64(fs.Seq))
	le.PutUint64(d[72:], uint64(fs.AttrType))
	le.PutUint64(d[80:], uint64(fs.AttrID))
	le.PutUint64(d[88:], uint64(fs.UID))
	le.PutUint64(d[96:], uint64(fs.GID))
	le.PutUint64(d[104:], uint64(fs.Size))
	le.PutUint64(d[112:], uint64(fs.Links))
	le.PutUint64(d[120:], uint64(flags))
	at := rowHeader
	for i, s := range &strs {
		le.PutUint32(d[lensAt+4*i:], uint32(len(s)))
		at += copy(d[at:], s)
	}
	le.PutUint32(d[lensAt+4*len(strs):], uint32(extra))
	at += putExtraRow(d[at:], ev.Extra)
	le.PutUint32(d[lensAt+4*len(strs)+4:], uint32(len(ev.Raw)))
	copy(d[at:], ev.Raw)
	k.times = append(k.times, ev.Time)
	k.starts = append(k.starts, h)
	k.rows++
}

// grow makes room for n more bytes of rows. It doubles, where append would
// add a quarter (growing a 48 MiB chunk by quarters copies it four times
// over), but not past the size at which the writer flushes, so that the
// buffer is the same size for every file and worth keeping for the next.
func (k *chunk) grow(n, limit int) {
	want := max(2*cap(k.data), 1<<20)
	if limit > 0 {
		want = min(want, limit+1<<20)
	}
	want = max(want, len(k.data)+n)
	data := make([]byte, len(k.data), want)
	copy(data, k.data)
	k.data = data
}

// size is the chunk's memory in bytes.
func (k *chunk) size() int { return len(k.data) + k.rows*16 }

func (k *chunk) reset() {
	k.times, k.starts, k.data = k.times[:0], k.starts[:0], k.data[:0]
	k.rows = 0
}

// sortedOrder returns the row positions in time order, or nil when the rows
// already are (the common case for logs); arrival order breaks ties, so the
// result is deterministic.
func (k *chunk) sortedOrder() []uint32 {
	times := k.times
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

// runOut holds the run writer's reusable buffers: one gather per column for
// the batch being built, and the dictionaries of the chunk being written.
type runOut struct {
	g      [numCols]gather
	dicts  [numCols]runDict
	schema *arrow.Schema // RunSchema with each dictionary's index as narrow as it can be
}

// gather holds reusable output buffers for building one batch.
type gather struct {
	ints    []int64
	ints32  []int32
	valid   []byte
	offsets []int32
	data    []byte
}

// runDict is the dictionary of one runDict column over a chunk.
type runDict struct {
	codeOf map[string]int32 // keys point into the chunk's data
	values strCol
	codes  []int32        // per row, in the order rows are written
	arr    arrow.Array    // values, shared by every batch of the run
	index  arrow.DataType // int8, int16 or int32: the narrowest that holds the codes
}

// code builds the dictionary of every runDict column over all of k, which a
// run file needs before its first batch (one dictionary per field), with the
// codes in the given row order (nil: chunk order), as batch takes them. It
// runs on the writer's goroutine: codes are looked up here, once per chunk
// row, and not in the parser's add. Call release once the run is written.
func (o *runOut) code(k *chunk, order []uint32) {
	le := binary.LittleEndian
	var last [len(strCols)]string
	var lastCode [len(strCols)]int32
	var have [len(strCols)]bool
	// Recently coded values by a cheap hash of length and three bytes
	// (code+1; 0 empty): values that alternate, like user agents, are
	// found without hashing the whole string for the map.
	var recent [len(strCols)][64]int32
	for j, c := range strCols {
		if !columns[c].runDict {
			continue
		}
		d := &o.dicts[c]
		if d.codeOf == nil {
			d.codeOf = map[string]int32{}
		}
		d.values.offsets = append(d.values.offsets[:0], 0)
		d.values.data = d.values.data[:0]
		d.codes = d.codes[:0]
		have[j] = false
	}
	for i := range k.rows {
		r := i
		if order != nil {
			r = int(order[i])
		}
		p := k.starts[r]
		hdr := k.data[p : p+rowHeader]
		at := p + rowHeader
		for j, c := range strCols {
			l := int(le.Uint32(hdr[lensAt+4*j:]))
			if columns[c].runDict {
				d := &o.dicts[c]
				v := ""
				if l > 0 {
					v = unsafe.String(&k.data[at], l)
				}
				if !have[j] || v != last[j] {
					code := int32(-1)
					var slot *int32
					if l > 0 {
						slot = &recent[j][(uint(l)*31+uint(v[0])*7+uint(v[l/2])*3+uint(v[l-1]))&63]
						if c := *slot - 1; c >= 0 && d.value(c) == v {
							code = c
						}
					}
					if code < 0 {
						var ok bool
						if code, ok = d.codeOf[v]; !ok {
							code = int32(len(d.values.offsets) - 1)
							d.values.data = append(d.values.data, v...)
							d.values.offsets = append(d.values.offsets, int32(len(d.values.data)))
							d.codeOf[v] = code
						}
						if slot != nil {
							*slot = code + 1
						}
					}
					last[j], lastCode[j], have[j] = v, code, true
				}
				d.codes = append(d.codes, lastCode[j])
			}
			at += l
		}
	}
	// Most runs have a handful of values per dictionary: int8 codes rather
	// than int32 take an eighth off a run of web log lines.
	fields := RunSchema.Fields()
	for _, c := range strCols {
		if d := &o.dicts[c]; columns[c].runDict {
			n := len(d.values.offsets) - 1
			d.arr = strArray(arrow.BinaryTypes.String, &d.values, n)
			switch {
			case n <= math.MaxInt8+1:
				d.index = arrow.PrimitiveTypes.Int8
			case n <= math.MaxInt16+1:
				d.index = arrow.PrimitiveTypes.Int16
			default:
				d.index = arrow.PrimitiveTypes.Int32
			}
			fields[c].Type = &arrow.DictionaryType{IndexType: d.index, ValueType: arrow.BinaryTypes.String}
		}
	}
	md := RunSchema.Metadata()
	o.schema = arrow.NewSchema(fields, &md)
}

// value is the string of code c, pointing into d.values.
func (d *runDict) value(c int32) string {
	lo, hi := d.values.offsets[c], d.values.offsets[c+1]
	return unsafe.String(unsafe.SliceData(d.values.data[lo:hi]), hi-lo)
}

// release drops the chunk's dictionaries, whose map keys point into it.
func (o *runOut) release() {
	for c := range o.dicts {
		if d := &o.dicts[c]; d.arr != nil {
			d.arr.Release()
			d.arr = nil
			clear(d.codeOf)
		}
	}
}

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

// batch builds an Arrow record batch (o.schema) of rows [start, end) in the
// given order (nil: chunk order), or of fewer when they pass maxBatchBytes;
// it returns how many rows it took. The runDict columns take their codes
// from o.code(k, order), which must have run. The arrays point into o's
// buffers, valid until the next call.
func (k *chunk) batch(order []uint32, start, end int, o *runOut) (arrow.RecordBatch, int) {
	le := binary.LittleEndian
	g := &o.g
	for c := range numCols {
		g[c].ints = g[c].ints[:0]
		g[c].offsets = append(g[c].offsets[:0], 0)
		g[c].data = g[c].data[:0]
	}
	n, size := 0, 0
	for i := start; i < end && (n == 0 || size < maxBatchBytes); i++ {
		r := i
		if order != nil {
			r = int(order[i])
		}
		p := k.starts[r]
		hdr := k.data[p : p+rowHeader]
		if order != nil {
			g[ColTime].ints = append(g[ColTime].ints, k.times[r])
		}
		for j, c := range intCols {
			g[c].ints = append(g[c].ints, int64(le.Uint64(hdr[8*j:])))
		}
		at := p + rowHeader
		for j, c := range strCols {
			l := int(le.Uint32(hdr[lensAt+4*j:]))
			out := &g[c]
			switch {
			case columns[c].runDict: // codes[start:start+n], below
			case c == ColExtra:
				out.data = appendExtraJSON(out.data, k.data[at:at+l])
				out.offsets = append(out.offsets, int32(len(out.data)))
			default:
				out.data = append(out.data, k.data[at:at+l]...)
				out.offsets = append(out.offsets, int32(len(out.data)))
			}
			at += l
		}
		size += at - p
		n++
	}
	arrays := make([]arrow.Array, numCols)
	for c := range numCols {
		out := &g[c]
		var data arrow.ArrayData
		switch columns[c].kind {
		case kindTime:
			times := out.ints
			if order == nil {
				times = k.times[start : start+n]
			}
			data = array.NewData(o.schema.Field(c).Type, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(times))}, nil, 0, 0)
		case kindI64, kindI32:
			absent := int64(Absent)
			if columns[c].kind == kindI32 {
				absent = 0
			}
			out.valid = slices.Grow(out.valid[:0], (n+7)/8)[:(n+7)/8]
			clear(out.valid)
			out.ints32 = out.ints32[:0]
			nulls := 0
			for i, v := range out.ints {
				if v == absent {
					nulls++
					v = 0
					out.ints[i] = 0
				} else {
					out.valid[i>>3] |= 1 << (i & 7)
				}
				if columns[c].kind == kindI32 {
					out.ints32 = append(out.ints32, int32(v))
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
			data = array.NewData(o.schema.Field(c).Type, n, []*memory.Buffer{validity, memory.NewBufferBytes(vals)}, nil, nulls, 0)
		case kindStr:
			if d := &o.dicts[c]; columns[c].runDict {
				codes := d.codes[start : start+n]
				buf := out.data[:0] // unused otherwise: dictionary columns have no bytes here
				switch d.index.ID() {
				case arrow.INT8:
					for _, v := range codes {
						buf = append(buf, byte(v))
					}
					out.data = buf
				case arrow.INT16:
					for _, v := range codes {
						buf = binary.LittleEndian.AppendUint16(buf, uint16(v))
					}
					out.data = buf
				default:
					buf = bytesOf(codes)
				}
				codeData := array.NewData(d.index, n, []*memory.Buffer{nil, memory.NewBufferBytes(buf)}, nil, 0, 0)
				idx := array.MakeFromData(codeData)
				arrays[c] = array.NewDictionaryArray(o.schema.Field(c).Type, idx, d.arr)
				codeData.Release()
				idx.Release()
				continue
			}
			fallthrough
		default:
			data = array.NewData(o.schema.Field(c).Type, n, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(out.offsets)), memory.NewBufferBytes(out.data)}, nil, 0, 0)
		}
		arrays[c] = array.MakeFromData(data)
		data.Release()
	}
	rec := array.NewRecordBatch(o.schema, arrays, int64(n))
	for _, a := range arrays {
		a.Release()
	}
	return rec, n
}
