package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/buildinfo"
)

func TestVersion(t *testing.T) {
	want := buildinfo.Get()
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, errOut, code := run(t, args...)
		if code != 0 || !strings.HasPrefix(out, "kiseki "+want.Version) {
			t.Errorf("%v: exit %d, %q %q; want 0 and the version %s", args, code, out, errOut, want.Version)
		}
		if want.Revision != "" && !strings.Contains(out, want.Revision) {
			t.Errorf("%v: %q lacks the revision %s", args, out, want.Revision)
		}
	}
	out, _, code := run(t, "version", "--json")
	var got buildinfo.Info
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.Version != want.Version || got.Platform == "" {
		t.Errorf("version --json: exit %d, %v: %s", code, err, out)
	}
}

func TestUnknownCommandExit(t *testing.T) {
	_, errOut, code := run(t, "ingets")
	if code != 2 || !strings.Contains(errOut, `unknown command "ingets"`) || !strings.Contains(errOut, "ingest") {
		t.Errorf("unknown command: exit %d, stderr %q; want 2 naming it and suggesting ingest", code, errOut)
	}
	if out, _, code := run(t); code != 0 || !strings.Contains(out, "Available Commands") {
		t.Errorf("no command: exit %d, want 0 and the help\n%s", code, out)
	}
}

// TestFailedItemExit: a truncated .gz is ingested as far as it goes, the
// rest of the bundle is ingested, and the run exits 1 naming the item.
func TestFailedItemExit(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b")
	if err := os.CopyFS(bundle, os.DirFS(sampleBundle(t))); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(bundle, "web01", "nginx", "access.log.1.gz")
	b, err := os.ReadFile(gz)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gz, b[:len(b)/2], 0o644)
	caseDir := filepath.Join(t.TempDir(), "case")
	out, errOut, code := run(t, "ingest", bundle, "--case", caseDir, "--json")
	if code != 1 || !strings.Contains(errOut, "web01/nginx/access.log.1.gz") {
		t.Errorf("truncated gz: exit %d, stderr %q; want 1 naming the file", code, errOut)
	}
	var sum struct {
		Items []struct {
			Path, Status string
			Events       int64
		}
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("the summary is still printed: %v\n%s", err, out)
	}
	parsed := 0
	for _, it := range sum.Items {
		if it.Status == "parsed" && it.Events > 0 {
			parsed++
		}
	}
	if parsed != len(sum.Items)-1 {
		t.Errorf("the other items were not all ingested: %+v", sum.Items)
	}
	// Running again changes nothing and still reports the failure.
	if _, errOut, code := run(t, "ingest", bundle, "--case", caseDir, "--head", "0", "-q"); code != 1 || !strings.Contains(errOut, "access.log.1.gz") {
		t.Errorf("second run: exit %d, %q", code, errOut)
	}
}
