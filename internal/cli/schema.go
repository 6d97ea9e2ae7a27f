package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/spec"
)

func init() { register(newSchemaCmd) }

func newSchemaCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of Caravan's scenario format",
		Long: `Schema prints the JSON Schema (draft 2020-12) of Caravan's YAML scenario
format, generated from the same Go types the loader reads, so that editors
can complete and check scenario files. With the YAML language server, save it
and start a scenario with

  # yaml-language-server: $schema=scenario.schema.json

docs/scenario-format.md describes every key.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" || out == "-" {
				_, err := cmd.OutOrStdout().Write(spec.Schema())
				return err
			}
			if err := results.WriteFileAtomic(out, func(w io.Writer) error {
				_, err := w.Write(spec.Schema())
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the schema to this file instead of standard output")
	return cmd
}
