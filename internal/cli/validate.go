package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/flee"
)

type caseFlags struct {
	compat   string
	days     int
	settings string
	set      []string
}

func (f *caseFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.compat, "compat", "caravan", "ruleset: caravan (Flee's rules with its defects fixed) or flee (exact Flee behaviour)")
	cmd.Flags().IntVar(&f.days, "days", 0, "simulate this many days (default: Length in sim_period.csv)")
	cmd.Flags().StringVar(&f.settings, "settings", "", "simsetting.yml to use (default: the one in the case folder)")
	cmd.Flags().StringArrayVar(&f.set, "set", nil, "override a setting, e.g. --set move_rules.max_move_speed=200 (repeatable)")
}

func (f *caseFlags) options() (flee.Options, error) {
	mode, err := parseMode(f.compat)
	if err != nil {
		return flee.Options{}, usageError{err}
	}
	if f.days < 0 {
		return flee.Options{}, usageError{fmt.Errorf("--days %d: must be positive", f.days)}
	}
	return flee.Options{Mode: mode, Days: f.days, SettingsFile: f.settings, Set: f.set}, nil
}

func newValidateCmd() *cobra.Command {
	var cf caseFlags
	cmd := &cobra.Command{
		Use:   "validate <scenario.yaml | case folder>",
		Short: "Check a scenario's input files and list every problem found",
		Long: `Validate reads every input file of a case, checks it, and lists every problem
at once with its file, line, column and field. It exits with status 2 if any
error was found; warnings alone do not fail.`,
		Args: exactArgs(1, "one scenario file or case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt, err := cf.options()
			if err != nil {
				return err
			}
			c, _, err := loadWithEvidence(args[0], opt) // overlays too
			out := cmd.OutOrStdout()
			printWarnings(cmd.ErrOrStderr(), c.Warnings)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "ok: %s\n", c.Describe())
			return nil
		},
	}
	cf.register(cmd)
	return cmd
}

func printWarnings(w interface{ Write([]byte) (int, error) }, ws []diag.Problem) {
	for _, p := range ws {
		fmt.Fprintln(w, p.Error())
	}
}
