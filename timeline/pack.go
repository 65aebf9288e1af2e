package timeline

import (
	"cmp"
	"slices"
	"unsafe"
)

// Slots of a packed event: integer columns and byte columns, in column order.
var (
	intSlot   [numCols]int
	bytesSlot [numCols]int
	numInts   int
	numBytes  int
)

func init() {
	for c := range numCols {
		intSlot[c], bytesSlot[c] = -1, -1
		if isIntCol(c) {
			intSlot[c] = numInts
			numInts++
		} else {
			bytesSlot[c] = numBytes
			numBytes++
		}
	}
}

type span struct{ off, n uint32 }

type packedEvent struct {
	ints [9]int64
	strs [19]span
}

// chunk holds events in compact form until they are sorted and written: one
// arena for every string, so buffering costs no allocation per event.
type chunk struct {
	events []packedEvent
	arena  []byte
	last   [19]span // last value per slot, reused when a value repeats
	extra  []byte
}

func init() {
	if numInts != len(packedEvent{}.ints) || numBytes != len(packedEvent{}.strs) {
		panic("timeline: packedEvent size does not match the column table")
	}
}

func (k *chunk) put(slot int, b []byte) span {
	if len(b) == 0 {
		return span{}
	}
	if l := k.last[slot]; int(l.n) == len(b) && string(k.arena[l.off:l.off+l.n]) == string(b) {
		return l
	}
	s := span{uint32(len(k.arena)), uint32(len(b))}
	k.arena = append(k.arena, b...)
	k.last[slot] = s
	return s
}

func (k *chunk) add(ev *Event) {
	var p packedEvent
	for c := range numCols {
		if s := intSlot[c]; s >= 0 {
			p.ints[s] = ev.intField(c)
			continue
		}
		s := bytesSlot[c]
		switch c {
		case ColRaw:
			p.strs[s] = k.put(s, ev.Raw)
		case ColExtra:
			k.extra = appendExtraJSON(k.extra[:0], ev.Extra)
			p.strs[s] = k.put(s, k.extra)
		default:
			v := ev.strField(c)
			p.strs[s] = k.put(s, unsafe.Slice(unsafe.StringData(v), len(v)))
		}
	}
	k.events = append(k.events, p)
}

func (k *chunk) bytes(p *packedEvent, c int) []byte {
	s := p.strs[bytesSlot[c]]
	return k.arena[s.off : s.off+s.n]
}

// sortedOrder returns the event positions in time order; equal times keep
// their arrival order so output is deterministic.
func (k *chunk) sortedOrder() []uint32 {
	order := make([]uint32, len(k.events))
	sorted := true
	for i := range order {
		order[i] = uint32(i)
		if i > 0 && k.events[i].ints[0] < k.events[i-1].ints[0] {
			sorted = false
		}
	}
	if !sorted {
		slices.SortStableFunc(order, func(a, b uint32) int {
			return cmp.Compare(k.events[a].ints[0], k.events[b].ints[0])
		})
	}
	return order
}

func (k *chunk) appendTo(b *rowBuilder, i uint32) {
	p := &k.events[i]
	for c := range numCols {
		if s := intSlot[c]; s >= 0 {
			b.appendInt(c, p.ints[s])
		} else {
			b.appendBytes(c, k.bytes(p, c))
		}
	}
	b.rows++
}

func (k *chunk) reset() {
	k.events = k.events[:0]
	k.arena = k.arena[:0]
	k.last = [19]span{}
}

func (k *chunk) size() int { return len(k.arena) + len(k.events)*int(unsafe.Sizeof(packedEvent{})) }
