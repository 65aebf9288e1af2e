package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/disk"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Limits on reading a record back from the evidence.
const (
	// maxRecordSkip bounds how much of a compressed stream (or of the
	// members before one in an archive) is decompressed to reach a record:
	// a raw view must not cost minutes, nor a bomb anything.
	maxRecordSkip = 256 << 20
	// binaryRecordBytes is how much is shown of a record in a disk image
	// whose kind gives no length of its own.
	binaryRecordBytes = 512
	// maxMFTRecord bounds an MFT entry's declared allocated size (NTFS
	// formats 1 KiB entries, 4 KiB on 4Kn drives).
	maxMFTRecord = 4096
	// maxInodeBytes bounds an ext inode's declared size (128 + i_extra_isize;
	// mke2fs allows inode sizes up to the block size, in practice 256).
	maxInodeBytes = 1024
)

// ErrNoRecord means the event's record cannot be read back from the
// evidence (no offset, a format whose offsets are not byte offsets, an
// image file system Kiseki cannot open files in): the timeline's own fields
// stand.
var ErrNoRecord = errors.New("the record cannot be read back from the evidence")

// FileInVolume opens a file inside a file system of a disk image, for
// records of files found inside images: path is what follows the
// partition in the event's reference path ("disk.E01#p2" + path). The
// package that reads file systems' files sets it; while it is nil such
// records are not read back (ErrNoRecord).
var FileInVolume func(vol io.ReaderAt, size int64, path string) (io.ReadCloser, error)

// ReadRecord returns the bytes of the record an event's reference points
// at, read (read-only) from the registered evidence through its
// containers: the decompressed stream, the archive member, the decoded
// bytes of a disk image and its partition. A record with a line number is
// that line (without its end of line); a record in a disk image is the MFT
// entry or inode at the offset. At most limit bytes are returned (more
// tells the caller it was cut).
func (c *Case) ReadRecord(reg *Registry, ref timeline.Ref, limit int) ([]byte, error) {
	rec := reg.ByID(ref.Evidence)
	if rec == nil {
		return nil, fmt.Errorf("evidence %s: not registered", ref.Evidence)
	}
	if ref.Offset == nil || *ref.Offset < 0 {
		return nil, ErrNoRecord
	}
	off := *ref.Offset
	var b []byte
	var err error
	if strings.HasPrefix(rec.Format, diskImageFormat) {
		b, err = readImageRecord(reg, rec, ref, off, limit)
	} else {
		b, err = readStreamRecord(rec, ref, off, limit)
	}
	if err != nil && !errors.Is(err, ErrNoRecord) {
		err = fmt.Errorf("%s (%s) offset %d: %w", rec.ID, rec.Path, off, err)
	}
	return b, err
}

// diskImageFormat is the disk-image parser's name (parsers/disk).
const diskImageFormat = "disk-image"

// readStreamRecord reads a line at a decompressed-stream offset of a file or
// of an archive member ("archive!member" reference paths).
func readStreamRecord(rec *EvidenceRecord, ref timeline.Ref, off int64, limit int) ([]byte, error) {
	head, err := readHead(BundleFile{Rel: rec.Path, Abs: rec.Abs, Size: rec.Size}, CompNone, 8)
	if err != nil {
		return nil, err
	}
	comp := sniffCompression(head)
	member, inArchive := strings.CutPrefix(ref.Path, rec.Path+"!")
	if !inArchive {
		if comp == CompNone {
			return readPlainLine(rec.Abs, off, limit)
		}
		if off > maxRecordSkip {
			return nil, ErrNoRecord
		}
		r, err := openStream(rec.Abs, comp, rec.Size, nil)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return skipAndReadLine(r, off, limit)
	}
	return readMemberLine(rec, comp, member, off, limit)
}

func readPlainLine(path string, off int64, limit int) ([]byte, error) {
	f, err := os.Open(path) // read-only
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLine(io.NewSectionReader(f, off, 1<<62), limit)
}

func skipAndReadLine(r io.Reader, off int64, limit int) ([]byte, error) {
	if k, err := io.CopyN(io.Discard, r, off); err != nil || k != off {
		return nil, fmt.Errorf("the stream ends before the offset (%d bytes): %v", k, err)
	}
	return readLine(r, limit)
}

// errFound ends an archive walk once the member was read.
var errFound = errors.New("found")

// readMemberLine finds the member of a tar or zip archive that a reference
// names (its name, or its name without a compression extension, as ingest
// names a compressed member) and reads the line at off in its bytes.
func readMemberLine(rec *EvidenceRecord, comp Compression, name string, off int64, limit int) ([]byte, error) {
	head, err := readHead(BundleFile{Rel: rec.Path, Abs: rec.Abs, Size: rec.Size}, comp, 512)
	if err != nil {
		return nil, err
	}
	kind := sniffArchive(head)
	if kind == "" {
		return nil, fmt.Errorf("reference names member %q but the file is not a tar or zip archive", name)
	}
	if off > maxRecordSkip {
		return nil, ErrNoRecord
	}
	var out []byte
	each := func(m member) error {
		if m.name != name && stripCompressionExt(m.name) != name {
			return nil
		}
		rc, err := m.open()
		if err != nil {
			return err
		}
		defer rc.Close()
		br := bufio.NewReader(rc)
		if h, _ := br.Peek(8); sniffCompression(h) != CompNone {
			return ErrNoRecord // a compressed member: the timeline's fields stand
		}
		if out, err = skipAndReadLine(br, off, limit); err != nil {
			return err
		}
		return errFound
	}
	f := BundleFile{Rel: rec.Path, Abs: rec.Abs, Size: rec.Size}
	limitBytes := max(rec.Size*maxExpansion, minBombLimit)
	switch kind {
	case "tar":
		err = eachTarMember(f, comp, limitBytes, each)
	case "zip":
		err = eachZipMember(f, comp, limitBytes, each)
	}
	switch {
	case errors.Is(err, errFound):
		return out, nil
	case err != nil:
		return nil, err
	}
	return nil, fmt.Errorf("%s archive has no member %q", kind, name)
}

// readLine reads from r up to the end of the line (limit+1 bytes at most)
// and returns it without the end of line.
func readLine(r io.Reader, limit int) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []byte
	for len(out) <= limit {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		break
	}
	if len(out) == 0 {
		return nil, errors.New("nothing at the offset (past the end)")
	}
	out = out[:min(len(out), limit+1)]
	for len(out) > 0 && (out[len(out)-1] == '\n' || out[len(out)-1] == '\r') {
		out = out[:len(out)-1]
	}
	return out, nil
}

// imageParts returns the files of the image rec is the first part of, in
// order: registered evidence that the disk-image format groups with it.
func imageParts(reg *Registry, rec *EvidenceRecord) []string {
	paths := make([]string, 0, len(reg.Items))
	for _, it := range reg.Items {
		paths = append(paths, it.Abs)
	}
	for _, g := range disk.Group(paths) {
		if len(g) > 0 && g[0] == rec.Abs {
			return g
		}
	}
	return []string{rec.Abs}
}

// readImageRecord reads a record of a disk image: at an image offset (MFT
// entries, inodes), or, for a file inside a file system, a line at an
// offset in that file (through FileInVolume).
func readImageRecord(reg *Registry, rec *EvidenceRecord, ref timeline.Ref, off int64, limit int) ([]byte, error) {
	part, inside, err := disk.SplitRef(rec.Path, ref.Path)
	if err != nil || rec.Format != diskImageFormat {
		return nil, ErrNoRecord // an image inside a compressed stream
	}
	img, err := disk.OpenImage(imageParts(reg, rec))
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if inside != "" {
		if FileInVolume == nil {
			return nil, ErrNoRecord
		}
		start, length, err := img.Partition(part)
		if err != nil {
			return nil, err
		}
		rc, err := FileInVolume(io.NewSectionReader(img.R, start, length), length, inside)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		if off > maxRecordSkip {
			return nil, ErrNoRecord
		}
		return skipAndReadLine(rc, off, limit)
	}
	if off >= img.Size {
		return nil, fmt.Errorf("past the end of the image (%d bytes)", img.Size)
	}
	if ref.Line != nil {
		return readLine(io.NewSectionReader(img.R, off, img.Size-off), limit)
	}
	n := binaryRecordSize(img.R, off, ref)
	b := make([]byte, min(n, int(img.Size-off), limit+1))
	k, err := img.R.ReadAt(b, off)
	if k < len(b) {
		return nil, fmt.Errorf("reading %d bytes: %v", len(b), err)
	}
	return b, nil
}

// binaryRecordSize is the length of the record at off: an MFT entry's
// allocated size from its header, an inode's 128 bytes plus its extra size,
// else binaryRecordBytes.
func binaryRecordSize(r io.ReaderAt, off int64, ref timeline.Ref) int {
	var h [0x84]byte
	if n, _ := r.ReadAt(h[:], off); n < len(h) {
		return binaryRecordBytes
	}
	switch sig := string(h[:4]); {
	case ref.MFT != nil && (sig == "FILE" || sig == "BAAD"):
		if n := int(binary.LittleEndian.Uint32(h[0x1c:])); n >= len(h) && n <= maxMFTRecord {
			return n
		}
	case ref.Inode != nil && ref.MFT == nil:
		if n := 128 + int(binary.LittleEndian.Uint16(h[0x80:])); n <= maxInodeBytes {
			return n
		}
	}
	return binaryRecordBytes
}
