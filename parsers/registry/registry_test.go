package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/ulikunitz/xz"
)

const (
	plaso  = "registry/log2timeline-plaso/test_data/"
	regipy = "registry/mkorman90-regipy/regipy_tests/data/"
)

// hive reads a corpus hive, decompressing the regipy ones (.xz).
func hive(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpus.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(rel, ".xz") {
		r, err := xz.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(r); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func memInput(name string, data []byte) (*parsers.Input, *[]string) {
	var warns []string
	return &parsers.Input{Name: name, Evidence: "E1", ZoneSource: "test", ReaderAt: bytes.NewReader(data), Size: int64(len(data)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		Warn: func(m string) { warns = append(warns, m) }}, &warns
}

func run(t testing.TB, rel string) ([]timeline.Event, []string) {
	t.Helper()
	in, warns := memInput(filepath.Base(rel), hive(t, rel))
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

func utc(ev *timeline.Event) string { return time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano) }

// keyEvents are the one-per-key events (the plugins add others).
func keyEvents(evs []timeline.Event) []*timeline.Event {
	var out []*timeline.Event
	for i := range evs {
		if k := extra(&evs[i], "kind"); k == "" || k == "service" || k == "amcache" {
			out = append(out, &evs[i])
		}
	}
	return out
}

// find returns the event of a kind and path, the one at time when given
// (a path can have several).
func find(evs []timeline.Event, kind, path string, time ...string) *timeline.Event {
	for i := range evs {
		if extra(&evs[i], "kind") == kind && strings.EqualFold(evs[i].Path, path) && (len(time) == 0 || utc(&evs[i]) == time[0]) {
			return &evs[i]
		}
	}
	return nil
}

func byKey(evs []timeline.Event, key string) *timeline.Event {
	for _, ev := range keyEvents(evs) {
		if strings.EqualFold(extra(ev, "key"), key) {
			return ev
		}
	}
	return nil
}

// regipy's whole-hive walk of NTUSER.DAT: 1812 keys, 1490 last written
// on 2012-04-03, and the Run key with its one value.
func TestRegipyNTUSER(t *testing.T) {
	evs, warns := run(t, regipy+"NTUSER.DAT.xz")
	keys := keyEvents(evs)
	day := 0
	for _, k := range keys {
		if strings.HasPrefix(utc(k), "2012-04-03T") {
			day++
		}
	}
	if len(keys) != 1812 || day != 1490 || len(warns) != 0 {
		t.Errorf("%d keys, %d on 2012-04-03, warnings %v; want 1812, 1490, none", len(keys), day, warns)
	}
	root := byKey(evs, `\`)
	if root == nil || utc(root) != "2012-04-04T14:45:43.4537497Z" || extra(root, "subkeys") != "11" || extra(root, "hive") != `?\C:\Users\vibranium\ntuser.dat` {
		t.Errorf("root: %+v", root)
	}
	run := find(evs, "run-key", `%ProgramFiles%\Windows Sidebar\Sidebar.exe /autoRun`)
	if run == nil || utc(run) != "2012-04-03T21:19:54.8377168Z" || extra(run, "value_name") != "Sidebar" || extra(run, "key") != `\Software\Microsoft\Windows\CurrentVersion\Run` {
		t.Errorf("Run key: %+v", run)
	}
}

// plaso's whole-file counts: 100_sub_keys.hiv has TestKey (the root) and
// its 100 subkeys;
// corrupt_sub_key_list.hiv gives 100 with one warning.
func TestPlasoCounts(t *testing.T) {
	evs, warns := run(t, plaso+"regf/100_sub_keys.hiv")
	if n := len(keyEvents(evs)); n != 101 || len(warns) != 0 || extra(&evs[0], "subkeys") != "100" {
		t.Errorf("100_sub_keys.hiv: %d keys (want 101: the root and its 100 subkeys), warnings %v", n, warns)
	}
	evs, warns = run(t, plaso+"regf/corrupt_sub_key_list.hiv")
	t.Logf("corrupt_sub_key_list.hiv: %d keys, warnings %v", len(keyEvents(evs)), warns)
	if n := len(keyEvents(evs)); n < 100 {
		t.Errorf("corrupt_sub_key_list.hiv: %d keys, want at least plaso's 100", n)
	}
}

// UserAssist: the XP hive (plaso: MSN.lnk 14 runs) and a Windows 8 one
// (plaso: Internet Explorer, 2 runs, focus 8 / 842124 ms).
func TestUserAssist(t *testing.T) {
	evs, _ := run(t, plaso+"NTUSER.DAT")
	ev := find(evs, "userassist", `UEME_RUNPIDL:%csidl2%\MSN.lnk`)
	if ev == nil || extra(ev, "run_count") != "14" || utc(ev) != "2009-08-04T15:11:22.8110676Z" || ev.Action != timeline.ActionExecute {
		t.Errorf("XP UserAssist: %+v", ev)
	}
	evs, _ = run(t, plaso+"regf/NTUSER.DAT")
	ev = find(evs, "userassist", "Microsoft.InternetExplorer.Default")
	if ev == nil || extra(ev, "run_count") != "2" || extra(ev, "focus_count") != "8" || extra(ev, "focus_ms") != "842124" || utc(ev) != "2016-10-09T19:58:01.767Z" {
		t.Errorf("Win8 UserAssist: %+v", ev)
	}
}

func TestRunKeys(t *testing.T) {
	evs, _ := run(t, plaso+"NTUSER-RunTests.DAT")
	for _, c := range [][3]string{
		{`%ProgramFiles%\Windows Sidebar\Sidebar.exe /autoRun`, "Sidebar", `\Software\Microsoft\Windows\CurrentVersion\Run`},
		{`C:\Windows\System32\mctadmin.exe`, "mctadmin", `\Software\Microsoft\Windows\CurrentVersion\RunOnce`},
	} {
		ev := find(evs, "run-key", c[0])
		if ev == nil || extra(ev, "value_name") != c[1] || !strings.EqualFold(extra(ev, "key"), c[2]) || utc(ev) != "2012-04-05T17:03:53.9920616Z" {
			t.Errorf("%s: %+v", c[1], ev)
		}
	}
}

// Services on the damaged SYSTEM hive (regipy: Abiosdsk first) and the
// ShimCache of the Windows 7 SYSTEM hive (regipy: 660 entries over both
// control sets, mfeann.exe among them).
func TestSystem(t *testing.T) {
	evs, _ := run(t, regipy+"corrupted_system_hive.xz")
	svc := byKey(evs, `\ControlSet001\Services\Abiosdsk`)
	if svc == nil || extra(svc, "kind") != "service" || utc(svc) != "2008-10-21T17:48:29.328125Z" /* regipy: .328124, its float rounding */ || extra(svc, "start") != "4" || extra(svc, "type") != "1" {
		t.Errorf("Abiosdsk: %+v", svc)
	}
	evs, _ = run(t, regipy+"SYSTEM.xz")
	n := 0
	for i := range evs {
		if extra(&evs[i], "kind") == "shimcache" {
			n++
		}
	}
	ev := find(evs, "shimcache", `\??\C:\Program Files\McAfee\VirusScan Enterprise\mfeann.exe`)
	if n != 660 || ev == nil || utc(ev) != "2011-01-12T12:08:00Z" || extra(ev, "shim_format") != "win7-x86" {
		t.Errorf("shimcache: %d entries (want 660), mfeann.exe %+v", n, ev)
	}
}

// BAM on the Windows 10 1709 SYSTEM hive (regipy: 55 entries, dwm.exe of
// S-1-5-90-0-1) and its ShimCache (read by the library).
func TestWin10System(t *testing.T) {
	evs, _ := run(t, regipy+"SYSTEM_WIN_10_1709.xz")
	n, shim := 0, 0
	for i := range evs {
		switch extra(&evs[i], "kind") {
		case "bam":
			n++
		case "shimcache":
			shim++
		}
	}
	ev := find(evs, "bam", `\Device\HarddiskVolume2\Windows\System32\dwm.exe`)
	if n != 55 || ev == nil || ev.User != "S-1-5-90-0-1" || utc(ev) != "2020-04-19T09:09:35.7318159Z" /* regipy: .731816, rounded to µs */ || ev.Action != timeline.ActionExecute {
		t.Errorf("bam: %d entries (want 55), dwm.exe %+v", n, ev)
	}
	if shim == 0 {
		t.Error("no ShimCache entries from a Windows 10 SYSTEM hive")
	}
	t.Logf("%d ShimCache entries", shim)
}

// SAM accounts: plaso's regf/SAM (Administrator) and regipy's SAM.xz
// (RIDs 500 and 1000).
func TestSAM(t *testing.T) {
	evs, _ := run(t, plaso+"regf/SAM")
	var login, pw *timeline.Event
	for i := range evs {
		if ev := &evs[i]; extra(ev, "kind") == "sam-user" && extra(ev, "rid") == "500" {
			switch ev.TimeDesc {
			case "last_login":
				login = ev
			case "password_set":
				pw = ev
			}
		}
	}
	if login == nil || pw == nil || login.User != "Administrator" || utc(login) != "2014-03-18T10:20:47.3414256Z" || extra(login, "login_count") != "3" ||
		utc(pw) != "2014-03-18T10:20:51.0757954Z" || extra(login, "comment") != "Built-in account for administering the computer/domain" || login.Action != timeline.ActionLoginSuccess {
		t.Errorf("plaso SAM: %+v / %+v", login, pw)
	}
	evs, _ = run(t, regipy+"SAM.xz")
	got := map[string]string{}
	for i := range evs {
		if ev := &evs[i]; extra(ev, "kind") == "sam-user" && ev.TimeDesc == "last_login" {
			got[extra(ev, "rid")] = utc(ev) + " " + extra(ev, "login_count") + " " + extra(ev, "flags") + " " + extra(ev, "failed_count")
		}
	}
	// regipy prints microseconds, rounded (.316693 for RID 1000).
	if got["500"] != "2010-11-20T21:48:12.569244Z 6 529 0" || got["1000"] != "2014-09-30T02:59:34.3166928Z 4 16 0" {
		t.Errorf("regipy SAM: %v", got)
	}
}

// The regparser goldens: name and epoch of every entry, Windows 8 to 10.
func TestShimCacheGoldens(t *testing.T) {
	const dir = "registry/Velocidex-regparser/appcompatcache/"
	for _, n := range []string{"Win10", "Win10Creators", "Win80", "Win81"} {
		data, err := os.ReadFile(corpus.Path(t, dir+"test_data/"+n+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		gb, err := os.ReadFile(corpus.Path(t, dir+"fixtures/appcompatcache_"+n+".bin.golden"))
		if err != nil {
			t.Fatal(err)
		}
		var want []struct {
			Name  string `json:"name"`
			Epoch int64  `json:"epoch"`
		}
		if err := json.Unmarshal(gb, &want); err != nil {
			t.Fatal(err)
		}
		got, _ := ParseShimCache(data)
		if len(got) < len(want) || len(want) == 0 {
			t.Fatalf("%s: %d entries, golden %d", n, len(got), len(want))
		}
		for i, w := range want {
			if got[i].Path != w.Name || got[i].Modified != w.Epoch*1e9 {
				t.Errorf("%s entry %d: %q %d, want %q %d", n, i, got[i].Path, got[i].Modified, w.Name, w.Epoch)
			}
		}
	}
	// Windows 7 x64 and x86 values, read here: every entry a path.
	for _, n := range []string{"win7x64", "win7x86", "Win2k8Standard"} {
		data, err := os.ReadFile(corpus.Path(t, dir+"test_data/"+n+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		got, format := ParseShimCache(data)
		if len(got) == 0 {
			t.Errorf("%s: no entries (%s)", n, format)
		}
		for _, e := range got {
			if !strings.Contains(e.Path, `\`) {
				t.Errorf("%s (%s): entry %q is not a path", n, format, e.Path)
				break
			}
		}
	}
}

// AmCache (plaso's Amcache.hve and win10-Amcache.hve).
func TestAmCache(t *testing.T) {
	evs, _ := run(t, plaso+"winreg/Amcache.hve")
	ev := find(evs, "amcache", `c:\users\user\appdata\local\temp\chocolatey\is-f4510.tmp\idafree50.tmp`)
	if ev == nil || extra(ev, "sha1") != "82274eef0911a948f91425f5e5b0e730517fe75e" || extra(ev, "entry_written") != "2017-08-01T12:43:35.3715211Z" ||
		extra(ev, "file_crtime") != "2017-08-01T12:43:35.1772758Z" || extra(ev, "file_mtime") != "2017-08-01T12:43:35.3024523Z" {
		t.Errorf("Amcache.hve: %+v", ev)
	}
	evs, _ = run(t, plaso+"winreg/win10-Amcache.hve")
	ev = find(evs, "amcache", `c:\windows\system32\svchost.exe`, "2019-12-17T05:30:28.2416496Z")
	if ev == nil {
		t.Errorf("win10-Amcache.hve: %+v", ev)
	}
}

func TestDetect(t *testing.T) {
	b := hive(t, plaso+"regf/100_sub_keys.hiv")
	if detect("inode-99", b[:min(len(b), parsers.HeadSize)]) != 100 || detect("SYSTEM", []byte("not a hive")) != 0 {
		t.Error("detection must follow the regf header")
	}
	in, _ := memInput("ntuser.dat.LOG", hive(t, plaso+"ntuser.dat.LOG"))
	var c parsertest.Collect
	if err := parse(context.Background(), in, &c); err == nil && len(c.Events) > 0 {
		t.Errorf("a 1 KiB transaction log gave %d events", len(c.Events))
	}
}

func FuzzParse(f *testing.F) {
	if b := corpus.Seed(f, plaso+"regf/100_sub_keys.hiv"); b != nil {
		f.Add(b)
	}
	if b := corpus.Seed(f, plaso+"regf/corrupt_sub_key_list.hiv"); b != nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, _ := memInput("fuzz", data)
		var c parsertest.Collect
		_ = parse(context.Background(), in, &c) // errors are fine; panics and hangs are not
		detect("x", data)
		ParseShimCache(data)
	})
}

// BenchmarkParse: go test ./parsers/registry -run x -bench . -benchtime 3x
func BenchmarkParse(b *testing.B) {
	data := hive(b, regipy+"NTUSER.DAT.xz")
	var sink parsertest.Discard
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	for i := 0; i < b.N; i++ {
		in, _ := memInput("NTUSER.DAT", data)
		if err := parse(context.Background(), in, &sink); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, sink.N, "events", cpu0)
}
