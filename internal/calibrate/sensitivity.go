package calibrate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/caravan-sim/caravan/internal/ensemble"
)

// Output names an ensemble member figure a sensitivity analysis explains.
type Output struct {
	Name string
	Of   func(s *ensemble.MemberStats) float64
}

// Outputs are the member figures sensitivity analyses report on.
var Outputs = []Output{
	{"ard", func(s *ensemble.MemberStats) float64 { return s.ARD }},
	{"ard_rescaled", func(s *ensemble.MemberStats) float64 { return s.ARDRescaled }},
	{"in_camps", func(s *ensemble.MemberStats) float64 { return float64(s.InCamps) }},
}

// PointMeans averages an output over each design point's replicates, in
// point order.
func PointMeans(p *ensemble.Plan, members []ensemble.MemberStats, of func(*ensemble.MemberStats) float64) []float64 {
	n := 0
	for _, m := range p.Members {
		n = max(n, m.Point+1)
	}
	sum := make([]float64, n)
	cnt := make([]int, n)
	for i := range members {
		pt := p.Members[i].Point
		sum[pt] += of(&members[i])
		cnt[pt]++
	}
	for i := range sum {
		sum[i] /= float64(cnt[i])
	}
	return sum
}

// SobolIndex is one parameter's first-order (S1) and total (ST) Sobol
// index, each with the half-width of a 95% bootstrap confidence interval.
type SobolIndex struct {
	Param  string  `json:"param"`
	S1     float64 `json:"s1"`
	S1Conf float64 `json:"s1_conf"`
	ST     float64 `json:"st"`
	STConf float64 `json:"st_conf"`
}

// SobolIndices estimates Sobol indices from outputs y of a Saltelli design
// (ensemble.DesignSaltelli: per base row A, B, AB_1..AB_d) with d
// parameters: S1 by Saltelli et al. (2010), ST by Jansen (1999), both
// normalised by the variance of the A and B outputs. Confidence intervals
// come from boot bootstrap resamples of the base rows (seeded, so
// reproducible).
func SobolIndices(y []float64, d int, names []string, boot int, seed uint64) ([]SobolIndex, error) {
	if d < 1 || len(y)%(d+2) != 0 || len(y) < 2*(d+2) {
		return nil, fmt.Errorf("sobol: %d outputs do not form a Saltelli design of %d parameters with 2 or more base rows", len(y), d)
	}
	n := len(y) / (d + 2)
	a, b := make([]float64, n), make([]float64, n)
	ab := make([][]float64, d)
	for i := range ab {
		ab[i] = make([]float64, n)
	}
	for j := 0; j < n; j++ {
		a[j], b[j] = y[j*(d+2)], y[j*(d+2)+1]
		for i := 0; i < d; i++ {
			ab[i][j] = y[j*(d+2)+2+i]
		}
	}
	estimate := func(rows []int) ([]float64, []float64, bool) {
		var mean float64
		for _, j := range rows {
			mean += a[j] + b[j]
		}
		mean /= float64(2 * len(rows))
		var v float64
		for _, j := range rows {
			v += (a[j]-mean)*(a[j]-mean) + (b[j]-mean)*(b[j]-mean)
		}
		v /= float64(2*len(rows) - 1)
		if v == 0 {
			return nil, nil, false
		}
		s1, st := make([]float64, d), make([]float64, d)
		for i := 0; i < d; i++ {
			var f, t float64
			for _, j := range rows {
				f += b[j] * (ab[i][j] - a[j])
				t += (a[j] - ab[i][j]) * (a[j] - ab[i][j])
			}
			s1[i] = f / float64(len(rows)) / v
			st[i] = t / float64(2*len(rows)) / v
		}
		return s1, st, true
	}
	all := make([]int, n)
	for j := range all {
		all[j] = j
	}
	s1, st, ok := estimate(all)
	if !ok {
		return nil, errors.New("sobol: the output does not vary over the design; nothing to apportion")
	}
	out := make([]SobolIndex, d)
	for i := range out {
		out[i] = SobolIndex{Param: names[i], S1: s1[i], ST: st[i]}
	}
	if boot > 0 {
		rng := rand.New(rand.NewPCG(seed, 0x5a17e111))
		bs1 := make([][]float64, d)
		bst := make([][]float64, d)
		rows := make([]int, n)
		for k := 0; k < boot; k++ {
			for j := range rows {
				rows[j] = rng.IntN(n)
			}
			s1, st, ok := estimate(rows)
			if !ok {
				continue
			}
			for i := 0; i < d; i++ {
				bs1[i] = append(bs1[i], s1[i])
				bst[i] = append(bst[i], st[i])
			}
		}
		for i := range out {
			out[i].S1Conf = 1.96 * sd(bs1[i])
			out[i].STConf = 1.96 * sd(bst[i])
		}
	}
	return out, nil
}

func sd(v []float64) float64 {
	if len(v) < 2 {
		return math.NaN()
	}
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}

// MorrisEffect summarises one parameter's elementary effects (per unit of
// its range): mean μ, mean absolute μ*, and standard deviation σ, with the
// half-width of a 95% bootstrap interval for μ*.
type MorrisEffect struct {
	Param      string  `json:"param"`
	Mu         float64 `json:"mu"`
	MuStar     float64 `json:"mu_star"`
	MuStarConf float64 `json:"mu_star_conf"`
	Sigma      float64 `json:"sigma"`
	N          int     `json:"n"`
}

// MorrisEffects computes elementary effects from the unit-cube points of a
// Morris design (trajectories of d+1 points, one parameter moved per step)
// and their outputs y.
func MorrisEffects(unit [][]float64, y []float64, names []string, boot int, seed uint64) ([]MorrisEffect, error) {
	d := len(names)
	if len(unit) != len(y) || len(y)%(d+1) != 0 || len(y) == 0 {
		return nil, fmt.Errorf("morris: %d outputs do not form trajectories of %d points", len(y), d+1)
	}
	ee := make([][]float64, d)
	for t := 0; t < len(y)/(d+1); t++ {
		for s := 1; s <= d; s++ {
			k := t*(d+1) + s
			i := -1
			for j := 0; j < d; j++ {
				if unit[k][j] != unit[k-1][j] {
					if i >= 0 {
						return nil, fmt.Errorf("morris: point %d moves more than one parameter", k)
					}
					i = j
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("morris: point %d moves no parameter", k)
			}
			ee[i] = append(ee[i], (y[k]-y[k-1])/(unit[k][i]-unit[k-1][i]))
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x303215))
	out := make([]MorrisEffect, d)
	for i := range out {
		e := ee[i]
		var mu, mus float64
		for _, x := range e {
			mu += x
			mus += math.Abs(x)
		}
		mu /= float64(len(e))
		mus /= float64(len(e))
		out[i] = MorrisEffect{Param: names[i], Mu: mu, MuStar: mus, Sigma: sd(e), N: len(e)}
		if boot > 0 && len(e) > 1 {
			var bs []float64
			for k := 0; k < boot; k++ {
				var m float64
				for range e {
					m += math.Abs(e[rng.IntN(len(e))])
				}
				bs = append(bs, m/float64(len(e)))
			}
			out[i].MuStarConf = 1.96 * sd(bs)
		}
	}
	return out, nil
}
