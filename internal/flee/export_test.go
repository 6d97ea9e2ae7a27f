package flee_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

const exportBase = `caravan: 1
start: 2024-01-01
days: 30
sources: [{id: s}]
places:
  - {name: A, kind: origin, country: X, population: {value: 1000, low: 900, high: 1100, source: s}, conflict_at_start: 1}
  - {name: B, kind: crossing, country: X}
  - {name: C, kind: destination, country: Y, capacity: 500}
routes:
  - {from: A, to: B, distance: 10, mode: rail}
  - {from: B, to: C, distance: 20.5, max_speed: 100}
events:
  - {date: 2024-01-01, type: conflict_start, place: A}
  - {date: 2024-01-05, type: close_border, countries: [X, Y], to: 2024-01-09}
observations:
  - {id: total, kind: series, total: true, counts: [[2024-01-01, 0], [2024-01-30, 300]]}
  - {id: c, kind: series, place: C, counts: [[2024-01-01, 0], [2024-01-30, 250]], citation: {source: s}}
`

func exportOf(t *testing.T, src string) (map[string][]byte, string, error) {
	t.Helper()
	l, err := spec.Parse(filepath.Join(t.TempDir(), "s.yaml"), []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	files, warnings, err := flee.Export(l)
	var w []string
	for _, p := range warnings {
		w = append(w, p.Error())
	}
	return files, strings.Join(w, "\n"), err
}

func TestExport_Subset(t *testing.T) {
	files, warnings, err := exportOf(t, exportBase)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warnings, "sources, citations, ranges, route modes and notes are not written") {
		t.Errorf("no warning about dropped metadata: %q", warnings)
	}
	for name, want := range map[string]string{
		"input/locations.csv":        "A,unknown,X,,,conflict_zone,0,1000\nB,unknown,X,,,town,0,0\nC,unknown,Y,,,camp,0,500\n",
		"input/routes.csv":           "A,B,10,0,\nB,C,20.5,0,100\n",
		"input/closures.csv":         "country,X,Y,4,9\n",
		"input/sim_period.csv":       "StartDate,2024-01-01\nLength,30\n",
		"validation/data_layout.csv": "total,total.csv\nC,c.csv\n",
	} {
		if !strings.Contains(string(files[name]), want) {
			t.Errorf("%s:\n%s\nlacks\n%s", name, files[name], want)
		}
	}
	dir := filepath.Join(t.TempDir(), "case")
	if err := flee.WriteCase(dir, files, false); err != nil {
		t.Fatal(err)
	}
	c, err := flee.Load(dir, flee.Options{Mode: sim.ModeCaravan})
	if err != nil {
		t.Fatalf("exported case does not load: %v", err)
	}
	if len(c.Scenario.Places) != 3 || c.Scenario.Places[2].Capacity != 500 || len(c.Scenario.Events) != 3 {
		t.Errorf("exported case: %s", c.Describe())
	}
}

func TestExport_Refuses(t *testing.T) {
	cases := map[string]struct{ from, to, want string }{
		"camp population": {"capacity: 500}", "capacity: 500, population: 20}",
			"places[2].population: Flee's locations.csv holds a camp's capacity, not its population"},
		"town capacity": {"{name: B, kind: crossing, country: X}", "{name: B, kind: crossing, country: X, capacity: 9}",
			"places[1].capacity: Flee's locations.csv holds a capacity only for camps"},
		"home country": {"days: 30", "days: 30\nhome_country: Y", "Flee takes the home country from the first place (X)"},
		"daily spawning": {"days: 30", "days: 30\nspawning: {mode: daily, daily: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}",
			"Flee's format cannot hold a daily spawning list"},
		"restart": {"  - {date: 2024-01-05, type: close_border", "  - {date: 2024-01-03, type: conflict_start, place: A, intensity: 2}\n  - {date: 2024-01-05, type: close_border",
			`the conflict events of "A" cannot be written as Flee's conflicts.csv`},
		"unpaired open": {"  - {date: 2024-01-05, type: close_border", "  - {date: 2024-01-04, type: open_place, place: B}\n  - {date: 2024-01-05, type: close_border",
			"open_place on day 3 reopens nothing closed before it"},
		"no total": {"  - {id: total, kind: series, total: true, counts: [[2024-01-01, 0], [2024-01-30, 300]]}\n", "",
			"spawning from observations needs a series of the total displaced"},
		"groups": {"observations:", "groups: [{name: g}]\nobservations:", `group "g": groups cannot be written in Flee's case format`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(exportBase, c.from, c.to, 1)
			if src == exportBase {
				t.Fatalf("replacement %q not found", c.from)
			}
			l, err := spec.Parse(filepath.Join(t.TempDir(), "s.yaml"), []byte(src))
			if err != nil {
				if strings.Contains(err.Error(), c.want) {
					return // refused when loading already
				}
				t.Fatalf("parse: %v", err)
			}
			_, _, err = flee.Export(l)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant a problem containing %q", err, c.want)
			}
		})
	}
}
