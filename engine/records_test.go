package engine

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// FuzzBinaryRecordSize: an MFT entry or inode header read from evidence
// declares its own size; any bytes give a size within the bounds.
func FuzzBinaryRecordSize(f *testing.F) {
	mft := make([]byte, 1024)
	copy(mft, "FILE0")
	binary.LittleEndian.PutUint32(mft[0x1c:], 1024)
	f.Add(mft, true)
	f.Add(make([]byte, 256), false)
	f.Fuzz(func(t *testing.T, b []byte, isMFT bool) {
		one := int64(1)
		ref := timeline.Ref{Inode: &one}
		if isMFT {
			ref.MFT = &one
		}
		n := binaryRecordSize(bytes.NewReader(b), 0, ref)
		if n <= 0 || n > maxMFTRecord {
			t.Fatalf("size %d", n)
		}
	})
}

// BenchmarkReadRecordTarMember reads a line of the last member of a tar
// archive (the walk passes every member before it).
func BenchmarkReadRecordTarMember(b *testing.B) {
	dir := b.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := bytes.Repeat([]byte("198.51.100.1 - - [13/Jan/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"), 10000)
	for i := range 10 {
		tw.WriteHeader(&tar.Header{Name: "m" + string(rune('0'+i)) + ".log", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
	}
	tw.Close()
	path := filepath.Join(dir, "a.tar")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	c := &Case{Dir: dir}
	reg := &Registry{Items: []EvidenceRecord{{ID: "E0001", Path: "a.tar", Abs: path, Size: int64(buf.Len())}}}
	off, line := int64(len(body)/2), int64(5000)
	ref := timeline.Ref{Evidence: "E0001", Path: "a.tar!m9.log", Offset: &off, Line: &line}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ReadRecord(reg, ref, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}
