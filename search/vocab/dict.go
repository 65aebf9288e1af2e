package vocab

import (
	"strings"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// RowsCheck returns a row test for column c of seg with every dictionary
// value the given rows use decided now: called in a Scan's parallel step,
// it leaves the aggregating callback a lookup per row.
func RowsCheck(seg *timeline.Segment, c int, rows search.Rows, hit func(string) bool) func(i int) bool {
	d, ok := search.Dict(seg, c)
	if !ok {
		return func(i int) bool { return hit(seg.Str(c, i)) }
	}
	known := make([]int8, d.Values.Len()) // 0 unused, 1 yes, 2 no
	rows.Each(func(i int) bool {
		if k := d.Code(i); k >= 0 && known[k] == 0 {
			known[k] = 2
			if hit(d.Values.Value(k)) {
				known[k] = 1
			}
		}
		return true
	})
	return func(i int) bool {
		k := d.Code(i)
		return k >= 0 && known[k] == 1
	}
}

// DictCheck returns a row test for column c of seg, deciding every
// dictionary value once up front, and whether any value matched (when none
// did, no row of the segment needs testing).
func DictCheck(seg *timeline.Segment, c int, hit func(string) bool) (func(i int) bool, bool) {
	d, ok := search.Dict(seg, c)
	if !ok {
		return func(i int) bool { return hit(seg.Str(c, i)) }, true
	}
	known := make([]bool, d.Values.Len())
	any := false
	for k := range known {
		if hit(d.Values.Value(k)) {
			known[k], any = true, true
		}
	}
	return func(i int) bool {
		k := d.Code(i)
		return k >= 0 && known[k]
	}, any
}

// StrSet is a set of strings with a bitmap over (length, last two bytes)
// in front of the map, so the common miss (a large dictionary of client
// addresses against the seeds) costs no hashing; 64k bits keep the bitmap
// sparse even when a round has thousands of seed addresses.
type StrSet struct {
	m    map[string]bool
	mask [1024]uint64
}

func NewStrSet() *StrSet { return &StrSet{m: map[string]bool{}} }

func strSetSlot(s string) uint {
	h := uint(len(s))*31 + uint(s[len(s)-1])*131
	if len(s) > 1 {
		h += uint(s[len(s)-2]) * 7919
	}
	return h & 65535
}

func (x *StrSet) Add(s string) {
	if s == "" {
		return
	}
	x.m[s] = true
	b := strSetSlot(s)
	x.mask[b>>6] |= 1 << (b & 63)
}

// Values lists the set's strings.
func (x *StrSet) Values() []string {
	out := make([]string, 0, len(x.m))
	for s := range x.m {
		out = append(out, s)
	}
	return out
}

// Has reports whether s is in the set.
func (x *StrSet) Has(s string) bool {
	if s == "" {
		return false
	}
	b := strSetSlot(s)
	if x.mask[b>>6]&(1<<(b&63)) == 0 {
		return false
	}
	return x.m[s]
}

// RowRef is a reference kept compactly for many rows: the evidence and
// path strings are interned, the numbers stored as they are.
type RowRef struct {
	Evidence, Path           string
	Offset, Line, Inode, MFT int64
}

func (r RowRef) Ref() timeline.Ref {
	out := timeline.Ref{Evidence: r.Evidence, Path: r.Path}
	opt := func(v int64) *int64 {
		if v == timeline.Absent {
			return nil
		}
		return &v
	}
	out.Offset, out.Line, out.Inode, out.MFT = opt(r.Offset), opt(r.Line), opt(r.Inode), opt(r.MFT)
	return out
}

// Interner keeps one copy of each string taken from mapped segments.
type Interner map[string]string

func (in Interner) Get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	c := strings.Clone(s)
	in[c] = c
	return c
}

func (in Interner) RowRef(seg *timeline.Segment, i int) RowRef {
	return RowRef{in.Get(seg.Str(timeline.ColEvidence, i)), in.Get(seg.Str(timeline.ColRefPath, i)),
		seg.Int(timeline.ColOffset, i), seg.Int(timeline.ColLine, i), seg.Int(timeline.ColInode, i), seg.Int(timeline.ColMFT, i)}
}

// Column reads one column of the current segment through its dictionary:
// each value is turned (interned, parsed) once per segment instead of once
// per row. Call Reset when the segment changes.
type Column struct {
	col    int
	seg    *timeline.Segment
	dict   search.DictColumn
	ok     bool
	vals   []string
	set    []bool
	sparse map[int]string // for dictionaries over columnDense values
}

// columnDense is the largest dictionary a Column memoizes in slices; a
// larger one (client addresses: a million a segment) would allocate more
// than the rows read need, so it gets a map of the values actually read.
const columnDense = 1 << 12

// Reset forgets the current segment's memo.
func (c *Column) Reset() { c.seg = nil }

// NewColumn returns a reader of column col.
func NewColumn(col int) *Column { return &Column{col: col} }

// At returns row i's value of seg, interned in in (a copy: safe after the
// segment is unmapped).
func (c *Column) At(seg *timeline.Segment, i int, in Interner) string {
	c.use(seg)
	if !c.ok {
		return in.Get(seg.Str(c.col, i))
	}
	return c.Value(seg, c.dict.Code(i), in)
}

// Value returns the value of dictionary code k of seg's column (as At
// does for a row whose code is k; "" for k < 0), for a caller that has
// read the codes already.
func (c *Column) Value(seg *timeline.Segment, k int, in Interner) string {
	c.use(seg)
	if k < 0 || !c.ok {
		return ""
	}
	if c.sparse != nil {
		v, ok := c.sparse[k]
		if !ok {
			v = in.Get(c.dict.Values.Value(k))
			c.sparse[k] = v
		}
		return v
	}
	if !c.set[k] {
		c.vals[k], c.set[k] = in.Get(c.dict.Values.Value(k)), true
	}
	return c.vals[k]
}

// use sets the memo up for seg.
func (c *Column) use(seg *timeline.Segment) {
	if seg == c.seg {
		return
	}
	c.seg = seg
	c.dict, c.ok = search.Dict(seg, c.col)
	c.vals, c.set, c.sparse = c.vals[:0], c.set[:0], nil
	if c.ok {
		if n := c.dict.Values.Len(); n <= columnDense {
			c.vals, c.set = append(c.vals, make([]string, n)...), append(c.set, make([]bool, n)...)
		} else {
			c.sparse = map[int]string{}
		}
	}
}

// Pair decides a function of two dictionary columns' values once per pair
// of values per segment (a CDN host and its source give the origin a row
// reached, ...): the rows then cost a lookup by codes. Values are >= 0;
// Reset when the segment changes.
type Pair struct {
	a, b   int
	fn     func(a, b string) int32
	seg    *timeline.Segment
	da, db search.DictColumn
	ok     bool
	nb     int
	memo   []int32 // -1: not decided yet
}

// pairMemoMax bounds the dense memo of a Pair (two small dictionaries, such
// as hosts and sources); larger pairs are decided row by row.
const pairMemoMax = 1 << 16

// NewPair returns a memo of fn over columns a and b.
func NewPair(a, b int, fn func(a, b string) int32) *Pair { return &Pair{a: a, b: b, fn: fn} }

// Reset forgets the current segment's memo.
func (p *Pair) Reset() { p.seg = nil }

// At returns fn of row i's two values.
func (p *Pair) At(seg *timeline.Segment, i int) int32 {
	if seg != p.seg {
		p.seg = seg
		var oka, okb bool
		p.da, oka = search.Dict(seg, p.a)
		p.db, okb = search.Dict(seg, p.b)
		p.ok = oka && okb && p.da.Values.Len()*p.db.Values.Len() <= pairMemoMax
		if p.ok {
			p.nb = p.db.Values.Len()
			p.memo = make([]int32, p.da.Values.Len()*p.nb)
			for k := range p.memo {
				p.memo[k] = -1
			}
		}
	}
	if !p.ok {
		return p.fn(seg.Str(p.a, i), seg.Str(p.b, i))
	}
	ka, kb := p.da.Code(i), p.db.Code(i)
	if ka < 0 || kb < 0 {
		return p.fn(seg.Str(p.a, i), seg.Str(p.b, i))
	}
	k := ka*p.nb + kb
	if v := p.memo[k]; v >= 0 {
		return v
	}
	v := p.fn(p.da.Values.Value(ka), p.db.Values.Value(kb))
	p.memo[k] = v
	return v
}
