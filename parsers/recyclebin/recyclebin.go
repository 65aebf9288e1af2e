package recyclebin

import (
	"context"
	"encoding/binary"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "recyclebin"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Description: "Windows Recycle Bin $I records (Vista and later): original path, size, deletion time",
		HasZone:     true, // FILETIMEs are UTC
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassHostArtifact}},
	})
}

// Layout.
const (
	v1Size     = 544 // version 1: fixed size
	v2Header   = 28  // version 2: fixed part before the path
	maxPathLen = 32767
	// maxSize: the largest record, version 2 with the longest NT path.
	maxSize = v2Header + 2*maxPathLen + 2
	// minTime, maxTime bound a plausible deletion time (1990, 2100) in
	// Unix nanoseconds, so that random data is not claimed.
	minTime = 631152000 * int64(1e9)
	maxTime = 4102444800 * int64(1e9)
)

// Record is one decoded $I record.
type Record struct {
	Version uint64
	Size    uint64
	Deleted int64 // Unix ns
	Path    string
}

// Decode reads a $I record; b is the whole file.
func Decode(b []byte) (*Record, error) {
	if len(b) < v2Header {
		return nil, fmt.Errorf("%d bytes, shorter than a $I record", len(b))
	}
	r := &Record{Version: binary.LittleEndian.Uint64(b), Size: binary.LittleEndian.Uint64(b[8:])}
	ns, ok := winart.UnixNano(binary.LittleEndian.Uint64(b[16:]))
	if !ok || ns < minTime || ns > maxTime {
		return nil, fmt.Errorf("deletion time at offset 16 is not a date between 1990 and 2100")
	}
	r.Deleted = ns
	switch r.Version {
	case 1:
		if len(b) != v1Size {
			return nil, fmt.Errorf("version 1 record of %d bytes, want %d", len(b), v1Size)
		}
		r.Path = winart.UTF16(b[24:])
	case 2:
		n := int(binary.LittleEndian.Uint32(b[24:]))
		if n == 0 || n > maxPathLen || v2Header+2*n > len(b) {
			return nil, fmt.Errorf("path length %d at offset 24 does not fit the %d-byte record", n, len(b))
		}
		r.Path = winart.UTF16(b[v2Header : v2Header+2*n])
	default:
		return nil, fmt.Errorf("version %d at offset 0 is not 1 or 2", r.Version)
	}
	if !pathLike(r.Path) {
		return nil, fmt.Errorf("original path %q is not a Windows path", r.Path)
	}
	return r, nil
}

// pathLike: "C:\..." or "\\server\...".
func pathLike(p string) bool {
	if len(p) >= 3 && p[1] == ':' && p[2] == '\\' {
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return strings.HasPrefix(p, `\\`)
}

func detect(name string, head []byte) int {
	if len(head) > maxSize {
		return 0
	}
	if _, err := Decode(head); err != nil {
		return 0
	}
	if strings.HasPrefix(path.Base(strings.ReplaceAll(name, `\`, "/")), "$I") {
		return 100
	}
	return 80
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	b, err := winart.ReadAll(in, maxSize)
	if err != nil {
		return err
	}
	r, err := Decode(b)
	if err != nil {
		return fmt.Errorf("%s: not a $I record: %w", in.Name, err)
	}
	var ev timeline.Event
	ev.Reset()
	ev.Evidence, ev.RefPath, ev.Host, ev.Offset = in.Evidence, in.Name, in.Host, 16
	ev.Time, ev.TimeOrig, ev.TimeDesc, ev.Zone = r.Deleted, winart.RFC3339(r.Deleted), timeline.TimeDeleted, "UTC"
	ev.Source, ev.Action, ev.Path = FormatName, timeline.ActionDelete, r.Path
	if r.Size <= 1<<62 {
		ev.Bytes = int64(r.Size)
	}
	ev.Message = "moved to the Recycle Bin: " + r.Path
	ev.AddExtra("recycle_version", strconv.FormatUint(r.Version, 10))
	ev.AddExtra("original_size", strconv.FormatUint(r.Size, 10))
	if base := path.Base(strings.ReplaceAll(in.Name, `\`, "/")); strings.HasPrefix(base, "$I") {
		ev.AddExtra("content_file", "$R"+base[2:])
	}
	if err := sink.Emit(&ev); err != nil {
		return err
	}
	return ctx.Err()
}
