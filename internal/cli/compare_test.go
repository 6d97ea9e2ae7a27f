package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const (
	cmpBase   = "testdata/compare/base.yaml"
	cmpStrict = "testdata/compare/strict.yaml"
)

// compareCSV runs compare and returns compare.csv's rows by kind and id
// (and subject, for orderings), and the file itself.
func compareCSV(t *testing.T, args ...string) (map[string][]string, []byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cmp")
	var so, se bytes.Buffer
	if code := Main(append([]string{"compare", "-o", out}, args...), &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "compare.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(CompareHeader, ",") {
		t.Fatalf("header %v", recs[0])
	}
	rows := map[string][]string{}
	for _, r := range recs[1:] {
		rows[r[0]+" "+r[1]+" "+r[2]] = r
	}
	if !strings.Contains(so.String(), "90% interval") {
		t.Errorf("no table printed:\n%s", so.String())
	}
	return rows, b
}

func field(t *testing.T, row []string, name string) float64 {
	t.Helper()
	for k, h := range CompareHeader {
		if h == name {
			v, err := strconv.ParseFloat(row[k], 64)
			if err != nil {
				t.Fatalf("%s of %v: %v", name, row, err)
			}
			return v
		}
	}
	t.Fatalf("no column %s", name)
	return math.NaN()
}

// Letting fewer through the gate lowers the crossings and the camp and
// raises the refusals, with 90% intervals that exclude 0; the results do not
// depend on the number of workers.
func TestCompare_PolicyChangeHasItsSign(t *testing.T) {
	rows, b1 := compareCSV(t, "--runs", "6", "-j", "2", cmpBase, cmpStrict)
	for key, sign := range map[string]float64{
		"evidence crossed country Y":     -1,
		"evidence turned-back country Y": +1,
		"camp C place C":                 -1,
		"evidence more-in-camp place B":  +1,
		"fit fit all evidence":           +1, // the base fits its evidence; the strict gate does not
	} {
		r, ok := rows[key]
		if !ok {
			t.Errorf("no row %q in %v", key, rows)
			continue
		}
		d, p5, p95 := field(t, r, "diff_mean"), field(t, r, "diff_p5"), field(t, r, "diff_p95")
		if d*sign <= 0 || p5*sign <= 0 || p95*sign <= 0 || p5 > d || d > p95 {
			t.Errorf("%s: difference %v (90%%: %v to %v), want sign %+v", key, d, p5, p95, sign)
		}
		if n := field(t, r, "pairs"); n != 6 {
			t.Errorf("%s: %v pairs, want 6", key, n)
		}
	}
	_, b2 := compareCSV(t, "--runs", "6", "-j", "1", cmpBase, cmpStrict)
	if !bytes.Equal(b1, b2) {
		t.Errorf("compare.csv depends on the number of workers:\n%s\n%s", b1, b2)
	}
}

// With common random numbers a scenario compared with itself differs by
// exactly nothing, seed by seed.
func TestCompare_SameScenarioIsZero(t *testing.T) {
	rows, _ := compareCSV(t, "--runs", "3", "--seed-base", "11", cmpBase, cmpBase)
	if len(rows) < 5 {
		t.Fatalf("rows %v", rows)
	}
	for key, r := range rows {
		for _, f := range []string{"diff_mean", "diff_p5", "diff_p95"} {
			if v := field(t, r, f); v != 0 {
				t.Errorf("%s: %s %v, want 0", key, f, v)
			}
		}
	}
}

func TestCompare_BadUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"one argument": {"compare", cmpBase},
		"no runs":      {"compare", "--runs", "0", cmpBase, cmpStrict},
	} {
		var so, se bytes.Buffer
		if code := Main(args, &so, &se); code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", name, code, se.String())
		}
	}
}

// A native run writes evidence.csv, reports the fit in summary.json and
// prints it; a Flee case's outputs are unchanged (TestRun_Golden,
// runOutputs).
func TestRun_Evidence(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	var so, se bytes.Buffer
	if code := Main([]string{"run", "-o", out, cmpBase}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	if !strings.Contains(so.String(), "evidence: 4 observations: ") {
		t.Errorf("no fit line:\n%s", so.String())
	}
	f, err := os.Open(filepath.Join(out, "evidence.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("evidence.csv has %d rows, want a header and 4", len(recs))
	}
	col := map[string]int{}
	for k, h := range recs[0] {
		col[h] = k
	}
	camp := recs[3]
	for name, want := range map[string]string{"id": "camp", "observed": "250", "coverage": "0.8", "reliability": "medium", "weight": "0.5", "source": "log"} {
		if got := camp[col[name]]; got != want {
			t.Errorf("camp row %s = %q, want %q (200 registered at coverage 0.8 are 250 people)", name, got, want)
		}
	}
	if recs[1][col["reference"]] != "sheet 3" || recs[4][col["observed"]] != "place C > place B" {
		t.Errorf("rows %v", recs)
	}
	var sum struct {
		Evidence *EvidenceSummary `json:"evidence"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil || sum.Evidence == nil || sum.Evidence.Observations != 4 || sum.Evidence.Fit == nil {
		t.Errorf("summary.json evidence: %s", b)
	}
	man, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !strings.Contains(string(man), `"evidence.csv"`) {
		t.Errorf("manifest does not list evidence.csv")
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5}
	for _, tc := range []struct{ p, want float64 }{{0, 1}, {0.05, 1.2}, {0.5, 3}, {0.95, 4.8}, {1, 5}} {
		if got := quantile(xs, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if !math.IsNaN(quantile(nil, 0.5)) || quantile([]float64{7}, 0.95) != 7 {
		t.Error("quantile of empty or one value")
	}
}
