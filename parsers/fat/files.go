package fat

import (
	"fmt"
	"io"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Reading the content of regular files by their directory entry, for the
// engine's parse of files inside images (parsers.FileData).

// Files opens the FAT or exFAT volume for reading file contents.
func Files(vol *parsers.Volume) (parsers.FileData, error) {
	v, err := openVolume(vol.R, vol.Size, func(string, ...any) {})
	if err != nil {
		return nil, fmt.Errorf("%s: FAT: %w", vol.RefPath, err)
	}
	loc := time.UTC
	if vol.Input != nil && vol.Input.Zone != nil {
		loc = vol.Input.Zone
	}
	d := &fileData{v: v, loc: loc}
	if v.g.kind == kindExFAT {
		d.bitmap = v.exfatBitmap()
	}
	return d, nil
}

type fileData struct {
	v   *volume
	loc *time.Location
	// bitmap is exFAT's allocation bitmap (bit c-2 set: cluster c in
	// use); nil when unreadable: deleted exFAT files are then not read.
	bitmap []byte
}

// free reports whether cluster c is free: in exFAT's allocation bitmap,
// or by its FAT entry.
func (d *fileData) free(c uint32) bool {
	if d.v.g.kind == kindExFAT {
		i := c - 2
		return d.bitmap != nil && int(i/8) < len(d.bitmap) && d.bitmap[i/8]&(1<<(i%8)) == 0
	}
	next, used := d.v.next(c)
	return !used && next == 0
}

// File returns the regular file whose directory entry ev points at (its
// Offset): allocated, through its cluster chain (exFAT: its contiguous run
// when flagged); deleted, from its first cluster on over as many clusters
// as its size needs, when all of them are still free (FAT: in the FAT;
// exFAT: in the allocation bitmap).
func (d *fileData) File(ev *timeline.Event) (parsers.InnerFile, bool) {
	v := d.v
	e, ok := d.entryAt(ev.Offset)
	if !ok || e.dir || e.size == 0 || !v.g.validCluster(e.cluster) {
		return parsers.InnerFile{}, false
	}
	n := int((e.size + uint64(v.g.cluster) - 1) / uint64(v.g.cluster))
	var cl []uint32
	switch {
	case e.deleted || e.contig:
		for c := e.cluster; len(cl) < n; c++ {
			if !v.g.validCluster(c) {
				return parsers.InnerFile{}, false
			}
			if e.deleted && !d.free(c) {
				return parsers.InnerFile{}, false // allocated again: not this file's data
			}
			cl = append(cl, c)
		}
	default:
		cl = v.chain(e.cluster, n)
		if len(cl) < n {
			return parsers.InnerFile{}, false
		}
	}
	r := &clusterReader{v: v, clusters: cl, size: int64(e.size)}
	mt := time.Time{}
	if e.hasMtime {
		mt = time.Unix(0, e.mtime).UTC()
	}
	return parsers.InnerFile{Key: int64(e.meta), Path: ev.Path, Size: r.size, ModTime: mt, Deleted: e.deleted, R: r,
		Inode: int64(e.meta), MFT: timeline.Absent}, true
}

// entryAt decodes the directory entry (FAT: the short entry; exFAT: the
// file entry set) at volume offset off.
func (d *fileData) entryAt(off int64) (entry, bool) {
	v := d.v
	if off < v.g.firstData || off%direntSize != 0 {
		return entry{}, false
	}
	buf := make([]byte, direntSize*(exMaxSecond+1))
	n, _ := v.r.ReadAt(buf, off)
	buf = buf[:n-n%direntSize]
	if len(buf) < direntSize {
		return entry{}, false
	}
	at := func(i int) int64 { return off + int64(i) }
	var es []entry
	if v.g.kind == kindExFAT {
		es = v.parseExFATDir(buf, at, d.loc)
	} else {
		es = v.parseFATDir(buf[:direntSize], at, d.loc)
	}
	if len(es) == 0 || es[0].off != off {
		return entry{}, false
	}
	return es[0], true
}

// clusterReader reads a file's clusters as one stream of size bytes.
type clusterReader struct {
	v        *volume
	clusters []uint32
	size     int64
}

func (c *clusterReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("FAT file: negative offset %d", off)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	cs := c.v.g.cluster
	n := 0
	for n < len(p) && off < c.size {
		i, in := off/cs, off%cs
		k := min(int64(len(p)-n), cs-in, c.size-off)
		got, err := c.v.r.ReadAt(p[n:n+int(k)], c.v.g.clusterOff(c.clusters[i])+in)
		n += got
		off += int64(got)
		if int64(got) < k {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
