package cli_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
)

// verifiedCase ingests a copy of the sample bundle and checks that verify
// passes on it untouched.
func verifiedCase(t *testing.T) (bundle, caseDir string) {
	t.Helper()
	bundle = copyDir(t, sampleBundle(t))
	caseDir = filepath.Join(t.TempDir(), "case")
	ingest(t, bundle, caseDir)
	if out, _, code := run(t, "verify", "--case", caseDir); code != 0 || !strings.Contains(out, "ends at its anchor") || !strings.Contains(out, "segments match the manifest the last ingest recorded") {
		t.Fatalf("verify of an untouched case: exit %d\n%s", code, out)
	}
	return bundle, caseDir
}

// evidence.json can be edited by anyone: a file replaced together with its
// hash in the registry passed verify.
func TestVerifyRegistryEdited(t *testing.T) {
	bundle, caseDir := verifiedCase(t)
	p := filepath.Join(bundle, "web01/log/auth.log")
	if err := os.WriteFile(p, []byte("Jan  1 00:00:00 web01 sshd[1]: nothing happened\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := engine.HashFile(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := filepath.Join(caseDir, "evidence.json")
	var r engine.Registry
	b, _ := os.ReadFile(reg)
	json.Unmarshal(b, &r)
	for i := range r.Items {
		if r.Items[i].Path == "web01/log/auth.log" {
			r.Items[i].SHA256 = sum
		}
	}
	b, _ = json.Marshal(r)
	os.WriteFile(reg, b, 0o644)
	out, _, code := run(t, "verify", "--case", caseDir)
	if code != 1 || !strings.Contains(out, "registry-edited") {
		t.Errorf("verify after a replaced file and hash: exit %d\n%s", code, out)
	}
}

// The last lines of the audit log removed, or the whole chain rewritten,
// left a chain that verified.
func TestVerifyAuditTruncatedOrRewritten(t *testing.T) {
	_, caseDir := verifiedCase(t)
	audit := filepath.Join(caseDir, "audit.jsonl")
	orig, _ := os.ReadFile(audit)
	lines := bytes.SplitAfter(bytes.TrimRight(orig, "\n"), []byte("\n"))

	os.WriteFile(audit, bytes.Join(lines[:len(lines)-2], nil), 0o644)
	out, _, code := run(t, "verify", "--case", caseDir)
	if code != 1 || !strings.Contains(out, "lines removed or the chain rewritten") {
		t.Errorf("verify of a truncated audit log: exit %d\n%s", code, out)
	}

	// Rewrite: drop the second line and re-link every prev after it.
	var rewritten [][]byte
	prev := ""
	for i, l := range lines {
		if i == 1 {
			continue
		}
		var e map[string]any
		json.Unmarshal(bytes.TrimSpace(l), &e)
		e["prev"] = prev
		nb, _ := json.Marshal(e)
		rewritten = append(rewritten, append(nb, '\n'))
		prev = sha256hex(nb)
	}
	os.WriteFile(audit, bytes.Join(rewritten, nil), 0o644)
	out, _, code = run(t, "verify", "--case", caseDir)
	if code != 1 || !strings.Contains(out, "lines removed or the chain rewritten") {
		t.Errorf("verify of a rewritten chain: exit %d\n%s", code, out)
	}
}

// An edited segment of the timeline passed verify.
func TestVerifyEditedSegment(t *testing.T) {
	_, caseDir := verifiedCase(t)
	segs, _ := filepath.Glob(filepath.Join(caseDir, "timeline", "g*", "seg-*.arrow"))
	if len(segs) == 0 {
		t.Fatal("no segment")
	}
	b, _ := os.ReadFile(segs[0])
	i := bytes.Index(b, []byte("web01"))
	if i < 0 {
		t.Fatal("no host name in the segment")
	}
	b[i] = 'W'
	os.WriteFile(segs[0], b, 0o644)
	out, _, code := run(t, "verify", "--case", caseDir)
	if code != 1 || !strings.Contains(out, "segment "+filepath.Base(segs[0])+" changed") {
		t.Errorf("verify of an edited segment: exit %d\n%s", code, out)
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// report --out overwrote evidence files and the case's own files.
func TestReportOutRefusesEvidenceAndCase(t *testing.T) {
	bundle := copyDir(t, sampleBundle(t))
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, bundle, caseDir)
	outside := t.TempDir()
	link := filepath.Join(outside, "linked.md")
	os.Symlink(filepath.Join(caseDir, "notes.md"), link)
	for _, out := range []string{
		filepath.Join(caseDir, "report.html"),
		filepath.Join(bundle, "web01", "report.md"),
		link, // a link into the case directory
	} {
		_, errOut, code := run(t, "report", "--case", caseDir, "--out", out)
		if code != 2 || !strings.Contains(errOut, "write it elsewhere") {
			t.Errorf("report --out %s: exit %d %s", out, code, errOut)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s was written", out)
		}
	}
	if _, errOut, code := run(t, "report", "--case", caseDir, "--out", filepath.Join(outside, "r.md")); code != 0 {
		t.Errorf("report outside: exit %d %s", code, errOut)
	}
}
