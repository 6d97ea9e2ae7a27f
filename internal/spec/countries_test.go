package spec

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

func TestCompile_CountryChanges(t *testing.T) {
	l, err := Load("testdata/countries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := c.Scenario
	kars := sc.PlaceIndex("Kars")
	var ev *scenario.Event
	for k := range sc.Events {
		if sc.Events[k].Kind == scenario.ChangeCountry {
			ev = &sc.Events[k]
		}
	}
	if ev == nil || ev.Place != kars || ev.Country != "T" || ev.Day != 31 || ev.Value != 1 {
		t.Fatalf("change of country compiled to %+v; want Kars to T on day 31, abroad", ev)
	}
	// Kars takes T's affinities (christians 3, muslims unset).
	if !reflect.DeepEqual(ev.Affinity, []float64{1, 3}) {
		t.Errorf("Kars's affinities in T: %v, want [1 3]", ev.Affinity)
	}
	// A place's own affinity wins over its country's, written before or after.
	ist := sc.PlaceIndex("Istanbul")
	if got := sc.System.Affinity[1][ist]; got != 2 {
		t.Errorf("Istanbul's affinity for christians %v, want its own 2", got)
	}
	if got := sc.System.Affinity[1][kars]; got != 1 {
		t.Errorf("Kars's day-0 affinity for christians %v, want 1 (it is in R then)", got)
	}
	byName := map[string]scenario.Policy{}
	for _, p := range sc.System.Policies {
		byName[p.Name] = p
	}
	if p := byName["papers into T"]; p.Countries != [2]string{"R", "T"} || len(p.Links) != 0 {
		t.Errorf("border policy: countries %v, links %v; want [R T] resolved by the engine", p.Countries, p.Links)
	}
	anzali, tehran := sc.PlaceIndex("Anzali"), sc.PlaceIndex("Tehran")
	if p := byName["organisations banned"]; p.Kind != scenario.Attract || p.Factor != 0.5 || !reflect.DeepEqual(p.Places, []int{anzali, tehran}) || p.Groups != 1 {
		t.Errorf("attraction policy compiled to %+v", p)
	}
	if p := byName["handover"]; p.Kind != scenario.Deport || !p.Naturalised || !reflect.DeepEqual(p.Places, []int{tehran}) {
		t.Errorf("extradition compiled to %+v; want a deportation of citizens too, from Tehran only", p)
	}

	e, err := sim.New(sc, c.Settings, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.Refused == 0 || st.Deported == 0 || st.Naturalised == 0 {
		t.Errorf("a mechanism never acted: %+v", st)
	}
}

func TestValidate_CountryPolicies(t *testing.T) {
	base := `caravan: 1
name: x
start: 2020-01-01
days: 10
spawning: {mode: conflict, displaced_per_conflict_day: 1}
places:
  - {name: A, kind: origin, country: R}
  - {name: B, kind: destination, country: P, changes: [{date: 2020-01-05, country: Q}]}
routes: [{from: A, to: B, distance: 10}]
policies:
`
	for _, tc := range []struct{ policy, want string }{
		{`  - {name: p, period: {from: 2020-01-01}, attraction: {country: P, place: B, factor: 1}}`, "give the host country or the host place"},
		{`  - {name: p, period: {from: 2020-01-01}, attraction: {country: P}}`, "factor: missing"},
		{`  - {name: p, period: {from: 2020-01-01}, attraction: {country: Z, factor: 1}}`, `no place lies in country "Z"`},
		{`  - {name: p, period: {from: 2020-01-01}, attraction: {place: B, factor: -1}}`, "factor"},
		{`  - {name: p, period: {from: 2020-01-01}, extradition: {country: P, to: R, granted: false, naturalised: true}}`, "only when extradition is granted"},
		{`  - {name: p, period: {from: 2020-01-01}, deportation: {country: P, places: [C]}}`, `unknown place "C"`},
		// Q exists only after B's change of country: still a country of the scenario.
		{`  - {name: p, period: {from: 2020-01-06}, attraction: {country: Q, factor: 2}}`, ""},
	} {
		l, err := Parse("s.yaml", []byte(base+tc.policy+"\n"))
		if err == nil && l != nil {
			_, err = l.Compile(Options{})
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.policy, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.policy, err, tc.want)
		}
	}
}
