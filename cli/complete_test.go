package cli_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// complete asks kiseki's completion for the words of a command line, the
// last being the word under the cursor, and returns the offered values.
func complete(t *testing.T, words ...string) []string {
	t.Helper()
	out, errOut, code := run(t, append([]string{"__complete"}, words...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d: %s", words, code, errOut)
	}
	var vals []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, ":") { // the last line is the directive
			vals = append(vals, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return vals
}

func TestCompletionOfValues(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, sampleBundle(t), caseDir)
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"timeline", "--case", caseDir, "--host", ""}, []string{"web01", "db01"}},
		{[]string{"search", "--case", caseDir, "--source", ""}, []string{"access-log", "auth", "syslog", "unparsed"}},
		{[]string{"timeline", "--format", ""}, []string{"table", "csv", "jsonl", "l2tcsv", "bodyfile"}},
	} {
		got := complete(t, tc.words...)
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: %v, want %v", tc.words, got, tc.want)
		}
	}
	// Without a case, sources are the registered formats.
	if got := complete(t, "timeline", "--source", ""); !slices.Contains(got, "cloudfront") || !slices.Contains(got, "syslog") {
		t.Errorf("--source without a case: %v", got)
	}
	zones := complete(t, "timeline", "--tz", "")
	if !slices.Contains(zones, "Asia/Tokyo") || !slices.Contains(zones, "case") || !slices.Contains(zones, "UTC") {
		t.Errorf("--tz: %d values, without Asia/Tokyo, case or UTC", len(zones))
	}
}

func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := run(t, "man", dir); code != 0 {
		t.Fatalf("man: exit %d: %s", code, errOut)
	}
	for _, name := range []string{"kiseki.1", "kiseki-ingest.1", "kiseki-timeline.1", "kiseki-version.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.HasPrefix(string(b), ".nh\n.TH \"KISEKI\" \"1\"") {
			t.Errorf("%s: not a man page: %.60q", name, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "kiseki-timeline.1"))
	if !strings.Contains(string(b), `\fB--format\fP`) || !strings.Contains(string(b), "bodyfile") {
		t.Errorf("kiseki-timeline.1 lacks --format and its values")
	}
}
