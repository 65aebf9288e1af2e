package cli

import (
	"encoding/json"
	"fmt"
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
		Short: "Re-hash every evidence file and compare with the registry",
		Long: `Verify reads every registered evidence file again and compares its SHA-256
with the one taken at registration. It exits 1 if any file changed or is
missing, and records the check in the case's audit log. It also checks the
audit log's hash chain.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			c, err := engine.OpenCase(caseDir)
			if err != nil {
				return UsageError{err}
			}
			res, err := c.Verify(bundle, nil)
			if err != nil {
				return err
			}
			broken, err := engine.VerifyAuditChain(c.AuditPath())
			if err != nil {
				return err
			}
			bad := 0
			for _, r := range res {
				if r.Status != "ok" {
					bad++
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"items": res, "failed": bad, "audit_chain_broken_at_line": broken}); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "EVIDENCE\tSTATUS\tPATH\tSHA-256")
				for _, r := range res {
					sum := r.Expected
					if r.Status == "mismatch" {
						sum = "registered " + r.Expected + ", now " + r.Actual
					}
					if r.Error != "" {
						sum = r.Error
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Status, sanitize(r.Path), sanitize(sum))
				}
				tw.Flush()
				if broken > 0 {
					fmt.Fprintf(out, "audit log: hash chain broken at line %d\n", broken)
				} else {
					fmt.Fprintln(out, "audit log: hash chain intact")
				}
			}
			if bad > 0 || broken > 0 {
				return fmt.Errorf("verify: %d of %d evidence files failed", bad, len(res))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&caseDir, "case", "", "case directory")
	cmd.Flags().StringVar(&bundle, "bundle", "", "where the bundle is now, if it moved since ingest")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
