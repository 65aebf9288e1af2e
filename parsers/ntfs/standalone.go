package ntfs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatMFT is the format of a standalone $MFT: the MFT stream copied out
// of a volume (icat IMAGE 0, KAPE, Velociraptor's collectors), a sequence
// of FILE records with no boot sector. Its entries give the same file
// events as the volume's, with offsets into the $MFT file.
const FormatMFT = "ntfs-mft"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatMFT,
		Description: "NTFS $MFT extracted from a volume (icat, KAPE, Velociraptor): FILE records",
		HasZone:     true, HasYear: true,
		Detect:  detectMFT,
		Parse:   parseMFT,
		Sources: []parsers.Source{{Name: Name, Class: parsers.ClassFS}},
	})
}

// Record sizes NTFS uses for MFT entries (1 KiB; 4 KiB on 4Kn disks).
const (
	smallRecord = 1024
	largeRecord = 4096
)

// mftRecordSize returns the allocated size of the MFT record at the start
// of b when its header is an NTFS FILE record header (signature, update
// sequence array inside the first attribute's offset, used size within
// the allocated size), else 0.
func mftRecordSize(b []byte) int64 {
	if len(b) < 48 || string(b[:4]) != "FILE" {
		return 0
	}
	usaOff, usaCount := int(le16(b, 4)), int(le16(b, 6))
	attrOff, used, alloc := int(le16(b, 20)), int(le32(b, 24)), int(le32(b, 28))
	if alloc != smallRecord && alloc != largeRecord {
		return 0
	}
	if usaCount != alloc/512+1 || usaOff < 40 || usaOff+2*usaCount > attrOff || attrOff >= used || used > alloc {
		return 0
	}
	return int64(alloc)
}

// mftName is "$MFT" in UTF-16LE, as entry 0's $FILE_NAME holds it.
var mftName = []byte("$\x00M\x00F\x00T\x00")

// detectMFT: a FILE record at byte 0; certain when the first record names
// itself $MFT or the file is called $MFT.
func detectMFT(name string, head []byte) int {
	size := mftRecordSize(head)
	if size == 0 {
		return 0
	}
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), ".bin")
	if int64(len(head)) >= size && bytes.Contains(head[:size], mftName) || strings.EqualFold(base, "$MFT") {
		return 100
	}
	return 90
}

// noDisk stands for the volume a standalone $MFT came from: the clusters
// of a non-resident attribute list are not in the file.
type noDisk struct{}

func (noDisk) ReadAt([]byte, int64) (int, error) { return 0, errNoVolume }

var errNoVolume = errors.New("not in a standalone $MFT")

// parseMFT reads a standalone $MFT record by record (the file is read once,
// in order, so a compressed copy works too) and emits its entries as the
// NTFS volume parser does. The $UsnJrnl is not in the file and is not read.
func parseMFT(ctx context.Context, in *parsers.Input, sink timeline.Sink) (err error) {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	head, _ := br.Peek(48)
	recSize := mftRecordSize(head)
	if recSize == 0 {
		return fmt.Errorf("%s: no NTFS FILE record at offset 0", in.Name)
	}
	vol := &parsers.Volume{Size: in.Size, RefPath: in.Name, Input: in}
	p := &volParser{vol: vol, in: in, sink: sink, badRunStart: -1, recSize: recSize, cluster: recSize, disk: noDisk{},
		// One extent mapping the file onto itself: offsets are offsets in the file.
		mftRuns: []extent{{vcn: 0, lcn: 0, length: 1 << 62 / recSize}}}
	if m := in.Options["mount"]; m != "" {
		p.mount = strings.TrimRight(m, "/")
	}
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("%s: $MFT parser panicked: %v", in.Name, x)
		}
	}()
	if err := p.readStandalone(ctx, br); err != nil {
		return err
	}
	p.mergeExtensions()
	if err := p.emitEntries(ctx); err != nil {
		return err
	}
	return p.sinkErr
}

// readStandalone decodes the records of a standalone $MFT into p.entries.
// A record cut short by the end of the file is reported as unreadable.
func (p *volParser) readStandalone(ctx context.Context, r io.Reader) error {
	rec := make([]byte, p.recSize)
	for idx := int64(0); ; idx++ {
		if idx%(recordsPerRead*16) == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		n, err := io.ReadFull(r, rec)
		if n == 0 && (err == io.EOF || err == nil) {
			break
		}
		p.entriesRead++
		p.entries = append(p.entries, entry{})
		if err != nil {
			if err != io.ErrUnexpectedEOF {
				return fmt.Errorf("%s: $MFT entry %d at offset %d: %w", p.vol.RefPath, idx, idx*p.recSize, err)
			}
			p.unreadable(idx)
			break
		}
		p.flushUnreadable()
		p.decodeRecord(idx, rec)
	}
	p.flushUnreadable()
	return nil
}
