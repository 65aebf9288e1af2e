package all_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Every format and file system declares the sources it emits with a class:
// analyses know what a row means only through that registry.
func TestEveryFormatDeclaresSources(t *testing.T) {
	for _, f := range parsers.Formats() {
		if f.Sources == nil {
			t.Errorf("format %s declares no sources (parsers.Format.Sources)", f.Name)
		}
		for _, s := range f.Sources {
			if s.Class == "" || parsers.ClassOf(s.Name) != s.Class {
				t.Errorf("format %s: source %q has class %q, registry says %q", f.Name, s.Name, s.Class, parsers.ClassOf(s.Name))
			}
		}
	}
	for _, fs := range parsers.FileSystems() {
		if len(fs.Sources) == 0 {
			t.Errorf("file system %s declares no sources", fs.Name)
		}
	}
	for _, c := range []parsers.Class{parsers.ClassWebOrigin, parsers.ClassCDN, parsers.ClassFirewall, parsers.ClassFS, parsers.ClassLogin} {
		if len(parsers.SourcesOf(c)) == 0 {
			t.Errorf("no source of class %s", c)
		}
	}
	for src, want := range map[string]parsers.Class{"paloalto": parsers.ClassFirewall, "usnjrnl": parsers.ClassFS, "cloudfront": parsers.ClassCDN, "w3c": parsers.ClassWebOrigin, timeline.SourceRaw: parsers.ClassRaw} {
		if got := parsers.ClassOf(src); got != want {
			t.Errorf("class of %s = %q, want %q", src, got, want)
		}
	}
}

// The sources that real ingests produce all have a class (a source a parser
// emits but does not declare would be invisible to scope and leaks).
func TestIngestedSourcesHaveClasses(t *testing.T) {
	for _, bundle := range []string{"../../fixtures/sample", "../../fixtures/webshop/bundle"} {
		caseDir := filepath.Join(t.TempDir(), "case")
		if _, err := engine.Ingest(context.Background(), bundle, caseDir, engine.IngestOptions{}); err != nil {
			t.Fatal(err)
		}
		c, err := engine.OpenCase(caseDir)
		if err != nil {
			t.Fatal(err)
		}
		s, err := search.Open(c.TimelineStore(), "")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		err = s.Scan(context.Background(), search.Request{}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
			rows[0].Each(func(i int) bool {
				seen[strings.Clone(seg.Str(timeline.ColSource, i))] = true // the segment is mapped
				return true
			})
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) < 2 {
			t.Fatalf("%s: only sources %v", bundle, seen)
		}
		for src := range seen {
			if parsers.ClassOf(src) == "" {
				t.Errorf("%s: source %q has no class", bundle, src)
			}
		}
	}
}
