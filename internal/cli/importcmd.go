package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/spec"
)

func init() { register(newImportCmd) }

func newImportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Convert a scenario from another format to Caravan's",
		Args:  exactArgs(0, "a format: flee"),
	}
	cmd.AddCommand(newImportFleeCmd())
	return cmd
}

func newImportFleeCmd() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "flee <case folder>",
		Short: "Convert a Flee case folder to a Caravan scenario",
		Long: `Import flee converts a Flee case folder (input/, validation/, simsetting.yml)
to Caravan's YAML scenario format. The case is checked first, as validate
checks it. The scenario keeps the raw numbers, each validation file as its
own observed series, the registration corrections and the closure periods:
run with the same seed and ruleset it gives the same results as the case.

  -o scenario.yaml   one file (the default is standard output)
  -o folder          a folder: scenario.yaml plus one file per observed
                     series under observations/, included in order

An existing output is replaced only with --force.`,
		Args: exactArgs(1, "one case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			stderr := cmd.ErrOrStderr()
			toStdout := out == "" || out == "-"
			folder := !toStdout && !strings.HasSuffix(out, ".yaml") && !strings.HasSuffix(out, ".yml")
			if !toStdout && !force {
				if _, err := os.Stat(out); err == nil {
					return usageError{fmt.Errorf("%s already exists (use --force to replace it)", out)}
				}
			}
			doc, notes, err := flee.Import(dir)
			printWarnings(stderr, notes)
			if err != nil {
				return err
			}
			header := fmt.Sprintf("Caravan scenario imported from the Flee case %s by caravan %s import flee.\n"+
				"Format: docs/scenario-format.md; JSON Schema for editors: caravan schema > scenario.schema.json", filepath.ToSlash(dir), Version)
			switch {
			case toStdout:
				_, err = cmd.OutOrStdout().Write(spec.Marshal(doc, header))
				return err
			case folder:
				od, err := results.Create(out, force)
				if err != nil {
					return usageError{err}
				}
				defer od.Abort()
				if err := spec.WriteFolder(od.TempPath(), doc, header); err != nil {
					return err
				}
				if _, err := spec.Load(od.TempPath()); err != nil {
					return fmt.Errorf("the imported scenario does not load back (please report this): %w", err)
				}
				if err := od.Commit(); err != nil {
					return err
				}
			default:
				data := spec.Marshal(doc, header)
				if _, err := spec.Parse(out, data); err != nil {
					return fmt.Errorf("the imported scenario does not load back (please report this): %w", err)
				}
				if err := results.WriteFileAtomic(out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d places, %d routes, %d events, %d observed series, %s to %s\n",
				out, len(doc.Places), len(doc.Routes), len(doc.Events), len(doc.Observations), doc.Start, doc.End)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "output: a .yaml file, or a folder (default: standard output)")
	cmd.Flags().BoolVar(&force, "force", false, "replace the output if it exists")
	return cmd
}
