package ntfs

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"www.velocidex.com/golang/go-ntfs/parser"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Reading the content of files by MFT entry, for the engine's parse of files
// inside images (parsers.FileData, engine/inner.go). The unnamed $DATA stream
// is read through go-ntfs (resident, non-resident, sparse and compressed
// streams, attribute lists).

// Files opens the NTFS volume for reading file contents.
func Files(vol *parsers.Volume) (parsers.FileData, error) {
	paged, err := parser.NewPagedReader(vol.R, 4096, 1024)
	if err != nil {
		return nil, err
	}
	nctx, err := parser.GetNTFSContext(paged, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: NTFS at offset %d: %w", vol.RefPath, vol.Offset, err)
	}
	return &fileData{nctx: nctx}, nil
}

// fileData serialises every use of go-ntfs, whose caches are not meant for
// concurrent use; the parsing of what is read runs in parallel.
type fileData struct {
	mu     sync.Mutex
	nctx   *parser.NTFSContext
	bitmap []byte // $Bitmap, read on the first deleted non-resident file
	bmErr  error
}

// File returns the unnamed $DATA stream of MFT entry ev.MFT, allocated or
// deleted; a deleted entry's data only when none of its clusters is
// allocated again ($Bitmap), else they hold another file's bytes.
func (d *fileData) File(ev *timeline.Event) (f parsers.InnerFile, ok bool) {
	if ev.MFT < firstUserEntry {
		return f, false // the metadata files ($MFT, $LogFile, ...)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	defer func() {
		if recover() != nil { // go-ntfs on a damaged entry
			f, ok = parsers.InnerFile{}, false
		}
	}()
	e, err := d.nctx.GetMFT(ev.MFT)
	if err != nil || !e.Magic().IsValid() {
		return f, false
	}
	flags := e.Flags().Value
	if flags&flagDir != 0 {
		return f, false
	}
	deleted := flags&flagInUse == 0
	size := int64(-1)
	for _, a := range e.EnumerateAttributes(d.nctx) {
		if a.Type().Value != attrData || a.Name() != "" {
			continue
		}
		if a.IsResident() {
			size = int64(a.Content_size())
			continue
		}
		if a.Runlist_vcn_start() == 0 { // the first piece holds the size
			size = int64(a.Actual_size())
		}
		if deleted && d.reused(a.RunList()) {
			return f, false // its clusters hold another file's data now
		}
	}
	if size <= 0 {
		return f, false
	}
	rs, err := parser.OpenStream(d.nctx, e, attrData, parser.WILDCARD_STREAM_ID, "")
	if err != nil {
		return f, false
	}
	var mod time.Time
	if si, err := e.StandardInformation(d.nctx); err == nil {
		mod = si.File_altered_time().Time.UTC()
	}
	path := ev.Path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		if j := strings.IndexByte(path[i:], ':'); j >= 0 {
			path = path[:i+j] // an alternate stream's line: the file's own path
		}
	}
	return parsers.InnerFile{Key: ev.MFT, Path: path, Size: size, ModTime: mod, Deleted: deleted,
		R: &lockedReader{mu: &d.mu, r: rs, size: size}, Inode: timeline.Absent, MFT: ev.MFT}, true
}

// bitmapEntry is the MFT entry of $Bitmap, one bit per cluster.
const bitmapEntry = 6

// maxBitmap bounds $Bitmap read into memory (32 MiB: a 1 TiB volume of
// 4 KiB clusters).
const maxBitmap = 32 << 20

// reused reports whether any cluster of a deleted file's runs is allocated
// now (or $Bitmap cannot be read): the data is then not the file's.
func (d *fileData) reused(runs []*parser.Run) bool {
	if d.bitmap == nil && d.bmErr == nil {
		d.bitmap, d.bmErr = d.readBitmap()
	}
	if d.bmErr != nil {
		return true
	}
	for i, r := range runs {
		if i > 0 && r.RelativeUrnOffset == 0 {
			continue // a sparse run: no clusters
		}
		for c := r.Offset; c < r.Offset+r.Length; c++ {
			if c < 0 || c/8 >= int64(len(d.bitmap)) || d.bitmap[c/8]&(1<<(c%8)) != 0 {
				return true
			}
		}
	}
	return false
}

func (d *fileData) readBitmap() ([]byte, error) {
	e, err := d.nctx.GetMFT(bitmapEntry)
	if err != nil {
		return nil, err
	}
	rs, err := parser.OpenStream(d.nctx, e, attrData, parser.WILDCARD_STREAM_ID, "")
	if err != nil {
		return nil, err
	}
	var size int64
	for _, r := range rs.Ranges() {
		size = max(size, r.Offset+r.Length)
	}
	if size <= 0 || size > maxBitmap {
		return nil, fmt.Errorf("$Bitmap of %d bytes", size)
	}
	b := make([]byte, size)
	if n, _ := rs.ReadAt(b, 0); int64(n) < size {
		return nil, fmt.Errorf("$Bitmap: %d of %d bytes read", n, size)
	}
	return b, nil
}

// firstUserEntry is the first MFT entry that is not an NTFS metadata file
// (entries 0-15 are reserved, 16-23 unused but reserved).
const firstUserEntry = 24

// lockedReader reads a go-ntfs stream under the volume's lock, up to the
// stream's size.
type lockedReader struct {
	mu   *sync.Mutex
	r    io.ReaderAt
	size int64
}

func (l *lockedReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= l.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > l.size-off {
		p = p[:l.size-off]
	}
	l.mu.Lock()
	n, err := l.r.ReadAt(p, off)
	l.mu.Unlock()
	if n == len(p) {
		err = nil
		if n < want {
			err = io.EOF
		}
	} else if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
