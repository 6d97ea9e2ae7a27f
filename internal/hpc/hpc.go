// Package hpc writes the job scripts that run an ensemble plan on a cluster
// scheduler: a Slurm job array and a Kubernetes Indexed Job. Each array
// element runs `caravan run-task`, which takes its index from the
// scheduler's environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX) and
// writes only its own members' files; `caravan merge` then combines them.
package hpc

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/ensemble"
)

// Index environment variables, in the order run-task looks at them.
const (
	EnvSlurm = "SLURM_ARRAY_TASK_ID"
	EnvK8s   = "JOB_COMPLETION_INDEX"
)

// SlurmOptions shape the Slurm scripts.
type SlurmOptions struct {
	Caravan  string // the caravan binary, as compute nodes see it
	PlanPath string // absolute path of plan.json, as compute nodes see it
	JobName  string
	// Optional #SBATCH settings ("" or 0 leaves them to the site's defaults).
	Partition   string
	Account     string
	Time        string // e.g. 00:30:00
	Mem         string // e.g. 2G
	CPUsPerTask int    // default 1; run-task uses that many workers
	Throttle    int    // most array tasks running at once (the %N of --array)
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// JobName turns a case name into a scheduler-safe job name.
func JobName(caseName string) string {
	n := strings.ToLower(safeName.ReplaceAllString(caseName, "-"))
	n = strings.Trim(n, "-.")
	if n == "" {
		n = "case"
	}
	return "caravan-" + n
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SlurmArray returns a job-array script with one array element per plan
// task. Submit it with sbatch from any folder; logs go to <plan dir>/logs.
func SlurmArray(p *ensemble.Plan, o SlurmOptions) []byte {
	var b strings.Builder
	cpus := max(o.CPUsPerTask, 1)
	dir := filepath.Dir(o.PlanPath)
	array := "0-" + strconv.Itoa(p.Layout.Tasks-1)
	if o.Throttle > 0 {
		array += "%" + strconv.Itoa(o.Throttle)
	}
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Caravan ensemble %s: %d members in %d array tasks of up to %d.\n", p.Name, len(p.Members), p.Layout.Tasks, p.Layout.MembersPerTask)
	fmt.Fprintf(&b, "# Submit: sbatch %s\n", shellQuote(filepath.Join(dir, "slurm-array.sh")))
	fmt.Fprintf(&b, "# Then:   sbatch --dependency=afterok:<job id> %s\n", shellQuote(filepath.Join(dir, "slurm-merge.sh")))
	fmt.Fprintf(&b, "# A failed or cancelled task can simply be run again: tasks skip members already written.\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", o.JobName)
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n")
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", cpus)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, "logs", "task-%A_%a.out"))
	sbatchOpt(&b, "partition", o.Partition)
	sbatchOpt(&b, "account", o.Account)
	sbatchOpt(&b, "time", o.Time)
	sbatchOpt(&b, "mem", o.Mem)
	fmt.Fprintf(&b, "set -euo pipefail\n")
	fmt.Fprintf(&b, "exec %s run-task --plan %s --workers \"${SLURM_CPUS_PER_TASK:-%d}\"\n", shellQuote(o.Caravan), shellQuote(o.PlanPath), cpus)
	return []byte(b.String())
}

// SlurmMerge returns a one-task script that merges the members.
func SlurmMerge(p *ensemble.Plan, o SlurmOptions) []byte {
	var b strings.Builder
	dir := filepath.Dir(o.PlanPath)
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Merges the members of Caravan ensemble %s once every array task is done.\n", p.Name)
	fmt.Fprintf(&b, "#SBATCH --job-name=%s-merge\n", o.JobName)
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n")
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=1\n")
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, "logs", "merge-%j.out"))
	sbatchOpt(&b, "partition", o.Partition)
	sbatchOpt(&b, "account", o.Account)
	sbatchOpt(&b, "time", o.Time)
	sbatchOpt(&b, "mem", o.Mem)
	fmt.Fprintf(&b, "set -euo pipefail\n")
	fmt.Fprintf(&b, "exec %s merge %s\n", shellQuote(o.Caravan), shellQuote(o.PlanPath))
	return []byte(b.String())
}

func sbatchOpt(b *strings.Builder, name, v string) {
	if v != "" {
		fmt.Fprintf(b, "#SBATCH --%s=%s\n", name, v)
	}
}

// K8sOptions shape the Kubernetes Indexed Job.
type K8sOptions struct {
	Name        string // job name
	Image       string // container image holding the caravan binary
	Caravan     string // binary inside the image (default caravan)
	PVC         string // PersistentVolumeClaim holding the case and the ensemble folder
	MountPath   string // where the claim is mounted (default /data)
	PlanPath    string // plan.json inside the container
	CaseDir     string // the case inside the container ("" uses the plan's path)
	Parallelism int    // pods at once (default min(tasks, 10))
	CPU         string // CPU request per pod (default 1)
	Memory      string // memory request per pod (default 1Gi)
	// BackoffLimitPerIndex retries a failed index this many times
	// (Kubernetes ≥ 1.29; default 2).
	BackoffLimitPerIndex int
}

// K8sIndexedJob returns a batch/v1 Job in Indexed completion mode, one
// completion per plan task; Kubernetes sets JOB_COMPLETION_INDEX in each pod.
func K8sIndexedJob(p *ensemble.Plan, o K8sOptions) []byte {
	if o.Caravan == "" {
		o.Caravan = "caravan"
	}
	if o.MountPath == "" {
		o.MountPath = "/data"
	}
	if o.Parallelism <= 0 {
		o.Parallelism = min(p.Layout.Tasks, 10)
	}
	if o.CPU == "" {
		o.CPU = "1"
	}
	if o.Memory == "" {
		o.Memory = "1Gi"
	}
	if o.BackoffLimitPerIndex <= 0 {
		o.BackoffLimitPerIndex = 2
	}
	q := strconv.Quote
	args := []string{q("run-task"), q("--plan"), q(o.PlanPath), q("--workers"), q(o.CPU)}
	if o.CaseDir != "" {
		args = append(args, q("--case"), q(o.CaseDir))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Caravan ensemble %s: %d members in %d indexed completions.\n", p.Name, len(p.Members), p.Layout.Tasks)
	fmt.Fprintf(&b, "# kubectl apply -f k8s-job.yaml; when it completes, run: caravan merge %s\n", o.PlanPath)
	fmt.Fprintf(&b, "# The claim %s must hold the case and the ensemble folder (plan.json beside members/).\n", o.PVC)
	fmt.Fprintf(&b, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/name: caravan\nspec:\n", o.Name)
	fmt.Fprintf(&b, "  completionMode: Indexed\n  completions: %d\n  parallelism: %d\n  backoffLimitPerIndex: %d\n", p.Layout.Tasks, o.Parallelism, o.BackoffLimitPerIndex)
	fmt.Fprintf(&b, "  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: caravan\n    spec:\n      restartPolicy: Never\n")
	fmt.Fprintf(&b, "      containers:\n        - name: caravan\n          image: %s\n          command: [%s]\n          args: [%s]\n", q(o.Image), q(o.Caravan), strings.Join(args, ", "))
	fmt.Fprintf(&b, "          resources:\n            requests:\n              cpu: %s\n              memory: %s\n", q(o.CPU), q(o.Memory))
	fmt.Fprintf(&b, "          volumeMounts:\n            - name: data\n              mountPath: %s\n", q(o.MountPath))
	fmt.Fprintf(&b, "      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: %s\n", q(o.PVC))
	return []byte(b.String())
}
