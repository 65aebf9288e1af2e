package memory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/memory/carve"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// FormatName is the registered format name; bash-history events carry it as
// their source.
const FormatName = "memory"

// TagCarved marks events carved out of memory.
const TagCarved = "carved"

// ArtifactSink is what Parse looks for on the sink it is given: when the
// timeline.Sink also implements it, non-timed findings are sent there.
type ArtifactSink = artifacts.Sink

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassMemory}},
		Description: "memory image: raw, LiME, AVML, ELF core (gcore, QEMU dump-guest-memory); carves log lines, URLs, addresses, PII, HTTP headers, commands",
		HasZone:     false,
		HasYear:     false,
		Detect:      Detect,
		Parse:       Parse,
	})
}

// LineFormats returns the registered formats with a ParseLine, sorted by name.
func LineFormats() []*parsers.Format {
	var out []*parsers.Format
	for _, f := range parsers.Formats() {
		if f.ParseLine != nil && f.Name != FormatName {
			out = append(out, f)
		}
	}
	return out
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Parse scans a memory image and emits carved log lines and bash-history
// entries as events; other findings go to the sink's ArtifactSink, if any.
// A raw image in which that finds no event gives its printable strings
// instead (as a file no format claims does); a structured one says in a
// warning that it held none.
func Parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	cs := &countSink{Sink: sink}
	asink, _ := sink.(ArtifactSink)
	container, err := carveMemory(ctx, in, cs, asink)
	if err != nil || cs.n > 0 {
		return err
	}
	if container == ContainerRaw {
		return carveStrings(ctx, in, sink)
	}
	in.Problemf("memory-empty", -1, 0, "no log line or shell command found in the %s image (other findings, if any, are in the artifacts table)", container)
	return nil
}

// carveMemory is Parse without the fallback: events go to sink, other
// findings to asink (when not nil). It returns the container kind it read.
func carveMemory(ctx context.Context, in *parsers.Input, sink timeline.Sink, asink ArtifactSink) (string, error) {
	if in.ReaderAt == nil {
		return "", errors.New(in.Name + ": a memory image needs random access; it cannot be read inside a compressed stream")
	}
	lay, err := Open(in.ReaderAt, in.Size)
	if err != nil {
		return "", fmt.Errorf("%s: %w", in.Name, err)
	}
	for _, w := range lay.Warnings {
		in.Problemf("memory-layout", -1, 0, "%s", w)
	}
	lineIn := *in
	if lineIn.Year == 0 && !in.ModTime.IsZero() {
		lineIn.Year = in.ModTime.UTC().Year()
	}
	var (
		ev   timeline.Event
		art  artifacts.Artifact
		addr []byte
	)
	opt := Options{
		LineFormats: LineFormats(),
		Input:       &lineIn,
		Warn:        func(m string) { in.Problemf("memory-scan", -1, 0, "%s", m) },
	}
	_, err = Scan(ctx, in.ReaderAt, lay, opt, func(f *Finding) error {
		switch {
		case f.Kind == carve.KindLogLine:
			ev.Reset()
			ev.Host, ev.Evidence, ev.RefPath, ev.Offset = in.Host, in.Evidence, in.Name, f.Offset
			if !f.Format.ParseLine(f.Value, &lineIn, &ev) {
				return nil // recognised by the worker; cannot happen
			}
			ev.Host, ev.Evidence, ev.RefPath, ev.Offset, ev.Line = in.Host, in.Evidence, in.Name, f.Offset, timeline.Absent
			addr = refExtra(&ev, f, addr)
			return sink.Emit(&ev)
		case f.Kind == carve.KindCommand && f.Epoch > 0:
			ev.Reset()
			ev.Time = f.Epoch * 1e9
			ev.TimeDesc = timeline.TimeLog
			ev.TimeOrig = "#" + strconv.FormatInt(f.Epoch, 10)
			ev.Zone = "UTC (epoch)"
			ev.Host, ev.Evidence, ev.RefPath, ev.Offset = in.Host, in.Evidence, in.Name, f.Offset
			ev.Source = FormatName
			ev.Action = timeline.ActionExecute
			ev.Message = str(f.Value)
			ev.Tags = "bash-history"
			addr = refExtra(&ev, f, addr)
			if err := sink.Emit(&ev); err != nil {
				return err
			}
		}
		if asink == nil || f.Kind == carve.KindLogLine {
			return nil
		}
		art = artifacts.Artifact{
			Evidence: in.Evidence, RefPath: in.Name, Offset: f.Offset,
			PhysAddr: f.Phys, VirtAddr: f.Virt, Kind: f.Kind.String(),
			Value: str(f.Value), Context: str(f.Context), Encoding: f.Encoding,
		}
		return asink.Artifact(&art)
	})
	return lay.Container, err
}

// refExtra records the finding's address and encoding on the event.
func refExtra(ev *timeline.Event, f *Finding, buf []byte) []byte {
	ev.AddTag(TagCarved)
	buf = buf[:0]
	if f.Phys != Absent {
		buf = append(buf, "0x"...)
		buf = strconv.AppendInt(buf, f.Phys, 16)
		ev.AddExtra("phys_addr", string(buf))
	}
	if f.Virt != Absent {
		buf = append(buf[:0], "0x"...)
		buf = strconv.AppendInt(buf, f.Virt, 16)
		ev.AddExtra("virt_addr", string(buf))
	}
	if f.Encoding != EncASCII {
		ev.AddExtra("encoding", f.Encoding)
	}
	return buf
}
