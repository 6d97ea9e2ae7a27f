package spec

import (
	"reflect"
	"strings"
	"testing"
)

// propensityDoc has three groups at origin A and two drivers; PROPENSITY is
// replaced by the first driver's propensity key (or nothing).
const propensityDoc = `caravan: 1
start: 2024-01-01
days: 10
spawning: {mode: drivers}
places:
  - {name: A, kind: origin, country: X, population: 1000}
  - {name: B, kind: camp, country: Y}
routes:
  - {from: A, to: B, distance: 100}
groups:
  - {name: tatars, shares: [{place: A, share: 0.5}]}
  - {name: peasants, shares: [{place: A, share: 0.3}]}
  - {name: germans, shares: [{place: A, share: 0.2}]}
drivers:
  - name: famine
    type: famine
    origins: [A]
    groups: [tatars, peasants]
    PROPENSITY
    intensity: [{date: 2024-01-01, value: 10}]
  - {name: war, type: war, origins: [A], intensity: [{date: 2024-01-01, value: 1}]}
`

func propensityScenario(p string) string {
	return strings.Replace(propensityDoc, "PROPENSITY", p, 1)
}

// Propensities compile to one factor per group (1 where none is given);
// a driver without them has none.
func TestPropensity_Compile(t *testing.T) {
	for _, tc := range []struct {
		name, propensity string
		want             []float64
	}{
		{"none", "", nil},
		{"one group", "propensity: {tatars: 0.1}", []float64{0.1, 1, 1}},
		{"both, interval", "propensity: {tatars: {value: 0.05, low: 0.01, high: 0.2, note: x}, peasants: 3}", []float64{0.05, 3, 1}},
		{"zero for one", "propensity: {peasants: 0}", []float64{1, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mustParse(t, propensityScenario(tc.propensity)).Compile(Options{})
			if err != nil {
				t.Fatal(err)
			}
			ds := c.Scenario.System.Drivers
			if got := ds[0].Propensity; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("propensity %v, want %v", got, tc.want)
			}
			if ds[1].Propensity != nil {
				t.Errorf("a driver without propensity got %v", ds[1].Propensity)
			}
		})
	}
}

// Every problem is reported at the factor's key.
func TestPropensity_Invalid(t *testing.T) {
	for _, tc := range []struct {
		name, propensity string
		want             []string
	}{
		{"unknown group", "propensity: {tatar: 0.1}",
			[]string{`s.yaml:19:25: drivers[0].propensity.tatar: unknown group "tatar" (did you mean "tatars"?)`}},
		{"group not hit", "propensity: {germans: 2}",
			[]string{`s.yaml:19:27: drivers[0].propensity.germans: group "germans" is not among the groups driver "famine" hits (add it to groups, or remove its factor)`}},
		{"negative", "propensity: {tatars: -1}",
			[]string{`s.yaml:19:26: drivers[0].propensity.tatars: propensity -1 is below 0`}},
		{"interval out of range", "propensity:\n      tatars: {value: 0.5, low: -0.5, high: 1}",
			[]string{`s.yaml:20:33: drivers[0].propensity.tatars.low: propensity -0.5 is below 0`}},
		{"no factor", "propensity: {tatars: }",
			[]string{`drivers[0].propensity.tatars: propensity of "tatars": give a factor`}},
		{"not a mapping", "propensity: [tatars, 0.1]",
			[]string{`drivers[0].propensity: want a mapping of names to values`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse("s.yaml", []byte(propensityScenario(tc.propensity)))
			got := problems(l, err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems lack %q:\n%s", w, got)
				}
			}
		})
	}
}

// What only compiling can tell: an interval without a value, and factors
// that leave a driver no one to displace at an origin.
func TestPropensity_CompileErrors(t *testing.T) {
	for _, tc := range []struct{ name, propensity, want string }{
		{"interval only", "propensity: {tatars: {low: 0.1, high: 0.3}}",
			"drivers[0].propensity.tatars: propensity is given only as an interval; give value: for simulations"},
		{"nobody left", "propensity: {tatars: 0, peasants: 0}",
			`drivers[0].origins[0]: driver "famine": its propensities are 0 for every group with a share at "A", so it would displace no one there`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mustParse(t, propensityScenario(tc.propensity)).Compile(Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want %q", err, tc.want)
			}
		})
	}
}
