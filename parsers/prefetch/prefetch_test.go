package prefetch

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func run(t testing.TB, rel string) ([]timeline.Event, error) {
	t.Helper()
	in, _ := parsertest.Input(corpus.Path(t, rel), 0, nil)
	var c parsertest.Collect
	err := parse(context.Background(), in, &c)
	return c.Events, err
}

func extra(ev *timeline.Event, k string) string {
	for _, kv := range ev.Extra {
		if kv.Key == k {
			return kv.Value
		}
	}
	return ""
}

func utc(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.0000000Z") }

// EricZimmerman/Prefetch's per-file values (EXPECTED.md): executable,
// hash, run count, last run, first volume's serial and creation time,
// file-name count.
func TestEricZimmerman(t *testing.T) {
	const dir = "prefetch_lnk/EricZimmerman-Prefetch/Prefetch.Test/TestFiles/"
	for _, c := range []struct {
		file, exe, hash, runs, last, serial, created string
		names                                        int
	}{
		{"Win2k3/CMD.EXE-087B4001.pf", "CMD.EXE", "0x087B4001", "3", "2016-01-15T23:01:40.8750000Z", "64BB3469", "2016-01-15T15:45:15.8906250Z", 16},
		{"XPPro/CALC.EXE-02CD573A.pf", "CALC.EXE", "0x02CD573A", "3", "2016-01-13T22:05:51.2812500Z", "E0F7E847", "2016-01-13T11:17:18.7187500Z", 30},
		{"Vista/EXPLORER.EXE-7A3328DA.pf", "EXPLORER.EXE", "0x7A3328DA", "1", "2016-01-16T20:02:00.8326765Z", "E8EAB8B5", "2016-01-16T20:53:13.1093750Z", 66},
		{"Win7/DCODEDCODEDCODEDCODEDCODEDCOD-9054DA3F.pf", "DCODEDCODEDCODEDCODEDCODEDCOD", "0x9054DA3F", "5", "2016-01-22T16:23:16.3416250Z", "88008C2F", "2016-01-16T21:15:18.1093750Z", 50},
		{"Win7/CALC.EXE-77FDF17F.pf", "CALC.EXE", "0x77FDF17F", "2", "2016-01-16T20:27:01.1967500Z", "88008C2F", "2016-01-16T21:15:18.1093750Z", 37},
		{"Win2012/REGEDIT.EXE-90FEEA06.pf", "REGEDIT.EXE", "0x90FEEA06", "1", "2016-01-16T21:36:18.7186980Z", "2E25F20A", "2016-01-16T22:20:46.1666157Z", 42},
		{"Win8x/CALC.EXE-77FDF17F.pf", "CALC.EXE", "0x77FDF17F", "2", "2016-01-16T21:10:26.0583417Z", "C6EE7444", "2016-01-16T22:04:54.3519546Z", 37},
		{"Win8x/_CMD.EXE-4A81B364.pf", "CMD.EXE", "0x4A81B364", "2", "2016-01-16T21:25:41.5341178Z", "A26E529A", "2016-01-16T22:15:38.2977678Z", 12},
		{"Win10/CHROME.EXE-B3BA7868.pf", "CHROME.EXE", "0xB3BA7868", "20", "2016-01-13T18:06:55.3344577Z", "8C9F49EC", "2015-11-17T20:57:46.2434681Z", 282},
		{"Win10/DCODEDCODEDCODEDCODEDCODEDCOD-E65B9FE8.pf", "DCODEDCODEDCODEDCODEDCODEDCOD", "0xE65B9FE8", "2", "2016-01-13T22:47:25.7480759Z", "66F451BC", "2015-11-17T20:10:06.2049644Z", 57},
		{"Win10/DEVENV.EXE-854D7862.pf", "DEVENV.EXE", "0x854D7862", "54", "2016-01-13T16:50:34.6578416Z", "8C9F49EC", "2015-11-17T20:57:46.2434681Z", 403},
	} {
		evs, err := run(t, dir+c.file)
		if err != nil || len(evs) == 0 {
			t.Errorf("%s: %v, %d events", c.file, err, len(evs))
			continue
		}
		ev := &evs[0]
		got := []string{extra(ev, "executable"), extra(ev, "hash"), extra(ev, "run_count"), utc(ev.Time), extra(ev, "volume_serial"), extra(ev, "volume_created"), extra(ev, "files"), ev.TimeDesc, ev.Action}
		want := []string{c.exe, c.hash, c.runs, c.last, c.serial, c.created, strconv.Itoa(c.names), "last_run", timeline.ActionExecute}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s:\n got %v\nwant %v", c.file, got, want)
		}
	}
	if _, err := run(t, dir+"Bad/notAPrefetch.pf"); err == nil {
		t.Error("notAPrefetch.pf accepted")
	}
}

// plaso's winprefetch test (EXPECTED.md): run counts, every run time,
// path hints and volume serials.
func TestPlaso(t *testing.T) {
	const dir = "prefetch_lnk/log2timeline-plaso/test_data/winprefetch/"
	for _, c := range []struct {
		file, exe, runs, path, serial string
		times                         []string // newest first
	}{
		{"CMD.EXE-087B4001.pf", "CMD.EXE", "", `\DEVICE\HARDDISKVOLUME1\WINDOWS\SYSTEM32\CMD.EXE`, "24CB074B", []string{"2013-03-10T10:11:49.2812500Z"}},
		{"PING.EXE-B29F6629.pf", "PING.EXE", "14", `\DEVICE\HARDDISKVOLUME1\WINDOWS\SYSTEM32\PING.EXE`, "AC036525", []string{"2012-04-06T19:00:55.9329556Z"}},
		{"WUAUCLT.EXE-830BCC14.pf", "WUAUCLT.EXE", "25", `\DEVICE\HARDDISKVOLUME1\WINDOWS\SYSTEM32\WUAUCLT.EXE`, "AC036525", []string{"2012-03-15T21:17:39.8079963Z"}},
		{"TASKHOST.EXE-3AE259FC.pf", "TASKHOST.EXE", "4", "", "686C4249", []string{"2013-10-04T15:40:09.0378333Z", "2013-10-04T15:28:09.0103565Z", "2013-10-04T06:19:54.5960606Z", "2013-10-04T06:11:13.6429375Z"}},
		{"BYTECODEGENERATOR.EXE-C1E9BCE6.pf", "BYTECODEGENERATOR.EXE", "7", "", "3E0D2D25", []string{"2015-05-14T22:11:58.0911341Z", "2015-05-14T22:11:55.3576520Z", "2015-05-14T22:11:45.5135991Z", "2015-05-14T22:11:25.8427278Z", "2015-05-14T22:11:19.8586549Z", "2015-05-14T22:11:05.9066547Z", "2015-05-14T22:10:38.2515193Z"}},
		{"ONEDRIVE.EXE-7E152375.pf", "ONEDRIVE.EXE", "2", "", "3E0D2D25", []string{"2015-05-14T22:11:05.4852771Z", "2015-05-14T22:10:28.6747101Z"}},
		{"NOTEPAD.EXE-D8414F97.pf", "NOTEPAD.EXE", "2", "", "2CA3D1AE", []string{"2019-06-05T19:55:04.8777787Z", "2019-06-05T19:23:00.8157052Z"}},
		{"AM_DELTA_PATCH_1.443.990.0.EX-7037CF86.pf", "AM_DELTA_PATCH_1.443.990.0.EX", "1", "", "BC1F1BFC", nil},
	} {
		evs, err := run(t, dir+c.file)
		if err != nil || len(evs) == 0 {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if c.times != nil && len(evs) != len(c.times) {
			t.Errorf("%s: %d run times, want %d", c.file, len(evs), len(c.times))
		}
		for i := range evs {
			if i < len(c.times) && utc(evs[i].Time) != c.times[i] {
				t.Errorf("%s: run %d at %s, want %s", c.file, i, utc(evs[i].Time), c.times[i])
			}
		}
		ev := &evs[0]
		if extra(ev, "executable") != c.exe || (c.runs != "" && extra(ev, "run_count") != c.runs) || (c.path != "" && ev.Path != c.path) || extra(ev, "volume_serial") != c.serial {
			t.Errorf("%s: %+v", c.file, ev)
		}
	}
}

// Detection by content: a prefetch file under another name is claimed, a
// .pf name with other bytes is not.
func TestDetect(t *testing.T) {
	b, err := os.ReadFile(corpus.Path(t, "prefetch_lnk/log2timeline-plaso/test_data/winprefetch/CMD.EXE-087B4001.pf"))
	if err != nil {
		t.Fatal(err)
	}
	if detect("inode_1234", b[:512]) != 100 || detect("x.pf", []byte("not a prefetch")) != 0 {
		t.Error("detection must follow the SCCA signature")
	}
}

func memInput(data []byte) *parsers.Input {
	return &parsers.Input{Name: "fuzz.pf", ZoneSource: "fuzz",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func FuzzParse(f *testing.F) {
	for _, rel := range []string{"prefetch_lnk/log2timeline-plaso/test_data/winprefetch/CMD.EXE-087B4001.pf",
		"prefetch_lnk/log2timeline-plaso/test_data/winprefetch/NOTEPAD.EXE-D8414F97.pf",
		"prefetch_lnk/EricZimmerman-Prefetch/Prefetch.Test/TestFiles/Win8x/_CMD.EXE-4A81B364.pf"} {
		if b := corpus.Seed(f, rel); b != nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c parsertest.Collect
		_ = parse(context.Background(), memInput(data), &c) // errors are fine; panics and hangs are not
		detect("x", data)
	})
}

// BenchmarkParse: go test ./parsers/prefetch -run x -bench . -benchtime 20x
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(corpus.Path(b, "prefetch_lnk/log2timeline-plaso/test_data/winprefetch/BYTECODEGENERATOR.EXE-C1E9BCE6.pf"))
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
