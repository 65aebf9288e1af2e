package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/server"
)

// chromiumPath is Debian's chromium (scripts/apt-packages.txt); the tests
// never download a browser.
const chromiumPath = "/usr/bin/chromium"

func webDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "web")
}

// TestBrowser runs web/tests/browser.mjs (playwright-core driving chromium)
// against two cases served on 127.0.0.1: the sample bundle and a hostile
// one. It fails when node, chromium or web/node_modules is missing
// (scripts/test installs them). Screenshots go to KISEKI_SCREENSHOTS if set,
// else the test's temporary directory.
func TestBrowser(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is missing: apt-get install nodejs npm (scripts/apt-packages.txt)")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatal("chromium is missing: apt-get install chromium (scripts/apt-packages.txt)")
	}
	web := webDir(t)
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core")); err != nil {
		t.Fatal("web/node_modules is missing: run `npm ci` in web/ (scripts/test does)")
	}
	sample := start(t, ingestCase(t, sampleBundle(t)), server.Options{User: "browser-test"})
	hostile := start(t, ingestCase(t, hostileBundle(t)), server.Options{})
	out := os.Getenv("KISEKI_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	os.MkdirAll(out, 0o755)
	cmd := exec.Command(node, filepath.Join(web, "tests", "browser.mjs"))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "KISEKI_URL="+sample.URL, "KISEKI_HOSTILE="+hostile.URL, "KISEKI_OUT="+out, "CHROMIUM="+chromiumPath)
	b, err := cmd.CombinedOutput()
	t.Logf("browser tests (screenshots in %s):\n%s", out, b)
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
	// The star and the comment made in the browser are in the audit log.
	audit, err := os.ReadFile(sample.c.AuditPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"star"`, `Attacker's first request \u003cb\u003enot bold\u003c/b\u003e`, `"user":"browser-test"`} {
		if !strings.Contains(string(audit), want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
}
