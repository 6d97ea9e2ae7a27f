package evaluate

import (
	"math"
	"testing"
)

func TestComputeARD(t *testing.T) {
	for _, tc := range []struct {
		name           string
		sim, obs       [][]int
		want, rescaled float64
	}{
		{"perfect", [][]int{{10, 20}, {5, 5}}, [][]int{{10, 20}, {5, 5}}, 0, 0},
		// day 0: |12-10|+|3-5| = 4 over 15; day 1: |30-20|+|0-5| = 15 over 25.
		{"two camps", [][]int{{12, 30}, {3, 0}}, [][]int{{10, 20}, {5, 5}}, (4.0/15 + 15.0/25) / 2,
			// rescaled: day 0 sim total 15 = obs total -> same 4/15; day 1: 30*25/30=25, 0 -> |25-20|+|0-5| = 10/25
			(4.0/15 + 10.0/25) / 2},
		// nothing observed: denominator max(1, 0) = 1
		{"empty observation", [][]int{{3}}, [][]int{{0}}, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeARD(tc.sim, tc.obs)
			if math.Abs(got.Value-tc.want) > 1e-12 || math.Abs(got.Rescaled-tc.rescaled) > 1e-12 {
				t.Errorf("ARD %v rescaled %v, want %v and %v", got.Value, got.Rescaled, tc.want, tc.rescaled)
			}
		})
	}
	if r := ComputeARD(nil, nil); r.Value != 0 || r.PerDay != nil {
		t.Error("no camps must give a zero ARD")
	}
}
