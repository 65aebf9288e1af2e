package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/buildinfo"
	"github.com/kiseki-forensics/kiseki/search"
)

// Exit codes from the contract.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// UsageError is bad usage or bad input: exit status 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

var commands []func() *cobra.Command

// register adds a command constructor; called from init in each command file.
func register(f func() *cobra.Command) { commands = append(commands, f) }

// NewRoot builds the command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "kiseki",
		Short: "Kiseki builds one forensic timeline from disk images, memory dumps and logs",
		Long: `Kiseki (軌跡, "trace") turns an evidence bundle (disk images, memory dumps, web,
CDN, firewall and system logs) into one sorted, searchable timeline in a case
directory, with every piece of evidence hashed and every event traceable to the
byte, line or inode it came from.

Start with:  kiseki ingest BUNDLE --case CASEDIR`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.Get().String(),
		Args:          cobra.ArbitraryArgs,
		RunE:          rootRun,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	for _, f := range commands {
		root.AddCommand(f())
	}
	completeValues(root)
	var profile string
	root.PersistentFlags().StringVar(&profile, "cpuprofile", "", "write a Go CPU profile to this file (for benchmarks)")
	root.PersistentFlags().MarkHidden("cpuprofile")
	var stop func()
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if profile == "" {
			return nil
		}
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		stop = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	root.PersistentPostRun = func(*cobra.Command, []string) {
		if stop != nil {
			stop()
		}
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return UsageError{err} })
	return root
}

// Main runs the CLI and returns the process exit status. SIGINT and SIGTERM
// cancel the command's context: every long step (hashing, parsing, merging,
// indexing, searching) stops at its next check, the case lock is released
// by the deferred unlock, and the command exits 1. A second signal kills at
// once.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal takes its default action
	}()
	root := NewRoot()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(os.Stderr, "kiseki:", err)
	var ue UsageError
	var qe *search.QueryError
	var ie *engine.InputError
	if errors.As(err, &ue) || errors.As(err, &qe) || errors.As(err, &ie) {
		return ExitUsage
	}
	return ExitFailure
}

// Argument checks that report bad usage (exit 2), unlike cobra's own.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return UsageError{fmt.Errorf("%s: %w (see kiseki %s --help)", cmd.Name(), err, cmd.Name())}
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return UsageError{fmt.Errorf("%s: %w (see kiseki %s --help)", cmd.Name(), err, cmd.Name())}
		}
		return nil
	}
}
