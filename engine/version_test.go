package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/buildinfo"
)

// TestVersionRecorded: case.json and every audit entry name the Kiseki
// that wrote them, and an audit log written before entries carried the
// version still verifies, with new entries chained onto it.
func TestVersionRecorded(t *testing.T) {
	want := buildinfo.Get().Short()
	dir := filepath.Join(t.TempDir(), "case")
	c, err := CreateOrOpenCase(dir, CaseMeta{Name: "v"})
	if err != nil {
		t.Fatal(err)
	}
	var meta CaseMeta
	if err := readJSON(filepath.Join(dir, "case.json"), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Kiseki != want {
		t.Errorf("case.json kiseki = %q, want %q", meta.Kiseki, want)
	}
	if err := c.Audit("test", []string{"a"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(c.AuditPath())
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e["kiseki"] != want {
			t.Errorf("audit line %d: kiseki = %v, want %q", i+1, e["kiseki"], want)
		}
	}

	// An old log: entries without the field, chained by the old rule.
	old := filepath.Join(t.TempDir(), "audit.jsonl")
	l1 := `{"time":"2026-01-01T00:00:00Z","user":"ir","machine":"m","action":"case-create","prev":""}`
	l2 := `{"time":"2026-01-01T00:01:00Z","user":"ir","machine":"m","action":"ingest","prev":"` + sha256Hex(l1) + `"}`
	os.WriteFile(old, []byte(l1+"\n"+l2+"\n"), 0o644)
	if err := appendAudit(old, AuditEntry{Action: "timeline"}); err != nil {
		t.Fatal(err)
	}
	if n, err := VerifyAuditChain(old); n != 0 || err != nil {
		t.Errorf("old log with a new entry appended: broken at %d (%v)", n, err)
	}
}
