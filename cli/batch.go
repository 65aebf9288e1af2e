package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/export"
)

func init() { register(newBatchCmd) }

func newBatchCmd() *cobra.Command {
	var (
		casesDir string
		asJSON   bool
		jobs     int
		memLimit int64
		noIndex  bool
		quiet    bool
		index    int
		indexEnv string
		parquet  string
	)
	cmd := &cobra.Command{
		Use:   "batch DIR|LIST --cases CASES",
		Short: "Ingest many evidence bundles, each into its own case, several at once",
		Long: `Batch ingests every subdirectory of DIR (or every bundle directory listed in
the file LIST, one per line) into its own case, CASES/<bundle name>.

Bundles run in parallel within the shared memory limit (256 MiB planned per
bundle; --jobs overrides). Each bundle is resumable exactly as "kiseki ingest":
a re-run skips finished bundles and resumes interrupted ones without parsing
anything twice. A bundle that fails (bad manifest, unreadable evidence) is
reported and the others go on. Every finished bundle appends one line to
CASES/batch.jsonl.

On a cluster, --index N (or --index-from-env VAR, e.g. JOB_COMPLETION_INDEX or
SLURM_ARRAY_TASK_ID) runs only the N-th bundle (0-based, in name order) so each
job of an array ingests one bundle, and --export-parquet DIR writes its case's
Parquet to shared storage (docs/scale-out.md).

Exit status: 0 when every bundle is done or skipped, 1 when any failed (after
the others finished), 2 on bad usage.`,
		Example: `  kiseki batch campaign/ --cases cases/
  kiseki batch bundles.txt --cases /shared/cases --jobs 4 --json
  kiseki batch /shared/bundles --cases /shared/cases --index-from-env JOB_COMPLETION_INDEX`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if casesDir == "" {
				return usageErrorf("--cases is required")
			}
			bundles, err := engine.ListBundles(args[0])
			if err != nil {
				return UsageError{err}
			}
			opt := engine.BatchOptions{Jobs: jobs, MemoryLimit: memLimit << 20, Args: os.Args, NoIndex: noIndex, Indexer: buildIndex}
			if err := batchIndex(cmd, index, indexEnv, &opt); err != nil {
				return err
			}
			if opt.IndexSet && opt.Index >= len(bundles) {
				return usageErrorf("--index %d: %s lists %d bundles (0 to %d)", opt.Index, args[0], len(bundles), len(bundles)-1)
			}
			if memLimit > 0 {
				debug.SetMemoryLimit(memLimit << 20) // shared by every bundle of the process
			}
			ctx := cmd.Context() // cancelled by SIGINT and SIGTERM (Main)
			if !quiet && !asJSON {
				if bars := newBatchProgress(os.Stderr); bars != nil {
					opt.Progress, opt.Started, opt.Finished = bars.progress, bars.started, bars.finished
					defer bars.stop()
				}
			}
			sum, err := engine.Batch(ctx, bundles, casesDir, opt)
			if err != nil {
				return err
			}
			if parquet != "" {
				exportBatch(ctx, sum, parquet)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				printBatch(out, sum)
			}
			if sum.Failed() {
				n := 0
				for _, b := range sum.Bundles {
					if b.Status == engine.BatchFailed {
						n++
					}
				}
				return fmt.Errorf("batch: %d of %d bundles failed (see %s)", n, len(sum.Bundles), casesDir+"/"+engine.BatchStatusName)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&casesDir, "cases", "", "directory of the cases, one per bundle (created if missing)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.IntVar(&jobs, "jobs", 0, "bundles at once (default: what --memory-limit holds, at most one per CPU)")
	f.Int64Var(&memLimit, "memory-limit", 1024, "soft memory limit in MiB shared by every bundle (0: none)")
	f.BoolVar(&noIndex, "no-index", false, "skip building the full-text indexes")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bars")
	f.IntVar(&index, "index", -1, "run only the bundle at this 0-based position (one bundle per cluster job)")
	f.StringVar(&parquet, "export-parquet", "", "after each bundle, export its case as Parquet into this directory (kiseki export --format parquet)")
	f.StringVar(&indexEnv, "index-from-env", "", "take --index from this environment variable (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, NOMAD_META_index)")
	return cmd
}

// exportBatch exports every done or skipped bundle's case as Parquet into
// out; a failed export fails that bundle.
func exportBatch(ctx context.Context, sum *engine.BatchSummary, out string) {
	for i := range sum.Bundles {
		it := &sum.Bundles[i]
		if it.Status == engine.BatchFailed {
			continue
		}
		if _, err := export.Case(ctx, it.Case, export.Options{Format: "parquet", Out: out}); err != nil {
			it.Status = engine.BatchFailed
			it.Errors++
			it.Messages = append(it.Messages, fmt.Sprintf("export to %s: %v", out, err))
		}
	}
}

// batchIndex sets the bundle a cluster job runs from --index or the
// environment variable named by --index-from-env.
func batchIndex(cmd *cobra.Command, index int, env string, opt *engine.BatchOptions) error {
	if env != "" {
		if cmd.Flags().Changed("index") {
			return usageErrorf("--index and --index-from-env exclude each other")
		}
		v, ok := os.LookupEnv(env)
		if !ok {
			return usageErrorf("--index-from-env %s: the variable is not set", env)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return usageErrorf("--index-from-env %s: %q is not a number", env, v)
		}
		index = n
	} else if !cmd.Flags().Changed("index") {
		return nil
	}
	if index < 0 {
		return usageErrorf("--index %d: want 0 or more", index)
	}
	opt.Index, opt.IndexSet = index, true
	return nil
}

func printBatch(w io.Writer, sum *engine.BatchSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUNDLE\tSTATUS\tEVENTS\tUNPARSED\tPARSED NOW\tERRORS\tDURATION\tCASE")
	counts := map[string]int{}
	for _, b := range sum.Bundles {
		counts[b.Status]++
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", sanitize(b.Bundle), b.Status, b.Events, b.Unparsed, b.ParsedNow, b.Errors, b.Duration, sanitize(b.Case))
	}
	tw.Flush()
	for _, b := range sum.Bundles {
		for _, m := range b.Messages {
			fmt.Fprintf(w, "%s: %s\n", b.Status, sanitize(m))
		}
	}
	fmt.Fprintf(w, "\n%d bundles: %d done, %d skipped, %d failed\n", len(sum.Bundles), counts[engine.BatchDone], counts[engine.BatchSkipped], counts[engine.BatchFailed])
}
