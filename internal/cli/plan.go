package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/hpc"
	"github.com/caravan-sim/caravan/internal/results"
)

func init() { register(newPlanCmd) }

func newPlanCmd() *cobra.Command {
	var cf caseFlags
	var df designFlags
	var outDir, caravanBin string
	var perTask int
	var force bool
	var so hpc.SlurmOptions
	var ko hpc.K8sOptions
	cmd := &cobra.Command{
		Use:   "plan <case folder>",
		Short: "Write an ensemble plan with Slurm and Kubernetes job scripts, to run on a cluster",
		Long: `Plan fixes an ensemble (the same flags as 'caravan ensemble') without running
it, and writes into the output folder:
  plan.json         case, input hashes, design, every member's seed and overrides, output layout
  slurm-array.sh    a Slurm job array, one element per task (sbatch slurm-array.sh)
  slurm-merge.sh    the merge step (sbatch --dependency=afterok:<array job> slurm-merge.sh)
  k8s-job.yaml      a Kubernetes Indexed Job, one completion per task
  logs/             where the Slurm scripts write their logs

Each task runs 'caravan run-task --plan plan.json', which reads its index from
SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX and writes only its members'
files; 'caravan merge plan.json' then writes the same results as a local
'caravan ensemble', byte for byte. Paths in the scripts are absolute: put the
case, the folder and the binary where compute nodes see them at the same path.`,
		Args: exactArgs(1, "one case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := df.spec(args[0], cf)
			if err != nil {
				return err
			}
			if perTask < 1 {
				return usageError{fmt.Errorf("--members-per-task %d: want at least 1", perTask)}
			}
			spec.MembersPerTask = perTask
			p, c, err := ensemble.NewPlan(spec)
			if c != nil {
				printWarnings(cmd.ErrOrStderr(), c.Warnings)
			}
			if err != nil {
				return wrapPlanErr(err)
			}
			if outDir == "" {
				outDir = filepath.Join("out", p.Name+"-plan")
			}
			if outDir, err = filepath.Abs(outDir); err != nil {
				return err
			}
			unlock, err := ensemble.Lock(outDir)
			if err != nil {
				return err
			}
			defer unlock()
			if _, err := ensemble.Open(outDir, p, force); err != nil {
				if errors.Is(err, ensemble.ErrOtherPlan) {
					return usageError{err}
				}
				return err
			}
			if caravanBin == "" {
				if caravanBin, err = os.Executable(); err != nil {
					return err
				}
			}
			planPath := filepath.Join(outDir, ensemble.PlanFile)
			so.Caravan, so.PlanPath = caravanBin, planPath
			if so.JobName == "" {
				so.JobName = hpc.JobName(p.Name)
			}
			if ko.Name == "" {
				ko.Name = so.JobName
			}
			if ko.PlanPath == "" {
				ko.PlanPath = filepath.ToSlash(filepath.Join("/data", filepath.Base(outDir), ensemble.PlanFile))
			}
			if err := os.MkdirAll(filepath.Join(outDir, "logs"), 0o755); err != nil {
				return err
			}
			files := []struct {
				name string
				data []byte
				mode os.FileMode
			}{
				{"slurm-array.sh", hpc.SlurmArray(p, so), 0o755},
				{"slurm-merge.sh", hpc.SlurmMerge(p, so), 0o755},
				{"k8s-job.yaml", hpc.K8sIndexedJob(p, ko), 0o644},
			}
			for _, f := range files {
				path := filepath.Join(outDir, f.name)
				if err := results.WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(f.data); return err }); err != nil {
					return err
				}
				if err := os.Chmod(path, f.mode); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "plan for %s: %d members in %d tasks of up to %d, in %s\n", p.Name, len(p.Members), p.Layout.Tasks, p.Layout.MembersPerTask, outDir)
			fmt.Fprintf(out, "  Slurm:      jid=$(sbatch --parsable %s) && sbatch --dependency=afterok:$jid %s\n",
				filepath.Join(outDir, "slurm-array.sh"), filepath.Join(outDir, "slurm-merge.sh"))
			fmt.Fprintf(out, "  Kubernetes: kubectl apply -f %s, then caravan merge %s\n", filepath.Join(outDir, "k8s-job.yaml"), planPath)
			fmt.Fprintf(out, "  anywhere:   caravan run-task --plan %s --index 0-%d && caravan merge %s\n", planPath, p.Layout.Tasks-1, planPath)
			return nil
		},
	}
	cf.register(cmd)
	df.register(cmd, 10)
	fl := cmd.Flags()
	fl.StringVarP(&outDir, "out", "o", "", "plan folder (default out/<case>-plan)")
	fl.IntVar(&perTask, "members-per-task", 1, "members each array task runs (pack many short members per task)")
	fl.StringVar(&caravanBin, "caravan", "", "caravan binary as compute nodes see it (default: this one)")
	fl.BoolVar(&force, "force", false, "replace a folder holding a different plan")
	fl.StringVar(&so.Partition, "slurm-partition", "", "Slurm partition")
	fl.StringVar(&so.Account, "slurm-account", "", "Slurm account")
	fl.StringVar(&so.Time, "slurm-time", "", "Slurm time limit per task, e.g. 00:30:00")
	fl.StringVar(&so.Mem, "slurm-mem", "", "Slurm memory per task, e.g. 2G")
	fl.IntVar(&so.CPUsPerTask, "slurm-cpus", 1, "CPUs per array task (workers of run-task)")
	fl.IntVar(&so.Throttle, "slurm-throttle", 0, "most array tasks running at once (0: no limit)")
	fl.StringVar(&ko.Image, "k8s-image", "caravan:latest", "container image with the caravan binary")
	fl.StringVar(&ko.PVC, "k8s-pvc", "caravan-data", "PersistentVolumeClaim holding the case and the plan folder")
	fl.StringVar(&ko.PlanPath, "k8s-plan", "", "plan.json inside the pods (default /data/<folder name>/plan.json)")
	fl.StringVar(&ko.CaseDir, "k8s-case", "", "case folder inside the pods (default: the plan's path)")
	fl.IntVar(&ko.Parallelism, "k8s-parallelism", 0, "pods at once (default min(tasks, 10))")
	return cmd
}
