package ntfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"www.velocidex.com/golang/go-ntfs/parser"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Name is the registered file system name; events carry it as Source.
const Name = "ntfs"

// SourceUSN is the Source of $UsnJrnl:$J events.
const SourceUSN = "usnjrnl"

func init() {
	parsers.RegisterFileSystem(&parsers.FileSystem{Name: Name, Detect: Detect, Parse: Parse, Files: Files,
		Sources: []parsers.Source{{Name: Name, Class: parsers.ClassFS}, {Name: SourceUSN, Class: parsers.ClassFS}}})
}

// Detect recognises an NTFS boot sector at the first byte of r.
func Detect(r io.ReaderAt, size int64) bool {
	var b [512]byte
	if n, _ := r.ReadAt(b[:], 0); n < len(b) {
		return false
	}
	return bootSectorOK(b[:])
}

func bootSectorOK(b []byte) bool {
	if len(b) < 512 || string(b[3:11]) != "NTFS    " || b[510] != 0x55 || b[511] != 0xaa {
		return false
	}
	bps := binary.LittleEndian.Uint16(b[11:])
	return bps >= 256 && bps <= 4096 && bps&(bps-1) == 0 && b[13] != 0
}

// Parse emits the timeline of an NTFS volume.
func Parse(ctx context.Context, vol *parsers.Volume, sink timeline.Sink) (err error) {
	p := &volParser{vol: vol, in: vol.Input, sink: sink, badRunStart: -1}
	if p.in == nil {
		p.in = &parsers.Input{}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: NTFS parser panicked (offset %d): %v", vol.RefPath, vol.Offset, r)
		}
	}()
	if err := p.open(); err != nil {
		return err
	}
	if err := p.readMFT(ctx); err != nil {
		return err
	}
	p.mergeExtensions()
	if err := p.emitEntries(ctx); err != nil {
		return err
	}
	if err := p.readUSN(ctx); err != nil {
		return err
	}
	return nil
}

type volParser struct {
	vol  *parsers.Volume
	in   *parsers.Input
	sink timeline.Sink

	nctx    *parser.NTFSContext
	disk    io.ReaderAt
	recSize int64
	cluster int64
	entries []entry
	res     resolver
	ev      timeline.Event
	mount   string

	entriesRead int64 // MFT records examined (for the benchmark)
	sinkErr     error
	mftRuns     []extent
	badRunStart int64
	entryOff    int64 // image offset of the entry being emitted, -1 unknown
	badRunEnd   int64
}

// warn reports a problem of a kind (the ingest counts problems per kind
// and lists the first ones of each).
func (p *volParser) warn(kind, format string, args ...any) {
	p.in.Problem(parsers.Problem{Name: p.vol.RefPath, Offset: -1, Kind: "ntfs-" + kind, Err: fmt.Errorf(format, args...)})
}

func (p *volParser) open() error {
	var boot [512]byte
	if n, _ := p.vol.R.ReadAt(boot[:], 0); n < len(boot) || !bootSectorOK(boot[:]) {
		return fmt.Errorf("%s: no NTFS boot sector at offset %d", p.vol.RefPath, p.vol.Offset)
	}
	declared := int64(binary.LittleEndian.Uint64(boot[40:])) * int64(binary.LittleEndian.Uint16(boot[11:]))
	if declared > p.vol.Size {
		p.warn("truncation", "NTFS volume at offset %d is truncated: the boot sector declares %d bytes, the image holds %d; entries past the end are reported as unreadable", p.vol.Offset, declared, p.vol.Size)
	}
	paged, err := parser.NewPagedReader(p.vol.R, 4096, 1024)
	if err != nil {
		return err
	}
	p.disk = paged
	nctx, err := parser.GetNTFSContext(paged, 0)
	if err != nil {
		return fmt.Errorf("%s: NTFS at offset %d: %w", p.vol.RefPath, p.vol.Offset, err)
	}
	p.nctx = nctx
	p.recSize = nctx.GetRecordSize()
	p.cluster = nctx.ClusterSize
	if p.recSize < 256 || p.recSize > 65536 || p.recSize&(p.recSize-1) != 0 {
		return fmt.Errorf("%s: NTFS at offset %d: absurd MFT record size %d", p.vol.RefPath, p.vol.Offset, p.recSize)
	}
	if m := p.in.Options["mount"]; m != "" {
		p.mount = strings.TrimRight(m, "/")
	}
	return nil
}

// physical returns the byte offset in the image of an offset in the $MFT
// stream, from the runlist of the $MFT's own $DATA attribute (entry 0), or
// -1 when it cannot be mapped. (go-ntfs's VtoP adds the offset twice for
// multi-run readers, so Kiseki maps it itself.)
func (p *volParser) physical(mftOff int64) int64 {
	vcn := mftOff / p.cluster
	for _, x := range p.mftRuns {
		if x.lcn >= 0 && vcn >= x.vcn && vcn < x.vcn+x.length {
			return p.vol.Offset + (x.lcn+vcn-x.vcn)*p.cluster + mftOff%p.cluster
		}
	}
	return -1
}

// extent maps clusters of a stream (vcn) to clusters of the volume (lcn).
type extent struct{ vcn, lcn, length int64 }

// mftExtents reads the runlists of the unnamed $DATA attributes of the
// $MFT's base record (fixups applied).
func mftExtents(rec []byte) []extent {
	var out []extent
	off := int(le16(rec, 20))
	for off+16 <= len(rec) {
		typ, alen := le32(rec, off), int(le32(rec, off+4))
		if typ == attrEnd || alen < 16 || off+alen > len(rec) {
			break
		}
		a := rec[off : off+alen]
		if typ == attrData && a[8] != 0 && a[9] == 0 && len(a) >= 64 {
			vcn := int64(le64(a, 16))
			if ro := int(le16(a, 32)); ro < len(a) {
				runs, _ := decodeRuns(a[ro:], 4096)
				for _, r := range runs {
					out = append(out, extent{vcn: vcn, lcn: r.lcn, length: r.length})
					vcn += r.length
				}
			}
		}
		off += alen
	}
	return out
}

const recordsPerRead = 256

func (p *volParser) readMFT(ctx context.Context) error {
	mft := p.nctx.MFTReader
	rec0 := make([]byte, p.recSize)
	if n, _ := mft.ReadAt(rec0, 0); n < len(rec0) {
		return fmt.Errorf("%s: $MFT entry 0 unreadable", p.vol.RefPath)
	}
	var e0 entry
	if string(rec0[:4]) != "FILE" || applyFixup(rec0) != nil {
		return fmt.Errorf("%s: $MFT entry 0 is corrupt (offset %d)", p.vol.RefPath, p.physical(0))
	}
	decodeEntry(rec0, &e0)
	p.mftRuns = mftExtents(rec0)
	var mftSize int64
	for _, s := range e0.streams {
		if s.typ == attrData && s.name == "" {
			mftSize = s.size
		}
	}
	if mftSize <= 0 {
		return fmt.Errorf("%s: $MFT has no $DATA size", p.vol.RefPath)
	}
	if mftSize > p.vol.Size && p.vol.Size > 0 {
		p.warn("mft-size", "$MFT declares %d bytes, more than the %d-byte volume; reading what fits", mftSize, p.vol.Size)
		mftSize = p.vol.Size
	}
	// Without an attribute list the $MFT's own runlist in entry 0 covers
	// the whole MFT: a size beyond it is corrupt.
	if e0.al == nil {
		var mapped int64
		for _, x := range p.mftRuns {
			mapped = max(mapped, (x.vcn+x.length)*p.cluster)
		}
		if mapped > 0 && mftSize > mapped {
			p.warn("mft-size", "$MFT declares %d bytes but its runlist maps %d; reading the mapped part", mftSize, mapped)
			mftSize = mapped
		}
	}
	n := mftSize / p.recSize
	// Grown as records are read, so a corrupt size costs no memory up front.
	p.entries = make([]entry, 0, min(n, 1<<16))
	buf := make([]byte, p.recSize*recordsPerRead)
	for first := int64(0); first < n; first += recordsPerRead {
		if first%(recordsPerRead*16) == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		cnt := min(recordsPerRead, n-first)
		chunk := buf[:cnt*p.recSize]
		got, _ := mft.ReadAt(chunk, first*p.recSize)
		for i := int64(0); i < cnt; i++ {
			idx := first + i
			rec := chunk[i*p.recSize : (i+1)*p.recSize]
			p.entriesRead++
			p.entries = append(p.entries, entry{})
			if int64(got) < (i+1)*p.recSize || p.pastEnd(idx) {
				p.unreadable(idx)
				continue
			}
			p.flushUnreadable()
			p.decodeRecord(idx, rec)
		}
	}
	p.flushUnreadable()
	return nil
}

// pastEnd reports whether MFT entry idx lies beyond the end of a
// truncated volume (the readers below return zeros there, not errors).
func (p *volParser) pastEnd(idx int64) bool {
	ph := p.physical(idx * p.recSize)
	return ph >= 0 && ph-p.vol.Offset+p.recSize > p.vol.Size
}

// unreadable records that entry idx could not be read. Consecutive
// unreadable entries are reported as one run (a truncated image can cut
// off most of a large MFT).
func (p *volParser) unreadable(idx int64) {
	if p.badRunStart < 0 {
		p.badRunStart = idx
	}
	p.badRunEnd = idx
}

func (p *volParser) flushUnreadable() {
	if p.badRunStart < 0 {
		return
	}
	first, last := p.badRunStart, p.badRunEnd
	p.badRunStart = -1
	phys := p.physical(first * p.recSize)
	p.warn("unreadable", "MFT entries %d-%d at offset %d could not be read (truncated image?)", first, last, phys)
	ev := &p.ev
	ev.Reset()
	p.fillRef(ev, first)
	ev.Offset = phys
	ev.Source = timeline.SourceRaw
	ev.TimeDesc = timeline.TimeUnknown
	ev.Message = "NTFS MFT entries " + itoa(first) + "-" + itoa(last) + " unreadable"
	p.emit(ev)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (p *volParser) decodeRecord(idx int64, rec []byte) {
	var err error
	switch {
	case bytes.HasPrefix(rec, []byte("FILE")):
		raw := rec
		if err = applyFixup(rec); err != nil {
			p.bad(idx, raw, err)
			return
		}
		err = decodeEntry(rec, &p.entries[idx])
	case bytes.HasPrefix(rec, []byte("BAAD")):
		err = errBaad
	case allZero(rec[:48]):
		return // never used
	default:
		err = errNotFile
	}
	if err != nil {
		p.bad(idx, rec, err)
	}
}

// bad reports a corrupt MFT entry and keeps its raw bytes as an unparsed
// event. Whatever part of the entry decoded is still used.
func (p *volParser) bad(idx int64, raw []byte, err error) {
	phys := p.physical(idx * p.recSize)
	p.warn("corrupt-entry", "MFT entry %d at offset %d: %v", idx, phys, err)
	ev := &p.ev
	ev.Reset()
	p.fillRef(ev, idx)
	ev.Offset = phys
	ev.Source = timeline.SourceRaw
	ev.TimeDesc = timeline.TimeUnknown
	ev.Raw = raw
	ev.Message = "NTFS MFT entry " + strconv.FormatInt(idx, 10) + ": " + err.Error()
	p.emit(ev)
}

func (p *volParser) fillRef(ev *timeline.Event, idx int64) {
	ev.Host, ev.Evidence = p.in.Host, p.in.Evidence
	ev.RefPath = p.vol.RefPath
	ev.MFT = idx
	ev.Zone = "UTC"
}

// emitErr is the first error the sink returned; emission stops there.
func (p *volParser) emit(ev *timeline.Event) {
	if p.sinkErr == nil {
		p.sinkErr = p.sink.Emit(ev)
	}
}

// mergeExtensions moves the attributes of extension records into their
// base entries, numbering them as the Sleuth Kit does (ids after the
// highest id in the attribute list, in list order) so that meta addresses
// match its bodyfile.
func (p *volParser) mergeExtensions() {
	n := uint64(len(p.entries))
	for bi := range p.entries {
		b := &p.entries[bi]
		if !b.valid || b.base != 0 || b.al == nil {
			continue
		}
		list := b.al.content
		if b.al.runs != nil {
			list = p.readNonResident(b.al.runs, b.al.size, int64(bi))
		}
		items := parseAttrList(list)
		next := b.al.id
		for _, it := range items {
			if it.id > next {
				next = it.id
			}
		}
		type key struct {
			typ  uint32
			name string
		}
		ids := map[key]uint16{}
		var refs []uint64
		seenRef := map[uint64]bool{}
		for _, it := range items {
			k := key{it.typ, it.name}
			if _, ok := ids[k]; !ok {
				if it.ref != uint64(bi) {
					next++
					ids[k] = next
				} else {
					ids[k] = 0
				}
			}
			if it.ref != uint64(bi) && !seenRef[it.ref] && it.ref < n && it.ref != 0 {
				seenRef[it.ref] = true
				refs = append(refs, it.ref)
			}
		}
		for _, r := range refs {
			x := &p.entries[r]
			if !x.valid || x.base != uint64(bi) {
				continue
			}
			for _, f := range x.fns {
				if id := ids[key{attrFileName, ""}]; id != 0 {
					f.id = id
				}
				b.fns = append(b.fns, f)
			}
			for _, s := range x.streams {
				if id := ids[key{s.typ, s.name}]; id != 0 {
					s.id = id
				}
				s.ext = uint32(r)
				b.streams = append(b.streams, s)
			}
			if !b.si.present && x.si.present {
				b.si = x.si
			}
		}
	}
}

// maxAttrList bounds a non-resident attribute list read into memory.
const maxAttrList = 4 << 20

func (p *volParser) readNonResident(runlist []byte, size int64, idx int64) []byte {
	if size <= 0 || size > maxAttrList {
		p.warn("attribute-list", "MFT entry %d: non-resident $ATTRIBUTE_LIST of %d bytes ignored", idx, size)
		return nil
	}
	runs, err := decodeRuns(runlist, 1024)
	if err != nil {
		p.warn("attribute-list", "MFT entry %d: $ATTRIBUTE_LIST runlist: %v", idx, err)
	}
	out := make([]byte, 0, size)
	for _, r := range runs {
		if int64(len(out)) >= size {
			break
		}
		want := min(r.length*p.cluster, size-int64(len(out)))
		chunk := make([]byte, want)
		if r.lcn >= 0 {
			if n, _ := p.disk.ReadAt(chunk, r.lcn*p.cluster); int64(n) < want {
				p.warn("attribute-list", "MFT entry %d: $ATTRIBUTE_LIST cluster %d unreadable", idx, r.lcn)
			}
		}
		out = append(out, chunk...)
	}
	return out
}
