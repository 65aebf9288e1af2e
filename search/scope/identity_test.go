package scope_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func line(t int64, host, source, msg string) timeline.Event {
	ev := testcase.Ev(t, host, source)
	ev.Message = msg
	return ev
}

// Host identity without the manifest: db01's address comes from its own
// DHCP lease line, so its connection to an outside address after its
// compromise is found; web01's static NAT address comes from the firewall;
// a line that gives an address already known (from the manifest or an
// earlier line) to another host is a conflict, reported and not used.
func TestHostIdentityFromEvidence(t *testing.T) {
	exfil := "198.51.100.200"
	evs := append(breach(),
		line(at(time.Hour), "db01", "syslog", "dhclient[812]: bound to "+dbAddr+" -- renewal in 1800 seconds."),
		line(at(2*time.Hour), "web01", "auth", "sshd[700]: Server listening on "+dbAddr+" port 22."),
		line(at(3*time.Hour), "fw01", "cisco-asa", "%ASA-6-305011: Built static TCP translation from dmz:"+webAddr+"/80 to outside:198.51.100.10/80"),
		testcase.Conn(at(10*time.Hour+50*time.Minute), dbAddr, exfil, 443, timeline.ActionPermit),
	)
	e := vocab.NewEnv(testcase.Build(t, evs))
	e.SetHostAddresses("web01", netip.MustParseAddr(webAddr)) // db01: no address in the manifest
	e.Hosts["web01"].Docroot = "/var/www/shop"
	e.Origin["cdn"] = "web01"
	res := run(t, e, 1, attacker)
	got := map[string]string{}
	for _, id := range res.HostIdentity {
		got[id.Host+" "+id.Address] = id.Source + "|" + id.Conflict
		if id.Source != vocab.IdentityManifest && id.Ref == nil {
			t.Errorf("%+v without reference", id)
		}
	}
	want := map[string]string{
		"web01 " + webAddr:    "manifest|",
		"db01 " + dbAddr:      "dhcp|",
		"web01 " + dbAddr:     "sshd-listen|" + dbAddr + " is db01's (dhcp)",
		"web01 198.51.100.10": "nat-static|",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("identity %s = %q, want %q (all %v)", k, got[k], v, got)
		}
	}
	if !strings.Contains(remotes(res), exfil+"/outbound") {
		t.Errorf("db01's connection to %s after its compromise not found: %s", exfil, remotes(res))
	}
	conflict := false
	for _, n := range res.Notes {
		conflict = conflict || strings.Contains(n, "is db01's")
	}
	if !conflict {
		t.Errorf("conflict not in notes: %v", res.Notes)
	}
}
