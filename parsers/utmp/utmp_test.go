package utmp

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// refRecord is one line of util-linux utmpdump output:
// [7] [02357] [:0  ] [moxilo  ] [tty7        ] [host] [0.0.0.0        ] [2013-12-13T14:45:56,907891+00:00]
type refRecord struct {
	typ                        int
	pid                        int64
	id, user, line, host, addr string
	time                       time.Time
}

func readRef(t *testing.T, path string) []refRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []refRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "[") {
			continue
		}
		var fields []string
		for len(l) > 0 {
			o := strings.IndexByte(l, '[')
			c := strings.Index(l, "] ")
			if c < 0 {
				c = strings.LastIndexByte(l, ']')
			}
			if o < 0 || c < o {
				break
			}
			fields = append(fields, strings.TrimRight(l[o+1:c], " "))
			l = l[c+1:]
		}
		if len(fields) != 8 {
			t.Fatalf("%s: bad reference line %q", path, sc.Text())
		}
		typ, _ := strconv.Atoi(fields[0])
		pid, _ := strconv.ParseInt(fields[1], 10, 64)
		tm, err := time.Parse(time.RFC3339Nano, strings.Replace(fields[7], ",", ".", 1))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, refRecord{typ, pid, fields[2], fields[3], fields[4], fields[5], fields[6], tm.UTC()})
	}
	return out
}

func typeOf(ev *timeline.Event) int {
	n := parsertest.Extra(ev, "type")
	for i, s := range typeNames {
		if s == n {
			return i
		}
	}
	return -1
}

// TestUtmpdumpReferences compares every record with util-linux utmpdump's
// reading of the same file: type, pid, id, user, line, host, address and
// time. Records utmpdump shows with an out-of-range type are corrupt to us:
// kept raw, at the same offset, with a warning.
func TestUtmpdumpReferences(t *testing.T) {
	for _, tc := range []struct {
		file, ref      string
		layout         string
		size, warnings int
	}{
		{"utmp", "utmp.reference.utmpdump.txt", "linux-384-le", 384, 0},
		{"utmp_x86_64", "utmp_x86_64.reference.utmpdump.txt", "linux-384-le", 384, 0},
		{"wtmp.1", "wtmp.1.reference.utmpdump.txt", "linux-384-le", 384, 1},                 // 1 trailing byte
		{"utmp_corrupted", "utmp_corrupted.reference.utmpdump.txt", "linux-384-le", 384, 3}, // 2 bad types, 50 trailing bytes
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := corpus.Path(t, "wtmp/plaso/"+tc.file)
			ref := readRef(t, corpus.Path(t, "wtmp/plaso/"+tc.ref))
			in, warns := parsertest.Input(path, 0, nil)
			var c parsertest.Collect
			if err := parse(context.Background(), in, &c); err != nil {
				t.Fatal(err)
			}
			evs := c.Events
			if len(*warns) != tc.warnings {
				t.Errorf("warnings %q, want %d", *warns, tc.warnings)
			}
			for _, w := range *warns {
				if !strings.Contains(w, "offset ") {
					t.Errorf("warning without offset: %q", w)
				}
			}
			if len(evs) < len(ref) {
				t.Fatalf("%d events for %d reference records", len(evs), len(ref))
			}
			for i, r := range ref {
				ev := &evs[i]
				if ev.Offset != int64(i*tc.size) {
					t.Errorf("record %d: offset %d", i, ev.Offset)
				}
				if r.typ > Accounting {
					if ev.Source != timeline.SourceRaw || len(ev.Raw) != tc.size {
						t.Errorf("record %d (type %d): want unparsed, got %s", i, r.typ, ev.Source)
					}
					continue
				}
				if got := parsertest.Extra(ev, "layout"); got != tc.layout {
					t.Errorf("record %d: layout %s", i, got)
				}
				pid, _ := strconv.ParseInt(parsertest.Extra(ev, "pid"), 10, 64)
				addr := r.addr
				if addr == "0.0.0.0" {
					addr = ""
					if a, err := netip.ParseAddr(r.host); err == nil && a.IsValid() {
						addr = r.host
					}
				}
				got := refRecord{typeOf(ev), pid, parsertest.Extra(ev, "id"), ev.User, parsertest.Extra(ev, "line"),
					parsertest.Extra(ev, "remote_host"), ev.SrcIP, ev.UTC()}
				want := r
				want.addr = addr
				if got != want {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
			// Whatever follows the reference records is the raw tail.
			for _, ev := range evs[len(ref):] {
				if ev.Source != timeline.SourceRaw {
					t.Errorf("extra event at %d: %+v", ev.Offset, ev)
				}
			}
		})
	}
}

// TestPlaso checks the values plaso's tests/parsers/utmp.py asserts for
// the same files (event 2 and 12 of utmp, event 0 of wtmp.1).
func TestPlaso(t *testing.T) {
	evs := parsertest.Parse(t, FormatName, corpus.Path(t, "wtmp/plaso/utmp"), 0, nil)
	if len(evs) != 14 {
		t.Fatalf("utmp: %d events, plaso has 14", len(evs))
	}
	check := func(ev *timeline.Event, ts, user, line string, typ int, pid string, id uint32) {
		t.Helper()
		if got := ev.UTC().Format("2006-01-02 15:04:05.000000"); got != ts {
			t.Errorf("time %s, want %s", got, ts)
		}
		if ev.User != user || parsertest.Extra(ev, "line") != line || typeOf(ev) != typ || parsertest.Extra(ev, "pid") != pid {
			t.Errorf("got user %q line %q type %d pid %s", ev.User, parsertest.Extra(ev, "line"), typeOf(ev), parsertest.Extra(ev, "pid"))
		}
		// plaso's terminal_identifier is ut_id read as a little-endian integer.
		var b [4]byte
		copy(b[:], parsertest.Extra(ev, "id"))
		if got := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24; got != id {
			t.Errorf("terminal identifier %d, want %d", got, id)
		}
	}
	if evs[0].Extra[0].Value != "BOOT_TIME" || parsertest.Extra(&evs[0], "line") != "~" {
		t.Errorf("event 0: %+v", evs[0].Extra)
	}
	check(&evs[2], "2013-12-13 14:45:09.000000", "LOGIN", "tty4", LoginProcess, "1115", 52)
	check(&evs[12], "2013-12-18 22:46:56.305504", "moxilo", "pts/4", UserProcess, "2684", 13359)
	if evs[12].Action != timeline.ActionLoginSuccess || evs[12].TimeDesc != timeline.TimeLogin {
		t.Errorf("event 12 action %q", evs[12].Action)
	}
	w := parsertest.Parse(t, FormatName, corpus.Path(t, "wtmp/plaso/wtmp.1"), 0, nil)
	check(&w[0], "2011-12-01 17:36:38.432935", "userA", "pts/32", UserProcess, "20060", 842084211)
	if w[0].SrcIP != "10.10.122.1" || parsertest.Extra(&w[0], "remote_host") != "10.10.122.1" {
		t.Errorf("wtmp.1 address %q host %q", w[0].SrcIP, parsertest.Extra(&w[0], "remote_host"))
	}
	if w[1].Action != timeline.ActionLogout {
		t.Errorf("DEAD_PROCESS action %q", w[1].Action)
	}
}

// TestLayouts: the same kind of records written on aarch64 (400 bytes,
// little endian) and s390 (400 bytes, big endian); no utmpdump reference
// exists for them, so the expected values are the fields as the x86_64
// sample of the same generator holds them.
func TestLayouts(t *testing.T) {
	for _, tc := range []struct {
		file, layout, first, addr string
		pid                       string
	}{
		{"utmp_aarch64", "linux-400-le", "2026-07-03T14:57:58Z", "4.3.2.1", "18"},
		{"utmp_s390", "linux-400-be", "2026-07-04T05:00:25Z", "1.2.3.4", "32"},
		{"utmp_x86_64", "linux-384-le", "2026-07-03T14:58:29Z", "4.3.2.1", "19"},
	} {
		evs := parsertest.Parse(t, FormatName, corpus.Path(t, "wtmp/plaso/"+tc.file), 0, nil)
		if len(evs) != 6 {
			t.Errorf("%s: %d events", tc.file, len(evs))
			continue
		}
		types := []int{Empty, DeadProcess, BootTime, RunLevel, OldTime, NewTime}
		users := []string{"", "", "reboot", "shutdown", "date", "date"}
		lines := []string{"", "tty2", "system boot", "runlevel 0", "|", "}"}
		for i := range evs {
			ev := &evs[i]
			if typeOf(ev) != types[i] || ev.User != users[i] || parsertest.Extra(ev, "line") != lines[i] ||
				parsertest.Extra(ev, "layout") != tc.layout || parsertest.Extra(ev, "pid") != tc.pid {
				t.Errorf("%s record %d: %+v", tc.file, i, ev.Extra)
			}
		}
		if got := evs[0].UTC().Format(time.RFC3339); got != tc.first {
			t.Errorf("%s: first time %s", tc.file, got)
		}
		if evs[5].Time-evs[4].Time != 300e9 {
			t.Errorf("%s: OLD_TIME→NEW_TIME step %v", tc.file, time.Duration(evs[5].Time-evs[4].Time))
		}
		if evs[1].SrcIP != tc.addr || evs[1].Action != timeline.ActionLogout {
			t.Errorf("%s: addr %q action %q", tc.file, evs[1].SrcIP, evs[1].Action)
		}
	}
}

// TestMacUtmpx reads the macOS utmpx sample (plaso test_data/utmpx_mac)
// and checks the values plaso's tests/parsers/utmpx.py asserts (plaso
// skips the signature record, so its events 0, 1 and 4 are our 1, 2 and 5).
func TestMacUtmpx(t *testing.T) {
	evs := parsertest.Parse(t, FormatName, corpus.Path(t, "wtmp/plaso/utmpx_mac"), 0, nil)
	if len(evs) != 7 {
		t.Fatalf("%d events", len(evs))
	}
	if parsertest.Extra(&evs[0], "type") != "SIGNATURE" || evs[0].User != "utmpx-1.00" {
		t.Errorf("signature %+v", evs[0])
	}
	if got := evs[1].UTC().Format(time.RFC3339); got != "2013-11-13T17:52:34Z" || typeOf(&evs[1]) != BootTime {
		t.Errorf("boot %s", got)
	}
	ev := &evs[2]
	if got := ev.UTC().Format(time.RFC3339Nano); got != "2013-11-13T17:52:41.736713Z" || ev.User != "moxilo" ||
		parsertest.Extra(ev, "line") != "console" || ev.Action != timeline.ActionLoginSuccess || parsertest.Extra(ev, "pid") != "67" {
		t.Errorf("login %s %+v", got, ev)
	}
	ev = &evs[5]
	if got := ev.UTC().Format(time.RFC3339Nano); got != "2013-11-14T04:32:56.641464Z" || ev.User != "moxilo" ||
		parsertest.Extra(ev, "line") != "ttys002" || typeOf(ev) != DeadProcess || ev.Action != timeline.ActionLogout {
		t.Errorf("logout %s %+v", got, ev)
	}
}

// TestBtmp: a btmp file's records are failed logins.
func TestBtmp(t *testing.T) {
	data, err := os.ReadFile(corpus.Path(t, "wtmp/plaso/wtmp.1"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "btmp")
	if err := os.WriteFile(path, data[:384], 0o600); err != nil {
		t.Fatal(err)
	}
	evs := parsertest.Parse(t, FormatName, path, 0, nil)
	if len(evs) != 1 || evs[0].Action != timeline.ActionLoginFailure || evs[0].User != "userA" {
		t.Errorf("btmp: %+v", evs)
	}
}

func TestDetect(t *testing.T) {
	for _, f := range []string{"utmp", "utmp_x86_64", "utmp_aarch64", "utmp_s390", "utmp_corrupted", "wtmp.1", "utmpx_mac"} {
		head, err := os.ReadFile(corpus.Path(t, "wtmp/plaso/"+f))
		if err != nil {
			t.Fatal(err)
		}
		if s := detect(f, head); s < 90 {
			t.Errorf("%s scored %d", f, s)
		}
	}
	text, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	if s := detect("syslog", text); s > 0 {
		t.Errorf("syslog scored %d", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"utmp", "wtmp.1", "utmp_corrupted", "utmp_s390"} {
		data, err := os.ReadFile(corpus.Path(f, "wtmp/plaso/"+n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &parsers.Input{Name: "wtmp", ZoneSource: "fuzz",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		var c parsertest.Collect
		if err := parse(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		detect("wtmp", data)
	})
}

// BenchmarkParse: go test ./parsers/utmp -run x -bench . -benchtime 1s
func BenchmarkParse(b *testing.B) {
	one, err := os.ReadFile(corpus.Path(b, "wtmp/plaso/utmp"))
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat(one, 200) // 2800 records
	in := &parsers.Input{Name: "wtmp", ZoneSource: "bench",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	var sink parsertest.Discard
	b.ReportAllocs()
	cpu0 := parsertest.ProcessCPU()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if err := parse(context.Background(), in, &sink); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, sink.N, "records", cpu0)
}
