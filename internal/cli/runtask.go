package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/hpc"
)

func init() { register(newRunTaskCmd) }

// taskIndex returns the task list from --index, or the scheduler's
// environment (Slurm array, Kubernetes Indexed Job).
func taskIndex(flag string, tasks int) ([]int, string, error) {
	src := "--index"
	v := flag
	if v == "" {
		for _, env := range []string{hpc.EnvSlurm, hpc.EnvK8s} {
			if s := os.Getenv(env); s != "" {
				v, src = s, env
				break
			}
		}
	}
	if v == "" {
		return nil, "", usageError{fmt.Errorf("no task index: give --index, or run under a Slurm array (%s) or a Kubernetes Indexed Job (%s)", hpc.EnvSlurm, hpc.EnvK8s)}
	}
	idx, err := ensemble.ParseIndices(v, tasks)
	if err != nil {
		return nil, "", usageError{fmt.Errorf("%s: %w", src, err)}
	}
	return idx, src, nil
}

func newRunTaskCmd() *cobra.Command {
	var planPath, index, caseDir string
	var workers int
	var force, quiet bool
	cmd := &cobra.Command{
		Use:   "run-task --plan plan.json [--index i]",
		Short: "Run one task (a few members) of an ensemble plan, as a cluster job array element",
		Long: `Run-task runs the members of one or more tasks of a plan made by 'caravan
plan' (or 'caravan ensemble') and writes each member's file atomically into
the plan's folder. The task index comes from --index (a number, a range such
as 0-99, or a list), else from SLURM_ARRAY_TASK_ID, else from
JOB_COMPLETION_INDEX. Members already written are skipped, so a task can be
rerun after a failure; it touches no other task's files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if planPath == "" {
				return usageError{fmt.Errorf("run-task: --plan is required")}
			}
			p, err := ensemble.ReadPlan(planPath)
			if err != nil {
				return usageError{err}
			}
			tasks, src, err := taskIndex(index, p.Layout.Tasks)
			if err != nil {
				return err
			}
			var members []int
			for _, t := range tasks {
				first, end, err := p.TaskMembers(t)
				if err != nil {
					return usageError{err}
				}
				for i := first; i < end; i++ {
					members = append(members, i)
				}
			}
			dir := filepath.Dir(planPath)
			if err := ensemble.CleanTemps(p, dir, members); err != nil {
				return err
			}
			stats, err := ensemble.Run(cmd.Context(), p, dir, members, ensemble.RunOptions{Workers: workers, CaseDir: caseDir, Force: force})
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return errors.New("interrupted: finished members are kept; run the task again to complete it")
				}
				return err
			}
			if !quiet {
				line := map[string]any{"type": "task", "tasks": tasks, "index_from": src,
					"members": members, "ran": stats.Ran, "present": stats.Present, "wall_s": stats.Wall,
					"member_times": ensemble.Summarize(stats.Timings), "time": time.Now().UTC().Format(time.RFC3339)}
				b, _ := json.Marshal(line)
				fmt.Fprintln(cmd.OutOrStdout(), string(b))
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&planPath, "plan", "", "plan.json (its folder receives the results)")
	fl.StringVar(&index, "index", "", "task index, range (0-99) or list; default from "+hpc.EnvSlurm+" or "+hpc.EnvK8s)
	fl.StringVar(&caseDir, "case", "", "case folder, if not at the plan's path on this machine (its files must match the plan's hashes)")
	fl.IntVarP(&workers, "workers", "j", 1, "members run at once")
	fl.BoolVar(&force, "force", false, "rerun members whose files exist")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	return cmd
}
