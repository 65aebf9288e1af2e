package engine

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zipOf writes a zip of n members of 1 MiB of lines each.
func zipOf(t *testing.T, path string, n int) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, err := zw.Create(fmt.Sprintf("m%d.txt", i))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(bytes.Repeat([]byte(strings.Repeat("A", 63)+"\n"), 1<<14))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lowerBombLimits(t *testing.T, expansion, min, bundle int64) {
	oldE, oldM, oldB := maxExpansion, minBombLimit, maxBundleExpanded
	maxExpansion, minBombLimit, maxBundleExpanded = expansion, min, bundle
	t.Cleanup(func() { maxExpansion, minBombLimit, maxBundleExpanded = oldE, oldM, oldB })
}

func messages(sum *IngestSummary) string {
	var all []string
	for _, it := range sum.Items {
		all = append(all, it.Messages...)
	}
	return strings.Join(all, "\n")
}

// The expansion limit was per member: a zip of many members each under it
// expanded without bound. The members of one archive share one limit.
func TestZipBombOverMembers(t *testing.T) {
	lowerBombLimits(t, 10, 5<<19, 1<<40) // 2.5 MiB per archive
	bundle := t.TempDir()
	zipOf(t, filepath.Join(bundle, "bomb.zip"), 3) // 3 MiB in members of 1 MiB
	sum, err := Ingest(context.Background(), bundle, filepath.Join(t.TempDir(), "case"), IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(messages(sum), "expand past its limit") || sum.Events >= 3<<14 {
		t.Errorf("events %d, messages %q: want the third member stopped as a bomb", sum.Events, messages(sum))
	}
}

// Archives each under their own limit are bounded together per bundle.
func TestZipBombOverArchives(t *testing.T) {
	lowerBombLimits(t, 10, 5<<19, 3<<20) // 2.5 MiB per archive, 3 MiB per bundle
	bundle := t.TempDir()
	zipOf(t, filepath.Join(bundle, "a.zip"), 2)
	zipOf(t, filepath.Join(bundle, "b.zip"), 2)
	sum, err := Ingest(context.Background(), bundle, filepath.Join(t.TempDir(), "case"), IngestOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(messages(sum), "archives expand past") || sum.Events >= 4<<14 {
		t.Errorf("events %d, messages %q: want the bundle's limit to stop the second archive", sum.Events, messages(sum))
	}
}
