// Package results holds what a run produces (daily populations, totals, a
// manifest) and writes it to an output folder atomically: files are written
// into a hidden temporary folder that is renamed into place only when
// everything succeeded, so a failed run leaves nothing half-written.
package results

import (
	"github.com/caravan-sim/caravan/internal/sim"
)

// Daily records, for every simulated day, the population of every place and
// the run's totals. It is a sim.Observer.
type Daily struct {
	Places int
	// Counts[t*Places+i] is the population of place i after day t.
	Counts  []int32
	Agents  []int // agents created by the end of each day
	OnLinks []int // agents travelling at the end of each day
}

// NewDaily returns a recorder for a scenario with n places and the given days.
func NewDaily(places, days int) *Daily {
	return &Daily{
		Places:  places,
		Counts:  make([]int32, 0, places*days),
		Agents:  make([]int, 0, days),
		OnLinks: make([]int, 0, days),
	}
}

// Day implements sim.Observer.
func (d *Daily) Day(day int, e *sim.Engine) error {
	for i := 0; i < d.Places; i++ {
		d.Counts = append(d.Counts, int32(e.Count(i)))
	}
	d.Agents = append(d.Agents, e.Agents())
	d.OnLinks = append(d.OnLinks, e.OnLinks())
	return nil
}

// Days returns the number of days recorded.
func (d *Daily) Days() int { return len(d.Agents) }

// Count returns the population of place i after day t.
func (d *Daily) Count(t, i int) int { return int(d.Counts[t*d.Places+i]) }

// Series returns place i's population for every recorded day.
func (d *Daily) Series(i int) []int {
	out := make([]int, d.Days())
	for t := range out {
		out[t] = d.Count(t, i)
	}
	return out
}
