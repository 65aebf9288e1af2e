package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
	_ "github.com/kiseki-forensics/kiseki/parsers/all" // every evidence format
	"github.com/kiseki-forensics/kiseki/search"
)

func init() { register(newIngestCmd) }

func newIngestCmd() *cobra.Command {
	var (
		caseDir  string
		asJSON   bool
		head     int
		noIndex  bool
		workers  int
		quiet    bool
		memLimit int64
	)
	cmd := &cobra.Command{
		Use:   "ingest BUNDLE --case CASEDIR",
		Short: "Hash, register and parse an evidence bundle into a case timeline",
		Long: `Ingest reads every file of an evidence bundle (a directory, with an optional
bundle.yaml giving hosts, time zones, years and formats), registers each file
with its SHA-256 in the case's evidence registry, detects its format, parses it
into the case timeline and builds the search index.

It is safe to run again: files already parsed are skipped, a file whose
parsing was interrupted is parsed again from the start, and no event is ever
written twice. A file whose bytes changed since registration stops the ingest.

Lines that no parser understands are kept as "unparsed" events with their raw
bytes and counted in the summary; nothing is dropped.`,
		Example: `  kiseki ingest fixtures/sample --case /tmp/case1
  kiseki ingest evidence/ --case case1 --json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			if memLimit > 0 {
				// A soft limit: the collector works harder as the heap nears
				// it, which keeps peak memory flat on wide rows.
				debug.SetMemoryLimit(memLimit << 20)
			}
			ctx := cmd.Context() // cancelled by SIGINT and SIGTERM (Main)
			progress, done := newProgress(quiet || asJSON)
			opt := engine.IngestOptions{Workers: workers, Progress: progress, Args: os.Args, NoIndex: noIndex, Index: buildIndex}
			if !quiet && !asJSON && !noIndex {
				opt.Queryable = func(d time.Duration) {
					fmt.Fprintf(cmd.ErrOrStderr(), "\rcase queryable after %s; building the index (search scans until it is complete)\n", d.Round(time.Millisecond))
				}
			}
			sum, err := engine.Ingest(ctx, args[0], caseDir, opt)
			done()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
				return failedItems(sum)
			}
			printSummary(out, sum)
			if head > 0 {
				fmt.Fprintf(out, "\nFirst %d events (kiseki timeline --case %s for all):\n", head, caseDir)
				if err := printTimeline(cmd.Context(), out, caseDir, timelineOptions{limit: head, format: "table", tz: "UTC"}); err != nil {
					return err
				}
			}
			return failedItems(sum)
		},
	}
	cmd.Flags().StringVar(&caseDir, "case", "", "case directory (created if it does not exist)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().IntVar(&head, "head", 10, "after the summary, print the first N events of the timeline (0: none)")
	cmd.Flags().BoolVar(&noIndex, "no-index", false, "skip building the full-text index (search then scans)")
	cmd.Flags().IntVar(&workers, "workers", 0, "files parsed in parallel (default: number of CPUs)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bars")
	cmd.Flags().Int64Var(&memLimit, "memory-limit", 768, "soft memory limit in MiB for the Go heap (0: none)")
	return cmd
}

func buildIndex(ctx context.Context, c *engine.Case, progress func(done, total int64)) error {
	return search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), progress)
}

func printSummary(w io.Writer, sum *engine.IngestSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "EVIDENCE\tPATH\tHOST\tFORMAT\tEVENTS\tARTIFACTS\tUNPARSED\tERRORS\tFIRST\tLAST\t")
	var unparsed, errs int64
	row := func(it *engine.ItemSummary, indent string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t\n", it.Evidence, indent+sanitize(it.Path), sanitize(it.Host), it.Format, it.Events, it.Artifacts, it.Unparsed, it.Errors, it.First, it.Last)
	}
	var all []engine.ItemSummary // items, and the files inside images after their image
	for _, it := range sum.Items {
		row(&it, "")
		unparsed += it.Unparsed
		errs += it.Errors
		all = append(all, it)
		for _, in := range it.Inner {
			row(&in, "+ ") // a file inside the image: included in its counts
			all = append(all, in)
		}
	}
	tw.Flush()
	for _, it := range all {
		if len(it.Candidates) > 0 {
			fmt.Fprintf(w, "note: %s: format ambiguous, candidates %v\n", sanitize(it.Path), it.Candidates)
		}
		for _, m := range it.Messages {
			fmt.Fprintf(w, "%s: %s: %s\n", it.Status, sanitize(it.Path), sanitize(m))
		}
	}
	state := "nothing new to parse"
	if sum.Parsed > 0 {
		state = fmt.Sprintf("parsed %d file(s) now", sum.Parsed)
	}
	fmt.Fprintf(w, "\n%d files, %d events (%d unparsed, %d errors); %s in %s", len(sum.Items), sum.Events, unparsed, errs, state, sum.Duration)
	if sum.Parsed > 0 {
		fmt.Fprintf(w, " (hash %s, parse %s, merge %s", sum.Phases["hash"], sum.Phases["parse"], sum.Phases["merge"])
		if d, ok := sum.Phases["index"]; ok {
			fmt.Fprintf(w, ", index %s", d)
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintf(w, "\nqueryable after %s", sum.Queryable)
	if sum.IndexComplete != "" {
		fmt.Fprintf(w, ", index complete after %s", sum.IndexComplete)
	}
	fmt.Fprintln(w)
}

// failedItems is the run's failure (exit 1) when any evidence item, or a
// member of an archive, failed: the rest was ingested, and the error names
// each failed item so that a batch script sees it.
func failedItems(sum *engine.IngestSummary) error {
	var failed []string
	var walk func([]engine.ItemSummary)
	walk = func(items []engine.ItemSummary) {
		for _, it := range items {
			if it.Status == "failed" {
				failed = append(failed, sanitize(it.Path))
			}
			walk(it.Members)
			walk(it.Inner)
		}
	}
	walk(sum.Items)
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d evidence item(s) failed (the rest was ingested): %s", len(failed), strings.Join(failed, ", "))
}
