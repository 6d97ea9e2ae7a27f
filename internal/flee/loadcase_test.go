package flee

// Tests of Load on whole case folders: the minimal good case and variants of
// it that must load the same (BOM, CRLF), Flee's quirks, and problems that
// only a whole case shows.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

const minimalCase = "testdata/good/minimal"

// copyCase copies a case folder into a new temporary folder, passing every
// file's content through edit (nil keeps it) and returns the copy's path.
func copyCase(t testing.TB, src string, edit func(rel string, data []byte) []byte) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
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
		if edit != nil {
			data = edit(filepath.ToSlash(rel), data)
		}
		if data == nil {
			return nil // edit removed the file
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustLoad(t *testing.T, dir string, opt Options) *Case {
	t.Helper()
	c, err := Load(dir, opt)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	if err := c.Scenario.Check(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoad_Minimal(t *testing.T) {
	for _, mode := range []sim.Mode{sim.ModeCaravan, sim.ModeFlee} {
		c := mustLoad(t, minimalCase, Options{Mode: mode})
		if got, want := c.Describe(), "minimal: 5 places, 4 routes, 2 camps, 4 events, 10 days from 2024-03-01"; got != want {
			t.Errorf("%v: %s, want %s", mode, got, want)
		}
		if len(c.Warnings) != 0 {
			t.Errorf("%v: warnings %v", mode, c.Warnings)
		}
		// Bexley is a conflict_zone with conflict_date 4: Flee loads it as a
		// town, and conflicts.csv starts its conflict on day 4.
		if k := c.Scenario.Places[1].Kind; k != scenario.Town {
			t.Errorf("Bexley is a %v, want town", k)
		}
		if got := eventSummary(c.Scenario.Events); !reflect.DeepEqual(got, []string{
			"0 conflict_start 0 -1 1", "3 close_border -1 -1 Valoria/Ostmark", "4 conflict_start 1 -1 1", "6 open_border -1 -1 Valoria/Ostmark",
		}) {
			t.Errorf("events %q", got)
		}
		if len(c.Inputs) != 11 {
			t.Errorf("%d inputs recorded, want 11: %v", len(c.Inputs), c.Inputs)
		}
	}
}

// comparable returns what a load produced, without the paths.
func comparable(c *Case) string {
	var b strings.Builder
	sc := *c.Scenario
	sc.Name = ""
	for i := range sc.Events {
		sc.Events[i].Source = filepath.Base(sc.Events[i].Source)
	}
	fmt.Fprintf(&b, "%+v\n%+v\n%v %v %v %v\n", sc, c.Config, c.Camps, c.Observed, c.Raw, c.Debt)
	for _, s := range c.Series {
		fmt.Fprintf(&b, "%s %v\n", s.Name, s.points)
	}
	for _, w := range c.Warnings {
		w.File = filepath.Base(w.File)
		fmt.Fprintln(&b, w)
	}
	return b.String()
}

// Caravan accepts a UTF-8 byte-order mark and CRLF (or lone CR) line ends in
// every file, simsetting.yml included: the case must load exactly the same.
func TestLoad_BOMAndLineEnds(t *testing.T) {
	want := comparable(mustLoad(t, minimalCase, Options{}))
	crlf := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }
	cr := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r")) }
	bom := func(b []byte) []byte { return append([]byte("\ufeff"), b...) }
	for _, tc := range []struct {
		name string
		edit func(rel string, b []byte) []byte
	}{
		{"BOM", func(_ string, b []byte) []byte { return bom(b) }},
		{"CRLF", func(_ string, b []byte) []byte { return crlf(b) }},
		{"BOM and CRLF", func(_ string, b []byte) []byte { return bom(crlf(b)) }},
		{"lone CR in the CSVs", func(rel string, b []byte) []byte {
			if strings.HasSuffix(rel, ".csv") {
				return cr(b)
			}
			return b
		}},
		{"no final newline", func(_ string, b []byte) []byte { return bytes.TrimRight(b, "\n") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyCase(t, minimalCase, tc.edit)
			if got := comparable(mustLoad(t, dir, Options{})); got != want {
				t.Errorf("loads differently:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func loadProblems(t *testing.T, dir string, opt Options) []diag.Problem {
	t.Helper()
	_, err := Load(dir, opt)
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("Load: %v, want a *diag.Error", err)
	}
	return de.Problems
}

// Problems from settings name the line or the --set that caused them.
func TestLoad_SettingsProblemsPointAtTheirSource(t *testing.T) {
	dir := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		if rel == "simsetting.yml" {
			return []byte("move_rules:\n  max_move_speed: 0\nspawn_rules:\n  conflict_driven_spawning:\n    spawn_mode: sometimes\n")
		}
		return b
	})
	yml := filepath.Join(dir, "simsetting.yml")
	checkProblems(t, "", loadProblems(t, dir, Options{}), []diag.Problem{
		{File: yml, Line: 2, Column: 3, Field: "move_rules.max_move_speed", Msg: "must be a positive number, got 0"},
		{File: yml, Line: 5, Column: 5, Field: "spawn_rules.conflict_driven_spawning.spawn_mode", Msg: `unknown spawn mode "sometimes" (want constant, pop_ratio or poisson)`},
	})
	// A later --set wins, and is blamed.
	checkProblems(t, "", loadProblems(t, minimalCase, Options{Set: []string{"move_rules.camp_movechance=2", "optimisations.hasten=0", "spawn_rules.conflict_driven_spawning.displaced_per_conflict_day=-1"}}), []diag.Problem{
		{File: "--set move_rules.camp_movechance=2", Field: "move_rules.camp_movechance", Msg: "must lie in [0, 1], got 2"},
		{File: "--set optimisations.hasten=0", Field: "optimisations.hasten", Msg: "must be a whole number >= 1, got 0"},
		{File: "--set spawn_rules.conflict_driven_spawning.displaced_per_conflict_day=-1", Field: "spawn_rules.conflict_driven_spawning.displaced_per_conflict_day", Msg: "must be a number >= 0, got -1"},
	})
	// Without a simsetting.yml the code defaults apply and --set is blamed.
	noYml := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		if rel == "simsetting.yml" {
			return nil
		}
		return b
	})
	checkProblems(t, "", loadProblems(t, noYml, Options{Set: []string{"move_rules.max_walk_speed=-1", "bogus=1"}}), []diag.Problem{
		{File: "--set bogus=1", Field: "bogus", Msg: "unknown setting"},
		{File: "--set move_rules.max_walk_speed=-1", Field: "move_rules.max_walk_speed", Msg: "must be a positive number, got -1"},
	})
}

// One problem in each of several files: validate must list them all.
func TestLoad_ReportsEveryFile(t *testing.T) {
	dir := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		switch rel {
		case "simsetting.yml":
			return []byte("move_rules:\n  camp_weight: heavy\n")
		case "input/routes.csv":
			return bytes.Replace(b, []byte("Arden,Corran,130"), []byte("Arden,Corran,-130"), 1)
		case "input/closures.csv":
			return bytes.Replace(b, []byte("3,6"), []byte("6,3"), 1)
		case "input/conflicts.csv":
			return bytes.Replace(b, []byte("9,1,1"), []byte("9,1,x"), 1)
		case "input/registration_corrections.csv":
			return []byte("Greyhaven,2024-03-07\n")
		}
		return b
	})
	var got []string
	for _, p := range loadProblems(t, dir, Options{}) {
		rel, _ := filepath.Rel(dir, p.File)
		got = append(got, fmt.Sprintf("%s:%d:%s", rel, p.Line, p.Field))
	}
	want := []string{"input/closures.csv:2:closure_end", "input/conflicts.csv:11:Bexley", "input/registration_corrections.csv:1:date", "input/routes.csv:3:distance", "simsetting.yml:2:move_rules.camp_weight"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems in\n %q\nwant\n %q", got, want)
	}
}

func TestLoad_NoCampReachable(t *testing.T) {
	dir := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		if rel == "input/routes.csv" {
			return []byte("#name1,name2,distance\nArden,Bexley,95\nCorran,Holloway,170\n")
		}
		return b
	})
	checkProblems(t, "", loadProblems(t, dir, Options{}), []diag.Problem{{
		File: filepath.Join(dir, "input", "routes.csv"),
		Msg:  "no camp can be reached by road from any place in conflict (2 routes join 5 places)",
		Hint: "the route network is split; add the routes that join the conflict places to the camps",
	}})
	// Flee runs such a case; Flee mode warns per camp.
	c := mustLoad(t, dir, Options{Mode: sim.ModeFlee})
	loc := filepath.Join(dir, "input", "locations.csv")
	checkProblems(t, "", c.Warnings, []diag.Problem{
		{File: loc, Line: 5, Field: "name", Msg: `camp "Greyhaven" cannot be reached by road from any place in conflict`, Warning: true},
		{File: loc, Line: 6, Field: "name", Msg: `camp "Holloway" cannot be reached by road from any place in conflict`, Warning: true},
	})
	// One unreachable camp of two is a warning in both modes (CAR's Bili).
	one := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		if rel == "input/routes.csv" {
			return []byte("#name1,name2,distance\nArden,Bexley,95\nArden,Corran,130\nCorran,Holloway,170\n")
		}
		return b
	})
	checkProblems(t, "", mustLoad(t, one, Options{}).Warnings, []diag.Problem{
		{File: filepath.Join(one, "input", "locations.csv"), Line: 5, Field: "name", Msg: `camp "Greyhaven" cannot be reached by road from any place in conflict`, Warning: true},
	})
}

func TestLoad_CampAsTotalRow(t *testing.T) {
	dir := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		switch rel {
		case "validation/data_layout.csv":
			return []byte("Greyhaven,greyhaven.csv\nHolloway,holloway.csv\n")
		case "input/registration_corrections.csv":
			return []byte{}
		}
		return b
	})
	checkProblems(t, "", loadProblems(t, dir, Options{}), []diag.Problem{{
		File: filepath.Join(dir, "input", "locations.csv"), Line: 5, Field: "name",
		Msg:  `camp "Greyhaven" is the first row of validation/data_layout.csv, which is read as the total of all camps`,
		Hint: "start data_layout.csv with a row total,<file>.csv",
	}})
}

func TestLoad_MissingFolders(t *testing.T) {
	checkProblems(t, "", loadProblems(t, "testdata/good/nothere", Options{}), []diag.Problem{{File: "testdata/good/nothere", Msg: "case folder not found"}})
	checkProblems(t, "", loadProblems(t, minimalCase+"/simsetting.yml", Options{}), []diag.Problem{{File: minimalCase + "/simsetting.yml", Msg: "not a folder; give the case folder that holds input/ and validation/"}})
	dir := copyCase(t, minimalCase, func(rel string, b []byte) []byte {
		if strings.HasPrefix(rel, "validation/") {
			return nil
		}
		return b
	})
	os.Remove(filepath.Join(dir, "validation"))
	checkProblems(t, "", loadProblems(t, dir, Options{}), []diag.Problem{{File: filepath.Join(dir, "validation"), Msg: "folder not found", Hint: "a Flee case folder holds input/ and validation/"}})
}

// The four shared Flee cases must load without errors in both modes.
func TestLoad_PeerCases(t *testing.T) {
	const shared = "../../../shared/peer-cases/flee"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared/peer-cases not present beside the repository")
	}
	for _, name := range []string{"burundi", "car", "mali", "ssudan"} {
		for _, mode := range []sim.Mode{sim.ModeCaravan, sim.ModeFlee} {
			if _, err := Load(filepath.Join(shared, name), Options{Mode: mode}); err != nil {
				t.Errorf("%s (%v): %v", name, mode, err)
			}
		}
	}
}
