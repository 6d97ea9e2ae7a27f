package ensemble

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"
)

// Design kinds.
const (
	// DesignSeeds: no parameters; Points members differing only in seed.
	DesignSeeds = "seeds"
	// DesignLHS: a Latin hypercube over the parameter ranges (gonum).
	DesignLHS = "lhs"
	// DesignHalton: an Owen-scrambled Halton sequence (gonum).
	DesignHalton = "halton"
	// DesignSobol: the unscrambled Sobol sequence (Joe–Kuo), origin first.
	DesignSobol = "sobol"
	// DesignSaltelli: Saltelli's scheme for Sobol indices: Points base rows
	// each give A, B and the d mixed rows AB_i, d+2 points per base row.
	DesignSaltelli = "saltelli"
	// DesignMorris: Points Morris trajectories of d+1 points each, one
	// parameter moved by ±Δ at each step, on a grid of Levels levels.
	DesignMorris = "morris"
)

// DesignKinds lists the design kinds, for help texts.
var DesignKinds = []string{DesignSeeds, DesignLHS, DesignHalton, DesignSobol, DesignSaltelli, DesignMorris}

// Design says which members an ensemble has: points in parameter space,
// each run Replicates times with different seeds.
type Design struct {
	Kind string `json:"kind"`
	// Points is the number of design points (for seeds: members; for
	// saltelli: base rows; for morris: trajectories).
	Points     int    `json:"points"`
	Replicates int    `json:"replicates"`
	SeedBase   uint64 `json:"seed_base"`
	// CRN gives every point the same seeds (SeedBase + replicate): common
	// random numbers, so differences between points are not seed noise.
	// Otherwise member i has seed SeedBase + i.
	CRN bool `json:"crn,omitempty"`
	// DesignSeed drives the random parts of lhs, halton and morris designs.
	DesignSeed uint64 `json:"design_seed,omitempty"`
	// Levels is the Morris grid size (even; default 4).
	Levels int `json:"levels,omitempty"`
}

// Check reports a design that cannot be built for d parameters.
func (d *Design) Check(nParams int) error {
	if !slices.Contains(DesignKinds, d.Kind) {
		return fmt.Errorf("unknown design %q (want one of %v)", d.Kind, DesignKinds)
	}
	if d.Points < 1 {
		return fmt.Errorf("design needs at least one point, got %d", d.Points)
	}
	if d.Replicates < 1 {
		return fmt.Errorf("replicates must be at least 1, got %d", d.Replicates)
	}
	if d.Kind == DesignSeeds {
		if nParams > 0 {
			return fmt.Errorf("design seeds takes no parameters; choose lhs, halton, sobol, saltelli or morris")
		}
		return nil
	}
	if nParams == 0 {
		return fmt.Errorf("design %s needs parameters (--params)", d.Kind)
	}
	switch d.Kind {
	case DesignSobol:
		if nParams > SobolMaxDim {
			return fmt.Errorf("sobol design supports at most %d parameters, got %d; use halton or lhs", SobolMaxDim, nParams)
		}
	case DesignMorris:
		if d.Levels == 0 {
			d.Levels = 4
		}
		if d.Levels < 2 || d.Levels%2 != 0 {
			return fmt.Errorf("morris levels must be even and at least 2, got %d", d.Levels)
		}
	}
	return nil
}

// Size returns the number of distinct parameter points for d parameters.
func (d Design) Size(nParams int) int {
	switch d.Kind {
	case DesignSaltelli:
		return d.Points * (nParams + 2)
	case DesignMorris:
		return d.Points * (nParams + 1)
	}
	return d.Points
}

// Unit returns the design's points in the unit cube [0,1]^d, one row per
// point, in design order. It is a pure function of the design.
func (d Design) Unit(nParams int) ([][]float64, error) {
	if err := d.Check(nParams); err != nil {
		return nil, err
	}
	n := d.Points
	src := rand.NewPCG(d.DesignSeed, 0x636172617661_6e) // "caravan"
	switch d.Kind {
	case DesignSeeds:
		return make([][]float64, n), nil
	case DesignLHS, DesignHalton:
		batch := mat.NewDense(n, nParams, nil)
		q := distmv.NewUnitUniform(nParams, nil)
		if d.Kind == DesignLHS {
			samplemv.LatinHypercube{Q: q, Src: src}.Sample(batch)
		} else {
			samplemv.Halton{Kind: samplemv.Owen, Q: q, Src: src}.Sample(batch)
		}
		out := make([][]float64, n)
		for i := range out {
			out[i] = slices.Clone(batch.RawRowView(i))
		}
		return out, nil
	case DesignSobol:
		return Sobol(n, nParams)
	case DesignSaltelli:
		return saltelli(n, nParams, src)
	case DesignMorris:
		return morris(n, nParams, d.Levels, rand.New(src)), nil
	}
	panic("ensemble: unreachable design kind")
}

// saltelli builds Saltelli's sample: for each base row j, A_j, B_j and
// AB_j^i (A_j with column i taken from B_j), from a 2d-dimensional
// low-discrepancy sequence (Sobol, skipping the origin; Halton beyond
// SobolMaxDim/2 parameters).
func saltelli(n, d int, src rand.Source) ([][]float64, error) {
	var base [][]float64
	if 2*d <= SobolMaxDim {
		s, err := Sobol(n+1, 2*d)
		if err != nil {
			return nil, err
		}
		base = s[1:]
	} else {
		batch := mat.NewDense(n, 2*d, nil)
		samplemv.Halton{Kind: samplemv.Owen, Q: distmv.NewUnitUniform(2*d, nil), Src: src}.Sample(batch)
		for i := 0; i < n; i++ {
			base = append(base, slices.Clone(batch.RawRowView(i)))
		}
	}
	out := make([][]float64, 0, n*(d+2))
	for _, row := range base {
		a, b := row[:d], row[d:]
		out = append(out, slices.Clone(a), slices.Clone(b))
		for i := 0; i < d; i++ {
			ab := slices.Clone(a)
			ab[i] = b[i]
			out = append(out, ab)
		}
	}
	return out, nil
}

// SaltelliRole says what design point k of a Saltelli design is for d
// parameters: -2 for A, -1 for B, i for AB^i; and its base row.
func SaltelliRole(k, d int) (row, role int) {
	row, r := k/(d+2), k%(d+2)
	return row, r - 2
}

// morris builds r trajectories on a p-level grid with Δ = p/(2(p-1)): a
// random start on the grid, then each parameter in random order moved by +Δ
// or −Δ (whichever stays in [0,1], chosen at random when both do).
func morris(r, d, p int, rng *rand.Rand) [][]float64 {
	delta := float64(p) / (2 * float64(p-1))
	out := make([][]float64, 0, r*(d+1))
	for t := 0; t < r; t++ {
		x := make([]float64, d)
		for i := range x {
			x[i] = float64(rng.IntN(p)) / float64(p-1)
		}
		out = append(out, slices.Clone(x))
		for _, i := range rng.Perm(d) {
			up := x[i]+delta <= 1+1e-12
			down := x[i]-delta >= -1e-12
			if up && down {
				up = rng.IntN(2) == 0
			}
			if up {
				x[i] += delta
			} else {
				x[i] -= delta
			}
			x[i] = min(max(x[i], 0), 1)
			out = append(out, slices.Clone(x))
		}
	}
	return out
}
