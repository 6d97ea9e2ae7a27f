package sim

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/caravan-sim/caravan/internal/rng"
	"github.com/caravan-sim/caravan/internal/scenario"
)

// spawn creates day t's displaced people at places in conflict.
func (e *Engine) spawn(t int) error {
	sp := &e.sc.Spawn
	switch sp.Mode {
	case scenario.SpawnDrivers:
		return e.spawnDrivers(t)
	case scenario.SpawnSchedule:
		if t == 0 && e.set.Mode == ModeFlee {
			// Flee reduces capacity by the day-0 population although those
			// people are already in the camp, so they count twice.
			for i, p := range e.sc.Places {
				if e.capacity[i] > 0 && p.Day0Observed != 0 {
					e.capacity[i] -= float64(p.Day0Observed)
					if e.capacity[i] < 1 {
						e.capacity[i] = -1
					}
				}
			}
		}
		n := 0
		if t < len(sp.Daily) {
			n = sp.Daily[t]
		}
		if n <= 0 {
			return nil
		}
		return e.spawnWeighted(t, n)
	default:
		for i := 0; i < e.nPlaces; i++ {
			c := e.conflict[i]
			if c <= 0 {
				continue
			}
			var n int
			switch sp.Mode {
			case scenario.SpawnConstant:
				n = int(sp.PerConflictDay * c)
			case scenario.SpawnPopRatio:
				n = int(sp.PerConflictDay * e.pop[i] * c)
			case scenario.SpawnPoisson:
				src := rng.NewSource(rng.Key(e.key.Bits(uint32(i), uint32(t), rng.Count)))
				n = int(distuv.Poisson{Lambda: sp.PerConflictDay * c, Src: src}.Rand())
			}
			for k := 0; k < n; k++ {
				e.addAgent(int32(i))
				e.spawned++
			}
		}
		return nil
	}
}

// spawnWeighted draws n origins with replacement, in proportion to
// population × conflict intensity × decay among places in conflict.
func (e *Engine) spawnWeighted(t, n int) error {
	cum := e.spawnCum[:0]
	total := 0.0
	for i := 0; i < e.nPlaces; i++ {
		w := 0.0
		if e.conflict[i] > 0 {
			w = e.pop[i] * e.conflict[i] * e.set.decay(t-e.toc[i])
		}
		if w < 0 || math.IsNaN(w) {
			w = 0
		}
		total += w
		cum = append(cum, total)
	}
	e.spawnCum = cum
	if !(total > 0) {
		return fmt.Errorf("day %d: %d people to displace but no place in conflict has population", t, n)
	}
	day := uint32(t)
	for k := 0; k < n; k++ {
		id := uint32(len(e.ag))
		u := e.key.Float(id, day, rng.Spawn) * total
		i := sort.SearchFloat64s(cum, u)
		// SearchFloat64s finds the first cum >= u; we need the first cum > u.
		for i < len(cum)-1 && cum[i] <= u {
			i++
		}
		e.addAgent(int32(i))
		e.spawned++
		if e.set.TakeFromPopulation && e.pop[i] > 0 {
			e.pop[i]--
			// Rebuild the cumulative weights after the change.
			total = 0
			for j := 0; j < e.nPlaces; j++ {
				w := 0.0
				if e.conflict[j] > 0 {
					w = e.pop[j] * e.conflict[j] * e.set.decay(t-e.toc[j])
				}
				total += w
				cum[j] = total
			}
			if !(total > 0) && k+1 < n {
				return fmt.Errorf("day %d: population of places in conflict exhausted", t)
			}
		}
	}
	return nil
}
