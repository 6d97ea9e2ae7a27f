package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/calibrate"
)

// Calibrate writes its report and a settings file that reproduces the
// calibrated error; the best fit is never worse than the defaults (the
// search starts there); the same command gives the same result.
func TestCalibrate_Toy(t *testing.T) {
	tmp := t.TempDir()
	params := filepath.Join(tmp, "params.yml")
	os.WriteFile(params, []byte("- key: move_rules.max_move_speed\n  min: 50\n  max: 500\n- key: move_rules.camp_weight\n  min: 0.25\n  max: 8\n  scale: log\n"), 0o644)
	var reps [2]calibrate.Report
	for i, method := range []string{"nelder-mead", "cmaes"} {
		out := filepath.Join(tmp, method)
		runMain(t, "calibrate", toyCase, "-q", "--days", "40", "--fit-days", "25", "--params", params, "--seeds", "2",
			"--max-evals", "12", "--method", method, "-o", out)
		b, err := os.ReadFile(filepath.Join(out, "calibration.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &reps[i]); err != nil {
			t.Fatal(err)
		}
		r := reps[i]
		if r.Evaluations < 5 || r.Evaluations > 12 || len(r.Windows) != 3 || r.Windows[1].Name != "holdout" {
			t.Fatalf("%s: report %+v", method, r)
		}
		fit := r.Windows[0]
		if fit.Calibrated.ARD > fit.Default.ARD+1e-12 {
			t.Errorf("%s: calibrated fit ARD %v worse than default %v", method, fit.Calibrated.ARD, fit.Default.ARD)
		}
		// The written settings give the calibrated runs.
		run := filepath.Join(tmp, method+"-run")
		runMain(t, "run", "-q", "--days", "40", "--seed", "1", "--settings", filepath.Join(out, "simsetting.yml"), "-o", run, toyCase)
		var sum Summary
		b, _ = os.ReadFile(filepath.Join(run, "summary.json"))
		json.Unmarshal(b, &sum)
		if all := r.Windows[2]; sum.ARD != all.Calibrated.PerSeed[0] {
			t.Errorf("%s: run with the calibrated settings has ARD %v, report says %v", method, sum.ARD, all.Calibrated.PerSeed[0])
		}
		for _, f := range []string{"calibration.md", "evaluations.csv", "manifest.json"} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Error(err)
			}
		}
	}
	// Deterministic: the same command again gives the same report.
	out := filepath.Join(tmp, "again")
	runMain(t, "calibrate", toyCase, "-q", "--days", "40", "--fit-days", "25", "--params", params, "--seeds", "2",
		"--max-evals", "12", "--method", "cmaes", "-o", out)
	a, _ := os.ReadFile(filepath.Join(tmp, "cmaes", "calibration.json"))
	b, _ := os.ReadFile(filepath.Join(out, "calibration.json"))
	if string(a) != string(b) {
		t.Error("cmaes calibration is not reproducible")
	}
}

// Native scenarios work too: the calibrated values come as --set lines.
func TestCalibrate_Native(t *testing.T) {
	tmp := t.TempDir()
	params := filepath.Join(tmp, "params.yml")
	os.WriteFile(params, []byte("- key: move_rules.max_move_speed\n  min: 50\n  max: 500\n"), 0o644)
	out := filepath.Join(tmp, "cal")
	runMain(t, "calibrate", "../spec/testdata/example.yaml", "-q", "--days", "30", "--params", params, "--seeds", "1",
		"--max-evals", "4", "-o", out)
	b, err := os.ReadFile(filepath.Join(out, "calibrated-set.txt"))
	if err != nil || !strings.HasPrefix(string(b), "move_rules.max_move_speed=") {
		t.Fatalf("calibrated-set.txt: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(out, "simsetting.yml")); err == nil {
		t.Error("simsetting.yml written for a native scenario")
	}
}
