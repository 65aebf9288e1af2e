package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDistReproducible rebuilds the front end with the pinned packages into
// a temporary directory and checks that it gives the committed bytes, so
// web/dist is what web/src says. It needs node and web/node_modules
// (scripts/test runs npm ci).
func TestDistReproducible(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is missing: apt-get install nodejs npm (scripts/apt-packages.txt)")
	}
	if _, err := os.Stat("node_modules/esbuild"); err != nil {
		t.Fatal("web/node_modules is missing: run `npm ci` in web/ (scripts/test does)")
	}
	out := t.TempDir()
	cmd := exec.Command(node, "build.mjs")
	cmd.Env = append(os.Environ(), "OUTDIR="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	for _, name := range []string{"app.js", "app.css"} {
		want, err := fs.ReadFile(Dist, "dist/"+name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rebuilt %d bytes differ from the committed %d; run scripts/build-web.sh and commit web/dist", name, len(got), len(want))
		}
	}
}

// TestJSBudget keeps the shipped script under 40 KB gzipped.
func TestJSBudget(t *testing.T) {
	b, err := fs.ReadFile(Dist, "dist/app.js")
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(b)
	w.Close()
	t.Logf("app.js: %d bytes, %d gzipped", len(b), z.Len())
	if z.Len() > 40<<10 {
		t.Fatalf("app.js is %d bytes gzipped, over the 40 KB budget", z.Len())
	}
}
