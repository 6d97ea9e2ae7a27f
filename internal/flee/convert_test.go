package flee_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
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
// scenario and observations equal the case's; and that exporting the
// scenario back to Flee's format gives an equivalent case.
func TestImport_SameResults(t *testing.T) {
	for _, dir := range conversionCases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("%s not present", dir)
			}
			t.Parallel()
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
				c, err := flee.Load(dir, flee.Options{Mode: mode, Days: convDays})
				if err != nil {
					t.Fatal(err)
				}
				cs, err := ls.Compile(spec.Options{Mode: mode, Days: convDays})
				if err != nil {
					t.Fatalf("%s: compile: %v", mode, err)
				}
				cf, err := lf.Compile(spec.Options{Mode: mode, Days: convDays})
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
				if a, b := run(t, c.Scenario, c.Config.Sim), run(t, cs.Scenario, cs.Settings); !reflect.DeepEqual(a.Counts, b.Counts) || !reflect.DeepEqual(a.Agents, b.Agents) {
					t.Fatalf("%s: daily populations differ between the case and its import", mode)
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
