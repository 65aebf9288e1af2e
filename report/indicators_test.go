package report_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/fixtures/lookalike"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/report"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

const lookalikeDir = "../fixtures/lookalike"

// addrRE finds address-looking words in an export; each is checked with
// netip (IPv6 candidates need two colons).
var addrRE = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`)

func addrsIn(b []byte) map[string]bool {
	out := map[string]bool{}
	for _, m := range addrRE.FindAll(b, -1) {
		if a, err := netip.ParseAddr(string(m)); err == nil {
			out[a.String()] = true
		}
	}
	return out
}

// TestIndicatorsLookalike: on the look-alike breach, the IODEF and STIX
// exports validate, list no address that scope does not attribute to the
// intruder (the fixture's 20 look-alikes, its 3,238 customers, the CDN
// edges are all in the evidence), list every attributed one with its
// direction (the seed and the accomplice as sources, the two C2
// addresses as destinations only), and carry the web shell's URL and the
// SHA-256 of its content in the disk image (checked with debugfs, an
// independent reader).
func TestIndicatorsLookalike(t *testing.T) {
	for _, tool := range []string{"xmllint", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (scripts/apt-packages.txt)", tool)
		}
	}
	ans, err := lookalike.LoadAnswer(filepath.Join(lookalikeDir, "answer.json"))
	if err != nil {
		t.Fatal(err)
	}
	caseDir := ingest(t, filepath.Join(lookalikeDir, "bundle"))
	out := t.TempDir()
	args := []string{"--case", caseDir}
	for _, s := range ans.Seeds {
		args = append(args, "--ioc", s)
	}
	for _, f := range []string{"r.iodef.xml", "r.stix.json"} {
		kiseki(t, append([]string{"report", "--out", filepath.Join(out, f)}, args...)...)
	}
	var sc struct {
		RemoteAddresses []struct{ Address, Direction string } `json:"remote_addresses"`
	}
	if err := json.Unmarshal(kiseki(t, append([]string{"scope", "--json"}, args...)...), &sc); err != nil {
		t.Fatal(err)
	}
	attributed := map[string]string{}
	for _, ra := range sc.RemoteAddresses {
		attributed[ra.Address] = ra.Direction
	}
	for _, ra := range ans.RemoteAddresses {
		if attributed[ra.Address] != ra.Direction {
			t.Fatalf("scope attributes %s as %q, the answer %q: fix scope first", ra.Address, attributed[ra.Address], ra.Direction)
		}
	}

	xb, _ := os.ReadFile(filepath.Join(out, "r.iodef.xml"))
	sb, _ := os.ReadFile(filepath.Join(out, "r.stix.json"))
	schemas := corpus.Shared(t, "schemas")
	if msg, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join(schemas, "iodef", "iodef-2.0-offline.xsd"), filepath.Join(out, "r.iodef.xml")).CombinedOutput(); err != nil {
		t.Errorf("IODEF does not validate: %s", msg)
	}
	validateSTIX(t, filepath.Join(schemas, "stix2.1"), filepath.Join(out, "r.stix.json"))

	for name, b := range map[string][]byte{"IODEF": xb, "STIX": sb} {
		for a := range addrsIn(b) {
			if attributed[a] == "" {
				t.Errorf("%s lists %s, which scope does not attribute to the intruder", name, a)
			}
		}
	}
	for a, dir := range attributed {
		checkIODEFDirection(t, xb, a, dir)
		checkSTIXDirection(t, sb, a, dir)
	}

	// The web shell: its URL path and its content's SHA-256.
	want := fileSHA256(t, filepath.Join(lookalikeDir, "bundle", "web01", "www.img"), "/shop/uploads/.cache/img.php")
	if !strings.Contains(string(sb), `"SHA-256": "`+want+`"`) || !strings.Contains(string(sb), `[file:hashes.'SHA-256' = '`+want+`']`) {
		t.Errorf("STIX lacks the web shell's SHA-256 %s", want)
	}
	if !strings.Contains(string(xb), "<URL>/uploads/.cache/img.php</URL>") || !strings.Contains(string(sb), "Web shell URL path /uploads/.cache/img.php") {
		t.Error("the web shell's URL path is not an indicator")
	}
}

// checkIODEFDirection: a source address is a Flow System of category
// source; a destination (C2) is never one, and is a c2-destination System.
func checkIODEFDirection(t *testing.T, xb []byte, a, dir string) {
	t.Helper()
	src := regexp.MustCompile(`<System category="source">\s*<Node><Address category="ipv[46]-addr">` + regexp.QuoteMeta(a) + `</Address>`).Match(xb)
	c2 := regexp.MustCompile(`<System category="ext-value" ext-category="c2-destination">\s*<Node><Address category="ipv[46]-addr">` + regexp.QuoteMeta(a) + `</Address>`).Match(xb)
	switch {
	case dir == "inbound" && (!src || c2):
		t.Errorf("IODEF: inbound %s is not (only) a source system", a)
	case dir == "outbound" && (src || !c2):
		t.Errorf("IODEF: outbound %s is not (only) a C2 destination system", a)
	}
}

// checkSTIXDirection: the address's traffic object holds it as src_ref
// (inbound) or dst_ref (outbound), and its indicator's pattern says so.
func checkSTIXDirection(t *testing.T, sb []byte, a, dir string) {
	t.Helper()
	var b struct{ Objects []map[string]any }
	if err := json.Unmarshal(sb, &b); err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, o := range b.Objects {
		if (o["type"] == "ipv4-addr" || o["type"] == "ipv6-addr") && o["value"] == a {
			id = o["id"].(string)
		}
	}
	ref, wrong := "src_ref", "dst_ref"
	if dir == "outbound" {
		ref, wrong = wrong, ref
	}
	var right, bad, pattern bool
	for _, o := range b.Objects {
		right = right || o["type"] == "network-traffic" && o[ref] == id
		bad = bad || o["type"] == "network-traffic" && o[wrong] == id
		p, _ := o["pattern"].(string)
		pattern = pattern || strings.Contains(p, "network-traffic:"+ref+".value = '"+a+"'")
	}
	if id == "" || !right || bad || !pattern {
		t.Errorf("STIX: %s %s: object %q, traffic %s %v, traffic %s %v, pattern %v", dir, a, id, ref, right, wrong, bad, pattern)
	}
}

// fileSHA256 reads a file from an ext4 image with debugfs and hashes it.
func fileSHA256(t *testing.T, img, path string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", `debugfs -R "cat `+path+`" "$0" 2>/dev/null | sha256sum`, img)
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))[0]
}

// TestStarsSeedTheReport: a report without --ioc starts from the starred
// events, whatever their source: a CDN row whose summary starts with
// ADDR:PORT (the web shell request: the report must say compromised), an
// origin row behind the CDN (the client in X-Forwarded-For, not the CDN
// edge that connected), a firewall connection (its outside end, here the
// destination a compromised host connected to).
func TestStarsSeedTheReport(t *testing.T) {
	caseDir := ingest(t, filepath.Join(lookalikeDir, "bundle"))
	c, err := engine.OpenCase(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cases := []struct {
		name, query  string
		want         string
		compromised  bool
		checkNotSeed func(ev *timeline.Event) string
		bundle       string // a case of its own
	}{
		{"CDN web shell request", "host:cdn url:/uploads/.cache/img.php src_ip:203.0.113.66", "203.0.113.66", true, nil, ""},
		{"firewall connection to the C2", "host:fw01 192.0.2.99", "192.0.2.99", false, nil, ""},
		{"origin row behind a CDN", "src_ip:130.176.12.34", "203.0.113.66", false, func(ev *timeline.Event) string { return ev.SrcIP }, "proxied"},
	}
	for _, tc := range cases {
		c, s := c, s
		t.Run(tc.name, func(t *testing.T) {
			if tc.bundle != "" {
				c, s = proxiedCase(t)
			}
			var row int64 = -1
			var summary, notSeed, xff string
			s.Each(context.Background(), search.Request{Query: tc.query, Limit: 1}, func(r int64, ev *timeline.Event) error {
				row, summary = r, eventview.Summary(ev)
				if tc.checkNotSeed != nil {
					notSeed = tc.checkNotSeed(ev)
				}
				for _, kv := range ev.Extra {
					if kv.Key == "x_forwarded_for" {
						xff = kv.Value
					}
				}
				return nil
			})
			if row < 0 {
				t.Fatalf("no event for %s", tc.query)
			}
			want := tc.want
			if want == "" {
				want = xff
			}
			star(t, c.Dir, s.Manifest().Generation, row, summary)
			r, err := report.Build(context.Background(), c, s, report.Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Summary.Seeds) != 1 || r.Summary.Seeds[0] != want || want == notSeed {
				t.Errorf("starred %q: seeds %v, want [%s] (not %s)", summary, r.Summary.Seeds, want, notSeed)
			}
			if tc.compromised && !r.Summary.Compromised {
				t.Errorf("starred %q: the report says not compromised (seeds %v)", summary, r.Summary.Seeds)
			}
		})
	}
}

// star writes the annotation log with one starred event, as the web
// timeline writes it.
func star(t *testing.T, caseDir string, gen, row int64, summary string) {
	t.Helper()
	line, _ := json.Marshal(map[string]any{"id": 1, "time": time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "user": "analyst", "kind": "star",
		"row": row, "generation": gen, "summary": summary})
	if err := os.WriteFile(filepath.Join(caseDir, "annotations.jsonl"), append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// proxiedCase is an nginx log behind a CDN: the connecting address is the
// CDN edge, the client is in X-Forwarded-For.
func proxiedCase(t *testing.T) (*engine.Case, *search.Searcher) {
	t.Helper()
	bundle := t.TempDir()
	line := `130.176.12.34 - - [05/Apr/2026:14:06:00 +0000] "GET /uploads/.cache/img.php?cmd=id HTTP/1.1" 200 512 "-" "python-requests/2.31.0" "203.0.113.66"` + "\n"
	if err := os.WriteFile(filepath.Join(bundle, "access.log"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := engine.OpenCase(ingest(t, bundle))
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return c, s
}
