package cli_test

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

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
		// A bundle that is not there is bad input, like a bad flag.
		{[]string{"ingest", "/nonexistent/bundle", "--case", filepath.Join(t.TempDir(), "c")}, 2, "no such file"},
		{[]string{"search", "--case", "x"}, 2, ""},
		{[]string{"timeline", "--bogus"}, 2, "unknown flag"},
		{[]string{"ingest", bundleWithTypo(t), "--case", filepath.Join(t.TempDir(), "c")}, 2, `bundle.yaml:3: unknown evidence entry key "log_fromat"`},
	}
	for _, tc := range cases {
		_, errOut, code := run(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}

func bundleWithTypo(t *testing.T) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.log"), []byte("x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bundle.yaml"), []byte("evidence:\n  - path: a.log\n    log_fromat: '$remote_addr'\n"), 0o644)
	return dir
}

func TestBadQueryAndTimes(t *testing.T) {
	caseDir := filepath.Join(t.TempDir(), "case")
	ingest(t, sampleBundle(t), caseDir)
	for _, args := range [][]string{
		{"search", "--case", caseDir, "status:abc"},
		{"search", "--case", caseDir, "nosuchfield:x"},
		{"search", "--case", caseDir, "(unclosed"},
		{"timeline", "--case", caseDir, "--from", "yesterday"},
		{"timeline", "--case", caseDir, "--from", "2026-01-03", "--to", "2026-01-02"},
		{"stats", "--case", caseDir, "--from", "2026-01-03", "--to", "2026-01-02"},
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
		out, _, _ := run(t, "timeline", "--case", caseDir, "--format", f, "--all") // --all: the log line as a bodyfile row
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

// noUID blanks a bodyfile line's UID column: for NTFS, fls prints a value
// from the $STANDARD_INFORMATION owner/security fields as the UID of some
// system files ($Boot: 48); NTFS has no Unix uid and Kiseki writes 0. On ext
// file systems the uids agree, and the other columns are compared as they are.
func noUID(l string) string {
	f := strings.Split(l, "|")
	if len(f) == 11 && strings.Contains(f[2], "-") {
		f[4] = ""
	}
	return strings.Join(f, "|")
}

// TestBodyfileMatchesSleuthKit ingests disk images (raw ext4, and ext2 in a
// split E01 through the container layer) and checks that every line of the
// Sleuth Kit's `fls -r -m` bodyfile for them appears, byte for byte, in
// `kiseki timeline --format bodyfile`, and that mactime -b reads the output.
func TestBodyfileMatchesSleuthKit(t *testing.T) {
	cases := []struct {
		images []string
		ref    string
	}{
		{[]string{"disk/go-ext4/tiny.ext4"}, "disk/go-ext4/tiny.ext4.reference.tsk_fls_bodyfile.txt"},
		{[]string{"disk/go-ext4/hierarchy_64.ext4"}, "disk/go-ext4/hierarchy_64.ext4.reference.tsk_fls_bodyfile.txt"},
		{[]string{"disk/dfvfs/ext2.split.E01", "disk/dfvfs/ext2.split.E02"}, "disk/dfvfs/ext2.reference.tsk_fls_bodyfile.txt"},
		{[]string{"disk/plaso/image.E01"}, "disk/plaso/image.E01.reference.tsk_fls_bodyfile.txt"},
		{[]string{"disk/go-ntfs/charlie.dd.bz2"}, "disk/go-ntfs/charlie.dd.reference.tsk_fls_bodyfile.txt"},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.images[0]), func(t *testing.T) {
			bundle := t.TempDir()
			for _, img := range tc.images {
				b, err := os.ReadFile(corpus.Path(t, img))
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Base(img)
				if strings.HasSuffix(name, ".bz2") {
					// A disk image needs random access: decompress it first,
					// as an investigator would.
					if b, err = io.ReadAll(bzip2.NewReader(bytes.NewReader(b))); err != nil {
						t.Fatal(err)
					}
					name = strings.TrimSuffix(name, ".bz2")
				}
				os.WriteFile(filepath.Join(bundle, name), b, 0o644)
			}
			caseDir := filepath.Join(t.TempDir(), "case")
			ingest(t, bundle, caseDir)
			body, errOut, code := run(t, "timeline", "--case", caseDir, "--format", "bodyfile")
			if code != 0 {
				t.Fatal(errOut)
			}
			ours := map[string]bool{}
			for _, l := range strings.Split(body, "\n") {
				ours[noUID(l)] = true
			}
			ref, _ := os.ReadFile(corpus.Path(t, tc.ref))
			checked := 0
			for _, l := range strings.Split(strings.TrimSpace(string(ref)), "\n") {
				// fls lists a virtual $OrphanFiles directory that is not on
				// disk; Kiseki lists orphans under their own paths instead.
				if strings.Contains(l, "$OrphanFiles") {
					continue
				}
				if !ours[noUID(l)] {
					t.Errorf("fls line missing from Kiseki's bodyfile: %s", l)
				}
				checked++
			}
			if checked < 2 {
				t.Fatalf("only %d reference lines", checked)
			}
			p := filepath.Join(t.TempDir(), "body.txt")
			os.WriteFile(p, []byte(body), 0o644)
			out, err := exec.Command("mactime", "-b", p, "-d").CombinedOutput()
			if err != nil || strings.Count(string(out), "\n") < checked {
				t.Errorf("mactime -b: %v\n%s", err, out)
			}
		})
	}
}

// TestE01Partitions: an E01 with an MBR holding NTFS partitions (p1, and a
// logical p5) and a Linux partition without a file system Kiseki reads.
func TestE01Partitions(t *testing.T) {
	bundle := t.TempDir()
	b, err := os.ReadFile(filepath.Join(corpus.Root(t), "fixtures", "disk", "disk-mbr-ntfs.E01"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bundle, "web01.E01"), b, 0o644)
	caseDir := filepath.Join(t.TempDir(), "case")
	out, _, code := run(t, "ingest", bundle, "--case", caseDir, "--head", "0")
	if code != 0 || !strings.Contains(out, "p2") || !strings.Contains(out, "no supported file system") {
		t.Errorf("summary does not list the unsupported partition:\n%s", out)
	}
	for _, p := range []string{"web01.E01#p1", "web01.E01#p5"} {
		out, _, _ := run(t, "search", "--case", caseDir, "--count", "ref:"+p)
		if strings.HasPrefix(out, "0 ") {
			t.Errorf("no events from %s", p)
		}
	}
}

// TestMemoryDumpIngest: a raw memory image with a web request, an access-log
// line and personal data in it gives a carved event in the timeline and the
// values as artifacts in search, each with its offset in the dump.
func TestMemoryDumpIngest(t *testing.T) {
	dump := make([]byte, 1<<20)
	for i := range dump {
		dump[i] = byte(i*7919 + i>>8) // not text
	}
	req := "GET /api/customer?id=7 HTTP/1.1\r\nHost: shop.example\r\nCookie: sid=secret\r\n\r\n"
	logLine := `203.0.113.66 - - [02/Jan/2026:08:00:01 +0900] "GET /uploads/.cache/img.php?cmd=id HTTP/1.1" 200 54 "-" "curl/8.5.0"` + "\n"
	pii := " mail alice@example.com card 4111111111111111 \n"
	copy(dump[5000:], req)
	copy(dump[70000:], logLine)
	copy(dump[300000:], pii)
	bundle := t.TempDir()
	os.WriteFile(filepath.Join(bundle, "web01.mem"), dump, 0o644)
	caseDir := filepath.Join(t.TempDir(), "case")
	res := ingest(t, bundle, caseDir)
	if res.Items[0].Format != "memory" {
		t.Fatalf("detected as %q", res.Items[0].Format)
	}
	out, _, _ := run(t, "timeline", "--case", caseDir, "--format", "jsonl", "--query", "tag:carved")
	var ev struct {
		Source string
		SrcIP  string `json:"src_ip"`
		URL    string
		Ref    struct{ Offset int64 }
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &ev); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if ev.Source != "access-log" || ev.SrcIP != "203.0.113.66" || ev.URL != "/uploads/.cache/img.php?cmd=id" || ev.Ref.Offset != 70000 {
		t.Errorf("carved event: %+v", ev)
	}
	out, _, _ = run(t, "search", "--case", caseDir, "--json", "alice@example.com OR 4111111111111111")
	var sr struct {
		Artifacts []struct {
			Kind, Value string
			Refs        []struct{ Offset int64 }
		}
	}
	json.Unmarshal([]byte(out), &sr)
	found := map[string]int64{}
	for _, a := range sr.Artifacts {
		found[a.Kind] = a.Refs[0].Offset
	}
	if found["email"] != 300006 || found["card"] != 300029 {
		t.Errorf("artifacts: %s", out)
	}
}

// TestMixedFormats ingests one directory mixing the corpus's formats, some
// compressed, with a case zone and year for the sources that carry none, and
// checks the format, counts and first UTC time of every file.
func TestMixedFormats(t *testing.T) {
	bundle := t.TempDir()
	put := func(name string, b []byte) { os.WriteFile(filepath.Join(bundle, name), b, 0o644) }
	read := func(rel string) []byte {
		b, err := os.ReadFile(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	zst := func(b []byte) []byte {
		var buf bytes.Buffer
		w, _ := zstd.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	xzc := func(b []byte) []byte {
		var buf bytes.Buffer
		w, _ := xz.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	put("shop_access.log", read("weblog/lnav/logfile_shop_access_log.0"))
	put("E2CF.2026-03-01.gz", gz(read("cdn/crowdsec/aws-cloudfront-logs/aws-cloudfront-logs.log")))
	put("logfile_cloudflare.json", read("cdn/lnav/logfile_cloudflare.json"))
	put("elb.log.xz", xzc(read("cdn/plaso/aws_elb_access.log")))
	put("syslog", read("syslog/plaso/syslog"))
	put("wtmp.1", read("wtmp/plaso/wtmp.1"))
	put("auth.log.zst", zst(read("syslog/crowdsec/sshd-logs/sshd-logs.log")))
	put("fastly.log", read("cdn/crowdsec/fastly-logs/fastly-logs.log"))
	put("bundle.yaml", []byte("timezone: Asia/Tokyo\nyear: 2012\n"))
	caseDir := filepath.Join(t.TempDir(), "case")
	res := ingest(t, bundle, caseDir)
	want := map[string]struct {
		format   string
		events   int64
		unparsed int64
		first    string
	}{
		// +0330 in the lines: 03:56:14+0330.
		"shop_access.log": {"access-log", 1000, 0, "2019-01-22T00:26:14Z"},
		// CloudFront writes UTC.
		"E2CF.2026-03-01.gz":      {"cloudfront+gzip", 2, 0, "2024-03-12T15:22:28Z"},
		"logfile_cloudflare.json": {"cloudflare", 1, 0, "2022-10-30T00:00:02Z"},
		"elb.log.xz":              {"aws-alb+xz", 16, 0, "2020-01-11T16:55:19.624Z"},
		// No year, no zone: 2012 and Asia/Tokyo from bundle.yaml (07:52:33 JST).
		"syslog": {"syslog", 18, 1, "2012-01-21T22:52:33Z"},
		// 4 records (two empty) and a 1-byte tail kept raw.
		"wtmp.1":       {"utmp", 5, 1, "2011-12-01T17:36:38.432935Z"}, // as utmpdump prints it
		"auth.log.zst": {"auth+zstd", 24, 0, "2012-02-12T05:10:21Z"},
		"fastly.log":   {"fastly", 4, 0, "2021-11-12T16:59:45Z"},
	}
	if len(res.Items) != len(want) {
		t.Fatalf("%d items: %+v", len(res.Items), res.Items)
	}
	for _, it := range res.Items {
		w := want[it.Path]
		if it.Format != w.format || it.Events != w.events || it.Unparsed != w.unparsed || (w.first != "" && it.First != w.first) {
			t.Errorf("%s: format %s events %d unparsed %d first %s; want %+v", it.Path, it.Format, it.Events, it.Unparsed, it.First, w)
		}
	}
}
