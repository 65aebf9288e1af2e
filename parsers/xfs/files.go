package xfs

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Reading the content of regular files by inode number, for the engine's
// parse of files inside images (parsers.FileData).

// Files opens the XFS volume for reading file contents.
func Files(vol *parsers.Volume) (parsers.FileData, error) {
	sb, err := readSuper(vol.R)
	if err != nil {
		return nil, fmt.Errorf("%s: XFS: %w", vol.RefPath, err)
	}
	return &fileData{f: &fsys{r: vol.R, size: vol.Size, sb: sb, warnf: func(string, ...any) {}}}, nil
}

type fileData struct{ f *fsys }

// File returns regular file ev.Inode through its extents. A freed inode has
// no extents left: deleted files are not readable; nor are realtime files,
// whose data is on another device.
func (d *fileData) File(ev *timeline.Event) (parsers.InnerFile, bool) {
	f := d.f
	if ev.Inode <= 0 {
		return parsers.InnerFile{}, false
	}
	var in inode
	buf := make([]byte, f.sb.inodeSize)
	if f.readInode(uint64(ev.Inode), buf, &in) != nil || in.mode&sIFMT != sIFREG || in.size == 0 || in.realtime {
		return parsers.InnerFile{}, false
	}
	ext, err := f.extents(&in)
	if err != nil || len(ext) == 0 {
		return parsers.InnerFile{}, false
	}
	sort.Slice(ext, func(i, j int) bool { return ext[i].off < ext[j].off })
	r := &extentReader{f: f, ext: ext, size: int64(in.size)}
	return parsers.InnerFile{Key: ev.Inode, Path: ev.Path, Size: r.size, ModTime: time.Unix(0, in.mtime.ns).UTC(), R: r,
		Inode: ev.Inode, MFT: timeline.Absent}, true
}

// extentReader reads a file through its extents; holes and unwritten
// extents read as zeros.
type extentReader struct {
	f    *fsys
	ext  []extent // sorted by file offset
	size int64
}

func (e *extentReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("XFS file: negative offset %d", off)
	}
	if off >= e.size {
		return 0, io.EOF
	}
	bs := e.f.sb.blockSize
	n := 0
	for n < len(p) && off < e.size {
		blk := uint64(off / bs)
		in := off % bs
		i := sort.Search(len(e.ext), func(i int) bool { return e.ext[i].off+e.ext[i].count > blk })
		var k int64
		if i == len(e.ext) || e.ext[i].off > blk {
			// a hole up to the next extent
			end := e.size
			if i < len(e.ext) {
				end = min(end, int64(e.ext[i].off)*bs)
			}
			k = min(int64(len(p)-n), end-off)
			clear(p[n : n+int(k)])
		} else {
			x := e.ext[i]
			k = min(int64(len(p)-n), int64(x.off+x.count-blk)*bs-in, e.size-off)
			if x.unwritten {
				clear(p[n : n+int(k)])
			} else if err := e.f.read(p[n:n+int(k)], e.f.sb.fsbOff(x.fsb+blk-x.off)+in, "file data"); err != nil {
				return n, err
			}
		}
		n += int(k)
		off += k
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
