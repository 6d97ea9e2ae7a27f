package calibrate

import (
	"math"
	"testing"

	"github.com/caravan-sim/caravan/internal/ensemble"
)

// The Ishigami function has known Sobol indices (a=7, b=0.1):
// S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244.
func TestSobolIndices_Ishigami(t *testing.T) {
	d := ensemble.Design{Kind: ensemble.DesignSaltelli, Points: 4096, Replicates: 1}
	pts, err := d.Unit(3)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(pts))
	for k, u := range pts {
		x := make([]float64, 3)
		for i := range x {
			x[i] = -math.Pi + 2*math.Pi*u[i]
		}
		y[k] = math.Sin(x[0]) + 7*math.Pow(math.Sin(x[1]), 2) + 0.1*math.Pow(x[2], 4)*math.Sin(x[0])
	}
	idx, err := SobolIndices(y, 3, []string{"x1", "x2", "x3"}, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	s1 := []float64{0.314, 0.442, 0}
	st := []float64{0.558, 0.442, 0.244}
	for i, s := range idx {
		if math.Abs(s.S1-s1[i]) > 0.03 || math.Abs(s.ST-st[i]) > 0.03 {
			t.Errorf("%s: S1 %.3f (want %.3f), ST %.3f (want %.3f)", s.Param, s.S1, s1[i], s.ST, st[i])
		}
		if !(s.S1Conf > 0 && s.S1Conf < 0.1 && s.STConf > 0 && s.STConf < 0.1) {
			t.Errorf("%s: confidence %v %v", s.Param, s.S1Conf, s.STConf)
		}
	}
}

// For a linear function the elementary effects are its coefficients.
func TestMorrisEffects_Linear(t *testing.T) {
	d := ensemble.Design{Kind: ensemble.DesignMorris, Points: 10, Replicates: 1, Levels: 4, DesignSeed: 2}
	pts, err := d.Unit(3)
	if err != nil {
		t.Fatal(err)
	}
	coef := []float64{3, -1, 0}
	y := make([]float64, len(pts))
	for k, u := range pts {
		for i, c := range coef {
			y[k] += c * u[i]
		}
	}
	eff, err := MorrisEffects(pts, y, []string{"a", "b", "c"}, 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range eff {
		if math.Abs(e.Mu-coef[i]) > 1e-9 || math.Abs(e.MuStar-math.Abs(coef[i])) > 1e-9 || e.Sigma > 1e-9 || e.N != 10 {
			t.Errorf("%s: %+v", e.Param, e)
		}
	}
}
