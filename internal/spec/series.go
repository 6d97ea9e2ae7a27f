package spec

import "sort"

// The rules by which observed series become day values, as Flee applies
// them (docs/flee-model.md §2.6–2.7, §5). internal/flee implements the same
// rules for case folders; the conversion tests check that both agree on
// every shared case.

// Point is one observation of a series: a day offset from the start (it may
// be negative) and a count, already divided by hasten.
type Point struct {
	Day   float64
	Value float64
}

// at returns a series' value on day t: the first value before the first
// date, the last after the last, linear interpolation between, truncated
// toward zero.
func at(p []Point, t int) int {
	if len(p) == 0 {
		return 0
	}
	d := float64(t)
	if d <= p[0].Day {
		return int(p[0].Value)
	}
	for i := 1; i < len(p); i++ {
		if d < p[i].Day {
			old := p[i-1]
			frac := (d - old.Day) / (p[i].Day - old.Day)
			return int(old.Value + frac*(p[i].Value-old.Value))
		}
	}
	return int(p[len(p)-1].Value)
}

// mergeFlee adds a second series to a first the way Flee's AddCSVTables
// does, quirks included.
func mergeFlee(t1, t2 []Point) []Point {
	var out []Point
	off := 0
	last := Point{}
	for _, c2 := range t2 {
		for c2.Day > t1[off].Day {
			out = append(out, Point{t1[off].Day, last.Value + t1[off].Value})
			if off < len(t1)-1 {
				off++
			} else {
				break
			}
		}
		if c2.Day == t1[off].Day {
			out = append(out, Point{c2.Day, c2.Value + t1[off].Value})
			if off < len(t1)-1 {
				off++
			}
			last = c2
			continue
		}
		if c2.Day < t1[off].Day {
			out = append(out, Point{c2.Day, c2.Value + t1[off].Value})
			last = c2
		}
	}
	return out
}

// mergeSum adds series on the union of their dates, each read with the
// interpolation rule: Caravan's replacement for mergeFlee.
func mergeSum(tables ...[]Point) []Point {
	days := map[float64]bool{}
	var order []float64
	for _, t := range tables {
		for _, p := range t {
			if !days[p.Day] {
				days[p.Day] = true
				order = append(order, p.Day)
			}
		}
	}
	sort.Float64s(order)
	out := make([]Point, 0, len(order))
	for _, d := range order {
		v := 0.0
		for _, t := range tables {
			v += interpFloat(t, d)
		}
		out = append(out, Point{d, v})
	}
	return out
}

func interpFloat(p []Point, d float64) float64 {
	if d <= p[0].Day {
		return p[0].Value
	}
	for i := 1; i < len(p); i++ {
		if d < p[i].Day {
			frac := (d - p[i-1].Day) / (p[i].Day - p[i-1].Day)
			return p[i-1].Value + frac*(p[i].Value-p[i-1].Value)
		}
	}
	return p[len(p)-1].Value
}

// correct rescales the points before a registration change on day so that
// they match the count on it. It reports whether the day is one of the
// series' days after the first, and the value before it when that is below
// 1 (which makes the correction impossible).
func correct(p []Point, day float64) (applied bool, badLast float64, bad bool) {
	for i := range p {
		if p[i].Day != day || i == 0 {
			continue
		}
		first, last := p[i].Value, p[i-1].Value
		if last < 1 {
			return applied, last, true
		}
		for j := 0; j < i; j++ {
			p[j].Value *= first / last
		}
		applied = true
	}
	return applied, 0, false
}

func floorDiv(a, b int) int {
	if b <= 1 {
		return a
	}
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
