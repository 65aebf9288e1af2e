package xfs

import (
	"bytes"
	"fmt"
)

// Directory layout values.
const (
	dataHdrV4   = 16
	dataHdrV5   = 64
	blockTail   = 8
	freeTag     = 0xFFFF
	leafOffset  = 32 << 30  // byte offset where a directory's leaf blocks start
	direntFixed = 8 + 1 + 2 // inumber, namelen, tag
	// maxDirBytes bounds the data blocks of one directory read (XFS
	// directories hold at most 32 GiB of data blocks; 1 GiB is millions
	// of names).
	maxDirBytes = 1 << 30
)

// dirent is one name found in a directory.
type dirent struct {
	ino     uint64
	name    []byte
	deleted bool
	off     int64 // volume offset of the entry
	ftype   uint8 // file type from the entry (ftype feature), else 0
}

// ftypeDir is a directory entry's file type for a directory.
const ftypeDir = 2

// readDir lists the entries of directory inode in (whose inode sits at
// inoOff), "." and ".." left out.
func (f *fsys) readDir(in *inode, inoOff int64) ([]dirent, error) {
	switch in.format {
	case fmtLocal:
		return f.shortDir(in.fork, inoOff+int64(len(in.fork))), nil
	case fmtExtents, fmtBtree:
		ext, err := f.extents(in)
		if err != nil {
			return nil, err
		}
		return f.blockDir(ext)
	}
	return nil, fmt.Errorf("directory data fork format %d", in.format)
}

// shortDir decodes a short-form directory held in the inode.
func (f *fsys) shortDir(b []byte, _ int64) []dirent {
	if len(b) < 6 {
		return nil
	}
	count, i8 := int(b[0]), b[1]
	inoLen := 4
	if i8 > 0 {
		count, inoLen = int(i8), 8
	}
	pos := 2 + inoLen
	var out []dirent
	for k := 0; k < count; k++ {
		if pos+3 > len(b) {
			break
		}
		n := int(b[pos])
		end := pos + 3 + n
		if f.sb.ftype {
			end++
		}
		if n == 0 || end+inoLen > len(b) {
			break
		}
		name := b[pos+3 : pos+3+n]
		var ft uint8
		if f.sb.ftype {
			ft = b[pos+3+n]
		}
		var ino uint64
		if inoLen == 8 {
			ino = be.Uint64(b[end:])
		} else {
			ino = uint64(be.Uint32(b[end:]))
		}
		out = append(out, dirent{ino: ino, name: bytes.Clone(name), ftype: ft})
		pos = end + inoLen
	}
	return out
}

// blockDir reads the data blocks of a block, leaf or node directory.
func (f *fsys) blockDir(ext []extent) ([]dirent, error) {
	s := f.sb
	dbs := s.blockSize << s.dirBlkLog
	var out []dirent
	var read int64
	buf := make([]byte, dbs)
	for _, e := range ext {
		if int64(e.off)*s.blockSize >= leafOffset || e.unwritten {
			continue
		}
		for b := uint64(0); b < e.count; b += 1 << s.dirBlkLog {
			if read += dbs; read > maxDirBytes {
				return out, fmt.Errorf("more than %d bytes of directory blocks", maxDirBytes)
			}
			off := s.fsbOff(e.fsb + b)
			if err := f.read(buf, off, "directory block"); err != nil {
				return out, err
			}
			out = f.dataBlock(buf, off, out)
		}
	}
	return out, nil
}

// dataBlock decodes the entries of one directory data block, recovering
// the names of deleted entries from the start of free regions.
func (f *fsys) dataBlock(b []byte, off int64, out []dirent) []dirent {
	hdr, end := 0, len(b)
	switch string(b[:4]) {
	case "XD2D":
		hdr = dataHdrV4
	case "XDD3":
		hdr = dataHdrV5
	case "XD2B", "XDB3":
		hdr = dataHdrV4
		if b[3] == '3' {
			hdr = dataHdrV5
		}
		count := int(be.Uint32(b[len(b)-blockTail:]))
		end = len(b) - blockTail - 8*count
	default:
		f.warnf("directory block at offset %d: magic %q", off, b[:4])
		return out
	}
	ft := 0
	if f.sb.ftype {
		ft = 1
	}
	for pos := hdr; pos+direntFixed <= end; {
		if be.Uint16(b[pos:]) == freeTag {
			n := int(be.Uint16(b[pos+2:]))
			if n < 8 || n%8 != 0 || pos+n > end {
				break
			}
			if d, ok := deletedEntry(b[pos:pos+n], ft); ok {
				d.off = off + int64(pos)
				out = append(out, d)
			}
			pos += n
			continue
		}
		n := int(b[pos+8])
		size := (direntFixed + n + ft + 7) &^ 7
		if n == 0 || pos+size > end {
			break
		}
		name := b[pos+9 : pos+9+n]
		if !(n == 1 && name[0] == '.' || n == 2 && name[0] == '.' && name[1] == '.') {
			d := dirent{ino: be.Uint64(b[pos:]), name: bytes.Clone(name), off: off + int64(pos)}
			if ft == 1 {
				d.ftype = b[pos+9+n]
			}
			out = append(out, d)
		}
		pos += size
	}
	return out
}

// deletedEntry reads the entry that a free region starts with: XFS wrote
// the free tag and length over the inode number's high four bytes, so the
// low four bytes, the name length and the name are still there.
func deletedEntry(r []byte, ft int) (dirent, bool) {
	if len(r) < direntFixed+1 {
		return dirent{}, false
	}
	n := int(r[8])
	if n == 0 || direntFixed+n+ft > len(r) {
		return dirent{}, false
	}
	name := r[9 : 9+n]
	if bytes.IndexByte(name, 0) >= 0 || bytes.IndexByte(name, '/') >= 0 {
		return dirent{}, false
	}
	ino := uint64(be.Uint32(r[4:]))
	if ino == 0 {
		return dirent{}, false
	}
	return dirent{ino: ino, name: bytes.Clone(name), deleted: true}, true
}
