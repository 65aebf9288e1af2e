package parsers

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Input is one file handed to a parser, with what the case knows about it.
type Input struct {
	Name     string // reference path inside the evidence item (archive members: "a.tar.gz!x/y.log")
	Evidence string // evidence id
	Host     string

	// Zone is used for times that carry no zone or offset; ZoneSource says
	// where it came from ("manifest", "default") and is recorded on events.
	Zone       *time.Location
	ZoneSource string
	// Year is used for times that carry no year; 0 means infer it from ModTime.
	Year    int
	ModTime time.Time
	Options map[string]string // format options from the manifest (log_format, ...)

	// Open returns the file's content, decompressed.
	Open func() (io.ReadCloser, error)
	// ReaderAt and Size give random access to the raw file for formats that
	// need it (disk images, memory dumps). ReaderAt is nil for members of
	// compressed streams.
	ReaderAt io.ReaderAt
	Size     int64
	// Parts lists the absolute paths of every file of a split image (.E01
	// .E02 ..., .001 .002 ...) in order; a single file is one part.
	Parts []string
	// Report records a problem that did not stop the parse (a corrupt
	// record, an unsupported partition): the ingest counts it per kind in
	// the summary, lists the first ones, and the audit log keeps them. Call
	// it through Problem or Problemf.
	Report func(p *Problem)
	// Warn, when Report is nil, receives each problem's text (tests).
	Warn func(msg string)
}

// Problem is one thing a parser could not read as expected without
// stopping: where (evidence, name, offset or line), what kind, and why.
// Its Error text is like encoding/csv's ParseError: the position first.
type Problem struct {
	Evidence string // evidence id
	Name     string // reference path of the input or volume (Input.Name, Volume.RefPath)
	Offset   int64  // byte offset in the input or image; -1 when unknown
	Line     int64  // 1-based line; 0 when the format is not line-based
	Kind     string // short and stable: "partial-record", "partition", "ext4", ...
	Err      error  // the cause
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Name)
	switch {
	case p.Line > 0:
		fmt.Fprintf(&b, ": line %d", p.Line)
	case p.Offset >= 0:
		fmt.Fprintf(&b, ": offset %d", p.Offset)
	}
	if p.Kind != "" {
		b.WriteString(": " + p.Kind)
	}
	b.WriteString(": ")
	if p.Err != nil {
		b.WriteString(p.Err.Error())
	}
	return b.String()
}

func (p *Problem) Unwrap() error { return p.Err }

// Problem reports a problem that did not stop the parse; Evidence and Name
// default to the input's.
func (in *Input) Problem(p Problem) {
	if p.Evidence == "" {
		p.Evidence = in.Evidence
	}
	if p.Name == "" {
		p.Name = in.Name
	}
	switch {
	case in.Report != nil:
		in.Report(&p)
	case in.Warn != nil:
		in.Warn(p.Error())
	}
}

// Problemf reports a problem of a kind at an offset (-1: none) or line (0:
// none) of the input, its cause formatted.
func (in *Input) Problemf(kind string, offset, line int64, format string, args ...any) {
	in.Problem(Problem{Kind: kind, Offset: offset, Line: line, Err: fmt.Errorf(format, args...)})
}

// ZoneLabel is how events record a zone that came from the case rather than
// from the source itself.
func (in *Input) ZoneLabel() string {
	if in.Zone == nil {
		return "UTC (" + in.ZoneSource + ")"
	}
	return in.Zone.String() + " (" + in.ZoneSource + ")"
}

// Format is one registered evidence format.
type Format struct {
	Name        string
	Description string
	// HasZone and HasYear say whether the format's times carry a zone/offset
	// and a year; where they do not, the case manifest supplies them.
	HasZone, HasYear bool
	// Detect scores how sure the format is that a file with this name and
	// these first bytes is its own: 0 not at all, 100 certain.
	Detect func(name string, head []byte) int
	// Parse reads the input and emits its events. It returns an error only
	// when the input cannot be read at all; lines it cannot parse are emitted
	// as unparsed events.
	Parse func(ctx context.Context, in *Input, sink timeline.Sink) error
	// ParseLine, for line-based formats, parses one line into ev and reports
	// whether it was recognised. The memory scanner uses it to turn log lines
	// carved from a dump into events. in gives zone and year defaults.
	ParseLine func(line []byte, in *Input, ev *timeline.Event) bool
	// Group, for formats split over several files, picks out of a sorted
	// list of file paths the groups that form one piece of evidence (the
	// first path of a group is the one parsed, with Input.Parts set). Files
	// in no group are handled one by one.
	Group func(paths []string) [][]string
	// Sources lists every value of the source column the parser emits,
	// with its class (see Class); raw lines (timeline.SourceRaw) need not
	// be listed. A format without sources fails the registry's test.
	Sources []Source
}

var (
	mu      sync.RWMutex
	formats = map[string]*Format{}
)

// Register adds a format. Registering a name twice is a programming error.
func Register(f *Format) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := formats[f.Name]; dup {
		panic("parsers: format registered twice: " + f.Name)
	}
	formats[f.Name] = f
	declare(f.Sources)
}

// Lookup returns the named format.
func Lookup(name string) (*Format, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := formats[name]
	return f, ok
}

// Formats lists the registered formats by name.
func Formats() []*Format {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]*Format, 0, len(formats))
	for _, f := range formats {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Candidate is one format's detection score.
type Candidate struct {
	Format *Format
	Score  int
}

// HeadSize is how many leading bytes detection looks at.
const HeadSize = 64 << 10

// Detect scores every format against a file and returns the candidates with
// a score above zero, best first (ties broken by name, so detection is
// deterministic). A panic inside a detector counts as score 0.
func Detect(name string, head []byte) []Candidate {
	var out []Candidate
	for _, f := range Formats() {
		if s := safeDetect(f, name, head); s > 0 {
			out = append(out, Candidate{f, s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

func safeDetect(f *Format, name string, head []byte) (score int) {
	defer func() {
		if recover() != nil {
			score = 0
		}
	}()
	return f.Detect(name, head)
}

// SafeParse runs a parser and turns a panic inside it into an error that
// names the input, so one bad file never takes the whole ingest down.
func SafeParse(ctx context.Context, f *Format, in *Input, sink timeline.Sink) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: parser %s panicked: %v", in.Name, f.Name, r)
		}
	}()
	return f.Parse(ctx, in, sink)
}
