package authlog

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// crowdsecFields says where each CrowdSec sshd/pam parser field is in our
// events.
var crowdsecFields = parsertest.Field{
	"Parsed.sshd_client_ip":      func(ev *timeline.Event, _ string) string { return ev.SrcIP },
	"Meta.source_ip":             func(ev *timeline.Event, _ string) string { return ev.SrcIP },
	"Parsed.sshd_invalid_user":   func(ev *timeline.Event, _ string) string { return ev.User },
	"Meta.target_user":           func(ev *timeline.Event, _ string) string { return ev.User },
	"Parsed.sshd_auth_user":      func(ev *timeline.Event, _ string) string { return ev.User },
	"Meta.user":                  func(ev *timeline.Event, _ string) string { return ev.User },
	"Meta.username":              func(ev *timeline.Event, _ string) string { return ev.User },
	"Parsed.username":            func(ev *timeline.Event, _ string) string { return ev.User },
	"Parsed.sshd_client_port":    func(ev *timeline.Event, _ string) string { return strconv.Itoa(int(ev.SrcPort)) },
	"Parsed.timestamp":           func(ev *timeline.Event, _ string) string { return ev.TimeOrig },
	"Parsed.timestamp8601":       func(ev *timeline.Event, _ string) string { return ev.TimeOrig },
	"Parsed.program":             func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "program") },
	"Parsed.pid":                 func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "pid") },
	"Meta.machine":               func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "hostname") },
	"Parsed.message":             func(ev *timeline.Event, _ string) string { return ev.Message },
	"Parsed.uid":                 func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "uid") },
	"Parsed.euid":                func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "euid") },
	"Enriched.MarshaledTime":     parsertest.Time(false),
	"Enriched.MarshaledTime[4:]": parsertest.Time(true),
	"Meta.timestamp":             parsertest.Time(false),
	"Meta.timestamp[4:]":         parsertest.Time(true),
	"Parsed.pam_type": func(ev *timeline.Event, _ string) string {
		return strings.TrimPrefix(parsertest.Extra(ev, "pam_module"), "pam_")
	},
	"Parsed.sshd_port":     func(ev *timeline.Event, _ string) string { return strconv.Itoa(int(ev.SrcPort)) },
	"Parsed.sshd_protocol": func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "protocol") },
	"Parsed.logname":       func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "logname") },
	"Parsed.ruser":         func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "ruser") },
	"Parsed.tty":           func(ev *timeline.Event, _ string) string { return parsertest.Extra(ev, "tty") },
	// CrowdSec's log types against our actions. The obfuscated-handshake
	// probe is a failed auth to CrowdSec and a scan to us.
	"Meta.log_type": func(ev *timeline.Event, want string) string {
		exp := map[string]string{
			"auth_success": timeline.ActionLoginSuccess, "ssh_failed-auth": timeline.ActionLoginFailure,
			"pam_failed_auth": timeline.ActionLoginFailure, "pam_user_lock": timeline.ActionLoginFailure,
			"ssh_bad_keyexchange": timeline.ActionScan, "ssh_refused_conn": timeline.ActionDeny,
			"ssh_auth_timeout": "", "ssh_dispatch_fatal": "",
		}[want]
		if strings.Contains(ev.Message, "obfuscated handshake") {
			exp = timeline.ActionScan
		}
		if ev.Action == exp {
			return want
		}
		return "action=" + ev.Action
	},
}

func TestCrowdsecAsserts(t *testing.T) {
	for _, tc := range []struct {
		dir, log string
		min      int // values compared at least
	}{
		{"syslog/crowdsec/sshd-logs", "sshd-logs.log", 150},
		{"syslog/crowdsec/sshd-success-logs", "sshd-success-logs.log", 40},
		{"syslog/crowdsec/pam-logs", "pam-logs.log", 10},
		{"syslog/crowdsec/syslog-logs", "syslog-logs.log", 10},
		{"router/crowdsec/opnsense-sshd", "opnsense-sshd.log", 60},
	} {
		t.Run(tc.log, func(t *testing.T) {
			dir := corpus.Path(t, tc.dir)
			evs := parsertest.Parse(t, FormatName, filepath.Join(dir, tc.log), 2024, nil)
			n := parsertest.CheckCrowdsec(t, dir, tc.log, evs, crowdsecFields)
			if n < tc.min {
				t.Errorf("compared %d values, want at least %d", n, tc.min)
			}
			p, total := parsertest.ParsedRatio(evs)
			if p*100 <= total*99 {
				t.Errorf("parsed %d of %d lines", p, total)
			}
			t.Logf("%s: %d values compared, %d/%d lines parsed", tc.log, n, p, total)
		})
	}
}

// TestCorpusFiles: every line of the corpus's auth-type files parses.
func TestCorpusFiles(t *testing.T) {
	for _, f := range []string{"syslog/plaso/syslog_ssh.log", "syslog/crowdsec/sshd-logs/sshd-logs.log",
		"syslog/lnav/logfile_syslog.0", "syslog/plaso/syslog_cron.log"} {
		evs := parsertest.Parse(t, FormatName, corpus.Path(t, f), 2024, nil)
		p, total := parsertest.ParsedRatio(evs)
		if p*100 <= total*99 {
			t.Errorf("%s: parsed %d of %d lines", f, p, total)
		}
	}
}

func TestLines(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, tc := range []struct {
		line                   string
		time                   string
		user, ip, action, tags string
		port                   int32
		extraKey, extraVal     string
	}{
		// plaso test_data/syslog_ssh.log
		{line: "Mar 11 19:26:39 osx-machine sshd[3]:  Accepted publickey for plaso from 192.168.0.1 port 59229 ssh2: RSA 00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99",
			time: "2024-03-11T10:26:39Z", user: "plaso", ip: "192.168.0.1", port: 59229, action: "login-success", extraKey: "method", extraVal: "publickey"},
		{line: "Mar 11 22:55:30 ubuntu2015 sshd[3]:  Accepted password for plaso from 2001:0db8:0a0b:12f0:0000:0000:0000:0001 port 42532  ssh2",
			time: "2024-03-11T13:55:30Z", user: "plaso", ip: "2001:0db8:0a0b:12f0:0000:0000:0000:0001", port: 42532, action: "login-success"},
		{line: "Mar 11 22:55:30 ubuntu2015 sshd[3]:  Failed publickey for plaso from 10.10.10.10 port 2222 ssh2",
			time: "2024-03-11T13:55:30Z", user: "plaso", ip: "10.10.10.10", port: 2222, action: "login-failure"},
		{line: "Apr  6 18:51:41 eve sshd[2784424]: Failed password for invalid user root from 192.168.1.2 port 51182 ssh2",
			time: "2024-04-06T09:51:41Z", user: "root", ip: "192.168.1.2", port: 51182, action: "login-failure", tags: "invalid-user"},
		{line: "Feb 19 10:38:14 myhost sshd[3355]: Disconnected from user alice 92.255.85.135 port 26138",
			time: "2024-02-19T01:38:14Z", user: "alice", ip: "92.255.85.135", port: 26138, action: "logout"},
		{line: "Jan  1 10:00:00 h sshd[1]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
			time: "2024-01-01T01:00:00Z", user: "alice", action: "login-success", extraKey: "service", extraVal: "sshd"},
		{line: "Jan  1 10:00:00 h sshd[1]: pam_unix(sshd:session): session closed for user alice",
			time: "2024-01-01T01:00:00Z", user: "alice", action: "logout"},
		// lnav test/logfile_syslog.0
		{line: "Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6 ; PWD=/auto/wstimstack/rpms/lbuild/test ; USER=root ; COMMAND=/usr/bin/tail /var/log/messages",
			time: "2024-11-03T00:47:02Z", user: "timstack", action: "execute", extraKey: "command", extraVal: "/usr/bin/tail /var/log/messages"},
		{line: "Nov  3 09:47:02 veridian sudo:    bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash",
			time: "2024-11-03T00:47:02Z", user: "bob", action: "login-failure", extraKey: "target_user", extraVal: "root"},
		{line: "Nov  3 09:47:02 h su[99]: Successful su for root by alice",
			time: "2024-11-03T00:47:02Z", user: "alice", action: "login-success", extraKey: "target_user", extraVal: "root"},
		{line: "Nov  3 09:47:02 h su[99]: FAILED su for root by mallory",
			time: "2024-11-03T00:47:02Z", user: "mallory", action: "login-failure"},
		{line: "Nov  3 09:47:02 h su: (to root) alice on pts/0",
			time: "2024-11-03T00:47:02Z", user: "alice", action: "login-success", extraKey: "tty", extraVal: "pts/0"},
		// plaso test_data/syslog_cron.log
		{line: "Mar 11 00:00:00 ubuntu2015 CRON[3]: (root) CMD (touch /tmp/afile.txt)",
			time: "2024-03-10T15:00:00Z", user: "root", action: "execute", extraKey: "command", extraVal: "touch /tmp/afile.txt"},
		{line: "Nov 2 15:40:14 workshop sshd[28179]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.33.63.160 user=workshop",
			time: "2024-11-02T06:40:14Z", user: "workshop", ip: "5.33.63.160", action: "login-failure"},
		// OpenSSH / PAM / shadow-utils wording (auth.c, sshd.c, pam_unix,
		// useradd(8)): failures in bulk, and the account changes that make
		// persistence.
		{line: "Jan  1 10:00:00 h sshd[1]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root",
			time: "2024-01-01T01:00:00Z", user: "root", ip: "203.0.113.9", action: "login-failure"},
		{line: "Jan  1 10:00:00 h sshd[1]: error: PAM: Authentication failure for illegal user admin from 203.0.113.9",
			time: "2024-01-01T01:00:00Z", user: "admin", ip: "203.0.113.9", action: "login-failure", tags: "invalid-user"},
		{line: "Jan  1 10:00:00 h sshd[1]: Disconnecting invalid user admin 203.0.113.9 port 4242: Too many authentication failures [preauth]",
			time: "2024-01-01T01:00:00Z", user: "admin", ip: "203.0.113.9", port: 4242, action: "login-failure", tags: "invalid-user"},
		{line: "Jan  1 10:00:00 h sshd[1]: Accepted publickey for deploy from 198.51.100.4 port 50000 ssh2: ED25519 SHA256:abcdefghijklmnop",
			time: "2024-01-01T01:00:00Z", user: "deploy", ip: "198.51.100.4", port: 50000, action: "login-success", extraKey: "key", extraVal: "ED25519 SHA256:abcdefghijklmnop"},
		{line: "Jan  1 10:00:00 h useradd[77]: new user: name=backdoor, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0",
			time: "2024-01-01T01:00:00Z", user: "backdoor", action: "create", extraKey: "uid", extraVal: "0"},
		{line: "Jan  1 10:00:00 h usermod[78]: add 'backdoor' to group 'sudo'",
			time: "2024-01-01T01:00:00Z", user: "backdoor", action: "modify", extraKey: "group", extraVal: "sudo"},
		{line: "Jan  1 10:00:00 h passwd[79]: pam_unix(passwd:chauthtok): password changed for root",
			time: "2024-01-01T01:00:00Z", user: "root", action: "modify"},
		{line: "2023-11-14T00:20:42.738197+01:00 myserver sshd[1112652]: User root from 192.168.1.1 not allowed because not listed in AllowUsers",
			time: "2023-11-13T23:20:42.738197Z", user: "root", ip: "192.168.1.1", action: "login-failure"},
	} {
		in := &parsers.Input{Zone: tokyo, ZoneSource: "manifest", Year: 2024}
		var ev timeline.Event
		ev.Reset()
		if !ParseLine(devlog.NewState(in, 2024), []byte(tc.line), &ev) {
			t.Errorf("not parsed: %q", tc.line)
			continue
		}
		got := ev.UTC().Format(time.RFC3339Nano)
		if got != tc.time || ev.User != tc.user || ev.SrcIP != tc.ip || ev.SrcPort != tc.port || ev.Action != tc.action || ev.Tags != tc.tags {
			t.Errorf("%q:\n got time=%s user=%q ip=%q port=%d action=%q tags=%q\nwant time=%s user=%q ip=%q port=%d action=%q tags=%q",
				tc.line, got, ev.User, ev.SrcIP, ev.SrcPort, ev.Action, ev.Tags, tc.time, tc.user, tc.ip, tc.port, tc.action, tc.tags)
		}
		if tc.extraKey != "" && parsertest.Extra(&ev, tc.extraKey) != tc.extraVal {
			t.Errorf("%q: extra %s = %q, want %q", tc.line, tc.extraKey, parsertest.Extra(&ev, tc.extraKey), tc.extraVal)
		}
		if ev.Source != FormatName {
			t.Errorf("source %q", ev.Source)
		}
	}
}

// TestYearFromModTime: without a manifest year, the year comes from the
// file's modification time, never the clock.
func TestYearFromModTime(t *testing.T) {
	data := "Dec 30 23:59:59 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2\n" +
		"Jan  2 00:00:01 h sshd[1]: Failed password for a from 10.0.0.1 port 2 ssh2\n" +
		"garbage line\n"
	path := parsertest.WriteFile(t, "auth.log", data, time.Date(2019, 1, 5, 0, 0, 0, 0, time.UTC))
	evs := parsertest.Parse(t, FormatName, path, 0, nil)
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	if got := evs[0].UTC().Format(time.RFC3339); got != "2018-12-30T23:59:59Z" {
		t.Errorf("first %s", got)
	}
	if got := evs[1].UTC().Format(time.RFC3339); got != "2019-01-02T00:00:01Z" {
		t.Errorf("second %s", got)
	}
	if evs[2].Source != timeline.SourceRaw || string(evs[2].Raw) != "garbage line" || evs[2].Time != evs[1].Time {
		t.Errorf("unparsed line: %+v", evs[2])
	}
}

func TestDetect(t *testing.T) {
	auth := corpus.Path(t, "syslog/crowdsec/sshd-logs/sshd-logs.log")
	head, _ := os.ReadFile(auth)
	if s := detect("sshd-logs.log", head); s < 86 {
		t.Errorf("sshd log scored %d", s)
	}
	plain, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	if s := detect("syslog", plain); s > 85 {
		t.Errorf("plain syslog scored %d", s)
	}
	cron, _ := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog_cron.log"))
	if s := detect("syslog_cron.log", cron); s > 85 {
		t.Errorf("cron log scored %d", s)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"Feb 12 14:10:21 sd-126005 sshd[16378]: Invalid user pascal from 35.188.49.176 port 53502",
		"Nov 2 15:40:14 workshop sshd[28179]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.33.63.160 user=workshop",
		"Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6 ; PWD=/a ; USER=root ; COMMAND=/usr/bin/tail",
		"Feb 19 10:38:14 myhost sshd[3355]: Disconnected from invalid user ftp 92.255.85.135 port 26138 [preauth]",
		"<38>1 2022-01-19T14:23:55+00:00 OPNsense.localdomain sshd 44255 - [meta sequenceId=\"1\"] Invalid user tutu from 1.2.3.4 port 33166",
		"Nov  3 09:47:02 h su: (to root) alice on pts/0",
	} {
		f.Add([]byte(s))
	}
	in := &parsers.Input{ZoneSource: "fuzz", Year: 2024}
	f.Fuzz(func(t *testing.T, line []byte) {
		var ev timeline.Event
		ev.Reset()
		ParseLine(devlog.NewState(in, 2024), line, &ev)
	})
}

// BenchmarkParse: go test ./parsers/authlog -run x -bench . -benchtime 2s
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(corpus.Path(b, "syslog/crowdsec/sshd-logs/sshd-logs.log"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	in := &parsers.Input{ZoneSource: "bench", Year: 2024}
	s := devlog.NewState(in, 2024)
	parsertest.BenchLines(b, lines, len(data), func(l []byte, ev *timeline.Event) bool { return ParseLine(s, l, ev) })
}

// TestHostileInput: a 10 MB line, NUL bytes, invalid UTF-8 and terminal
// escapes are kept as events (raw where they do not parse), never fatal.
func TestHostileInput(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Jan  1 00:00:00 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2\n")
	b.WriteString("Jan  1 00:00:01 h sshd[1]: ")
	b.Write(bytes.Repeat([]byte{'A'}, 10<<20))
	b.WriteString("\n\x00\x00\xff\xfe\n")
	b.WriteString("Jan  1 00:00:02 h sshd[1]: Invalid user \x1b[31mevil\x1b[0m from 10.0.0.2 port 2\n")
	path := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	evs := parsertest.Parse(t, FormatName, path, 2024, nil)
	if len(evs) != 4 {
		t.Fatalf("%d events", len(evs))
	}
	if evs[1].Source != FormatName || len(evs[1].Message) < 10<<20-100 {
		t.Errorf("long line: source %s, %d bytes", evs[1].Source, len(evs[1].Message))
	}
	if evs[2].Source != timeline.SourceRaw || !bytes.Equal(evs[2].Raw, []byte("\x00\x00\xff\xfe")) || evs[2].Time != evs[1].Time {
		t.Errorf("binary line: %+v", evs[2])
	}
	if evs[3].User != "\x1b[31mevil\x1b[0m" || evs[3].SrcIP != "10.0.0.2" {
		t.Errorf("escape line: user %q ip %q", evs[3].User, evs[3].SrcIP)
	}
}
