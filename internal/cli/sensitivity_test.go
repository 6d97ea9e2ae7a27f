package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestSensitivity_SobolAndMorris(t *testing.T) {
	tmp := t.TempDir()
	params := filepath.Join(tmp, "params.yml")
	os.WriteFile(params, []byte("- key: move_rules.max_move_speed\n  min: 50\n  max: 500\n- key: move_rules.camp_weight\n  min: 0.25\n  max: 8\n  scale: log\n"), 0o644)
	for _, m := range []struct {
		method string
		runs   string
		points int
	}{{"sobol", "4", 16}, {"morris", "3", 9}} {
		out := filepath.Join(tmp, m.method)
		args := []string{"sensitivity", toyCase, "-q", "--days", "20", "--params", params, "--method", m.method, "--runs", m.runs, "-o", out}
		runMain(t, args...)
		var res SensitivityResult
		b, err := os.ReadFile(filepath.Join(out, "sensitivity.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if res.Points != m.points || res.Members != m.points {
			t.Fatalf("%s: %d points, %d members; want %d", m.method, res.Points, res.Members, m.points)
		}
		if (m.method == "sobol") != (len(res.Sobol["ard"]) == 2) || (m.method == "morris") != (len(res.Morris["ard"]) == 2) {
			t.Fatalf("%s: %s", m.method, b)
		}
		for _, f := range []string{"sensitivity.csv", "sensitivity-ard.png", "sensitivity-ard.svg", "summary.csv", "manifest.json"} {
			if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %s missing or empty", m.method, f)
			}
		}
		// Running it again resumes the finished folder and gives the same result.
		runMain(t, args...)
		b2, _ := os.ReadFile(filepath.Join(out, "sensitivity.json"))
		if string(b) != string(b2) {
			t.Errorf("%s: rerun changed sensitivity.json", m.method)
		}
	}
}
