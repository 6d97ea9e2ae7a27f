package sim

import "testing"

// A driver's propensities multiply the origin's group shares when the groups
// of its people are drawn.
func TestDriverGroupPropensity(t *testing.T) {
	const n = 20000
	count := func(prop []float64) (g0 int, groups []uint8) {
		sc := sysToy(1) // shares at O: g0 0.25, g1 0.75
		sc.System.Drivers[0].Propensity = prop
		e := mustNew(t, sc, DefaultSettings(), 7)
		d := &e.sc.System.Drivers[0]
		for i := 0; i < n; i++ {
			g := e.drawDriverGroup(int32(i), 0, d, 0)
			if again := e.drawDriverGroup(int32(i), 0, d, 0); again != g {
				t.Fatalf("agent %d: drew group %d, then %d", i, g, again)
			}
			groups = append(groups, g)
			if g == 0 {
				g0++
			}
		}
		return g0, groups
	}
	for _, tc := range []struct {
		name string
		prop []float64
		want float64 // share of g0
	}{
		{"none", nil, 0.25},
		{"g0 three times as hard", []float64{3, 1}, 0.5}, // 0.75 : 0.75
		{"g1 spared", []float64{1, 0}, 1},
		{"g0 spared", []float64{0, 1}, 0},
		{"all zero: shares alone", []float64{0, 0}, 0.25},
	} {
		g0, _ := count(tc.prop)
		within(t, tc.name, g0, n, tc.want)
	}
	// Factors of 1 are no propensity at all: the same person gets the same group.
	_, plain := count(nil)
	_, ones := count([]float64{1, 1})
	for i := range plain {
		if plain[i] != ones[i] {
			t.Fatalf("agent %d: group %d without propensities, %d with factors of 1", i, plain[i], ones[i])
		}
	}
}

// The displaced of a driver run through the engine carry its propensities.
func TestDriverPropensityRun(t *testing.T) {
	sc := sysToy(1) // 20000 displaced on day 0; shares at O: g0 0.25, g1 0.75
	sc.System.Drivers[0].Propensity = []float64{3, 1}
	e := mustNew(t, sc, DefaultSettings(), 2)
	step(t, e, 1)
	g := groupTotals(e)
	within(t, "g0 of the displaced, hit three times as hard", g[0], g[0]+g[1], 0.5)
}
