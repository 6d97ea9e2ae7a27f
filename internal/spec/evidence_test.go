package spec

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

// evidenceToy has observations of every kind, measure and subject: people
// displaced from A go through the crossing B to camps C (country Y) and D
// (country Z); group g2 passes into Z only half the time.
const evidenceToy = `caravan: 1
name: evidence-toy
start: 2024-01-01
days: 30
spawning: {mode: drivers}
sources:
  - {id: s1, title: A survey, reliability: low}
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
  - {name: g1, shares: [{place: A, share: 0.7}]}
  - {name: g2, shares: [{place: A, share: 0.3}]}
drivers:
  - {name: war, type: war, origins: [A], intensity: [{date: 2024-01-02, value: 100}, {date: 2024-01-11, value: 0}]}
policies:
  - {name: gate, period: {from: 2024-01-01}, groups: [g2], border: {countries: [X, Z], regime: restricted, pass_probability: 0.5}}
observations:
  - {id: c-stock, kind: count, place: C, date: 2024-01-30, value: 500, citation: {source: s1, reference: "p. 4"}}
  - {id: y-arrivals, kind: interval, measure: arrivals, country: Y, period: {from: 2024-01-01, to: 2024-01-30}, low: 100, high: 800}
  - {id: flow-bc, kind: bound, measure: crossings, flow: {from: B, to: C}, period: {from: 2024-01-01}, bound: lower, value: 10, citation: {reliability: high, coverage: 0.5}}
  - {id: order, kind: ordering, measure: arrivals, period: {from: 2024-01-01, to: 2024-01-30}, order: [{country: Y}, {country: Z}]}
  - {id: share, kind: interval, measure: share, place: C, group: g1, date: 2024-01-30, low: 0.6, high: 0.8}
  - {id: refused, kind: count, measure: refusals, country: Z, period: {from: 2024-01-01}, value: 50}
  - {id: unmodelled, kind: count, place: Elsewhere, unmodelled: true, date: 2024-01-10, value: 5}
  - {id: extradited, kind: count, measure: extraditions, country: Y, period: {from: 2024-01-01}, value: 1}
  - {id: no-route, kind: count, measure: crossings, flow: {from: A, to: C}, date: 2024-01-05, value: 1}
  - {id: late, kind: count, place: C, date: 2024-03-01, value: 1}
  - {id: c-series, kind: series, place: C, counts: [[2024-01-10, 100], [2024-01-30, 500]], citation: {coverage: {low: 0.5, high: 1}}}
  - {id: c-series-2, kind: series, place: C, counts: [[2024-01-10, 10], [2024-01-30, 50]], citation: {coverage: {low: 0.5, high: 1}}}
  - {id: d-arrivals, kind: series, measure: arrivals, place: D, counts: [[2024-01-10, 100], [2024-01-20, 100]]}
`

func compileString(t *testing.T, src string) *Compiled {
	t.Helper()
	l, err := Parse(filepath.Join(t.TempDir(), "s.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEvidence_Compile(t *testing.T) {
	ev := compileString(t, evidenceToy).Observed.Evidence
	byID := map[string]*evaluate.Item{}
	var ids []string
	for i := range ev.Items {
		byID[ev.Items[i].ID] = &ev.Items[i]
		ids = append(ids, ev.Items[i].ID)
	}
	if got := strings.Join(ids, " "); got != "c-stock y-arrivals flow-bc order share refused unmodelled extradited no-route late c-series+c-series-2 d-arrivals" {
		t.Fatalf("items %s", got)
	}
	for id, want := range map[string]string{
		"unmodelled": `place "Elsewhere" lies outside the modelled network`,
		"no-route":   "no route leads from A to C",
		"late":       "not simulated: the run covers 2024-01-01 to 2024-01-30",
	} {
		if !strings.Contains(byID[id].Reason, want) {
			t.Errorf("%s: reason %q, want %q", id, byID[id].Reason, want)
		}
	}
	if it := byID["c-stock"]; it.Reliability != "low" || it.Weight != evaluate.Weight("low") || it.Reference != "p. 4" || it.Measure != "stock" {
		t.Errorf("c-stock takes its source's reliability: %+v", it)
	}
	if it := byID["flow-bc"]; it.Kind != evaluate.Lower || it.Observed.Low != 20 || it.Weight != 1 || it.When != "2024-01-01 to 2024-01-30" {
		t.Errorf("flow-bc: a lower bound of 10 registered at coverage 0.5 is 20 people: %+v", it)
	}
	series := byID["c-series+c-series-2"]
	if series.Kind != evaluate.Series || len(series.Points) != 2 || series.Points[0] != evaluate.Between(110, 220) || series.Points[1] != evaluate.Between(550, 1100) {
		t.Errorf("two series of C add up, coverage 0.5 to 1: %+v", series.Points)
	}
	arr := byID["d-arrivals"]
	if len(arr.Terms) != 2 || arr.Terms[0].From != 0 || arr.Terms[0].To != 9 || arr.Terms[1].From != 10 || arr.Terms[1].To != 19 {
		t.Errorf("a series of arrivals counts since the date before: %+v", arr.Terms)
	}
	if sh := byID["share"]; !sh.Share || sh.Terms[0].Den < 0 {
		t.Errorf("a share is a ratio of two probes: %+v", sh.Terms)
	}
}

// The simulated values are those the engine reports by other means.
func TestEvidence_SimulatedValues(t *testing.T) {
	c := compileString(t, evidenceToy)
	ev := c.Observed.Evidence
	e, err := sim.New(c.Scenario, c.Settings, 7)
	if err != nil {
		t.Fatal(err)
	}
	rec := results.NewProbes(ev.Probes, c.Scenario.Days)
	rec.Attach(e)
	if err := e.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	fit := ev.Evaluate(rec)
	sim := map[string][]float64{}
	for i, r := range fit.Results {
		sim[ev.Items[i].ID] = r.Simulated
	}
	fwd, back := e.RouteFlows()
	refF, _ := e.RefusedOn()
	cAt := float64(e.Count(2))
	for _, tc := range []struct {
		id   string
		want float64
	}{
		{"c-stock", cAt},
		{"flow-bc", float64(fwd[1])},
		{"refused", float64(refF[2])},
		{"share", float64(e.GroupCount(2, 0)) / cAt},
	} {
		if got := sim[tc.id]; len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: simulated %v, want %v", tc.id, got, tc.want)
		}
	}
	if refF[2] == 0 {
		t.Errorf("the toy should refuse some of g2 at the border of Z")
	}
	// Arrivals in Y come over B→C: the crossings less those still on the
	// way. (C also holds the 110 people its series puts there before day 0.)
	if y := sim["y-arrivals"][0]; y <= 0 || y > float64(fwd[1]) || y < float64(fwd[1])-float64(e.OnLinks()) {
		t.Errorf("arrivals in Y %v: want the %d crossings less at most %d on the way", y, fwd[1], e.OnLinks())
	}
	if got, want := cAt, 110+sim["y-arrivals"][0]-float64(back[1]); got != want {
		t.Errorf("C holds %v, want 110 + %v arrived − %d left", got, sim["y-arrivals"][0], back[1])
	}
	order := sim["order"]
	if len(order) != 2 || order[0] != sim["y-arrivals"][0] {
		t.Errorf("ordering terms %v", order)
	}
	if sim["extradited"][0] != 0 {
		t.Errorf("nobody is extradited without a policy: %v", sim["extradited"])
	}
	if fit.NotEvaluable != 3 || fit.Within+fit.Outside != len(ev.Items)-3 || math.IsNaN(fit.Score) {
		t.Errorf("fit %+v", fit)
	}
}

// The example's series are those of the Flee-compatible path: all
// evaluable, in people, at their dates.
func TestEvidence_ExampleSeries(t *testing.T) {
	l, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := c.Observed.Evidence
	if len(ev.Items) != 3 {
		t.Fatalf("%d items", len(ev.Items))
	}
	g := ev.Items[1]
	if g.ID != "greyhaven" || g.Reason != "" || len(g.Points) != 4 || g.Points[3] != evaluate.Exact(12500) || g.Dates[3] != "2024-06-28" || g.Terms[3].To != 119 {
		t.Errorf("greyhaven: %+v", g)
	}
	if ev.Items[0].Subject != "total" || ev.Items[0].Terms[0].Den != -1 || ev.Probes[ev.Items[0].Terms[0].Probe].Measure != results.Stock {
		t.Errorf("total: %+v", ev.Items[0])
	}
}
