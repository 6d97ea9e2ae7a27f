package sim

import (
	"fmt"
	"math"
	"sort"

	"github.com/caravan-sim/caravan/internal/rng"
	"github.com/caravan-sim/caravan/internal/scenario"
)

// Draw namespaces for the mechanisms of scenario.System.
const (
	drawBorder  = rng.Move | 0x10000 // + hop
	drawArrive  = rng.Move | 0x20000 // + hop: relocation target, onward choice
	drawDaily   = rng.Move | 0x30000 // deportation, onward timing
	drawGroup   = rng.Spawn | 1
	drawOrigin  = rng.Spawn | 2
	aSettled    = aBounce << 1 // naturalised: stays put for good
	aOnwardDone = aBounce << 2 // onward rule already considered
)

// ext is the state of Caravan's mechanisms beyond Flee's rules; nil when the
// scenario uses none, so the Flee path pays nothing for them.
type ext struct {
	sys    *scenario.System
	groups int

	group  []uint8 // per agent
	since  []int32 // per agent: day it entered its current country
	due    []int32 // per agent: day it leaves for its onward target, -1 none
	banned []int32 // per agent: country that deported it, -1 none; nil without deportations
	target []int32 // per agent: onward target

	countG   []int32 // [place*groups+g]: people present by group
	settledG []int32 // [place*groups+g]: naturalised people present by group

	linkPol  [][]int32 // per link: border policies governing it today
	byPair   map[[2]int][]int32
	relocAt  [][]int32 // per place: relocation policies
	onwardAt [][]int32 // per place: onward rules with it as a stopover

	// Affinities: affBase is the scenario's, as changed by places changing
	// country; aff, which route choice reads, is affBase times the factors
	// of the attraction policies in force. Both nil when nothing sets one.
	affBase, aff [][]float64

	carry []float64 // per driver: fractional people carried to the next day
	cum   []float64 // scratch

	daily bool // some mechanism needs the daily pass over agents

	// Stats, cumulative.
	Refused     []int64 // per link
	Relocated   int64
	Deported    int64
	Naturalised int64
	LeftOnward  int64
}

func (e *Engine) initSystem() error {
	sys := e.sc.System
	if sys.Empty() {
		return nil
	}
	x := &ext{sys: sys, groups: max(1, len(sys.Groups))}
	if x.groups > scenario.MaxGroups {
		return fmt.Errorf("sim: %d groups; at most %d", x.groups, scenario.MaxGroups)
	}
	n := e.nPlaces
	x.countG = make([]int32, n*x.groups)
	x.settledG = make([]int32, n*x.groups)
	x.linkPol = make([][]int32, len(e.linkFrom))
	x.relocAt = make([][]int32, n)
	x.onwardAt = make([][]int32, n)
	x.Refused = make([]int64, len(e.linkFrom))
	affinity := sys.Affinity != nil
	for _, ev := range e.sc.Events {
		affinity = affinity || (ev.Kind == scenario.ChangeCountry && ev.Affinity != nil)
	}
	for k := range sys.Policies {
		p := &sys.Policies[k]
		switch p.Kind {
		case scenario.Attract:
			affinity = true
		case scenario.Relocate:
			if len(p.Targets) == 0 {
				return fmt.Errorf("sim: relocation policy %q has no targets", p.Name)
			}
			for _, pl := range p.Places {
				x.relocAt[pl] = append(x.relocAt[pl], int32(k))
			}
		case scenario.Naturalise:
			x.daily = true
		case scenario.Deport:
			x.daily = true
			affinity = true // route choice must see who may not return
		}
	}
	for k, o := range sys.Onward {
		if len(o.Targets) == 0 || len(o.Targets) != len(o.Weights) {
			return fmt.Errorf("sim: onward rule %q needs destinations with shares", o.Name)
		}
		for _, pl := range o.Stopovers {
			x.onwardAt[pl] = append(x.onwardAt[pl], int32(k))
		}
		x.daily = true
	}
	if sys.Shares != nil && len(sys.Shares) != n {
		return fmt.Errorf("sim: group shares for %d places; the scenario has %d", len(sys.Shares), n)
	}
	if sys.Affinity != nil {
		if len(sys.Affinity) != x.groups {
			return fmt.Errorf("sim: affinities for %d groups; the scenario has %d", len(sys.Affinity), x.groups)
		}
		for _, row := range sys.Affinity {
			if len(row) != n {
				return fmt.Errorf("sim: an affinity row has %d places; the scenario has %d", len(row), n)
			}
		}
	}
	for _, d := range sys.Drivers {
		if len(d.Daily) < e.sc.Days {
			return fmt.Errorf("sim: driver %q has %d daily values; need %d", d.Name, len(d.Daily), e.sc.Days)
		}
		if len(d.Origins) == 0 {
			return fmt.Errorf("sim: driver %q has no origins", d.Name)
		}
	}
	x.carry = make([]float64, len(sys.Drivers))
	e.x = x
	e.refreshBorders()
	if affinity {
		x.affBase = make([][]float64, x.groups)
		x.aff = make([][]float64, x.groups)
		for g := range x.affBase {
			x.affBase[g] = make([]float64, n)
			x.aff[g] = make([]float64, n)
			for p := range x.affBase[g] {
				x.affBase[g][p] = 1
			}
			if sys.Affinity != nil {
				copy(x.affBase[g], sys.Affinity[g])
			}
		}
		e.refreshAffinity(e.day)
	}
	// Agents placed before day 0 (initial populations) belong to group 0
	// unless their place has shares: then they are split by share.
	for i := range e.ag {
		g := e.drawGroupAt(int32(i), e.aLoc[i], 0, ^uint32(0))
		x.group = append(x.group, g)
		x.countG[int(e.aLoc[i])*x.groups+int(g)]++
	}
	x.since = make([]int32, len(e.ag))
	for _, p := range sys.Policies {
		if p.Kind == scenario.Deport && x.banned == nil {
			x.banned = make([]int32, len(e.ag))
			for i := range x.banned {
				x.banned[i] = -1
			}
		}
	}
	if len(sys.Onward) > 0 {
		x.due = make([]int32, len(e.ag))
		x.target = make([]int32, len(e.ag))
		for i := range x.due {
			x.due[i] = -1
		}
	}
	return nil
}

// newAgentExt extends the per-agent arrays of ext for a new agent.
func (e *Engine) newAgentExt(place int32, g uint8) {
	x := e.x
	x.group = append(x.group, g)
	x.since = append(x.since, int32(e.day))
	if x.banned != nil {
		x.banned = append(x.banned, -1)
	}
	if x.due != nil {
		x.due = append(x.due, -1)
		x.target = append(x.target, -1)
	}
	x.countG[int(place)*x.groups+int(g)]++
}

// spawnDrivers displaces each driver's people for day t. Fractions carry
// over to the next day so totals match the curve exactly.
func (e *Engine) spawnDrivers(t int) error {
	x := e.x
	if x == nil {
		return fmt.Errorf("sim: spawning by drivers needs drivers")
	}
	day := uint32(t)
	for k := range x.sys.Drivers {
		d := &x.sys.Drivers[k]
		want := d.Daily[t] + x.carry[k]
		n := int(math.Floor(want))
		x.carry[k] = want - float64(n)
		if n <= 0 {
			continue
		}
		cum := x.cum[:0]
		total := 0.0
		for _, o := range d.Origins {
			total += math.Max(0, e.pop[o])
			cum = append(cum, total)
		}
		x.cum = cum
		for j := 0; j < n; j++ {
			id := uint32(len(e.ag))
			oi := len(d.Origins) - 1
			if total > 0 {
				u := e.key.Float(id, day, drawOrigin) * total
				oi = sort.SearchFloat64s(cum, u)
				for oi < len(cum)-1 && cum[oi] <= u {
					oi++
				}
			} else {
				oi = int(e.key.Float(id, day, drawOrigin) * float64(len(d.Origins)))
			}
			o := int32(d.Origins[min(oi, len(d.Origins)-1)])
			g := e.drawDriverGroup(int32(id), o, d, day)
			e.addAgentGroup(o, g)
			// The displaced set out at once (their route is "away").
			e.aLoc[id] |= routeBit
			e.spawned++
		}
	}
	return nil
}

// borderPass reports whether agent i may enter link l today; a refused
// agent stays where it is.
func (e *Engine) borderPass(i int32, l int32, day uint32, hop uint32) bool {
	x := e.x
	pols := x.linkPol[l]
	if len(pols) == 0 {
		return true
	}
	g := int(x.group[i])
	pass := 1.0
	for _, k := range pols {
		p := &x.sys.Policies[k]
		if p.Active(e.day) && p.Groups.Has(g) {
			pass = math.Min(pass, p.Pass)
		}
	}
	if pass >= 1 {
		return true
	}
	if pass > 0 && e.key.Float(uint32(i), day, drawBorder|hop) < pass {
		return true
	}
	x.Refused[l]++
	return false
}

// closedForAll reports whether an active border policy shuts link l for
// every group; route choice then does not see it, like a Flee closure.
func (e *Engine) closedForAll(l int32) bool {
	if e.x == nil {
		return false
	}
	for _, k := range e.x.linkPol[l] {
		p := &e.x.sys.Policies[k]
		if p.Active(e.day) && p.Groups == 0 && p.Pass <= 0 {
			return true
		}
	}
	return false
}

// arrive applies what happens on reaching a place: a host state's
// relocation, entering a new country, an onward decision. It returns the
// place the agent ends up at and whether it was moved (then it stops for
// the day).
func (e *Engine) arrive(i int32, from, to int32, day uint32, hop uint32) (int32, bool) {
	x := e.x
	g := int(x.group[i])
	if e.country[from] != e.country[to] {
		x.since[i] = int32(e.day)
	}
	for _, k := range x.relocAt[to] {
		p := &x.sys.Policies[k]
		if !p.Active(e.day) || !p.Groups.Has(g) {
			continue
		}
		u := e.key.Float(uint32(i), day, drawArrive|hop<<1)
		dest := int32(p.Targets[min(int(u*float64(len(p.Targets))), len(p.Targets)-1)])
		if dest == to {
			break
		}
		e.teleport(i, to, dest)
		e.ag[i].path, e.ag[i].step = noPath, 0
		e.aLoc[i] = dest
		x.Relocated++
		if e.country[to] != e.country[dest] {
			x.since[i] = int32(e.day)
		}
		return dest, true
	}
	if x.due != nil && e.ag[i].flags&aOnwardDone == 0 {
		for _, k := range x.onwardAt[to] {
			o := &x.sys.Onward[k]
			if !o.Groups.Has(g) {
				continue
			}
			e.ag[i].flags |= aOnwardDone
			if e.key.Float(uint32(i), day, drawArrive|hop<<1|1) >= o.Share {
				break
			}
			wait := e.drawWait(&o.Wait, i, day)
			x.due[i] = int32(e.day) + int32(math.Ceil(wait))
			u := e.key.Float(uint32(i), day, drawDaily|3) * sum(o.Weights)
			acc := 0.0
			x.target[i] = int32(o.Targets[len(o.Targets)-1])
			for j, w := range o.Weights {
				acc += w
				if u < acc {
					x.target[i] = int32(o.Targets[j])
					break
				}
			}
			break
		}
	}
	return to, false
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func (e *Engine) drawWait(w *scenario.Wait, i int32, day uint32) float64 {
	u := e.key.Float(uint32(i), day, drawDaily|1)
	switch w.Kind {
	case scenario.WaitUniform:
		return w.Min + u*(w.Max-w.Min)
	case scenario.WaitExponential:
		return -w.Mean * math.Log(1-u)
	case scenario.WaitLognormal:
		// Box–Muller with a second independent draw.
		v := e.key.Float(uint32(i), day, drawDaily|2)
		z := math.Sqrt(-2*math.Log(1-u)) * math.Cos(2*math.Pi*v)
		return w.Median * math.Exp(w.Sigma*z)
	}
	return w.Days
}

// teleport moves a stationary agent between places by means other than a
// route (a state's relocation or deportation, onward travel off the map).
func (e *Engine) teleport(i int32, from, to int32) {
	e.count[from]--
	e.count[to]++
	if e.tally != nil {
		e.tally.moved(e, i, from, to)
	}
	if x := e.x; x != nil {
		g := int32(x.group[i])
		x.countG[from*int32(x.groups)+g]--
		x.countG[to*int32(x.groups)+g]++
		if e.ag[i].flags&aSettled != 0 {
			x.settledG[from*int32(x.groups)+g]--
			x.settledG[to*int32(x.groups)+g]++
		}
	}
}

// dailyPass applies the mechanisms that act on people where they are:
// naturalisation, deportation and onward departures.
func (e *Engine) dailyPass(t int) {
	x := e.x
	if x == nil || !x.daily {
		return
	}
	day := uint32(t)
	var active []*scenario.Policy
	takesSettled := false
	for k := range x.sys.Policies {
		p := &x.sys.Policies[k]
		if (p.Kind == scenario.Naturalise || p.Kind == scenario.Deport) && p.Active(t) {
			active = append(active, p)
			takesSettled = takesSettled || (p.Kind == scenario.Deport && p.Naturalised)
		}
	}
	if len(active) == 0 && x.due == nil {
		return
	}
	// Where each policy applies today: its country's places, or its own.
	in := make([][]bool, len(active))
	for k, p := range active {
		in[k] = make([]bool, e.nPlaces)
		if len(p.Places) > 0 {
			for _, pl := range p.Places {
				in[k][pl] = true
			}
			continue
		}
		c, ok := e.countryN[p.Country]
		for pl := range in[k] {
			in[k][pl] = ok && e.country[pl] == c
		}
	}
	for i, w := range e.aLoc {
		if w < 0 {
			continue
		}
		a := &e.ag[i]
		settled := a.flags&aSettled != 0
		if settled && !takesSettled {
			continue
		}
		loc := w &^ routeBit
		if !settled && x.due != nil && x.due[i] >= 0 && int32(t) >= x.due[i] {
			dest := x.target[i]
			x.due[i] = -1
			// Only those still waiting at a stopover go on; whoever moved
			// elsewhere meanwhile has given the plan up.
			if dest != loc && len(x.onwardAt[loc]) > 0 {
				e.teleport(int32(i), loc, dest)
				e.aLoc[i] = dest
				a.path, a.step = noPath, 0
				x.LeftOnward++
				if e.country[loc] != e.country[dest] {
					x.since[i] = int32(t)
				}
				continue
			}
		}
		g := int(x.group[i])
		for k, p := range active {
			if !in[k][loc] || !p.Groups.Has(g) || (settled && (p.Kind != scenario.Deport || !p.Naturalised)) {
				continue
			}
			switch p.Kind {
			case scenario.Naturalise:
				if int32(t)-x.since[i] >= int32(p.Days) {
					a.flags |= aSettled
					a.path, a.step = noPath, 0
					e.aLoc[i] = loc
					x.Naturalised++
					x.settledG[int(loc)*x.groups+g]++
				}
			case scenario.Deport:
				if e.key.Float(uint32(i), day, drawDaily|uint32(k)<<4) < p.Rate {
					dest := int32(p.Target)
					if dest < 0 {
						dest = e.aHome[i]
					}
					if dest != loc {
						e.teleport(int32(i), loc, dest)
						if settled {
							// Handed over, they lose the host's citizenship.
							a.flags &^= aSettled
							x.settledG[int(dest)*x.groups+g]--
							settled = false
						}
						e.aLoc[i] = dest
						a.path, a.step = noPath, 0
						x.Deported++
						// A deported person is not let back in: route
						// choice no longer sees the deporting country.
						x.banned[i] = e.country[loc]
						if e.tally != nil {
							e.tally.Deported[loc]++
							if p.Handover {
								e.tally.Extradited[loc]++
							}
						}
						x.since[i] = int32(t)
					}
				}
			}
			if (!settled && a.flags&aSettled != 0) || e.aLoc[i] != w {
				break
			}
		}
	}
}

// affinity returns the attractiveness factor of place end for agent i.
func (e *Engine) affinity(i int32, end int32) float64 {
	x := e.x
	if x == nil || x.aff == nil {
		return 1
	}
	if x.banned != nil && x.banned[i] == e.country[end] && x.banned[i] >= 0 {
		return 0
	}
	return x.aff[x.group[i]][end]
}

// GroupCount returns the number of people of group g at place i.
func (e *Engine) GroupCount(i, g int) int {
	if e.x == nil {
		if g == 0 {
			return int(e.count[i])
		}
		return 0
	}
	return int(e.x.countG[i*e.x.groups+g])
}

// SettledCount returns the number of naturalised people of group g (every
// group when g < 0) at place i: they are present but no longer refugees.
func (e *Engine) SettledCount(i, g int) int {
	x := e.x
	if x == nil {
		return 0
	}
	if g >= 0 {
		return int(x.settledG[i*x.groups+g])
	}
	n := 0
	for _, v := range x.settledG[i*x.groups : (i+1)*x.groups] {
		n += int(v)
	}
	return n
}

// Groups returns the number of groups (1 when the scenario has none).
func (e *Engine) Groups() int {
	if e.x == nil {
		return 1
	}
	return e.x.groups
}

// SystemStats are cumulative counts of what policies and onward rules did.
type SystemStats struct {
	Refused     int64 // border crossings refused
	RouteFull   int64 // departures refused because a route's daily capacity was used up
	Relocated   int64
	Deported    int64
	Naturalised int64
	LeftOnward  int64
}

// Stats returns the cumulative policy counts.
func (e *Engine) Stats() SystemStats {
	x := e.x
	if x == nil {
		return SystemStats{RouteFull: e.capTurned}
	}
	var r int64
	for _, v := range x.Refused {
		r += v
	}
	return SystemStats{Refused: r, RouteFull: e.capTurned, Relocated: x.Relocated, Deported: x.Deported, Naturalised: x.Naturalised, LeftOnward: x.LeftOnward}
}

// RefusedOn returns how many crossings of each scenario route were refused,
// per direction.
func (e *Engine) RefusedOn() (forward, back []int64) {
	n := len(e.sc.Routes)
	forward, back = make([]int64, n), make([]int64, n)
	if e.x == nil {
		return
	}
	for l, r := range e.linkRoute {
		if int(e.linkFrom[l]) == e.sc.Routes[r].From {
			forward[r] += e.x.Refused[l]
		} else {
			back[r] += e.x.Refused[l]
		}
	}
	return
}

// policyDay refreshes route candidates on days a border policy starts or
// ends, since a policy closed for everyone hides its routes, and the
// affinities on days an attraction policy starts or ends.
func (e *Engine) policyDay(t int) {
	borders, attract := false, false
	for k := range e.x.sys.Policies {
		p := &e.x.sys.Policies[k]
		if p.From != t && p.To != t {
			continue
		}
		borders = borders || p.Kind == scenario.Border
		attract = attract || p.Kind == scenario.Attract
	}
	if borders {
		e.invalidateRoutes()
	}
	if attract && e.x.aff != nil {
		e.refreshAffinity(t)
	}
}
