package sim

import "github.com/caravan-sim/caravan/internal/scenario"

// Places can pass from one country to another (a republic falls, a
// protectorate is annexed). Everything that depends on a place's country
// reads e.country, which change_country events update: border policies by
// crossing or country pair, naturalisation and deportation by country,
// whether a place is abroad for route choice, and counts of arrivals from
// abroad.

// countryID returns the index of the named country, adding it if new.
func (e *Engine) countryID(name string) int32 {
	c, ok := e.countryN[name]
	if !ok {
		c = int32(len(e.countryN))
		e.countryN[name] = c
	}
	return c
}

// changeCountry applies a change_country event.
func (e *Engine) changeCountry(ev *scenario.Event, t int) {
	p := int32(ev.Place)
	c := e.countryID(ev.Country)
	e.foreign[p] = ev.Value == 1
	if e.country[p] == c {
		e.warnf("%s: day %d: %s is already in %s", ev.Source, t, e.sc.Places[p].Name, ev.Country)
		return
	}
	e.country[p] = c
	x := e.x
	if x == nil {
		return
	}
	// Those present now live in another country without having moved:
	// residence for naturalisation counts from today.
	for i, w := range e.aLoc {
		if w == p {
			x.since[i] = int32(t)
		}
	}
	if ev.Affinity != nil && x.affBase != nil {
		for g := range x.affBase {
			if g < len(ev.Affinity) {
				x.affBase[g][p] = ev.Affinity[g]
			}
		}
		e.refreshAffinity(t)
	}
	e.refreshBorders()
	e.invalidateRoutes()
}

// refreshBorders recomputes which border policies govern each link, from
// the policies' explicit links and from today's countries.
func (e *Engine) refreshBorders() {
	x := e.x
	for l := range x.linkPol {
		x.linkPol[l] = x.linkPol[l][:0]
	}
	if x.byPair == nil {
		x.byPair = map[[2]int][]int32{}
		for l := range e.linkFrom {
			k := [2]int{int(e.linkFrom[l]), int(e.linkTo[l])}
			x.byPair[k] = append(x.byPair[k], int32(l))
		}
	}
	for k := range x.sys.Policies {
		p := &x.sys.Policies[k]
		if p.Kind != scenario.Border {
			continue
		}
		governs := make(map[int32]bool)
		for _, pr := range p.Links {
			for _, l := range x.byPair[pr] {
				governs[l] = true
			}
		}
		var from, to int32 = -1, -1
		if p.Countries[0] != "" && p.Countries[1] != "" {
			from, to = e.countryID(p.Countries[0]), e.countryID(p.Countries[1])
		}
		for l := range e.linkFrom {
			a, b := e.linkFrom[l], e.linkTo[l]
			ca, cb := e.country[a], e.country[b]
			if from >= 0 && ca == from && cb == to {
				governs[int32(l)] = true
			}
			if ca != cb {
				for _, c := range p.Crossings {
					if int32(c) == a || int32(c) == b {
						governs[int32(l)] = true
					}
				}
			}
		}
		// In link order, so the result does not depend on map iteration.
		for l := range e.linkFrom {
			if governs[int32(l)] {
				x.linkPol[l] = append(x.linkPol[l], int32(k))
			}
		}
	}
}

// refreshAffinity recomputes the affinities route choice reads: the base
// ones times the factors of the attraction policies in force today.
func (e *Engine) refreshAffinity(t int) {
	x := e.x
	for g := range x.aff {
		copy(x.aff[g], x.affBase[g])
	}
	for k := range x.sys.Policies {
		p := &x.sys.Policies[k]
		if p.Kind != scenario.Attract || !p.Active(t) {
			continue
		}
		for g := range x.aff {
			if !p.Groups.Has(g) {
				continue
			}
			for _, pl := range p.Places {
				x.aff[g][pl] *= p.Factor
			}
		}
	}
}
