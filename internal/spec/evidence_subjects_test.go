package spec

import (
	"context"
	"testing"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

// subjectsToy: people displaced from A (country X) reach the camps C
// (country Y) and D (country Z) through B; Y naturalises group g1 after
// about four days, so by the end some of C's g1 are citizens. The
// observations read refugee status, sums of places, countries and groups,
// and everyone displaced.
const subjectsToy = `caravan: 1
name: subjects-toy
start: 2024-01-01
days: 40
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
groups:
  - {name: g1, shares: [{place: A, share: 0.6}]}
  - {name: g2, shares: [{place: A, share: 0.4}]}
drivers:
  - {name: war, type: war, origins: [A], intensity: [{date: 2024-01-02, value: 100}, {date: 2024-01-11, value: 0}]}
policies:
  - {name: citizens, period: {from: 2024-01-01}, groups: [g1], reception: {country: Y, naturalise_after_years: 0.01}}
  - {name: handover, period: {from: 2024-01-20}, groups: [g2], extradition: {country: Y, to: X, granted: true, share: 1}}
observations:
  - {id: c-stock, kind: count, place: C, date: 2024-02-09, value: 1}
  - {id: c-refugees, kind: count, measure: refugees, place: C, date: 2024-02-09, value: 1}
  - {id: c-refugees-g1, kind: count, measure: refugees, place: C, group: g1, date: 2024-02-09, value: 1}
  - {id: y-refugees, kind: count, measure: refugees, country: Y, date: 2024-02-09, value: 1}
  - {id: total-refugees, kind: count, measure: refugees, total: true, date: 2024-02-09, value: 1}
  - {id: total-stock, kind: count, total: true, date: 2024-02-09, value: 1}
  - {id: cd-stock, kind: count, places: [C, D], date: 2024-02-09, value: 1}
  - {id: c-groups, kind: count, place: C, groups: [g1, g2], date: 2024-02-09, value: 1}
  - {id: c-share-groups, kind: count, measure: share, place: C, groups: [g1, g2], date: 2024-02-09, value: 1}
  - {id: y-arrivals, kind: count, measure: arrivals, country: Y, period: {from: 2024-01-01}, value: 1}
  - {id: z-arrivals, kind: count, measure: arrivals, country: Z, period: {from: 2024-01-01}, value: 1}
  - {id: yz-arrivals, kind: count, measure: arrivals, countries: [Y, Z], period: {from: 2024-01-01}, value: 1}
  - {id: yz-crossings, kind: count, measure: crossings, countries: [Y, Z], period: {from: 2024-01-01}, value: 1}
  - {id: total-departures, kind: count, measure: departures, total: true, period: {from: 2024-01-01}, value: 1}
  - {id: order-refugees, kind: ordering, measure: refugees, date: 2024-02-09, order: [{places: [C, D]}, {place: C}]}
  - {id: c-refugees-series, kind: series, measure: refugees, place: C, counts: [[2024-01-20, 1], [2024-02-09, 1]]}
  - {id: c-extraditions, kind: count, measure: extraditions, place: C, period: {from: 2024-01-01}, value: 1}
  - {id: c-deportations, kind: count, measure: deportations, place: C, period: {from: 2024-01-01}, value: 1}
  - {id: total-departures-g1, kind: count, measure: departures, total: true, group: g1, period: {from: 2024-01-01}, value: 1}
  - {id: total-departures-g2, kind: count, measure: departures, total: true, group: g2, period: {from: 2024-01-01}, value: 1}
  - {id: total-share-period, kind: count, measure: share, total: true, group: g1, period: {from: 2024-01-01}, value: 0.5}
`

// runToy compiles src, runs it with seed 3 and returns the engine and each
// observation's simulated values by id.
func runToy(t *testing.T, src string) (*Compiled, *sim.Engine, map[string]*evaluate.Item, map[string][]float64) {
	t.Helper()
	c := compileString(t, src)
	ev := c.Observed.Evidence
	e, err := sim.New(c.Scenario, c.Settings, 3)
	if err != nil {
		t.Fatal(err)
	}
	rec := results.NewProbes(ev.Probes, c.Scenario.Days)
	rec.Attach(e)
	if err := e.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	fit := ev.Evaluate(rec)
	items, vals := map[string]*evaluate.Item{}, map[string][]float64{}
	for i, r := range fit.Results {
		items[ev.Items[i].ID] = &ev.Items[i]
		vals[ev.Items[i].ID] = r.Simulated
	}
	return c, e, items, vals
}

func one(t *testing.T, vals map[string][]float64, id string) float64 {
	t.Helper()
	v := vals[id]
	if len(v) != 1 {
		t.Fatalf("%s: simulated %v, want one value", id, v)
	}
	return v[0]
}

// The refugees measure leaves out the naturalised: it must differ from the
// stock by exactly the engine's count of citizens at the place.
func TestEvidence_Refugees(t *testing.T) {
	_, e, _, vals := runToy(t, subjectsToy)
	const c = 2
	settled, settledG1 := e.SettledCount(c, -1), e.SettledCount(c, 0)
	if settled == 0 || settled != settledG1 {
		t.Fatalf("the toy must naturalise some of g1 (and only g1) at C: %d settled, %d of g1", settled, settledG1)
	}
	if got, want := one(t, vals, "c-stock"), float64(e.Count(c)); got != want {
		t.Errorf("stock at C %v, want %v", got, want)
	}
	if got, want := one(t, vals, "c-refugees"), float64(e.Count(c)-settled); got != want {
		t.Errorf("refugees at C %v, want the %d present less the %d naturalised", got, e.Count(c), settled)
	}
	if got, want := one(t, vals, "c-refugees-g1"), float64(e.GroupCount(c, 0)-settledG1); got != want {
		t.Errorf("refugees of g1 at C %v, want %v", got, want)
	}
	if got, want := one(t, vals, "y-refugees"), float64(e.Count(c)-settled); got != want {
		t.Errorf("refugees in Y (C only) %v, want %v", got, want)
	}
	if got, want := one(t, vals, "total-refugees"), float64(e.Agents()-settled); got != want {
		t.Errorf("refugees in the total %v, want every agent (%d) less the naturalised (%d)", got, e.Agents(), settled)
	}
	if one(t, vals, "total-refugees") >= one(t, vals, "total-stock") {
		t.Errorf("total refugees %v should be below the total stock %v", one(t, vals, "total-refugees"), one(t, vals, "total-stock"))
	}
	if s := vals["c-refugees-series"]; len(s) != 2 || s[1] != one(t, vals, "c-refugees") {
		t.Errorf("a series of refugees reads the stock on its dates: %v", s)
	}
}

// Several places, countries or groups add up.
func TestEvidence_SeveralSubjects(t *testing.T) {
	_, e, items, vals := runToy(t, subjectsToy)
	if got, want := one(t, vals, "cd-stock"), float64(e.Count(2)+e.Count(3)); got != want {
		t.Errorf("places [C, D] %v, want C + D = %v", got, want)
	}
	if got, want := one(t, vals, "c-groups"), float64(e.Count(2)); got != want {
		t.Errorf("groups [g1, g2] at C %v, want everyone at C (%v)", got, want)
	}
	if got := one(t, vals, "c-share-groups"); got != 1 {
		t.Errorf("the share of every group together is %v, want 1", got)
	}
	y, z := one(t, vals, "y-arrivals"), one(t, vals, "z-arrivals")
	if y == 0 || z == 0 {
		t.Fatalf("the toy must bring people to both Y (%v) and Z (%v)", y, z)
	}
	if got := one(t, vals, "yz-arrivals"); got != y+z {
		t.Errorf("countries [Y, Z] arrivals %v, want Y + Z = %v", got, y+z)
	}
	fwd, _ := e.RouteFlows()
	if got, want := one(t, vals, "yz-crossings"), float64(fwd[1]+fwd[2]); got != want {
		t.Errorf("crossings into Y or Z %v, want B→C + B→D = %v", got, want)
	}
	if o := vals["order-refugees"]; len(o) != 2 || o[0] != one(t, vals, "cd-stock")-float64(e.SettledCount(2, -1)) {
		t.Errorf("ordering terms %v", o)
	}
	for id, want := range map[string]string{
		"cd-stock":       "places C, D",
		"c-groups":       "place C (groups g1, g2)",
		"yz-arrivals":    "countries Y, Z",
		"c-share-groups": "place C (groups g1, g2)",
	} {
		if items[id].Subject != want {
			t.Errorf("%s: subject %q, want %q", id, items[id].Subject, want)
		}
	}
}

// Departures of the total are everyone displaced during the period (the
// agents created), by group when asked; a group's share of the displaced
// is its departures over everyone's.
func TestEvidence_TotalDepartures(t *testing.T) {
	c, e, _, vals := runToy(t, subjectsToy)
	initial := 0
	for _, p := range c.Scenario.Places {
		initial += p.Initial
	}
	all := one(t, vals, "total-departures")
	if want := float64(e.Agents() - initial); all != want || all == 0 {
		t.Errorf("departures of the total %v, want the %v people displaced", all, want)
	}
	g1, g2 := one(t, vals, "total-departures-g1"), one(t, vals, "total-departures-g2")
	if g1+g2 != all || g1 == 0 || g2 == 0 {
		t.Errorf("departures by group %v + %v, want both > 0 and summing to %v", g1, g2, all)
	}
	// A's shares are 0.6 and 0.4.
	if got := one(t, vals, "total-share-period"); got != g1/all || got < 0.5 || got > 0.7 {
		t.Errorf("share of g1 among the displaced %v, want %v/%v ≈ 0.6", got, g1, all)
	}
}

// countryToy: D passes from Z to Y on 2024-01-21 (day 20); people keep
// arriving there from X all along.
const countryToy = `caravan: 1
name: country-toy
start: 2024-01-01
days: 40
spawning: {mode: drivers}
places:
  - {name: A, kind: origin, country: X, population: 10000}
  - {name: B, kind: crossing, country: X}
  - {name: C, kind: camp, country: Y}
  - {name: D, kind: camp, country: Z, changes: [{date: 2024-01-21, country: Y}]}
routes:
  - {from: A, to: B, distance: 50}
  - {from: B, to: C, distance: 60}
  - {from: B, to: D, distance: 80}
drivers:
  - {name: war, type: war, origins: [A], intensity: [{date: 2024-01-02, value: 100}, {date: 2024-01-31, value: 0}]}
observations:
  - {id: y-before, kind: count, country: Y, date: 2024-01-15, value: 1}
  - {id: y-after, kind: count, country: Y, date: 2024-02-09, value: 1}
  - {id: c-before, kind: count, place: C, date: 2024-01-15, value: 1}
  - {id: cd-after, kind: count, places: [C, D], date: 2024-02-09, value: 1}
  - {id: y-arrivals, kind: count, measure: arrivals, country: Y, period: {from: 2024-01-01}, value: 1}
  - {id: c-arrivals, kind: count, measure: arrivals, place: C, period: {from: 2024-01-01}, value: 1}
  - {id: d-arrivals-late, kind: count, measure: arrivals, place: D, period: {from: 2024-01-21}, value: 1}
  - {id: y-arrivals-series, kind: series, measure: arrivals, country: Y, counts: [[2024-01-20, 1], [2024-02-09, 1]]}
  - {id: y-crossings, kind: count, measure: crossings, country: Y, period: {from: 2024-01-01}, value: 1}
  - {id: bd-late, kind: count, measure: crossings, flow: {from: B, to: D}, period: {from: 2024-01-21}, value: 1}
  - {id: z-gone, kind: count, country: Z, date: 2024-02-09, value: 1}
  - {id: z-gone-period, kind: count, measure: arrivals, country: Z, period: {from: 2024-01-25, to: 2024-02-05}, value: 1}
  - {id: z-until, kind: count, measure: arrivals, country: Z, period: {from: 2024-01-01}, value: 1}
`

// An observation of a country counts the places in it on each day counted.
func TestEvidence_CountryChanges(t *testing.T) {
	_, e, items, vals := runToy(t, countryToy)
	if got, want := one(t, vals, "y-before"), one(t, vals, "c-before"); got != want {
		t.Errorf("Y before D joins it: %v, want C alone (%v)", got, want)
	}
	if got, want := one(t, vals, "y-after"), one(t, vals, "cd-after"); got != want || got != float64(e.Count(2)+e.Count(3)) {
		t.Errorf("Y after D joins it: %v, want C + D (%v)", got, want)
	}
	c, dLate := one(t, vals, "c-arrivals"), one(t, vals, "d-arrivals-late")
	if dLate == 0 {
		t.Fatal("the toy must bring people to D after it joins Y")
	}
	if got := one(t, vals, "y-arrivals"); got != c+dLate {
		t.Errorf("arrivals in Y %v, want C's (%v) plus D's since it joined (%v)", got, c, dLate)
	}
	if s := vals["y-arrivals-series"]; len(s) != 2 || s[0]+s[1] != c+dLate {
		t.Errorf("series of arrivals in Y %v, want a sum of %v", s, c+dLate)
	}
	fwd, _ := e.RouteFlows()
	if got, want := one(t, vals, "y-crossings"), float64(fwd[1])+one(t, vals, "bd-late"); got != want || got == float64(fwd[1]) {
		t.Errorf("crossings into Y %v, want B→C (%d) plus B→D since D joined Y (%v)", got, fwd[1], one(t, vals, "bd-late"))
	}
	if one(t, vals, "z-until") == 0 {
		t.Errorf("arrivals in Z before D left it must count")
	}
	for id, want := range map[string]string{
		"z-gone":        `no place lies in country "Z" on 2024-02-09`,
		"z-gone-period": `no place lies in country "Z" from 2024-01-25 to 2024-02-05`,
	} {
		if items[id].Reason != want {
			t.Errorf("%s: reason %q, want %q", id, items[id].Reason, want)
		}
	}
	if items["z-until"].Reason != "" || items["y-crossings"].Reason != "" {
		t.Errorf("z-until %q, y-crossings %q: both are evaluable", items["z-until"].Reason, items["y-crossings"].Reason)
	}
}

// Extraditions are the people handed over at another state's request: the
// engine's own count, a part of the deportations.
func TestEvidence_Extraditions(t *testing.T) {
	_, e, _, vals := runToy(t, subjectsToy)
	want := float64(e.Tally().Extradited[2])
	if want == 0 {
		t.Fatal("the toy must extradite some of g2 from C")
	}
	if got := one(t, vals, "c-extraditions"); got != want {
		t.Errorf("extraditions from C %v, want %v", got, want)
	}
	if got := one(t, vals, "c-deportations"); got < want {
		t.Errorf("deportations from C %v include the %v extradited", got, want)
	}
}
