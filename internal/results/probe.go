package results

import (
	"errors"

	"github.com/caravan-sim/caravan/internal/sim"
)

// Measure is what a Probe reads from a run.
type Measure uint8

// Measures. Stock and Refugees are read on the day; every other one is a
// count of events, cumulative from day 0.
const (
	// Stock: people present at Places at the end of the day (of Groups
	// when given); with All, every person displaced (at places or on
	// routes).
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
	// Displaced: people displaced since day 0 (agents created); of Groups
	// only, when given.
	Displaced
	// Refugees: Stock less the naturalised people among it, who are present
	// but no longer refugees; with All, every person displaced less every
	// naturalised person.
	Refugees
	// Extraditions: people handed over from Places at another state's
	// request (a part of Deportations).
	Extraditions
)

var measureNames = [...]string{"stock", "arrivals", "departures", "crossings", "refusals", "returns", "deportations", "displaced", "refugees", "extraditions"}

func (m Measure) String() string {
	if int(m) < len(measureNames) {
		return measureNames[m]
	}
	return "measure"
}

// onDay reports whether the measure is read on the day rather than counted
// over days.
func (m Measure) onDay() bool { return m == Stock || m == Refugees }

// RouteDir is one direction of a scenario route: From→To, or To→From when
// Back is set.
type RouteDir struct {
	Route int
	Back  bool
}

// Phase is what a probe reads from day From on, when that changes during
// a run (a place passes to another country, so a country's places and the
// routes across its border change).
type Phase struct {
	From   int
	Places []int
	Routes []RouteDir
}

// Probe is one simulated number a run's evidence needs, read every day.
type Probe struct {
	Measure Measure
	Places  []int
	Routes  []RouteDir
	// Groups, when not empty, narrows Stock, Refugees and Arrivals to these
	// groups; the other measures count everyone.
	Groups []int
	Abroad bool
	All    bool
	// Later, in day order, replaces Places and Routes from each phase's
	// first day on. A count of events then adds up each day's events at
	// that day's places and routes.
	Later []Phase
}

// selection returns the places and routes the probe reads on day t.
func (p *Probe) selection(t int) ([]int, []RouteDir) {
	places, routes := p.Places, p.Routes
	for k := range p.Later {
		if p.Later[k].From > t {
			break
		}
		places, routes = p.Later[k].Places, p.Later[k].Routes
	}
	return places, routes
}

// changesAfter reports whether the selection of day t+1 differs from day t's.
func (p *Probe) changesAfter(t int) bool {
	for k := range p.Later {
		if p.Later[k].From == t+1 {
			return true
		}
	}
	return false
}

// needsTally reports whether the probe reads sim.Tally.
func (p *Probe) needsTally() bool {
	switch p.Measure {
	case Arrivals, Returns, Deportations, Extraditions, Departures:
		return true
	case Displaced:
		return len(p.Groups) > 0
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
	// next, per phased count of events: its cumulative reading with the
	// selection of the day after the last recorded, read on that last day.
	next  []float64
	tally *sim.Tally
	links bool
	seen  int

	fwd, back, refFwd, refBack []int64
}

// NewProbes returns a recorder of the given probes over a run of days days.
func NewProbes(probes []Probe, days int) *Probes {
	r := &Probes{probes: probes, days: days, vals: make([]float64, len(probes)*days), base: make([]float64, len(probes)), next: make([]float64, len(probes))}
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
		if r.probes[k].Measure == Displaced && len(r.probes[k].Groups) == 0 {
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
		p := &r.probes[k]
		places, routes := p.selection(day)
		v := r.read(p, places, routes, e)
		if len(p.Later) > 0 && !p.Measure.onDay() {
			// The engine's counters are cumulative per place and route: add
			// today's increase over today's selection. next holds the
			// reading of that selection at the end of the day before.
			prev := 0.0
			if day > 0 {
				prev = r.vals[k*r.days+day-1]
			}
			inc := v - r.next[k]
			r.next[k] = v
			if p.changesAfter(day) {
				pl, rt := p.selection(day + 1)
				r.next[k] = r.read(p, pl, rt, e)
			}
			v = prev + inc
		}
		r.vals[k*r.days+day] = v
	}
	r.seen = max(r.seen, day+1)
	return nil
}

func (r *Probes) routes(routes []RouteDir, fwd, back []int64) float64 {
	n := int64(0)
	for _, d := range routes {
		if d.Back {
			n += back[d.Route]
		} else {
			n += fwd[d.Route]
		}
	}
	return float64(n)
}

// present returns the people of p's groups at place i, and how many of
// them are naturalised.
func present(p *Probe, e *sim.Engine, i int) (all, settled int) {
	if len(p.Groups) == 0 {
		return e.Count(i), e.SettledCount(i, -1)
	}
	for _, g := range p.Groups {
		all += e.GroupCount(i, g)
		settled += e.SettledCount(i, g)
	}
	return all, settled
}

func (r *Probes) read(p *Probe, places []int, routes []RouteDir, e *sim.Engine) float64 {
	t := r.tally
	n := int64(0)
	switch p.Measure {
	case Stock, Refugees:
		if p.All {
			n = int64(e.Agents())
			if p.Measure == Refugees {
				for i := range e.Scenario().Places {
					n -= int64(e.SettledCount(i, -1))
				}
			}
			return float64(n)
		}
		for _, i := range places {
			all, settled := present(p, e, i)
			n += int64(all)
			if p.Measure == Refugees {
				n -= int64(settled)
			}
		}
	case Arrivals:
		g := t.Groups()
		in := t.In
		if p.Abroad {
			in = t.InAbroad
		}
		for _, i := range places {
			if len(p.Groups) == 0 {
				for k := 0; k < g; k++ {
					n += in[i*g+k]
				}
				continue
			}
			for _, k := range p.Groups {
				if k < g {
					n += in[i*g+k]
				}
			}
		}
	case Departures:
		out := t.Out
		if p.Abroad {
			out = t.OutAbroad
		}
		for _, i := range places {
			n += out[i]
		}
		return float64(n) + r.routes(routes, r.fwd, r.back)
	case Crossings:
		return r.routes(routes, r.fwd, r.back)
	case Refusals:
		return r.routes(routes, r.refFwd, r.refBack)
	case Returns:
		for _, i := range places {
			n += t.Home[i]
		}
	case Deportations:
		for _, i := range places {
			n += t.Deported[i]
		}
	case Extraditions:
		for _, i := range places {
			n += t.Extradited[i]
		}
	case Displaced:
		if len(p.Groups) == 0 {
			return float64(e.Agents())
		}
		for _, g := range p.Groups {
			n += t.Displaced[g]
		}
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
	if r.probes[k].Measure.onDay() {
		return r.At(k, to)
	}
	v := r.At(k, to)
	if from > 0 {
		v -= r.At(k, from-1)
	}
	return v
}
