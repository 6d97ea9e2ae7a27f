package results

import (
	"errors"

	"github.com/caravan-sim/caravan/internal/sim"
)

// Measure is what a Probe reads from a run.
type Measure uint8

// Measures. Every one but Stock is a count of events, cumulative from day 0.
const (
	// Stock: people present at Places at the end of the day (of Group when
	// Group ≥ 0); with All, every person displaced (at places or on routes).
	Stock Measure = iota
	// Arrivals at Places, along a route or moved there by a state or an
	// onward rule; with Abroad, only those coming from another country.
	Arrivals
	// Departures: people setting out along Routes, plus people moved away
	// from Places other than along a route (with Abroad, only those taken to
	// another country).
	Departures
	// Crossings: people setting out along Routes.
	Crossings
	// Refusals: crossings of Routes refused by a border policy.
	Refusals
	// Returns: arrivals at Places of people whose origin the place is.
	Returns
	// Deportations: people deported or extradited from Places.
	Deportations
	// Displaced: people displaced since day 0 (agents created).
	Displaced
)

var measureNames = [...]string{"stock", "arrivals", "departures", "crossings", "refusals", "returns", "deportations", "displaced"}

func (m Measure) String() string {
	if int(m) < len(measureNames) {
		return measureNames[m]
	}
	return "measure"
}

// RouteDir is one direction of a scenario route: From→To, or To→From when
// Back is set.
type RouteDir struct {
	Route int
	Back  bool
}

// Probe is one simulated number a run's evidence needs, read every day.
type Probe struct {
	Measure Measure
	Places  []int
	Routes  []RouteDir
	Group   int // -1: everyone; otherwise Stock and Arrivals count only this group
	Abroad  bool
	All     bool
}

// needsTally reports whether the probe reads sim.Tally.
func (p *Probe) needsTally() bool {
	switch p.Measure {
	case Arrivals, Returns, Deportations, Departures:
		return true
	}
	return false
}

// Probes records a set of probes after every simulated day. It is a
// sim.Observer; call Attach before the run.
type Probes struct {
	probes []Probe
	days   int
	vals   []float64 // [k*days+t]
	base   []float64 // per probe: the count before day 0
	tally  *sim.Tally
	links  bool
	seen   int

	fwd, back, refFwd, refBack []int64
}

// NewProbes returns a recorder of the given probes over a run of days days.
func NewProbes(probes []Probe, days int) *Probes {
	r := &Probes{probes: probes, days: days, vals: make([]float64, len(probes)*days), base: make([]float64, len(probes))}
	for k := range probes {
		m := probes[k].Measure
		r.links = r.links || m == Departures || m == Crossings || m == Refusals
	}
	return r
}

// Attach prepares engine e to count what the probes need (sim.Tally). Call
// it after sim.New and before the first day.
func (r *Probes) Attach(e *sim.Engine) {
	for k := range r.probes {
		if r.probes[k].needsTally() {
			r.tally = e.EnableTally()
		}
		if r.probes[k].Measure == Displaced {
			r.base[k] = float64(e.Agents())
		}
	}
}

var errNotAttached = errors.New("results: Probes.Attach was not called before the run")

// Day implements sim.Observer.
func (r *Probes) Day(day int, e *sim.Engine) error {
	if day < 0 || day >= r.days {
		return nil
	}
	if r.tally == nil {
		for k := range r.probes {
			if r.probes[k].needsTally() {
				return errNotAttached
			}
		}
	}
	if r.links {
		r.fwd, r.back, r.refFwd, r.refBack = e.LinkTotals(r.fwd, r.back, r.refFwd, r.refBack)
	}
	for k := range r.probes {
		r.vals[k*r.days+day] = r.read(&r.probes[k], e)
	}
	r.seen = max(r.seen, day+1)
	return nil
}

func (r *Probes) routes(p *Probe, fwd, back []int64) float64 {
	n := int64(0)
	for _, d := range p.Routes {
		if d.Back {
			n += back[d.Route]
		} else {
			n += fwd[d.Route]
		}
	}
	return float64(n)
}

func (r *Probes) read(p *Probe, e *sim.Engine) float64 {
	t := r.tally
	n := int64(0)
	switch p.Measure {
	case Stock:
		if p.All {
			return float64(e.Agents())
		}
		for _, i := range p.Places {
			if p.Group >= 0 {
				n += int64(e.GroupCount(i, p.Group))
			} else {
				n += int64(e.Count(i))
			}
		}
	case Arrivals:
		g := t.Groups()
		in := t.In
		if p.Abroad {
			in = t.InAbroad
		}
		for _, i := range p.Places {
			for k := 0; k < g; k++ {
				if p.Group < 0 || p.Group == k {
					n += in[i*g+k]
				}
			}
		}
	case Departures:
		out := t.Out
		if p.Abroad {
			out = t.OutAbroad
		}
		for _, i := range p.Places {
			n += out[i]
		}
		return float64(n) + r.routes(p, r.fwd, r.back)
	case Crossings:
		return r.routes(p, r.fwd, r.back)
	case Refusals:
		return r.routes(p, r.refFwd, r.refBack)
	case Returns:
		for _, i := range p.Places {
			n += t.Home[i]
		}
	case Deportations:
		for _, i := range p.Places {
			n += t.Deported[i]
		}
	case Displaced:
		return float64(e.Agents())
	}
	return float64(n)
}

// Days returns the number of days recorded.
func (r *Probes) Days() int { return r.seen }

// At returns probe k's value after day t: a stock, or the count from day 0
// to day t.
func (r *Probes) At(k, t int) float64 { return r.vals[k*r.days+t] - r.base[k] }

// Over returns probe k over days from to to (inclusive): a stock's value on
// day to, or the count of events during those days.
func (r *Probes) Over(k, from, to int) float64 {
	if r.probes[k].Measure == Stock {
		return r.At(k, to)
	}
	v := r.At(k, to)
	if from > 0 {
		v -= r.At(k, from-1)
	}
	return v
}
