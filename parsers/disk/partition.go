package disk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf16"
)

// Partition is one entry of a partition table.
type Partition struct {
	Num    int    // 1-4 primary MBR slots, 5... logical partitions, GPT entry index + 1
	Start  int64  // byte offset in the image
	Length int64  // bytes
	Type   string // "0x83", or a GPT type GUID
	Desc   string // human-readable type
}

// Table is what readTable found.
type Table struct {
	Scheme     string // "mbr", "gpt" or "" (no table)
	SectorSize int64
	Parts      []Partition
	Warnings   []string // problems found in the table itself, with offsets
}

const (
	maxLogical    = 128   // logical partitions followed in an extended chain
	maxGPTEntries = 16384 // partition entries read from a GPT header
)

// readTable parses the partition table at the start of the image: GPT
// (protective MBR or "EFI PART" at LBA 1, 512- or 4096-byte sectors), MBR
// with extended/logical partitions, or nothing. It never fails: what it
// cannot read it reports in Warnings.
func readTable(r io.ReaderAt, size int64) Table {
	var mbr [512]byte
	if n, _ := r.ReadAt(mbr[:], 0); n < len(mbr) {
		return Table{}
	}
	for _, ss := range []int64{512, 4096} {
		var hdr [92]byte
		if n, _ := r.ReadAt(hdr[:], ss); n == len(hdr) && string(hdr[:8]) == "EFI PART" {
			return readGPT(r, size, ss, hdr[:])
		}
	}
	if !plausibleMBR(mbr[:]) {
		return Table{}
	}
	t := Table{Scheme: "mbr", SectorSize: 512}
	for i := 0; i < 4; i++ {
		e := mbr[446+16*i:][:16]
		typ := e[4]
		lba := int64(binary.LittleEndian.Uint32(e[8:]))
		cnt := int64(binary.LittleEndian.Uint32(e[12:]))
		if typ == 0 {
			continue
		}
		if typ == 0xee {
			t.Warnings = append(t.Warnings, fmt.Sprintf("MBR slot %d at offset %d: protective GPT entry but no GPT header at LBA 1", i+1, 446+16*i))
			continue
		}
		if isExtended(typ) {
			t.readExtended(r, lba*512)
			continue
		}
		t.Parts = append(t.Parts, Partition{Num: i + 1, Start: lba * 512, Length: cnt * 512,
			Type: fmt.Sprintf("0x%02x", typ), Desc: mbrTypeName(typ)})
	}
	return t
}

// plausibleMBR reports whether a sector looks like a DOS partition table:
// the 0x55AA signature, boot flags 0x00 or 0x80, and at least one entry
// with a type, a start past sector 0 and a length.
func plausibleMBR(s []byte) bool {
	if len(s) < 512 || s[510] != 0x55 || s[511] != 0xaa {
		return false
	}
	used := 0
	for i := 0; i < 4; i++ {
		e := s[446+16*i:][:16]
		if e[0] != 0 && e[0] != 0x80 {
			return false
		}
		if e[4] == 0 {
			continue
		}
		if binary.LittleEndian.Uint32(e[8:]) == 0 || binary.LittleEndian.Uint32(e[12:]) == 0 {
			return false
		}
		used++
	}
	return used > 0
}

func isExtended(t byte) bool { return t == 0x05 || t == 0x0f || t == 0x85 }

// readExtended follows the chain of extended boot records starting at the
// extended partition at byte offset ext.
func (t *Table) readExtended(r io.ReaderAt, ext int64) {
	seen := map[int64]bool{}
	ebr := ext
	num := 5
	for len(seen) < maxLogical {
		if seen[ebr] {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended partition: EBR chain loops back to offset %d", ebr))
			return
		}
		seen[ebr] = true
		var s [512]byte
		if n, _ := r.ReadAt(s[:], ebr); n < len(s) {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended boot record at offset %d lies past the end of the image", ebr))
			return
		}
		if s[510] != 0x55 || s[511] != 0xaa {
			t.Warnings = append(t.Warnings, fmt.Sprintf("extended boot record at offset %d has no 0x55AA signature", ebr))
			return
		}
		e := s[446:][:16]
		if typ := e[4]; typ != 0 {
			lba := int64(binary.LittleEndian.Uint32(e[8:]))
			cnt := int64(binary.LittleEndian.Uint32(e[12:]))
			t.Parts = append(t.Parts, Partition{Num: num, Start: ebr + lba*512, Length: cnt * 512,
				Type: fmt.Sprintf("0x%02x", typ), Desc: mbrTypeName(typ)})
			num++
		}
		n := s[446+16:][:16]
		if !isExtended(n[4]) {
			return
		}
		ebr = ext + int64(binary.LittleEndian.Uint32(n[8:]))*512
	}
	t.Warnings = append(t.Warnings, fmt.Sprintf("extended partition at offset %d: more than %d logical partitions, stopped", ext, maxLogical))
}

func readGPT(r io.ReaderAt, size, ss int64, hdr []byte) Table {
	t := Table{Scheme: "gpt", SectorSize: ss}
	entLBA := int64(binary.LittleEndian.Uint64(hdr[72:]))
	count := int64(binary.LittleEndian.Uint32(hdr[80:]))
	esize := int64(binary.LittleEndian.Uint32(hdr[84:]))
	if esize < 128 || esize > 4096 || esize%8 != 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("GPT header at offset %d: invalid partition entry size %d", ss, esize))
		return t
	}
	if count > maxGPTEntries {
		t.Warnings = append(t.Warnings, fmt.Sprintf("GPT header at offset %d: %d partition entries, reading the first %d", ss, count, maxGPTEntries))
		count = maxGPTEntries
	}
	if entLBA <= 0 || entLBA > size/ss {
		t.Warnings = append(t.Warnings, fmt.Sprintf("GPT header at offset %d: partition entries at LBA %d lie outside the image", ss, entLBA))
		return t
	}
	buf := make([]byte, esize)
	for i := int64(0); i < count; i++ {
		off := entLBA*ss + i*esize
		if n, _ := r.ReadAt(buf, off); n < len(buf) {
			t.Warnings = append(t.Warnings, fmt.Sprintf("GPT partition entry %d at offset %d lies past the end of the image", i+1, off))
			break
		}
		if allZero(buf[:16]) {
			continue
		}
		first := int64(binary.LittleEndian.Uint64(buf[32:]))
		last := int64(binary.LittleEndian.Uint64(buf[40:]))
		if first < 0 || last < first || first > (1<<62)/ss || last > (1<<62)/ss {
			t.Warnings = append(t.Warnings, fmt.Sprintf("GPT partition entry %d at offset %d: invalid LBA range %d-%d", i+1, off, first, last))
			continue
		}
		t.Parts = append(t.Parts, Partition{Num: int(i + 1), Start: first * ss, Length: (last - first + 1) * ss,
			Type: guidString(buf[:16]), Desc: gptName(buf[56:128])})
	}
	return t
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// guidString formats a GUID stored in the mixed-endian Microsoft layout.
func guidString(b []byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", binary.LittleEndian.Uint32(b[0:]),
		binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

func gptName(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func mbrTypeName(t byte) string {
	switch t {
	case 0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e:
		return "FAT"
	case 0x07:
		return "NTFS/exFAT/HPFS"
	case 0x82:
		return "Linux swap"
	case 0x83:
		return "Linux"
	case 0x8e:
		return "Linux LVM"
	case 0xfd:
		return "Linux RAID"
	case 0xa5, 0xa6, 0xa9:
		return "BSD"
	case 0xaf:
		return "HFS"
	case 0x27:
		return "Windows recovery"
	}
	return "unknown"
}

// looksLikeGPT reports whether head holds a GPT header at LBA 1.
func looksLikeGPT(head []byte) bool {
	for _, ss := range []int{512, 4096} {
		if len(head) >= ss+8 && bytes.Equal(head[ss:ss+8], []byte("EFI PART")) {
			return true
		}
	}
	return false
}
