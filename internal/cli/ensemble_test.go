package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/results"
)

const toyCase = "../../examples/toy-flee"

// TestHelperCaravan is not a test: it runs Caravan's command line in a child
// process (os/exec's helper-process pattern) when the environment asks.
func TestHelperCaravan(t *testing.T) {
	js := os.Getenv("CARAVAN_HELPER_ARGS")
	if js == "" {
		t.Skip("helper process only")
	}
	var args []string
	if err := json.Unmarshal([]byte(js), &args); err != nil {
		panic(err)
	}
	os.Exit(Main(args, os.Stdout, os.Stderr))
}

// helperCmd returns a command that runs caravan with args in a child process.
func helperCmd(t *testing.T, args ...string) *exec.Cmd {
	js, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCaravan$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CARAVAN_HELPER_ARGS="+string(js))
	return cmd
}

func runMain(t *testing.T, args ...string) {
	t.Helper()
	var so, se bytes.Buffer
	if code := Main(args, &so, &se); code != 0 {
		t.Fatalf("caravan %s: exit %d: %s", strings.Join(args, " "), code, se.String())
	}
}

// resultFiles reads every result file of an ensemble folder (all but the
// manifest, which holds timings, and the lock), by path relative to dir.
func resultFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == ensemble.ManifestJSON || rel == ensemble.LockFile {
			return nil
		}
		b, err := os.ReadFile(path)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, got, want map[string][]byte, what string) {
	t.Helper()
	var names []string
	for k := range want {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !bytes.Equal(got[k], want[k]) {
			t.Fatalf("%s: %s differs from the reference run", what, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Fatalf("%s: unexpected file %s", what, k)
		}
	}
}

// The same ensemble gives byte-identical result files for any worker count.
func TestEnsemble_WorkersDeterministic(t *testing.T) {
	params := filepath.Join(t.TempDir(), "params.yml")
	os.WriteFile(params, []byte("- key: move_rules.max_move_speed\n  min: 100\n  max: 400\n- key: move_rules.camp_weight\n  min: 0.5\n  max: 4\n  scale: log\n"), 0o644)
	var ref map[string][]byte
	for _, w := range []string{"1", "2", "5"} {
		dir := filepath.Join(t.TempDir(), "ens")
		runMain(t, "ensemble", toyCase, "-q", "--days", "40", "--params", params, "--runs", "5", "--replicates", "2", "-j", w, "-o", dir)
		got := resultFiles(t, dir)
		if ref == nil {
			ref = got
			if len(ref) != 10+6 {
				t.Fatalf("%d result files, want 16", len(ref))
			}
			continue
		}
		sameFiles(t, got, ref, "--workers "+w)
	}
}

// A folder holding another ensemble is refused without --force.
func TestEnsemble_OtherPlanRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ens")
	runMain(t, "ensemble", toyCase, "-q", "--days", "10", "--runs", "2", "-o", dir)
	var so, se bytes.Buffer
	if code := Main([]string{"ensemble", toyCase, "-q", "--days", "10", "--runs", "3", "-o", dir}, &so, &se); code != exitInput {
		t.Fatalf("exit %d, want %d: %s", code, exitInput, se.String())
	}
	if !strings.Contains(se.String(), "different ensemble") {
		t.Fatalf("message: %s", se.String())
	}
	runMain(t, "ensemble", toyCase, "-q", "--days", "10", "--runs", "3", "-o", dir, "--force")
	if n := len(ensemble.Missing(mustPlan(t, dir), dir)); n != 0 {
		t.Fatalf("%d members missing", n)
	}
}

func mustPlan(t *testing.T, dir string) *ensemble.Plan {
	t.Helper()
	p, err := ensemble.ReadPlan(filepath.Join(dir, ensemble.PlanFile))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkVisible verifies that every file a reader can see in an ensemble
// folder is complete: members parse as member files, plan and JSON outputs
// parse, CSVs end with a newline, Parquet files open.
func checkVisible(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return // killed before it made the folder
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") {
			if name != ensemble.LockFile && !results.IsTempName(name) {
				t.Errorf("unexpected hidden file %s", path)
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case filepath.Base(filepath.Dir(path)) == ensemble.DefaultMembers:
			if _, err := ensemble.ReadMember(path); err != nil {
				t.Errorf("partial member file visible: %v", err)
			}
		case strings.HasSuffix(name, ".json"):
			if !json.Valid(b) {
				t.Errorf("partial JSON visible: %s", path)
			}
		case strings.HasSuffix(name, ".csv"):
			if len(b) == 0 || b[len(b)-1] != '\n' {
				t.Errorf("partial CSV visible: %s", path)
			}
		case strings.HasSuffix(name, ".parquet"):
			if len(b) < 8 || string(b[:4]) != "PAR1" || string(b[len(b)-4:]) != "PAR1" {
				t.Errorf("partial Parquet visible: %s", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Killing the ensemble process (SIGKILL) at random moments, over and over,
// and then running the same command again gives results byte-identical to
// an uninterrupted run, with every member present once and no partial file
// ever visible.
func TestEnsemble_KillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes for a few seconds")
	}
	tmp := t.TempDir()
	args := func(dir string) []string {
		return []string{"ensemble", toyCase, "-q", "--days", "40", "--runs", "30", "-j", "2", "-o", dir}
	}
	ref := filepath.Join(tmp, "ref")
	t0 := time.Now()
	if out, err := helperCmd(t, args(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	full := time.Since(t0)
	want := resultFiles(t, ref)
	if len(want) != 30+6 {
		t.Fatalf("reference has %d files, want 36", len(want))
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("full run %v; kill-time seed %d", full, seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	kills, rounds := 0, 0
	for kills < 24 {
		rounds++
		dir := filepath.Join(tmp, fmt.Sprintf("round%02d", rounds))
		for k := 0; k < 8; k++ {
			cmd := helperCmd(t, args(dir)...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			// Aim within what is left to do: start-up and merge, plus the
			// members still missing.
			left := 30.0
			if p, err := ensemble.ReadPlan(filepath.Join(dir, ensemble.PlanFile)); err == nil {
				left = float64(len(ensemble.Missing(p, dir)))
			}
			delay := time.Duration(rng.Float64() * (0.15 + 1.1*left/30) * float64(full))
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("run exited early: %v\n%s", err, out.String())
				}
				k = 8 // finished before the kill: the round is done
			case <-time.After(delay):
				cmd.Process.Signal(syscall.SIGKILL)
				if err := <-exited; err == nil {
					k = 8 // it had just finished
				} else {
					kills++
					ents, _ := os.ReadDir(filepath.Join(dir, ensemble.DefaultMembers))
					_, merged := os.Stat(filepath.Join(dir, ensemble.SummaryCSV))
					t.Logf("kill %d after %v: %d entries in members/, summary written: %v", kills, delay.Round(time.Millisecond), len(ents), merged == nil)
				}
			}
			checkVisible(t, dir)
		}
		// Finish with an uninterrupted run of the same command.
		if out, err := helperCmd(t, args(dir)...).CombinedOutput(); err != nil {
			t.Fatalf("resumed run: %v\n%s", err, out)
		}
		checkVisible(t, dir)
		sameFiles(t, resultFiles(t, dir), want, "after kills")
		ents, _ := os.ReadDir(filepath.Join(dir, ensemble.DefaultMembers))
		if len(ents) != 30 {
			t.Fatalf("%d files in members/, want 30 (no temporary files left)", len(ents))
		}
		if rounds > 20 {
			t.Fatalf("only %d kills landed in %d rounds", kills, rounds)
		}
	}
	t.Logf("%d kills over %d rounds", kills, rounds)
}

// Native scenarios run as ensembles too, and plan/run-task/merge agree.
func TestEnsemble_NativeScenario(t *testing.T) {
	tmp := t.TempDir()
	native := "../spec/testdata/example.yaml"
	local := filepath.Join(tmp, "local")
	runMain(t, "ensemble", native, "-q", "--days", "15", "--runs", "3", "-o", local)
	pl := filepath.Join(tmp, "plan")
	runMain(t, "plan", native, "--days", "15", "--runs", "3", "-o", pl)
	runMain(t, "run-task", "-q", "--plan", filepath.Join(pl, "plan.json"), "--index", "0-2")
	runMain(t, "merge", "-q", filepath.Join(pl, "plan.json"))
	want := resultFiles(t, local)
	got := resultFiles(t, pl)
	for name := range got {
		if _, ok := want[name]; !ok {
			delete(got, name)
		}
	}
	sameFiles(t, got, want, "native plan/run-task/merge")
}
