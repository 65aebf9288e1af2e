package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuick runs the benchmark on its small inputs end to end and checks
// the report holds real measurements (not their speed: the machine is
// shared).
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kiseki and images")
	}
	for _, tool := range []string{"fls", "mactime", "mkfs.ext4", "debugfs", "strings"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (scripts/apt-packages.txt)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	work := t.TempDir()
	c := config{work: work, runs: 1, quick: true, ext4Files: quickFiles, nginxLines: quickLines,
		only: map[string]bool{"ext4": true, "nginx": true, "strings": true}}
	// The test runs in bench/e2e; the benchmark builds from the checkout root.
	t.Chdir(filepath.Join("..", ".."))
	var log bytes.Buffer
	rep, err := run(context.Background(), c, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(rep.Rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rep.Rows), rep.Rows)
	}
	for _, r := range rep.Rows {
		if r.Note != "" {
			t.Fatalf("%s: %s", r.Name, r.Note)
		}
		if r.Kiseki.Median <= 0 || r.Anchor.Median <= 0 || r.Ratio <= 0 || r.Kiseki.PeakRSSMi <= 0 {
			t.Errorf("%s: not measured: %+v", r.Name, r)
		}
		switch r.Name {
		case "ext4":
			// Kiseki's bodyfile has one line per file record as fls's does
			// (within the few records each tool adds of its own).
			k, f := r.Extra["kiseki_bodyfile_lines"], r.Extra["tsk_bodyfile_lines"]
			if f < quickFiles || k < f*0.9 || k > f*1.1 {
				t.Errorf("ext4 bodyfile lines: kiseki %.0f, fls %.0f", k, f)
			}
		case "nginx":
			if r.Extra["events"] != quickLines {
				t.Errorf("nginx: %.0f events, want %d", r.Extra["events"], quickLines)
			}
			if q, d := r.Extra["queryable_s"], r.Extra["index_complete_s"]; q <= 0 || d < q {
				t.Errorf("nginx: queryable after %v s, index complete after %v s", q, d)
			}
		}
	}
	var out bytes.Buffer
	printTable(&out, rep)
	for _, want := range []string{"fls -r -m / + mactime -b", "wc -l", "strings -a", "lines/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
