package memory

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Container formats of memory images.
const (
	ContainerRaw  = "raw"
	ContainerLiME = "lime"
	ContainerAVML = "avml"
	ContainerELF  = "elf-core"
	// ContainerCrashDump is a Windows crash dump (PAGEDU64/PAGEDUMP).
	ContainerCrashDump = "windows-crash-dump"
	// ContainerHiberfil is a Windows hibernation file (hiberfil.sys).
	ContainerHiberfil = "windows-hibernation"
)

const (
	limeMagic  = 0x4C694D45 // "EMiL" little-endian
	avmlMagic  = 0x4C4D5641 // "AVML" little-endian
	limeHeader = 32
)

// Absent marks an address a range does not have.
const Absent = -1

// Range is one stretch of memory inside the image file.
type Range struct {
	FileOff int64 // file offset of the range's data (AVML: of its snappy stream)
	Len     int64 // bytes of memory in the range
	Phys    int64 // physical address of the first byte, or Absent
	Virt    int64 // virtual address of the first byte, or Absent
	// Frames, for AVML ranges, index the snappy stream: decoded offset ->
	// file offset of the frame holding it. Nil for ranges stored plain.
	Frames []Frame
}

// Layout is what Open found in an image.
type Layout struct {
	Container string
	Ranges    []Range
	Warnings  []string // problems that did not stop the reading (a truncated range...)
}

// Open reads the structure of a memory image: LiME or AVML range headers,
// ELF core PT_LOAD segments, or else one raw range over the whole file. It
// reads headers only, never the memory itself.
func Open(r io.ReaderAt, size int64) (lay *Layout, err error) {
	defer func() {
		if p := recover(); p != nil {
			lay, err = nil, fmt.Errorf("memory image layout: panic: %v", p)
		}
	}()
	var head [limeHeader]byte
	n, _ := r.ReadAt(head[:], 0)
	switch {
	case n >= 8 && (le32(head[:]) == limeMagic || le32(head[:]) == avmlMagic):
		return openLiME(r, size)
	case n >= 18 && string(head[:4]) == "\x7fELF":
		if elfType(head[:n]) == uint16(elf.ET_CORE) {
			return openELF(r, size)
		}
	case n >= 8 && (string(head[:8]) == crashDump64 || string(head[:8]) == crashDump32):
		return openCrashDump(r, size, string(head[:8]) == crashDump64), nil
	case n >= 4 && hiberMagic(head[:4]):
		return &Layout{Container: ContainerHiberfil, Ranges: []Range{{FileOff: 0, Len: size, Phys: Absent, Virt: Absent}},
			Warnings: []string{fmt.Sprintf("Windows hibernation file (signature %q at offset 0): its compressed pages are not decompressed; carved as raw bytes", head[:4])}}, nil
	}
	return &Layout{Container: ContainerRaw, Ranges: []Range{{FileOff: 0, Len: size, Phys: 0, Virt: Absent}}}, nil
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// elfType returns e_type of an ELF header in its own byte order.
func elfType(h []byte) uint16 {
	if len(h) < 18 {
		return 0
	}
	if h[5] == 2 {
		return binary.BigEndian.Uint16(h[16:])
	}
	return binary.LittleEndian.Uint16(h[16:])
}

// openLiME walks the range headers: magic, version (1: plain, 2: snappy
// framed stream followed by its compressed length), start and end (inclusive)
// physical address, 8 reserved bytes.
func openLiME(r io.ReaderAt, size int64) (*Layout, error) {
	lay := &Layout{Container: ContainerLiME}
	var h [limeHeader]byte
	off := int64(0)
	for off+limeHeader <= size {
		if _, err := r.ReadAt(h[:], off); err != nil {
			return lay, fmt.Errorf("lime header at offset %d: %w", off, err)
		}
		magic, version := le32(h[0:]), le32(h[4:])
		start, end := binary.LittleEndian.Uint64(h[8:]), binary.LittleEndian.Uint64(h[16:])
		if magic != limeMagic && magic != avmlMagic {
			if len(lay.Ranges) == 0 {
				return nil, fmt.Errorf("offset %d: no LiME/AVML range header", off)
			}
			lay.Warnings = append(lay.Warnings, fmt.Sprintf("offset %d: %d bytes after the last range header are not a range header; ignored", off, size-off))
			break
		}
		if end < start || end-start >= 1<<62 {
			return lay, fmt.Errorf("range header at offset %d: end %#x before start %#x", off, end, start)
		}
		length := int64(end-start) + 1
		data := off + limeHeader
		switch version {
		case 1:
			if data+length > size {
				lay.Warnings = append(lay.Warnings, fmt.Sprintf("range header at offset %d: range of %d bytes truncated to %d (file ends)", off, length, size-data))
				length = size - data
			}
			lay.Ranges = append(lay.Ranges, Range{FileOff: data, Len: length, Phys: int64(start), Virt: Absent})
			off = data + length
		case 2:
			lay.Container = ContainerAVML
			frames, streamEnd, decoded, err := indexSnappy(r, data, size, length)
			if err != nil {
				lay.Warnings = append(lay.Warnings, fmt.Sprintf("AVML range at offset %d: %v", off, err))
			}
			if decoded > 0 {
				lay.Ranges = append(lay.Ranges, Range{FileOff: data, Len: decoded, Phys: int64(start), Virt: Absent, Frames: frames})
			}
			if err != nil {
				return lay, nil
			}
			// The stream is followed by its own length as a u64.
			var t [8]byte
			if _, err := r.ReadAt(t[:], streamEnd); err != nil || int64(binary.LittleEndian.Uint64(t[:])) != streamEnd-data {
				lay.Warnings = append(lay.Warnings, fmt.Sprintf("AVML range at offset %d: compressed length trailer at %d does not match", off, streamEnd))
			}
			off = streamEnd + 8
		default:
			return lay, fmt.Errorf("range header at offset %d: unknown version %d", off, version)
		}
	}
	if len(lay.Ranges) == 0 {
		return nil, errors.New("no memory ranges")
	}
	return lay, nil
}

// openELF lists the PT_LOAD segments of an ELF core file that have bytes in
// the file. Physical addresses are used when the core has them (QEMU
// dump-guest-memory, virsh dump --memory-only); process cores (gcore) carry
// virtual addresses only.
func openELF(r io.ReaderAt, size int64) (*Layout, error) {
	f, err := elf.NewFile(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, fmt.Errorf("ELF core: %w", err)
	}
	lay := &Layout{Container: ContainerELF}
	physical := false
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Filesz > 0 && p.Paddr != 0 {
			physical = true
		}
	}
	for i, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 {
			continue
		}
		off, n := int64(p.Off), int64(p.Filesz)
		if off < 0 || n < 0 || off >= size {
			lay.Warnings = append(lay.Warnings, fmt.Sprintf("ELF program header %d: segment at offset %d outside the file", i, p.Off))
			continue
		}
		if off+n > size || off+n < off {
			lay.Warnings = append(lay.Warnings, fmt.Sprintf("ELF program header %d: segment at offset %d truncated (file ends)", i, p.Off))
			n = size - off
		}
		rg := Range{FileOff: off, Len: n, Phys: Absent, Virt: Absent}
		if physical {
			rg.Phys = int64(p.Paddr)
			if p.Vaddr != 0 {
				rg.Virt = int64(p.Vaddr)
			}
		} else {
			rg.Virt = int64(p.Vaddr)
		}
		if rg.Phys < 0 {
			rg.Phys = Absent
		}
		if rg.Virt < 0 {
			rg.Virt = Absent
		}
		lay.Ranges = append(lay.Ranges, rg)
	}
	if len(lay.Ranges) == 0 {
		return nil, errors.New("ELF core: no PT_LOAD segment with data")
	}
	return lay, nil
}

// Detect scores a file as a memory image: LiME and AVML headers, ELF
// core files, Windows crash dumps and hibernation files by content, raw
// images by name (raw dumps of any other name go to the "strings" format,
// which carves them as memory too).
func Detect(name string, head []byte) int {
	if len(head) >= limeHeader {
		m, v := le32(head), le32(head[4:])
		if (m == limeMagic && (v == 1 || v == 2)) || (m == avmlMagic && v == 2) {
			s, e := binary.LittleEndian.Uint64(head[8:]), binary.LittleEndian.Uint64(head[16:])
			if e >= s {
				return 100
			}
		}
	}
	if len(head) >= 18 && bytes.HasPrefix(head, []byte("\x7fELF")) && elfType(head) == uint16(elf.ET_CORE) {
		return 90
	}
	if bytes.HasPrefix(head, []byte(crashDump64)) || bytes.HasPrefix(head, []byte(crashDump32)) {
		return 100
	}
	if len(head) >= 4096 && hiberMagic(head[:4]) {
		return 90
	}
	switch ext := lowerExt(name); ext {
	case ".mem", ".vmem", ".lime", ".avml":
		return 40
	case ".raw", ".bin":
		if bytes.Contains([]byte(lowerName(name)), []byte("mem")) {
			return 30
		}
		return 5
	}
	return 0
}

func lowerName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func lowerExt(name string) string {
	n := lowerName(name)
	for i := len(n) - 1; i >= 0 && n[i] != '/'; i-- {
		if n[i] == '.' {
			return n[i:]
		}
	}
	return ""
}

// Windows crash dump and hibernation file signatures.
const (
	crashDump64 = "PAGEDU64"
	crashDump32 = "PAGEDUMP"
	// Header layout of the 64- and 32-bit DUMP_HEADER: the physical
	// memory descriptor (run count, page count, runs) and the dump type.
	dump64Runs, dump64RunsAt, dump64Type, dump64Data = 0x88, 0x98, 0xF98, 0x2000
	dump32Runs, dump32RunsAt, dump32Type, dump32Data = 0x64, 0x6C, 0xF88, 0x1000
	dumpTypeFull                                     = 1
	dumpTypeBitmap                                   = 5 // complete memory dump, bitmap form
	dumpTypeKernelBitmap                             = 6 // kernel or automatic memory dump
	pageSize                                         = 4096
	// maxDumpRuns bounds the runs read from a crash dump header (the
	// header has room for fewer than 256).
	maxDumpRuns = 256
)

func hiberMagic(b []byte) bool {
	switch string(b) {
	case "hibr", "HIBR", "wake", "WAKE", "RSTR":
		return true
	}
	return false
}

// openCrashDump maps a full crash dump's physical memory runs, which follow
// the header in order; other dump types (kernel, bitmap) are carved whole,
// without physical addresses.
func openCrashDump(r io.ReaderAt, size int64, is64 bool) *Layout {
	lay := &Layout{Container: ContainerCrashDump}
	raw := func(why string) *Layout {
		lay.Ranges = []Range{{FileOff: 0, Len: size, Phys: Absent, Virt: Absent}}
		lay.Warnings = append(lay.Warnings, "Windows crash dump: "+why+"; carved as raw bytes without physical addresses")
		return lay
	}
	runsOff, runsAt, typeOff, data, word := int64(dump32Runs), int64(dump32RunsAt), int64(dump32Type), int64(dump32Data), int64(4)
	if is64 {
		runsOff, runsAt, typeOff, data, word = dump64Runs, dump64RunsAt, dump64Type, dump64Data, 8
	}
	var b [8]byte
	if _, err := r.ReadAt(b[:4], typeOff); err != nil {
		return raw(fmt.Sprintf("header truncated before the dump type at offset %d", typeOff))
	}
	if t := le32(b[:]); t != dumpTypeFull {
		if is64 && (t == dumpTypeBitmap || t == dumpTypeKernelBitmap) {
			l, why := openBitmapDump(r, size)
			if l == nil {
				return raw(why)
			}
			return l
		}
		return raw(fmt.Sprintf("dump type %d at offset %d is not a full (1) or bitmap (5, 6) dump", t, typeOff))
	}
	if _, err := r.ReadAt(b[:4], runsOff); err != nil {
		return raw(fmt.Sprintf("no run count at offset %d", runsOff))
	}
	runs := int64(le32(b[:]))
	if runs == 0 || runs > maxDumpRuns {
		return raw(fmt.Sprintf("%d memory runs at offset %d", runs, runsOff))
	}
	rb := make([]byte, runs*2*word)
	if _, err := r.ReadAt(rb, runsAt); err != nil {
		return raw(fmt.Sprintf("memory runs at offset %d unreadable", runsAt))
	}
	off := data
	for i := int64(0); i < runs; i++ {
		var base, count int64
		if is64 {
			base, count = int64(binary.LittleEndian.Uint64(rb[16*i:])), int64(binary.LittleEndian.Uint64(rb[16*i+8:]))
		} else {
			base, count = int64(le32(rb[8*i:])), int64(le32(rb[8*i+4:]))
		}
		n := count * pageSize
		if count < 0 || n/pageSize != count || off+n > size || off+n < off {
			lay.Warnings = append(lay.Warnings, fmt.Sprintf("Windows crash dump: run %d (%d pages at page %#x) runs past the end of the file at offset %d; cut", i, count, base, off))
			n = max(0, size-off)
		}
		if n > 0 {
			lay.Ranges = append(lay.Ranges, Range{FileOff: off, Len: n, Phys: base * pageSize, Virt: Absent})
		}
		off += n
		if off >= size {
			break
		}
	}
	if len(lay.Ranges) == 0 {
		return raw("no memory run with data")
	}
	return lay
}

// Bitmap crash dumps (types 5 and 6, the default since Windows 8): after the
// 0x2000-byte header, an "SDMP"/"FDMP" header gives the file offset of the
// first stored page and a bitmap with one bit per physical page; the pages
// whose bit is set are stored in order.
const (
	bmpFirstPage = 0x20
	bmpPages     = 0x30
	bmpBitmap    = 0x38
	// maxBitmapRanges bounds the ranges built from a bitmap (1 M runs of
	// present pages); past it the dump is carved whole.
	maxBitmapRanges = 1 << 20
)

func openBitmapDump(r io.ReaderAt, size int64) (*Layout, string) {
	var h [bmpBitmap]byte
	if _, err := r.ReadAt(h[:], dump64Data); err != nil {
		return nil, fmt.Sprintf("bitmap header at offset %d unreadable", dump64Data)
	}
	if sig := string(h[:4]); (sig != "SDMP" && sig != "FDMP") || string(h[4:8]) != "DUMP" {
		return nil, fmt.Sprintf("no SDMP/FDMP bitmap header at offset %d", dump64Data)
	}
	first := int64(binary.LittleEndian.Uint64(h[bmpFirstPage:]))
	pages := int64(binary.LittleEndian.Uint64(h[bmpPages:]))
	if pages <= 0 || pages/8 > size || first < dump64Data || first > size {
		return nil, fmt.Sprintf("bitmap of %d pages, first page at offset %d, in a %d-byte file", pages, first, size)
	}
	bm := make([]byte, (pages+7)/8)
	if _, err := r.ReadAt(bm, dump64Data+bmpBitmap); err != nil {
		return nil, fmt.Sprintf("bitmap at offset %d unreadable", dump64Data+bmpBitmap)
	}
	lay := &Layout{Container: ContainerCrashDump}
	off := first
	for p := int64(0); p < pages && off < size; {
		if bm[p/8]&(1<<(p%8)) == 0 {
			p++
			continue
		}
		start := p
		for p < pages && bm[p/8]&(1<<(p%8)) != 0 {
			p++
		}
		n := min((p-start)*pageSize, size-off)
		if len(lay.Ranges) == maxBitmapRanges {
			return nil, fmt.Sprintf("more than %d runs of present pages", maxBitmapRanges)
		}
		lay.Ranges = append(lay.Ranges, Range{FileOff: off, Len: n, Phys: start * pageSize, Virt: Absent})
		off += n
	}
	if len(lay.Ranges) == 0 {
		return nil, "the bitmap marks no page present"
	}
	return lay, ""
}
