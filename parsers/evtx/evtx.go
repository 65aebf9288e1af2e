package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/Velocidex/ordereddict"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
	"www.velocidex.com/golang/evtx"
)

// Format and source names.
const (
	FormatName  = "evtx"
	SourceLogon = "evtx-logon"
)

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Description: "Windows XML event logs (.evtx): logons, services, tasks, processes, PowerShell, RDP, log clearing normalised; every record kept",
		HasZone:     true, // FILETIMEs are UTC
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
		Sources: []parsers.Source{
			{Name: FormatName, Class: parsers.ClassSystem},
			{Name: SourceLogon, Class: parsers.ClassLogin},
		},
	})
}

// File layout (libevtx documentation).
const (
	fileMagic   = "ElfFile\x00"
	chunkMagic  = "ElfChnk\x00"
	recordMagic = "\x2a\x2a\x00\x00"
	// chunkSize is fixed by the format.
	chunkSize = 65536
	// chunkHeaderSize: records start after the chunk header and its
	// string and template tables.
	chunkHeaderSize = 512
	// recordHeaderSize: magic, size, record id, FILETIME.
	recordHeaderSize = 24
	// maxBuffered bounds an event log read into memory when the input has
	// no random access (a member of a compressed archive): Windows caps a
	// log at 4 GiB but ships them at 20 MiB; 1 GiB holds any real one.
	maxBuffered = 1 << 30
)

func detect(name string, head []byte) int {
	if bytes.HasPrefix(head, []byte(fileMagic)) {
		return 100
	}
	return 0
}

// parser holds one file's state.
type parser struct {
	in    *parsers.Input
	sink  timeline.Sink
	ev    timeline.Event
	chunk int
	base  int64  // file offset of the current chunk
	cur   []byte // the current chunk's bytes
	// chunks is the chunk count of the file header: chunks past it with no
	// chunk magic are unused space, not damage.
	chunks int
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	ra, size, err := winart.ReaderAt(in, maxBuffered)
	if err != nil {
		return err
	}
	head := make([]byte, 128)
	if n, _ := ra.ReadAt(head, 0); n < len(head) || !bytes.HasPrefix(head, []byte(fileMagic)) {
		return fmt.Errorf("%s: not an EVTX file (no ElfFile header)", in.Name)
	}
	headerSize := int64(binary.LittleEndian.Uint16(head[40:]))
	if headerSize < 128 || headerSize > chunkSize {
		in.Problemf("evtx-header", 0, 0, "header block size %d out of range, using 4096", headerSize)
		headerSize = 4096
	}
	p := &parser{in: in, sink: sink, chunks: int(binary.LittleEndian.Uint16(head[42:]))}
	buf := make([]byte, chunkSize)
	for off, i := headerSize, 0; off < size; off, i = off+chunkSize, i+1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := ra.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: chunk %d at offset %d: %w", in.Name, i, off, err)
		}
		if n < chunkHeaderSize {
			in.Problemf("evtx-chunk", int64(off), 0, "chunk %d: only %d bytes, too short for a chunk", i, n)
			break
		}
		if n < chunkSize && string(buf[:8]) == chunkMagic {
			in.Problemf("evtx-chunk", int64(off), 0, "chunk %d truncated: %d of %d bytes, parsed as far as they go", i, n, chunkSize)
		}
		clear(buf[n:])
		p.chunk, p.base = i, off
		if err := p.doChunk(buf); err != nil {
			return err
		}
	}
	return nil
}

// recordAt is a record header found by walking a chunk.
type recordAt struct {
	off  int // in the chunk
	size int
	id   uint64
}

// walk lists the records of a chunk by their headers, up to the last
// record's offset (records past it are slack of older writes): each one
// starts with the record magic and gives its size, which must fit in the
// chunk. Where that chain breaks, the walk resumes at the next 8-byte
// aligned offset that holds a record whose size is also repeated in its
// last four bytes; broken is the first offset where it broke (-1 if never).
func walk(buf []byte, last int) (out []recordAt, broken int) {
	broken = -1
	for off := chunkHeaderSize; off+recordHeaderSize <= len(buf) && off <= last; {
		if size, ok := recordSize(buf, off, broken >= 0); ok {
			out = append(out, recordAt{off, size, binary.LittleEndian.Uint64(buf[off+8:])})
			off += size
			continue
		}
		if broken < 0 {
			broken = off
		}
		off = (off + 8) &^ 7
	}
	return out, broken
}

// recordSize checks the record header at off (and, when strict, the copy
// of the size at the record's end).
func recordSize(buf []byte, off int, strict bool) (int, bool) {
	if string(buf[off:off+4]) != recordMagic {
		return 0, false
	}
	size := int(binary.LittleEndian.Uint32(buf[off+4:]))
	if size < recordHeaderSize+4 || off+size > len(buf) {
		return 0, false
	}
	if strict && int(binary.LittleEndian.Uint32(buf[off+size-4:])) != size {
		return 0, false
	}
	return size, true
}

func (p *parser) doChunk(buf []byte) error {
	p.cur = buf
	magic := string(buf[:8])
	if magic != chunkMagic {
		if allZero(buf[:chunkHeaderSize]) {
			return nil // an unused chunk
		}
		if p.chunk >= p.chunks {
			return nil // space past the log's chunks, never written as one
		}
		p.in.Problemf("evtx-chunk", int64(p.base), 0, "chunk %d: bad chunk magic %q; its records are kept unparsed", p.chunk, magic)
		recs, _ := walk(buf, len(buf))
		return p.unparsedAll(recs, nil)
	}
	var hdr evtx.ChunkHeader
	if err := binary.Read(bytes.NewReader(buf), binary.LittleEndian, &hdr); err != nil {
		return err // cannot happen: buf is a whole chunk
	}
	recs, broken := walk(buf, int(min(hdr.LastEventRecOffset, chunkSize)))
	if broken >= 0 {
		p.in.Problemf("evtx-record", int64(p.base)+int64(broken), 0, "chunk %d: damaged record data; records after it found by their headers", p.chunk)
	}
	// The library walks as many records as the header counts, re-reading a
	// record whose size is zero; it is given only the records whose
	// headers chain from the chunk's start, so damage cannot make it loop.
	chained := uint64(len(recs))
	for i, r := range recs {
		if broken >= 0 && r.off > broken {
			chained = uint64(i)
			break
		}
	}
	if n := hdr.LastEventRecNumber - hdr.FirstEventRecNumber + 1; hdr.LastEventRecNumber < hdr.FirstEventRecNumber || n > chained {
		hdr.LastEventRecNumber = hdr.FirstEventRecNumber + chained - 1
	}
	var rendered []*evtx.EventRecord
	var perr error
	if chained > 0 {
		rendered, perr = parseChunk(buf, hdr)
	}
	if perr != nil {
		p.in.Problemf("evtx-chunk", int64(p.base), 0, "chunk %d: %v", p.chunk, perr)
	}
	done := make(map[uint64]bool, len(rendered))
	byID := make(map[uint64]recordAt, len(recs))
	for _, r := range recs {
		byID[r.id] = r
	}
	for _, r := range rendered {
		at, ok := byID[r.Header.RecordID]
		off := int64(at.off)
		if !ok {
			off = 0
		}
		done[r.Header.RecordID] = true
		if err := p.record(r, p.base+off); err != nil {
			return err
		}
	}
	return p.unparsedAll(recs, done)
}

// chunkTimeout bounds the library's time on one chunk. A real chunk takes
// milliseconds; crafted BinXML (nested substitutions of 10240 arguments
// each) makes the library's work grow exponentially, and a goroutine
// cannot be stopped, so past this budget the chunk's records are kept
// unparsed and the library's goroutine is left to finish on its own. A
// variable so the fuzz target can shorten it.
var chunkTimeout = 5 * time.Second

// parseChunk runs the library over one chunk held in memory, turning a
// panic inside it into an error (the chunk's records then go unparsed).
func parseChunk(buf []byte, hdr evtx.ChunkHeader) ([]*evtx.EventRecord, error) {
	type result struct {
		recs []*evtx.EventRecord
		err  error
	}
	own := bytes.Clone(buf) // the goroutine may outlive this call
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{nil, fmt.Errorf("parser panicked: %v", r)}
			}
		}()
		c := &evtx.Chunk{Header: hdr, Offset: 0, Fd: bytes.NewReader(own)}
		recs, err := c.Parse(0)
		done <- result{recs, err}
	}()
	timer := time.NewTimer(chunkTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.recs, r.err
	case <-timer.C:
		return nil, fmt.Errorf("not rendered within %v (malformed BinXML)", chunkTimeout)
	}
}

// unparsedAll keeps the records of recs that are not in done as unparsed
// events with their bytes, and says so in one warning per chunk.
func (p *parser) unparsedAll(recs []recordAt, done map[uint64]bool) error {
	n, first, last := 0, int64(0), int64(0)
	for _, r := range recs {
		if done[r.id] {
			continue
		}
		off := p.base + int64(r.off)
		if n == 0 {
			first = off
		}
		n, last = n+1, off
		ev := &p.ev
		ev.Reset()
		p.common(ev, off)
		ev.Source = timeline.SourceRaw
		ev.TimeDesc = timeline.TimeUnknown
		raw := p.cur[r.off : r.off+r.size]
		if ns, ok := winart.UnixNano(binary.LittleEndian.Uint64(raw[16:])); ok {
			ev.Time, ev.TimeDesc = ns, timeline.TimeLog
		}
		ev.AddExtra("record_id", strconv.FormatUint(r.id, 10))
		ev.Message = "EVTX record " + strconv.FormatUint(r.id, 10) + " could not be rendered"
		ev.Raw = raw
		if err := p.sink.Emit(ev); err != nil {
			return err
		}
	}
	if n > 0 {
		p.in.Problemf("evtx-record", int64(first), 0, "chunk %d: %d records at offsets %d to %d could not be rendered; kept unparsed with their bytes", p.chunk, n, first, last)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// common fills the fields every event of the file has.
func (p *parser) common(ev *timeline.Event, off int64) {
	ev.Evidence, ev.RefPath, ev.Host, ev.Offset = p.in.Evidence, p.in.Name, p.in.Host, off
	ev.Zone = "UTC"
	ev.AddExtra("chunk", strconv.Itoa(p.chunk))
}

// recordTime picks the event time: TimeCreated, at the record header's 100
// ns when the two agree within a millisecond.
func recordTime(sys *ordereddict.Dict, header uint64) (int64, bool) {
	hdr, hok := winart.UnixNano(header)
	v, ok := ordereddict.GetAny(sys, "TimeCreated.SystemTime")
	f, fok := v.(float64)
	if !ok || !fok || math.IsNaN(f) || f <= 0 || f > 9e9 {
		return hdr, hok
	}
	tc := int64(math.Round(f*1e6)) * 1e3
	if hok && tc-hdr < 1e6 && hdr-tc < 1e6 {
		return hdr, true
	}
	return tc, true
}
