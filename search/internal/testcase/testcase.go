// Package testcase builds small timelines from events for the tests of the
// analysis packages (scope, leaks).
package testcase

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// T0 is the fixture epoch: 2026-03-02T00:00:00Z.
var T0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// At returns T0 plus a duration, in ns.
func At(d time.Duration) int64 { return T0.Add(d).UnixNano() }

// Ev returns an event with the reference fields set and the rest Absent.
func Ev(t int64, host, source string) timeline.Event {
	var ev timeline.Event
	ev.Reset()
	ev.Time, ev.Host, ev.Source = t, host, source
	ev.TimeDesc = timeline.TimeLog
	ev.Evidence, ev.RefPath = "E0001", host+"/"+source+".log"
	return ev
}

// Web is a web request event.
func Web(t int64, host, source, client, method, url string, status int32) timeline.Event {
	ev := Ev(t, host, source)
	ev.TimeDesc = timeline.TimeRequest
	ev.SrcIP, ev.Method, ev.URL, ev.Status = client, method, url, status
	return ev
}

// FS is a file system event.
func FS(t int64, host, path, desc string) timeline.Event {
	ev := Ev(t, host, "ext4")
	ev.TimeDesc, ev.Path = desc, path
	ev.Evidence, ev.RefPath, ev.Inode, ev.Offset = "E0009", host+".img", 12, 4096
	ev.MarkFS(true)
	ev.FS.Mode = "r/rrw-r--r--"
	return ev
}

// Conn is a firewall connection event.
func Conn(t int64, src, dst string, port int32, action string) timeline.Event {
	ev := Ev(t, "fw01", "cisco-asa")
	ev.SrcIP, ev.DstIP, ev.DstPort, ev.Action = src, dst, port, action
	return ev
}

// Login is a successful login on host from an address.
func Login(t int64, host, user, from string) timeline.Event {
	ev := Ev(t, host, "auth")
	ev.User, ev.SrcIP, ev.Action = user, from, timeline.ActionLoginSuccess
	return ev
}

// Build writes the events as a case timeline under t.TempDir() and opens
// a searcher on it (no full-text index). Line numbers follow the order given.
func Build(t testing.TB, events []timeline.Event) *search.Searcher {
	t.Helper()
	dir := t.TempDir()
	run := filepath.Join(dir, "runs", "E0001")
	if err := os.MkdirAll(run, 0o755); err != nil {
		t.Fatal(err)
	}
	w := timeline.NewRunWriter(run)
	for i := range events {
		if events[i].Line == timeline.Absent && events[i].Inode == timeline.Absent {
			events[i].Line = int64(i + 1)
		}
		if err := w.Emit(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	store := timeline.Store{Dir: filepath.Join(dir, "timeline")}
	if _, err := store.Merge([]string{run}, []string{"E0001"}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(store, filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
