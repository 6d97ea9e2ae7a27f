package sim

import "github.com/caravan-sim/caravan/internal/scenario"

// drawGroupAt draws the group of agent i displaced from place with the
// place's shares restricted to set; an empty restriction means all groups.
func (e *Engine) drawGroupAt(i int32, place int32, set scenario.GroupSet, day uint32) uint8 {
	return e.drawGroupWeighted(i, place, set, nil, day)
}

// drawDriverGroup draws the group of agent i displaced by driver d from
// place: the place's shares restricted to the driver's groups, each times
// the driver's propensity for it.
func (e *Engine) drawDriverGroup(i int32, place int32, d *scenario.Driver, day uint32) uint8 {
	return e.drawGroupWeighted(i, place, d.Groups, d.Propensity, day)
}

// drawGroupWeighted draws from the weights share × prop over the groups in
// set (share 1 where the place has no shares, prop 1 where prop is nil or
// short). If the propensities zero every weight, they are ignored rather
// than the draw falling back to group 0. The draw uses one counter-based
// number per agent and day, so a propensity changes which group a person
// gets but no other random draw.
func (e *Engine) drawGroupWeighted(i int32, place int32, set scenario.GroupSet, prop []float64, day uint32) uint8 {
	x := e.x
	if x.groups == 1 {
		return 0
	}
	var shares []float64
	if x.sys.Shares != nil {
		shares = x.sys.Shares[place]
	}
	weight := func(g int) float64 {
		w := 1.0
		if shares != nil {
			w = shares[g]
		}
		if g < len(prop) {
			w *= prop[g]
		}
		return w
	}
	total := 0.0
	for g := 0; g < x.groups; g++ {
		if set.Has(g) {
			total += weight(g)
		}
	}
	if !(total > 0) && prop != nil {
		return e.drawGroupWeighted(i, place, set, nil, day)
	}
	if !(total > 0) {
		return 0
	}
	u := e.key.Float(uint32(i), day, drawGroup) * total
	acc := 0.0
	last := 0
	for g := 0; g < x.groups; g++ {
		if !set.Has(g) {
			continue
		}
		w := weight(g)
		if w <= 0 {
			continue
		}
		last = g
		acc += w
		if u < acc {
			return uint8(g)
		}
	}
	return uint8(last)
}
