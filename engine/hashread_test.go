package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// textLines is n lines of plain text (kept line by line as "text").
func textLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "line %08d of a log nobody parses\n", i)
	}
	return b.String()
}

// A file changed while it was parsed: its new bytes were parsed and
// searchable while the registry held the hash of the old ones, and the
// ingest succeeded. Now the item fails and nothing of it is kept.
func TestEvidenceChangedWhileParsed(t *testing.T) {
	bundle := t.TempDir()
	content := textLines(80000) // 2.8 MB: read in several buffers
	p := write(t, bundle, "app.log", content)
	st, _ := os.Stat(p)
	var once sync.Once
	progress := func(phase string, done, total int64) {
		if phase != "parse" || done == 0 {
			return
		}
		once.Do(func() {
			// Rewrite a line near the end (same length) and put the mtime back.
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				t.Error(err)
				return
			}
			line := "line 00079990 of a log nobody parses\n"
			at := int64(strings.Index(content, line))
			f.WriteAt([]byte(strings.Repeat("X", len(line)-1)), at)
			f.Close()
			os.Chtimes(p, st.ModTime(), st.ModTime())
		})
	}
	caseDir := filepath.Join(t.TempDir(), "case")
	sum, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{Progress: progress, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	it := sum.Items[0]
	if it.Status != "failed" || !strings.Contains(strings.Join(it.Messages, " "), "changed while it was read") {
		t.Fatalf("item %+v: want failed, changed while it was read", it)
	}
	if sum.Events != 0 {
		t.Errorf("%d events kept from bytes that are not the registered ones", sum.Events)
	}
	c, _ := OpenCase(caseDir)
	reg, _ := c.LoadRegistry()
	if h := reg.Items[0].SHA256; h != "" {
		t.Errorf("registry holds %s for bytes that were not all parsed", h)
	}
	// Once it stops changing, a re-run parses it and registers what it parsed.
	sum, err = Ingest(context.Background(), bundle, caseDir, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	want := sha256.Sum256(b)
	reg, _ = c.LoadRegistry()
	if sum.Items[0].Status != "parsed" || sum.Events != 80000 || reg.Items[0].SHA256 != hex.EncodeToString(want[:]) {
		t.Errorf("re-run: %+v, registry %s", sum.Items[0], reg.Items[0].SHA256)
	}
}

// A re-ingest after a change whose mtime was put back said "nothing new":
// "nothing new" is decided by the content's hash.
func TestReingestSeesChangeBehindRestoredMtime(t *testing.T) {
	bundle := t.TempDir()
	p := write(t, bundle, "app.log", textLines(100))
	caseDir := filepath.Join(t.TempDir(), "case")
	if _, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	b, _ := os.ReadFile(p)
	copy(b, "LINE")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, st.ModTime(), st.ModTime())
	_, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{})
	if err == nil || !strings.Contains(err.Error(), "changed since it was registered") {
		t.Fatalf("err %v, want the change refused", err)
	}
}

// An unknown format fails the item; once the manifest is fixed the re-run
// parsed nothing ("nothing new") and kept the stale failure.
func TestRerunRetriesFailedItem(t *testing.T) {
	bundle := t.TempDir()
	write(t, bundle, "fw.log", "Jan  1 00:00:00 fw01 kernel: hello\nJan  1 00:00:01 fw01 kernel: again\n")
	write(t, bundle, "bundle.yaml", "year: 2026\nevidence:\n  - path: fw.log\n    format: no-such-format\n")
	caseDir := filepath.Join(t.TempDir(), "case")
	sum, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Items[0].Status != "failed" {
		t.Fatalf("unknown format: %+v", sum.Items[0])
	}
	write(t, bundle, "bundle.yaml", "year: 2026\nevidence:\n  - path: fw.log\n    format: syslog\n")
	sum, err = Ingest(context.Background(), bundle, caseDir, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Parsed != 1 || sum.Items[0].Status != "parsed" || sum.Items[0].Events != 2 || !sum.Merged {
		t.Fatalf("after the fix: parsed %d, merged %v, %+v", sum.Parsed, sum.Merged, sum.Items[0])
	}
	c, _ := OpenCase(caseDir)
	_, m, err := c.TimelineStore().Current()
	if err != nil || m.Rows != 2 {
		t.Errorf("timeline rows %v, err %v; want the 2 events", m, err)
	}
}

// Cancelling (SIGINT, SIGTERM) while a re-ingest hashes stops the hashing:
// it went on to the last byte before (and forever on /dev/zero).
func TestCancelStopsHashing(t *testing.T) {
	bundle := t.TempDir()
	for i := range 4 {
		write(t, bundle, fmt.Sprintf("app-%d.log", i), textLines(40000))
	}
	caseDir := filepath.Join(t.TempDir(), "case")
	if _, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	for i := range 4 {
		os.Chtimes(filepath.Join(bundle, fmt.Sprintf("app-%d.log", i)), later, later) // touched: hashed again before
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hashed, total int64
	progress := func(phase string, done, all int64) {
		if phase == "hash" {
			hashed, total = done, all
			cancel()
		}
	}
	_, err := Ingest(ctx, bundle, caseDir, IngestOptions{Progress: progress, Workers: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if hashed == 0 || hashed >= total {
		t.Errorf("hashed %d of %d bytes after the cancel; want it to stop after the first file", hashed, total)
	}
	// The lock was released: the next ingest runs.
	if _, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Problems are counted per kind in one place, and listed at most
// maxMessagesPerKind per kind within maxMessages, so a flood of one kind
// does not hide another.
func TestProblemsCappedPerKind(t *testing.T) {
	s := &countingSink{summary: &ItemSummary{}}
	for i := range 1000 {
		s.problem(&parsers.Problem{Name: "img", Offset: int64(i), Kind: "ntfs-corrupt-entry", Err: errors.New("bad fixup")})
	}
	s.problem(&parsers.Problem{Name: "img", Offset: -1, Kind: "ntfs-usn", Err: errors.New("no $J")})
	sum := s.summary
	if sum.Errors != 1001 || sum.Problems["ntfs-corrupt-entry"] != 1000 || sum.Problems["ntfs-usn"] != 1 {
		t.Errorf("counts: errors %d, problems %v", sum.Errors, sum.Problems)
	}
	if len(sum.Messages) != maxMessagesPerKind+1 || sum.Messages[maxMessagesPerKind] != "img: ntfs-usn: no $J" {
		t.Errorf("messages %q", sum.Messages)
	}
}
