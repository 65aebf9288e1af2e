package scope_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
)

// scopeOf ingests a bundle and returns the scope of the sample's attacker,
// as JSON values without references (which point into different evidence).
func scopeOf(t *testing.T, bundle string) map[string]any {
	t.Helper()
	caseDir := filepath.Join(t.TempDir(), "case")
	opt := engine.IngestOptions{Index: func(ctx context.Context, c *engine.Case, p func(int64, int64)) error {
		return search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), p)
	}}
	if _, err := engine.Ingest(context.Background(), bundle, caseDir, opt); err != nil {
		t.Fatal(err)
	}
	c, err := engine.OpenCase(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	env, err := vocab.LoadEnv(c, s)
	if err != nil {
		t.Fatal(err)
	}
	seeds, _ := scope.ParseSeeds([]string{"203.0.113.66"})
	res, err := scope.Run(context.Background(), env, seeds, scope.Options{Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var m map[string]any
	json.Unmarshal(b, &m)
	return strip(m).(map[string]any)
}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "ref" && k != "refs" && k != "evidence" {
				out[k] = strip(e)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = strip(x[i])
		}
	}
	return v
}

// TestScopeInsideImage: the sample's web01 logs inside an ext4 image give
// the scope the loose logs give (hosts, accounts, files, remote addresses,
// window, category); only what the image adds of its own (its file
// system's changes, seen but not in scope) differs.
func TestScopeInsideImage(t *testing.T) {
	root := corpus.Root(t)
	manifest := "timezone: Asia/Tokyo\nyear: 2025\nevidence:\n  - path: %s\n    host: web01\n"
	loose := t.TempDir()
	for _, rel := range []string{"log/auth.log", "nginx/access.log", "nginx/access.log.1.gz"} {
		b, err := os.ReadFile(filepath.Join(root, "fixtures", "sample", "web01", rel))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(loose, "web01", filepath.Dir(rel)), 0o755)
		os.WriteFile(filepath.Join(loose, "web01", rel), b, 0o644)
	}
	os.WriteFile(filepath.Join(loose, "bundle.yaml"), []byte(fmt.Sprintf(manifest, "web01/")), 0o644)
	img := t.TempDir()
	f, err := os.Open(filepath.Join(root, "fixtures", "inner", "web01-ext4.img.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, _ := gzip.NewReader(f)
	out, _ := os.Create(filepath.Join(img, "web01.img"))
	io.Copy(out, zr)
	out.Close()
	os.WriteFile(filepath.Join(img, "bundle.yaml"), []byte(fmt.Sprintf(manifest, "web01.img")), 0o644)

	a, b := scopeOf(t, loose), scopeOf(t, img)
	if len(a["hosts"].([]any)) == 0 {
		t.Fatalf("the loose logs' scope is empty: %v", a)
	}
	for k := range a {
		if k == "seen_not_in_scope" {
			continue
		}
		if !reflect.DeepEqual(a[k], b[k]) {
			t.Errorf("%s differs:\nloose %v\nimage %v", k, a[k], b[k])
		}
	}
}
