// Package cli wires Caravan's commands: one file per command, flags and
// printing only; the work happens in the packages below.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/diag"
)

// Version is set at build time with -ldflags "-X .../cli.Version=v1.2.3".
var Version = "0.1.0-dev"

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the run failed
	exitInput   = 2 // bad usage or bad input
)

// usageError marks errors in how the command was called.
type usageError struct{ error }

// Main runs the command line and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var de *diag.Error
	switch {
	case errors.As(err, &de):
		for _, p := range de.Problems {
			fmt.Fprintln(stderr, "error: "+p.Error())
		}
		fmt.Fprintf(stderr, "%d error(s); nothing was written\n", len(de.Problems))
		return exitInput
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "error: "+err.Error())
		fmt.Fprintln(stderr, "run 'caravan --help' for usage")
		return exitInput
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "interrupted; nothing was written")
		return exitFailure
	}
	fmt.Fprintln(stderr, "error: "+err.Error())
	return exitFailure
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "caravan",
		Short: "Simulate migration systems agent by agent and compare them with the evidence",
		Long: `Caravan simulates migration systems: places of origin, crossings, transit hubs
and destinations linked by routes, through which people move over time.

It runs Flee's case folders (input/, validation/, simsetting.yml) and reports
the error against observed counts.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       versionString(),
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newRunCmd(), newValidateCmd(), newVersionCmd())
	for _, mk := range registered {
		root.AddCommand(mk())
	}
	return root
}

// registered holds commands added by other files of this package through
// register, so that a new command is one new file.
var registered []func() *cobra.Command

func register(mk func() *cobra.Command) { registered = append(registered, mk) }

func versionString() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Caravan's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "caravan", versionString())
			return nil
		},
	}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s: want %s, got %d argument(s)", cmd.Name(), what, len(args))}
		}
		return nil
	}
}
