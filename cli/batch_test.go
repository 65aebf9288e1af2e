package cli_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/fixtures/campaign"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/timeline"
)

var campaignOpts = campaign.Default

type batchJSON struct {
	Bundles []engine.BatchItem `json:"bundles"`
}

func runBatch(t *testing.T, args ...string) (batchJSON, int) {
	t.Helper()
	out, errOut, code := run(t, append([]string{"batch", "--json"}, args...)...)
	var res batchJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("batch --json (exit %d): %v\n%s\n%s", code, err, out, errOut)
	}
	return res, code
}

// statusLines reads CASES/batch.jsonl.
func statusLines(t *testing.T, casesDir string) []engine.BatchItem {
	t.Helper()
	f, err := os.Open(filepath.Join(casesDir, engine.BatchStatusName))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []engine.BatchItem
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var it engine.BatchItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("batch.jsonl: %v: %s", err, sc.Text())
		}
		out = append(out, it)
	}
	return out
}

// TestBatchKillAndResume runs a batch of 20 bundles (one corrupt), kills it
// with SIGKILL once the first bundles are done, runs it again, and checks:
// 19 cases and one clear failure, every case holds each line once, and no
// file was parsed twice (the re-run parses exactly the files that had no
// finished parse at the kill).
func TestBatchKillAndResume(t *testing.T) {
	dir := t.TempDir()
	bundles, err := campaign.Write(filepath.Join(dir, "campaign"), campaignOpts)
	if err != nil {
		t.Fatal(err)
	}
	cases := filepath.Join(dir, "cases")
	cmd := command("batch", filepath.Join(dir, "campaign"), "--cases", cases, "--jobs", "2", "-q")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(120 * time.Second)
	for len(statusLines(t, cases)) < 3 && time.Now().Before(deadline) && !exited(cmd) {
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("the batch ended before the kill: %v", err)
	}
	cmd.Wait()
	before := statusLines(t, cases)
	finished := len(before)
	finishedBefore := map[string]bool{}
	for _, it := range before {
		finishedBefore[filepath.Base(it.Bundle)] = true
	}
	// An ingest whose ingest-done entry is in its audit log finished, even
	// when the kill came before the batch wrote its status line (the audit
	// entry is synced to disk first, which makes that window real).
	for _, b := range bundles {
		c := filepath.Join(cases, b.Name)
		if !finishedBefore[b.Name] && exists(filepath.Join(c, "audit.jsonl")) && parsedInAudit(t, c) > 0 {
			finishedBefore[b.Name] = true
		}
	}
	if finished >= len(bundles) {
		t.Fatalf("the batch finished all %d bundles before the kill: make the bundles larger", finished)
	}
	// Files whose parse had finished at the kill: these must not be parsed again.
	doneAtKill := map[string]int{}
	partial := 0
	for _, b := range bundles {
		doneAtKill[b.Name] = countDone(filepath.Join(cases, b.Name))
		if !finishedBefore[b.Name] && doneAtKill[b.Name] > 0 {
			partial++
		}
	}
	t.Logf("killed after %d bundles finished; %d more had some files parsed", finished, partial)

	res, code := runBatch(t, filepath.Join(dir, "campaign"), "--cases", cases, "--jobs", "2")
	if code != 1 {
		t.Errorf("exit %d with a failed bundle, want 1", code)
	}
	if len(res.Bundles) != len(bundles) {
		t.Fatalf("%d bundles reported, want %d", len(res.Bundles), len(bundles))
	}
	var skipped, done int
	for i, it := range res.Bundles {
		b := bundles[i]
		if filepath.Base(it.Bundle) != b.Name || it.Case != filepath.Join(cases, b.Name) {
			t.Fatalf("bundle %d: %s → %s", i, it.Bundle, it.Case)
		}
		if b.Corrupt {
			if it.Status != engine.BatchFailed || len(it.Messages) != 1 || !strings.Contains(it.Messages[0], filepath.Join(b.Name, "bundle.yaml")) || !strings.Contains(it.Messages[0], "yaml") {
				t.Errorf("corrupt bundle: %+v", it)
			}
			if exists(it.Case) {
				t.Errorf("a case was created for the corrupt bundle")
			}
			continue
		}
		switch it.Status {
		case engine.BatchSkipped:
			skipped++
		case engine.BatchDone:
			done++
		default:
			t.Errorf("%s: status %s: %v", b.Name, it.Status, it.Messages)
		}
		if want := len(b.Files) - doneAtKill[b.Name]; it.ParsedNow != want {
			t.Errorf("%s: re-run parsed %d files, want %d (%d were finished at the kill)", b.Name, it.ParsedNow, want, doneAtKill[b.Name])
		}
		if it.Events != b.Events || it.Errors != 0 || it.Unparsed != 0 {
			t.Errorf("%s: %d events, %d errors, %d unparsed; want %d, 0, 0", b.Name, it.Events, it.Errors, it.Unparsed, b.Events)
		}
		_, m, err := timeline.Store{Dir: filepath.Join(it.Case, "timeline")}.Current()
		if err != nil || m.Rows != b.Events {
			t.Errorf("%s: timeline holds %d rows (%v), want %d", b.Name, m.Rows, err, b.Events)
		}
		// The finished ingests in the audit log parsed every file once: a
		// bundle finished before the kill in that run, else the files the
		// killed run had not finished in the re-run.
		want := len(b.Files) - doneAtKill[b.Name]
		if finishedBefore[b.Name] {
			want = len(b.Files)
		}
		if n := parsedInAudit(t, it.Case); n != want {
			t.Errorf("%s: the audit log counts %d files parsed by finished ingests, want %d", b.Name, n, want)
		}
	}
	if skipped == 0 || done == 0 || skipped+done != len(bundles)-1 {
		t.Errorf("re-run: %d skipped, %d done; want both and 19 in all", skipped, done)
	}
	entries, _ := os.ReadDir(cases)
	var caseDirs int
	for _, e := range entries {
		if e.IsDir() {
			caseDirs++
		}
	}
	if caseDirs != len(bundles)-1 {
		t.Errorf("%d case directories, want %d", caseDirs, len(bundles)-1)
	}
	// One status line per bundle per run: the killed run's finished bundles
	// and every bundle of the re-run.
	if n := len(statusLines(t, cases)); n != finished+len(bundles) {
		t.Errorf("batch.jsonl holds %d lines, want %d", n, finished+len(bundles))
	}

	// A third run parses nothing and still reports the failure.
	again, code := runBatch(t, filepath.Join(dir, "campaign"), "--cases", cases)
	for _, it := range again.Bundles {
		if it.ParsedNow != 0 || (it.Status != engine.BatchSkipped && it.Status != engine.BatchFailed) {
			t.Errorf("third run: %+v", it)
		}
	}
	if code != 1 {
		t.Errorf("third run exit %d", code)
	}
}

// parsedInAudit sums parsed_now over the finished ingests of a case's audit log.
func parsedInAudit(t *testing.T, caseDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(caseDir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e struct {
			Action string
			Result struct {
				Parsed int `json:"parsed_now"`
			}
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Action == "ingest-done" {
			n += e.Result.Parsed
		}
	}
	return n
}

// TestBatchListAndIndex runs one bundle of a list file by job index, as a
// cluster array job does, and refuses an index past the list.
func TestBatchListAndIndex(t *testing.T) {
	dir := t.TempDir()
	bundles, err := campaign.Write(filepath.Join(dir, "campaign"), campaign.Options{Bundles: 3, Lines: 200})
	if err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "bundles.txt")
	os.WriteFile(list, []byte("# the campaign\ncampaign/bundle-00\ncampaign/bundle-01\n\ncampaign/bundle-02\n"), 0o644)
	cases := filepath.Join(dir, "cases")
	cmd := command("batch", list, "--cases", cases, "--json", "--index-from-env", "JOB_COMPLETION_INDEX")
	cmd.Env = append(cmd.Env, "JOB_COMPLETION_INDEX=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("batch --index-from-env: %v\n%s", err, out)
	}
	var res batchJSON
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Bundles) != 1 || filepath.Base(res.Bundles[0].Bundle) != bundles[1].Name || res.Bundles[0].Events != bundles[1].Events {
		t.Fatalf("job index 1 ran %+v", res.Bundles)
	}
	if exists(filepath.Join(cases, bundles[0].Name)) {
		t.Error("job index 1 also made the case of bundle 0")
	}
	// An evidence item that cannot be read (a truncated gzip) fails its
	// bundle, with the item named; the readable items are in its case.
	gz, err := os.ReadFile(filepath.Join(corpus.Root(t), "fixtures", "sample", "web01", "nginx", "access.log.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "campaign", bundles[2].Name, "nginx", "old.log.gz"), gz[:len(gz)/2], 0o644)
	res, code := runBatch(t, list, "--cases", cases, "--index", "2")
	if code != 1 || len(res.Bundles) != 1 || res.Bundles[0].Status != engine.BatchFailed || res.Bundles[0].Events < bundles[2].Events ||
		len(res.Bundles[0].Messages) != 1 || !strings.HasPrefix(res.Bundles[0].Messages[0], "nginx/old.log.gz: ") {
		t.Errorf("bundle with a truncated gzip: exit %d, %+v", code, res.Bundles)
	}
	if _, _, code := run(t, "batch", list, "--cases", cases, "--index", "3"); code != 2 {
		t.Errorf("--index 3 of 3 bundles: exit %d, want 2", code)
	}
	if _, _, code := run(t, "batch", list, "--cases", cases, "--index-from-env", "NO_SUCH_VARIABLE_SET"); code != 2 {
		t.Errorf("--index-from-env with the variable unset: exit %d, want 2", code)
	}
}

// TestHunt batches the campaign and hunts the planted address: it must be
// found in exactly the 3 planted bundles, with exactly the planted lines as
// references, and an address nobody saw in none.
func TestHunt(t *testing.T) {
	dir := t.TempDir()
	bundles, err := campaign.Write(filepath.Join(dir, "campaign"), campaignOpts)
	if err != nil {
		t.Fatal(err)
	}
	cases := filepath.Join(dir, "cases")
	if _, code := runBatch(t, filepath.Join(dir, "campaign"), "--cases", cases, "--no-index"); code != 1 {
		t.Fatalf("batch exit %d, want 1 (one corrupt bundle)", code)
	}
	out, errOut, code := run(t, "hunt", "--cases", cases, "--json", campaign.PlantedAddr, "203.0.113.250")
	if code != 0 {
		t.Fatalf("hunt exit %d: %s", code, errOut)
	}
	var res struct {
		Cases      int `json:"cases_searched"`
		Indicators []struct {
			Indicator string
			Kinds     []string
			Cases     []struct {
				Case   string
				Events int64
				Hosts  []string
				First  string
				Last   string
				Refs   []struct {
					Time, Host, Evidence, Path string
					Line                       int64
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Cases != len(bundles)-1 || len(res.Indicators) != 2 {
		t.Fatalf("searched %d cases, %d indicators", res.Cases, len(res.Indicators))
	}
	if got := res.Indicators[1].Cases; len(got) != 0 {
		t.Errorf("203.0.113.250 found in %d cases", len(got))
	}
	var planted []campaign.Bundle
	for _, b := range bundles {
		if len(b.Hits) > 0 {
			planted = append(planted, b)
		}
	}
	found := res.Indicators[0]
	if found.Indicator != campaign.PlantedAddr || len(found.Kinds) != 1 || found.Kinds[0] != "ip" || len(found.Cases) != len(planted) || len(planted) != 3 {
		t.Fatalf("%s: kinds %v, %d cases, want %d", found.Indicator, found.Kinds, len(found.Cases), len(planted))
	}
	for i, hc := range found.Cases {
		b := planted[i]
		if hc.Case != b.Name || len(hc.Hosts) != 1 || hc.Hosts[0] != b.Host || hc.Events != int64(len(b.Hits)) || len(hc.Refs) != len(b.Hits) {
			t.Fatalf("case %+v, want %s on %s with %d hits", hc, b.Name, b.Host, len(b.Hits))
		}
		for k, r := range hc.Refs {
			h := b.Hits[k]
			if r.Path != h.Path || r.Line != h.Line || r.Time != h.Time.Format(time.RFC3339Nano) || r.Host != b.Host || r.Evidence == "" {
				t.Errorf("%s ref %d: %+v, want %s:%d at %s", b.Name, k, r, h.Path, h.Line, h.Time.Format(time.RFC3339))
			}
		}
		if hc.First != b.Hits[0].Time.Format(time.RFC3339Nano) || hc.Last != b.Hits[len(b.Hits)-1].Time.Format(time.RFC3339Nano) {
			t.Errorf("%s: first %s last %s", b.Name, hc.First, hc.Last)
		}
	}
}
