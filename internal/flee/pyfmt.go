package flee

import (
	"math"
	"strconv"
	"strings"
)

// pyFloat formats a float64 as Python's repr() does, so out.csv matches
// Flee's byte for byte: the shortest round-trip digits, fixed notation for
// exponents in [-4, 16) with at least one decimal ("1.0"), scientific
// otherwise ("1e-05", "1.5e+16").
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expS)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		e := strconv.Itoa(exp)
		if len(e) < 2 {
			e = "0" + e
		}
		out = m + "e" + sign + e
	} else if exp < 0 {
		out = "0." + strings.Repeat("0", -exp-1) + digits
	} else if len(digits) <= exp+1 {
		out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	} else {
		out = digits[:exp+1] + "." + digits[exp+1:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// npRound4 rounds to 4 decimals as round() does on a numpy.float64, which
// Flee's error column is: rint(x·10⁴)/10⁴, halves to even.
func npRound4(f float64) float64 { return math.RoundToEven(f*1e4) / 1e4 }
