//go:build unix

package engine

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO named in the manifest blocked ingest forever at its open: only
// regular files are evidence, and the error names the file.
func TestBundleRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.log"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	write(t, dir, "bundle.yaml", "evidence:\n  - path: pipe.log\n")
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Files()
	if err == nil || !strings.Contains(err.Error(), "pipe.log is not a regular file") {
		t.Fatalf("err %v, want pipe.log refused as not a regular file", err)
	}
}
