package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/export"
)

func init() { register(newExportCmd) }

func newExportCmd() *cobra.Command {
	var (
		caseDir string
		opt     export.Options
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "export --case CASEDIR --format parquet|timesketch|opensearch --out PATH",
		Short: "Write the case's timeline for DuckDB, Spark, Trino, Timesketch or OpenSearch",
		Long: `Export writes every event of the case's timeline (the rows "kiseki timeline"
prints) in a format other engines read:

  parquet     PATH/case=C/host=H/date=D/seg-NNNNNN.parquet: one file per
              timeline segment and partition, zstd, "time" as timestamp[us,
              UTC] plus "time_ns" (int64 nanoseconds), dictionary-encoded
              strings. DuckDB: read_parquet('PATH/**/*.parquet',
              hive_partitioning = true); Spark and Trino read the directory.
  timesketch  PATH is one JSONL file: message, datetime (ISO 8601),
              timestamp (µs), timestamp_desc and the event's fields.
  opensearch  PATH is a directory: index-template.json (the mapping, for
              PUT _index_template/kiseki) and bulk-NNNNNN.ndjson files for the
              _bulk API, each event with a stable _id (a hash of its evidence
              file, reference, time and time meaning): importing twice does
              not duplicate.

A re-export replaces the case's earlier export in PATH.`,
		Example: `  kiseki export --case cases/web01 --format parquet --out /shared/parquet
  kiseki export --case case1 --format timesketch --out case1.jsonl
  kiseki export --case case1 --format opensearch --out case1-bulk/`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" || opt.Out == "" {
				return usageErrorf("--case and --out are required")
			}
			if !contains(export.Formats, opt.Format) {
				return usageErrorf("--format %q: one of %s", opt.Format, strings.Join(export.Formats, ", "))
			}
			if opt.Index != "" {
				if err := export.CheckIndexName(opt.Index); err != nil {
					return UsageError{err}
				}
			}
			if _, err := engine.OpenCase(caseDir); err != nil {
				return UsageError{err}
			}
			sum, err := export.Case(cmd.Context(), caseDir, opt)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(sum)
			}
			fmt.Fprintf(out, "%d events of case %s written as %s to %s (%d files)\n", sum.Events, sanitize(sum.Case), sum.Format, sanitize(sum.Out), len(sum.Files))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringVar(&opt.Format, "format", "parquet", "parquet, timesketch or opensearch")
	f.StringVar(&opt.Out, "out", "", "output directory (parquet, opensearch) or file (timesketch)")
	f.StringVar(&opt.Index, "index", "", "OpenSearch index name (default kiseki-<case name>)")
	f.BoolVar(&asJSON, "json", false, "print what was written as JSON")
	return cmd
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
