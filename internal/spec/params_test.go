package spec

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/diag"
)

// paramsSrc has an interval in every kind of place a parameter can be, a
// plain number or two, and an observation with an interval coverage (not a
// parameter). Line numbers matter to the test.
const paramsSrc = `caravan: 1
start: 1920-01-01
days: 120
home_country: R
spawning: {mode: drivers}
places:
  - {name: Volga, kind: origin, country: R, population: {value: 100000, low: 50000, high: 150000}}
  - {name: Baku, kind: town, country: R, population: 400000}
  - {name: Anzali, kind: crossing, country: P}
  - {name: Tehran, kind: destination, country: P}
  - {name: Paris, kind: destination, country: F}
  - {name: Rome, kind: destination, country: I}
routes:
  - {from: Volga, to: Baku, distance: {value: 1300, low: 1000, high: 1600}}
  - {from: Baku, to: Anzali, distance: 320}
  - {from: Anzali, to: Tehran, distance: 300}
  - {from: Tehran, to: Paris, distance: 4000}
  - {from: Tehran, to: Rome, distance: 3500}
groups:
  - {name: muslims, shares: [{place: Volga, share: {value: 0.6, low: 0.5, high: 0.7}}]}
  - {name: christians, shares: [{place: Volga, share: 0.4}]}
drivers:
  - name: famine
    type: famine
    origins: [Volga]
    propensity: {christians: {value: 1, low: 0.5, high: 2}}
    intensity:
      - {date: 1920-01-10, value: {value: 300, low: 100, high: 900, source: notes, note: "ASSUMPTION: a guess"}}
      - {date: 1920-03-01, value: 0}
policies:
  - name: papers
    period: {from: 1920-01-01}
    border: {countries: [R, P], regime: papers_required, pass_probability: {value: 0.3, low: 0.1, high: 0.6}}
affinities:
  - {group: muslims, country: P, weight: {value: 3, low: 1, high: 5}}
onward:
  - name: west
    stopovers: [Tehran]
    share: {value: 0.5, low: 0.2, high: 0.8}
    wait: {distribution: lognormal, median: {value: 30, low: 10, high: 90}, sigma: 0.5}
    destinations: [{place: Paris, share: {value: 0.5, low: 0.3, high: 0.7}}, {place: Rome, share: 0.5}]
sources:
  - {id: notes, title: Notes}
observations:
  - id: tehran
    kind: count
    place: Tehran
    date: 1920-04-01
    value: 1000
    citation: {coverage: {low: 0.2, high: 0.9}}
`

func TestParams(t *testing.T) {
	l := mustParse(t, paramsSrc)
	got := Params(l.Doc)
	type want struct {
		id           string
		line         int
		value        float64 // 0: none expected
		low, high    float64
		integer      bool
		linked, note string
	}
	tests := []want{
		{id: "places[Volga].population", line: 7, value: 100000, low: 50000, high: 150000, integer: true},
		{id: "routes[Volga-Baku].distance", line: 14, value: 1300, low: 1000, high: 1600},
		{id: "groups[muslims].shares[Volga].share", line: 20, value: 0.6, low: 0.5, high: 0.7, linked: "the group shares at Volga must sum to 1"},
		{id: "drivers[famine].propensity[christians]", line: 26, value: 1, low: 0.5, high: 2},
		{id: "drivers[famine].intensity[1920-01-10]", line: 28, value: 300, low: 100, high: 900, note: "ASSUMPTION: a guess"},
		{id: "policies[papers].border.pass_probability", line: 33, value: 0.3, low: 0.1, high: 0.6},
		{id: "affinities[muslims/P].weight", line: 35, value: 3, low: 1, high: 5},
		{id: "onward[west].share", line: 39, value: 0.5, low: 0.2, high: 0.8},
		{id: "onward[west].wait.median", line: 40, value: 30, low: 10, high: 90},
		{id: "onward[west].destinations[Paris].share", line: 41, value: 0.5, low: 0.3, high: 0.7, linked: "the destination shares of onward[west] must sum to 1"},
	}
	if len(got) != len(tests) {
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		t.Fatalf("got %d parameters, want %d: %v", len(got), len(tests), ids)
	}
	for i, w := range tests {
		t.Run(w.id, func(t *testing.T) {
			p := got[i]
			if p.ID != w.id || p.Line != w.line || p.Low != w.low || p.High != w.high || p.Integer != w.integer || p.Linked != w.linked || p.Note != w.note {
				t.Errorf("got %+v\nwant %+v", p, w)
			}
			if p.Value == nil || *p.Value != w.value {
				t.Errorf("value %v, want %v", p.Value, w.value)
			}
			if !strings.HasSuffix(p.Where(), ":"+strconv.Itoa(w.line)) {
				t.Errorf("Where %s", p.Where())
			}
		})
	}
}

// Setting a parameter changes what the engine runs, and only in the copy.
func TestParams_WithValuesChangesCompiled(t *testing.T) {
	l := mustParse(t, paramsSrc)
	base, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := l.WithValues(map[string]float64{
		"places[Volga].population":                 120000.4, // rounded
		"routes[Volga-Baku].distance":              1500,
		"drivers[famine].intensity[1920-01-10]":    600,
		"policies[papers].border.pass_probability": 0.55,
		"onward[west].wait.median":                 60,
		"affinities[muslims/P].weight":             1.5,
		"drivers[famine].propensity[christians]":   2,
		"onward[west].share":                       0.25,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc, sb := c.Scenario, base.Scenario
	if sc.Places[0].Pop != 120000 || sb.Places[0].Pop != 100000 {
		t.Errorf("population %d (base %d)", sc.Places[0].Pop, sb.Places[0].Pop)
	}
	if sc.Routes[0].DistanceKM != 1500 || sb.Routes[0].DistanceKM != 1300 {
		t.Errorf("distance %v (base %v)", sc.Routes[0].DistanceKM, sb.Routes[0].DistanceKM)
	}
	if d := sc.System.Drivers[0]; d.Daily[9] != 600 || sb.System.Drivers[0].Daily[9] != 300 || d.Propensity[1] != 2 {
		t.Errorf("driver %v on day 9, propensity %v", d.Daily[9], d.Propensity)
	}
	if p := sc.System.Policies[0]; p.Pass != 0.55 {
		t.Errorf("pass %v", p.Pass)
	}
	if o := sc.System.Onward[0]; o.Wait.Median != 60 || o.Share != 0.25 {
		t.Errorf("onward %+v", o)
	}
	if *l.Doc.Places[0].Population.Value != 100000 {
		t.Error("WithValues changed the original document")
	}
	if q := v.Doc.ParamQuantity("routes[Volga-Baku].distance"); q == nil || *q.Value != 1500 {
		t.Errorf("ParamQuantity gives %+v", q)
	}
}

func TestParams_WithValuesErrors(t *testing.T) {
	l := mustParse(t, paramsSrc)
	tests := []struct {
		name   string
		values map[string]float64
		want   string
	}{
		{"unknown id", map[string]float64{"routes[Volga-Baku].distanc": 1}, `did you mean "routes[Volga-Baku].distance"`},
		{"observation coverage is no parameter", map[string]float64{"observations[tehran].citation.coverage": 0.5}, "no quantity with an interval"},
		{"checked again", map[string]float64{"policies[papers].border.pass_probability": 1.5}, "above 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.WithValues(tt.values)
			var de *diag.Error
			if !errors.As(err, &de) || !strings.Contains(err.Error()+problemsText(de), tt.want) {
				t.Fatalf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func problemsText(de *diag.Error) string {
	var b strings.Builder
	for _, p := range de.Problems {
		b.WriteString(p.Error() + " " + p.Hint + "\n")
	}
	return b.String()
}
