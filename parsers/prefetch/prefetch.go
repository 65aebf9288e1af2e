package prefetch

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
	pf "www.velocidex.com/golang/go-prefetch"
)

// FormatName is the registered name and the events' source.
const FormatName = "prefetch"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Description: "Windows prefetch files (XP to 11, MAM-compressed included): executable, run count, run times",
		HasZone:     true, // FILETIMEs are UTC
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassHostArtifact}},
	})
}

// Layout (libscca documentation).
const (
	mamMagic  = "MAM\x04"
	sccaMagic = "SCCA"
	// infoOff: the file information follows the 84-byte SCCA header.
	infoOff = 84
	// maxSize bounds a prefetch file, compressed or not: the largest real
	// ones are a few MiB (thousands of loaded files); 64 MiB leaves room
	// and refuses a crafted header's 4 GiB.
	maxSize = 64 << 20
	// metricSize is the smallest file-metrics entry (version 17), used to
	// bound the entry count by the data's size before the library loops
	// over it.
	metricSize = 20
)

// versions maps the SCCA version to where its run times and volumes are.
var versions = map[uint32]struct {
	runTimes, runs int // offsets in the file information
	volEntry       int // size of a volume information entry
}{
	17: {36, 1, 40},
	23: {44, 1, 104},
	26: {44, 8, 104},
	30: {44, 8, 96},
	31: {44, 8, 96},
}

func detect(name string, head []byte) int {
	switch {
	case len(head) >= 8 && string(head[:4]) == mamMagic:
		return 90 // the MAM header is also used by other compressed Windows files
	case len(head) >= 8 && string(head[4:8]) == sccaMagic:
		if _, ok := versions[binary.LittleEndian.Uint32(head)]; ok {
			return 100
		}
	}
	return 0
}

// load returns the SCCA data, decompressed when the file is a MAM one.
func load(in *parsers.Input) (data []byte, compressed bool, err error) {
	raw, err := winart.ReadAll(in, maxSize)
	if err != nil {
		return nil, false, err
	}
	if len(raw) < 8 || string(raw[:4]) != mamMagic {
		return raw, false, nil
	}
	size := binary.LittleEndian.Uint32(raw[4:])
	if size > maxSize {
		return nil, true, fmt.Errorf("%s: MAM header gives %d bytes decompressed, more than %d", in.Name, size, maxSize)
	}
	out, err := decompress(raw[8:], int(size))
	if err != nil {
		return nil, true, fmt.Errorf("%s: decompressing: %w", in.Name, err)
	}
	return out, true, nil
}

func decompress(b []byte, size int) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decompressor panicked: %v", r)
		}
	}()
	return pf.LZXpressHuffmanDecompressWithFallback(b, size)
}

// check refuses data the library would read past or loop on.
func check(name string, b []byte) (uint32, error) {
	if len(b) < infoOff+128 || string(b[4:8]) != sccaMagic {
		return 0, fmt.Errorf("%s: not a prefetch file (no SCCA signature)", name)
	}
	v := binary.LittleEndian.Uint32(b)
	if _, ok := versions[v]; !ok {
		return 0, fmt.Errorf("%s: prefetch format version %d is not known", name, v)
	}
	if n := binary.LittleEndian.Uint32(b[infoOff+4:]); int64(n)*metricSize > int64(len(b)) {
		return 0, fmt.Errorf("%s: %d file-metrics entries at offset %d cannot fit in %d bytes", name, n, infoOff+4, len(b))
	}
	return v, nil
}

func loadInfo(b []byte) (info *pf.PrefetchInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("prefetch library panicked: %v", r)
		}
	}()
	return pf.LoadPrefetch(bytes.NewReader(b))
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	data, compressed, err := load(in)
	if err != nil {
		return err
	}
	version, err := check(in.Name, data)
	if err != nil {
		return err
	}
	info, err := loadInfo(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	lay := versions[version]
	runCount := strconv.FormatUint(uint64(runs(data, version)), 10)
	path := exePath(info)
	var ev timeline.Event
	emitted := 0
	for i := 0; i < lay.runs; i++ {
		off := infoOff + lay.runTimes + 8*i
		ns, ok := winart.UnixNano(winart.FiletimeAt(data, off))
		if !ok {
			continue // unused slot
		}
		ev.Reset()
		ev.Evidence, ev.RefPath, ev.Host, ev.Offset = in.Evidence, in.Name, in.Host, int64(off)
		ev.Time, ev.TimeOrig, ev.Zone = ns, winart.RFC3339(ns), "UTC"
		ev.TimeDesc = "previous_run"
		if i == 0 {
			ev.TimeDesc = "last_run"
		}
		ev.Source, ev.Action, ev.Path = FormatName, timeline.ActionExecute, path
		ev.Message = info.Executable + " ran (run count " + runCount + ")"
		ev.AddExtra("executable", info.Executable)
		ev.AddExtra("run_count", runCount)
		ev.AddExtra("hash", info.Hash)
		ev.AddExtra("prefetch_version", strconv.FormatUint(uint64(version), 10))
		ev.AddExtra("run_index", strconv.Itoa(i))
		ev.AddExtra("files", strconv.Itoa(len(info.FilesAccessed)))
		if compressed {
			ev.AddExtra("compressed", "true")
		}
		addVolume(&ev, data, lay.volEntry)
		if i == 0 {
			ev.AddExtra("files_loaded", strings.Join(info.FilesAccessed, "\n"))
		}
		if err := sink.Emit(&ev); err != nil {
			return err
		}
		emitted++
	}
	if emitted == 0 {
		in.Problemf("prefetch-no-run-time", int64(infoOff+lay.runTimes), 0, "no run time set")
	}
	return ctx.Err()
}

// runs reads the run count. Versions 26 to 31 keep it 124 bytes into the
// file information, except the variant of 30/31 whose file metrics start
// at 0x128 (a file information 8 bytes shorter), which keeps it at 116
// (libscca); the library always reads 124 first.
func runs(b []byte, version uint32) uint32 {
	switch version {
	case 17:
		return binary.LittleEndian.Uint32(b[infoOff+60:])
	case 23:
		return binary.LittleEndian.Uint32(b[infoOff+68:])
	}
	if version >= 30 && binary.LittleEndian.Uint32(b[infoOff:]) == 0x128 {
		return binary.LittleEndian.Uint32(b[infoOff+116:])
	}
	return binary.LittleEndian.Uint32(b[infoOff+124:])
}

// exePath finds the executable's full path.
func exePath(info *pf.PrefetchInfo) string {
	if info.Path != "" {
		return info.Path
	}
	if info.Executable != "" {
		suffix := `\` + strings.ToUpper(info.Executable)
		for _, f := range info.FilesAccessed {
			if strings.HasSuffix(strings.ToUpper(f), suffix) {
				return f
			}
		}
	}
	return info.Executable
}

// addVolume adds the first volume's device path, serial and creation
// time (volume information entry: path offset, path length in characters,
// creation FILETIME, serial).
func addVolume(ev *timeline.Event, b []byte, entry int) {
	base := int(binary.LittleEndian.Uint32(b[infoOff+24:]))
	if binary.LittleEndian.Uint32(b[infoOff+28:]) == 0 || base <= 0 || base+entry > len(b) {
		return
	}
	pathOff := base + int(binary.LittleEndian.Uint32(b[base:]))
	pathLen := int(binary.LittleEndian.Uint32(b[base+4:]))
	if pathOff > 0 && pathLen > 0 && pathOff+2*pathLen <= len(b) {
		ev.AddExtra("volume_path", winart.UTF16(b[pathOff:pathOff+2*pathLen]))
	}
	ev.AddExtra("volume_serial", fmt.Sprintf("%08X", binary.LittleEndian.Uint32(b[base+16:])))
	if ns, ok := winart.UnixNano(winart.FiletimeAt(b, base+8)); ok {
		ev.AddExtra("volume_created", winart.RFC3339(ns))
	}
}
