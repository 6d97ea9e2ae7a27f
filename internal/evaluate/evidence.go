package evaluate

import (
	"math"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/results"
)

// Kind is the form a piece of evidence takes.
type Kind uint8

// Kinds of evidence.
const (
	Count    Kind = iota // one number, with a range when registration coverage gives one
	Interval             // a number between Low and High
	Lower                // at least Low
	Upper                // at most High
	Ordering             // subjects ranked from largest to smallest
	Series               // dated counts
)

var kindNames = [...]string{"count", "interval", "lower bound", "upper bound", "ordering", "series"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "evidence"
}

// Weights of observations by the reliability of their citation (or of the
// source it names). Unknown, or none given, weighs as medium.
var Weights = map[string]float64{
	"high":      1,
	"medium":    0.5,
	"low":       0.25,
	"contested": 0.1,
	"unknown":   0.5,
}

// Weight returns the weight of a reliability; "" is unknown.
func Weight(reliability string) float64 {
	if w, ok := Weights[reliability]; ok {
		return w
	}
	return Weights["unknown"]
}

// Value is an observed number in true people (registration coverage
// applied) or, for shares, a fraction. A plain count has a Point only; an
// interval, a bound or a count whose coverage is a range also has Low and
// High (either may be infinite) and Ranged set.
type Value struct {
	Point     float64
	HasPoint  bool
	Low, High float64
	Ranged    bool
}

// Exact returns the value of a plain count.
func Exact(v float64) Value { return Value{Point: v, HasPoint: true, Low: v, High: v} }

// Between returns an interval.
func Between(low, high float64) Value {
	return Value{Low: low, High: high, Ranged: true}
}

// Coverage is the share of the true number that a registration captured
// (0 to 1): a registered count R stands for R/c people. Value, Low and
// High are NaN when not given; no coverage at all is NoCoverage.
type Coverage struct {
	Value, Low, High float64
}

// NoCoverage is a count taken as complete.
var NoCoverage = Coverage{Value: 1, Low: math.NaN(), High: math.NaN()}

// bounds returns the smallest and largest plausible coverage: the range
// when given (an open low end is 0, an open high end 1), else the value.
func (c Coverage) bounds() (lo, hi float64, ranged bool) {
	if math.IsNaN(c.Low) && math.IsNaN(c.High) {
		return c.Value, c.Value, false
	}
	lo, hi = c.Low, c.High
	if math.IsNaN(lo) {
		lo = c.Value
		if math.IsNaN(lo) {
			lo = 0
		}
	}
	if math.IsNaN(hi) {
		hi = c.Value
		if math.IsNaN(hi) {
			hi = 1
		}
	}
	return lo, hi, true
}

// div is a/b with a/0 = +Inf for a > 0.
func div(a, b float64) float64 {
	if b <= 0 {
		if a == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return a / b
}

// Count returns the true number a registered count r stands for: r/c, and
// with a coverage range the interval [r/high, r/low]. ok is false when the
// coverage is 0.
func (c Coverage) Count(r float64) (v Value, ok bool) {
	lo, hi, ranged := c.bounds()
	if !(hi > 0) || !math.IsNaN(c.Value) && c.Value <= 0 {
		return Value{}, false
	}
	if !ranged {
		return Exact(r / c.Value), true
	}
	v = Between(r/hi, div(r, lo))
	if !math.IsNaN(c.Value) {
		v.Point, v.HasPoint = r/c.Value, true
	}
	return v, true
}

// Range returns the true interval that registered numbers between low and
// high stand for: [low/highest coverage, high/lowest coverage].
func (c Coverage) Range(low, high float64) (v Value, ok bool) {
	lo, hi, _ := c.bounds()
	if !(hi > 0) {
		return Value{}, false
	}
	return Between(low/hi, div(high, lo)), true
}

// Term is one simulated number: probe Probe of Evidence.Probes over days
// From to To (inclusive; a stock is read on day To), or, when Den ≥ 0, the
// ratio of two such numbers (a group's share).
type Term struct {
	Probe, Den int
	From, To   int
}

// Item is one observation made comparable with a run.
type Item struct {
	ID      string
	Kind    Kind
	Measure string // stock, arrivals, ... share
	Subject string // e.g. "place Greyhaven", "country Iran", "flow baku → anzali", "total"
	When    string // the date, or the period "from to to"
	// Observed is the number compared with (count, interval, bound).
	Observed Value
	// Dates and Points are a series' dated values.
	Dates  []string
	Points []Value
	// Order names an ordering's subjects, largest first.
	Order []string
	// Share is set when the numbers are fractions (measure share).
	Share bool
	// Terms are what is read from a run: one for a count, interval or
	// bound, one per date of a series, one per subject of an ordering.
	Terms []Term
	// Reason, when set, says why the item cannot be evaluated in this
	// version; it is reported, never scored.
	Reason string

	Reliability string
	Weight      float64
	Source      string
	Reference   string
	Coverage    string // as written, e.g. "0.5" or "0.3 to 0.9"
	Note        string
}

// Evidence is a scenario's observations, ready to be compared with runs.
type Evidence struct {
	Items []Item
	// Probes are the numbers every run must record (results.NewProbes).
	Probes []results.Probe
	// Scale is the number of people one agent stands for (Flee's hasten).
	Scale float64
}

// Run is what scoring reads from a simulation: probe k over days from to to
// (results.Probes).
type Run interface {
	Over(k, from, to int) float64
}

var _ Run = (*results.Probes)(nil)

// Simulate returns, for each item, the simulated value of each of its
// terms, in people (or fractions for shares). A share of nobody is NaN.
func (ev *Evidence) Simulate(run Run) [][]float64 {
	scale := ev.Scale
	if scale <= 0 {
		scale = 1
	}
	out := make([][]float64, len(ev.Items))
	for i := range ev.Items {
		it := &ev.Items[i]
		if it.Reason != "" {
			continue
		}
		vals := make([]float64, len(it.Terms))
		for k, t := range it.Terms {
			v := run.Over(t.Probe, t.From, t.To)
			if t.Den >= 0 {
				d := run.Over(t.Den, t.From, t.To)
				if d > 0 {
					v /= d
				} else {
					v = math.NaN()
				}
			} else {
				v *= scale
			}
			vals[k] = v
		}
		out[i] = vals
	}
	return out
}

// Label names term k of the item for tables: the item's subject and
// date, a series' date or an ordering's subject.
func (it *Item) Label(k int) (subject, when string) {
	switch it.Kind {
	case Series:
		if k < len(it.Dates) {
			return it.Subject, it.Dates[k]
		}
	case Ordering:
		if k < len(it.Order) {
			return it.Order[k], it.When
		}
	}
	return it.Subject, it.When
}

// ObservedText renders what was observed for a table.
func (it *Item) ObservedText() string {
	switch it.Kind {
	case Ordering:
		return strings.Join(it.Order, " > ")
	case Series:
		parts := make([]string, len(it.Points))
		for k, p := range it.Points {
			parts[k] = valueText(p)
		}
		return strings.Join(parts, "; ")
	case Lower:
		return ">= " + Num(it.Observed.Low)
	case Upper:
		return "<= " + Num(it.Observed.High)
	}
	return valueText(it.Observed)
}

func valueText(v Value) string {
	if !v.Ranged {
		return Num(v.Point)
	}
	r := Num(v.Low) + " to " + Num(v.High)
	if v.HasPoint {
		return Num(v.Point) + " (" + r + ")"
	}
	return r
}

// Num formats a number for tables: whole numbers without decimals, others
// with up to four significant digits.
func Num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
