package ensemble

import "fmt"

// sobolDirections are Joe and Kuo's primitive polynomials and initial
// direction numbers (new-joe-kuo-6.21201) for dimensions 2 to 21: degree s,
// polynomial coefficients a, and the initial odd integers m_1..m_s.
// Dimension 1 is van der Corput's sequence.
//
// S. Joe and F. Y. Kuo, Constructing Sobol sequences with better
// two-dimensional projections, SIAM J. Sci. Comput. 30, 2635–2654 (2008).
var sobolDirections = []struct {
	s, a uint32
	m    []uint32
}{
	{1, 0, []uint32{1}},
	{2, 1, []uint32{1, 3}},
	{3, 1, []uint32{1, 3, 1}},
	{3, 2, []uint32{1, 1, 1}},
	{4, 1, []uint32{1, 1, 3, 3}},
	{4, 4, []uint32{1, 3, 5, 13}},
	{5, 2, []uint32{1, 1, 5, 5, 17}},
	{5, 4, []uint32{1, 1, 5, 5, 5}},
	{5, 7, []uint32{1, 1, 7, 11, 19}},
	{5, 11, []uint32{1, 1, 5, 1, 1}},
	{5, 13, []uint32{1, 1, 1, 3, 11}},
	{5, 14, []uint32{1, 3, 5, 5, 31}},
	{6, 1, []uint32{1, 3, 3, 9, 7, 49}},
	{6, 13, []uint32{1, 1, 1, 15, 21, 21}},
	{6, 16, []uint32{1, 3, 1, 13, 27, 49}},
	{6, 19, []uint32{1, 1, 1, 15, 7, 5}},
	{6, 22, []uint32{1, 3, 1, 15, 13, 25}},
	{6, 25, []uint32{1, 1, 5, 5, 19, 61}},
	{7, 1, []uint32{1, 3, 7, 11, 23, 15, 103}},
	{7, 4, []uint32{1, 3, 7, 13, 13, 15, 69}},
}

// SobolMaxDim is the most dimensions Sobol supports.
const SobolMaxDim = 21

const sobolBits = 32

// Sobol returns the first n points of the (unscrambled) Sobol sequence in d
// dimensions, starting with the origin, computed in Gray-code order with 32
// bits of precision (so n ≤ 2^32). The first 2^k points of every dimension
// put exactly one point in each interval [j/2^k, (j+1)/2^k).
func Sobol(n, d int) ([][]float64, error) {
	if d < 1 || d > SobolMaxDim {
		return nil, fmt.Errorf("sobol: %d dimensions; supported: 1 to %d", d, SobolMaxDim)
	}
	if n < 0 || int64(n) > 1<<sobolBits {
		return nil, fmt.Errorf("sobol: %d points out of range", n)
	}
	v := make([][sobolBits]uint32, d)
	for k := 0; k < sobolBits; k++ {
		v[0][k] = 1 << (sobolBits - 1 - k)
	}
	for j := 1; j < d; j++ {
		dir := sobolDirections[j-1]
		s := int(dir.s)
		for k := 0; k < s && k < sobolBits; k++ {
			v[j][k] = dir.m[k] << (sobolBits - 1 - k)
		}
		for k := s; k < sobolBits; k++ {
			x := v[j][k-s] ^ (v[j][k-s] >> s)
			for l := 1; l < s; l++ {
				if (dir.a>>(s-1-l))&1 == 1 {
					x ^= v[j][k-l]
				}
			}
			v[j][k] = x
		}
	}
	out := make([][]float64, n)
	x := make([]uint32, d)
	const scale = 1.0 / (1 << sobolBits)
	for i := 0; i < n; i++ {
		if i > 0 {
			// c: position of the lowest zero bit of i-1.
			c := 0
			for m := uint64(i - 1); m&1 == 1; m >>= 1 {
				c++
			}
			for j := range x {
				x[j] ^= v[j][c]
			}
		}
		p := make([]float64, d)
		for j := range x {
			p[j] = float64(x[j]) * scale
		}
		out[i] = p
	}
	return out, nil
}
