package ntfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"www.velocidex.com/golang/go-ntfs/parser"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatUSN is the format of a standalone $UsnJrnl:$J stream as icat
// (with its sparse start as zeros), KAPE or Velociraptor copy it out. Its
// records become the same "usnjrnl" events as on a volume; without the
// volume's $MFT a record's parent directory is unknown, so its path is the
// file name alone.
const FormatUSN = "ntfs-usnjrnl"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatUSN,
		Description: "NTFS $UsnJrnl:$J change journal extracted from a volume (icat, KAPE, Velociraptor)",
		HasZone:     true, HasYear: true,
		Detect:  detectUSN,
		Parse:   parseUSN,
		Sources: []parsers.Source{{Name: SourceUSN, Class: parsers.ClassFS}},
	})
}

// usnNames are the names tools give the extracted $J stream.
var usnNames = []string{"$j", "$usnjrnl:$j", "$usnjrnl%3a$j", "$usnjrnl_$j", "$usnjrnl.$j", "usnjrnl", "$usnjrnl"}

func usnName(name string) bool {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	base = strings.TrimSuffix(base, ".bin")
	for _, n := range usnNames {
		if base == n {
			return true
		}
	}
	return false
}

// detectUSN: a valid USN record (version 2 or 3) at the first nonzero
// 8-byte boundary of the head; with the tools' name for the stream, a head
// of zeros (the sparse start icat writes out) is enough.
func detectUSN(name string, head []byte) int {
	named := usnName(name)
	for off := 0; off+8 <= len(head); off += 8 {
		if le32(head, off) == 0 {
			continue
		}
		if _, ok := DecodeUSN(head[off:]); !ok {
			return 0
		}
		if named {
			return 100
		}
		return 70
	}
	if named && len(head) > 0 {
		return 60
	}
	return 0
}

// maxUSNInMemory bounds a compressed $J read into memory (an uncompressed
// one is read in place): journals are capped at a few hundred MiB by
// default (fsutil's usual maximum), so 2 GiB leaves room.
const maxUSNInMemory = 2 << 30

// wholeStream is the $J file as go-ntfs's range reader: one allocated range.
type wholeStream struct {
	io.ReaderAt
	size int64
}

func (w wholeStream) Ranges() []parser.Range {
	return []parser.Range{{Offset: 0, Length: w.size}}
}

func parseUSN(ctx context.Context, in *parsers.Input, sink timeline.Sink) (err error) {
	j, err := usnReader(in)
	if err != nil {
		return err
	}
	vol := &parsers.Volume{Size: j.size, RefPath: in.Name, Input: in}
	p := &volParser{vol: vol, in: in, badRunStart: -1, disk: noDisk{}}
	if m := in.Options["mount"]; m != "" {
		p.mount = strings.TrimRight(m, "/")
	}
	p.sink = noParentSink{next: sink, orphan: p.mount + "<orphan>/"}
	p.res.init(p)
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("%s: $UsnJrnl:$J parser panicked: %v", in.Name, x)
		}
	}()
	if err := p.walkUSN(ctx, j, 0, j.size, make([]byte, usnChunk), map[uint32]string{}, timeline.Absent); err != nil {
		return err
	}
	return p.sinkErr
}

func usnReader(in *parsers.Input) (wholeStream, error) {
	if in.ReaderAt != nil && in.Size > 0 {
		return wholeStream{in.ReaderAt, in.Size}, nil
	}
	r, err := in.Open()
	if err != nil {
		return wholeStream{}, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxUSNInMemory+1))
	if err != nil {
		return wholeStream{}, fmt.Errorf("%s: %w", in.Name, err)
	}
	if len(b) > maxUSNInMemory {
		return wholeStream{}, fmt.Errorf("%s: compressed $J larger than %d bytes: decompress it first", in.Name, maxUSNInMemory)
	}
	return wholeStream{bytes.NewReader(b), int64(len(b))}, nil
}

// noParentSink passes events on, naming a USN record's file by its name
// alone where the volume parser, which has no $MFT to look the parent up
// in, would call it an orphan.
type noParentSink struct {
	next   timeline.Sink
	orphan string
}

func (s noParentSink) Emit(ev *timeline.Event) error {
	if ev.Source == SourceUSN && s.orphan != "" && strings.HasPrefix(ev.Path, s.orphan) {
		name := ev.Path[len(s.orphan):]
		ev.Message = strings.Replace(ev.Message, ev.Path, name, 1)
		ev.Path = name
		ev.AddExtra("parent", "unknown (no $MFT)")
	}
	return s.next.Emit(ev)
}
