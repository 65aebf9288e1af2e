package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/cli"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
)

// The test binary doubles as the kiseki binary: with KISEKI_RUN_MAIN set it
// runs the CLI, so tests can run real processes (and kill them) without a
// separate build.
func TestMain(m *testing.M) {
	if os.Getenv("KISEKI_RUN_MAIN") == "1" {
		os.Exit(cli.Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KISEKI_RUN_MAIN=1")
	return cmd
}

// run runs kiseki and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func sampleBundle(t *testing.T) string {
	return filepath.Join(corpus.Root(t), "fixtures", "sample")
}

type ingestJSON struct {
	Case  string `json:"case"`
	Items []struct {
		Evidence, Path, Host, Format string
		Events, Unparsed, Errors     int64
		First, Last                  string
	} `json:"items"`
	Events int64 `json:"events"`
	Parsed int   `json:"parsed_now"`
}

func ingest(t *testing.T, bundle, caseDir string) ingestJSON {
	t.Helper()
	out, errOut, code := run(t, "ingest", bundle, "--case", caseDir, "--json")
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	var res ingestJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("ingest --json: %v\n%s", err, out)
	}
	return res
}

// TestSampleEndToEnd ingests the sample bundle and checks the summary, the
// contract's JSON shapes, gzip input, time zones and a search.
func TestSampleEndToEnd(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	res := ingest(t, sampleBundle(t), caseDir)
	want := map[string]struct {
		format           string
		events, unparsed int64
	}{
		"db01/log/syslog":             {"syslog", 400, 0},
		"web01/log/auth.log":          {"auth", 300, 0},
		"web01/nginx/access.log":      {"access-log", 1605, 1},
		"web01/nginx/access.log.1.gz": {"access-log+gzip", 800, 0},
	}
	if len(res.Items) != len(want) || res.Events != 3105 || res.Parsed != 4 {
		t.Fatalf("summary: %+v", res)
	}
	for _, it := range res.Items {
		w := want[it.Path]
		if it.Format != w.format || it.Events != w.events || it.Unparsed != w.unparsed || it.Errors != 0 {
			t.Errorf("%s: %+v, want %+v", it.Path, it, w)
		}
	}
	// The db01 syslog is in Asia/Tokyo (bundle.yaml) with a -35 s clock: its
	// first line "Dec 31 23:31:14" JST is 14:31:14 UTC, plus 35 s.
	for _, it := range res.Items {
		if it.Path == "db01/log/syslog" && it.First != "2025-12-31T14:31:49Z" {
			t.Errorf("db01 first = %s", it.First)
		}
	}

	// Again: nothing new, nothing duplicated.
	again := ingest(t, sampleBundle(t), caseDir)
	if again.Parsed != 0 || again.Events != res.Events {
		t.Errorf("second ingest parsed %d, %d events", again.Parsed, again.Events)
	}

	out, _, code := run(t, "timeline", "--case", caseDir, "--format", "jsonl", "--host", "web01", "--source", "access-log", "--limit", "3")
	if code != 0 {
		t.Fatal(out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d jsonl lines", len(lines))
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"time", "time_desc", "host", "source", "evidence", "ref", "message", "src_ip", "method", "url", "status", "bytes"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("jsonl event lacks %q: %s", k, lines[0])
		}
	}
	ref := ev["ref"].(map[string]any)
	if ref["evidence"] == "" || ref["path"] != "web01/nginx/access.log.1.gz" || ref["line"] != 1.0 {
		t.Errorf("ref %v", ref)
	}
	if ev["time"] != "2025-12-30T00:00:38Z" {
		t.Errorf("first web event at %v", ev["time"])
	}

	// The attacker's requests: 5 probes, the upload, the shell, 120 API calls.
	out, _, _ = run(t, "search", "--case", caseDir, "--json", "--limit", "1", "ip:203.0.113.66 AND source:access-log")
	var sr struct {
		Total   int64            `json:"total"`
		Indexed bool             `json:"indexed"`
		Events  []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &sr); err != nil {
		t.Fatal(err, out)
	}
	if sr.Total != 127 || !sr.Indexed || len(sr.Events) != 1 || sr.Events[0]["url"] != "/admin" {
		t.Errorf("attacker search: total %d indexed %v events %v", sr.Total, sr.Indexed, sr.Events)
	}
	out, _, _ = run(t, "search", "--case", caseDir, "--count", `"Accepted password" deploy`)
	if !strings.HasPrefix(out, "1 matching events") {
		t.Errorf("phrase search: %s", out)
	}

	out, _, code = run(t, "verify", "--case", caseDir)
	if code != 0 || strings.Count(out, " ok ") != 4 || !strings.Contains(out, "hash chain intact") {
		t.Errorf("verify exit %d:\n%s", code, out)
	}
}

// TestVerifyDetectsChange flips one byte of a registered evidence file.
func TestVerifyDetectsChange(t *testing.T) {
	bundle := copyDir(t, sampleBundle(t))
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, bundle, caseDir)
	p := filepath.Join(bundle, "web01/log/auth.log")
	b, _ := os.ReadFile(p)
	b[100] ^= 0x20
	os.WriteFile(p, b, 0o644)
	out, _, code := run(t, "verify", "--case", caseDir)
	if code != 1 || !strings.Contains(out, "mismatch") {
		t.Errorf("verify after change: exit %d\n%s", code, out)
	}
	_, errOut, code := run(t, "ingest", bundle, "--case", caseDir)
	if code != 1 || !strings.Contains(errOut, "changed since it was registered") {
		t.Errorf("ingest after change: exit %d: %s", code, errOut)
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"timeline"}, 2, "--case is required"},
		{[]string{"timeline", "--case", t.TempDir()}, 2, "not a Kiseki case"},
		{[]string{"ingest", "/nonexistent/bundle", "--case", filepath.Join(t.TempDir(), "c")}, 1, "no such file"},
		{[]string{"search", "--case", "x"}, 2, ""},
		{[]string{"timeline", "--bogus"}, 2, "unknown flag"},
	}
	for _, tc := range cases {
		_, errOut, code := run(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}

func TestBadQueryAndTimes(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, sampleBundle(t), caseDir)
	for _, args := range [][]string{
		{"search", "--case", caseDir, "status:abc"},
		{"search", "--case", caseDir, "nosuchfield:x"},
		{"search", "--case", caseDir, "(unclosed"},
		{"timeline", "--case", caseDir, "--from", "yesterday"},
	} {
		_, errOut, code := run(t, args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d %q, want 2 with a message", args, code, errOut)
		}
	}
	// Case-zone times: 2026-01-02 08:00 JST is 2026-01-01T23:00Z.
	out, _, _ := run(t, "timeline", "--case", caseDir, "--from", "2026-01-02 08:00", "--to", "2026-01-02 08:01", "--format", "jsonl")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct{ Time string }
		json.Unmarshal([]byte(l), &ev)
		if ev.Time < "2026-01-01T23:00:00Z" || ev.Time > "2026-01-01T23:01:59Z" {
			t.Errorf("event outside the range: %s", l)
		}
	}
}

// TestHostileContent: a log line carrying terminal escapes must reach the
// terminal inert, and JSON must still carry the bytes faithfully.
func TestHostileContent(t *testing.T) {
	bundle := t.TempDir()
	line := "10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] \"GET /\x1b]0;pwned\x07\x1b[2J HTTP/1.1\" 200 1 \"-\" \"\x1b[31mred\"\n"
	os.WriteFile(filepath.Join(bundle, "access.log"), []byte(line+"\x1b[31mnot a log line\x00\n"), 0o644)
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, bundle, caseDir)
	for _, f := range []string{"table", "csv", "l2tcsv", "bodyfile"} {
		out, _, _ := run(t, "timeline", "--case", caseDir, "--format", f)
		if strings.ContainsAny(out, "\x1b\x07\x00") {
			t.Errorf("%s output carries control bytes: %q", f, out)
		}
	}
	out, _, _ := run(t, "timeline", "--case", caseDir, "--format", "jsonl")
	if !strings.Contains(out, `\u001b]0;pwned`) {
		t.Errorf("jsonl lost the bytes: %s", out)
	}
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// bigBundle writes n access logs of lines each, so an ingest takes long
// enough to be killed in each of its phases.
func bigBundle(t *testing.T, n, lines int) string {
	dir := t.TempDir()
	for f := range n {
		var b bytes.Buffer
		for i := range lines {
			ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i*n+f) * time.Second)
			fmt.Fprintf(&b, "10.0.%d.%d - - [%s] \"GET /item?id=%d HTTP/1.1\" 200 %d \"-\" \"agent-%d\"\n", f, i%250, ts.Format("02/Jan/2006:15:04:05 -0700"), i%3000, i%5000, i%37)
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("access-%02d.log", f)), b.Bytes(), 0o644)
	}
	return dir
}

// TestResumeAfterKill kills a real ingest process with SIGKILL at several
// points (while parsing, merging and indexing), resumes it, and checks the
// final timeline is exactly the one a clean ingest gives: same rows, no
// duplicates.
func TestResumeAfterKill(t *testing.T) {
	bundle := bigBundle(t, 6, 15000)
	clean := filepath.Join(t.TempDir(), "clean")
	ingest(t, bundle, clean)
	want, _, _ := run(t, "timeline", "--case", clean, "--format", "csv")

	caseDir := filepath.Join(t.TempDir(), "killed")
	// Kill points: after the first parsed file, after a merge started, after
	// the index build started, and once at a fixed early moment.
	waits := []func() bool{
		func() bool { return exists(filepath.Join(caseDir, "evidence.json")) },
		func() bool { return countDone(caseDir) >= 1 },
		func() bool {
			m, _ := filepath.Glob(filepath.Join(caseDir, "timeline", "g*", "seg-*"))
			return len(m) > 0
		},
		func() bool { return exists(filepath.Join(caseDir, "index", "bleve")) },
	}
	killed := 0
	for _, ready := range waits {
		cmd := command("ingest", bundle, "--case", caseDir, "-q")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for !ready() && time.Now().Before(deadline) && !exited(cmd) {
			time.Sleep(2 * time.Millisecond)
		}
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			killed++
		}
		cmd.Wait()
	}
	if killed == 0 {
		t.Fatal("no ingest was killed")
	}
	res := ingest(t, bundle, caseDir)
	if res.Events != 90000 {
		t.Fatalf("resumed ingest: %d events", res.Events)
	}
	got, _, _ := run(t, "timeline", "--case", caseDir, "--format", "csv")
	if got != want {
		t.Fatalf("timeline after kills differs from a clean ingest (%d vs %d bytes)", len(got), len(want))
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(got))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		ref := f[5]
		if seen[ref] {
			t.Fatalf("duplicate event %s", ref)
		}
		seen[ref] = true
	}
	if len(seen) != 90001 { // with the header line
		t.Errorf("%d distinct rows", len(seen))
	}
	out, _, _ := run(t, "search", "--case", caseDir, "--count", "agent")
	if !strings.HasPrefix(out, "90000 matching") {
		t.Errorf("index after kills: %s", out)
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func countDone(caseDir string) int {
	m, _ := filepath.Glob(filepath.Join(caseDir, "runs", "E*", "done.json"))
	return len(m)
}

func exited(cmd *exec.Cmd) bool {
	return cmd.ProcessState != nil || cmd.Process.Signal(syscall.Signal(0)) != nil
}
