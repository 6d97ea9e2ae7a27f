package sim

import (
	"context"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/scenario"
)

// toy builds a scenario from places and routes with n days and no spawning.
func toy(days int, places []scenario.Place, routes ...scenario.Route) *scenario.Scenario {
	return &scenario.Scenario{
		Name: "toy", Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Days: days,
		Places: places, Routes: routes,
		Spawn: scenario.Spawning{Mode: scenario.SpawnSchedule, Daily: make([]int, days)},
	}
}

func place(name string, kind scenario.Kind, initial int) scenario.Place {
	return scenario.Place{Name: name, Country: "A", Kind: kind, Initial: initial, Capacity: -1, ConflictIntensity: 1}
}

func route(a, b int, km float64) scenario.Route {
	return scenario.Route{From: a, To: b, DistanceKM: km}
}

func mustNew(t *testing.T, sc *scenario.Scenario, set Settings, seed uint64) *Engine {
	t.Helper()
	e, err := New(sc, set, seed)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func step(t *testing.T, e *Engine, days int) {
	t.Helper()
	for k := 0; k < days; k++ {
		if err := e.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// within checks a binomial proportion against its expectation at 5 sigma.
func within(t *testing.T, what string, got, n int, p float64) {
	t.Helper()
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if math.Abs(float64(got)-float64(n)*p) > 5*sd+1 {
		t.Errorf("%s: %d of %d, want %.1f ± %.1f", what, got, n, float64(n)*p, 5*sd)
	}
}

// A town's move chance decides how many leave on a day.
func TestMoveChance(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind scenario.Kind
		p    float64
	}{
		{"town", scenario.Town, 0.3},
		{"camp", scenario.Camp, 0.001},
		{"conflict", scenario.Conflict, 1},
		{"forward", scenario.Forward, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 200000
			// The neighbour is far away, so movers are still on the link at day's end.
			sc := toy(1, []scenario.Place{place("O", tc.kind, n), place("D", scenario.Camp, 0)}, route(0, 1, 5000))
			e := mustNew(t, sc, DefaultSettings(), 7)
			step(t, e, 1)
			within(t, "left", e.OnLinks(), n, tc.p)
		})
	}
}

// Route weights are score × capacity multiplier / (softening + distance).
func TestRouteChoiceWeights(t *testing.T) {
	const n = 200000
	for _, tc := range []struct {
		name  string
		set   func(*Settings)
		a, b  scenario.Place
		da    float64
		db    float64
		wantA float64
	}{
		{"distance", nil, place("A", scenario.Town, 0), place("B", scenario.Town, 0), 10, 30, (1.0 / 20) / (1.0/20 + 1.0/40)},
		{"camp weight", func(s *Settings) { s.CampWeight = 2 }, place("A", scenario.Camp, 0), place("B", scenario.Town, 0), 10, 10, 2.0 / 3},
		{"foreign weight", func(s *Settings) { s.ForeignWeight = 3 },
			scenario.Place{Name: "A", Country: "B", Foreign: true, Capacity: -1}, place("B", scenario.Town, 0), 10, 10, 3.0 / 4},
		{"conflict weight", nil, place("A", scenario.Conflict, 0), place("B", scenario.Town, 0), 10, 10, (1 / math.Sqrt(10)) / (1/math.Sqrt(10) + 1)},
		{"softening", func(s *Settings) { s.Softening = 0 }, place("A", scenario.Town, 0), place("B", scenario.Town, 0), 10, 40, 0.8},
		{"weight power", func(s *Settings) { s.WeightPower = 2 }, place("A", scenario.Town, 0), place("B", scenario.Town, 0), 10, 30, (1.0 / 400) / (1.0/400 + 1.0/1600)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := DefaultSettings()
			if tc.set != nil {
				tc.set(&set)
			}
			sc := toy(1, []scenario.Place{place("O", scenario.Conflict, n), tc.a, tc.b},
				route(0, 1, tc.da), route(0, 2, tc.db))
			set.MaxMoveSpeed = min(tc.da, tc.db) / 2 // nobody arrives on day 0; flows count choices
			e := mustNew(t, sc, set, 11)
			step(t, e, 1)
			fwd, _ := e.RouteFlows()
			within(t, "chose A", int(fwd[0]), n, tc.wantA)
			if int(fwd[0]+fwd[1]) != n {
				t.Errorf("%d departures, want %d", fwd[0]+fwd[1], n)
			}
		})
	}
}

// A camp above capacity_buffer × capacity loses attractiveness linearly, and
// a route to a camp with multiplier below 0.5 is abandoned.
func TestCapacity(t *testing.T) {
	e := &Engine{set: DefaultSettings(), capacity: []float64{100, -1}, count: []int32{0, 50}}
	for _, tc := range []struct {
		n    int32
		want float64
	}{{0, 1}, {90, 1}, {95, 0.5}, {99, 0.1}, {100, 0}, {150, 0}} {
		e.count[0] = tc.n
		if got := e.capMult(0); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("capMult at %d/100 = %v, want %v", tc.n, got, tc.want)
		}
	}
	if e.capMult(1) != 1 {
		t.Error("unlimited place must have multiplier 1")
	}

	// Full camp: nobody sets out for it.
	c := place("C", scenario.Camp, 100)
	c.Capacity = 100
	sc := toy(1, []scenario.Place{place("O", scenario.Conflict, 1000), c}, route(0, 1, 50))
	en := mustNew(t, sc, DefaultSettings(), 3)
	step(t, en, 1)
	if en.Count(1) > 100 {
		t.Errorf("full camp received people: %d", en.Count(1))
	}
}

// Flee's hop rule: each newly entered link gets a full day's speed, and an
// agent hops on while the links it completed are shorter than the speed.
// Markers are looked through, so O→M1→M2→D is one candidate.
func TestTravelHops(t *testing.T) {
	sc := toy(3, []scenario.Place{
		place("O", scenario.Conflict, 1), place("M1", scenario.Marker, 0),
		place("M2", scenario.Marker, 0), place("D", scenario.Camp, 0),
	}, route(0, 1, 100), route(1, 2, 100), route(2, 3, 500))
	e := mustNew(t, sc, DefaultSettings(), 1)
	step(t, e, 1)
	if e.OnLinks() != 1 {
		t.Fatalf("want the agent on a link after day 0, have %d on links", e.OnLinks())
	}
	if l := ^e.aLoc[0]; e.linkFrom[l] != 2 || e.linkTo[l] != 3 || e.ag[0].prog != 360 {
		t.Errorf("after day 0: link %d→%d at %v km; want M2→D at 360 km", e.linkFrom[l], e.linkTo[l], e.ag[0].prog)
	}
	step(t, e, 1)
	if e.Count(3) != 1 {
		t.Errorf("after day 1 the agent should be at D")
	}

	// A link exactly one day's speed long takes two days (strict >).
	sc2 := toy(2, []scenario.Place{place("O", scenario.Conflict, 1), place("D", scenario.Camp, 0)}, route(0, 1, 360))
	e2 := mustNew(t, sc2, DefaultSettings(), 1)
	step(t, e2, 1)
	if e2.Count(1) != 0 {
		t.Error("a 360 km link must not be crossed in one day at 360 km/day")
	}
	step(t, e2, 1)
	if e2.Count(1) != 1 {
		t.Error("a 360 km link must be crossed on the second day")
	}
}

// Origins are drawn in proportion to population × intensity.
func TestSpawnWeights(t *testing.T) {
	a, b := place("A", scenario.Conflict, 0), place("B", scenario.Conflict, 0)
	a.Pop, b.Pop = 1000, 3000
	b.ConflictIntensity = 2
	sc := toy(2, []scenario.Place{a, b, place("T", scenario.Town, 0)})
	sc.Spawn.Daily = []int{0, 70000}
	e := mustNew(t, sc, DefaultSettings(), 5)
	step(t, e, 2)
	within(t, "spawned at A", e.Count(0), 70000, 1.0/7)
	if e.Agents() != 70000 {
		t.Errorf("agents %d, want 70000", e.Agents())
	}
}

// A conflict that ends turns the place into a town (move chance 0.3); one
// that starts makes everyone leave.
func TestConflictEvents(t *testing.T) {
	const n = 100000
	sc := toy(3, []scenario.Place{place("A", scenario.Town, n), place("D", scenario.Camp, 0)}, route(0, 1, 5000))
	sc.Events = []scenario.Event{
		{Day: 1, Kind: scenario.ConflictStart, Place: 0, Place2: -1, Value: 1},
	}
	e := mustNew(t, sc, DefaultSettings(), 9)
	step(t, e, 1)
	within(t, "left a town", e.OnLinks(), n, 0.3)
	step(t, e, 1)
	if e.Count(0) != 0 {
		t.Errorf("%d stayed in a place in conflict (move chance 1)", e.Count(0))
	}
}

// Border closures hide routes from choice; in Flee mode an agent on a link
// that closes is sent back on arrival even if it reopened meanwhile.
func TestClosures(t *testing.T) {
	mk := func() *scenario.Scenario {
		o := place("O", scenario.Conflict, 1000)
		d := place("D", scenario.Camp, 0)
		d.Country = "B"
		sc := toy(4, []scenario.Place{o, d}, route(0, 1, 700))
		sc.Events = []scenario.Event{
			{Day: 1, Kind: scenario.CloseBorder, Place: -1, Place2: -1, Country: "A", Country2: "B"},
			{Day: 2, Kind: scenario.OpenBorder, Place: -1, Place2: -1, Country: "A", Country2: "B"},
		}
		return sc
	}
	for _, tc := range []struct {
		mode       Mode
		wantAtDest int
	}{{ModeFlee, 0}, {ModeCaravan, 1000}} {
		set := DefaultSettings()
		set.Mode = tc.mode
		e := mustNew(t, mk(), set, 1)
		step(t, e, 1) // all leave on day 0: 360 of 700 km
		if e.OnLinks() != 1000 {
			t.Fatalf("%v: %d on links after day 0", tc.mode, e.OnLinks())
		}
		step(t, e, 1) // closed before moving on day 1; arrival at 720 km
		if tc.mode == ModeFlee {
			if e.Count(0) != 1000 {
				t.Errorf("flee mode: %d back at origin, want 1000 (bounce)", e.Count(0))
			}
		} else if e.Count(0) != 1000 {
			t.Errorf("caravan mode: %d back at origin while the border is closed, want 1000", e.Count(0))
		}
	}
	// With the closure on day 1 and reopening on day 1... reopened links are
	// usable again by new travellers.
	sc := mk()
	sc.Events[1].Day = 1
	e := mustNew(t, sc, DefaultSettings(), 1)
	step(t, e, 3)
	if e.Count(1) == 0 {
		t.Error("nobody reached D after the border reopened")
	}
}

// Agents that were on a link when it closed still bounce after it reopens
// in Flee mode, but not in Caravan mode.
func TestBounceAfterReopen(t *testing.T) {
	for _, tc := range []struct {
		mode Mode
		back int
	}{{ModeFlee, 1000}, {ModeCaravan, 0}} {
		o := place("O", scenario.Conflict, 1000)
		d := place("D", scenario.Camp, 0)
		sc := toy(3, []scenario.Place{o, d}, route(0, 1, 1000))
		sc.Events = []scenario.Event{
			{Day: 1, Kind: scenario.ClosePlace, Place: 1, Place2: -1},
			{Day: 2, Kind: scenario.OpenPlace, Place: 1, Place2: -1},
		}
		set := DefaultSettings()
		set.Mode = tc.mode
		e := mustNew(t, sc, set, 1)
		step(t, e, 3) // arrival on day 2 (1080 > 1000), after the reopening
		if e.Count(0) != tc.back {
			t.Errorf("%v: %d sent back, want %d", tc.mode, e.Count(0), tc.back)
		}
	}
}

// Flee mode reduces camp capacity by the day-0 population (counted twice).
func TestDay0CapacityDoubleCount(t *testing.T) {
	for _, tc := range []struct {
		mode Mode
		want float64
	}{{ModeFlee, 600}, {ModeCaravan, 1000}} {
		c := place("C", scenario.Camp, 400)
		c.Capacity, c.Day0Observed = 1000, 400
		sc := toy(1, []scenario.Place{c})
		set := DefaultSettings()
		set.Mode = tc.mode
		e := mustNew(t, sc, set, 1)
		step(t, e, 1)
		if e.capacity[0] != tc.want {
			t.Errorf("%v: capacity %v, want %v", tc.mode, e.capacity[0], tc.want)
		}
	}
}

// Awareness 0 freezes everyone in Flee mode (a defect); Caravan chooses by
// distance alone.
func TestAwarenessZero(t *testing.T) {
	for _, tc := range []struct {
		mode  Mode
		moved bool
	}{{ModeFlee, false}, {ModeCaravan, true}} {
		sc := toy(1, []scenario.Place{place("O", scenario.Conflict, 100), place("D", scenario.Camp, 0)}, route(0, 1, 50))
		set := DefaultSettings()
		set.Mode, set.AwarenessLevel = tc.mode, 0
		e := mustNew(t, sc, set, 1)
		step(t, e, 1)
		if (e.Count(1) > 0) != tc.moved {
			t.Errorf("%v: %d reached D", tc.mode, e.Count(1))
		}
	}
}

// Duplicated routes (forced_redirection=1) double a neighbour's weight only
// in Flee mode.
func TestDuplicateRoute(t *testing.T) {
	const n = 100000
	for _, tc := range []struct {
		mode  Mode
		wantA float64
	}{{ModeFlee, 2.0 / 3}, {ModeCaravan, 0.5}} {
		sc := toy(1, []scenario.Place{place("O", scenario.Conflict, n), place("A", scenario.Camp, 0), place("B", scenario.Camp, 0)},
			route(0, 1, 1000), route(0, 2, 1000))
		sc.Routes[0].Duplicate = true
		set := DefaultSettings()
		set.Mode = tc.mode
		e := mustNew(t, sc, set, 2)
		step(t, e, 1)
		fwd, _ := e.RouteFlows()
		within(t, tc.mode.String()+": chose A", int(fwd[0]), n, tc.wantA)
	}
}

// The same scenario and seed give identical results whatever GOMAXPROCS is;
// another seed gives different ones.
func TestDeterminism(t *testing.T) {
	sc := toy(40, []scenario.Place{
		place("O", scenario.Conflict, 5000), place("T1", scenario.Town, 100), place("T2", scenario.Town, 0),
		place("C1", scenario.Camp, 0), place("C2", scenario.Camp, 0),
	}, route(0, 1, 80), route(0, 2, 120), route(1, 3, 300), route(2, 4, 200), route(1, 2, 60))
	sc.Places[0].Pop = 10000
	for d := 1; d < 40; d++ {
		sc.Spawn.Daily[d] = 100
	}
	run := func(procs int, seed uint64) []int {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		e := mustNew(t, sc, DefaultSettings(), seed)
		var out []int
		err := e.Run(context.Background(), ObserverFunc(func(day int, e *Engine) error {
			for i := range sc.Places {
				out = append(out, e.Count(i))
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(1, 42), run(2, 42)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("GOMAXPROCS 1 and 2 differ at %d: %d vs %d", i, a[i], b[i])
		}
	}
	c := run(2, 43)
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("seeds 42 and 43 gave identical runs")
	}
}

func TestSpawnNeedsConflictPopulation(t *testing.T) {
	sc := toy(2, []scenario.Place{place("A", scenario.Town, 0)})
	sc.Spawn.Daily = []int{0, 5}
	e := mustNew(t, sc, DefaultSettings(), 1)
	step(t, e, 1)
	if err := e.Step(); err == nil {
		t.Error("spawning with no place in conflict must fail")
	}
}

// stay_close_to_home weights endpoints by their distance from the agent's
// home in Caravan mode, from its current place in Flee mode (§19.14).
func TestStayCloseToHome(t *testing.T) {
	for _, tc := range []struct {
		mode  Mode
		wantB float64
	}{
		// From A both B and C are 89 km away: Flee sees no difference.
		{ModeFlee, 0.5},
		// From home O, B is 22 km and C 200 km away: 1/√22.2 against 1/√200.
		{ModeCaravan, (1 / math.Sqrt(22.24)) / (1/math.Sqrt(22.24) + 1/math.Sqrt(200.2))},
	} {
		o := place("O", scenario.Conflict, 100000)
		a := place("A", scenario.Town, 0)
		b := place("B", scenario.Camp, 0)
		c := place("C", scenario.Camp, 0)
		a.Lon, b.Lon, c.Lon = 1, 0.2, 1.8
		sc := toy(2, []scenario.Place{o, a, b, c}, route(0, 1, 10), route(1, 2, 100), route(1, 3, 100))
		sc.Events = []scenario.Event{{Day: 1, Kind: scenario.ClosePlace, Place: 0, Place2: -1}}
		set := DefaultSettings()
		set.Mode, set.StayCloseToHome = tc.mode, true
		set.MaxMoveSpeed = 50 // reach A on day 0, stop there; choose on day 1 with O closed
		e := mustNew(t, sc, set, 4)
		step(t, e, 1)
		f0, _ := e.RouteFlows()
		step(t, e, 1)
		f1, _ := e.RouteFlows()
		toB, toC := int(f1[1]-f0[1]), int(f1[2]-f0[2])
		if toB+toC < 1000 {
			t.Fatalf("%v: only %d left A on day 1", tc.mode, toB+toC)
		}
		within(t, tc.mode.String()+": chose B", toB, toB+toC, tc.wantB)
	}
}

// A place may change kind: a town that becomes a forwarding hub sends
// everyone on; one that becomes a marker drops out of route choice.
func TestChangeKind(t *testing.T) {
	const n = 100000
	sc := toy(2, []scenario.Place{place("T", scenario.Town, n), place("D", scenario.Camp, 0)}, route(0, 1, 5000))
	sc.Events = []scenario.Event{{Day: 1, Kind: scenario.ChangeKind, Place: 0, Place2: -1, Value: float64(scenario.Forward)}}
	e := mustNew(t, sc, DefaultSettings(), 2)
	step(t, e, 1)
	within(t, "left the town on day 0", e.OnLinks(), n, 0.3)
	step(t, e, 1)
	if e.Count(0) != 0 {
		t.Errorf("%d stayed at a forwarding hub", e.Count(0))
	}

	// O chooses between A (a town 10 km away) and B (far); once A becomes a
	// marker it is no longer a destination: O→A→C is seen as one route to C.
	sc2 := toy(2, []scenario.Place{place("O", scenario.Conflict, n), place("A", scenario.Town, 0),
		place("B", scenario.Camp, 0), place("C", scenario.Camp, 0)}, route(0, 1, 10), route(0, 2, 1000), route(1, 3, 1000))
	sc2.Events = []scenario.Event{{Day: 0, Kind: scenario.ChangeKind, Place: 1, Place2: -1, Value: float64(scenario.Marker)}}
	set := DefaultSettings()
	set.MaxMoveSpeed = 5 // nobody arrives anywhere on day 0
	e2 := mustNew(t, sc2, set, 3)
	step(t, e2, 1)
	for _, c := range e2.cand[0] {
		if c.end == 1 {
			t.Fatal("a marker must not be a route candidate")
		}
	}
	if len(e2.cand[0]) != 2 {
		t.Errorf("candidates from O: %d, want B and C (through the marker)", len(e2.cand[0]))
	}
}
