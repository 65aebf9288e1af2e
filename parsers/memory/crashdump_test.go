package memory

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// fullDump64 builds a 64-bit crash dump: the header's two physical
// memory runs (page 0x10, 1 page; page 0x100, 2 pages) then their pages.
func fullDump64(dumpType uint32) []byte {
	b := make([]byte, dump64Data+3*pageSize)
	copy(b, crashDump64)
	binary.LittleEndian.PutUint32(b[dump64Runs:], 2)
	binary.LittleEndian.PutUint64(b[dump64Runs+8:], 3)
	for i, v := range []uint64{0x10, 1, 0x100, 2} {
		binary.LittleEndian.PutUint64(b[dump64RunsAt+8*i:], v)
	}
	binary.LittleEndian.PutUint32(b[dump64Type:], dumpType)
	copy(b[dump64Data+pageSize+100:], "page two")
	return b
}

func TestCrashDumpRuns(t *testing.T) {
	b := fullDump64(dumpTypeFull)
	if s := Detect("MEMORY.DMP", b[:4096]); s != 100 {
		t.Errorf("Detect = %d", s)
	}
	lay, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Range{{FileOff: dump64Data, Len: pageSize, Phys: 0x10000, Virt: Absent}, {FileOff: dump64Data + pageSize, Len: 2 * pageSize, Phys: 0x100000, Virt: Absent}}
	if lay.Container != ContainerCrashDump || len(lay.Ranges) != 2 || len(lay.Warnings) != 0 {
		t.Fatalf("%+v", lay)
	}
	for i, r := range want {
		g := lay.Ranges[i]
		if g.FileOff != r.FileOff || g.Len != r.Len || g.Phys != r.Phys || g.Virt != r.Virt {
			t.Errorf("range %d: %+v, want %+v", i, g, r)
		}
	}
	// A kernel (summary) dump is carved whole, with a warning.
	lay, _ = Open(bytes.NewReader(fullDump64(2)), int64(len(b)))
	if len(lay.Ranges) != 1 || lay.Ranges[0].Phys != Absent || len(lay.Warnings) != 1 || !strings.Contains(lay.Warnings[0], "dump type 2") {
		t.Errorf("kernel dump: %+v", lay)
	}
	// A run past the end of a truncated dump is cut.
	lay, _ = Open(bytes.NewReader(b[:dump64Data+pageSize+10]), int64(dump64Data+pageSize+10))
	if len(lay.Ranges) != 2 || lay.Ranges[1].Len != 10 || len(lay.Warnings) != 1 {
		t.Errorf("truncated dump: %+v", lay)
	}
}

func TestHibernationFile(t *testing.T) {
	b := make([]byte, 8192)
	copy(b, "HIBR")
	if s := Detect("hiberfil.sys", b); s != 90 {
		t.Errorf("Detect = %d", s)
	}
	lay, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil || lay.Container != ContainerHiberfil || len(lay.Ranges) != 1 || len(lay.Warnings) != 1 {
		t.Fatalf("%+v %v", lay, err)
	}
}

// A bitmap dump (type 5): pages 0, 1 and 5 present, stored from the first
// page offset on.
func TestBitmapCrashDump(t *testing.T) {
	b := fullDump64(dumpTypeBitmap)
	h := b[dump64Data:]
	copy(h, "SDMPDUMP")
	first := int64(dump64Data + 0x1000)
	binary.LittleEndian.PutUint64(h[bmpFirstPage:], uint64(first))
	binary.LittleEndian.PutUint64(h[bmpPages:], 8)
	h[bmpBitmap] = 0b00100011
	b = append(b[:first], make([]byte, 3*pageSize)...)
	copy(b[first+2*pageSize:], "page five")
	lay, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(lay.Warnings) != 0 || len(lay.Ranges) != 2 {
		t.Fatalf("%+v %v", lay, err)
	}
	if r := lay.Ranges[0]; r.FileOff != first || r.Len != 2*pageSize || r.Phys != 0 {
		t.Errorf("range 0 %+v", r)
	}
	if r := lay.Ranges[1]; r.FileOff != first+2*pageSize || r.Len != pageSize || r.Phys != 5*pageSize {
		t.Errorf("range 1 %+v", r)
	}
	// A bitmap header without its signature: carved whole, with a warning.
	copy(b[dump64Data:], "XXXX")
	lay, _ = Open(bytes.NewReader(b), int64(len(b)))
	if len(lay.Ranges) != 1 || len(lay.Warnings) != 1 || !strings.Contains(lay.Warnings[0], "SDMP") {
		t.Errorf("%+v", lay)
	}
}
