package velociraptor

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func rows(t testing.TB, file string) []timeline.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	in := &parsers.Input{Name: "Collection-WIN-FS01.zip!results/" + file, Evidence: "E1", Host: "fs01",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
	var c parsertest.Collect
	if err := parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.Events
}

func ts(s string) int64 {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t.UnixNano()
}

func TestArtifactName(t *testing.T) {
	for name, want := range map[string]string{
		"c.zip!results/Windows.System.Pslist.json":                  "Windows.System.Pslist",
		"c.zip!results/Generic.Client.Info%2FBasicInformation.json": "Generic.Client.Info/BasicInformation",
		"c.zip!uploads/auto/C%3A/x.json":                            "",
		"c.zip!log.json":                                            "",
		"results/Windows.NTFS.MFT.json":                             "Windows.NTFS.MFT",
	} {
		if got := artifact(name); got != want {
			t.Errorf("artifact(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestMFTRows: an MFT row is one event per time column, each at its own
// time with the column as time_desc.
func TestMFTRows(t *testing.T) {
	evs := rows(t, "Windows.NTFS.MFT.json")
	if len(evs) != 16 {
		t.Fatalf("%d events, want 8 per row", len(evs))
	}
	e := evs[0]
	if e.TimeDesc != "Created0x10" || e.Time != ts("2026-03-02T14:05:11.1234567Z") || e.Path != `C:\inetpub\wwwroot\uploads\img.aspx` ||
		parsertest.Extra(&e, "artifact") != "Windows.NTFS.MFT" || parsertest.Extra(&e, "EntryNumber") != "4113" || e.Host != "fs01" || e.Line != 1 {
		t.Errorf("first: %+v", e)
	}
	descs := map[string]int64{}
	for _, e := range evs[:8] {
		descs[e.TimeDesc] = e.Time
	}
	if descs["LastModified0x10"] != ts("2026-03-02T14:05:11.2Z") || descs["LastAccess0x30"] != ts("2026-03-02T14:05:11.1234567Z") {
		t.Errorf("times: %v", descs)
	}
}

func TestPslistAndInfo(t *testing.T) {
	evs := rows(t, "Windows.System.Pslist.json")
	// The System process's CreateTime is the zero time: no time, one event.
	if len(evs) != 2 || evs[0].Time != ts("2026-03-02T14:06:40.001Z") || evs[0].User != `CORP\svc_backup` ||
		evs[0].Path != `C:\Users\Public\m.exe` || parsertest.Extra(&evs[0], "TokenInfo.ProfileDir") != `C:\Users\svc_backup` ||
		evs[1].TimeDesc != timeline.TimeUnknown || evs[1].Time != 0 {
		t.Fatalf("pslist: %+v", evs)
	}
	info := rows(t, "Generic.Client.Info%2FBasicInformation.json")
	if len(info) != 1 || info[0].Host != "WIN-FS01.corp.example" || info[0].TimeDesc != "BuildTime" ||
		parsertest.Extra(&info[0], "artifact") != "Generic.Client.Info/BasicInformation" {
		t.Fatalf("info: %+v", info)
	}
	users := rows(t, "Generic.Client.Info%2FUsers.json")
	if len(users) != 1 || users[0].TimeDesc != timeline.TimeUnknown || parsertest.Extra(&users[0], "Directory") != `C:\Users\svc_backup` {
		t.Fatalf("users: %+v", users)
	}
}

func TestDetect(t *testing.T) {
	head, _ := os.ReadFile(filepath.Join("testdata", "Windows.System.Pslist.json"))
	if detect("c.zip!results/Windows.System.Pslist.json", head) != 100 {
		t.Error("results file not detected")
	}
	if detect("c.zip!uploads/auto/C%3A/x.json", head) != 0 || detect("x.json", head) != 0 {
		t.Error("a JSON file outside results/ detected")
	}
	if c := parsers.Detect("c.zip!results/Windows.System.Pslist.json", head); len(c) == 0 || c[0].Format.Name != FormatName {
		t.Errorf("registry: %v", c)
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"Windows.NTFS.MFT.json", "Windows.System.Pslist.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		detect("c.zip!results/A.json", data)
		in := &parsers.Input{Name: "c.zip!results/A.json", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		var c parsertest.Collect
		if err := parse(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		if len(data) > 0 && bytes.Count(data, []byte("\n"))+1 < len(c.Events)/maxTimesPerRow {
			t.Fatalf("%d events from %d lines", len(c.Events), bytes.Count(data, []byte("\n"))+1)
		}
	})
}

// go test ./parsers/velociraptor -run - -bench .
func BenchmarkMFTRows(b *testing.B) {
	one, _ := os.ReadFile(filepath.Join("testdata", "Windows.NTFS.MFT.json"))
	data := bytes.Repeat(one, 1000)
	in := &parsers.Input{Name: "c.zip!results/Windows.NTFS.MFT.json", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parse(context.Background(), in, &parsertest.Discard{}); err != nil {
			b.Fatal(err)
		}
	}
}
