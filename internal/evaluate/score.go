package evaluate

import (
	"fmt"
	"math"
	"strings"
)

// Tolerance is the relative error up to which a plain count (one without
// a range) counts as within: 0.25, a quarter of the observed number.
const Tolerance = 0.25

// Units are the smallest denominators of relative errors, so that an
// observed 0 does not divide by zero: one person for counts, a share of
// 0.01 for shares.
const (
	unitPeople = 1
	unitShare  = 0.01
)

// Verdict is how a simulated number compares with a piece of evidence.
type Verdict uint8

// Verdicts.
const (
	NotEvaluable Verdict = iota
	Within               // inside the interval or bound, or within Tolerance of a count
	Outside
	Satisfied // an ordering holds for every pair
	Violated
)

var verdictNames = [...]string{"not evaluable", "within", "outside", "satisfied", "violated"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict"
}

// Fits reports whether the verdict is a success (within or satisfied).
func (v Verdict) Fits() bool { return v == Within || v == Satisfied }

// RelErr is |sim − obs| / max(obs, unit).
func RelErr(sim, obs, unit float64) float64 {
	return math.Abs(sim-obs) / math.Max(math.Abs(obs), unit)
}

// Distance is 0 when sim lies in [low, high]; outside it is the distance
// to the nearer end relative to that end (at least unit).
func Distance(sim, low, high, unit float64) float64 {
	switch {
	case sim < low:
		return (low - sim) / math.Max(low, unit)
	case sim > high:
		return (sim - high) / math.Max(high, unit)
	}
	return 0
}

// score compares one simulated number with an observed value: the
// distance to its range when it has one, else the relative error.
func (v Value) score(sim, unit float64) (err float64, fits bool) {
	if v.Ranged {
		err = Distance(sim, v.Low, v.High, unit)
		return err, err == 0
	}
	err = RelErr(sim, v.Point, unit)
	return err, err <= Tolerance
}

// Result is an item's comparison with one run.
type Result struct {
	Simulated []float64
	// Error is 0 for a perfect fit: a count's relative error, an interval's
	// or bound's relative distance, a series' mean error over its dates, an
	// ordering's share of pairs out of order. NaN when not evaluable.
	Error   float64
	Verdict Verdict
	// Detail says more: which dates lie outside, which pairs are out of
	// order, why the item is not evaluable.
	Detail string
}

// Score compares item it with its simulated terms sim (Evidence.Simulate).
func Score(it *Item, sim []float64) Result {
	r := Result{Simulated: sim, Error: math.NaN()}
	if it.Reason != "" {
		r.Detail = it.Reason
		return r
	}
	if len(sim) != len(it.Terms) || len(sim) == 0 {
		r.Detail = "nothing simulated to compare with"
		return r
	}
	for _, v := range sim {
		if math.IsNaN(v) {
			r.Detail = "no simulated people to take a share of"
			return r
		}
	}
	unit := float64(unitPeople)
	if it.Share {
		unit = unitShare
	}
	switch it.Kind {
	case Ordering:
		pairs, in := 0, 0
		var out []string
		for i := range sim {
			for j := i + 1; j < len(sim); j++ {
				pairs++
				if sim[i] > sim[j] {
					in++
				} else {
					out = append(out, fmt.Sprintf("%s %s ≤ %s %s", it.Order[i], Num(sim[i]), it.Order[j], Num(sim[j])))
				}
			}
		}
		r.Error = 1 - float64(in)/float64(pairs)
		r.Verdict = Satisfied
		if in < pairs {
			r.Verdict = Violated
			r.Detail = fmt.Sprintf("%d of %d pairs out of order: %s", pairs-in, pairs, strings.Join(out, ", "))
		}
	case Series:
		sum, bad := 0.0, 0
		var first string
		for k, s := range sim {
			e, fits := it.Points[k].score(s, unit)
			sum += e
			if !fits {
				bad++
				if first == "" {
					first = fmt.Sprintf("first on %s: %s simulated, %s observed", it.Dates[k], Num(s), valueText(it.Points[k]))
				}
			}
		}
		r.Error = sum / float64(len(sim))
		r.Verdict = Within
		if bad > 0 {
			r.Verdict = Outside
			r.Detail = fmt.Sprintf("%d of %d dates outside; %s", bad, len(sim), first)
		}
	default:
		e, fits := it.Observed.score(sim[0], unit)
		r.Error = e
		r.Verdict = Within
		if !fits {
			r.Verdict = Outside
			r.Detail = describeMiss(it, sim[0])
		}
	}
	return r
}

func describeMiss(it *Item, s float64) string {
	v := it.Observed
	switch {
	case v.Ranged && s < v.Low:
		return fmt.Sprintf("%s simulated, below %s", Num(s), Num(v.Low))
	case v.Ranged && s > v.High:
		return fmt.Sprintf("%s simulated, above %s", Num(s), Num(v.High))
	}
	return fmt.Sprintf("%s simulated, %s observed (more than %g%% off)", Num(s), Num(v.Point), Tolerance*100)
}

// Fit is the comparison of a run with all of a scenario's evidence.
type Fit struct {
	Results []Result // in Evidence.Items order
	// Score is the weighted mean error over the evaluable items, each error
	// capped at 1 so that one wild figure cannot outweigh the rest: 0 when
	// every item fits, at most 1. NaN when nothing is evaluable.
	Score                         float64
	Within, Outside, NotEvaluable int
	// Worst is the index of the evaluable item with the largest weighted
	// error among those that do not fit, -1 if all fit.
	Worst int
}

// Evaluate scores every item of ev against a run.
func (ev *Evidence) Evaluate(run Run) Fit {
	return ev.Score(ev.Simulate(run))
}

// Score scores every item against its simulated terms (Simulate).
func (ev *Evidence) Score(sims [][]float64) Fit {
	f := Fit{Worst: -1, Score: math.NaN()}
	var sw, se, worst float64
	for i := range ev.Items {
		it := &ev.Items[i]
		var sim []float64
		if i < len(sims) {
			sim = sims[i]
		}
		r := Score(it, sim)
		f.Results = append(f.Results, r)
		switch {
		case r.Verdict == NotEvaluable:
			f.NotEvaluable++
			continue
		case r.Verdict.Fits():
			f.Within++
		default:
			f.Outside++
			if we := it.Weight * r.Error; f.Worst < 0 || we > worst {
				f.Worst, worst = i, we
			}
		}
		sw += it.Weight
		se += it.Weight * math.Min(r.Error, 1)
	}
	if sw > 0 {
		f.Score = se / sw
	}
	return f
}

// Summary is the one-line account of a fit, e.g. "12 observations: 8
// within, 3 outside (worst: atv-021, ...), 1 not evaluable; fit 0.21".
func (ev *Evidence) Summary(f Fit) string {
	var b strings.Builder
	n := len(ev.Items)
	word := "observations"
	if n == 1 {
		word = "observation"
	}
	fmt.Fprintf(&b, "%d %s: %d within, %d outside", n, word, f.Within, f.Outside)
	if f.Worst >= 0 {
		it, r := &ev.Items[f.Worst], f.Results[f.Worst]
		fmt.Fprintf(&b, " (worst: %s, %s, error %.3g", it.ID, it.Describe(), r.Error)
		if r.Detail != "" {
			fmt.Fprintf(&b, ": %s", r.Detail)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, ", %d not evaluable", f.NotEvaluable)
	if !math.IsNaN(f.Score) {
		fmt.Fprintf(&b, "; fit %.3f (weighted mean error, 0 = all within)", f.Score)
	}
	return b.String()
}
