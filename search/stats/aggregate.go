package stats

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// localKey is one segment's cell and source, before the segment's codes
// are mapped to the case-wide ids.
type localKey struct {
	hour  int64
	host  int32 // code in the segment's host column
	src   int32 // code in the segment's src_ip column; -1 none
	port  int32
	proto string // NormProto; points into the segment
}

// partial is what one segment's pass leaves for the merge.
type partial struct {
	counts    map[localKey]int64
	host, src *strCol
}

// strCol gives codes for a string column's values: the dictionary's, or
// for a plain column ones handed out here.
type strCol struct {
	d     search.DictColumn
	dict  bool
	seg   *timeline.Segment
	c     int
	local map[string]int32
	vals  []string
}

func newStrCol(seg *timeline.Segment, c int) *strCol {
	d, ok := search.Dict(seg, c)
	return &strCol{d: d, dict: ok, seg: seg, c: c}
}

func (s *strCol) code(i int) int32 {
	if s.dict {
		return int32(s.d.Code(i))
	}
	v := s.seg.Str(s.c, i)
	if v == "" {
		return -1
	}
	if s.local == nil {
		s.local = map[string]int32{}
	}
	k, ok := s.local[v]
	if !ok {
		k = int32(len(s.vals))
		s.local[v] = k
		s.vals = append(s.vals, v)
	}
	return k
}

func (s *strCol) value(code int32) string {
	switch {
	case code < 0:
		return ""
	case s.dict:
		return s.d.Values.Value(int(code))
	}
	return s.vals[code]
}

// intern hands out ids for strings, keeping its own copies.
type intern struct {
	ids  map[string]uint32
	vals []string
}

func (n *intern) id(v string) uint32 {
	if n.ids == nil {
		n.ids = map[string]uint32{}
	}
	if k, ok := n.ids[v]; ok {
		return k
	}
	k := uint32(len(n.vals))
	v = strings.Clone(v)
	n.ids[v] = k
	n.vals = append(n.vals, v)
	return k
}

// noSource is the source id of rows without a source address.
const noSource = ^uint32(0)

// cellKey is one row of the result in case-wide ids.
type cellKey struct {
	hour  int64
	host  uint32
	group uint32 // block or country id (src24, country views)
	port  int32
	proto string
}

type cell struct{ count, sources int64 }

// aggregator accumulates the cells over the segments, in time order.
type aggregator struct {
	by, proto string
	geo       CountryDB
	hosts     intern
	srcs      intern
	groups    intern            // blocks or countries
	groupOf   map[uint32]uint32 // source id → group id
	cells     map[cellKey]*cell
	seen      map[[2]uint32]struct{} // (cell, source) pairs counted
	cellID    map[*cell]uint32
}

func newAggregator(by, proto string) *aggregator {
	return &aggregator{by: by, proto: proto, groupOf: map[uint32]uint32{}, cells: map[cellKey]*cell{},
		seen: map[[2]uint32]struct{}{}, cellID: map[*cell]uint32{}}
}

// segment counts one segment's matching rows per local key; it runs on
// several segments at once and touches nothing shared.
func (a *aggregator) segment(seg *timeline.Segment, rows []search.Rows) (partial, error) {
	p := partial{counts: map[localKey]int64{}, host: newStrCol(seg, timeline.ColHost), src: newStrCol(seg, timeline.ColSrcIP)}
	needProto := a.by == ByPort || a.proto != ""
	rows[0].Each(func(i int) bool {
		proto, icmp := "", int32(taxonomy.NoICMPType)
		if needProto {
			proto, icmp = taxonomy.FromExtra(seg.Str(timeline.ColExtra, i))
			if a.proto != "" && proto != a.proto {
				return true
			}
		}
		k := localKey{hour: hourOf(seg.Time(i)), host: p.host.code(i), src: p.src.code(i)}
		if a.by == ByPort {
			k.proto, k.port = proto, portOf(proto, icmp, seg.Int(timeline.ColDstPort, i))
		}
		p.counts[k]++
		return true
	})
	return p, nil
}

// merge adds one segment's counts in case-wide ids, on one goroutine.
func (a *aggregator) merge(_ *timeline.Segment, _ []search.Rows, p partial) error {
	hostIDs := map[int32]uint32{}
	srcIDs := map[int32]uint32{}
	for k, n := range p.counts {
		h, ok := hostIDs[k.host]
		if !ok {
			h = a.hosts.id(p.host.value(k.host))
			hostIDs[k.host] = h
		}
		src, ok := srcIDs[k.src]
		if !ok {
			src = noSource
			if v := p.src.value(k.src); v != "" {
				src = a.srcs.id(v)
			}
			srcIDs[k.src] = src
		}
		ck := cellKey{hour: k.hour, host: h, port: k.port, proto: k.proto}
		switch a.by {
		case BySrc24, ByCountry:
			g, err := a.group(src)
			if err != nil {
				return err
			}
			ck.group = g
		}
		c := a.cells[ck]
		if c == nil {
			if ck.proto != "" {
				ck.proto = strings.Clone(ck.proto)
			}
			c = &cell{}
			a.cells[ck] = c
			a.cellID[c] = uint32(len(a.cellID))
		}
		c.count += n
		if src != noSource && (a.by == ByPort || a.by == BySensor) {
			pair := [2]uint32{a.cellID[c], src}
			if _, dup := a.seen[pair]; !dup {
				a.seen[pair] = struct{}{}
				c.sources++
			}
		}
	}
	return nil
}

// group is the block or country of a source, decided once per source.
func (a *aggregator) group(src uint32) (uint32, error) {
	if g, ok := a.groupOf[src]; ok {
		return g, nil
	}
	name := Unknown
	if src != noSource {
		ip := a.srcs.vals[src]
		if a.by == BySrc24 {
			name = BlockOf(ip)
		} else if addr, err := netip.ParseAddr(ip); err == nil {
			c, err := a.geo.Country(addr.Unmap())
			if err != nil {
				return 0, err
			}
			if c != "" {
				name = c
			}
		}
	}
	g := a.groups.id(name)
	a.groupOf[src] = g
	return g, nil
}

// result turns the cells into rows: the top-N keys of the view only, by
// hour, host, then count.
func (a *aggregator) result(opts Options) (*Result, error) {
	keyOf := func(k cellKey) string {
		switch a.by {
		case ByPort:
			return PortKey(k.proto, k.port)
		case BySrc24, ByCountry:
			return a.groups.vals[k.group]
		}
		return a.hosts.vals[k.host]
	}
	totals := map[string]int64{}
	for k, c := range a.cells {
		totals[keyOf(k)] += c.count
	}
	keep := rank(totals, opts.Top)
	res := &Result{By: a.by, Rows: make([]Row, 0, len(a.cells))}
	for k, c := range a.cells {
		if !keep[keyOf(k)] {
			continue
		}
		r := Row{Hour: time.Unix(0, k.hour).UTC(), Host: a.hosts.vals[k.host], Count: c.count, Sources: c.sources}
		switch a.by {
		case ByPort:
			r.Proto, r.Port = k.proto, k.port
			if r.Proto == "" {
				r.Proto = Unknown
			}
		case BySrc24:
			r.Block = a.groups.vals[k.group]
		case ByCountry:
			r.Country = a.groups.vals[k.group]
		}
		res.Rows = append(res.Rows, r)
	}
	sort.Slice(res.Rows, func(i, j int) bool { return less(&res.Rows[i], &res.Rows[j]) })
	return res, nil
}

func less(x, y *Row) bool {
	switch {
	case !x.Hour.Equal(y.Hour):
		return x.Hour.Before(y.Hour)
	case x.Host != y.Host:
		return x.Host < y.Host
	case x.Count != y.Count:
		return x.Count > y.Count
	case x.Proto != y.Proto:
		return x.Proto < y.Proto
	case x.Port != y.Port:
		return x.Port < y.Port
	case x.Block != y.Block:
		return x.Block < y.Block
	}
	return x.Country < y.Country
}
