package sim

import "github.com/caravan-sim/caravan/internal/scenario"

// drawGroupAt draws the group of agent i displaced from place with the
// place's shares restricted to set; an empty restriction means all groups.
func (e *Engine) drawGroupAt(i int32, place int32, set scenario.GroupSet, day uint32) uint8 {
	x := e.x
	if x.groups == 1 {
		return 0
	}
	var shares []float64
	if x.sys.Shares != nil {
		shares = x.sys.Shares[place]
	}
	total := 0.0
	for g := 0; g < x.groups; g++ {
		if !set.Has(g) {
			continue
		}
		w := 1.0
		if shares != nil {
			w = shares[g]
		}
		total += w
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
		w := 1.0
		if shares != nil {
			w = shares[g]
		}
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
