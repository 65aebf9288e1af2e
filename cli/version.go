package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/internal/buildinfo"
)

func init() { register(newVersionCmd) }

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and build date",
		Long: `Version prints the version, the VCS revision and the build date of this
binary (also: kiseki --version). The same version and revision are recorded
in case.json and in every audit entry.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := buildinfo.Get()
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(in)
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), in.String())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {version, revision, date, go, platform} as JSON")
	return cmd
}

// rootRun is the root command's own run: with no command it prints the
// help; with an unknown one it is bad usage (exit 2), with cobra's
// suggestions.
func rootRun(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = suggestionDistance
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + s[0] + "?"
	}
	return usageErrorf("%s (see kiseki --help)", msg)
}

// suggestionDistance is the edit distance within which a command is
// suggested for a mistyped one: cobra's own default, which it sets only on
// its legacy path.
const suggestionDistance = 2
