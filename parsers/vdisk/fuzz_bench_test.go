package vdisk

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
)

// FuzzOpen: any bytes are opened and read through without panic, hang or
// absurd allocation.
func FuzzOpen(f *testing.F) {
	for _, p := range []string{"vm_images/log2timeline-dfvfs/test_data/ext2.qcow2", "vm_images/log2timeline-dfvfs/test_data/ext2.vmdk", "vm_images/log2timeline-dfvfs/test_data/image.vhd"} {
		if b := corpus.Seed(f, p); b != nil {
			f.Add(b[:min(len(b), 256<<10)])
		}
	}
	f.Add([]byte("QFI\xfb\x00\x00\x00\x03"))
	f.Add([]byte("KDMV\x01\x00\x00\x00"))
	f.Add([]byte("conectix"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil || d == nil {
			return
		}
		buf := make([]byte, 64<<10)
		for off := int64(0); off < min(d.Size, 16<<20); off += int64(len(buf)) {
			if _, err := d.R.ReadAt(buf, off); err != nil && err != io.EOF {
				return
			}
		}
	})
}

// BenchmarkRead reads the whole media of each dfvfs container in 64 KiB
// reads (the disk layer's page size).
// go test ./parsers/vdisk -run - -bench Read
func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"ext2.qcow2", "ext2.vmdk", "ext2.vhd"} {
		b.Run(name, func(b *testing.B) {
			f, err := os.Open(corpus.Path(b, "vm_images/log2timeline-dfvfs/test_data/"+name))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			d, err := Open(f, st.Size())
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 64<<10)
			b.SetBytes(d.Size)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for off := int64(0); off < d.Size; off += int64(len(buf)) {
					d.R.ReadAt(buf, off)
				}
			}
		})
	}
}
