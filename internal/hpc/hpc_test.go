package hpc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/caravan-sim/caravan/internal/ensemble"
)

func testPlan(members, perTask int) *ensemble.Plan {
	p := &ensemble.Plan{Name: "Toy case"}
	for i := 0; i < members; i++ {
		p.Members = append(p.Members, ensemble.Member{Index: i, Seed: uint64(i + 1)})
	}
	p.Layout = ensemble.Layout{MembersDir: "members", MemberFile: "%06d.parquet", MembersPerTask: perTask,
		Tasks: (members + perTask - 1) / perTask}
	return p
}

func TestSlurmArray_Script(t *testing.T) {
	p := testPlan(10, 3)
	o := SlurmOptions{Caravan: "/opt/my tools/caravan", PlanPath: "/scratch/ens/plan.json", JobName: JobName(p.Name),
		Partition: "short", Time: "00:10:00", Throttle: 2}
	s := string(SlurmArray(p, o))
	for _, want := range []string{
		"#SBATCH --job-name=caravan-toy-case\n",
		"#SBATCH --array=0-3%2\n",
		"#SBATCH --partition=short\n",
		"#SBATCH --time=00:10:00\n",
		"#SBATCH --output=/scratch/ens/logs/task-%A_%a.out\n",
		"exec '/opt/my tools/caravan' run-task --plan /scratch/ens/plan.json --workers \"${SLURM_CPUS_PER_TASK:-1}\"\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	m := string(SlurmMerge(p, o))
	if !strings.Contains(m, "exec '/opt/my tools/caravan' merge /scratch/ens/plan.json\n") {
		t.Errorf("merge script:\n%s", m)
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		for name, body := range map[string]string{"array": s, "merge": m} {
			f := filepath.Join(t.TempDir(), name+".sh")
			os.WriteFile(f, []byte(body), 0o644)
			if out, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
				t.Errorf("%s script: bash -n: %v\n%s", name, err, out)
			}
		}
	}
}

func TestK8sIndexedJob_Manifest(t *testing.T) {
	p := testPlan(25, 1)
	b := K8sIndexedJob(p, K8sOptions{Name: "caravan-toy", Image: "registry.example/caravan:1", PVC: "data",
		PlanPath: "/data/ens/plan.json", CaseDir: "/data/cases/toy"})
	var job struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					RestartPolicy string `yaml:"restartPolicy"`
					Containers    []struct {
						Image   string   `yaml:"image"`
						Command []string `yaml:"command"`
						Args    []string `yaml:"args"`
					} `yaml:"containers"`
					Volumes []struct {
						PVC struct {
							ClaimName string `yaml:"claimName"`
						} `yaml:"persistentVolumeClaim"`
					} `yaml:"volumes"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &job); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	s := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || s.CompletionMode != "Indexed" || s.Completions != 25 || s.Parallelism != 10 {
		t.Fatalf("job: %+v", job)
	}
	c := s.Template.Spec.Containers[0]
	want := "run-task --plan /data/ens/plan.json --workers 1 --case /data/cases/toy"
	if c.Image != "registry.example/caravan:1" || strings.Join(c.Args, " ") != want || s.Template.Spec.RestartPolicy != "Never" ||
		s.Template.Spec.Volumes[0].PVC.ClaimName != "data" {
		t.Fatalf("container: %+v, args %q", c, strings.Join(c.Args, " "))
	}
}
