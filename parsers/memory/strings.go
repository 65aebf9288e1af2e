package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// StringsFormat is the format that claims binary files no other format
// recognises; its printable-string events carry it as their source.
const StringsFormat = "strings"

// Printable strings are carved as GNU strings(1) finds them (`strings -a`):
// runs of at least minString bytes that are printable ASCII or TAB.
const (
	minString = 4
	// maxString caps the bytes one event keeps of a longer run (tagged
	// "truncated"); the run still counts as one string.
	maxString = 64 << 10
	// maxStrings bounds the string events of one file: past 16 M the
	// carving stops with a warning (a huge file of text-like noise).
	maxStrings = 16 << 20
	// stringsChunk is how much of the file is read at once.
	stringsChunk = 1 << 20
	// zeroHead is the size a file must have for an all-zero head to
	// count as a memory-like dump (a few zero bytes mean nothing).
	zeroHead = 4096
)

// TagStrings marks the events of printable strings carved from a file no
// format recognised.
const TagStrings = "strings"

func init() {
	parsers.Register(&parsers.Format{
		Name:        StringsFormat,
		Sources:     []parsers.Source{{Name: StringsFormat, Class: parsers.ClassRaw}},
		Description: "binary file no other format claims: carved as raw memory (log lines, bash history, artifacts), else its printable strings with their offsets",
		HasZone:     false,
		HasYear:     false,
		Detect:      DetectUnknown,
		Parse:       CarveUnknown,
	})
}

// DetectUnknown claims, with the lowest score, any binary file (one that
// holds a NUL byte in its head) that has a printable string in its head or
// whose head is all zeros: memory dumps of any name, and binaries no other
// format knows. Text files are left to the engine's raw lines.
func DetectUnknown(name string, head []byte) int {
	if bytes.IndexByte(head, 0) < 0 {
		return 0
	}
	if len(head) >= zeroHead && allZero(head) {
		return 1
	}
	run := 0
	for _, c := range head {
		if printable(c) {
			if run++; run >= minString {
				return 1
			}
		} else {
			run = 0
		}
	}
	return 0
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func printable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// printables is printable as a table, for the carving loop.
var printables = func() (t [256]bool) {
	for c := range t {
		t[c] = printable(byte(c))
	}
	return t
}()

// countSink counts the events passed through.
type countSink struct {
	timeline.Sink
	n int64
}

func (c *countSink) Emit(ev *timeline.Event) error { c.n++; return c.Sink.Emit(ev) }

// CarveUnknown reads a file that no format recognised: first as raw
// memory (log lines and bash history become events, other findings
// artifacts); when that finds no event, every printable string becomes an
// event with its offset. It warns which of the two it did, so the summary
// says so; a file with neither is an error, never zero events in silence.
func CarveUnknown(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	if in.ReaderAt != nil {
		cs := &countSink{Sink: sink}
		asink, _ := sink.(ArtifactSink)
		if _, err := carveMemory(ctx, in, cs, asink); err != nil {
			return err
		}
		if cs.n > 0 {
			in.Problemf("carved-memory", -1, 0, "no format recognised this file: carved as raw memory, %d events (log lines, commands)", cs.n)
			return nil
		}
	}
	return carveStrings(ctx, in, sink)
}

// carveStrings emits every printable string of the file as an event
// (source "strings", no time, the string as its message) and warns how
// many it found; a file without any is an error.
func carveStrings(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	var r io.Reader
	if in.ReaderAt != nil {
		r = io.NewSectionReader(in.ReaderAt, 0, in.Size)
	} else if in.Open != nil {
		rc, err := in.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		r = rc
	} else {
		return errors.New(in.Name + ": no content to read")
	}
	var ev timeline.Event
	n, err := Strings(ctx, r, func(off int64, s []byte, truncated bool) error {
		ev.Reset()
		ev.Source = StringsFormat
		ev.TimeDesc = timeline.TimeUnknown
		ev.Host, ev.Evidence, ev.RefPath, ev.Offset = in.Host, in.Evidence, in.Name, off
		ev.Message = str(s)
		ev.Tags = TagStrings
		if truncated {
			ev.AddTag("truncated")
		}
		return sink.Emit(&ev)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: no format recognised this file, and it holds no printable string of %d bytes or more", in.Name, minString)
	}
	in.Problemf("carved-strings", -1, 0, "no format recognised this file: %d printable strings carved as events (source %q, offsets as strings -t d gives them)", n, StringsFormat)
	return nil
}

// errTooMany stops Strings at maxStrings.
var errTooMany = errors.New("too many strings")

// Strings calls emit for every run of at least 4 printable bytes in r, in
// order, with its offset (as `strings -a -t d` prints it). s is valid
// during the call only; runs longer than 64 KiB are cut (truncated true).
// It returns how many strings it found.
func Strings(ctx context.Context, r io.Reader, emit func(off int64, s []byte, truncated bool) error) (int64, error) {
	buf := make([]byte, stringsChunk)
	run := make([]byte, 0, maxString)
	var (
		n, base, start int64
		long           bool // the current run passed maxString
	)
	flush := func() error {
		if len(run) < minString {
			run = run[:0]
			long = false
			return nil
		}
		if n++; n > maxStrings {
			return errTooMany
		}
		err := emit(start, run, long)
		run = run[:0]
		long = false
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := r.Read(buf)
		chunk := buf[:k]
		for i := 0; i < len(chunk); {
			if !printables[chunk[i]] {
				if len(run) > 0 {
					if err := flush(); err != nil {
						return n, stopErr(err, n)
					}
				}
				i++
				continue
			}
			j := i + 1
			for j < len(chunk) && printables[chunk[j]] {
				j++
			}
			if len(run) == 0 && !long {
				start = base + int64(i)
			}
			take := min(j-i, maxString-len(run))
			run = append(run, chunk[i:i+take]...)
			long = long || take < j-i
			i = j
		}
		base += int64(k)
		if rerr == io.EOF {
			return n, stopErr(flush(), n)
		}
		if rerr != nil {
			return n, fmt.Errorf("reading at offset %d: %w", base, rerr)
		}
	}
}

func stopErr(err error, n int64) error {
	if err == errTooMany {
		return fmt.Errorf("more than %d printable strings: carving stopped after %d", maxStrings, n-1)
	}
	return err
}
