package timeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
)

// SegmentRows is the most rows a timeline segment holds (fewer when its
// strings reach segmentBytes). Each segment is one
// record batch with its own dictionaries, so a reader needs one segment in
// memory at a time.
const SegmentRows = 1 << 18

// SegmentInfo describes one segment file in the manifest.
type SegmentInfo struct {
	File    string `json:"file"`
	Rows    int64  `json:"rows"`
	RowBase int64  `json:"row_base"` // global row id of the segment's first row
	First   int64  `json:"first"`    // earliest event time, ns UTC
	Last    int64  `json:"last"`     // latest event time, ns UTC
	// SHA256 is the segment file's hash, taken as it was written; kiseki
	// verify checks it (empty in timelines merged before it was recorded).
	SHA256 string `json:"sha256,omitempty"`
}

// Manifest lists the segments of a merged timeline in time order.
type Manifest struct {
	Schema     string        `json:"schema"`
	Generation int64         `json:"generation"`
	Rows       int64         `json:"rows"`
	Runs       []string      `json:"runs"` // run directories merged into this timeline
	Segments   []SegmentInfo `json:"segments"`
}

const manifestName = "manifest.json"

// ErrOldSchema is the error (errors.Is) for a timeline file of another
// schema version: a case ingested by an older Kiseki. Its runs and segments
// are not converted; the evidence is ingested again into a new case.
var ErrOldSchema = errors.New("timeline written in another format")

// schemaError names the file, the schema it has and what to do.
func schemaError(path, schema string) error {
	return fmt.Errorf("%s: schema %q, this Kiseki reads %q (%w: ingest the evidence again into a new case)", path, schema, SchemaVersion, ErrOldSchema)
}

// checkSchema refuses an Arrow file (run or segment) of another schema
// version, before any column is read by position.
func checkSchema(path string, schema *arrow.Schema) error {
	v, _ := schema.Metadata().GetValue("kiseki.schema")
	if v != SchemaVersion || schema.NumFields() != numCols {
		return schemaError(path, v)
	}
	return nil
}

// ReadManifest reads the manifest of the timeline in dir. A missing manifest
// is an empty timeline.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if os.IsNotExist(err) {
		return &Manifest{Schema: SchemaVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("timeline manifest %s: %w", dir, err)
	}
	if m.Schema != SchemaVersion {
		return nil, schemaError(filepath.Join(dir, manifestName), m.Schema)
	}
	for i, sg := range m.Segments {
		if !validSegmentName(sg.File) {
			return nil, fmt.Errorf("timeline manifest %s: segment %d: file %q is not a segment of this directory", dir, i+1, sg.File)
		}
	}
	return &m, nil
}

// validSegmentName: a segment is a plain file name inside its generation's
// directory; a manifest naming ../../etc/passwd is refused, not opened.
func validSegmentName(name string) bool {
	return name != "" && filepath.IsLocal(name) && filepath.Base(name) == name && !strings.ContainsAny(name, `/\:`)
}

func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, manifestName), b, 0o644)
}

// Segment is one loaded segment.
type Segment struct {
	Info  SegmentInfo
	view  *batchView
	unmap func() // set by OpenSegmentMapped
}

// OpenSegment loads segment s of the timeline in dir (read into memory;
// OpenSegmentMapped maps it).
func OpenSegment(dir string, s SegmentInfo) (*Segment, error) {
	data, err := os.ReadFile(filepath.Join(dir, s.File))
	if err != nil {
		return nil, err
	}
	return segmentFromBytes(data, s)
}

// Release frees the segment's memory.
func (s *Segment) Release() {
	s.view.rec.Release()
	if s.unmap != nil {
		s.unmap()
		s.unmap = nil
	}
}

// Len is the number of rows.
func (s *Segment) Len() int { return s.view.len() }

// Record exposes the Arrow batch for column scans.
func (s *Segment) Record() arrow.RecordBatch { return s.view.rec }

// Time returns the time of row i.
func (s *Segment) Time(i int) int64 { return s.view.time(i) }

// Str returns string column c at row i; valid while the segment is loaded.
func (s *Segment) Str(c, i int) string { return s.view.string(c, i) }

// Int returns integer column c at row i (Absent or 0 where null, as in Event).
func (s *Segment) Int(c, i int) int64 { return s.view.int(c, i) }

// Event fills ev from row i. Its strings point into the segment.
func (s *Segment) Event(i int, ev *Event) { s.view.readEvent(i, ev) }

// Search returns the first row with time >= t (binary search: rows are sorted).
func (s *Segment) Search(t int64) int {
	lo, hi := 0, s.Len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.Time(m) < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// DictCodes returns the dictionary values of a dictionary-encoded column c
// and each row's code into them, or nil, nil if c is not dictionary-encoded.
// Filters evaluate a predicate once per value, then scan the codes.
func (s *Segment) DictCodes(c int) (values []string, codes []int32) {
	d := s.view.dict[c]
	if d == nil {
		return nil, nil
	}
	dv := s.view.dstr[c]
	values = make([]string, dv.Len())
	for i := range values {
		values[i] = dv.Value(i)
	}
	codes = d.Indices().(*array.Int32).Int32Values()
	return values, codes
}

// SegmentProblem is a segment of the current timeline whose file is not the
// one the manifest recorded.
type SegmentProblem struct {
	File   string `json:"file"`
	Want   string `json:"sha256"`
	Actual string `json:"actual,omitempty"`
	Error  string `json:"error,omitempty"`
}

// VerifySegments hashes every segment of the current generation and
// compares it with the manifest. It returns the manifest's own SHA-256 (the
// ingest records it in the audit log), the number of segments checked, and
// the problems; segments merged before hashes were recorded are counted as
// unchecked problems.
func (s Store) VerifySegments() (manifestSum string, checked int, problems []SegmentProblem, err error) {
	dir, m, err := s.Current()
	if err != nil || dir == "" {
		return "", 0, nil, err
	}
	manifestSum, err = s.ManifestSum()
	if err != nil {
		return "", 0, nil, err
	}
	for _, sg := range m.Segments {
		p := SegmentProblem{File: sg.File, Want: sg.SHA256}
		actual, herr := hashFile(filepath.Join(dir, sg.File))
		switch {
		case herr != nil:
			p.Error = herr.Error()
		case sg.SHA256 == "":
			p.Actual, p.Error = actual, "no hash recorded (merged before segment hashes): merge again to record them"
		case actual != sg.SHA256:
			p.Actual = actual
		default:
			checked++
			continue
		}
		problems = append(problems, p)
	}
	return manifestSum, checked, problems, nil
}

// ManifestSum is the SHA-256 of the current generation's manifest ("" when
// nothing was merged).
func (s Store) ManifestSum() (string, error) {
	dir, _, err := s.Current()
	if err != nil || dir == "" {
		return "", err
	}
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
