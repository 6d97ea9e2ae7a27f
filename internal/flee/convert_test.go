package flee_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

// conversionCases are the cases import, compile and export are checked on:
// the bundled toy case and the four shared Flee cases (skipped when
// ../shared is not beside the repository).
var conversionCases = []string{
	"../../examples/toy-flee",
	"../../../shared/peer-cases/flee/burundi",
	"../../../shared/peer-cases/flee/car",
	"../../../shared/peer-cases/flee/mali",
	"../../../shared/peer-cases/flee/ssudan",
}

const convDays = 60

var modes = []sim.Mode{sim.ModeFlee, sim.ModeCaravan}

// TestImport_SameResults imports each case, writes it as one file and as a
// folder with includes, loads and compiles it, and checks that the engine
// gives the same population of every place on every day as the case loaded
// directly, with the same seed, under both rulesets; that the compiled
// scenario and observations equal the case's (and so out.csv); and that
// exporting the scenario back to Flee's format gives an equivalent case.
func TestImport_SameResults(t *testing.T) {
	for _, dir := range conversionCases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("%s not present", dir)
			}
			t.Parallel()
			roundTrip(t, dir, convDays)
		})
	}
}

func roundTrip(t *testing.T, dir string, days int) {
	t.Helper()
	doc, _, err := flee.Import(dir)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	tmp := t.TempDir()
	single := filepath.Join(tmp, "scenario.yaml")
	if err := spec.WriteFile(single, doc, "test"); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(tmp, "folder")
	if err := spec.WriteFolder(folder, doc, "test"); err != nil {
		t.Fatal(err)
	}
	ls, err := spec.Load(single)
	if err != nil {
		t.Fatalf("load single file: %v", err)
	}
	lf, err := spec.Load(folder)
	if err != nil {
		t.Fatalf("load folder: %v", err)
	}
	for _, mode := range modes {
		c, err := flee.Load(dir, flee.Options{Mode: mode, Days: days})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := ls.Compile(spec.Options{Mode: mode, Days: days})
		if err != nil {
			t.Fatalf("%s: compile: %v", mode, err)
		}
		cf, err := lf.Compile(spec.Options{Mode: mode, Days: days})
		if err != nil {
			t.Fatalf("%s: compile folder: %v", mode, err)
		}
		if d := diffScenario(c.Scenario, cs.Scenario, false); d != "" {
			t.Fatalf("%s: compiled scenario differs from the case: %s", mode, d)
		}
		if d := diffScenario(cs.Scenario, cf.Scenario, false); d != "" {
			t.Fatalf("%s: folder layout differs from single file: %s", mode, d)
		}
		if !reflect.DeepEqual(c.Config.Sim, cs.Settings) {
			t.Fatalf("%s: settings differ:\ncase   %+v\nnative %+v", mode, c.Config.Sim, cs.Settings)
		}
		checkObserved(t, mode, c, cs)
		a, b := run(t, c.Scenario, c.Config.Sim), run(t, cs.Scenario, cs.Settings)
		if !reflect.DeepEqual(a.Counts, b.Counts) || !reflect.DeepEqual(a.Agents, b.Agents) {
			t.Fatalf("%s: daily populations differ between the case and its import", mode)
		}
		// The Case built from the scenario writes the same out.csv.
		ns, err := flee.LoadSpec(single, flee.Options{Mode: mode, Days: days})
		if err != nil {
			t.Fatalf("%s: LoadSpec: %v", mode, err)
		}
		var want, got bytes.Buffer
		if err := flee.WriteOutCSV(&want, c, a); err != nil {
			t.Fatal(err)
		}
		if err := flee.WriteOutCSV(&got, ns, b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Fatalf("%s: out.csv differs between the case and its import", mode)
		}
	}
	// Export the imported scenario and read it back as a case.
	files, _, err := flee.Export(ls)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	out := filepath.Join(tmp, "exported")
	if err := flee.WriteCase(out, files, false); err != nil {
		t.Fatal(err)
	}
	for _, mode := range modes {
		orig, err := flee.Load(dir, flee.Options{Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		back, err := flee.Load(out, flee.Options{Mode: mode})
		if err != nil {
			t.Fatalf("%s: loading the exported case: %v", mode, err)
		}
		if d := diffScenario(orig.Scenario, back.Scenario, true); d != "" {
			t.Fatalf("%s: exported case differs: %s", mode, d)
		}
		if !reflect.DeepEqual(orig.Config, back.Config) {
			t.Fatalf("%s: exported settings differ:\n%+v\n%+v", mode, orig.Config, back.Config)
		}
		if !reflect.DeepEqual(orig.Observed, back.Observed) || !reflect.DeepEqual(orig.Raw, back.Raw) || !reflect.DeepEqual(orig.Debt, back.Debt) {
			t.Fatalf("%s: exported observations differ", mode)
		}
	}
}

// copyCase copies a case folder and applies changes: file (relative path)
// to new content.
func copyCase(t *testing.T, src string, changes map[string]string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range changes {
		if err := os.WriteFile(filepath.Join(dst, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// conflictsWith rewrites the toy case's conflicts.csv with Arden's
// intensity raised to v from day from (a change Flee ignores and Caravan
// applies).
func conflictsWith(t *testing.T, v string, from int) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../examples/toy-flee/input/conflicts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		if len(f) > 1 {
			if d, _ := strconv.Atoi(f[0]); d >= from {
				f[1] = v
				lines[i] = strings.Join(f, ",")
			}
		}
	}
	return strings.Join(lines, "\n")
}

// TestImport_Variants runs the round trip on versions of the toy case that
// use the rarer parts of Flee's format: hasten, empty camps on day 0, the
// total series for spawning, conflict-driven spawning, every closure type
// (including one that reopens on its first day and one that never ends),
// intensity changes, a series in two files, registration corrections, the
// extra location and route columns, and repeated forced redirection.
func TestImport_Variants(t *testing.T) {
	toy := "../../examples/toy-flee"
	locations := `#name,region,country,lat,lon,location_type,conflict_date,population,conflict_intensity,capacity_per_day,initial_idps,note
Arden,North,Valoria,10.0,20.0,conflict_zone,0,120000,2,,,capital
Bexley,North,Valoria,10.4,20.9,conflict_zone,12,60000,,,,
Corran,Central,Valoria,9.5,21.2,town,0,45000,,,300,
Dunmore,Central,Valoria,9.1,20.2,town,0,30000,,,,
Elsby,South,Valoria,8.6,21.5,town,0,20000,,,,
Fenwick,Border,Valoria,8.9,22.4,forwarding_hub,0,0,,,,
Greyhaven,East,Ostmark,9.0,23.3,camp,0,40000,,50,,
Holloway,South,Sudria,7.6,20.8,camp,0,25000,,,,
Ivel,South,Sudria,7.2,22.0,idpcamp,0,0,,,,
`
	routes := `#name1,name2,distance,forced_redirection,max_move_speed,walk_probability
Arden,Bexley,95,0,,
Arden,Corran,130,1,,
Arden,Dunmore,110,0,150,0.2
Bexley,Corran,80,0,,
Corran,Elsby,105,0,,
Corran,Fenwick,140,0,,
Dunmore,Elsby,120,0,,
Dunmore,Holloway,170,0,,
Elsby,Holloway,115,0,,
Elsby,Ivel,160,0,,
Fenwick,Greyhaven,95,0,,
Holloway,Ivel,135,0,,
`
	closures := `#closure_type,name1,name2,closure_start,closure_end
country,Valoria,Ostmark,30,60
link,Arden,Corran,10,20
idpcamp,Ivel,,15,40
camp,Holloway,,70,-1
location,Dunmore,,50,50
location,Elsby,,5,200
`
	variants := map[string]map[string]string{
		"hasten-empty-total": {
			"simsetting.yml": "spawn_rules:\n  insert_day0: True\n  empty_camps_on_day0: True\n  sum_from_camps: False\n" +
				"  conflict_spawn_decay: [1.0, 0.5]\n  conflict_spawn_decay_interval: 20\n" +
				"move_rules:\n  use_v1_rules: True\n  idpcamp_movechance: 0.2\noptimisations:\n  hasten: 4\n",
			"input/locations.csv":                locations,
			"input/routes.csv":                   routes,
			"input/closures.csv":                 closures,
			"input/conflicts.csv":                conflictsWith(t, "3", 25),
			"input/registration_corrections.csv": "Holloway,2024-04-01,normalize\n",
			"validation/data_layout.csv":         "total,refugees.csv\nGreyhaven,greyhaven.csv\nHolloway,holloway.csv\nIvel,ivel.csv,ivel2.csv\nOutside,outside.csv\n",
			"validation/ivel2.csv":               "Date,Refugee_numbers\n2024-03-01,10\n2024-04-10,300\n2024-06-28,900\n",
			"validation/outside.csv":             "2024-03-01,5\n2024-05-01,2000\n",
		},
		"conflict-driven": {
			"simsetting.yml": "spawn_rules:\n  take_from_population: True\n  conflict_driven_spawning:\n    spawn_mode: poisson\n" +
				"    displaced_per_conflict_day: 40\nmove_rules:\n  awareness_level: 2\n  start_on_foot: True\n",
			"input/locations.csv": locations,
			"input/closures.csv":  closures,
		},
	}
	for name, changes := range variants {
		t.Run(name, func(t *testing.T) {
			for k, v := range changes {
				changes[k] = strings.ReplaceAll(v, `\n`, "\n")
			}
			dir := copyCase(t, toy, changes)
			t.Parallel()
			roundTrip(t, dir, 90)
		})
	}
}

func checkObserved(t *testing.T, mode sim.Mode, c *flee.Case, cs *spec.Compiled) {
	t.Helper()
	ob := cs.Observed
	if !reflect.DeepEqual(c.Camps, ob.Camps) {
		t.Fatalf("%s: camps %v, native %v", mode, c.Camps, ob.Camps)
	}
	if !reflect.DeepEqual(c.Observed, ob.Series) {
		t.Fatalf("%s: observed camp series differ", mode)
	}
	if !reflect.DeepEqual(c.Raw, ob.Raw) || !reflect.DeepEqual(c.Debt, ob.Debt) {
		t.Fatalf("%s: raw counts or refugee debt differ", mode)
	}
}

func run(t *testing.T, sc *scenario.Scenario, set sim.Settings) *results.Daily {
	t.Helper()
	e, err := sim.New(sc, set, 7)
	if err != nil {
		t.Fatal(err)
	}
	d := results.NewDaily(len(sc.Places), sc.Days)
	if err := e.Run(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// normalised returns a copy of a scenario with what does not change a run
// made uniform: the name, event sources, capacity below 1 (no limit),
// a conflict intensity of 0 at the start (the engine reads it as 1), and
// the extra columns that became fields. With loose set, events are sorted
// within a day, since closures written out may be read back in another
// order on the same day.
func normalised(sc *scenario.Scenario, loose bool) scenario.Scenario {
	out := *sc
	out.Name = ""
	out.Places = append([]scenario.Place(nil), sc.Places...)
	for i := range out.Places {
		p := &out.Places[i]
		if p.Capacity < 1 {
			p.Capacity = -1
		}
		if p.Kind == scenario.Conflict && p.ConflictIntensity == 0 {
			p.ConflictIntensity = 1
		}
		var attrs map[string]string
		for k, v := range p.Attrs {
			if k == "conflict_intensity" || k == "capacity_per_day" || k == "initial_idps" {
				continue
			}
			if attrs == nil {
				attrs = map[string]string{}
			}
			attrs[k] = v
		}
		p.Attrs = attrs
	}
	out.Events = append([]scenario.Event(nil), sc.Events...)
	for i := range out.Events {
		out.Events[i].Source = ""
	}
	if loose {
		sort.SliceStable(out.Events, func(i, j int) bool {
			a, b := out.Events[i], out.Events[j]
			if a.Day != b.Day {
				return a.Day < b.Day
			}
			return fmt.Sprint(a) < fmt.Sprint(b)
		})
	}
	return out
}

// diffScenario describes the first difference between two scenarios, or "".
func diffScenario(a, b *scenario.Scenario, loose bool) string {
	x, y := normalised(a, loose), normalised(b, loose)
	if !x.Start.Equal(y.Start) || x.Days != y.Days {
		return fmt.Sprintf("period %s+%d vs %s+%d", x.Start, x.Days, y.Start, y.Days)
	}
	if len(x.Places) != len(y.Places) {
		return fmt.Sprintf("%d places vs %d", len(x.Places), len(y.Places))
	}
	for i := range x.Places {
		if !reflect.DeepEqual(x.Places[i], y.Places[i]) {
			return fmt.Sprintf("place %d:\n%+v\n%+v", i, x.Places[i], y.Places[i])
		}
	}
	if !reflect.DeepEqual(x.Routes, y.Routes) {
		return fmt.Sprintf("routes differ (%d vs %d)", len(x.Routes), len(y.Routes))
	}
	if len(x.Events) != len(y.Events) {
		return fmt.Sprintf("%d events vs %d:\n%v\n%v", len(x.Events), len(y.Events), x.Events, y.Events)
	}
	for i := range x.Events {
		if !reflect.DeepEqual(x.Events[i], y.Events[i]) {
			return fmt.Sprintf("event %d: %+v vs %+v", i, x.Events[i], y.Events[i])
		}
	}
	if !reflect.DeepEqual(x.Spawn, y.Spawn) {
		return fmt.Sprintf("spawning differs: %+v vs %+v", x.Spawn.Mode, y.Spawn.Mode)
	}
	return ""
}
