// Package corpus locates the shared real-format corpus (../shared/corpus
// beside the checkout) for tests. Where ../shared is absent (a user's
// clone) a test that needs it is skipped with a message saying where it is
// expected; under CI (CI=true) it fails instead, since CI always has the
// corpus and a skip there would hide that nothing was checked. A file
// missing from a corpus that is present always fails: that is a broken
// test, not a missing corpus.
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
// e.g. Path(t, "weblog/plaso/apache_access.log"). Without ../shared it
// skips the test (fails under CI=true); see the package comment.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return Shared(t, filepath.Join("corpus", rel))
}

// Shared returns the absolute path of something in ../shared (corpus,
// schemas, docs), skipping the test when ../shared is absent (failing under
// CI=true) and failing it when ../shared is there but rel is not.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	dir := Require(t)
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared: %v", err)
	}
	return p
}

// Require returns the absolute path of ../shared, or skips the test with a
// message naming where it is expected (fails it when CI=true).
func Require(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(Root(t), "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, "corpus")); err == nil && st.IsDir() {
		return dir
	}
	msg := "the shared corpus is expected at " + filepath.Join(dir, "corpus") + " (../shared beside the checkout)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must have it", msg)
	}
	t.Skipf("%s: not there, test skipped", msg)
	return ""
}

// Seed returns the bytes of a corpus file for a fuzz target's seed corpus,
// or nil when ../shared is absent: a fuzz target still runs on its other
// seeds, so it is not skipped (under CI=true it fails, as Require does).
func Seed(t testing.TB, rel string) []byte {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(Root(t), "..", "shared", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil && os.Getenv("CI") != "true" {
		t.Logf("fuzz seed %s left out: the shared corpus is expected at %s", rel, dir)
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatalf("fuzz seed: %v", err)
	}
	return b
}
