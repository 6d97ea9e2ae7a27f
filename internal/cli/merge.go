package cli

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/ensemble"
)

func init() { register(newMergeCmd) }

func newMergeCmd() *cobra.Command {
	var caseDir string
	var quiet, jsonOut bool
	cmd := &cobra.Command{
		Use:   "merge <plan.json>",
		Short: "Combine the member files of an ensemble plan into its summary",
		Long: `Merge reads every member file of a plan's folder, in member order, and writes
summary.csv/.parquet, members.csv/.parquet, ensemble.json and manifest.json
beside plan.json: the same files, byte for byte, as 'caravan ensemble' writes
for the same plan. It fails, naming the first, if any member is missing.`,
		Args: exactArgs(1, "one plan.json"),
		RunE: func(cmd *cobra.Command, args []string) error {
			wall := time.Now()
			p, err := ensemble.ReadPlan(args[0])
			if err != nil {
				return usageError{err}
			}
			dir := filepath.Dir(args[0])
			merged, err := ensemble.Merge(p, dir, caseDir)
			if err != nil {
				return err
			}
			man := ensemble.NewManifest(p, "caravan", versionString(), os.Args)
			man.MergeSeconds = time.Since(wall).Seconds()
			man.WallSeconds = man.MergeSeconds
			if err := ensemble.WriteManifest(dir, man); err != nil {
				return err
			}
			if !quiet {
				printEnsemble(cmd.OutOrStdout(), p, merged, dir, jsonOut)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&caseDir, "case", "", "case folder, if not at the plan's path on this machine")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the summary as JSON")
	return cmd
}
