package spec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

func mustParse(t *testing.T, src string) *Loaded {
	t.Helper()
	l, err := Parse(filepath.Join(t.TempDir(), "s.yaml"), []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return l
}

func TestCompile_Example(t *testing.T) {
	l, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := c.Scenario
	if sc.Name != "toy-valoria" || sc.Days != 120 || len(sc.Places) != 7 || len(sc.Routes) != 7 {
		t.Fatalf("scenario %s: %d days, %d places, %d routes", sc.Name, sc.Days, len(sc.Places), len(sc.Routes))
	}
	if p := sc.Places[0]; p.Kind != scenario.Conflict || p.Pop != 120000 || p.Foreign {
		t.Errorf("Arden compiled to %+v", p)
	}
	if p := sc.Places[5]; p.Kind != scenario.Camp || p.Capacity != 40000 || !p.Foreign || p.Initial != 500 {
		t.Errorf("Greyhaven compiled to %+v", p)
	}
	var kinds []string
	for _, e := range sc.Events {
		kinds = append(kinds, e.Kind.String())
	}
	want := "conflict_start conflict_start close_border open_border conflict_end"
	if strings.Join(kinds, " ") != want {
		t.Errorf("events %v; want %s", kinds, want)
	}
	if c.Settings.ConflictWeight != 0.25 || c.Settings.MaxMoveSpeed != 360 {
		t.Errorf("settings %+v", c.Settings)
	}
	if !reflect.DeepEqual(c.Observed.Camps, []int{5, 6}) || len(sc.Spawn.Daily) != 120 {
		t.Errorf("camps %v, %d spawn days", c.Observed.Camps, len(sc.Spawn.Daily))
	}
	// The same seed gives the same run; the engine accepts the scenario.
	run := func() []int32 {
		e, err := sim.New(sc, c.Settings, 3)
		if err != nil {
			t.Fatal(err)
		}
		d := results.NewDaily(len(sc.Places), sc.Days)
		if err := e.Run(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		return d.Counts
	}
	if !reflect.DeepEqual(run(), run()) {
		t.Error("two runs with the same seed differ")
	}
}

// TestCompile_NotSimulatedYet checks that every mechanism the engine lacks
// stops compilation with a message naming the item, that the mechanisms it
// has (groups, drivers, policies, affinities, onward movement) compile, and
// that export to Flee's format refuses them all.
func TestCompile_NotSimulatedYet(t *testing.T) {
	l, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Compile(Options{})
	if err == nil {
		t.Fatal("full.yaml compiles; it uses mechanisms the engine does not have")
	}
	msg := err.Error()
	for _, want := range []string{
		`drivers[0].type: driver "collectivisation": collectivisation drivers outside spawning mode drivers are not simulated yet`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	for _, not := range []string{"sovietisation", "jolfa-closed", "tabriz-series", "caucasian_muslims", "iran-relocates", "seasons are not",
		"iran-restricts-entry", "no-extradition", "return-of-russians", "russians-to-europe", "atv-015", "h3", "flow-baku-anzali"} {
		if strings.Contains(msg, not) {
			t.Errorf("%s is simulated but reported: %s", not, msg)
		}
	}
	_, err = l.Compile(Options{ForExport: "Flee's case format"})
	if err == nil || !strings.Contains(err.Error(), "policies.reception cannot be written in Flee's case format") {
		t.Errorf("export wording: %v", err)
	}
}

const small = `caravan: 1
start: 2024-01-01
days: 20
spawning: {mode: conflict, rule: constant, displaced_per_conflict_day: 5}
places:
  - {name: A, kind: origin, country: X, population: 1000}
  - {name: B, kind: town, country: X}
  - {name: C, kind: camp, country: Y, changes: [{date: 2024-01-10, kind: town}, {date: 2024-01-15, kind: idp_camp}]}
routes:
  - {from: A, to: B, distance: 10}
  - {from: B, to: C, distance: 20}
events:
  - {date: 2024-01-03, type: close_route, route: [A, B], to: 2024-01-04}
drivers:
  - {name: war, type: conflict, origins: [A], intensity: [{date: 2024-01-02, value: 1}, {date: 2024-01-05, value: 2}, {date: 2024-01-08, value: 0}]}
policies:
  - {name: shut, period: {from: 2024-01-06, to: 2024-01-07}, border: {countries: [X, Y], regime: closed}}
  - {name: gate, period: {from: 2024-01-12}, border: {crossing: B, regime: closed}}
  - {name: free, period: {from: 2024-01-01}, border: {crossing: C, regime: open}}
`

func eventList(sc *scenario.Scenario) string {
	var out []string
	for _, e := range sc.Events {
		s := e.Kind.String() + "@" + strconv.Itoa(e.Day)
		if e.Place >= 0 {
			s += ":" + sc.Places[e.Place].Name
		}
		if e.Country != "" {
			s += ":" + e.Country + "-" + e.Country2
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestCompile_EventsFromDriversPoliciesAndChanges(t *testing.T) {
	l := mustParse(t, small)
	c, err := l.Compile(Options{Mode: sim.ModeCaravan})
	if err != nil {
		t.Fatal(err)
	}
	want := "conflict_start@1:A close_route@2:A open_route@4:A conflict_intensity@4:A close_border@5:X-Y conflict_end@7:A open_border@7:X-Y close_camp@9:C close_place@11:B open_camp@14:C"
	if got := eventList(c.Scenario); got != want {
		t.Errorf("caravan events:\n got %s\nwant %s", got, want)
	}
	if c.Scenario.Spawn.Mode != scenario.SpawnConstant || c.Scenario.Spawn.PerConflictDay != 5 {
		t.Errorf("spawning %+v", c.Scenario.Spawn)
	}
	// Flee ignores link closures and intensity changes.
	f, err := l.Compile(Options{Mode: sim.ModeFlee})
	if err != nil {
		t.Fatal(err)
	}
	if got := eventList(f.Scenario); strings.Contains(got, "route") || strings.Contains(got, "intensity") {
		t.Errorf("flee events %s", got)
	}
	warned := false
	for _, w := range f.Warnings {
		warned = warned || strings.Contains(w.Msg, "route events are ignored under the Flee ruleset")
	}
	if !warned {
		t.Errorf("no warning that the Flee ruleset ignores route closures: %v", f.Warnings)
	}
	// A shorter run drops later events.
	s, err := l.Compile(Options{Days: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := eventList(s.Scenario); got != "conflict_start@1:A close_route@2:A open_route@4:A conflict_intensity@4:A" {
		t.Errorf("5-day events %s", got)
	}
}

func TestCompile_Overrides(t *testing.T) {
	l := mustParse(t, small)
	c, err := l.Compile(Options{Set: []string{"move_rules.max_move_speed=200", "settings.spawn_rules.take_from_population=true",
		"spawning.displaced_per_conflict_day=7", "spawn_rules.conflict_driven_spawning.spawn_mode=poisson"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.MaxMoveSpeed != 200 || !c.Settings.TakeFromPopulation || c.Scenario.Spawn.PerConflictDay != 7 || c.Scenario.Spawn.Mode != scenario.SpawnPoisson {
		t.Errorf("overrides not applied: %+v %+v", c.Settings, c.Scenario.Spawn)
	}
	if l.Doc.Settings != nil {
		t.Error("overrides changed the loaded document")
	}
	for arg, want := range map[string]string{
		"move_rules.max_move_sped=2":   `unknown setting (did you mean "settings.move_rules.max_move_speed"?)`,
		"move_rules.max_move_speed=x":  `want a number, got "x"`,
		"move_rules.camp_movechance=3": "camp_movechance must lie in [0, 1]",
		"spawning.mode=sideways":       `"sideways" is not one of observed, conflict, daily`,
		"novalue":                      "want KEY=VALUE",
	} {
		_, err := l.Compile(Options{Set: []string{arg}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--set %s: got %v; want %q", arg, err, want)
		}
		if err != nil && !strings.Contains(err.Error(), "--set") {
			t.Errorf("--set %s: the problem does not name the argument: %v", arg, err)
		}
	}
}

func TestCompile_ValuesAndModes(t *testing.T) {
	base := strings.Replace(small, "spawning: {mode: conflict, rule: constant, displaced_per_conflict_day: 5}", "spawning: {mode: daily, daily: [0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]}", 1)
	base = strings.Replace(base, "{name: A, kind: origin, country: X, population: 1000}", "{name: A, kind: origin, country: X, population: 1000, conflict_at_start: 1}", 1)
	base = strings.Replace(base, "{date: 2024-01-08, value: 0}", "{date: 2024-01-08, value: 3}", 1)
	c, err := mustParse(t, base).Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Scenario.Spawn.Mode != scenario.SpawnSchedule || c.Scenario.Spawn.Daily[1] != 3 {
		t.Errorf("daily spawning %+v", c.Scenario.Spawn)
	}
	if _, err := mustParse(t, base).Compile(Options{Days: 30}); err == nil || !strings.Contains(err.Error(), "daily lists 20 days; the run has 30") {
		t.Errorf("a longer run than the daily list: %v", err)
	}
	iv := strings.Replace(base, "population: 1000,", "population: {low: 900, high: 1100},", 1)
	_, err = mustParse(t, iv).Compile(Options{})
	if err == nil || !strings.Contains(err.Error(), "population is given only as an interval; give value: for simulations") {
		t.Errorf("interval without a value: %v", err)
	}
	mode := strings.Replace(base, "{from: A, to: B, distance: 10}", "{from: A, to: B, distance: 10, mode: rail}", 1)
	c, err = mustParse(t, mode).Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range c.Warnings {
		found = found || strings.Contains(w.Msg, "routes of modes other than road (1 rail)")
	}
	if !found {
		t.Errorf("no warning about route modes: %v", c.Warnings)
	}
}

// Seasons close a route outside them; a daily capacity reaches the engine.
func TestCompile_SeasonsAndRouteCapacity(t *testing.T) {
	doc := `caravan: 1
start: 1921-01-01
days: 365
spawning: {mode: conflict, displaced_per_conflict_day: 1}
places:
  - {name: A, kind: origin, country: X, population: 10, conflict_at_start: 1}
  - {name: B, kind: camp, country: Y}
routes:
  - {from: A, to: B, distance: 100, capacity_per_day: 40, seasons: [{from: 05-01, to: 10-31}]}
`
	dir := t.TempDir()
	path := dir + "/s.yaml"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Scenario.Routes[0].CapacityPerDay != 40 {
		t.Errorf("capacity %d, want 40", c.Scenario.Routes[0].CapacityPerDay)
	}
	var got []string
	for _, e := range c.Scenario.Events {
		got = append(got, fmt.Sprintf("%d %s", e.Day, e.Kind))
	}
	want := []string{"0 close_route", "120 open_route", "304 close_route"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("season events %v, want %v", got, want)
	}
}

// A change of kind other than camp ↔ town compiles to a change_kind event.
func TestCompile_ChangeKind(t *testing.T) {
	doc := `caravan: 1
start: 1921-01-01
days: 30
spawning: {mode: conflict, displaced_per_conflict_day: 1}
places:
  - {name: A, kind: origin, country: X, population: 10, conflict_at_start: 1}
  - {name: B, kind: town, country: X, changes: [{date: 1921-01-11, kind: transit_hub}]}
  - {name: C, kind: camp, country: Y}
routes:
  - {from: A, to: B, distance: 100}
  - {from: B, to: C, distance: 100}
`
	path := t.TempDir() + "/s.yaml"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range c.Scenario.Events {
		if e.Kind == scenario.ChangeKind {
			got = append(got, fmt.Sprintf("%d %s %v", e.Day, c.Scenario.Places[e.Place].Name, scenario.Kind(e.Value)))
		}
	}
	if strings.Join(got, ",") != "10 B forwarding_hub" {
		t.Errorf("change events %v", got)
	}
	if _, err := l.Compile(Options{ForExport: "Flee's case format"}); err == nil {
		t.Error("Flee's format cannot express a change to a transit hub; export must refuse it")
	}
}
