package sim

import (
	"testing"

	"github.com/caravan-sim/caravan/internal/scenario"
)

// joins is a change_country event for place p on day.
func joins(day, p int, country string) scenario.Event {
	return scenario.Event{Day: day, Kind: scenario.ChangeCountry, Place: p, Place2: -1, Country: country, Value: 1}
}

// A border regime between two countries governs the routes that cross it on
// the day: B's routes only once B has passed to Z.
func TestCountryChangeMovesBorderPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		events  []scenario.Event
		blocked bool
	}{
		{"B stays in X", nil, false},
		{"B joins Z on day 0", []scenario.Event{joins(0, 2, "Z")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := sysToy(4)
			sc.Events = tc.events
			sc.System.Policies = []scenario.Policy{{Name: "Z closed to g1", Kind: scenario.Border, From: 0, To: -1,
				Groups: 1 << 1, Countries: [2]string{"A", "Z"}, Pass: 0}}
			e := mustNew(t, sc, DefaultSettings(), 11)
			step(t, e, 4)
			g1 := e.GroupCount(2, 1)
			if tc.blocked && (g1 != 0 || e.Stats().Refused == 0) {
				t.Errorf("%d of g1 reached B and %d were refused; the A→Z regime must stop them", g1, e.Stats().Refused)
			}
			if !tc.blocked && (g1 == 0 || e.Stats().Refused != 0) {
				t.Errorf("%d of g1 reached B, %d refused; no regime governs A→X", g1, e.Stats().Refused)
			}
			if e.GroupCount(2, 0) == 0 {
				t.Error("g0 is not governed and must reach B")
			}
		})
	}
}

// A regime at a crossing applies to its routes that cross a border: none
// while B is in A's country, all once it has left it.
func TestCountryChangeCrossingPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		country string
		events  []scenario.Event
		refused bool
	}{
		{"B domestic", "A", nil, false},
		{"B becomes foreign", "A", []scenario.Event{joins(0, 2, "X")}, true},
		{"B foreign from the start", "X", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := sysToy(4)
			sc.Places[2].Country = tc.country
			sc.Events = tc.events
			sc.System.Policies = []scenario.Policy{{Name: "papers at B", Kind: scenario.Border, From: 0, To: -1,
				Groups: 1 << 1, Crossings: []int{2}, Pass: 0.5}}
			e := mustNew(t, sc, DefaultSettings(), 12)
			step(t, e, 4)
			if got := e.Stats().Refused > 0; got != tc.refused {
				t.Errorf("refusals %d; want refusals: %v", e.Stats().Refused, tc.refused)
			}
		})
	}
}

// Naturalisation by a country reaches the places that join it, counting
// residence from the day they join; deportation by country too.
func TestCountryChangeNaturalisation(t *testing.T) {
	sc := sysToy(6)
	sc.Events = []scenario.Event{joins(3, 2, "Z")}
	sc.System.Policies = []scenario.Policy{{Name: "Z citizens", Kind: scenario.Naturalise, From: 0, To: -1, Country: "Z", Days: 1}}
	e := mustNew(t, sc, DefaultSettings(), 13)
	step(t, e, 4)
	if n := e.Stats().Naturalised; n != 0 {
		t.Fatalf("%d naturalised on the day B joined Z; residence counts from that day", n)
	}
	atB := e.Count(2)
	step(t, e, 1)
	if n := e.Stats().Naturalised; n == 0 || e.SettledCount(2, -1) != int(n) || e.SettledCount(3, -1) != 0 {
		t.Errorf("%d naturalised, %d settled at B (of %d), %d at C: B's people become Z citizens after a day", n, e.SettledCount(2, -1), atB, e.SettledCount(3, -1))
	}
}

// Deportation normally spares naturalised people; a policy that takes them
// too (Britain's handover of 1941) empties the place, and a zone limits it.
func TestDeportNaturalised(t *testing.T) {
	for _, tc := range []struct {
		name        string
		naturalised bool
		places      []int
		wantGone    bool
	}{
		{"spares citizens", false, nil, false},
		{"takes citizens", true, nil, true},
		{"takes citizens in another zone", true, []int{3}, false},
		{"takes citizens in its zone", true, []int{2}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := sysToy(8)
			sc.Routes = sc.Routes[:2] // O → A → B only
			sc.System.Policies = []scenario.Policy{
				{Name: "X citizens", Kind: scenario.Naturalise, From: 0, To: -1, Country: "X", Days: 0},
				{Name: "handover", Kind: scenario.Deport, From: 5, To: -1, Country: "X", Rate: 1, Target: 3,
					Naturalised: tc.naturalised, Places: tc.places},
			}
			e := mustNew(t, sc, DefaultSettings(), 14)
			step(t, e, 5)
			before := e.SettledCount(2, -1)
			if before == 0 || before != e.Count(2) {
				t.Fatalf("%d settled of %d at B before the handover; all should be citizens", before, e.Count(2))
			}
			step(t, e, 1)
			// Those who arrive on the handover day are naturalised that day
			// and handed over the next, so count the deported, not who is left.
			d := int(e.Stats().Deported)
			if tc.wantGone && (d < before || e.Count(3) != d || e.SettledCount(3, -1) != 0) {
				t.Errorf("%d deported, %d at C of %d citizens at B; %d at C still counted as citizens", d, e.Count(3), before, e.SettledCount(3, -1))
			}
			if !tc.wantGone && d != 0 {
				t.Errorf("%d deported; the policy must spare them", d)
			}
		})
	}
}

// An attraction policy multiplies a place's pull for its groups while in
// force.
func TestAttractPolicy(t *testing.T) {
	sc := sysToy(4)
	sc.System.Policies = []scenario.Policy{{Name: "no pull for g1", Kind: scenario.Attract, From: 0, To: -1,
		Groups: 1 << 1, Places: []int{2}, Factor: 0}}
	e := mustNew(t, sc, DefaultSettings(), 15)
	step(t, e, 4)
	if e.GroupCount(2, 1) != 0 || e.GroupCount(3, 1) == 0 {
		t.Errorf("g1: %d at B, %d at C; B must not attract g1", e.GroupCount(2, 1), e.GroupCount(3, 1))
	}
	if e.GroupCount(2, 0) == 0 {
		t.Error("g0 is not governed and must still reach B")
	}
}

// A place's change of country carries the new country's affinities.
func TestCountryChangeAffinity(t *testing.T) {
	sc := sysToy(4)
	ev := joins(0, 2, "Z")
	ev.Affinity = []float64{1, 0} // g1 shuns Z
	sc.Events = []scenario.Event{ev}
	e := mustNew(t, sc, DefaultSettings(), 16)
	step(t, e, 4)
	if e.GroupCount(2, 1) != 0 || e.GroupCount(2, 0) == 0 {
		t.Errorf("B in Z holds g0 %d, g1 %d; g1 shuns Z", e.GroupCount(2, 0), e.GroupCount(2, 1))
	}
}

// Arrivals from abroad follow today's countries.
func TestCountryChangeTally(t *testing.T) {
	sc := sysToy(4)
	sc.Events = []scenario.Event{joins(0, 2, "A")}
	e := mustNew(t, sc, DefaultSettings(), 17)
	tl := e.EnableTally()
	step(t, e, 4)
	var in, abroadB, abroadC int64
	for g := 0; g < 2; g++ {
		in += tl.In[2*2+g]
		abroadB += tl.InAbroad[2*2+g]
		abroadC += tl.InAbroad[3*2+g]
	}
	if in == 0 || abroadB != 0 || abroadC == 0 {
		t.Errorf("B (now in A): %d arrivals, %d from abroad; C: %d from abroad", in, abroadB, abroadC)
	}
}

// Extraditions are deportations counted apart in the tally.
func TestExtraditionTally(t *testing.T) {
	for _, handover := range []bool{false, true} {
		sc := sysToy(8)
		sc.Routes = sc.Routes[:2]
		sc.System.Policies = []scenario.Policy{{Name: "send", Kind: scenario.Deport, From: 5, To: -1, Country: "X", Rate: 1, Target: 3, Handover: handover}}
		e := mustNew(t, sc, DefaultSettings(), 18)
		tl := e.EnableTally()
		step(t, e, 8)
		d, x := tl.Deported[2], tl.Extradited[2]
		if d == 0 || (handover && x != d) || (!handover && x != 0) {
			t.Errorf("handover %v: %d deported, %d extradited", handover, d, x)
		}
	}
}

// People deported from a country do not walk back into it.
func TestDeportedStayOut(t *testing.T) {
	sc := sysToy(30)
	sc.System.Policies = []scenario.Policy{{Name: "send home", Kind: scenario.Deport, From: 3, To: 4, Country: "X", Rate: 1, Target: -1}}
	e := mustNew(t, sc, DefaultSettings(), 19)
	step(t, e, 30)
	if e.Stats().Deported == 0 {
		t.Fatal("nobody deported")
	}
	moved := 0
	for i, c := range e.x.banned {
		if c < 0 {
			continue
		}
		loc := e.aLoc[i]
		if loc < 0 {
			loc = e.linkTo[^loc]
		}
		if loc&routeBit != 0 {
			loc &^= routeBit
		}
		if e.country[loc] == c {
			t.Fatalf("agent %d, deported from country %d, is back at %s", i, c, e.sc.Places[loc].Name)
		}
		if loc != 0 {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no deported person left home again; the test shows nothing")
	}
}
