package ext4

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Reading the content of regular files by inode number, for the engine's
// parse of files inside images (parsers.FileData, engine/inner.go).

// maxFileRuns bounds the extent runs kept for one file: a hostile extent
// tree cannot make the reader hold more than this many (12 MiB of runs).
const maxFileRuns = 1 << 19

// Files opens the ext2/3/4 volume for reading file contents.
func Files(vol *parsers.Volume) (parsers.FileData, error) {
	f, err := open(vol.R, vol.Size, func(string, ...any) {})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vol.RefPath, err)
	}
	return &fileData{f: f}, nil
}

type fileData struct{ f *fsys }

// File returns the regular file inode ev.Inode when its data is readable:
// allocated, or unallocated with its block map intact and none of its blocks
// allocated again since.
func (d *fileData) File(ev *timeline.Event) (parsers.InnerFile, bool) {
	f := d.f
	if ev.Inode <= 0 || ev.Inode > int64(f.sb.InodesCount) {
		return parsers.InnerFile{}, false
	}
	ino := uint32(ev.Inode)
	off := f.inodeOffset(ino)
	if off < 0 {
		return parsers.InnerFile{}, false
	}
	raw := make([]byte, f.sb.InodeSize)
	if _, err := f.r.ReadAt(raw, off); err != nil {
		return parsers.InnerFile{}, false
	}
	var in inode
	decodeInode(raw, &in, false)
	if in.Mode&sIFMT != sIFREG || in.Size == 0 {
		return parsers.InnerFile{}, false
	}
	allocated, ok := d.inodeAllocated(ino)
	if !ok {
		return parsers.InnerFile{}, false
	}
	r := &fileReader{f: f, size: int64(in.Size)}
	if in.Flags&flagInline != 0 {
		r.inline = append([]byte(nil), in.Block[:]...)
		if more, _ := inlineDataXattr(raw); len(more) > 0 {
			r.inline = append(r.inline, more...)
		}
		r.inline = r.inline[:min(int64(len(r.inline)), r.size)]
	} else {
		m := &mapper{fs: f}
		limit := (in.Size + uint64(f.bs) - 1) / uint64(f.bs)
		err := m.walk(&in, limit, func(logical, phys, count uint64) bool {
			r.runs = append(r.runs, fileRun{logical, phys, count})
			return len(r.runs) < maxFileRuns
		})
		if len(r.runs) == 0 { // unmapped (a deleted file's map is usually cleared) or unreadable: err says which
			_ = err
			return parsers.InnerFile{}, false
		}
		sort.Slice(r.runs, func(i, j int) bool { return r.runs[i].logical < r.runs[j].logical })
		if !allocated && d.reused(r.runs) {
			return parsers.InnerFile{}, false
		}
	}
	return parsers.InnerFile{Key: int64(ino), Path: ev.Path, Size: r.size, R: r, Deleted: !allocated,
		ModTime: time.Unix(in.Mtime.Sec, int64(in.Mtime.Nsec)).UTC(), Inode: int64(ino), MFT: timeline.Absent}, true
}

// inodeAllocated reads the inode's bit in its group's inode bitmap.
func (d *fileData) inodeAllocated(ino uint32) (allocated, ok bool) {
	f := d.f
	g := (ino - 1) / f.sb.InodesPerGroup
	if int(g) >= len(f.groups) || f.groups[g].descriptorBad {
		return false, false
	}
	if f.checksummedGroups() && f.groups[g].Flags&bgInodeUninit != 0 {
		return false, true
	}
	idx := (ino - 1) % f.sb.InodesPerGroup
	var b [1]byte
	if _, err := f.r.ReadAt(b[:], int64(f.groups[g].InodeBitmap)*int64(f.bs)+int64(idx/8)); err != nil {
		return false, false
	}
	return b[0]&(1<<(idx%8)) != 0, true
}

// reused reports whether any block of a deleted file's runs is allocated
// again (or its bitmap cannot be read): its data is then not the file's.
func (d *fileData) reused(runs []fileRun) bool {
	f := d.f
	is64 := f.sb.FeatureIncompat&incompat64Bit != 0
	var b [1]byte
	for _, r := range runs {
		for blk := r.phys; blk < r.phys+r.count; blk++ {
			if blk < uint64(f.sb.FirstDataBlock) {
				return true
			}
			rel := blk - uint64(f.sb.FirstDataBlock)
			g := rel / uint64(f.sb.BlocksPerGroup)
			if g >= uint64(len(f.groups)) || f.groups[g].descriptorBad {
				return true
			}
			gr := &f.groups[g]
			if f.checksummedGroups() && gr.Flags&bgBlockUninit != 0 {
				continue // nothing in the group is allocated
			}
			var desc [0x24]byte
			if _, err := f.r.ReadAt(desc[:], gr.DescOffset); err != nil {
				return true
			}
			bitmap := uint64(le.Uint32(desc[0:]))
			if is64 && f.sb.DescSize >= 64 {
				bitmap |= uint64(le.Uint32(desc[0x20:])) << 32
			}
			idx := rel % uint64(f.sb.BlocksPerGroup)
			if _, err := f.r.ReadAt(b[:], int64(bitmap)*int64(f.bs)+int64(idx/8)); err != nil || b[0]&(1<<(idx%8)) != 0 {
				return true
			}
		}
	}
	return false
}

// fileRun maps count blocks from logical block logical to physical phys.
type fileRun struct{ logical, phys, count uint64 }

// fileReader reads a file's content through its block runs; holes and
// uninitialised extents read as zeros.
type fileReader struct {
	f      *fsys
	size   int64
	runs   []fileRun // sorted by logical block
	inline []byte    // content of an inline-data file
}

func (r *fileReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ext4: negative offset %d", off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > r.size-off {
		p = p[:r.size-off]
	}
	if r.inline != nil {
		n := copy(p, r.inline[min(off, int64(len(r.inline))):])
		clear(p[n:])
		return done(len(p), want)
	}
	bs := int64(r.f.bs)
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		lb := uint64(pos / bs)
		inBlk := pos % bs
		chunk := min(int64(len(p)-n), bs-inBlk)
		i := sort.Search(len(r.runs), func(i int) bool { return r.runs[i].logical+r.runs[i].count > lb })
		if i < len(r.runs) && r.runs[i].logical <= lb {
			run := r.runs[i]
			// read up to the end of the run in one go
			chunk = min(int64(len(p)-n), int64(run.logical+run.count-lb)*bs-inBlk)
			at := int64(run.phys+(lb-run.logical))*bs + inBlk
			if k, err := r.f.r.ReadAt(p[n:n+int(chunk)], at); k < int(chunk) {
				return n + k, fmt.Errorf("ext4: reading file data at offset %d: %v", at+int64(k), err)
			}
		} else {
			clear(p[n : n+int(chunk)])
		}
		n += int(chunk)
	}
	return done(n, want)
}

// done returns the count read with io.EOF when the read stopped at the
// end of the file, as io.ReaderAt requires for a short read.
func done(n, want int) (int, error) {
	if n < want {
		return n, io.EOF
	}
	return n, nil
}
