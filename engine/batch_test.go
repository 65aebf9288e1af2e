package engine

import (
	"os"
	"path/filepath"
	"testing"
)

// A case whose creation was killed between writing case.json.tmp and
// renaming it opens as a new case (batch kills hit this window).
func TestCreateAfterKilledCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "case.json.tmp"), []byte(`{"na`), 0o644)
	c, err := CreateOrOpenCase(dir, CaseMeta{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.Name != "x" {
		t.Fatalf("meta %+v", c.Meta)
	}
	// A directory with anything else in it is still refused.
	other := filepath.Join(t.TempDir(), "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), nil, 0o644)
	if _, err := CreateOrOpenCase(other, CaseMeta{}); err == nil {
		t.Fatal("a non-empty directory became a case")
	}
}

func TestListBundles(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"b", "a", ".hidden"} {
		os.MkdirAll(filepath.Join(dir, "set", d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "set", "file.txt"), nil, 0o644)
	got, err := ListBundles(filepath.Join(dir, "set"))
	if err != nil || len(got) != 2 || filepath.Base(got[0]) != "a" || filepath.Base(got[1]) != "b" {
		t.Fatalf("directory: %v %v", got, err)
	}
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("# comment\nset/b\n\n/abs/x\n"), 0o644)
	got, err = ListBundles(list)
	if err != nil || len(got) != 2 || got[0] != filepath.Join(dir, "set", "b") || got[1] != "/abs/x" {
		t.Fatalf("list: %v %v", got, err)
	}
	if err := checkNames([]string{"/x/a", "/y/a"}); err == nil {
		t.Fatal("two bundles named a accepted")
	}
}

func TestBatchJobs(t *testing.T) {
	if BatchJobs(3, 0) != 3 {
		t.Error("--jobs is not kept")
	}
	if BatchJobs(0, BundleMemory) != 1 || BatchJobs(0, BundleMemory/2) != 1 {
		t.Error("a budget of one bundle or less must run one at a time")
	}
}
