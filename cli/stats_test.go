package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
)

// TestStatsCommand runs kiseki stats on the webshop fixture, whose
// firewall denied the compromised web server's scan of the database
// network: the JSON shape of each view, CSV and table agreeing with it,
// the charts, and the usage errors (exit 2).
func TestStatsCommand(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, filepath.Join(corpus.Root(t), "fixtures", "webshop", "bundle"), caseDir)

	out, errOut, code := run(t, "stats", "--case", caseDir, "--json")
	if code != 0 {
		t.Fatalf("stats --json: exit %d: %s", code, errOut)
	}
	var ports struct {
		By   string
		Rows []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &ports); err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, r := range ports.Rows {
		if len(r) != 6 || r["host"] != "fw01" || r["proto"] != "tcp" || r["sources"] != 1.0 || !strings.HasSuffix(r["hour"].(string), ":00:00Z") {
			t.Errorf("port row %v", r)
		}
		total += r["count"].(float64)
	}
	// Independent count: the ASA's deny lines in the evidence.
	raw, err := os.ReadFile(filepath.Join(corpus.Root(t), "fixtures", "webshop", "bundle", "fw01", "asa.log"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Count(string(raw), ": Deny "); ports.By != "port" || total != float64(want) || want == 0 {
		t.Errorf("by %q: %v denials, the log has %d", ports.By, total, want)
	}

	out, _, code = run(t, "stats", "--case", caseDir, "--by", "src24", "--csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) < 2 || strings.Join(recs[0], ",") != "hour,host,block,count" || recs[1][2] != "10.0.1.0/24" {
		t.Errorf("stats --by src24 --csv: exit %d, %v\n%s", code, err, out)
	}
	out, _, code = run(t, "stats", "--case", caseDir, "--by", "sensor", "--top", "1")
	if code != 0 || !strings.HasPrefix(out, "HOUR") || !strings.Contains(out, "fw01") {
		t.Errorf("stats --by sensor: exit %d\n%s", code, out)
	}

	img := filepath.Join(t.TempDir(), "ports.png")
	if _, errOut, code := run(t, "stats", "--case", caseDir, "--png", img); code != 0 {
		t.Fatalf("stats --png: exit %d: %s", code, errOut)
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("stats --png wrote no PNG: %v", err)
	}
	svg := filepath.Join(t.TempDir(), "ports.svg")
	if _, errOut, code := run(t, "stats", "--case", caseDir, "--svg", svg); code != 0 {
		t.Fatalf("stats --svg: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(svg); !strings.Contains(string(b), "tcp/22") {
		t.Errorf("SVG lacks the ports' legend")
	}

	for _, args := range [][]string{
		{"--by", "country"},
		{"--by", "country", "--geoip", filepath.Join(t.TempDir(), "none.mmdb")},
		{"--by", "continent"},
		{"--proto", "sctp"},
		{"--by", "src24", "--svg", svg},
		{"--json", "--csv"},
	} {
		_, errOut, code := run(t, append([]string{"stats", "--case", caseDir}, args...)...)
		if code != 2 || errOut == "" {
			t.Errorf("stats %v: exit %d (%q), want 2 with a message", args, code, errOut)
		}
	}
	if _, errOut, _ := run(t, "stats", "--case", caseDir, "--by", "country"); !strings.Contains(errOut, "--geoip") {
		t.Errorf("country without a database: %q", errOut)
	}
}
