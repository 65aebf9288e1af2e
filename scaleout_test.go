package main

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiseki-forensics/kiseki/fixtures/campaign"
)

// TestStaticClusterBinary builds the binary as the Dockerfile does
// (CGO_ENABLED=0; main.go embeds the zone data), checks it is a static executable
// that needs no loader and no shared library, and runs the cluster entry
// point of docs/scale-out.md with it: one job per bundle, selected by the
// job index from the environment, all jobs at once on shared directories.
func TestStaticClusterBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kiseki")
	build := exec.Command("go", "build", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("static build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a %s program header: it is dynamically linked", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	f.Close()
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" {
		t.Errorf("build settings %v: want CGO_ENABLED=0", settings)
	}

	bundles, err := campaign.Write(filepath.Join(dir, "shared", "bundles"), campaign.Options{Bundles: 3, Lines: 300, Planted: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	for _, b := range bundles {
		fmt.Fprintf(&list, "bundles/%s\n", b.Name)
	}
	listFile := filepath.Join(dir, "shared", "bundles.txt")
	os.WriteFile(listFile, []byte(list.String()), 0o644)
	cases, parquet := filepath.Join(dir, "shared", "cases"), filepath.Join(dir, "shared", "parquet")
	var wg sync.WaitGroup
	outs := make([][]byte, len(bundles))
	errs := make([]error, len(bundles))
	for i := range bundles {
		wg.Go(func() {
			job := exec.Command(bin, "batch", listFile, "--cases", cases, "--index-from-env", "JOB_COMPLETION_INDEX", "--export-parquet", parquet, "--json")
			job.Env = append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
			outs[i], errs[i] = job.Output()
		})
	}
	wg.Wait()
	for i, b := range bundles {
		if errs[i] != nil {
			t.Fatalf("job %d: %v\n%s", i, errs[i], outs[i])
		}
		var res struct {
			Bundles []struct {
				Bundle, Status string
				Events         int64
			}
		}
		if err := json.Unmarshal(outs[i], &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Bundles) != 1 || filepath.Base(res.Bundles[0].Bundle) != b.Name || res.Bundles[0].Status != "done" || res.Bundles[0].Events != b.Events {
			t.Errorf("job %d: %+v, want %s done with %d events", i, res.Bundles, b.Name, b.Events)
		}
		files, _ := filepath.Glob(filepath.Join(parquet, "case="+b.Name, "host="+b.Host, "date=*", "*.parquet"))
		if len(files) != 3 {
			t.Errorf("job %d: %d Parquet files for %s, want 3 (one per day)", i, len(files), b.Name)
		}
	}
	status, _ := os.ReadFile(filepath.Join(cases, "batch.jsonl"))
	if n := strings.Count(string(status), "\n"); n != len(bundles) {
		t.Errorf("batch.jsonl holds %d lines after %d jobs", n, len(bundles))
	}
}
