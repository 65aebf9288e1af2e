package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	ended, msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(f string, a ...any) {
	r.ended, r.msg = "failed", sprintf(f, a...)
	runtime.Goexit()
}
func (r *recorder) Fatal(a ...any) { r.Fatalf("%v", a...) }
func (r *recorder) Skipf(f string, a ...any) {
	r.ended, r.msg = "skipped", sprintf(f, a...)
	runtime.Goexit()
}

func sprintf(f string, a ...any) string { return strings.TrimSpace(fmt.Sprintf(f, a...)) }

// call runs fn as a test body would, returning how it ended.
func call(t *testing.T, fn func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); fn(r) }()
	<-done
	return r
}

func TestRequire(t *testing.T) {
	// A checkout with no ../shared beside it.
	clone := filepath.Join(t.TempDir(), "kiseki")
	os.MkdirAll(clone, 0o755)
	os.WriteFile(filepath.Join(clone, "go.mod"), []byte("module x\n"), 0o644)
	t.Chdir(clone)
	want := filepath.Join(filepath.Dir(clone), "shared", "corpus")

	t.Setenv("CI", "")
	r := call(t, func(tb testing.TB) { Path(tb, "weblog/x.log") })
	if r.ended != "skipped" || !strings.Contains(r.msg, want) {
		t.Errorf("no ../shared: %s %q, want skipped naming %s", r.ended, r.msg, want)
	}
	t.Setenv("CI", "true")
	r = call(t, func(tb testing.TB) { Path(tb, "weblog/x.log") })
	if r.ended != "failed" || !strings.Contains(r.msg, want) {
		t.Errorf("no ../shared under CI: %s %q, want failed naming %s", r.ended, r.msg, want)
	}

	// ../shared present, the file missing: always a failure.
	t.Setenv("CI", "")
	os.MkdirAll(want, 0o755)
	r = call(t, func(tb testing.TB) { Path(tb, "weblog/x.log") })
	if r.ended != "failed" || !strings.Contains(r.msg, "x.log") {
		t.Errorf("missing file: %s %q, want failed", r.ended, r.msg)
	}
	os.MkdirAll(filepath.Join(want, "weblog"), 0o755)
	os.WriteFile(filepath.Join(want, "weblog", "x.log"), nil, 0o644)
	var got string
	r = call(t, func(tb testing.TB) { got = Path(tb, "weblog/x.log") })
	if r.ended != "" || got != filepath.Join(want, "weblog", "x.log") {
		t.Errorf("present: %s %q, path %q", r.ended, r.msg, got)
	}
}
