package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/kiseki-forensics/kiseki/internal/buildinfo"
)

func init() { register(newManCmd) }

// newManCmd writes the man pages of every command (kiseki.1,
// kiseki-ingest.1, ...) from the command tree itself, so the pages say what
// --help says. Hidden: scripts/release runs it.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the man pages of every command into DIR",
		Hidden: true,
		Args:   exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			in := buildinfo.Get()
			h := &doc.GenManHeader{Title: "KISEKI", Section: "1", Source: "Kiseki " + in.Version, Manual: "Kiseki Manual", Date: manDate(in)}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			if err := doc.GenManTree(root, h, args[0]); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			return nil
		},
	}
}

// manDate is the pages' date: the build's (reproducible), else today.
func manDate(in buildinfo.Info) *time.Time {
	if t, err := time.Parse(time.RFC3339, in.Date); err == nil {
		return &t
	}
	now := time.Now().UTC()
	return &now
}
