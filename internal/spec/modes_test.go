package spec

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/sim"
)

// modesDoc has a route of every kind of speed: no mode, road, rail with its
// own max_speed, rail, sea and river. SETTINGS is replaced by each case.
const modesDoc = `caravan: 1
start: 2024-01-01
days: 10
spawning: {mode: conflict, displaced_per_conflict_day: 5}
SETTINGS
places:
  - {name: A, kind: origin, country: X, population: 1000, conflict_at_start: 1}
  - {name: B, kind: town, country: X}
  - {name: C, kind: town, country: X}
  - {name: D, kind: town, country: X}
  - {name: E, kind: town, country: X}
  - {name: F, kind: town, country: X}
  - {name: G, kind: camp, country: Y}
routes:
  - {from: A, to: B, distance: 100}
  - {from: B, to: C, distance: 100, mode: road}
  - {from: C, to: D, distance: 100, mode: rail, max_speed: 120}
  - {from: D, to: E, distance: 100, mode: rail}
  - {from: E, to: F, distance: 100, mode: sea}
  - {from: F, to: G, distance: 100, mode: river}
observations:
  - {id: g, kind: series, place: G, counts: [[2024-01-01, 0], [2024-01-10, 10]]}
`

func modesScenario(settings string) string {
	return strings.Replace(modesDoc, "SETTINGS", settings, 1)
}

// Each route gets its own max_speed, else its mode's speed, else 0 (the
// engine's max_move_speed); only modes left without a speed are warned about.
func TestModeSpeeds_Compile(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings string
		set      []string
		speeds   []float64 // per route, in document order
		warning  string    // "" for none
	}{
		{"none", "", nil, []float64{0, 0, 120, 0, 0, 0}, "routes of modes other than road (1 river, 1 rail, 1 sea)"},
		{"rail and sea", "settings: {mode_speeds: {rail: 400, sea: 250}}", nil, []float64{0, 0, 120, 400, 250, 0}, "routes of modes other than road (1 river)"},
		{"roads too", "settings: {mode_speeds: {road: 50, rail: 400, sea: 250, river: 30}}", nil, []float64{50, 50, 120, 400, 250, 30}, ""},
		{"beside max_move_speed", "settings:\n  move_rules: {max_move_speed: 200}\n  mode_speeds: {sea: 500, river: 10, rail: 90}", nil, []float64{0, 0, 120, 90, 500, 10}, ""},
		{"--set", "settings: {mode_speeds: {rail: 400, sea: 250}}", []string{"mode_speeds.river=20", "settings.mode_speeds.rail=700"}, []float64{0, 0, 120, 700, 250, 20}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mustParse(t, modesScenario(tc.settings)).Compile(Options{Set: tc.set})
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			for _, r := range c.Scenario.Routes {
				got = append(got, r.MaxSpeed)
			}
			if !reflect.DeepEqual(got, tc.speeds) {
				t.Errorf("route speeds %v, want %v", got, tc.speeds)
			}
			var warned []string
			for _, w := range c.Warnings {
				if strings.Contains(w.Msg, "routes of modes") {
					warned = append(warned, w.Msg)
				}
			}
			switch {
			case tc.warning == "" && len(warned) > 0:
				t.Errorf("unexpected warning %q", warned)
			case tc.warning != "" && (len(warned) != 1 || !strings.Contains(sortedModes(warned[0]), sortedModes(tc.warning))):
				t.Errorf("warnings %q, want one containing %q", warned, tc.warning)
			}
		})
	}
}

// sortedModes sorts the "(1 rail, 1 sea)" list of a warning so that the test
// does not depend on how the counts are ordered.
func sortedModes(msg string) string {
	open, close := strings.Index(msg, "("), strings.Index(msg, ")")
	if open < 0 || close < open {
		return msg
	}
	parts := strings.Split(msg[open+1:close], ", ")
	sort.Strings(parts)
	return msg[:open+1] + strings.Join(parts, ", ") + msg[close:]
}

// Unknown modes and speeds that are not positive are errors at their key.
func TestModeSpeeds_Invalid(t *testing.T) {
	for _, tc := range []struct {
		name, settings string
		want           []string
	}{
		{"unknown mode", "settings:\n  mode_speeds: {rail: 400, ferry: 300}",
			[]string{`s.yaml:6:28: settings.mode_speeds.ferry: unknown key "ferry"`, "known keys: air, mountain_track, rail, river, road, sea"}},
		{"misspelt mode", "settings:\n  mode_speeds:\n    mountain_trak: 20",
			[]string{`s.yaml:7:5: settings.mode_speeds.mountain_trak: unknown key "mountain_trak" (did you mean "mountain_track"?)`}},
		{"zero", "settings:\n  mode_speeds:\n    sea: 250\n    rail: 0",
			[]string{`s.yaml:8:11: settings.mode_speeds.rail: mode_speeds.rail 0 must be a positive number of km/day`}},
		{"negative", "settings: {mode_speeds: {air: -5000}}",
			[]string{`s.yaml:5:31: settings.mode_speeds.air: mode_speeds.air -5000 must be a positive number of km/day`}},
		{"not a number", "settings: {mode_speeds: {sea: fast}}",
			[]string{`settings.mode_speeds.sea: want a number, got "fast"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse("s.yaml", []byte(modesScenario(tc.settings)))
			got := problems(l, err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems lack %q:\n%s", w, got)
				}
			}
		})
	}
	// An override is checked like a written value and names the argument.
	_, err := mustParse(t, modesScenario("")).Compile(Options{Set: []string{"mode_speeds.sea=0"}})
	if err == nil || !strings.Contains(err.Error(), "--set mode_speeds.sea=0") || !strings.Contains(err.Error(), "mode_speeds.sea 0 must be a positive number") {
		t.Errorf("--set mode_speeds.sea=0: %v", err)
	}
}

// Every route mode has a speed key and every speed key is a route mode.
func TestModeSpeeds_KeysAreModes(t *testing.T) {
	var keys []string
	for _, f := range yamlFields(reflect.TypeOf(ModeSpeeds{})) {
		keys = append(keys, f.name)
	}
	modes := enumAllowed(RouteMode(""))
	sort.Strings(keys)
	sort.Strings(modes)
	if !reflect.DeepEqual(keys, modes) {
		t.Errorf("mode_speeds keys %v; route modes %v", keys, modes)
	}
	var ms ModeSpeeds
	v := reflect.ValueOf(&ms).Elem()
	for k, f := range yamlFields(v.Type()) {
		speed := float64(k + 1)
		v.FieldByIndex(f.index).Set(reflect.ValueOf(&speed))
	}
	for k, f := range yamlFields(v.Type()) {
		if got := ms.speed(RouteMode(f.name)); got == nil || *got != float64(k+1) {
			t.Errorf("speed(%s) does not read its own key", f.name)
		}
	}
	if ms.speed("") != ms.Road {
		t.Error("a route without a mode does not take the road speed")
	}
}

// Flee's routes.csv holds only the routes' own speeds: a speed that comes
// from mode_speeds cannot be exported, and says how to make it exportable.
func TestModeSpeeds_Export(t *testing.T) {
	l := mustParse(t, modesScenario("settings: {mode_speeds: {rail: 400}}"))
	_, err := l.Compile(Options{ForExport: "Flee's case format"})
	if err == nil || !strings.Contains(err.Error(), "routes[3].mode: route D–E: its speed from settings.mode_speeds cannot be written in Flee's case format (give the route max_speed: 400)") {
		t.Errorf("export: %v", err)
	}
	if strings.Contains(err.Error(), "C–D") {
		t.Errorf("a route with its own max_speed is refused: %v", err)
	}
}

// A mode's speed is the speed the engine travels the route at: 700 km of
// rail take one day at 800 km/day, and more than one at the default 360.
func TestModeSpeeds_Travel(t *testing.T) {
	doc := `caravan: 1
start: 2024-01-01
days: 3
spawning: {mode: conflict, displaced_per_conflict_day: 100}
SETTINGS
places:
  - {name: A, kind: origin, country: X, population: 1000, conflict_at_start: 1}
  - {name: B, kind: camp, country: Y}
routes:
  - {from: A, to: B, distance: 700, mode: rail}
observations:
  - {id: b, kind: series, place: B, counts: [[2024-01-01, 0], [2024-01-03, 10]]}
`
	arrived := func(settings string) int {
		c, err := mustParse(t, strings.Replace(doc, "SETTINGS", settings, 1)).Compile(Options{})
		if err != nil {
			t.Fatal(err)
		}
		e, err := sim.New(c.Scenario, c.Settings, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Step(); err != nil {
			t.Fatal(err)
		}
		return e.Count(1)
	}
	if n := arrived(""); n != 0 {
		t.Errorf("%d crossed 700 km in a day at the default speed", n)
	}
	if n := arrived("settings: {mode_speeds: {rail: 800}}"); n == 0 {
		t.Error("nobody crossed 700 km of rail in a day at 800 km/day")
	}
	if n := arrived("settings:\n  move_rules: {max_move_speed: 800}\n  mode_speeds: {rail: 100}"); n != 0 {
		t.Errorf("%d crossed 700 km of rail in a day at 100 km/day (max_move_speed 800 must not apply)", n)
	}
}
