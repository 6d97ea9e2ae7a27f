package flee_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

const sharedCases = "../../../shared/peer-cases/flee/"

func sharedCase(tb testing.TB, name string) string {
	p := sharedCases + name
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared peer case %s not present beside the repository", name)
	}
	return p
}

func runCase(tb testing.TB, c *flee.Case, seed uint64) *results.Daily {
	e, err := sim.New(c.Scenario, c.Config.Sim, seed)
	if err != nil {
		tb.Fatal(err)
	}
	d := results.NewDaily(len(c.Scenario.Places), c.Scenario.Days)
	if err := e.Run(context.Background(), d); err != nil {
		tb.Fatal(err)
	}
	return d
}

// The columns of Flee's out.csv that do not depend on chance (dates,
// observed data, totals, raw count, debt) must equal Flee's own, taken from a
// real Flee run of mali (testdata/flee-mali-deterministic.csv, Flee 02cd2cb).
func TestOutCSV_DeterministicColumnsMatchFlee(t *testing.T) {
	c, err := flee.Load(sharedCase(t, "mali"), flee.Options{Mode: sim.ModeFlee})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := flee.WriteOutCSV(&buf, c, runCase(t, c, 1)); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/flee-mali-deterministic.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range got[0] {
		col[h] = i
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, Flee wrote %d", len(got), len(want))
	}
	for r := range want {
		for k, h := range want[0] {
			i, ok := col[h]
			if !ok {
				t.Fatalf("column %q missing from out.csv", h)
			}
			if got[r][i] != want[r][k] {
				t.Fatalf("row %d column %q: got %q, Flee wrote %q", r, h, got[r][i], want[r][k])
			}
		}
	}
}

type reference struct {
	Cases map[string]struct {
		Runs []struct {
			ARD      float64        `json:"ard"`
			FinalSim map[string]int `json:"final_sim"`
		} `json:"runs"`
	} `json:"cases"`
}

// Conformance: on each shared case Caravan's Flee mode must give Flee's
// error (mean ARD within ±10% of Flee's mean, relative) and final camp
// populations that rank like Flee's (Spearman ≥ 0.9). Reference figures
// are from real Flee runs on this machine kind (testdata/flee-reference.json).
// docs/conformance.md has the full 20-seed comparison.
func TestConformance(t *testing.T) {
	data, err := os.ReadFile("testdata/flee-reference.json")
	if err != nil {
		t.Skip("no Flee reference figures")
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	seeds := 3
	if testing.Short() {
		seeds = 1
	}
	// docs/conformance.md: CARAVAN_CONFORMANCE_SEEDS=20 go test -run TestConformance -v ./internal/flee
	if n, err := strconv.Atoi(os.Getenv("CARAVAN_CONFORMANCE_SEEDS")); err == nil && n > 0 {
		seeds = n
	}
	for _, name := range []string{"mali", "burundi", "ssudan", "car"} {
		t.Run(name, func(t *testing.T) {
			rc, ok := ref.Cases[name]
			if !ok || len(rc.Runs) == 0 {
				t.Skipf("no Flee reference run for %s yet", name)
			}
			c, err := flee.Load(sharedCase(t, name), flee.Options{Mode: sim.ModeFlee})
			if err != nil {
				t.Fatal(err)
			}
			var ard, ard2 float64
			final := make([]float64, len(c.Camps))
			for s := 1; s <= seeds; s++ {
				d := runCase(t, c, uint64(s))
				v := evaluate.ComputeARD(c.Simulated(d), c.Observed).Value
				ard += v / float64(seeds)
				ard2 += v * v / float64(seeds)
				for k, i := range c.Camps {
					final[k] += float64(d.Count(c.Scenario.Days-1, i)) / float64(seeds)
				}
			}
			var fleeARD float64
			fleeFinal := make([]float64, len(c.Camps))
			for _, r := range rc.Runs {
				fleeARD += r.ARD / float64(len(rc.Runs))
				for k, n := range c.CampNames() {
					fleeFinal[k] += float64(r.FinalSim[n]) / float64(len(rc.Runs))
				}
			}
			if rel := math.Abs(ard-fleeARD) / fleeARD; rel > 0.10 {
				t.Errorf("ARD %.4f vs Flee %.4f: %.1f%% apart, want ≤ 10%%", ard, fleeARD, 100*rel)
			}
			if rho := Spearman(final, fleeFinal); rho < 0.9 {
				t.Errorf("Spearman of final camp populations %.3f, want ≥ 0.9\ncaravan %v\nflee    %v", rho, final, fleeFinal)
			}
			sd := math.Sqrt(math.Max(0, ard2-ard*ard))
			var fleeRuns []float64
			for _, r := range rc.Runs {
				fleeRuns = append(fleeRuns, r.ARD)
			}
			t.Logf("ARD caravan %.4f ± %.4f (mean ± sd over %d seeds); flee %.4f (runs %v); difference %+.1f%%; Spearman of final camp populations %.3f",
				ard, sd, seeds, fleeARD, fleeRuns, 100*(ard-fleeARD)/fleeARD, Spearman(final, fleeFinal))
		})
	}
}

// Spearman returns the rank correlation of x and y (average ranks for ties).
func Spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= float64(len(rx))
	my /= float64(len(ry))
	var sxy, sxx, syy float64
	for i := range rx {
		sxy += (rx[i] - mx) * (ry[i] - my)
		sxx += (rx[i] - mx) * (rx[i] - mx)
		syy += (ry[i] - my) * (ry[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}
