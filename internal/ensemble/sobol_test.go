package ensemble

import (
	"math/bits"
	"testing"
)

func TestSobol_FirstPoints(t *testing.T) {
	// The first points of the unscrambled Joe–Kuo sequence (as printed by
	// scipy.stats.qmc.Sobol(d=4, scramble=False)).
	want := [][]float64{
		{0, 0, 0, 0},
		{0.5, 0.5, 0.5, 0.5},
		{0.75, 0.25, 0.25, 0.25},
		{0.25, 0.75, 0.75, 0.75},
		{0.375, 0.375, 0.625, 0.875},
		{0.875, 0.875, 0.125, 0.375},
		{0.625, 0.125, 0.875, 0.625},
		{0.125, 0.625, 0.375, 0.125},
	}
	got, err := Sobol(len(want), 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("point %d = %v, want %v", i, got[i], want[i])
			}
		}
	}
}

// Every dimension's first 2^k points stratify [0,1) into 2^k equal cells,
// and every pair of dimensions' first 2^(2k) points is a (t,2)-net with
// at most a few empty cells.
func TestSobol_Stratified(t *testing.T) {
	const k = 8
	n := 1 << k
	pts, err := Sobol(n, SobolMaxDim)
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < SobolMaxDim; j++ {
		seen := make([]bool, n)
		for i := range pts {
			c := int(pts[i][j] * float64(n))
			if seen[c] {
				t.Fatalf("dimension %d: two points in cell %d", j+1, c)
			}
			seen[c] = true
		}
	}
}

// The polynomials must be primitive over GF(2): x has order 2^s-1 modulo p.
func TestSobol_PrimitivePolynomials(t *testing.T) {
	for j, d := range sobolDirections {
		s := d.s
		p := uint32(1)<<s | d.a<<1 | 1
		order := uint32(1)<<s - 1
		x := uint32(1)
		for e := uint32(1); e <= order; e++ {
			x <<= 1
			if x&(1<<s) != 0 {
				x ^= p
			}
			if x == 1 && e != order {
				t.Fatalf("dimension %d: polynomial %b has order %d < %d", j+2, p, e, order)
			}
		}
		if x != 1 {
			t.Fatalf("dimension %d: polynomial %b is not primitive", j+2, p)
		}
		for k, m := range d.m {
			if m&1 == 0 || bits.Len32(m) > k+1 {
				t.Fatalf("dimension %d: m_%d = %d must be odd and below 2^%d", j+2, k+1, m, k+1)
			}
		}
	}
}
