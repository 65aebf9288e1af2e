package cli_test

import (
	"archive/zip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCollectionAndTimelines: a Velociraptor offline collection zip
// (results rows, an uploaded $MFT extracted as the collector stores it,
// the collection's own log) and a Hayabusa JSONL timeline are ingested:
// every results file and the Hayabusa file become events at their own
// times, the uploaded $MFT is parsed as a file system, nothing is left
// unrecognised but the collector's bookkeeping.
func TestImportCollectionAndTimelines(t *testing.T) {
	root := filepathRoot(t)
	bundle := t.TempDir()
	img := filepath.Join(t.TempDir(), "small.img")
	out, err := exec.Command("sh", "-c", "bzcat "+filepath.Join(root, "fixtures/disk/ntfs-small.img.bz2")+" > "+img+" && icat "+img+" 0").Output()
	if err != nil || len(out) == 0 {
		t.Fatalf("icat: %v", err)
	}
	zf, _ := os.Create(filepath.Join(bundle, "Collection-WIN-FS01-2026-03-03T09_00_00Z.zip"))
	zw := zip.NewWriter(zf)
	add := func(name string, data []byte) {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	for _, f := range []string{"Windows.NTFS.MFT.json", "Windows.System.Pslist.json", "Generic.Client.Info%2FBasicInformation.json"} {
		b, _ := os.ReadFile(filepath.Join(root, "parsers/velociraptor/testdata", f))
		add("results/"+f, b)
	}
	add("uploads/ntfs/%5C%5C.%5CC%3A/$MFT", out)
	add("log.json", []byte(`{"_ts":1772528400,"Level":"INFO","message":"Starting collection of Windows.NTFS.MFT"}`+"\n"))
	zw.Close()
	zf.Close()
	hb, _ := os.ReadFile(filepath.Join(root, "parsers/tooljson/testdata/hayabusa.jsonl"))
	os.WriteFile(filepath.Join(bundle, "hayabusa-WIN-FS01.jsonl"), hb, 0o644)

	caseDir := filepath.Join(t.TempDir(), "case")
	o, errOut, code := run(t, "ingest", bundle, "--case", caseDir, "--json")
	if code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	var sum struct {
		Items []struct {
			Path, Format string
			Events       int64
			Members      []struct {
				Path, Format string
				Events       int64
			}
		}
	}
	json.Unmarshal([]byte(o), &sum)
	formats := map[string]string{}
	key := func(p string) string { // a member by its path in the zip, a file by its name
		if i := strings.LastIndexByte(p, '!'); i >= 0 {
			return p[i+1:]
		}
		return filepath.Base(p)
	}
	for _, it := range sum.Items {
		formats[key(it.Path)] = it.Format
		for _, m := range it.Members {
			formats[key(m.Path)] = m.Format
		}
	}
	for path, want := range map[string]string{
		"results/Windows.NTFS.MFT.json":                       "velociraptor",
		"results/Windows.System.Pslist.json":                  "velociraptor",
		"results/Generic.Client.Info%2FBasicInformation.json": "velociraptor",
		"uploads/ntfs/%5C%5C.%5CC%3A/$MFT":                    "ntfs-mft",
		"hayabusa-WIN-FS01.jsonl":                             "hayabusa",
	} {
		if formats[path] != want {
			t.Errorf("%s: format %q, want %q (all: %v)", path, formats[path], want, formats)
		}
	}
	// Their own times: the web shell's MFT row and Hayabusa's detections.
	tl, _, _ := run(t, "timeline", "--case", caseDir, "--format", "jsonl", "--from", "2026-03-02T14:05:11Z", "--to", "2026-03-02T14:07:01Z")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(tl), "\n") {
		var ev struct{ Time, Source, TimeDesc string }
		json.Unmarshal([]byte(l), &ev)
		ev.TimeDesc = jsonField(l, "time_desc")
		got = append(got, ev.Time+" "+ev.Source+" "+ev.TimeDesc)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{
		"2026-03-02T14:05:11.1234567Z velociraptor Created0x10",
		"2026-03-02T14:05:12.345Z hayabusa log",
		"2026-03-02T14:06:40.001Z velociraptor CreateTime",
		"2026-03-02T14:06:40.001Z hayabusa log",
		"2026-03-02T14:07:00.5Z hayabusa log",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline lacks %q:\n%s", want, joined)
		}
	}
}

func jsonField(line, key string) string {
	var m map[string]any
	json.Unmarshal([]byte(line), &m)
	s, _ := m[key].(string)
	return s
}

func filepathRoot(t *testing.T) string {
	return filepath.Dir(filepath.Dir(sampleBundle(t)))
}

// TestImportKapeFolder: a KAPE triage folder (targets copied under the
// drive letter, $MFT and $Extend/$J as KAPE names them) is read as a
// directory; the $MFT and the journal are recognised by themselves.
func TestImportKapeFolder(t *testing.T) {
	root := filepathRoot(t)
	bundle := t.TempDir()
	tmp := t.TempDir()
	icat := func(img, addr string) []byte {
		out, err := exec.Command("sh", "-c", "bzcat "+filepath.Join(root, "fixtures/disk", img+".bz2")+" > "+filepath.Join(tmp, img)+" && icat "+filepath.Join(tmp, img)+" "+addr).Output()
		if err != nil || len(out) == 0 {
			t.Fatalf("icat %s %s: %v", img, addr, err)
		}
		return out
	}
	os.MkdirAll(filepath.Join(bundle, "C", "$Extend"), 0o755)
	os.WriteFile(filepath.Join(bundle, "C", "$MFT"), icat("ntfs-small.img", "0"), 0o644)
	os.WriteFile(filepath.Join(bundle, "C", "$Extend", "$J"), icat("ntfs-usn.img", "64-128-4"), 0o644)
	caseDir := filepath.Join(t.TempDir(), "case")
	res := ingest(t, bundle, caseDir)
	b, _ := json.Marshal(res)
	for _, want := range []string{`"C/$MFT"`, `"ntfs-mft"`, `"C/$Extend/$J"`, `"ntfs-usnjrnl"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("ingest summary lacks %s: %s", want, b)
		}
	}
	tl, _, _ := run(t, "search", "--case", caseDir, "source:usnjrnl", "--count")
	if !strings.HasSuffix(strings.TrimSpace(tl), " matching events") || strings.HasPrefix(tl, "0 ") {
		t.Errorf("no usnjrnl events: %q", tl)
	}
}
