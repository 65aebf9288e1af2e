package linux

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// lastlogFile builds a lastlog with records for the given uids.
func lastlogFile(recs map[int]struct {
	sec        uint32
	line, host string
}, n int) []byte {
	b := make([]byte, n*lastlogSize)
	for uid, r := range recs {
		o := uid * lastlogSize
		binary.LittleEndian.PutUint32(b[o:], r.sec)
		copy(b[o+4:], r.line)
		copy(b[o+4+lastlogLine:], r.host)
	}
	return b
}

func TestLastlog(t *testing.T) {
	data := lastlogFile(map[int]struct {
		sec        uint32
		line, host string
	}{0: {1700000000, "pts/0", "203.0.113.9"}, 1000: {1700000100, "tty1", ""}}, 1001)
	if s := detectLastlog("var/log/lastlog", data[:parsers.HeadSize]); s != 90 {
		t.Errorf("detect %d", s)
	}
	if s := detectLastlog("var/log/wtmp", data[:parsers.HeadSize]); s != 0 {
		t.Errorf("detect wtmp %d", s)
	}
	var warns []string
	in := &parsers.Input{Name: "lastlog", ZoneSource: "test", Open: openBytes(data), Warn: func(m string) { warns = append(warns, m) }}
	var c parsertest.Collect
	if err := parseLastlog(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) != 2 || len(warns) != 0 {
		t.Fatalf("%d events, warnings %v", len(c.Events), warns)
	}
	ev := &c.Events[0]
	if utc(ev) != "2023-11-14T22:13:20Z" || ev.SrcIP != "203.0.113.9" || parsertest.Extra(ev, "uid") != "0" || ev.Action != timeline.ActionLoginSuccess || ev.Offset != 0 {
		t.Errorf("uid 0: %+v", ev)
	}
	ev = &c.Events[1]
	if parsertest.Extra(ev, "uid") != "1000" || ev.Offset != 1000*lastlogSize || ev.Message != "last login of uid 1000 on tty1" {
		t.Errorf("uid 1000: %+v", ev)
	}
}

func TestYum(t *testing.T) {
	mt := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	// yum.log across New Year: its first line is in 2023
	p := parsertest.WriteFile(t, "var/log/yum.log", "Dec 31 23:59:00 Installed: httpd-2.4.6-90.el7.centos.x86_64\nJan 02 10:00:00 Erased: nmap-ncat\n", mt)
	in, _ := parsertest.Input(p, 0, nil)
	in.Name = "var/log/yum.log"
	var c parsertest.Collect
	if err := parseYum(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) != 2 || utc(&c.Events[0]) != "2023-12-31T23:59:00Z" || utc(&c.Events[1]) != "2024-01-02T10:00:00Z" ||
		c.Events[0].Action != timeline.ActionCreate || parsertest.Extra(&c.Events[1], "package") != "nmap-ncat" || c.Events[1].Action != timeline.ActionDelete {
		t.Fatalf("yum.log: %+v", c.Events)
	}
	data := "2023-03-01T10:00:00+0900 SUBDEBUG Installed: socat-1.7.4.1-5.el9.x86_64\n2023-03-01T10:00:01+0000 INFO --- logging initialized ---\n"
	if s := detectYum("dnf.rpm.log", []byte(data)); s != 90 {
		t.Errorf("detect dnf.rpm.log %d", s)
	}
	in = &parsers.Input{Name: "dnf.rpm.log", ZoneSource: "test", Open: openBytes([]byte(data))}
	c = parsertest.Collect{}
	if err := parseYum(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) != 2 || utc(&c.Events[0]) != "2023-03-01T01:00:00Z" || parsertest.Extra(&c.Events[0], "level") != "SUBDEBUG" ||
		c.Events[0].Action != timeline.ActionCreate || c.Events[1].Action != "" || c.Events[1].Message != "--- logging initialized ---" {
		t.Errorf("dnf.rpm.log: %+v", c.Events)
	}
}

func FuzzLastlog(f *testing.F) {
	f.Add(lastlogFile(map[int]struct {
		sec        uint32
		line, host string
	}{1: {1700000000, "pts/0", "h"}}, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &parsers.Input{Name: "lastlog", ZoneSource: "fuzz", Open: openBytes(data)}
		var c parsertest.Collect
		if err := parseLastlog(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		detectLastlog("lastlog", data)
	})
}

func FuzzYum(f *testing.F) {
	fuzzParse(f, YumName, "Dec 31 23:59:00 Installed: httpd\n", "2023-03-01T10:00:00+0900 SUBDEBUG Installed: socat\n")
}

func BenchmarkLastlog(b *testing.B) {
	data := bytes.Repeat(lastlogFile(map[int]struct {
		sec        uint32
		line, host string
	}{0: {1700000000, "pts/0", "203.0.113.9"}}, 1), 10000)
	benchNamed(b, LastlogName, "lastlog", string(data), 1)
}

func BenchmarkYum(b *testing.B) {
	benchNamed(b, YumName, "dnf.rpm.log", "2023-03-01T10:00:00+0900 SUBDEBUG Installed: socat-1.7.4.1-5.el9.x86_64\n", 10000)
}
