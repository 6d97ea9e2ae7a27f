package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/report"
	"github.com/caravan-sim/caravan/internal/results"
)

func init() { register(newReportCmd) }

func newReportCmd() *cobra.Command {
	var outDir string
	var force, quiet bool
	cmd := &cobra.Command{
		Use:   "report <run folder>",
		Short: "Turn a run's output folder into an HTML report with plots",
		Long: `Report reads the output folder of 'caravan run' and writes a report folder with:
  report.html      one self-contained page (figures inlined, no scripts, works offline)
  camps.png/.svg   per camp, simulated against observed population over time
  error-per-day.png/.svg  the error (ARD) per day and its mean
  map.png/.svg     places by kind and final population, routes by flow
  timeline.png/.svg  conflict periods and closures
  camp-errors.csv  the error table: per camp final values, relative and mean error, share of ARD
The folder appears only when everything was written.`,
		Args: exactArgs(1, "one run folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := report.Load(args[0])
			if err != nil {
				return err
			}
			explicit := outDir != ""
			if !explicit {
				outDir = report.DefaultDir(args[0])
			}
			od, err := results.Create(outDir, force || !explicit)
			if err != nil {
				return usageError{err}
			}
			defer od.Abort()
			rep := report.Build(run)
			if err := rep.WriteInto(od); err != nil {
				return err
			}
			if err := od.Commit(); err != nil {
				return err
			}
			path := od.Path()
			if !quiet {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "%s: ARD %.4f over %d days, %d camps\n", run.Summary.Scenario, rep.Errors.ARD, run.Days, len(run.Camps))
				for _, n := range rep.Notes {
					fmt.Fprintln(w, "  note: "+n)
				}
				fmt.Fprintf(w, "report in %s\n", path+"/report.html")
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "report folder (default: <run folder>/report, replaced each time)")
	cmd.Flags().BoolVar(&force, "force", false, "replace --out if it already exists")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	return cmd
}
