package report_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/fixtures/lookalike"
	"github.com/kiseki-forensics/kiseki/report"
	"github.com/kiseki-forensics/kiseki/search"
)

// leaksYAML is two counts on the look-alike breach: what the intruder's
// addresses fetched, and the payments sent while checkout.js was altered.
const leaksYAML = `leaks:
  - name: pages fetched by the intruder
    actors-from-scope: true
    status: 2xx
    distinct: path:1
  - name: payments while checkout.js was altered
    data: [payment card number, name]
    window-from-file: web01:/var/www/shop/js/checkout.js
    endpoint: POST /checkout/pay*
    status: 2xx
    distinct: param:order
`

type fullReport struct {
	Version    int             `json:"version"`
	NewVersion bool            `json:"new_version"`
	Changes    []report.Change `json:"changes"`
	Summary    struct {
		Compromised bool   `json:"compromised"`
		Category    string `json:"category"`
		Discovered  string `json:"discovered"`
	} `json:"summary"`
	Systems    []report.System    `json:"affected_systems"`
	Vector     string             `json:"attack_vector"`
	Chronology []report.Step      `json:"chronology"`
	Leaks      []report.LeakCount `json:"leaks"`
	DataKinds  []string           `json:"personal_data_kinds"`
	Queries    []report.Query     `json:"queries"`
}

// TestReportLookalike: on the look-alike breach, the report has the parts an
// incident form asks for, built from scope (affected systems with their
// addresses, the chronology with each compromise at the answer's time and a
// reference on every step, the attack vector), two leak counts from a
// --leaks file each with its method, and every number equal to the CLI's;
// a report run with the same content keeps its version, an annotation
// makes a new one.
func TestReportLookalike(t *testing.T) {
	ans, err := lookalike.LoadAnswer(filepath.Join(lookalikeDir, "answer.json"))
	if err != nil {
		t.Fatal(err)
	}
	caseDir := ingest(t, filepath.Join(lookalikeDir, "bundle"))
	dir := t.TempDir()
	yml := filepath.Join(dir, "leaks.yaml")
	os.WriteFile(yml, []byte(leaksYAML), 0o644)
	run := func(out string, extra ...string) fullReport {
		args := append([]string{"report", "--case", caseDir, "--out", filepath.Join(dir, out), "--ioc", ans.Seeds[0], "--leaks", yml,
			"--discovered", "2026-04-06: a card brand reported fraud"}, extra...)
		kiseki(t, args...)
		var r fullReport
		if strings.HasSuffix(out, ".json") {
			b, _ := os.ReadFile(filepath.Join(dir, out))
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	r := run("r.json")

	for _, q := range r.Queries {
		if got := jsonValue(t, kiseki(t, q.Command...), q.JSONKey); got != q.Value {
			t.Errorf("%s: report says %d, kiseki %s says %d", q.What, q.Value, strings.Join(q.Command, " "), got)
		}
	}
	if len(r.Leaks) != 2 || r.Leaks[1].Records != 67 || r.Leaks[0].Method == "" || r.Leaks[1].Method == r.Leaks[0].Method {
		t.Errorf("leak counts: %+v", r.Leaks)
	}
	if strings.Join(r.DataKinds, ",") != "name,payment card number" || r.Summary.Discovered == "" || !r.Summary.Compromised {
		t.Errorf("summary: kinds %v, %+v", r.DataKinds, r.Summary)
	}
	addrs := map[string]string{}
	for _, s := range r.Systems {
		addrs[s.Host] = strings.Join(s.Addresses, ",") + " " + s.Role
	}
	if addrs["web01"] != "10.0.1.10 compromised" || addrs["db01"] != "10.0.2.20 compromised" {
		t.Errorf("affected systems: %v", addrs)
	}
	for _, h := range ans.Hosts {
		found := false
		for _, st := range r.Chronology {
			found = found || st.Kind == "compromise" && st.Host == h.Name && st.Time == h.Compromised && st.Ref != ""
		}
		if !found || !strings.Contains(r.Vector, h.Name) {
			t.Errorf("chronology or attack vector lacks the compromise of %s at %s", h.Name, h.Compromised)
		}
	}
	for i, st := range r.Chronology {
		if st.Ref == "" && st.Kind != "first-action" && st.Kind != "last-action" {
			t.Errorf("chronology step %d has no reference: %+v", i, st)
		}
		if i > 0 && st.Time < r.Chronology[i-1].Time && len(st.Time) == len(r.Chronology[i-1].Time) {
			t.Errorf("chronology out of order at %d", i)
		}
	}

	// Versions follow the content: the same report again (another format,
	// another language) keeps version 1; a starred event makes version 2.
	again := run("again.json", "--lang", "ja")
	if r.Version != 1 || again.Version != 1 || again.NewVersion || len(again.Changes) != 1 {
		t.Errorf("same content: versions %d then %d (new %v, %d changes)", r.Version, again.Version, again.NewVersion, len(again.Changes))
	}
	row := int64(35205) // the web shell's first request at the CDN
	line, _ := json.Marshal(map[string]any{"id": 1, "time": time.Now().UTC(), "user": "analyst", "kind": "star", "row": row, "generation": generation(t, caseDir), "summary": "x"})
	os.WriteFile(filepath.Join(caseDir, "annotations.jsonl"), append(line, '\n'), 0o644)
	if third := run("third.json"); third.Version != 2 || len(third.Changes) != 1 || !third.NewVersion {
		t.Errorf("after a star: version %d, %d earlier changes", third.Version, len(third.Changes))
	}
}

func generation(t *testing.T, caseDir string) int64 {
	t.Helper()
	c, err := engine.OpenCase(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return s.Manifest().Generation
}

// TestReportPDFLayout prints the look-alike report (English A4, English
// Letter, Japanese A4) and checks each page: the paper size (landscape
// annex pages included), a page number "N / M" on every page, no table
// word broken across lines (every header word, evidence id, host, address
// and hash of the report is one word in pdftotext's layout: "H os t" and
// "E0 00 1" fail), each page rendered as an image by pdftoppm; and that the
// Japanese edition's headings and methods are Japanese.
func TestReportPDFLayout(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfinfo", "pdftoppm", report.Chromium} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (scripts/apt-packages.txt: poppler-utils, chromium)", tool)
		}
	}
	caseDir := ingest(t, filepath.Join(lookalikeDir, "bundle"))
	dir := t.TempDir()
	yml := filepath.Join(dir, "leaks.yaml")
	os.WriteFile(yml, []byte(leaksYAML), 0o644)
	for _, tc := range []struct{ name, paper, lang, w, h string }{
		{"a4.pdf", "a4", "en", "595", "842"}, {"letter.pdf", "letter", "en", "612", "792"}, {"ja.pdf", "a4", "ja", "595", "842"},
	} {
		out := filepath.Join(dir, tc.name)
		kiseki(t, "report", "--case", caseDir, "--out", out, "--ioc", "203.0.113.66", "--leaks", yml, "--paper", tc.paper, "--lang", tc.lang)
		kiseki(t, "report", "--case", caseDir, "--out", out+".json", "--ioc", "203.0.113.66", "--leaks", yml, "--lang", tc.lang)
		pages := checkPages(t, out, tc.w, tc.h)
		tokens := reportTokens(t, out+".json")
		if tc.lang == "en" {
			for _, l := range []string{"Host", "Reference", "Version", "Events"} {
				tokens[l] = true
			}
		}
		checkWords(t, out, tokens)
		png := filepath.Join(dir, strings.TrimSuffix(tc.name, ".pdf"))
		if msg, err := exec.Command("pdftoppm", "-r", "30", "-png", out, png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, msg)
		}
		imgs, _ := filepath.Glob(png + "-*.png")
		if len(imgs) != pages {
			t.Errorf("%s: %d pages, %d images", tc.name, pages, len(imgs))
		}
	}
	checkJapanese(t, caseDir, yml)
}

// checkPages reads every page's size and text: portrait pages are w x h,
// landscape ones h x w; each carries "N / M".
func checkPages(t *testing.T, pdf, w, h string) int {
	t.Helper()
	info, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscanf(regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(string(info))[1], "%d", &n)
	sizes, _ := exec.Command("pdfinfo", "-f", "1", "-l", fmt.Sprint(n), pdf).Output()
	landscape := 0
	for _, m := range regexp.MustCompile(`Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)`).FindAllStringSubmatch(string(sizes), -1) {
		pw, ph := strings.Split(m[1], ".")[0], strings.Split(m[2], ".")[0]
		switch {
		case near(pw, w) && near(ph, h):
		case near(pw, h) && near(ph, w):
			landscape++
		default:
			t.Errorf("%s: page size %s x %s, want %s x %s", pdf, m[1], m[2], w, h)
		}
	}
	if landscape == 0 {
		t.Errorf("%s: no landscape annex page", pdf)
	}
	for p := 1; p <= n; p++ {
		text, _ := exec.Command("pdftotext", "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), pdf, "-").Output()
		if !strings.Contains(string(text), fmt.Sprintf("%d / %d", p, n)) {
			t.Errorf("%s: page %d has no page number %d / %d", pdf, p, p, n)
		}
	}
	return n
}

func near(a, b string) bool {
	var x, y int
	fmt.Sscan(a, &x)
	fmt.Sscan(b, &y)
	return x-y <= 1 && y-x <= 1
}

// reportTokens are words of the report's tables that must never break:
// evidence ids, hosts, formats, addresses, hashes.
func reportTokens(t *testing.T, file string) map[string]bool {
	t.Helper()
	b, _ := os.ReadFile(file)
	var r struct {
		Evidence   []report.Evidence `json:"evidence"`
		Systems    []report.System   `json:"affected_systems"`
		Indicators struct {
			Items []report.Indicator `json:"items"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range r.Evidence {
		out[e.ID], out[e.Host], out[e.Acquired] = true, true, true
	}
	for _, s := range r.Systems {
		for _, a := range s.Addresses {
			out[a] = true
		}
	}
	for _, in := range r.Indicators.Items {
		if in.SHA256 != "" {
			out[in.SHA256] = true
		}
		if in.Kind != "file" && in.Kind != "url" {
			out[in.Value] = true
		}
	}
	delete(out, "")
	return out
}

type bboxDoc struct {
	Pages []struct {
		Blocks []struct {
			Lines []struct {
				Words []string `xml:"word"`
			} `xml:"line"`
		} `xml:"flow>block"`
	} `xml:"body>doc>page"`
}

// checkWords fails when a token is split across two lines of one block of
// pdftotext's layout (a column narrower than the word), or is missing.
func checkWords(t *testing.T, pdf string, tokens map[string]bool) {
	t.Helper()
	raw, err := exec.Command("pdftotext", "-bbox-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc bboxDoc
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	whole := map[string]bool{}
	for _, p := range doc.Pages {
		for _, b := range p.Blocks {
			for i, l := range b.Lines {
				for _, w := range l.Words {
					whole[w] = true
				}
				if i == 0 || len(l.Words) == 0 || len(b.Lines[i-1].Words) == 0 {
					continue
				}
				prev := b.Lines[i-1].Words[len(b.Lines[i-1].Words)-1]
				joined := prev + l.Words[0]
				for tok := range tokens {
					if k := strings.Index(joined, tok); k >= 0 && k < len(prev) && k+len(tok) > len(prev) && !strings.Contains(prev, tok) && !strings.Contains(l.Words[0], tok) {
						t.Errorf("%s: %q broken across lines as %q / %q", filepath.Base(pdf), tok, prev, l.Words[0])
					}
				}
			}
		}
	}
	for tok := range tokens {
		found := whole[tok]
		for w := range whole {
			found = found || strings.Contains(w, tok)
		}
		if !found {
			t.Errorf("%s: %q is not a word of the PDF", filepath.Base(pdf), tok)
		}
	}
}

// checkJapanese: the Japanese HTML's headings, table headers, labels and
// leak methods hold no English words (commands, paths, addresses and
// hashes in <code> aside).
func checkJapanese(t *testing.T, caseDir, yml string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ja.html")
	kiseki(t, "report", "--case", caseDir, "--out", out, "--ioc", "203.0.113.66", "--leaks", yml, "--lang", "ja")
	b, _ := os.ReadFile(out)
	html := regexp.MustCompile(`(?s)<code>.*?</code>|<style>.*?</style>|<title>.*?</title>|<[^>]*>`).ReplaceAllString(string(b), " ")
	// Words that stay: names of things (formats, hosts, fixture names),
	// units and the names given in the --leaks file.
	allowed := regexp.MustCompile(`^(SHA|URL|Web|IoC|CDN|Kiseki|Asia|Tokyo|UTC|ID|C2|POST|GET|checkout|js|pages|fetched|by|the|intruder|payments|while|was|altered|payment|card|number|name|lookalike|fixture|dev|web01|db01|cdn|fw01|cloudfront|auth|utmp|cisco|asa|access|log|disk|image|Luhn|param|order|path|root|Hit|Miss|gz|img|www|shop|var|uploads|cache|php|nginx|wtmp|report|discovered|description|manifest|gzip|web|dbadmin|pay|E\d+)$`)
	for _, w := range regexp.MustCompile(`[A-Za-z]{3,}`).FindAllString(html, -1) {
		if !allowed.MatchString(w) {
			t.Errorf("Japanese report has the English word %q", w)
		}
	}
}
