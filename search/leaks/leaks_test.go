package leaks_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/search/leaks"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

const attacker = "203.0.113.66"

var at = testcase.At

func env(s *search.Searcher) *vocab.Env {
	e := vocab.NewEnv(s)
	e.Origin["cdn"] = "web01"
	return e
}

func count(t *testing.T, e *vocab.Env, o leaks.Options) *leaks.Result {
	t.Helper()
	res, err := leaks.Run(context.Background(), e, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func actor(a string) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix(a + "/32")} }

// enumeration: the attacker fetches ids 1..30 (ids 26..30 are 404), some
// twice; the origin sits behind the CDN without realip, so it logs the CDN
// edge as the client and the attacker in X-Forwarded-For.
func enumeration(dropOrigin map[int]bool) []timeline.Event {
	var evs []timeline.Event
	for id := 1; id <= 30; id++ {
		st := int32(200)
		if id > 25 {
			st = 404
		}
		for rep := 0; rep < 1+id%2; rep++ {
			tm := at(time.Duration(id)*time.Minute + time.Duration(rep)*time.Second)
			u := fmt.Sprintf("/api/customers?id=%d&fmt=json", id)
			evs = append(evs, testcase.Web(tm, "cdn", "cloudfront", attacker, "GET", u, st))
			if !dropOrigin[id] {
				o := testcase.Web(tm, "web01", "access-log", "130.176.1.1", "GET", u, st)
				o.AddExtra("x_forwarded_for", attacker+", 130.176.1.1")
				evs = append(evs, o)
			}
		}
	}
	evs = append(evs, testcase.Web(at(time.Hour), "cdn", "cloudfront", "198.18.0.1", "GET", "/api/customers?id=99", 200))
	evs = append(evs, testcase.Web(at(time.Hour), "cdn", "cloudfront", attacker, "POST", "/api/customers?id=98", 200))
	evs = append(evs, testcase.Web(at(time.Hour), "cdn", "cloudfront", attacker, "GET", "/api/customersX?id=97", 200))
	return evs
}

func TestAttackerMode(t *testing.T) {
	e := env(testcase.Build(t, enumeration(nil)))
	o := leaks.Options{Actors: actor(attacker), Endpoint: "GET /api/customers", Status: "2xx", Distinct: "param:id"}
	res := count(t, e, o)
	if res.Records != 25 || res.Agreement != "agree" || res.BySource["cdn"] != 25 || res.BySource["origin"] != 25 {
		t.Fatalf("%d records %s %v: %s", res.Records, res.Agreement, res.BySource, res.Method)
	}
	if strings.Join(res.Sample, ",") != "1,2,3,4,5" || len(res.Refs) == 0 || res.Refs[0].Line == nil {
		t.Errorf("sample %v refs %v", res.Sample, res.Refs)
	}
	for _, w := range []string{"URL parameter id", "GET /api/customers", "2xx", attacker, "agree"} {
		if !strings.Contains(res.Method, w) {
			t.Errorf("method %q lacks %q", res.Method, w)
		}
	}
	// The CDN's view and the origin's counted once: every value has refs
	// from both logs.
	if v := res.Values[0]; v.Source != "origin+cdn" && v.Source != "cdn+origin" {
		t.Errorf("value source %q", v.Source)
	}
	// Requests rather than distinct values: 25 ids, odd ones twice.
	o.Distinct = ""
	if r := count(t, e, o); r.Records != 38 {
		t.Errorf("requests %d, want 38", r.Records)
	}
	o.Distinct, o.Status = "param:id", ""
	if r := count(t, e, o); r.Records != 30 {
		t.Errorf("any status: %d, want 30", r.Records)
	}
}

func TestAttackerModeDisagree(t *testing.T) {
	drop := map[int]bool{}
	for id := 10; id <= 30; id++ {
		drop[id] = true
	}
	e := env(testcase.Build(t, enumeration(drop)))
	res := count(t, e, leaks.Options{Actors: actor(attacker), Endpoint: "GET /api/customers", Status: "200", Distinct: "param:id"})
	if res.Records != 25 || res.Agreement != "disagree" || res.BySource["origin"] != 9 || !strings.Contains(res.Method, "counted from the CDN log") {
		t.Errorf("%d %s %v: %s", res.Records, res.Agreement, res.BySource, res.Method)
	}
}

// Window mode: the window comes from the file's modification and the next
// change of its inode.
func TestWindowMode(t *testing.T) {
	h := time.Hour
	evs := []timeline.Event{
		testcase.FS(at(-30*24*h), "web01", "/var/www/shop/js/pay.js", timeline.TimeBorn),
		testcase.FS(at(2*h), "web01", "/var/www/shop/js/pay.js", timeline.TimeModified),
		testcase.FS(at(5*h), "web01", "/var/www/shop/js/pay.js", timeline.TimeChanged),
		testcase.FS(at(3*h), "web01", "/var/www/shop/js/pay.js.bak", timeline.TimeModified),
	}
	for k := 0; k < 8; k++ {
		tm := at(time.Duration(k) * h)
		evs = append(evs, testcase.Web(tm, "cdn", "cloudfront", "198.18.0.1", "POST", fmt.Sprintf("/pay?order=%d", 100+k), 200))
		evs = append(evs, testcase.Web(tm, "web01", "access-log", "198.18.0.1", "POST", fmt.Sprintf("/pay?order=%d", 100+k), 200))
	}
	evs = append(evs, testcase.Web(at(3*h+time.Minute), "web01", "access-log", "198.18.0.2", "POST", "/pay?order=103", 200)) // resubmitted
	evs = append(evs, testcase.Web(at(4*h+time.Minute), "web01", "access-log", "198.18.0.3", "POST", "/pay?order=200", 402)) // declined
	e := env(testcase.Build(t, evs))
	from, to, note, err := leaks.WindowFromFile(context.Background(), e, "web01:/var/www/shop/js/pay.js")
	if err != nil || from != at(2*h) || to != at(5*h) || !strings.Contains(note, "restored") {
		t.Fatalf("window %v %v %q %v", from, to, note, err)
	}
	res := count(t, e, leaks.Options{WindowFile: "web01:/var/www/shop/js/pay.js", Endpoint: "POST /pay*", Status: "2xx", Distinct: "param:order"})
	// orders 102, 103, 104, 105 (2h..5h inclusive); the CDN lacks the
	// resubmission but it is the same order.
	if res.Records != 4 || res.Window.First != vocab.FormatTime(at(2*h)) || res.Window.Last != vocab.FormatTime(at(5*h)) {
		t.Errorf("%d records, window %+v: %s", res.Records, res.Window, res.Method)
	}
	if _, _, _, err := leaks.WindowFromFile(context.Background(), e, "web01:/nope"); err == nil {
		t.Error("a file without times gave a window")
	}
	if _, _, _, err := leaks.WindowFromFile(context.Background(), e, "no-colon"); err == nil {
		t.Error("bad spec accepted")
	}
	// distinct client addresses and path segments
	if r := count(t, e, leaks.Options{From: at(0), To: at(8 * h), Endpoint: "POST /pay", Distinct: "ip"}); r.Records != 3 {
		t.Errorf("distinct ip %d", r.Records)
	}
}

func TestExtractors(t *testing.T) {
	if v := leaks.Param("/a?x=1&id=%41b&id=2", "id"); v != "Ab" {
		t.Errorf("Param %q", v)
	}
	if v := leaks.Param("/a?x=1", "id"); v != "" {
		t.Errorf("Param absent %q", v)
	}
	if v := leaks.PathSegment("/api/customers/1234?x=1", 3); v != "1234" {
		t.Errorf("PathSegment %q", v)
	}
	if v := leaks.PathSegment("/api", 3); v != "" {
		t.Errorf("PathSegment short %q", v)
	}
	for _, bad := range []string{"param:", "path:0", "path:x", "cookie"} {
		if _, _, err := leaks.NewExtractor(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Luhn and issuer checks come from the memory carver (one implementation).
func TestValidCardAndMask(t *testing.T) {
	for _, c := range []struct {
		v  string
		ok bool
	}{
		{"4111 1111 1111 1111", true},  // Visa test number
		{"5555-5555-5555-4444", true},  // Mastercard test number
		{"378282246310005", true},      // Amex test number
		{"4111 1111 1111 1112", false}, // Luhn fails
		{"1234567812345670", false},    // Luhn passes, no issuer
		{"411111111111", false},        // too short
	} {
		if got := leaks.ValidCard(c.v); got != c.ok {
			t.Errorf("ValidCard(%q) = %v", c.v, got)
		}
	}
	for _, c := range []struct{ kind, v, want string }{
		{"card", "4111 1111 1111 1111", "411111******1111"},
		{"email", "alice@example.com", "a****@example.com"},
		{"phone", "090-1234-5678", "*******5678"},
		{"param:id", "1234", "1234"},
	} {
		if got := leaks.Mask(c.kind, c.v); got != c.want {
			t.Errorf("Mask(%s, %q) = %q, want %q", c.kind, c.v, got, c.want)
		}
	}
}

func TestContentMode(t *testing.T) {
	msg := func(tm int64, m string) timeline.Event {
		ev := testcase.Ev(tm, "web01", "syslog")
		ev.Message = m
		return ev
	}
	evs := []timeline.Event{
		msg(at(time.Minute), "order from Alice@Example.com card 4111 1111 1111 1111 tel 090-1234-5678"),
		msg(at(2*time.Minute), "retry alice@example.com 4111-1111-1111-1111"), // same values, normalised
		msg(at(3*time.Minute), "bad card 4111 1111 1111 1112 and 1234567812345670"),
		testcase.Web(at(4*time.Minute), "web01", "access-log", "198.18.0.1", "GET", "/newsletter?email=bob%40example.org", 200),
	}
	e := env(testcase.Build(t, evs))
	dir := t.TempDir()
	w, err := artifacts.Create(filepath.Join(dir, "a.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []struct{ kind, value string }{{"email", "carol@example.net"}, {"card", "5555555555554444"}, {"card", "5555555555554445"}, {"email", "ALICE@example.com"}, {"url", "http://x/"}} {
		w.Artifact(&artifacts.Artifact{Evidence: "E0007", RefPath: "mem.lime", Offset: int64(100 * i), PhysAddr: -1, VirtAddr: -1, Kind: a.kind, Value: a.value, Encoding: "ascii"})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	e.Artifacts = []string{filepath.Join(dir, "a.arrow")}
	res := count(t, e, leaks.Options{PII: true})
	want := map[string]int64{"email": 3, "card": 2, "phone": 1}
	for k, n := range want {
		if res.ByKind[k] != n {
			t.Errorf("by_kind %v, want %v", res.ByKind, want)
			break
		}
	}
	if res.Records != 6 || !res.Masked {
		t.Errorf("records %d masked %v", res.Records, res.Masked)
	}
	for _, s := range res.Sample {
		if strings.Contains(s, "4111111111111111") || strings.Contains(s, "alice@") {
			t.Errorf("sample not masked: %v", res.Sample)
		}
	}
	var buf bytes.Buffer
	if err := leaks.WriteCSV(&buf, res, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "4111111111111111") || !strings.Contains(buf.String(), "411111******1111") || !strings.Contains(buf.String(), "E0007:mem.lime@") {
		t.Errorf("csv:\n%s", buf.String())
	}
	rev := count(t, e, leaks.Options{PII: true, Reveal: true})
	buf.Reset()
	leaks.WriteCSV(&buf, rev, true)
	if !strings.Contains(buf.String(), "4111111111111111") || !strings.Contains(strings.Join(rev.Sample, " "), "@") {
		t.Errorf("reveal: %v\n%s", rev.Sample, buf.String())
	}
	// Only memory artifacts.
	if r := count(t, e, leaks.Options{PII: true, Sources: []string{"memory"}}); r.Records != 3 {
		t.Errorf("memory only: %d (%v)", r.Records, r.ByKind)
	}
}

func FuzzExtractors(f *testing.F) {
	f.Add("/a/b?id=1&x=%zz", "id", 2)
	f.Fuzz(func(t *testing.T, u, name string, n int) {
		leaks.Param(u, name)
		if n > 0 && n < 100 {
			leaks.PathSegment(u, n)
		}
		vocab.ExtraValue(u, name)
		vocab.URLPath(u)
	})
}
