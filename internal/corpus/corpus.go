// Package corpus locates the shared real-format corpus (../shared/corpus
// beside the checkout) for tests. A missing corpus fails the test: CI always
// has it, and a skipped test would hide that nothing was checked.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root (the directory holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("corpus: no go.mod above the test directory")
		}
		dir = parent
	}
}

// Path returns the absolute path of a file or directory in the shared corpus,
// e.g. Path(t, "weblog/plaso/apache_access.log").
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Root(t), "..", "shared", "corpus", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("corpus: %v (the shared corpus must sit beside the checkout)", err)
	}
	return p
}

// Shared returns the absolute path of something in ../shared (schemas, docs).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Root(t), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared: %v", err)
	}
	return p
}
