package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// BatchStatusName is the status file of a batch in the cases directory: one
// JSON line per bundle per run.
const BatchStatusName = "batch.jsonl"

// BundleMemory is the memory one bundle's ingest is planned to take, in
// bytes: a parse worker's chunk (timeline.RunWriter, 64 MiB of rows) plus
// the merge's two segment builders of at most 48 MiB of strings each and the
// index batch. --memory-limit divided by this bounds the bundles run at once.
const BundleMemory = 256 << 20

// Batch statuses of one bundle.
const (
	BatchDone    = "done"    // parsed (or resumed) and merged in this run
	BatchFailed  = "failed"  // could not be ingested, or an evidence item failed; the messages say why
	BatchSkipped = "skipped" // finished by an earlier run: nothing new to parse or merge
)

// BatchOptions tune a batch run.
type BatchOptions struct {
	Jobs        int   // bundles in parallel; 0: from MemoryLimit and the CPUs
	MemoryLimit int64 // bytes shared by every bundle (0: no limit; Jobs from the CPUs)
	Index       int   // with IndexSet, run only the bundle at this 0-based position (a cluster job index)
	IndexSet    bool
	// Progress, if set, gives the progress function of one bundle's ingest.
	Progress func(bundle string) ProgressFunc
	// Started and Finished, if set, are told when a bundle starts and ends.
	Started  func(bundle string)
	Finished func(BatchItem)
	Args     []string
	NoIndex  bool
	Indexer  IndexBuilder
}

// BatchItem is the result of one bundle.
type BatchItem struct {
	Bundle    string   `json:"bundle"`
	Case      string   `json:"case"`
	Status    string   `json:"status"`
	Events    int64    `json:"events"`
	Unparsed  int64    `json:"unparsed"`
	ParsedNow int      `json:"parsed_now"`
	Errors    int64    `json:"errors"`
	Messages  []string `json:"messages"`
	Duration  string   `json:"duration"`
	// Phases gives the wall time of each ingest phase (hash, parse, merge, index).
	Phases map[string]string `json:"phases,omitempty"`
}

// BatchSummary is what a batch reports.
type BatchSummary struct {
	Bundles []BatchItem `json:"bundles"`
}

// Failed reports whether any bundle failed.
func (s *BatchSummary) Failed() bool {
	for _, b := range s.Bundles {
		if b.Status == BatchFailed {
			return true
		}
	}
	return false
}

// ListBundles returns the bundle directories of src: every subdirectory of
// src when it is a directory, else every non-empty line of the file src
// (relative paths are relative to the file's directory; # starts a comment).
func ListBundles(src string) ([]string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	var out []string
	if st.IsDir() {
		entries, err := os.ReadDir(src)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				out = append(out, filepath.Join(src, e.Name()))
			}
		}
		return out, nil
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(filepath.Dir(src), line)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return out, nil
}

// BatchCaseName is the case directory name of a bundle: its directory name.
func BatchCaseName(bundle string) string { return filepath.Base(filepath.Clean(bundle)) }

// BatchJobs returns how many bundles run at once: jobs when set, else as
// many as the memory limit holds (BundleMemory each), at most one per CPU.
func BatchJobs(jobs int, memoryLimit int64) int {
	if jobs > 0 {
		return jobs
	}
	n := runtime.GOMAXPROCS(0)
	if memoryLimit > 0 {
		n = min(n, int(memoryLimit/BundleMemory))
	}
	return max(n, 1)
}

// Batch ingests every bundle into casesDir/<bundle name>, several at once.
// Each bundle is resumable exactly as Ingest is; a failing bundle is
// reported and the others go on. The error is only for what stops the whole
// batch (no cases directory, two bundles with one name, cancellation).
func Batch(ctx context.Context, bundles []string, casesDir string, opt BatchOptions) (*BatchSummary, error) {
	if err := checkNames(bundles); err != nil {
		return nil, err
	}
	if opt.IndexSet {
		if opt.Index < 0 || opt.Index >= len(bundles) {
			return nil, fmt.Errorf("bundle index %d: the list has %d bundles (0 to %d)", opt.Index, len(bundles), len(bundles)-1)
		}
		bundles = bundles[opt.Index : opt.Index+1]
	}
	if err := os.MkdirAll(casesDir, 0o755); err != nil {
		return nil, err
	}
	status, err := os.OpenFile(filepath.Join(casesDir, BatchStatusName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer status.Close()
	jobs := BatchJobs(opt.Jobs, opt.MemoryLimit)
	// The CPUs are shared: each bundle parses with its share, so N bundles
	// at once do not start N×CPUs workers that fight over the cores.
	workers := max(runtime.GOMAXPROCS(0)/jobs, 1)
	run := time.Now().UTC().Format(time.RFC3339Nano)

	sum := &BatchSummary{Bundles: make([]BatchItem, len(bundles))}
	var mu sync.Mutex // guards the status file and the callbacks
	var statusErr error
	queue := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(bundles)) {
		wg.Go(func() {
			for i := range queue {
				if opt.Started != nil {
					mu.Lock()
					opt.Started(bundles[i])
					mu.Unlock()
				}
				it := batchOne(ctx, bundles[i], casesDir, workers, opt)
				sum.Bundles[i] = it
				if ctx.Err() != nil {
					continue // interrupted: no status line, the next run resumes it
				}
				mu.Lock()
				if err := writeStatus(status, run, it); err != nil && statusErr == nil {
					statusErr = err
				}
				if opt.Finished != nil {
					opt.Finished(it)
				}
				mu.Unlock()
			}
		})
	}
	for i := range bundles {
		if ctx.Err() != nil {
			break
		}
		queue <- i
	}
	close(queue)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if statusErr != nil {
		return sum, fmt.Errorf("%s: %w", filepath.Join(casesDir, BatchStatusName), statusErr)
	}
	return sum, nil
}

// checkNames refuses two bundles that would share a case directory.
func checkNames(bundles []string) error {
	seen := map[string]string{}
	for _, b := range bundles {
		n := BatchCaseName(b)
		if prev, ok := seen[n]; ok {
			return fmt.Errorf("bundles %s and %s would share the case %s: rename one", prev, b, n)
		}
		seen[n] = b
	}
	return nil
}

// batchOne ingests one bundle and never fails the batch: every error becomes
// the bundle's failed status.
func batchOne(ctx context.Context, bundle, casesDir string, workers int, opt BatchOptions) BatchItem {
	start := time.Now()
	it := BatchItem{Bundle: bundle, Case: filepath.Join(casesDir, BatchCaseName(bundle)), Messages: []string{}}
	var progress ProgressFunc
	if opt.Progress != nil {
		progress = opt.Progress(bundle)
	}
	io := IngestOptions{Workers: workers, Progress: progress, Args: opt.Args, NoIndex: opt.NoIndex, Index: opt.Indexer}
	s, err := Ingest(ctx, bundle, it.Case, io)
	it.Duration = time.Since(start).Round(time.Millisecond).String()
	if err != nil {
		it.Status = BatchFailed
		it.Errors = 1
		it.Messages = append(it.Messages, fmt.Sprintf("%s: %v", bundle, err))
		return it
	}
	it.Status = BatchDone
	if s.Parsed == 0 && !s.Merged {
		it.Status = BatchSkipped
	}
	it.Events, it.ParsedNow, it.Phases = s.Events, s.Parsed, s.Phases
	for _, x := range s.Items {
		it.Unparsed += x.Unparsed
		it.Errors += x.Errors
		if x.Status == "failed" {
			// An evidence item that could not be read fails its bundle (the
			// contract's exit 1); its case holds what the other items gave.
			it.Status = BatchFailed
		}
		for _, m := range x.Messages {
			if len(it.Messages) < maxMessages {
				it.Messages = append(it.Messages, x.Path+": "+m)
			}
		}
	}
	return it
}

// statusLine is one line of batch.jsonl.
type statusLine struct {
	Run  string `json:"run"`  // start of the batch run, RFC 3339 UTC
	Time string `json:"time"` // when the bundle ended
	BatchItem
}

// writeStatus appends one line with one write on an O_APPEND file, so the
// lines of bundles (and of the jobs of a cluster array on a local or
// POSIX file system) never interleave.
func writeStatus(f *os.File, run string, it BatchItem) error {
	b, err := json.Marshal(statusLine{Run: run, Time: time.Now().UTC().Format(time.RFC3339Nano), BatchItem: it})
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return err
}
