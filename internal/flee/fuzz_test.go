package flee

// Fuzz tests for every parser and reader of a Flee case. Each must never
// panic, must describe every problem on one line with a file, and on success
// must return data that keeps the invariants the engine relies on.
//
// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests; scripts/fuzz.sh fuzzes each target for a set time
// (docs/fuzzing.md). TestWriteFuzzSeeds -write-fuzz-seeds regenerates them.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

// checkShape fails unless every problem names a file (one of files, when
// given), has a message, and prints on one line.
func checkShape(t *testing.T, probs []diag.Problem, files ...string) {
	t.Helper()
	for _, p := range probs {
		s := p.Error()
		if p.File == "" || p.Msg == "" || p.Line < 0 || p.Column < 0 || strings.ContainsAny(s, "\n\r") {
			t.Fatalf("badly formed problem %#v: %q", p, s)
		}
		if len(files) > 0 {
			ok := false
			for _, f := range files {
				ok = ok || p.File == f || strings.HasPrefix(p.File, f+string(filepath.Separator))
			}
			if !ok {
				t.Fatalf("problem names file %q, want one of %q: %s", p.File, files, s)
			}
		}
	}
}

func fuzzMode(flee bool) sim.Mode {
	if flee {
		return sim.ModeFlee
	}
	return sim.ModeCaravan
}

// fuzzFile writes data to name in dir (the target's f.TempDir, kept for the
// whole run, so each input costs one write) and returns its path.
func fuzzFile(t *testing.T, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func FuzzParseCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var probs diag.List
		file, ok := parseCSV("f.csv", data, &probs)
		checkShape(t, probs.Problems, "f.csv")
		if !ok {
			if len(probs.Problems) != 1 || probs.Problems[0].Line < 1 {
				t.Fatalf("failure must give one problem with a line: %v", probs.Problems)
			}
			return
		}
		if len(probs.Problems) != 0 {
			t.Fatalf("ok with problems %v", probs.Problems)
		}
		last := 0
		for _, r := range file.rows {
			if r.line <= last || len(r.fields) == 0 || len(r.fields) != len(r.cols) {
				t.Fatalf("bad row %+v after line %d", r, last)
			}
			for _, c := range r.cols {
				if c < 1 {
					t.Fatalf("column %d in %+v", c, r)
				}
			}
			last = r.line
		}
		// Where the strict reader accepts the text, both must read the same.
		body := bytes.TrimPrefix(data, []byte("\ufeff"))
		if !bytes.Equal(loneCRToLF(body), body) {
			return // encoding/csv keeps lone CRs in fields; parseCSV ends lines there
		}
		strict := csv.NewReader(bytes.NewReader(body))
		strict.FieldsPerRecord = -1
		want, err := strict.ReadAll()
		if err != nil {
			return
		}
		if len(want) != len(file.rows) {
			t.Fatalf("%d rows, strict reader %d", len(file.rows), len(want))
		}
		for i := range want {
			if strings.Join(want[i], "\x00") != strings.Join(file.rows[i].fields, "\x00") {
				t.Fatalf("row %d = %q, strict reader %q", i, file.rows[i].fields, want[i])
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDate(s)
		g, gerr := time.Parse("2006-1-2", strings.TrimSpace(s))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line message %q", err)
			}
			if gerr == nil && g.Year() >= 1 {
				t.Fatalf("parseDate(%q) failed (%v), time.Parse gives %v", s, err, g)
			}
			return
		}
		if gerr != nil || !g.Equal(d) {
			t.Fatalf("parseDate(%q) = %v, time.Parse %v, %v", s, d, g, gerr)
		}
		if d.Year() < 1 || d.Year() > 9999 || d.Hour() != 0 || d.Location() != time.UTC {
			t.Fatalf("parseDate(%q) = %v", s, d)
		}
		if back, err := parseDate(d.Format("2006-01-02")); err != nil || !back.Equal(d) {
			t.Fatalf("round trip of %v: %v, %v", d, back, err)
		}
	})
}

func FuzzReadLocations(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, flee bool, hasten uint8) {
		path := fuzzFile(t, dir, "locations.csv", data)
		cfg := DefaultConfig()
		cfg.Spawn.Hasten = max(int(hasten), 1)
		var probs diag.List
		places, lines, ok := readLocations(path, &cfg, fuzzMode(flee), &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if !ok {
			return
		}
		if len(places) == 0 || len(lines) != len(places) {
			t.Fatalf("%d places, %d lines", len(places), len(lines))
		}
		seen := map[string]bool{}
		for _, p := range places {
			if strings.TrimSpace(p.Name) == "" || seen[p.Name] {
				t.Fatalf("name %q empty or repeated", p.Name)
			}
			seen[p.Name] = true
			if !finite(p.Lat) || !finite(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 360 {
				t.Fatalf("%q at %v,%v", p.Name, p.Lat, p.Lon)
			}
			if p.Pop < 0 || p.Initial < 0 || !finite(p.ConflictIntensity) || p.Kind > scenario.Unknown {
				t.Fatalf("bad place %+v", p)
			}
			camp := p.Kind == scenario.Camp || p.Kind == scenario.IDPCamp
			if camp && (p.Capacity < 0 || p.Pop != 0) || !camp && p.Capacity != -1 {
				t.Fatalf("bad capacity %+v", p)
			}
		}
	})
}

func FuzzReadRoutes(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, flee bool) {
		path := fuzzFile(t, dir, "routes.csv", data)
		places, index, names := testIndex()
		var probs diag.List
		routes, ok := readRoutes(path, index, names, fuzzMode(flee), &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if !ok {
			return
		}
		n := len(places)
		for _, r := range routes {
			if r.From < 0 || r.From >= n || r.To < 0 || r.To >= n || r.From == r.To ||
				!(r.DistanceKM > 0 && r.DistanceKM <= 40075) || !(r.MaxSpeed >= 0) || !finite(r.MaxSpeed) ||
				!(r.WalkProbability >= 0 && r.WalkProbability <= 1) {
				t.Fatalf("bad route %+v", r)
			}
		}
		sc := &scenario.Scenario{Days: 1, Places: places, Routes: routes}
		if err := sc.Check(); err != nil {
			t.Fatal(err)
		}
	})
}

// checkEvents checks events against the places and the number of days.
func checkEvents(t *testing.T, evs []scenario.Event, nPlaces, days int, sorted bool) {
	t.Helper()
	for i, ev := range evs {
		if ev.Day < 0 || ev.Day >= days || ev.Place < -1 || ev.Place >= nPlaces || ev.Place2 < -1 || ev.Place2 >= nPlaces || !finite(ev.Value) || ev.Source == "" {
			t.Fatalf("bad event %+v (days %d)", ev, days)
		}
		if sorted && i > 0 && ev.Day < evs[i-1].Day {
			t.Fatalf("events out of order at %d: %+v", i, evs)
		}
	}
}

func FuzzReadClosures(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, flee bool, days uint8) {
		path := fuzzFile(t, dir, "closures.csv", data)
		places, index, names := testIndex()
		d := max(int(days), 1)
		var probs diag.List
		evs, ok := readClosures(path, places, index, names, d, fuzzMode(flee), &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if ok {
			checkEvents(t, evs, len(places), d, false)
		}
	})
}

func FuzzReadConflicts(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, flee bool, days uint8) {
		path := fuzzFile(t, dir, "conflicts.csv", data)
		places, index, names := testIndex()
		d := max(int(days), 1)
		var probs diag.List
		evs, ok := readConflicts(path, index, names, d, fuzzMode(flee), &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if !ok {
			return
		}
		checkEvents(t, evs, len(places), d, true)
		for _, ev := range evs {
			if ev.Place < 0 || ev.Value < 0 || ev.Kind > scenario.ConflictEnd {
				t.Fatalf("bad conflict event %+v", ev)
			}
		}
	})
}

func FuzzReadPeriod(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, dir, "sim_period.csv", data)
		var probs diag.List
		start, length, ok := readPeriod(path, &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if ok && (length < 1 || length > 100000 || start.Year() < 1 || start.Year() > 9999) {
			t.Fatalf("start %v, length %d", start, length)
		}
	})
}

func FuzzReadSeriesFile(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, flee bool, hasten uint8) {
		path := fuzzFile(t, dir, "camp.csv", data)
		mode := fuzzMode(flee)
		var probs diag.List
		pts, ok := readSeriesFile(path, day0, max(int(hasten), 1), mode, &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if !ok {
			return
		}
		checkPoints(t, pts, mode)
	})
}

// checkPoints checks a series and that At and the merges can read it.
func checkPoints(t *testing.T, pts []point, mode sim.Mode) {
	t.Helper()
	if len(pts) == 0 {
		t.Fatal("ok without points")
	}
	for i, p := range pts {
		if !finite(p.day) || !finite(p.value) || p.value < 0 {
			t.Fatalf("bad point %v", p)
		}
		if mode != sim.ModeFlee && i > 0 && p.day < pts[i-1].day {
			t.Fatalf("dates go back: %v", pts)
		}
	}
	s := &Series{points: pts}
	for d := -2; d < 40; d++ {
		if v := s.At(d); v < 0 {
			t.Fatalf("At(%d) = %d", d, v)
		}
	}
	other := []point{{0, 1}, {7, 5}}
	for _, m := range [][]point{mergeFlee(pts, other), mergeFlee(other, pts), mergeSum(pts, other)} {
		if len(m) == 0 {
			t.Fatalf("empty merge of %v", pts)
		}
		(&Series{points: m}).At(3)
	}
}

func FuzzReadLayout(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, layout, series []byte, flee bool) {
		fuzzFile(t, dir, "data_layout.csv", layout)
		fuzzFile(t, dir, "a.csv", series)
		fuzzFile(t, dir, "b.csv", []byte("Date,n\n2024-03-01,1\n2024-03-05,9\n"))
		mode := fuzzMode(flee)
		var probs diag.List
		out, _, ok := readLayout(dir, day0, 1, mode, &probs)
		checkShape(t, probs.Problems, dir)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if !ok {
			return
		}
		if len(out) == 0 {
			t.Fatal("ok without series")
		}
		for _, s := range out {
			if mode == sim.ModeFlee {
				// Flee's merge may put dates out of order; At must still work.
				(&Series{points: s.points}).At(2)
				continue
			}
			checkPoints(t, s.points, mode)
		}
	})
}

func FuzzApplyCorrections(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, dir, "registration_corrections.csv", data)
		series := []*Series{
			{Name: "total", points: []point{{0, 100}, {10, 300}}},
			{Name: "A", points: []point{{0, 10}, {5, 20}, {10, 60}}},
			{Name: "Z", points: []point{{-3, 0}, {0, 1}, {5, 0}, {8, 7}}},
		}
		var probs diag.List
		ok := applyCorrections(path, series, day0, &probs)
		checkShape(t, probs.Problems, path)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if ok {
			for _, s := range series {
				checkPoints(t, s.points, sim.ModeCaravan)
			}
		}
	})
}

func FuzzSettings(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var probs diag.List
		list, ok := parseSettings("simsetting.yml", data, &probs)
		if ok != !probs.HasErrors() {
			t.Fatalf("ok = %v with problems %v", ok, probs.Problems)
		}
		if s, err := parseOverride(set); err == nil {
			list = append(list, s)
		} else if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("multi-line --set message %q", err)
		}
		c := DefaultConfig()
		applySettings(&c, list, &probs)
		checkShape(t, probs.Problems)
		if probs.HasErrors() {
			return
		}
		s := c.Sim
		for _, v := range append([]float64{s.MaxMoveSpeed, s.MaxWalkSpeed, s.ForeignWeight, s.CampWeight, s.ConflictWeight,
			s.ConflictMoveChance, s.CampMoveChance, s.IDPCampMoveChance, s.DefaultMoveChance, s.CapacityBuffer, s.CapacityScaling,
			s.Softening, s.WeightSoftening, s.WeightPower, s.DistancePower, s.HomeDistancePower, s.PopPowerForLocWeight,
			s.MovechancePopBase, s.MovechancePopScaleFactor, s.PruningThreshold, c.Spawn.PerConflictDay}, s.ConflictSpawnDecay...) {
			if !finite(v) {
				t.Fatalf("setting left non-finite: %+v", c)
			}
		}
	})
}

// fuzzCaseFiles are the files of testdata/good/minimal that FuzzLoad replaces.
var fuzzCaseFiles = []string{
	"simsetting.yml", "input/locations.csv", "input/routes.csv", "input/closures.csv", "input/conflicts.csv",
	"input/sim_period.csv", "input/registration_corrections.csv", "validation/data_layout.csv",
	"validation/refugees.csv", "validation/greyhaven.csv", "validation/holloway.csv",
}

// FuzzLoad replaces one file of the minimal case with the fuzzed content
// and loads the whole case.
func FuzzLoad(f *testing.F) {
	fuzzCase := copyCase(f, minimalCase, nil)
	f.Fuzz(func(t *testing.T, which uint8, data []byte, flee bool) {
		// A hang is a failure too: the fuzzer saves the input that panics.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				panic(fmt.Sprintf("FuzzLoad: input still running after 20 s: which=%d flee=%v data=%q", which, flee, data))
			}
		}()
		rel := fuzzCaseFiles[int(which)%len(fuzzCaseFiles)]
		p := filepath.Join(fuzzCase, rel)
		orig, err := os.ReadFile(filepath.Join(minimalCase, rel))
		if err != nil {
			t.Fatal(err)
		}
		fuzzFile(t, filepath.Dir(p), filepath.Base(p), data)
		defer os.WriteFile(p, orig, 0o644)

		c, err := Load(fuzzCase, Options{Mode: fuzzMode(flee)})
		checkShape(t, c.Warnings, fuzzCase)
		if err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || len(de.Problems) == 0 {
				t.Fatalf("error %v is not a *diag.Error", err)
			}
			checkShape(t, de.Problems, fuzzCase)
			return
		}
		sc := c.Scenario
		if err := sc.Check(); err != nil {
			t.Fatal(err)
		}
		checkEvents(t, sc.Events, len(sc.Places), sc.Days, true)
		if len(c.CampSeries) != len(c.Camps) || len(c.Observed) != len(c.Camps) || len(c.Raw) != sc.Days || len(c.Debt) != sc.Days {
			t.Fatalf("camps %d, series %d, observed %d, raw %d, debt %d, days %d", len(c.Camps), len(c.CampSeries), len(c.Observed), len(c.Raw), len(c.Debt), sc.Days)
		}
		for k, obs := range c.Observed {
			if len(obs) != sc.Days || c.Camps[k] < 0 || c.Camps[k] >= len(sc.Places) {
				t.Fatalf("camp %d: %d observed days", k, len(obs))
			}
		}
		if sc.Spawn.Mode == scenario.SpawnSchedule {
			if len(sc.Spawn.Daily) != sc.Days {
				t.Fatalf("schedule of %d days for %d", len(sc.Spawn.Daily), sc.Days)
			}
			for _, n := range sc.Spawn.Daily {
				if n < 0 {
					t.Fatalf("negative spawn in %v", sc.Spawn.Daily)
				}
			}
		}
		if err := c.Config.Sim.Check(); err != nil || c.Config.Spawn.Hasten < 1 {
			t.Fatalf("settings pass with %v, hasten %d", err, c.Config.Spawn.Hasten)
		}
		_ = c.Describe()

		// What loads must run: the engine may report an error (as when the
		// places in conflict run out of people) but must not panic. Only
		// small runs, to keep the fuzzer fast.
		agents := 0
		for _, p := range sc.Places {
			agents += p.Initial
		}
		for _, n := range sc.Spawn.Daily {
			agents += n
		}
		if agents > 20000 || sc.Days > 20 || sc.Spawn.Mode != scenario.SpawnSchedule {
			return
		}
		e, err := sim.New(sc, c.Config.Sim, 1)
		if err != nil {
			return
		}
		_ = e.Run(context.Background(), sim.ObserverFunc(func(int, *sim.Engine) error { return nil }))
	})
}

var writeFuzzSeeds = flag.Bool("write-fuzz-seeds", false, "rewrite testdata/fuzz/ from the good and bad cases")

// TestWriteFuzzSeeds rewrites the seed corpora in testdata/fuzz/ from
// testdata/good/minimal, examples/toy-flee and every file of the bad-input
// corpus that differs from the minimal case, as files named gen-*:
//
//	go test ./internal/flee -run TestWriteFuzzSeeds -write-fuzz-seeds
func TestWriteFuzzSeeds(t *testing.T) {
	if !*writeFuzzSeeds {
		t.Skip("run with -write-fuzz-seeds to rewrite testdata/fuzz/")
	}
	type source struct {
		name  string
		files map[string][]byte // by path relative to the case folder
	}
	readCase := func(name, dir string) source {
		s := source{name: name, files: map[string][]byte{}}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			data, err := os.ReadFile(p)
			s.files[filepath.ToSlash(rel)] = data
			return err
		})
		return s
	}
	minimal := readCase("minimal", minimalCase)
	sources := []source{minimal, readCase("toy", "../../examples/toy-flee")}
	bad, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bad {
		if !e.IsDir() {
			continue
		}
		s := readCase("bad-"+e.Name(), filepath.Join("testdata/bad", e.Name()))
		for rel, data := range s.files {
			if m, ok := minimal.files[rel]; (ok && bytes.Equal(m, data)) || rel == "want.txt" || rel == "args.txt" {
				delete(s.files, rel)
			}
		}
		sources = append(sources, s)
	}

	seeds := map[string]map[string][]any{} // fuzz target -> seed name -> values
	add := func(target, name string, vals ...any) {
		if seeds[target] == nil {
			seeds[target] = map[string][]any{}
		}
		seeds[target][name] = vals
	}
	// Series and correction files name camps of the minimal case; the
	// layout and correction fuzzers use a.csv, b.csv and series A and Z.
	toFuzzNames := strings.NewReplacer("greyhaven.csv", "a.csv", "holloway.csv", "b.csv", "refugees.csv", "a.csv", "Greyhaven", "A", "Holloway", "Z")
	for _, s := range sources {
		for rel, data := range s.files {
			base := filepath.Base(rel)
			name := s.name + "-" + strings.TrimSuffix(base, filepath.Ext(base))
			if strings.HasSuffix(rel, ".csv") {
				add("FuzzParseCSV", name, data)
			}
			switch {
			case base == "locations.csv":
				add("FuzzReadLocations", name, data, false, uint8(1))
			case base == "routes.csv":
				add("FuzzReadRoutes", name, data, false)
			case base == "closures.csv":
				add("FuzzReadClosures", name, data, false, uint8(10))
			case base == "conflicts.csv":
				add("FuzzReadConflicts", name, data, false, uint8(10))
			case base == "sim_period.csv":
				add("FuzzReadPeriod", name, data)
			case base == "registration_corrections.csv":
				add("FuzzApplyCorrections", name, []byte(toFuzzNames.Replace(string(data))))
			case base == "data_layout.csv":
				add("FuzzReadLayout", name, []byte(toFuzzNames.Replace(string(data))), minimal.files["validation/greyhaven.csv"], false)
			case strings.HasPrefix(rel, "validation/"):
				add("FuzzReadSeriesFile", name, data, false, uint8(1))
			case strings.HasSuffix(base, ".yml"):
				add("FuzzSettings", name, data, "")
			}
			if s.name == "toy" {
				continue
			}
			for i, f := range fuzzCaseFiles {
				if f == rel {
					add("FuzzLoad", name, uint8(i), data, false)
				}
			}
		}
	}
	// Flee mode, hasten and --set.
	add("FuzzReadLocations", "minimal-flee-hasten", minimal.files["input/locations.csv"], true, uint8(10))
	add("FuzzReadRoutes", "minimal-flee", minimal.files["input/routes.csv"], true)
	add("FuzzReadClosures", "minimal-flee", minimal.files["input/closures.csv"], true, uint8(5))
	add("FuzzReadConflicts", "minimal-flee", minimal.files["input/conflicts.csv"], true, uint8(3))
	add("FuzzReadSeriesFile", "minimal-flee-hasten", minimal.files["validation/greyhaven.csv"], true, uint8(3))
	add("FuzzReadLayout", "two-files", []byte("total,a.csv\nAB,a.csv,b.csv\n#c,x\n"), []byte("Date,n\n2024-02-20,4\n2024-03-03,0\n2024-03-09,20\n"), false)
	add("FuzzReadLayout", "two-files-flee", []byte("total,a.csv\nAB,a.csv,b.csv\nBA,b.csv,a.csv\n"), []byte("2024-03-05,4\n2024-03-01,7\n"), true)
	add("FuzzSettings", "set-float", []byte{}, "move_rules.max_move_speed=200")
	add("FuzzSettings", "set-list", []byte("spawn_rules:\n  conflict_spawn_decay: [1]\n"), "spawn_rules.conflict_spawn_decay=[1, 0.5, .nan]")
	add("FuzzSettings", "set-section", []byte("spawn_rules:\n  conflict_driven_spawning:\n    spawn_mode: pop_ratio\n"), "spawn_rules.conflict_driven_spawning.displaced_per_conflict_day=0.5")
	add("FuzzSettings", "anchors", []byte("move_rules:\n  camp_weight: &w 2\n  conflict_weight: *w\n"), "optimisations.hasten=2")
	for i, f := range fuzzCaseFiles {
		add("FuzzLoad", "minimal-flee-"+strings.NewReplacer("/", "-", ".", "-").Replace(f), uint8(i), minimal.files[f], true)
	}
	for i, s := range []string{"a,b\n", "\"a\nb\",c\r\n", "a,\"b", "\"a\"b,c\n\"d", "\ufeffa\r\nb\r", "a\rb\r\rc", "x\"y,\"\"\"\"\n", "\xe9\n", "\xff\xfea\x00", "a\x00b"} {
		add("FuzzParseCSV", fmt.Sprintf("extra-%d", i), []byte(s))
	}
	for i, s := range []string{"2024-03-01", "2024-3-1", " 2024-02-29 ", "2023-02-29", "0001-01-01", "9999-12-31", "24-03-01", "2024-13-01", "2024-003-01", "2024-+3-01", "2024/03/01", "", "Date", "2024-03-01T00:00"} {
		add("FuzzParseDate", fmt.Sprintf("date-%d", i), s)
	}

	for target, byName := range seeds {
		// Generated seeds are named gen-*; other files (crashers, hand-written
		// seeds) are kept.
		dir := filepath.Join("testdata", "fuzz", target)
		old, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
		for _, p := range old {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, vals := range byName {
			name = "gen-" + name
			var b strings.Builder
			b.WriteString("go test fuzz v1\n")
			for _, v := range vals {
				switch x := v.(type) {
				case []byte:
					fmt.Fprintf(&b, "[]byte(%q)\n", x)
				case string:
					fmt.Fprintf(&b, "string(%q)\n", x)
				case bool:
					fmt.Fprintf(&b, "bool(%v)\n", x)
				case uint8:
					fmt.Fprintf(&b, "byte(%q)\n", x)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d seeds", target, len(byName))
	}
}
