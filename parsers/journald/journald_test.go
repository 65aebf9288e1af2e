package journald

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

const s4 = "journald/jtmoon79-super-speedy-syslog-searcher/logs/"

// load returns a corpus journal's bytes, decompressed when it is .xz.
func load(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpus.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(rel) == ".xz" {
		zr, err := xz.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func parseBytes(t testing.TB, name string, data []byte, random bool) ([]timeline.Event, []string) {
	t.Helper()
	var warns []string
	in := &parsers.Input{Name: name, Evidence: "E1", ZoneSource: "test", Warn: func(m string) { warns = append(warns, m) },
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	if random {
		in.ReaderAt, in.Size = bytes.NewReader(data), int64(len(data))
	}
	var c parsertest.Collect
	if err := parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.Events, warns
}

// TestCorpus: the entry counts and first/last times the corpus notes give
// (journalctl --file, systemd 252, which shows _SOURCE_REALTIME_TIMESTAMP
// where an entry has one; the events' time is __REALTIME_TIMESTAMP, the
// source time is in extra), and s4's expected output for the
// Ubuntu 22 user journal, entry by entry. The journals cover plain, XZ and
// ZSTD data objects, keyed hashes and the compact format.
func TestCorpus(t *testing.T) {
	for _, tc := range []struct {
		rel         string
		n           int
		first, last string
	}{
		{"Ubuntu16/6c6ab73d82464b9493892c81fc732b3a/system.journal", 289, "2023-12-15T23:44:03", "2023-12-16T01:25:35"},
		{"OpenSUSE15/journal/f4e4621cbd954e73a519d0ca3e0d82c3/system@29912846da1c4d1d8d50dd155c553bdc-0000000000005156-00060c85794a2d40.journal", 1120, "2023-12-15T05:14:25", "2023-12-15T05:14:46"},
		{"programs/journal/RHE_91_system.journal.xz", 2081, "2023-04-10T20:56:30", "2023-04-10T22:10:33"},
		{"programs/journal/Ubuntu22-user-1000x3.journal.xz", 3, "2023-04-02T07:06:40", "2023-04-02T07:07:00"},
	} {
		evs, warns := parseBytes(t, filepath.Base(tc.rel), load(t, s4+tc.rel), true)
		if len(evs) != tc.n || len(warns) != 0 {
			t.Errorf("%s: %d entries (want %d), warnings %v", tc.rel, len(evs), tc.n, warns)
			continue
		}
		times := make([]int64, len(evs))
		empty := 0
		for i := range evs {
			times[i] = evs[i].Time
			if us, err := strconv.ParseInt(parsertest.Extra(&evs[i], "source_realtime"), 10, 64); err == nil {
				times[i] = us * 1000
			}
			if evs[i].Message == "" {
				empty++
			}
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		f := func(ns int64) string { return (&timeline.Event{Time: ns}).UTC().Format("2006-01-02T15:04:05") }
		if f(times[0]) != tc.first || f(times[len(times)-1]) != tc.last || empty*10 > len(evs) {
			t.Errorf("%s: %s .. %s (want %s .. %s), %d without a message", tc.rel, f(times[0]), f(times[len(times)-1]), tc.first, tc.last, empty)
		}
	}
	evs, _ := parseBytes(t, "Ubuntu22-user-1000x3.journal", load(t, s4+"programs/journal/Ubuntu22-user-1000x3.journal.xz"), false)
	for i, w := range []struct{ rt, ident, pid, transport, msg string }{
		{"1680419200060134", "systemd", "1150", "journal", "Starting Notification regarding a new release of Ubuntu..."},
		{"1680419220789680", "check-new-release-gtk", "5259", "stdout", "WARNING:root:timeout reached, exiting"},
		{"1680419220789680", "systemd", "1150", "journal", "Finished Notification regarding a new release of Ubuntu."},
	} {
		ev := &evs[i]
		got := struct{ rt, ident, pid, transport, msg string }{ev.TimeOrig, parsertest.Extra(ev, "identifier"), parsertest.Extra(ev, "pid"), parsertest.Extra(ev, "transport"), ev.Message}
		if got != w || parsertest.Extra(ev, "hostname") != "ubuntu22Acorn" || parsertest.Extra(ev, "boot_id") != "26d74a46deff4872be6d4ca6e885a198" || parsertest.Extra(ev, "uid") != "1000" {
			t.Errorf("entry %d: %+v %v, want %+v", i, got, ev.Extra, w)
		}
	}
	if seq := parsertest.Extra(&evs[0], "seqnum"); seq != strconv.Itoa(0x82a) {
		t.Errorf("seqnum %s, want 0x82a", seq)
	}
	// not a journal: an error, no events
	in := &parsers.Input{Name: "invalid.journal", ZoneSource: "test", Open: func() (io.ReadCloser, error) {
		return os.Open(corpus.Path(t, s4+"other/tests/invalid.journal"))
	}}
	var c parsertest.Collect
	if err := parse(context.Background(), in, &c); err == nil || len(c.Events) != 0 {
		t.Errorf("invalid.journal: err %v, %d events", err, len(c.Events))
	}
}

// TestAuthEntries: the RHEL journal's logins (systemd-logind "New session
// 2 of user mruser", PAM "session opened for user mruser") are auth events
// with the user, as the same lines in /var/log/secure would be.
func TestAuthEntries(t *testing.T) {
	evs, _ := parseBytes(t, "system.journal", load(t, s4+"programs/journal/RHE_91_system.journal.xz"), true)
	auth, mruser := 0, 0
	for i := range evs {
		ev := &evs[i]
		if ev.Source != "auth" {
			continue
		}
		auth++
		if ev.User == "mruser" && ev.Action != "" {
			mruser++
		}
	}
	if auth == 0 || mruser == 0 {
		t.Errorf("%d auth events, %d of mruser with an action", auth, mruser)
	}
}

// TestAgainstJournalctl: every entry's realtime and MESSAGE equal what
// journalctl (an independent reader) prints for the same file.
func TestAgainstJournalctl(t *testing.T) {
	if _, err := exec.LookPath("journalctl"); err != nil {
		t.Skip("journalctl not installed")
	}
	for _, rel := range []string{"Ubuntu16/6c6ab73d82464b9493892c81fc732b3a/system.journal",
		"OpenSUSE15/journal/f4e4621cbd954e73a519d0ca3e0d82c3/system@29912846da1c4d1d8d50dd155c553bdc-0000000000005156-00060c85794a2d40.journal"} {
		p := corpus.Path(t, s4+rel)
		out, err := exec.Command("journalctl", "--file", p, "-o", "json", "--no-pager", "--output-fields=MESSAGE,__REALTIME_TIMESTAMP").Output()
		if err != nil {
			t.Skipf("journalctl --file: %v", err)
		}
		var want []string
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				break
			}
			msg, _ := m["MESSAGE"].(string) // binary messages come as arrays: compared as absent
			want = append(want, m["__REALTIME_TIMESTAMP"].(string)+" "+msg)
		}
		evs, _ := parseBytes(t, filepath.Base(rel), load(t, s4+rel), true)
		var got []string
		for i := range evs {
			got = append(got, evs[i].TimeOrig+" "+evs[i].Message)
		}
		sort.Strings(want)
		sort.Strings(got)
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, journalctl %d", rel, len(got), len(want))
		}
		bad := 0
		for i := range got {
			if got[i] != want[i] && bad < 3 {
				bad++
				t.Errorf("%s: %q, journalctl %q", rel, got[i], want[i])
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(corpus.Seed(f, s4+"Ubuntu16/6c6ab73d82464b9493892c81fc732b3a/system.journal")[:min(64<<10, len(corpus.Seed(f, s4+"Ubuntu16/6c6ab73d82464b9493892c81fc732b3a/system.journal")))])
	f.Add([]byte(signature + "\x00\x00\x00\x00\x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &parsers.Input{Name: "x.journal", ZoneSource: "fuzz", ReaderAt: bytes.NewReader(data), Size: int64(len(data)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		var c parsertest.Collect
		parse(context.Background(), in, &c)
		detect("x.journal", data)
	})
}

// BenchmarkParse: go test ./parsers/journald -run x -bench .
func BenchmarkParse(b *testing.B) {
	data := load(b, s4+"OpenSUSE15/journal/f4e4621cbd954e73a519d0ca3e0d82c3/system@29912846da1c4d1d8d50dd155c553bdc-0000000000005156-00060c85794a2d40.journal")
	in := &parsers.Input{Name: "system.journal", ZoneSource: "bench", ReaderAt: bytes.NewReader(data), Size: int64(len(data))}
	var s parsertest.Discard
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	for i := 0; i < b.N; i++ {
		if err := parse(context.Background(), in, &s); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, s.N, "entries", cpu0)
}
