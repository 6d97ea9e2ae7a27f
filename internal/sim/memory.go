package sim

import (
	"unsafe"

	"github.com/caravan-sim/caravan/internal/scenario"
)

// EstimateAgents returns how many agents a scenario will create: exact for
// scheduled spawning, an upper bound for conflict-driven spawning (every
// place that is ever in conflict spawning on every day).
func EstimateAgents(sc *scenario.Scenario) int64 {
	var n int64
	for _, p := range sc.Places {
		n += int64(p.Initial)
	}
	switch sc.Spawn.Mode {
	case scenario.SpawnSchedule:
		for d := 0; d < sc.Days && d < len(sc.Spawn.Daily); d++ {
			n += int64(sc.Spawn.Daily[d])
		}
	default:
		ever := make(map[int]float64)
		for i, p := range sc.Places {
			if p.Kind == scenario.Conflict {
				ever[i] = max(p.ConflictIntensity, 1)
			}
		}
		for _, e := range sc.Events {
			if e.Kind == scenario.ConflictStart || e.Kind == scenario.ConflictIntensity {
				ever[e.Place] = max(ever[e.Place], e.Value)
			}
		}
		for i, c := range ever {
			per := sc.Spawn.PerConflictDay * c
			if sc.Spawn.Mode == scenario.SpawnPopRatio {
				per *= float64(sc.Places[i].Pop)
			}
			if sc.Spawn.Mode == scenario.SpawnPoisson {
				per = per + 6*sqrtApprox(per) + 10 // a generous bound on a Poisson draw
			}
			n += int64(per) * int64(sc.Days)
		}
	}
	return n
}

func sqrtApprox(x float64) float64 {
	if x <= 0 {
		return 0
	}
	z := x
	for k := 0; k < 30; k++ {
		z = (z + x/z) / 2
	}
	return z
}

// EstimateMemory returns the bytes a run of the scenario needs at its peak:
// agent state, the worst-case lists of travellers, the graph, and a daily
// record of every place's population (recordPlaces × days × 4 bytes).
func EstimateMemory(sc *scenario.Scenario, set Settings, recordPlaces int) uint64 {
	agents := uint64(EstimateAgents(sc))
	per := uint64(unsafe.Sizeof(agent{})) + 4 + 4 + 10 // record, location word, home, traveller lists
	if set.AvoidShortStints {
		per += 8
	}
	if sys := sc.System; !sys.Empty() {
		per += 1 + 4 // group, day it entered its country
		if len(sys.Onward) > 0 {
			per += 8 // onward day and target
		}
		for _, p := range sys.Policies {
			if p.Kind == scenario.Deport {
				per += 4 // the country that deported it
				break
			}
		}
	}
	graph := uint64(len(sc.Places))*160 + uint64(len(sc.Routes))*2*64
	rec := uint64(recordPlaces) * uint64(sc.Days) * 4
	return agents*per + graph + rec + 64<<20 // plus the runtime and the loader's tables
}
