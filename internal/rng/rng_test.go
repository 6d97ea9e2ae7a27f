package rng

import (
	"math"
	"testing"
)

func TestFloat_RangeAndMean(t *testing.T) {
	k := NewKey(42, 1)
	const n = 1 << 20
	var sum, sumsq float64
	for i := uint32(0); i < n; i++ {
		u := k.Float(i, i%977, Move)
		if u < 0 || u >= 1 {
			t.Fatalf("draw %d out of [0,1): %v", i, u)
		}
		sum += u
		sumsq += u * u
	}
	mean := sum / n
	variance := sumsq/n - mean*mean
	// Standard error of the mean is ~0.00028 for n=2^20; 5 sigma.
	if math.Abs(mean-0.5) > 0.0015 {
		t.Errorf("mean = %v, want 0.5", mean)
	}
	if math.Abs(variance-1.0/12) > 0.001 {
		t.Errorf("variance = %v, want %v", variance, 1.0/12)
	}
}

func TestFloat_Deterministic(t *testing.T) {
	a, b := NewKey(7, 3), NewKey(7, 3)
	for i := uint32(0); i < 1000; i++ {
		if a.Float(i, 5, Move|i) != b.Float(i, 5, Move|i) {
			t.Fatal("same key and counter gave different draws")
		}
	}
	if NewKey(7, 3).Float(1, 1, 0) == NewKey(8, 3).Float(1, 1, 0) {
		t.Error("different seeds gave the same draw")
	}
}

// Neighbouring counters must be uncorrelated: a lag-1 correlation test over
// agents, days and draw indices.
func TestFloat_NeighbourCorrelation(t *testing.T) {
	k := NewKey(1, 1)
	for _, tc := range []struct {
		name string
		at   func(i uint32) float64
	}{
		{"agent", func(i uint32) float64 { return k.Float(i, 10, 0) }},
		{"day", func(i uint32) float64 { return k.Float(10, i, 0) }},
		{"draw", func(i uint32) float64 { return k.Float(10, 10, i) }},
	} {
		const n = 200000
		var sxy, sx, sy, sxx, syy float64
		prev := tc.at(0)
		for i := uint32(1); i < n; i++ {
			cur := tc.at(i)
			sxy += prev * cur
			sx += prev
			sy += cur
			sxx += prev * prev
			syy += cur * cur
			prev = cur
		}
		m := float64(n - 1)
		r := (sxy/m - sx/m*sy/m) / math.Sqrt((sxx/m-sx*sx/m/m)*(syy/m-sy*sy/m/m))
		if math.Abs(r) > 0.01 {
			t.Errorf("%s: lag-1 correlation %v", tc.name, r)
		}
	}
}

func TestSource_Uniform(t *testing.T) {
	s := NewSource(NewKey(3, 3))
	var buckets [10]int
	for i := 0; i < 100000; i++ {
		buckets[int(s.Float()*10)]++
	}
	for i, c := range buckets {
		if c < 9500 || c > 10500 {
			t.Errorf("bucket %d has %d of 100000", i, c)
		}
	}
}

func TestDayKey_UniformAndIndependent(t *testing.T) {
	k := NewKey(9, 1)
	d1, d2 := k.Day(3, Move), k.Day(4, Move)
	const n = 1 << 18
	var s1, s2, s12 float64
	for i := uint32(0); i < n; i++ {
		a, b := d1.Float(i), d2.Float(i)
		if a < 0 || a >= 1 {
			t.Fatalf("out of range: %v", a)
		}
		s1 += a
		s2 += b
		s12 += a * b
	}
	if math.Abs(s1/n-0.5) > 0.003 {
		t.Errorf("mean %v", s1/n)
	}
	cov := s12/n - (s1/n)*(s2/n)
	if math.Abs(cov) > 0.001 {
		t.Errorf("draws of two days correlate: cov %v", cov)
	}
}

func BenchmarkDayKeyFloat(b *testing.B) {
	d := NewKey(1, 1).Day(17, Move)
	var s float64
	for i := 0; i < b.N; i++ {
		s += d.Float(uint32(i))
	}
	_ = s
}

func BenchmarkFloat(b *testing.B) {
	k := NewKey(1, 1)
	var s float64
	for i := 0; i < b.N; i++ {
		s += k.Float(uint32(i), 17, Move)
	}
	_ = s
}
