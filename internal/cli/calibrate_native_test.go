package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/calibrate"
)

// calibToy guesses 10 people a day where the observations were made from
// 30 (testdata/calib-toy/scenario.yaml).
const calibToy = "testdata/calib-toy"

func readNativeReport(t *testing.T, dir string) calibrate.NativeReport {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "calibration.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r calibrate.NativeReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// Calibrating the toy moves its one parameter to the truth, improves the
// fitted and the held-out observation, writes a scenario that reproduces
// the calibrated runs, and gives the same files whatever the workers.
func TestCalibrateNative_MovesTowardTruth(t *testing.T) {
	tmp := t.TempDir()
	outs := map[string]string{}
	for _, w := range []string{"1", "2"} {
		outs[w] = filepath.Join(tmp, "cal-"+w)
		runMain(t, "calibrate", calibToy, "-q", "--seeds", "2", "--max-evals", "25", "--workers", w, "-o", outs[w])
	}
	r := readNativeReport(t, outs["1"])
	if len(r.Params) != 1 || r.Params[0].ID != "drivers[unrest].intensity[2024-01-01]" || r.Params[0].Default != 10 || r.Params[0].Scale != "log" {
		t.Fatalf("params %+v", r.Params)
	}
	if c := r.Params[0].Calibrated; math.Abs(c-30) > 3 {
		t.Errorf("calibrated %v; the truth is 30", c)
	}
	if r.InSample.Observations != 1 || r.OutOfSample.Observations != 1 || strings.Join(r.HeldOut, ",") != "in-camp" {
		t.Fatalf("observations: %d fitted, %d held out %v", r.InSample.Observations, r.OutOfSample.Observations, r.HeldOut)
	}
	if !(r.InSample.Calibrated.Mean < r.InSample.Default.Mean/10) || !(r.OutOfSample.Calibrated.Mean < r.OutOfSample.Default.Mean/10) {
		t.Errorf("fit in sample %v → %v, held out %v → %v", r.InSample.Default.Mean, r.InSample.Calibrated.Mean,
			r.OutOfSample.Default.Mean, r.OutOfSample.Calibrated.Mean)
	}
	if c := r.Check; c == nil || len(c.Seeds) != 10 || c.Seeds[0] != 3 || !(c.InSample.Calibrated.Mean < c.InSample.Default.Mean/10) {
		t.Errorf("fresh-seed check %+v", c)
	}
	for _, o := range r.Results {
		if o.Before.Verdict != "outside" || o.After.Verdict != "within" || o.After.FitsSeeds != 2 {
			t.Errorf("%s: %+v → %+v", o.ID, o.Before, o.After)
		}
	}
	for _, f := range []string{"calibration.json", "calibration.md", "evaluations.csv", "calibrated.yaml"} {
		a, err := os.ReadFile(filepath.Join(outs["1"], f))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(outs["2"], f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between --workers 1 and 2", f)
		}
	}

	// calibrated.yaml runs as a scenario and gives the calibrated fit: both
	// observations weigh the same, so a run's fit is the mean of the two.
	run := filepath.Join(tmp, "run")
	runMain(t, "run", "-q", "--seed", "1", "-o", run, filepath.Join(outs["1"], "calibrated.yaml"))
	var sum Summary
	b, _ := os.ReadFile(filepath.Join(run, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil || sum.Evidence == nil || sum.Evidence.Fit == nil {
		t.Fatalf("summary %s: %v", b, err)
	}
	if want := (r.InSample.Calibrated.PerSeed[0] + r.OutOfSample.Calibrated.PerSeed[0]) / 2; math.Abs(*sum.Evidence.Fit-want) > 1e-12 {
		t.Errorf("calibrated.yaml runs to fit %v; the report says %v", *sum.Evidence.Fit, want)
	}
	if sum.Scenario != "calib-toy-calibrated" {
		t.Errorf("calibrated scenario named %q", sum.Scenario)
	}
}

func TestCalibrateNative_ListAndSelect(t *testing.T) {
	tmp := t.TempDir()
	var so, se bytes.Buffer
	if code := Main([]string{"calibrate", calibToy, "--list"}, &so, &se); code != 0 {
		t.Fatalf("--list: exit %d: %s", code, se.String())
	}
	for _, want := range []string{"1 parameter to fit", "drivers[unrest].intensity[2024-01-01]", "scenario.yaml:25", "10 in 2–50 (log), source register",
		"ASSUMPTION: a guess", "2 observations: 1 fitted, 1 held out", "in-camp"} {
		if !strings.Contains(so.String(), want) {
			t.Errorf("--list lacks %q:\n%s", want, so.String())
		}
	}
	if _, err := os.Stat("out/calib-toy-calibration"); err == nil {
		t.Error("--list wrote an output folder")
	}

	// --params takes a list of ids, or a calibration's own report.
	ids := filepath.Join(tmp, "ids.yaml")
	os.WriteFile(ids, []byte("- drivers[unrest].intensity[2024-01-01]\n"), 0o644)
	first := filepath.Join(tmp, "first")
	runMain(t, "calibrate", calibToy, "-q", "--seeds", "1", "--max-evals", "3", "--params", ids, "-o", first)
	runMain(t, "calibrate", calibToy, "-q", "--seeds", "1", "--max-evals", "3", "--params", filepath.Join(first, "calibration.json"), "-o", filepath.Join(tmp, "again"))
	if r := readNativeReport(t, first); r.Evaluations != 3 || len(r.Params) != 1 {
		t.Errorf("--params run: %d evaluations, %d params", r.Evaluations, len(r.Params))
	}

	bad := filepath.Join(tmp, "bad.yaml")
	os.WriteFile(bad, []byte("- drivers[unrest].intensity[2024-01-02]\n"), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown id", []string{"--params", bad}, `did you mean "drivers[unrest].intensity[2024-01-01]"`},
		{"nothing matches --only", []string{"--only", "^routes"}, "no parameter to fit among its 1"},
		{"bad regexp", []string{"--only", "("}, "--only"},
		{"fit-days", []string{"--fit-days", "10"}, "held_out"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var so, se bytes.Buffer
			args := append([]string{"calibrate", calibToy, "-o", filepath.Join(tmp, "x")}, tt.args...)
			if code := Main(args, &so, &se); code != exitInput || !strings.Contains(se.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, se.String(), tt.want)
			}
		})
	}
}
