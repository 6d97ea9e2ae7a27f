package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/spec"
)

func init() { register(newExportCmd) }

func newExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a Caravan scenario in another format",
		Args:  exactArgs(0, "a format: flee"),
	}
	cmd.AddCommand(newExportFleeCmd())
	return cmd
}

func newExportFleeCmd() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "flee <scenario> -o <folder>",
		Short: "Write the part of a scenario Flee can read as a Flee case folder",
		Long: `Export flee writes a Caravan scenario (a YAML file, or a folder holding
scenario.yaml) as a Flee case folder: input/ (locations, routes, conflicts,
closures, sim_period, registration_corrections), validation/ (data_layout and
one file per observed series) and simsetting.yml.

Whatever Flee's files cannot hold is an error naming the item: groups,
drivers other than conflicts, policies other than closed borders,
affinities, onward movement, observations other than series, a daily
spawning list, a population for a camp. Sources, ranges and notes are
dropped with a warning. The folder appears only when everything was written;
an existing one is replaced only with --force.`,
		Args: exactArgs(1, "one scenario file or folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{fmt.Errorf("export flee: give the output folder with -o")}
			}
			if !force {
				if _, err := os.Stat(out); err == nil {
					return usageError{fmt.Errorf("%s already exists (use --force to replace it)", out)}
				}
			}
			l, err := spec.Load(args[0])
			if l != nil {
				printWarnings(cmd.ErrOrStderr(), l.Warnings)
			}
			if err != nil {
				return err
			}
			files, warnings, err := flee.Export(l)
			printWarnings(cmd.ErrOrStderr(), warnings)
			if err != nil {
				return err
			}
			if err := flee.WriteCase(out, files, force); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the Flee case %s (%d files)\n", out, len(files))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "output case folder (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace the output folder if it exists")
	return cmd
}
