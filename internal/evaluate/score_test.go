package evaluate

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

var inf = math.Inf(1)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func TestDistanceAndRelErr(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		sim, low, high, unit float64
		want                 float64
	}{
		{"inside", 50, 40, 60, 1, 0},
		{"on the low end", 40, 40, 60, 1, 0},
		{"below", 30, 40, 60, 1, 0.25},
		{"above", 90, 40, 60, 1, 0.5},
		{"above an open end", 1e9, 40, inf, 1, 0},
		{"above zero: unit", 3, 0, 0, 1, 3},
		{"share above", 0.5, 0.1, 0.4, 0.01, 0.25},
		{"share above zero", 0.05, 0, 0, 0.01, 5},
	} {
		if got := Distance(tc.sim, tc.low, tc.high, tc.unit); !near(got, tc.want) {
			t.Errorf("%s: Distance(%v, %v, %v) = %v, want %v", tc.name, tc.sim, tc.low, tc.high, got, tc.want)
		}
	}
	for _, tc := range []struct{ sim, obs, unit, want float64 }{
		{110, 100, 1, 0.1},
		{90, 100, 1, 0.1},
		{3, 0, 1, 3},
		{0.3, 0.2, 0.01, 0.5},
	} {
		if got := RelErr(tc.sim, tc.obs, tc.unit); !near(got, tc.want) {
			t.Errorf("RelErr(%v, %v) = %v, want %v", tc.sim, tc.obs, got, tc.want)
		}
	}
}

func TestCoverage(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name      string
		cov       Coverage
		r         float64
		want      Value
		wantRange Value // of Range(r, 2r)
		ok        bool
	}{
		{"none", NoCoverage, 100, Exact(100), Between(100, 200), true},
		{"a half", Coverage{0.5, nan, nan}, 100, Exact(200), Between(200, 400), true},
		{"a range", Coverage{nan, 0.25, 0.5}, 100, Between(200, 400), Between(200, 800), true},
		{"range and value", Coverage{0.4, 0.25, 0.5}, 100, Value{Point: 250, HasPoint: true, Low: 200, High: 400, Ranged: true}, Between(200, 800), true},
		{"low only", Coverage{nan, 0.5, nan}, 100, Between(100, 200), Between(100, 400), true},
		{"high only: open above", Coverage{nan, nan, 0.5}, 100, Between(200, inf), Between(200, inf), true},
		{"zero", Coverage{0, nan, nan}, 100, Value{}, Value{}, false},
	} {
		got, ok := tc.cov.Count(tc.r)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s: Count(%v) = %+v, %v; want %+v, %v", tc.name, tc.r, got, ok, tc.want, tc.ok)
		}
		got, ok = tc.cov.Range(tc.r, 2*tc.r)
		if ok != tc.ok || ok && got != tc.wantRange {
			t.Errorf("%s: Range(%v, %v) = %+v, %v; want %+v", tc.name, tc.r, 2*tc.r, got, ok, tc.wantRange)
		}
	}
}

func one() []Term { return []Term{{Probe: 0, Den: -1}} }

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		name    string
		it      Item
		sim     []float64
		err     float64
		verdict Verdict
		detail  string
	}{
		{"count within tolerance", Item{Kind: Count, Observed: Exact(100), Terms: one()}, []float64{120}, 0.2, Within, ""},
		{"count outside tolerance", Item{Kind: Count, Observed: Exact(100), Terms: one()}, []float64{50}, 0.5, Outside, "50 simulated, 100 observed"},
		{"count of zero", Item{Kind: Count, Observed: Exact(0), Terms: one()}, []float64{0}, 0, Within, ""},
		{"count with a coverage range, inside", Item{Kind: Count, Observed: Value{Point: 250, HasPoint: true, Low: 200, High: 400, Ranged: true}, Terms: one()}, []float64{390}, 0, Within, ""},
		{"count with a coverage range, below", Item{Kind: Count, Observed: Between(200, 400), Terms: one()}, []float64{150}, 0.25, Outside, "below 200"},
		{"interval inside", Item{Kind: Interval, Observed: Between(10, 20), Terms: one()}, []float64{15}, 0, Within, ""},
		{"interval above", Item{Kind: Interval, Observed: Between(10, 20), Terms: one()}, []float64{30}, 0.5, Outside, "above 20"},
		{"lower bound met", Item{Kind: Lower, Observed: Between(1000, inf), Terms: one()}, []float64{5000}, 0, Within, ""},
		{"lower bound missed", Item{Kind: Lower, Observed: Between(1000, inf), Terms: one()}, []float64{100}, 0.9, Outside, "below 1000"},
		{"upper bound missed", Item{Kind: Upper, Observed: Between(0, 1000), Terms: one()}, []float64{1500}, 0.5, Outside, "above 1000"},
		{"share interval", Item{Kind: Interval, Share: true, Observed: Between(0.9, 0.95), Terms: one()}, []float64{0.45}, 0.5, Outside, ""},
		{"ordering satisfied", Item{Kind: Ordering, Order: []string{"A", "B", "C"}, Terms: make([]Term, 3)}, []float64{30, 20, 10}, 0, Satisfied, ""},
		{"ordering one pair of three out", Item{Kind: Ordering, Order: []string{"A", "B", "C"}, Terms: make([]Term, 3)}, []float64{30, 5, 10}, 1.0 / 3, Violated, "B 5 ≤ C 10"},
		{"ordering tie is not more", Item{Kind: Ordering, Order: []string{"A", "B"}, Terms: make([]Term, 2)}, []float64{0, 0}, 1, Violated, "1 of 1 pairs"},
		{"series within", Item{Kind: Series, Dates: []string{"d1", "d2"}, Points: []Value{Exact(100), Exact(200)}, Terms: make([]Term, 2)}, []float64{110, 190}, 0.075, Within, ""},
		{"series one date out", Item{Kind: Series, Dates: []string{"d1", "d2"}, Points: []Value{Exact(100), Between(300, 400)}, Terms: make([]Term, 2)}, []float64{100, 200}, (0 + 1.0/3) / 2, Outside, "1 of 2 dates outside; first on d2"},
		{"not evaluable", Item{Kind: Count, Observed: Exact(5), Reason: "extraditions are not evaluable in this version"}, nil, math.NaN(), NotEvaluable, "extraditions"},
		{"share of nobody", Item{Kind: Count, Share: true, Observed: Exact(0.5), Terms: one()}, []float64{math.NaN()}, math.NaN(), NotEvaluable, "no simulated people"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Score(&tc.it, tc.sim)
			if !near(r.Error, tc.err) || r.Verdict != tc.verdict || !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("got error %v, %s, %q; want %v, %s, detail containing %q", r.Error, r.Verdict, r.Detail, tc.err, tc.verdict, tc.detail)
			}
		})
	}
}

// fakeRun returns probe k's value as vals[k] whatever the days.
type fakeRun []float64

func (f fakeRun) Over(k, from, to int) float64 { return f[k] }

func TestEvidence_EvaluateWeightsAndCaps(t *testing.T) {
	ev := &Evidence{Scale: 10, Items: []Item{
		{ID: "a", Kind: Count, Measure: "stock", Subject: "place A", When: "2024-01-01", Observed: Exact(100), Terms: one(), Weight: 1},
		{ID: "b", Kind: Lower, Measure: "crossings", Subject: "country B", Observed: Between(1000, inf), Terms: []Term{{Probe: 1, Den: -1}}, Weight: 0.25},
		{ID: "c", Kind: Upper, Measure: "stock", Subject: "place C", Observed: Between(0, 10), Terms: []Term{{Probe: 1, Den: -1}}, Weight: 0.5},
		{ID: "d", Kind: Count, Reason: "extraditions are not evaluable in this version", Weight: 1},
		{ID: "e", Kind: Count, Share: true, Observed: Exact(0.5), Terms: []Term{{Probe: 0, Den: 2}}, Weight: 1},
	}}
	// Probe values are agents: Scale 10 people each; shares are not scaled.
	fit := ev.Evaluate(fakeRun{10, 5, 20})
	sims := []float64{100, 50, 50, math.NaN(), 0.5}
	for i, r := range fit.Results {
		if len(r.Simulated) > 0 && !near(r.Simulated[0], sims[i]) {
			t.Errorf("%s: simulated %v, want %v", ev.Items[i].ID, r.Simulated, sims[i])
		}
	}
	// a: 0 (w 1); b: 0.95 (w 0.25); c: 4 capped at 1 (w 0.5); e: 0 (w 1).
	want := (0 + 0.25*0.95 + 0.5*1 + 0) / (1 + 0.25 + 0.5 + 1)
	if !near(fit.Score, want) || fit.Within != 2 || fit.Outside != 2 || fit.NotEvaluable != 1 {
		t.Errorf("fit %v (%d within, %d outside, %d not evaluable), want %v, 2, 2, 1", fit.Score, fit.Within, fit.Outside, fit.NotEvaluable, want)
	}
	if fit.Worst != 2 {
		t.Errorf("worst is item %d, want c (weighted error 2 against b's 0.24)", fit.Worst)
	}
	sum := ev.Summary(fit)
	for _, want := range []string{"5 observations: 2 within, 2 outside (worst: c, stock place C, error 4: 50 simulated, above 10), 1 not evaluable; fit 0.268 "} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary %q lacks %q", sum, want)
		}
	}
	var buf bytes.Buffer
	if err := ev.WriteCSV(&buf, fit); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 6 || lines[0] != strings.Join(EvidenceHeader, ",") {
		t.Fatalf("evidence.csv:\n%s", buf.String())
	}
	for i, want := range []string{
		"a,count,place A,stock,2024-01-01,100,100,0,within,1,",
		"b,lower bound,country B,crossings,,>= 1000,50,0.95,outside,0.25,",
		"d,count,,,,0,,,not evaluable,1,,,,,extraditions are not evaluable in this version",
	} {
		row := []int{1, 2, 4}[i]
		if !strings.HasPrefix(lines[row], want) {
			t.Errorf("row %d: %q, want prefix %q", row, lines[row], want)
		}
	}
}

func TestWeight(t *testing.T) {
	if Weight("high") != 1 || Weight("") != Weight("unknown") || Weight("low") >= Weight("medium") || Weight("contested") >= Weight("low") {
		t.Errorf("weights: %v", Weights)
	}
}
