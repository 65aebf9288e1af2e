package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
)

func init() { register(newVerifyCmd) }

func newVerifyCmd() *cobra.Command {
	var (
		caseDir, bundle string
		asJSON          bool
	)
	cmd := &cobra.Command{
		Use:   "verify --case CASEDIR",
		Short: "Re-hash every evidence file and check the audit log and the timeline's files",
		Long: `Verify reads every registered evidence file again and compares its SHA-256
with the one the audit log recorded at registration (evidence.json must say the
same). It checks the audit log's hash chain and that the log ends where its
anchor (audit.head, rewritten with every entry) says, so removed last lines or
a rewritten chain show; and it hashes every segment of the timeline against its
manifest, and the manifest against the one the last ingest recorded. It exits 1
if anything fails, and records the check in the case's audit log.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			c, err := engine.OpenCase(caseDir)
			if err != nil {
				return UsageError{err}
			}
			r, err := c.VerifyAll(bundle, nil)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"items": r.Items, "failed": r.Failed, "audit_chain_broken_at_line": r.Audit.BrokenAt,
					"audit": r.Audit, "timeline": r.Timeline}); err != nil {
					return err
				}
			} else {
				printVerify(out, r)
			}
			if !r.OK() {
				return verifyFailure(r)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&caseDir, "case", "", "case directory")
	cmd.Flags().StringVar(&bundle, "bundle", "", "where the bundle is now, if it moved since ingest")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func printVerify(out io.Writer, r *engine.VerifyReport) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EVIDENCE\tSTATUS\tPATH\tSHA-256")
	for _, it := range r.Items {
		sum := it.Expected
		if it.Status == "mismatch" {
			sum = "registered " + it.Audited + ", now " + it.Actual
		}
		if it.Error != "" {
			sum = it.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.ID, it.Status, sanitize(it.Path), sanitize(sum))
	}
	tw.Flush()
	a := r.Audit
	switch {
	case a.BrokenAt > 0:
		fmt.Fprintf(out, "audit log: hash chain broken at line %d\n", a.BrokenAt)
	case a.Anchor == "mismatch":
		fmt.Fprintf(out, "audit log: %d lines, but its anchor (audit.head) was written after line %d: lines removed or the chain rewritten\n", a.Lines, a.AnchorLines)
	case a.Anchor == "missing":
		fmt.Fprintln(out, "audit log: its anchor (audit.head) is missing")
	case a.AnchorAdopts > 0:
		fmt.Fprintf(out, "audit log: hash chain intact, %d lines, anchored since line %d (a case older than anchors, or audit.head was removed then)\n", a.Lines, a.AnchorAdopts)
	default:
		fmt.Fprintf(out, "audit log: hash chain intact, %d lines, ends at its anchor\n", a.Lines)
	}
	t := r.Timeline
	for _, p := range t.Problems {
		what := "changed: now " + p.Actual
		if p.Error != "" {
			what = p.Error
		}
		fmt.Fprintf(out, "timeline: segment %s %s (manifest: %s)\n", sanitize(p.File), sanitize(what), p.Want)
	}
	switch t.Manifest {
	case "mismatch":
		fmt.Fprintln(out, "timeline: the manifest is not the one the last ingest recorded in the audit log")
	case "unrecorded":
		fmt.Fprintf(out, "timeline: %d segments match the manifest; the manifest was not recorded (merged by an older Kiseki)\n", t.Checked)
	case "ok":
		fmt.Fprintf(out, "timeline: %d segments match the manifest the last ingest recorded\n", t.Checked)
	}
	if t.Unchecked > 0 {
		fmt.Fprintf(out, "timeline: %d segments have no recorded hash (merged by an older Kiseki)\n", t.Unchecked)
	}
}

func verifyFailure(r *engine.VerifyReport) error {
	var errs []error
	if r.Failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d evidence files failed", r.Failed, len(r.Items)))
	}
	if !r.Audit.OK() {
		errs = append(errs, errors.New("the audit log is not intact"))
	}
	if r.Timeline.Manifest == "mismatch" || len(r.Timeline.Problems) > 0 {
		errs = append(errs, errors.New("the timeline's files are not the ones recorded"))
	}
	return fmt.Errorf("verify: %w", errors.Join(errs...))
}
