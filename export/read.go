package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Formats are the export formats, as --format names them.
var Formats = []string{"parquet", "timesketch", "opensearch"}

// Summary is what an export wrote.
type Summary struct {
	Case   string   `json:"case"`
	Format string   `json:"format"`
	Out    string   `json:"out"`
	Events int64    `json:"events"`
	Files  []string `json:"files"` // relative to Out (Out itself for one-file formats)
}

// Options of an export.
type Options struct {
	Format string
	Out    string
	// Index is the OpenSearch index name (default kiseki-<case name>).
	Index string
}

// Case exports the case in caseDir.
func Case(ctx context.Context, caseDir string, opt Options) (*Summary, error) {
	c, err := engine.OpenCase(caseDir)
	if err != nil {
		return nil, err
	}
	src, err := open(c)
	if err != nil {
		return nil, err
	}
	defer src.close()
	sum := &Summary{Case: src.name, Format: opt.Format, Out: opt.Out}
	switch opt.Format {
	case "parquet":
		err = writeParquet(ctx, src, opt.Out, sum)
	case "timesketch":
		err = writeTimesketch(ctx, src, opt.Out, sum)
	case "opensearch":
		err = writeOpenSearch(ctx, src, opt, sum)
	default:
		return nil, fmt.Errorf("unknown export format %q (one of %s)", opt.Format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return nil, err
	}
	if err := c.Audit("export", []string{opt.Format, opt.Out}, map[string]any{"events": sum.Events, "files": len(sum.Files)}, nil); err != nil {
		return nil, err
	}
	return sum, nil
}

// source is an open case to export.
type source struct {
	name     string            // case name: the case= partition and the index suffix
	searcher *search.Searcher  // reads rows as `kiseki timeline` does
	sha      map[string]string // evidence id → SHA-256, for stable event ids
}

func open(c *engine.Case) (*source, error) {
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		return nil, err
	}
	reg, err := c.LoadRegistry()
	if err != nil {
		s.Close()
		return nil, err
	}
	name := c.Meta.Name
	if name == "" {
		name = filepath.Base(c.Dir)
	}
	src := &source{name: name, searcher: s, sha: map[string]string{}}
	for _, r := range reg.Items {
		src.sha[r.ID] = r.SHA256
	}
	return src, nil
}

func (s *source) close() { s.searcher.Close() }

// segments returns the segments of the timeline being read.
func (s *source) segments() []timeline.SegmentInfo { return s.searcher.Manifest().Segments }

// each visits every event in time order with the index of its segment.
// The event's strings are valid only during the call.
func (s *source) each(ctx context.Context, fn func(seg int, row int64, ev *timeline.Event) error) error {
	segs := s.segments()
	seg := 0
	return s.searcher.Each(ctx, search.Request{}, func(row int64, ev *timeline.Event) error {
		for seg+1 < len(segs) && row >= segs[seg+1].RowBase {
			seg++
		}
		return fn(seg, row, ev)
	})
}

// replaceDir moves a finished temporary directory to dst, replacing what an
// earlier export left there, so a re-export never mixes two exports.
func replaceDir(tmp, dst string) error {
	old := dst + ".old"
	os.RemoveAll(old)
	if err := os.Rename(dst, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := atomicfile.Rename(tmp, dst); err != nil {
		return err
	}
	return os.RemoveAll(old)
}
