package results_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

const probeToy = `caravan: 1
name: probe-toy
start: 2024-01-01
days: 30
spawning: {mode: drivers}
places:
  - {name: A, kind: origin, country: X, population: 10000}
  - {name: B, kind: crossing, country: X}
  - {name: C, kind: camp, country: Y}
  - {name: D, kind: camp, country: Z}
routes:
  - {from: A, to: B, distance: 50}
  - {from: B, to: C, distance: 60}
  - {from: B, to: D, distance: 80}
drivers:
  - {name: war, type: war, origins: [A], intensity: [{date: 2024-01-02, value: 100}, {date: 2024-01-25, value: 0}]}
`

// A probe with a later phase reads its first selection before the phase's
// day and the phase's from then on: a stock is read on the day, a count of
// events adds each day's events at that day's places and routes.
func TestProbes_Phases(t *testing.T) {
	l, err := spec.Parse(filepath.Join(t.TempDir(), "s.yaml"), []byte(probeToy))
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const day = 12
	toD := []results.Phase{{From: day, Places: []int{3}, Routes: []results.RouteDir{{Route: 2}}}}
	probes := []results.Probe{
		{Measure: results.Arrivals, Places: []int{2}},
		{Measure: results.Arrivals, Places: []int{3}},
		{Measure: results.Arrivals, Places: []int{2}, Later: toD},
		{Measure: results.Stock, Places: []int{2}},
		{Measure: results.Stock, Places: []int{3}},
		{Measure: results.Stock, Places: []int{2}, Later: toD},
		{Measure: results.Crossings, Routes: []results.RouteDir{{Route: 1}}},
		{Measure: results.Crossings, Routes: []results.RouteDir{{Route: 2}}},
		{Measure: results.Crossings, Routes: []results.RouteDir{{Route: 1}}, Later: toD},
	}
	e, err := sim.New(c.Scenario, c.Settings, 5)
	if err != nil {
		t.Fatal(err)
	}
	r := results.NewProbes(probes, c.Scenario.Days)
	r.Attach(e)
	if err := e.Run(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if r.At(1, 29)-r.At(1, day-1) == 0 || r.At(7, 29)-r.At(7, day-1) == 0 {
		t.Fatal("the toy must bring people to D after the phase begins")
	}
	for _, k := range []int{0, 3, 6} { // arrivals, stock, crossings
		for d := 0; d < 30; d++ {
			want := r.At(k, d)
			if d >= day {
				if k == 3 {
					want = r.At(k+1, d)
				} else {
					want = r.At(k, day-1) + r.At(k+1, d) - r.At(k+1, day-1)
				}
			}
			if got := r.At(k+2, d); got != want {
				t.Errorf("%v, day %d: phased %v, want %v", probes[k].Measure, d, got, want)
			}
		}
	}
	// Over a period across the phase's day, the events at C before it and
	// at D from then on.
	if got, want := r.Over(2, 5, 20), r.Over(0, 5, day-1)+r.Over(1, day, 20); got != want {
		t.Errorf("arrivals over days 5-20: %v, want %v", got, want)
	}
}
