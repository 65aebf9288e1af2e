package linux

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

const plaso = "linux/log2timeline-plaso/test_data/"

// parsed returns the events that are not raw lines.
func parsed(evs []timeline.Event) (out []timeline.Event, raw int) {
	for _, ev := range evs {
		if ev.Source == timeline.SourceRaw {
			raw++
			continue
		}
		out = append(out, ev)
	}
	return out, raw
}

func utc(ev *timeline.Event) string { return ev.UTC().Format(time.RFC3339Nano) }

// TestAuditCorpus: plaso's selinux.log and audit_enriched.log give plaso's
// record counts (its EXPECTED.md), the four lines plaso warns about kept
// raw, and the asserted fields.
func TestAuditCorpus(t *testing.T) {
	evs := parsertest.Parse(t, AuditName, corpus.Path(t, plaso+"selinux.log"), 0, nil)
	got, raw := parsed(evs)
	if len(got) != 7 || raw != 4 {
		t.Fatalf("selinux.log: %d records, %d raw; plaso: 7 and 4 warnings", len(got), raw)
	}
	for i, w := range []struct{ typ, time, pid, msg string }{
		{"LOGIN", "2012-05-24T07:40:01.174Z", "25443", "pid=25443 uid=0 old auid=4294967295 new auid=0 old ses=4294967295 new ses=1165"},
		{"SHORTDATE", "2012-05-24T07:40:01Z", "", "check rounding"},
		{"NOMSG", "2012-05-24T07:40:22.174Z", "", ""},
		{"UNDER_SCORE", "2012-05-24T07:47:46.174Z", "25444", "pid=25444 uid=0 old auid=4294967295 new auid=54321 old ses=4294967295 new ses=1166"},
	} {
		ev := &got[i]
		if parsertest.Extra(ev, "type") != w.typ || utc(ev) != w.time || parsertest.Extra(ev, "pid") != w.pid || ev.Message != w.msg {
			t.Errorf("record %d: type %s time %s pid %s msg %q; want %+v", i, parsertest.Extra(ev, "type"), utc(ev), parsertest.Extra(ev, "pid"), ev.Message, w)
		}
	}
	sys := &got[6]
	for k, v := range map[string]string{"type": "SYSCALL", "serial": "101", "syscall": "197", "success": "yes", "exit": "0",
		"pid": "2714", "ppid": "2671", "uid": "0", "auid": "0", "ses": "1", "comm": "ls", "exe": "/bin/ls", "subj": "system_u:object_r:unlabeled_t:s0"} {
		if g := parsertest.Extra(sys, k); g != v {
			t.Errorf("SYSCALL %s = %q, want %q", k, g, v)
		}
	}

	evs = parsertest.Parse(t, AuditName, corpus.Path(t, plaso+"audit_enriched.log"), 0, nil)
	got, raw = parsed(evs)
	if len(got) != 29 || raw != 0 {
		t.Fatalf("audit_enriched.log: %d records, %d raw; plaso: 29", len(got), raw)
	}
	ev := &got[11]
	for k, v := range map[string]string{"type": "SYSCALL", "serial": "485", "syscall": "execve", "success": "yes", "exit": "0",
		"pid": "2219", "ppid": "2176", "uid": "0", "auid": "0", "ses": "8", "comm": "id", "exe": "/usr/bin/id",
		"subj": "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023"} {
		if g := parsertest.Extra(ev, k); g != v {
			t.Errorf("enriched record 11: %s = %q, want %q", k, g, v)
		}
	}
	if ev.Action != timeline.ActionExecute || strings.ContainsRune(ev.Message, 0x1D) || strings.Contains(ev.Message, `UID="root"`) {
		t.Errorf("enriched record 11: action %q message %q", ev.Action, ev.Message)
	}
	// user-space records: account, address, result
	var logins, adds int
	for i := range got {
		ev := &got[i]
		switch parsertest.Extra(ev, "type") {
		case "USER_AUTH":
			if ev.User == "root" && ev.SrcIP == "172.23.112.1" && ev.Action == timeline.ActionLoginFailure {
				logins++
			}
		case "ADD_USER":
			if ev.User == "specimenuser" && ev.Action == timeline.ActionCreate {
				adds++
			}
		}
	}
	if logins == 0 || adds == 0 {
		t.Errorf("USER_AUTH failures from 172.23.112.1 for root: %d; ADD_USER specimenuser: %d", logins, adds)
	}
}

// TestAuditHexFields: auditd hex-encodes values with spaces (proctitle,
// cmd); they are decoded, NULs (argument separators) as spaces.
func TestAuditHexFields(t *testing.T) {
	var ev timeline.Event
	ev.Reset()
	line := []byte(`type=PROCTITLE msg=audit(1700000000.001:7): proctitle=2F62696E2F7368002D63006964`)
	if !auditLine(line, &ev) || parsertest.Extra(&ev, "proctitle") != "/bin/sh -c id" || utc(&ev) != "2023-11-14T22:13:20.001Z" {
		t.Errorf("proctitle %q time %s", parsertest.Extra(&ev, "proctitle"), utc(&ev))
	}
	ev.Reset()
	line = []byte(`node=web01 type=USER_CMD msg=audit(1700000000.5:8): pid=1 uid=0 auid=1000 ses=2 msg='cwd="/tmp" cmd=776765742068747470 exe="/usr/bin/sudo" terminal=pts/0 res=success'`)
	if !auditLine(line, &ev) || parsertest.Extra(&ev, "cmd") != "wget http" || parsertest.Extra(&ev, "node") != "web01" || ev.Action != timeline.ActionExecute {
		t.Errorf("USER_CMD: cmd %q node %q action %q", parsertest.Extra(&ev, "cmd"), parsertest.Extra(&ev, "node"), ev.Action)
	}
}

// TestDpkgCorpus: plaso's dpkg.log, 4 records, index 0 as plaso asserts it.
func TestDpkgCorpus(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	evs := parsertest.Parse(t, DpkgName, corpus.Path(t, plaso+"dpkg.log"), 0, tokyo)
	got, raw := parsed(evs)
	if len(got) != 4 || raw != 0 {
		t.Fatalf("%d records, %d raw; plaso: 4", len(got), raw)
	}
	ev := &got[0]
	// 11:45:23 with no zone, read in the case zone (Tokyo, +09:00)
	if utc(ev) != "2009-02-25T02:45:23Z" || ev.Message != "conffile /etc/X11/Xsession keep" || ev.Path != "/etc/X11/Xsession" || ev.TimeOrig != "2009-02-25 11:45:23" {
		t.Errorf("record 0: %s %q path %q orig %q", utc(ev), ev.Message, ev.Path, ev.TimeOrig)
	}
	if ev := &got[2]; ev.Action != timeline.ActionCreate || parsertest.Extra(ev, "package") != "base-passwd:amd64" || parsertest.Extra(ev, "version") != "3.5.33" {
		t.Errorf("install record: %+v", ev)
	}
}

// TestAptCorpus: plaso's apt_history.log, 10 blocks, index 2 as plaso
// asserts it.
func TestAptCorpus(t *testing.T) {
	evs := parsertest.Parse(t, AptName, corpus.Path(t, plaso+"apt_history.log"), 0, nil)
	got, raw := parsed(evs)
	if len(got) != 10 || raw != 0 {
		t.Fatalf("%d blocks, %d raw; plaso: 10", len(got), raw)
	}
	ev := &got[2]
	install := parsertest.Extra(ev, "install")
	n := strings.Count(install, "), ") + 1
	manual := n - strings.Count(install, ", automatic)")
	if utc(ev) != "2019-07-11T12:20:55Z" || parsertest.Extra(ev, "end") != "2019-07-11  12:21:28" || parsertest.Extra(ev, "command") != "Install" ||
		ev.Message != "apt-get -y install python-pip python3-pip python-dev python3-dev git tmux screen joe" || n != 113 || manual != 7 ||
		!strings.HasPrefix(install, "libmpc3:amd64 (1.0.3-1+b2, automatic)") || !strings.HasSuffix(install, "liberror-perl:amd64 (0.17024-1, automatic)") ||
		ev.Action != timeline.ActionCreate {
		t.Errorf("block 2: %s end %q command %q msg %q, %d packages (%d manual)", utc(ev), parsertest.Extra(ev, "end"), parsertest.Extra(ev, "command"), ev.Message, n, manual)
	}
}

// TestDockerCorpus: plaso's container log (10 records, index 0 as plaso
// asserts it, the container id from the directory) and CrowdSec's docker
// sample (every line a record).
func TestDockerCorpus(t *testing.T) {
	dir := corpus.Path(t, plaso+"docker/containers/e7d0b7ea5ccf08366e2b0c8afa2318674e8aefe802315378125d2bb83fe3110c")
	f, _ := parsers.Lookup(DockerName)
	in, _ := parsertest.Input(filepath.Join(dir, "container-json.log"), 0, nil)
	in.Name = "docker/containers/e7d0b7ea5ccf08366e2b0c8afa2318674e8aefe802315378125d2bb83fe3110c/container-json.log"
	var c parsertest.Collect
	if err := f.Parse(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	got, raw := parsed(c.Events)
	if len(got) != 10 || raw != 0 {
		t.Fatalf("%d records, %d raw; plaso: 10", len(got), raw)
	}
	ev := &got[0]
	want := "\x1b]0;root@e7d0b7ea5ccf: /home/plaso\x07root@e7d0b7ea5ccf:/home/plaso# ls\r\n"
	if utc(ev) != "2016-01-07T16:49:10Z" || ev.Message != want || parsertest.Extra(ev, "stream") != "stdout" ||
		parsertest.Extra(ev, "container") != "e7d0b7ea5ccf08366e2b0c8afa2318674e8aefe802315378125d2bb83fe3110c" {
		t.Errorf("record 0: %s %q %v", utc(ev), ev.Message, ev.Extra)
	}
	p := corpus.Path(t, "linux/crowdsecurity-hub/.tests/docker-logs/docker-logs.log")
	evs := parsertest.Parse(t, DockerName, p, 0, nil)
	if ok, n := parsertest.ParsedRatio(evs); ok != n || n == 0 {
		t.Errorf("crowdsec docker-logs: %d of %d parsed", ok, n)
	}
}

func fuzzParse(f *testing.F, format string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	fm, _ := parsers.Lookup(format)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &parsers.Input{Name: "x.log", ZoneSource: "fuzz",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		var c parsertest.Collect
		if err := parsers.SafeParse(context.Background(), fm, in, &c); err != nil {
			t.Fatal(err)
		}
		fm.Detect("x.log", data)
	})
}

func FuzzAudit(f *testing.F) {
	fuzzParse(f, AuditName, "type=SYSCALL msg=audit(1243332701.744:101): arch=40000003 syscall=197 comm=\"ls\" exe=2F62696E\n",
		"type=USER_AUTH msg=audit(1.1:1): msg='acct=\"root\" addr=1.2.3.4 res=failed'\x1dAUID=\"unset\"\n", "type= msg=audit(\n")
}

func FuzzDpkg(f *testing.F) {
	fuzzParse(f, DpkgName, "2016-08-06 17:35:39 install base-passwd:amd64 <none> 3.5.33\n", "2009-02-25 11:45:23 conffile /etc/X11/Xsession keep\n")
}

func FuzzApt(f *testing.F) {
	fuzzParse(f, AptName, "Start-Date: 2019-07-10  16:38:08\nCommandline: apt-get upgrade\nUpgrade: a (1, 2)\nEnd-Date: 2019-07-10  16:38:10\n\n",
		"Start-Date: 2019-07-10  16:38:08\nInstall: x\n")
}

func FuzzDocker(f *testing.F) {
	fuzzParse(f, DockerName, `{"log":"hi\n","stream":"stdout","time":"2016-01-07T16:49:10.0"}`+"\n", `{"log":1}`+"\n")
}

// benchParse runs a format over n copies of record (go test
// ./parsers/linux -run x -bench .).
func benchParse(b *testing.B, format, record string, n int) {
	benchNamed(b, format, "x.log", record, n)
}

func openBytes(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

func benchNamed(b *testing.B, format, name, record string, n int) {
	data := []byte(strings.Repeat(record, n))
	fm, _ := parsers.Lookup(format)
	in := &parsers.Input{Name: name, ZoneSource: "bench", Open: openBytes(data)}
	var s parsertest.Discard
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	for i := 0; i < b.N; i++ {
		if err := fm.Parse(context.Background(), in, &s); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, s.N, "records", cpu0)
}

func BenchmarkAudit(b *testing.B) {
	benchParse(b, AuditName, `type=SYSCALL msg=audit(1684329817.579:2995): arch=c000003e syscall=59 success=yes exit=0 a0=237f568 a1=237f368 a2=2384008 a3=59a items=2 ppid=26843 pid=27032 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts2 ses=106985 comm="perl" exe="/usr/bin/perl" key=(null)`+"\n", 10000)
}

func BenchmarkDpkg(b *testing.B) {
	benchParse(b, DpkgName, "2016-08-09 04:57:14 status half-installed base-passwd:amd64 3.5.33\n", 10000)
}

func BenchmarkApt(b *testing.B) {
	benchParse(b, AptName, "Start-Date: 2019-07-10  16:38:08\nCommandline: apt-get upgrade --assume-yes\nRequested-By: alice (1000)\nUpgrade: vim:amd64 (2:8.0.0197-4+deb9u1, 2:8.0.0197-4+deb9u3)\nEnd-Date: 2019-07-10  16:38:10\n\n", 2000)
}

func BenchmarkDocker(b *testing.B) {
	benchParse(b, DockerName, `{"log":"192.168.61.205 - - [24/Aug/2021:09:52:13 +0000] \"GET / HTTP/1.1\" 200 13\n","stream":"stdout","time":"2021-08-24T09:52:13.20764059Z"}`+"\n", 10000)
}
