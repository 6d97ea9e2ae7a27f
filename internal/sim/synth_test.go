package sim_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

// synthetic builds a connected random graph of n places on a jittered grid:
// 5% conflict zones, 5% camps, the rest towns; each place is linked to its
// right and lower grid neighbours. agents are spread over conflict zones.
func synthetic(n, days, agents int, seed uint64) *scenario.Scenario {
	r := rand.New(rand.NewPCG(seed, 1))
	side := 1
	for side*side < n {
		side++
	}
	sc := &scenario.Scenario{Name: "synthetic", Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Days: days}
	for i := 0; i < n; i++ {
		p := scenario.Place{Name: fmt.Sprintf("p%d", i), Country: "A", Lat: float64(i / side), Lon: float64(i % side), Capacity: -1}
		switch u := r.Float64(); {
		case u < 0.05:
			p.Kind, p.Pop, p.ConflictIntensity = scenario.Conflict, 1000+r.IntN(100000), 1
		case u < 0.10:
			p.Kind, p.Country, p.Foreign = scenario.Camp, "B", true
			if r.IntN(2) == 0 {
				p.Capacity = 5000 + r.IntN(50000)
			}
		default:
			p.Kind, p.Pop = scenario.Town, r.IntN(50000)
		}
		sc.Places = append(sc.Places, p)
	}
	sc.Places[0].Kind, sc.Places[0].Pop, sc.Places[0].ConflictIntensity = scenario.Conflict, 100000, 1
	for i := 0; i < n; i++ {
		if (i+1)%side != 0 && i+1 < n {
			sc.Routes = append(sc.Routes, scenario.Route{From: i, To: i + 1, DistanceKM: 20 + 200*r.Float64()})
		}
		if i+side < n {
			sc.Routes = append(sc.Routes, scenario.Route{From: i, To: i + side, DistanceKM: 20 + 200*r.Float64()})
		}
	}
	sc.Spawn = scenario.Spawning{Mode: scenario.SpawnSchedule, Daily: make([]int, days)}
	for d := 1; d < days; d++ {
		sc.Spawn.Daily[d] = agents / days
	}
	return sc
}

// BenchmarkStep measures the day loop on a synthetic system: 1,000 places,
// 300,000 agents arriving over 100 days.
func BenchmarkStep(b *testing.B) {
	sc := synthetic(1000, 100, 300000, 1)
	b.ReportAllocs()
	var steps int64
	for i := 0; i < b.N; i++ {
		e, err := sim.New(sc, sim.DefaultSettings(), uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Run(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		steps += e.AgentSteps()
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "agent-steps/s")
}

// BenchmarkRouteChoice measures decisions alone: every agent sits in a
// conflict zone (move chance 1) and chooses among its neighbours each day.
func BenchmarkRouteChoice(b *testing.B) {
	sc := &scenario.Scenario{Name: "star", Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Days: 1}
	sc.Places = append(sc.Places, scenario.Place{Name: "O", Kind: scenario.Conflict, Initial: 100000, ConflictIntensity: 1, Capacity: -1})
	for k := 0; k < 6; k++ {
		sc.Places = append(sc.Places, scenario.Place{Name: fmt.Sprint("D", k), Kind: scenario.Camp, Capacity: 1000000})
		sc.Routes = append(sc.Routes, scenario.Route{From: 0, To: k + 1, DistanceKM: float64(400 + 50*k)})
	}
	sc.Spawn.Daily = []int{0}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e, _ := sim.New(sc, sim.DefaultSettings(), uint64(i))
		b.StartTimer()
		e.Step()
	}
	b.ReportMetric(float64(b.N)*100000/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkStartup builds an engine for a 100,000-place graph and runs its
// first day (route tables are built lazily, so this includes them).
func BenchmarkStartup(b *testing.B) {
	sc := synthetic(100000, 10, 100000, 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := sim.New(sc, sim.DefaultSettings(), 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMemoryPerAgent checks the engine's footprint per agent on a large run:
// the brief's budget is 32 bytes.
func TestMemoryPerAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a million agents")
	}
	sc := synthetic(200, 2, 0, 3)
	sc.Places[0].Initial = 1000000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e, err := sim.New(sc, sim.DefaultSettings(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / 1e6
	runtime.KeepAlive(e)
	t.Logf("heap per agent: %.1f bytes (engine's own estimate %d)", per, e.BytesPerAgent())
	if per > 32 {
		t.Errorf("%.1f bytes per agent, budget 32", per)
	}
}

// Flee's debt rule: agents follow the running maximum of the observed total.
func TestSchedule(t *testing.T) {
	for _, tc := range []struct {
		name             string
		total            []int
		day0             int
		insert           bool
		daily, raw, debt []int
	}{
		{"rise", []int{10, 15, 15, 22}, 10, true, []int{0, 5, 0, 7}, []int{10, 15, 15, 22}, []int{0, 0, 0, 0}},
		{"fall then recover", []int{10, 20, 12, 15, 25}, 10, true, []int{0, 10, 0, 0, 5}, []int{10, 20, 12, 15, 25}, []int{0, 0, 8, 5, 0}},
		{"no day-0 insertion", []int{10, 12}, 10, false, []int{10, 2}, []int{10, 12}, []int{0, 0}},
		{"flee's day-0 quirk", []int{10, 12}, 30, true, []int{0, 2}, []int{30, 32}, []int{0, 0}},
	} {
		d, r, b := sim.Schedule(tc.total, tc.day0, tc.insert)
		if fmt.Sprint(d, r, b) != fmt.Sprint(tc.daily, tc.raw, tc.debt) {
			t.Errorf("%s: daily %v raw %v debt %v; want %v %v %v", tc.name, d, r, b, tc.daily, tc.raw, tc.debt)
		}
	}
}
