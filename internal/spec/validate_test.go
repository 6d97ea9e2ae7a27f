package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/diag"
)

// problems returns every problem of a load, errors and warnings, one per
// line as the CLI prints them.
func problems(l *Loaded, err error) string {
	var lines []string
	var de *diag.Error
	if errors.As(err, &de) {
		for _, p := range de.Problems {
			lines = append(lines, "error: "+p.Error())
		}
	} else if err != nil {
		lines = append(lines, "error: "+err.Error())
	}
	if l != nil {
		for _, w := range l.Warnings {
			lines = append(lines, w.Error())
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestLoad_InvalidGolden loads each document of testdata/invalid and
// compares every problem reported (file, line, column, field, message,
// hint) with its .golden file; -update rewrites them.
func TestLoad_InvalidGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no test documents")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			l, err := Load(f)
			if err == nil {
				t.Fatalf("%s loads without error", f)
			}
			got := problems(l, err)
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s (-update to accept):\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestLoad_ReportsEverything spot-checks the golden output for what the
// format promises: positions, field paths, suggestions.
func TestLoad_ReportsEverything(t *testing.T) {
	cases := []struct{ file, want string }{
		{"unknown_keys", `testdata/invalid/unknown_keys.yaml:4:1: plases: unknown key "plases" (did you mean "places"?)`},
		{"unknown_keys", `settings.spawn_rules.insert_day0: unknown key "insert_day0" (in Caravan's format this is spawning.insert_day0)`},
		{"unknown_keys", `:13:29: places[0].popluation: unknown key "popluation" (did you mean "population"?)`},
		{"names", `names.yaml:10:23: routes[0].to: unknown place "Ardne" (did you mean "Arden"?)`},
		{"names", `routes[2].distance: distance 0 km must be positive`},
		{"names", `place "Arden" is listed twice (first at testdata/invalid/names.yaml:5)`},
		{"names", `no route joins "Arden" and "Camp"`},
		{"names", `no place lies in country "Ostmarc" (did you mean "Ostmark"?)`},
		{"dates", `the policy ends (2024-01-10) before it begins (2024-01-20)`},
		{"dates", `event date 2023-12-31 is before the start 2024-01-01`},
		{"dates", `warning: events[1].date: event date 2024-02-05 is after the last day 2024-01-31; it has no effect`},
		{"dates", `"2024-13-01" is not a date (want YYYY-MM-DD)`},
		{"shares", `the group shares at "A" sum to 0.9; they must sum to 1`},
		{"shares", `unknown group "g3"`},
		{"shares", `attribute "clas" is not declared under attributes: (declared: class, religion) (did you mean "class"?)`},
		{"observations", `unknown place "Be" (did you mean "Bee"?)`},
		{"types", `places[0].kind: "city" is not one of origin, town, crossing, transit_hub, camp, idp_camp, destination, marker`},
		{"syntax", `testdata/invalid/syntax.yaml:5:`},
	}
	for _, c := range cases {
		l, err := Load("testdata/invalid/" + c.file + ".yaml")
		got := problems(l, err)
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: want a problem containing\n  %s\ngot:\n%s", c.file, c.want, got)
		}
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const mainHead = "caravan: 1\nstart: 2024-01-01\ndays: 10\nspawning: {mode: conflict}\n"

func TestLoad_Includes(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // "" for success
	}{
		{"patterns and nesting", map[string]string{
			"scenario.yaml": mainHead + "include: [places/*.yaml, routes.yaml]\nplaces:\n  - {name: A, kind: origin, population: 10, conflict_at_start: 1}\n",
			"places/b.yaml": "places: [{name: B, kind: town}]\n",
			"places/c.yaml": "places: [{name: C, kind: camp}]\ninclude: [../more/d.yaml]\n",
			"more/d.yaml":   "places: [{name: D, kind: town}]\n",
			"routes.yaml":   "routes: [{from: A, to: B, distance: 1}, {from: B, to: C, distance: 2}, {from: C, to: D, distance: 3}]\n",
			"other/x.yaml":  "not: included\n",
			"places/no.yml": "not: matched\n",
		}, ""},
		{"a file including itself", map[string]string{
			"scenario.yaml": mainHead + "include: [scenario.yaml]\n",
		}, "scenario.yaml:5:11: include[0]: the file includes itself"},
		{"a cycle", map[string]string{
			"scenario.yaml": mainHead + "include: [a.yaml]\n",
			"a.yaml":        "include: [b.yaml]\n",
			"b.yaml":        "include: [./a.yaml]\n",
		}, "b.yaml:1:11: include[0]: include cycle: a.yaml → b.yaml → a.yaml"},
		{"a file included twice", map[string]string{
			"scenario.yaml": mainHead + "include: [a.yaml, b.yaml]\n",
			"a.yaml":        "places: [{name: A, kind: town}]\n",
			"b.yaml":        "include: [a.yaml]\n",
		}, "included twice"},
		{"a missing file", map[string]string{
			"scenario.yaml": mainHead + "include: [nothere.yaml]\n",
		}, "scenario.yaml:5:11: include[0]: nothere.yaml: file not found"},
		{"a pattern matching nothing", map[string]string{
			"scenario.yaml": mainHead + "include: [obs/*.yaml]\n",
		}, `"obs/*.yaml" matches no file`},
		{"a folder", map[string]string{
			"scenario.yaml": mainHead + "include: [obs]\n",
			"obs/a.yaml":    "places: []\n",
		}, `"obs" is a folder; include its files, e.g. obs/*.yaml`},
		{"an absolute path", map[string]string{
			"scenario.yaml": mainHead + "include: [/etc/passwd]\n",
		}, "is an absolute path"},
		{"a single value set twice", map[string]string{
			"scenario.yaml": mainHead + "include: [a.yaml]\n",
			"a.yaml":        "start: 2024-02-01\n",
		}, "a.yaml:1:8: start: start is already set in"},
		{"a problem in an included file", map[string]string{
			"scenario.yaml": mainHead + "include: [a.yaml]\nplaces: [{name: A, kind: town}]\n",
			"a.yaml":        "\n\nroutes: [{from: A, to: Q, distance: 3}]\n",
		}, `a.yaml:3:24: routes[0].to: unknown place "Q"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			l, err := Load(dir)
			got := problems(l, err)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems:\n%s", got)
				}
				var names []string
				for _, p := range l.Doc.Places {
					names = append(names, p.Name)
				}
				if strings.Join(names, ",") != "A,B,C,D" {
					t.Errorf("places in order %v; want A,B,C,D (own entries, then includes in order)", names)
				}
				if len(l.Files) != 5 {
					t.Errorf("%d files read; want 5", len(l.Files))
				}
				// The merged document written out reads back the same.
				again, err := Parse(filepath.Join(dir, "again.yaml"), Marshal(l.Doc, ""))
				if err != nil || len(again.Doc.Places) != 4 || len(again.Doc.Routes) != 3 {
					t.Errorf("merged document written out: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("want a problem containing %q, got:\n%s", c.want, got)
			}
		})
	}
}

// TestMarshal_RoundTrip writes documents and reads them back unchanged.
func TestMarshal_RoundTrip(t *testing.T) {
	for _, f := range []string{"testdata/example.yaml", "testdata/full.yaml"} {
		l, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		out := Marshal(l.Doc, "round trip")
		l2, err := Parse(filepath.Join(t.TempDir(), "x.yaml"), out)
		if err != nil {
			t.Fatalf("%s: written document does not load: %v\n%s", f, err, out)
		}
		if again := Marshal(l2.Doc, "round trip"); string(again) != string(out) {
			t.Errorf("%s: second writing differs:\n%s\n---\n%s", f, out, again)
		}
	}
	// Text that YAML would read as something else is quoted.
	d := &Document{Caravan: 1, Name: "yes", Description: "a: b # c", HomeCountry: "1e3",
		Places: []Place{{Name: "null", Kind: KindTown, Region: "-x", Country: "Côte d'Ivoire", Attributes: map[string]string{"k": "[x]", "on": "2"}}}}
	l, err := Parse("x.yaml", Marshal(d, ""))
	if l == nil || len(l.Doc.Places) != 1 {
		t.Fatalf("quoted document does not load: %v", err)
	}
	p := l.Doc.Places[0]
	if l.Doc.Name != "yes" || l.Doc.Description != "a: b # c" || l.Doc.HomeCountry != "1e3" || p.Name != "null" ||
		p.Region != "-x" || p.Country != "Côte d'Ivoire" || p.Attributes["k"] != "[x]" || p.Attributes["on"] != "2" {
		t.Errorf("text changed on the way: %+v %+v", l.Doc, p)
	}
}

func TestIsScenario(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a/scenario.yaml": "x: 1\n", "b/input/x.csv": "", "c.yml": ""})
	for path, want := range map[string]bool{
		"a": true, "b": false, "c.yml": true, "missing.yaml": true, "missing": false, "a/scenario.yaml": true,
	} {
		if got := IsScenario(filepath.Join(dir, path)); got != want {
			t.Errorf("IsScenario(%s) = %v; want %v", path, got, want)
		}
	}
}
