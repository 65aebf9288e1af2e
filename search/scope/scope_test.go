package scope_test

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

const (
	attacker = "203.0.113.66"
	other    = "203.0.113.77"
	customer = "198.18.0.5"
	c2       = "192.0.2.99"
	mirror   = "151.101.2.132"
	webAddr  = "10.0.1.10"
	dbAddr   = "10.0.2.20"
)

var at = testcase.At

func env(s *search.Searcher) *scope.Env {
	e := vocab.NewEnv(s)
	e.SetHostAddresses("web01", netip.MustParseAddr(webAddr))
	e.SetHostAddresses("db01", netip.MustParseAddr(dbAddr))
	e.Hosts["web01"].Docroot = "/var/www/shop"
	e.Origin["cdn"] = "web01"
	return e
}

// breach is a small intrusion: the attacker probes web01 through the CDN,
// uploads a shell (a POST), uses it; web01 then talks to a C2 address, scans
// the database network, logs in to db01; an accomplice uses the shell.
func breach() []timeline.Event {
	h := time.Hour
	m := time.Minute
	evs := []timeline.Event{
		testcase.Web(at(9*h), "cdn", "cloudfront", customer, "GET", "/", 200),
		testcase.Web(at(9*h), "web01", "access-log", customer, "GET", "/", 200),
		testcase.Conn(at(9*h+30*m), webAddr, mirror, 80, timeline.ActionPermit), // before the breach
		testcase.Conn(at(9*h+40*m), webAddr, dbAddr, 3306, timeline.ActionPermit),
		testcase.Web(at(10*h), "cdn", "cloudfront", attacker, "GET", "/", 200),
		testcase.Web(at(10*h+m), "cdn", "cloudfront", attacker, "GET", "/admin/", 404),
		testcase.Web(at(10*h+5*m), "cdn", "cloudfront", attacker, "POST", "/upload.php", 200),
		testcase.FS(at(10*h+5*m+time.Second), "web01", "/var/www/shop/up/x.php", timeline.TimeBorn),
		testcase.FS(at(10*h+5*m+time.Second), "web01", "/var/www/shop/up/x.php", timeline.TimeModified),
		testcase.FS(at(8*h), "web01", "/var/www/shop/index.php", timeline.TimeModified),  // before: not in scope
		testcase.FS(at(11*h), "web01", "/var/www/shop/index.php", timeline.TimeAccessed), // a read only: not in scope
		testcase.Web(at(10*h+6*m), "cdn", "cloudfront", attacker, "GET", "/up/x.php?c=id", 200),
		testcase.Conn(at(10*h+10*m), webAddr, c2, 443, timeline.ActionPermit),
		testcase.Login(at(10*h+40*m), "db01", "dbadmin", webAddr),
		testcase.Conn(at(10*h+39*m), webAddr, dbAddr, 22, timeline.ActionPermit),
		testcase.Web(at(12*h), "cdn", "cloudfront", other, "GET", "/up/x.php", 200),
		testcase.Web(at(12*h+m), "cdn", "cloudfront", customer, "GET", "/up/x.php", 404),
	}
	for k := 0; k < 12; k++ {
		evs = append(evs, testcase.Conn(at(10*h+30*m+time.Duration(k)*time.Second), webAddr, fmt.Sprintf("10.0.2.%d", 100+k), int32(20+k), timeline.ActionDeny))
	}
	return evs
}

func run(t *testing.T, e *scope.Env, depth int, iocs ...string) *scope.Result {
	t.Helper()
	seeds, err := scope.ParseSeeds(iocs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scope.Run(context.Background(), e, seeds, scope.Options{Depth: depth})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func remotes(res *scope.Result) string {
	var out []string
	for _, r := range res.RemoteAddresses {
		out = append(out, r.Address+"/"+r.Direction)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestParseSeeds(t *testing.T) {
	s, err := scope.ParseSeeds([]string{"203.0.113.66", "10.0.0.0/8", "evil.example", "https://cdn.evil.example/a/b.js?x=1", "/uploads/x.php", "root", "user:www-data", "file:/etc/passwd", "url:/api/x"})
	if err != nil {
		t.Fatal(err)
	}
	want := scope.Seeds{
		Addrs:    []netip.Addr{netip.MustParseAddr("203.0.113.66")},
		Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		Domains:  []string{"cdn.evil.example", "evil.example"},
		Users:    []string{"root", "www-data"},
		Files:    []string{"/etc/passwd", "/uploads/x.php"},
		URLPaths: []string{"/a/b.js", "/api/x", "/uploads/x.php"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	if _, err := scope.ParseSeeds([]string{"ip:not-an-ip"}); err == nil {
		t.Error("ip:not-an-ip accepted")
	}
	if s, _ := scope.ParseSeeds(nil); !s.Empty() {
		t.Error("no seeds is not empty")
	}
}

// Step 1: events that mention a seed give the hosts (a CDN's requests reach
// its origin) and the compromise time (the first successful POST).
func TestStepMentions(t *testing.T) {
	res := run(t, env(testcase.Build(t, breach())), 1, attacker)
	if len(res.Hosts) == 0 || res.Hosts[0].Name != "web01" || res.Hosts[0].Compromised != vocab.FormatTime(at(10*time.Hour+5*time.Minute)) {
		t.Fatalf("hosts %+v", res.Hosts)
	}
	for _, h := range res.Hosts {
		if h.Name == "cdn" || h.Name == "fw01" {
			t.Errorf("observer %s listed as a host", h.Name)
		}
	}
	var in *scope.RemoteRow
	for i, r := range res.RemoteAddresses {
		if r.Address == attacker {
			in = &res.RemoteAddresses[i]
		}
	}
	if in == nil || in.Direction != "inbound" || in.Events != 4 || len(in.Refs) != 4 || in.Refs[0].Line == nil {
		t.Errorf("attacker row %+v", in)
	}
}

// Step 2: files created or changed on the compromised host after the
// compromise, with the URL that reaches them; earlier changes and mere
// reads are not in scope.
func TestStepFiles(t *testing.T) {
	res := run(t, env(testcase.Build(t, breach())), 1, attacker)
	var got []string
	for _, f := range res.Files {
		got = append(got, f.Host+":"+f.Path+"="+strings.Join(f.Actions, ",")+"@"+f.URL)
		if len(f.Refs) == 0 || f.Refs[0].Inode == nil {
			t.Errorf("file %s without inode reference", f.Path)
		}
	}
	want := []string{"web01:/var/www/shop/up/x.php=created,modified,requested@/up/x.php"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
}

// Step 3: other addresses that used the created file's path are found in
// the next round only, and a failed request (404) does not count.
func TestStepOtherAddresses(t *testing.T) {
	s := testcase.Build(t, breach())
	if got := remotes(run(t, env(s), 1, attacker)); strings.Contains(got, other) {
		t.Errorf("depth 1 already has the accomplice: %s", got)
	}
	got := remotes(run(t, env(s), 2, attacker))
	if !strings.Contains(got, other+"/inbound") || strings.Contains(got, customer) {
		t.Errorf("depth 2 remotes %s", got)
	}
}

// Step 4: outbound connections of the compromised host after its
// compromise; the mirror contacted before it is not in scope.
func TestStepOutbound(t *testing.T) {
	got := remotes(run(t, env(testcase.Build(t, breach())), 1, attacker))
	if !strings.Contains(got, c2+"/outbound") || strings.Contains(got, mirror) {
		t.Errorf("remotes %s", got)
	}
}

// Lateral movement: the login web01 -> db01 (which makes db01 a host and
// dbadmin an account), the connections after the compromise, and the burst
// of denied probes as a scan.
func TestLateral(t *testing.T) {
	res := run(t, env(testcase.Build(t, breach())), 1, attacker)
	var got []string
	for _, l := range res.Lateral {
		got = append(got, l.Kind+":"+l.From+">"+l.To+":"+l.User)
	}
	sort.Strings(got)
	want := []string{"connection:web01>db01:", "login:web01>db01:dbadmin", "scan:web01>13 hosts:"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lateral %v, want %v", got, want)
	}
	for _, l := range res.Lateral {
		if l.Kind == "connection" && !reflect.DeepEqual(l.Ports, []int{22}) {
			t.Errorf("connection ports %v (3306 was before the compromise)", l.Ports)
		}
	}
	if len(res.Accounts) != 1 || res.Accounts[0].Name != "dbadmin" || res.Accounts[0].Host != "db01" {
		t.Errorf("accounts %+v", res.Accounts)
	}
	found := false
	for _, h := range res.Hosts {
		found = found || h.Name == "db01" && h.Compromised != ""
	}
	if !found {
		t.Errorf("db01 not compromised: %+v", res.Hosts)
	}
}

func TestWindow(t *testing.T) {
	res := run(t, env(testcase.Build(t, breach())), 2, attacker)
	if res.Window.First != vocab.FormatTime(at(10*time.Hour)) || res.Window.Last != vocab.FormatTime(at(12*time.Hour)) {
		t.Errorf("window %+v", res.Window)
	}
}

func TestMatchRequests(t *testing.T) {
	s := time.Second.Nanoseconds()
	cdn := []scope.Request{{Time: 10 * s}, {Time: 20 * s}, {Time: 21 * s}, {Time: 40 * s}}
	origin := []scope.Request{{Time: 11 * s}, {Time: 21 * s}, {Time: 33 * s}}
	miss := scope.MatchRequests(cdn, origin, 2*s)
	if len(miss) != 2 || miss[0].Time != 21*s || miss[1].Time != 40*s {
		t.Errorf("unmatched %+v", miss)
	}
	if !vocab.CacheHit(`{"x-edge-result-type":"Hit"}`) || vocab.CacheHit(`{"x-edge-result-type":"RefreshHit"}`) || !vocab.CacheHit(`{"CacheCacheStatus":"hit"}`) || vocab.CacheHit(`{"x-edge-result-type":"Miss"}`) {
		t.Error("CacheHit")
	}
}

// Tampering: requests the CDN forwarded that the origin lacks (the
// scope's own, matched one by one; other clients', a gap), a timestomp tag,
// and a gap in a host's syslog where its other days had lines at the same
// hours — while the nightly lull (02:00-06:00 every day, inside the window
// here) is no gap in either log.
func TestTampering(t *testing.T) {
	h, m := time.Hour, time.Minute
	day := 24 * h
	evs := breach()
	// web01's own log: every CDN request but the attacker's...
	for _, ev := range breach() {
		if ev.Host == "cdn" && ev.SrcIP != attacker {
			o := ev
			o.Host, o.Source, o.RefPath = "web01", "access-log", "web01/access-log.log"
			evs = append(evs, o)
		}
	}
	// ...and the accomplice again the next night (the window spans it).
	evs = append(evs, testcase.Web(at(day+3*h), "cdn", "cloudfront", other, "GET", "/up/x.php", 200))
	// Busy logs over four days, a line a minute, silent at night: the
	// origin's access log (every line also at the CDN) lacks 09:50-11:00
	// on the breach day, web01's syslog 11:20-12:00.
	for d := -3 * day; d < 2*day; d += m {
		hh := (d%day + day) % day
		if hh >= 2*h && hh < 6*h {
			continue
		}
		cdn := testcase.Web(at(d), "cdn", "cloudfront", customer, "GET", "/ping", 200)
		evs = append(evs, cdn)
		if d < 9*h+50*m || d >= 11*h {
			o := testcase.Web(at(d), "web01", "access-log", customer, "GET", "/ping", 200)
			o.RefPath = "web01/access-log.log"
			evs = append(evs, o)
		}
		if d < 11*h+20*m || d >= 12*h {
			evs = append(evs, line(at(d), "web01", "syslog", "CRON[1]: (root) CMD (true)"))
		}
	}
	st := testcase.FS(at(10*h+5*m+time.Second), "web01", "/var/www/shop/up/x.php", timeline.TimeChanged)
	st.Tags = "timestomp:si-before-fn"
	evs = append(evs, st)
	res := run(t, env(testcase.Build(t, evs)), 2, attacker)
	kinds := map[string]int64{}
	gaps := map[string]string{}
	for _, tr := range res.Tampering {
		kinds[tr.Kind] += tr.Events
		t.Logf("%s %s %s..%s %s", tr.Kind, tr.Host, tr.FirstSeen, tr.LastSeen, tr.Detail)
		if len(tr.Refs) == 0 {
			t.Errorf("%s without references", tr.Kind)
		}
		if tr.Kind == "log-gap" {
			gaps[tr.FirstSeen] = tr.Detail
		}
	}
	// attacker: /, /admin/, /upload.php, /up/x.php
	if kinds["missing-at-origin"] != 4 || kinds["timestomp"] != 1 || len(gaps) != 2 {
		t.Errorf("tampering %v, gaps %v", kinds, gaps)
	}
	if d := gaps[vocab.FormatTime(at(9*h+49*m))]; !strings.Contains(d, "CDN forwarded 70 requests") {
		t.Errorf("origin log gap: %q", d)
	}
	if d := gaps[vocab.FormatTime(at(11*h+19*m))]; !strings.Contains(d, "same hours of") {
		t.Errorf("syslog gap: %q", d)
	}
}

func TestArtifacts(t *testing.T) {
	e := env(testcase.Build(t, breach()))
	dir := t.TempDir()
	w, err := artifacts.Create(filepath.Join(dir, "a.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []struct{ kind, value string }{{"ipv4", attacker}, {"ipv4", "8.8.8.8"}, {"url", "http://" + attacker + "/x"}, {"domain", "evil.example"}, {"ipv4", attacker}} {
		w.Artifact(&artifacts.Artifact{Evidence: "E0007", RefPath: "mem.lime", Offset: int64(100 * i), PhysAddr: -1, VirtAddr: -1, Kind: a.kind, Value: a.value, Encoding: "ascii"})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	e.Artifacts = []string{filepath.Join(dir, "a.arrow")}
	res := run(t, e, 1, attacker)
	var got []string
	for _, a := range res.Artifacts {
		got = append(got, a.Kind+":"+a.Value)
		if int(a.Count) != len(a.Refs) || a.Refs[0].Offset == nil {
			t.Errorf("artifact %+v", a)
		}
	}
	if !reflect.DeepEqual(got, []string{"ipv4:" + attacker, "url:http://" + attacker + "/x"}) {
		t.Errorf("artifacts %v", got)
	}
}

func TestEnvMapping(t *testing.T) {
	e := env(nil)
	if f := e.URLToFile("web01", "/a/../b.php"); f != "/var/www/shop/b.php" {
		t.Errorf("URLToFile %q", f)
	}
	if u := e.FileToURL("web01", "/var/www/shop/js/x.js"); u != "/js/x.js" {
		t.Errorf("FileToURL %q", u)
	}
	if u := e.FileToURL("web01", "/var/www/shopping/x"); u != "" {
		t.Errorf("FileToURL outside the docroot %q", u)
	}
	if e.OriginOf("cdn", "cloudfront") != "web01" || e.OriginOf("web01", "access-log") != "web01" {
		t.Error("OriginOf")
	}
	if !e.IsInternal(netip.MustParseAddr("10.9.9.9")) || e.IsInternal(netip.MustParseAddr(attacker)) {
		t.Error("IsInternal")
	}
	if v := vocab.ExtraValue(`{"a":"x","x_forwarded_for":"1.2.3.4, 5.6.7.8","q":"a\"b"}`, "q"); v != `a"b` {
		t.Errorf("ExtraValue %q", v)
	}
}

func FuzzParseSeeds(f *testing.F) {
	f.Add("203.0.113.66", "https://evil.example/x?y", "/a/../b")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		s, err := scope.ParseSeeds([]string{a, b, c})
		if err == nil {
			s.Strings()
		}
		vocab.CacheHit(a)
		vocab.ExtraValue(b, c)
	})
}

// The same breach seen through a Palo Alto firewall and a change journal
// (the web shell exists only in $UsnJrnl:$J) gives the same hosts, files
// and addresses: scope knows sources only by their registered class.
func TestSourceClassesNotNames(t *testing.T) {
	var evs []timeline.Event
	for _, ev := range breach() {
		switch ev.Source {
		case "cisco-asa":
			ev.Source, ev.Host = "paloalto", "pa01"
		case "ext4":
			ev.Source, ev.TimeDesc, ev.Action = "usnjrnl", "usn", timeline.ActionCreate
			ev.AddExtra("attributes", "0x20")
		}
		evs = append(evs, ev)
	}
	want := run(t, env(testcase.Build(t, breach())), 2, attacker)
	got := run(t, env(testcase.Build(t, evs)), 2, attacker)
	summary := func(r *scope.Result) string {
		var out []string
		for _, h := range r.Hosts {
			out = append(out, "host "+h.Name+"@"+h.Compromised)
		}
		for _, f := range r.Files {
			out = append(out, "file "+f.Host+":"+f.Path)
		}
		out = append(out, "remotes "+remotes(r))
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	if summary(got) != summary(want) {
		t.Errorf("Palo Alto + USN journal:\n%s\nwant (ASA + ext4):\n%s", summary(got), summary(want))
	}
}

// A login from a seed address is the intruder's action on that host and a
// use of the address: the remote row counts it (and the window starts there).
func TestSeedLoginIsRemote(t *testing.T) {
	evs := append(breach(), testcase.Login(at(8*time.Hour), "db01", "root", attacker))
	res := run(t, env(testcase.Build(t, evs)), 1, attacker)
	for _, r := range res.RemoteAddresses {
		if r.Address == attacker && r.FirstSeen != vocab.FormatTime(at(8*time.Hour)) {
			t.Errorf("attacker row starts %s, want the login at 08:00", r.FirstSeen)
		}
	}
	if res.Window.First != vocab.FormatTime(at(8*time.Hour)) {
		t.Errorf("window %+v", res.Window)
	}
}
