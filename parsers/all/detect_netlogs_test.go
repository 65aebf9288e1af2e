package all_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
)

// minScore is the score below which a detection does not count: the file
// is left for the user to name its format.
const minScore = 50

// expectedFormat says which format each corpus file under router/, syslog/
// and wtmp/ is; the test harness files beside the logs (config.yaml,
// parser.assert, licences, utmpdump references) are nothing.
func expectedFormat(rel string) string {
	base := filepath.Base(rel)
	dir := filepath.Base(filepath.Dir(rel))
	switch {
	case strings.HasPrefix(rel, "wtmp/"):
		if strings.HasSuffix(rel, ".txt") {
			return ""
		}
		return "utmp"
	case strings.HasPrefix(base, "LICENSE"), base == "config.yaml", strings.HasSuffix(base, ".assert"):
		return ""
	case strings.HasPrefix(rel, "router/"):
		switch {
		case dir == "fortinet-vpn-bf":
			return "fortigate"
		case strings.HasPrefix(dir, "iptables"), strings.HasPrefix(dir, "proxmox"), dir == "unifi-logs":
			return "iptables"
		case strings.HasPrefix(dir, "mikrotik"):
			return "mikrotik"
		case strings.HasPrefix(dir, "pf"), dir == "opnsense-gui-auth":
			return "pfsense"
		case dir == "opnsense-sshd":
			return "auth"
		case dir == "palo-alto-threat":
			return "paloalto"
		case dir == "cef-logs":
			return "cef"
		}
	case strings.HasPrefix(rel, "syslog/crowdsec/"):
		return "auth" // sshd, sshd-success, pam, and the sshd lines of syslog-logs
	case rel == "syslog/plaso/syslog_ssh.log":
		return "auth"
	case strings.HasPrefix(rel, "syslog/"):
		return "syslog"
	}
	return "?"
}

// TestDetectRouterSyslogWtmp runs parsers.Detect on every file of the
// corpus's router, syslog and wtmp directories and prints the confusion
// table (expected format down, detected across).
func TestDetectRouterSyslogWtmp(t *testing.T) {
	root := corpus.Path(t, "")
	confusion := map[string]map[string]int{}
	var cols []string
	seenCol := map[string]bool{}
	files := 0
	for _, d := range []string{"router", "syslog", "wtmp"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			head, err := readHead(p)
			if err != nil {
				return err
			}
			got := ""
			cands := parsers.Detect(p, head)
			if len(cands) > 0 && cands[0].Score >= minScore {
				got = cands[0].Format.Name
			}
			want := expectedFormat(rel)
			if got != want {
				var alt []string
				for _, c := range cands {
					alt = append(alt, fmt.Sprintf("%s:%d", c.Format.Name, c.Score))
				}
				t.Errorf("%s: detected %q, want %q (candidates %v)", rel, got, want, alt)
			}
			if confusion[want] == nil {
				confusion[want] = map[string]int{}
			}
			confusion[want][got]++
			if !seenCol[got] {
				seenCol[got] = true
				cols = append(cols, got)
			}
			files++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(cols)
	rows := make([]string, 0, len(confusion))
	for r := range confusion {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	name := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d files; rows: expected, columns: detected (score ≥ %d)\n%-12s", files, minScore, "")
	for _, c := range cols {
		fmt.Fprintf(&b, "%10s", name(c))
	}
	b.WriteString("\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-12s", name(r))
		for _, c := range cols {
			fmt.Fprintf(&b, "%10d", confusion[r][c])
		}
		b.WriteString("\n")
	}
	t.Log("\n" + b.String())
}

// TestParseRatioRouterSyslogWtmp parses every corpus file of the formats
// of this area with its expected format and requires more than 99% of its
// lines (records) to parse. Known exceptions: utmp_corrupted holds two
// corrupt records and a 50-byte tail, wtmp.1 a 1-byte tail, both kept raw
// by design.
func TestParseRatioRouterSyslogWtmp(t *testing.T) {
	root := corpus.Path(t, "")
	mine := map[string]bool{"paloalto": true, "cef": true, "auth": true, "iptables": true, "pfsense": true, "fortigate": true, "mikrotik": true, "utmp": true}
	exceptions := map[string]bool{"wtmp/plaso/utmp_corrupted": true, "wtmp/plaso/wtmp.1": true}
	var b strings.Builder
	for _, d := range []string{"router", "syslog", "wtmp"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			format := expectedFormat(rel)
			if !mine[format] {
				return nil
			}
			evs := parsertest.Parse(t, format, p, 2024, nil)
			parsed, total := parsertest.ParsedRatio(evs)
			fmt.Fprintf(&b, "%-70s %-10s %4d/%-4d\n", rel, format, parsed, total)
			if parsed*100 <= total*99 && !exceptions[rel] {
				t.Errorf("%s (%s): %d of %d parsed", rel, format, parsed, total)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Log("\n" + b.String())
}

func readHead(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, parsers.HeadSize)
	n, _ := f.Read(buf)
	return buf[:n], nil
}
