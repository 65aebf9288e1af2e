package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScopeAndLeaksCommands runs kiseki scope and kiseki leaks on the
// webshop fixture: contract JSON, the table, the CSV annex, usage errors
// (exit 2) and the audit log.
func TestScopeAndLeaksCommands(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, filepath.Join("..", "fixtures", "webshop", "bundle"), caseDir)

	out, errOut, code := run(t, "scope", "--case", caseDir, "--ioc", "203.0.113.66", "--json")
	if code != 0 {
		t.Fatalf("scope exit %d: %s", code, errOut)
	}
	var sc struct {
		Window struct{ First, Last string }
		Hosts  []struct {
			Name string
			Refs []map[string]any
		}
		Accounts        []struct{ Name, Host string }
		Files           []struct{ Host, Path string }
		RemoteAddresses []struct{ Address, Direction string } `json:"remote_addresses"`
		Lateral         []struct{ From, To, Kind string }
	}
	if err := json.Unmarshal([]byte(out), &sc); err != nil {
		t.Fatalf("scope --json: %v\n%s", err, out)
	}
	if sc.Window.First != "2026-03-02T14:00:05Z" || sc.Window.Last != "2026-03-03T09:00:02Z" || len(sc.Hosts) != 2 || len(sc.RemoteAddresses) != 3 || len(sc.Lateral) != 3 {
		t.Errorf("scope JSON: %+v", sc)
	}
	if ref := sc.Hosts[0].Refs[0]; ref["evidence"] == nil || ref["path"] == nil || ref["line"] == nil {
		t.Errorf("host reference %v", ref)
	}
	out, _, code = run(t, "scope", "--case", caseDir, "--ioc", "/uploads/.cache/img.php")
	if code != 0 || !strings.Contains(out, "Lateral movement (3)") || !strings.Contains(out, "192.0.2.99") {
		t.Errorf("scope table (exit %d):\n%s", code, out)
	}

	list := filepath.Join(t.TempDir(), "annex.csv")
	out, errOut, code = run(t, "leaks", "--case", caseDir, "--window-from-file", "web01:/var/www/shop/js/checkout.js",
		"--endpoint", "POST /checkout/pay*", "--status", "2xx", "--distinct", "param:order", "--json", "--list", list)
	if code != 0 {
		t.Fatalf("leaks exit %d: %s", code, errOut)
	}
	var lk struct {
		Records    int64
		Method     string
		DistinctBy string `json:"distinct_by"`
		Window     struct{ First, Last string }
		Sample     []string
		Refs       []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &lk); err != nil {
		t.Fatalf("leaks --json: %v\n%s", err, out)
	}
	if lk.Records != 46 || lk.Window.First != "2026-03-02T15:00:00Z" || len(lk.Sample) != 5 || len(lk.Refs) == 0 || lk.Method == "" {
		t.Errorf("leaks JSON %+v", lk)
	}
	csv, err := os.ReadFile(list)
	if err != nil || strings.Count(string(csv), "\n") != 47 {
		t.Errorf("annex: %v, %d lines", err, strings.Count(string(csv), "\n"))
	}
	out, _, code = run(t, "leaks", "--case", caseDir, "--actors-from-scope", "/uploads/.cache/img.php", "--endpoint", "GET /api/customers*", "--status", "2xx", "--distinct", "param:id")
	if code != 0 || !strings.Contains(out, "Records:     140") {
		t.Errorf("leaks --actors-from-scope (exit %d):\n%s", code, out)
	}

	for _, bad := range [][]string{
		{"scope", "--case", caseDir},
		{"scope", "--case", caseDir, "--ioc", "ip:nope"},
		{"scope", "--case", caseDir, "--ioc", "1.2.3.4", "--depth", "0"},
		{"leaks", "--case", caseDir},
		{"leaks", "--case", caseDir, "--actor", "not-an-ip"},
		{"leaks", "--case", caseDir, "--actor", "1.2.3.4", "--distinct", "cookie"},
		{"leaks", "--case", caseDir, "--pii", "--endpoint", "/x"},
		{"leaks", "--case", caseDir, "--window-from-file", "web01"},
	} {
		if _, errOut, code := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errOut)
		}
	}
	audit, _ := os.ReadFile(filepath.Join(caseDir, "audit.jsonl"))
	if strings.Count(string(audit), `"action":"scope"`) != 2 || strings.Count(string(audit), `"action":"leaks"`) != 2 {
		t.Errorf("audit log:\n%s", audit)
	}
}
