package lnk

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

const dir = "prefetch_lnk/log2timeline-plaso/test_data/"

func run(t testing.TB, rel string) ([]timeline.Event, []string) {
	t.Helper()
	in, warns := parsertest.Input(corpus.Path(t, rel), 0, nil)
	var c parsertest.Collect
	if err := parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.Events, *warns
}

func extra(ev *timeline.Event, k string) string {
	for _, kv := range ev.Extra {
		if kv.Key == k {
			return kv.Value
		}
	}
	return ""
}

func at(evs []timeline.Event, desc string) *timeline.Event {
	for i := range evs {
		if evs[i].TimeDesc == desc {
			return &evs[i]
		}
	}
	return nil
}

func utc(ev *timeline.Event) string { return time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano) }

// plaso's winlnk test (EXPECTED.md, NeroInfoTool.lnk index 5 and 6).
func TestNeroInfoTool(t *testing.T) {
	evs, warns := run(t, dir+"NeroInfoTool.lnk")
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	ev := at(evs, "target_crtime")
	if ev == nil {
		t.Fatalf("no creation time: %+v", evs)
	}
	want := map[string]string{
		"time": "2009-06-05T20:13:20Z", "path": `C:\Program Files (x86)\Nero\Nero 9\Nero InfoTool\InfoTool.exe`,
		"target_size": "4635160", "target_attributes": "0x00000020", "drive_type": "3", "volume_serial": "70ECFA33", "volume_label": "OS",
		"relative_path": `..\..\..\..\..\..\..\..\Program Files (x86)\Nero\Nero 9\Nero InfoTool\InfoTool.exe`,
		"working_dir":   `C:\Program Files (x86)\Nero\Nero 9\Nero InfoTool`,
		"icon_location": `C:\Program Files (x86)\Nero\Nero 9\Nero InfoTool\InfoTool.exe`,
		"droid_file":    "958705b5-0d19-11df-9fe4-705ab616a5f3",
	}
	got := map[string]string{"time": utc(ev), "path": ev.Path}
	for k := range want {
		if _, ok := got[k]; !ok {
			got[k] = extra(ev, k)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if !strings.HasPrefix(extra(ev, "description"), "Nero InfoTool provides you with information") || ev.Bytes != 4635160 || ev.Action != timeline.ActionRead {
		t.Errorf("%+v", ev)
	}
}

// unpaired_surrogate.lnk: the lone U+D800 in the target name becomes
// U+FFFD; the rest of the path and the values stay (plaso index 2).
func TestUnpairedSurrogate(t *testing.T) {
	evs, _ := run(t, dir+"unpaired_surrogate.lnk")
	ev := at(evs, "target_crtime")
	if ev == nil || utc(ev) != "2023-07-10T04:01:20.7971076Z" || ev.Path != "C:\\test\\unicode_U+0000d800_\uFFFD.exe" ||
		extra(ev, "target_size") != "11264" || extra(ev, "volume_serial") != "2CA3D1AE" || extra(ev, "working_dir") != `C:\test` {
		t.Errorf("%+v", ev)
	}
}

func TestExample(t *testing.T) {
	evs, _ := run(t, dir+"example.lnk")
	if len(evs) == 0 || evs[0].Path == "" {
		t.Errorf("example.lnk: %+v", evs)
	}
}

// Detection by the header and CLSID, not the name; a truncated shortcut
// keeps its header times and says where it broke.
func TestDetectAndTruncated(t *testing.T) {
	b, err := os.ReadFile(corpus.Path(t, dir+"NeroInfoTool.lnk"))
	if err != nil {
		t.Fatal(err)
	}
	if detect("mft-entry-77", b) != 100 || detect("a.lnk", []byte("hello")) != 0 {
		t.Error("detection must follow the header")
	}
	l, err := Decode(b[:200])
	if err == nil || l == nil || l.Times[0] == 0 || !strings.Contains(err.Error(), "offset") {
		t.Errorf("truncated: %v %+v", err, l)
	}
}

func memInput(data []byte) *parsers.Input {
	return &parsers.Input{Name: "fuzz.lnk", ZoneSource: "fuzz",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"NeroInfoTool.lnk", "unpaired_surrogate.lnk", "example.lnk"} {
		if b := corpus.Seed(f, dir+n); b != nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c parsertest.Collect
		_ = parse(context.Background(), memInput(data), &c) // errors are fine; panics and hangs are not
		detect("x", data)
	})
}

// BenchmarkParse: go test ./parsers/lnk -run x -bench .
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(corpus.Path(b, dir+"NeroInfoTool.lnk"))
	if err != nil {
		b.Fatal(err)
	}
	var sink parsertest.Discard
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	for i := 0; i < b.N; i++ {
		if err := parse(context.Background(), memInput(data), &sink); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, b.N, "files", cpu0)
}
