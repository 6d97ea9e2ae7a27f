package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// plan + run-task (index from the Slurm or Kubernetes variable, or the
// flag) + merge give the same result files as a local ensemble.
func TestPlanRunTaskMerge_SameAsEnsemble(t *testing.T) {
	tmp := t.TempDir()
	args := []string{"--days", "20", "--runs", "7", "--seed-base", "11"}
	local := filepath.Join(tmp, "local")
	runMain(t, append([]string{"ensemble", toyCase, "-q", "-o", local}, args...)...)

	pl := filepath.Join(tmp, "plan")
	runMain(t, append([]string{"plan", toyCase, "-o", pl, "--members-per-task", "2"}, args...)...)
	for _, f := range []string{"plan.json", "slurm-array.sh", "slurm-merge.sh", "k8s-job.yaml"} {
		if _, err := os.Stat(filepath.Join(pl, f)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(pl, "slurm-array.sh"))
	if !strings.Contains(string(b), "#SBATCH --array=0-3\n") {
		t.Fatalf("slurm script:\n%s", b)
	}
	plan := filepath.Join(pl, "plan.json")
	// Merging too early names what is missing.
	var so, se bytes.Buffer
	if code := Main([]string{"merge", plan}, &so, &se); code != exitFailure || !strings.Contains(se.String(), "7 of 7 members have no results") {
		t.Fatalf("early merge: exit %d: %s", code, se.String())
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("JOB_COMPLETION_INDEX", "")
	if code := Main([]string{"run-task", "--plan", plan}, &so, &se); code != exitInput {
		t.Fatalf("no index: exit %d", code)
	}
	for task := 0; task < 2; task++ {
		t.Setenv("SLURM_ARRAY_TASK_ID", strconv.Itoa(task))
		runMain(t, "run-task", "-q", "--plan", plan)
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("JOB_COMPLETION_INDEX", "2")
	runMain(t, "run-task", "-q", "--plan", plan)
	runMain(t, "run-task", "-q", "--plan", plan, "--index", "2-3") // 2 is done: skipped
	runMain(t, "merge", "-q", plan)

	want := resultFiles(t, local)
	delete(want, "plan.json") // members_per_task differs
	got := resultFiles(t, pl)
	for name := range got {
		if _, ok := want[name]; !ok {
			delete(got, name)
		}
	}
	sameFiles(t, got, want, "plan/run-task/merge")
}
