package server

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/synth150 (the synthetic 150-place case)")

// synthDir is a synthetic case of 150 places over 820 days (car's length),
// committed so that the end-to-end test can open it too.
const synthDir = "testdata/synth150"

// writeSynthCase writes a Flee case folder with n places (10% conflict
// zones in the west, 10% camps in the east, towns between) joined to their
// three nearest neighbours, conflicts starting over the first months, a
// border closure, and observations for every camp.
func writeSynthCase(dir string, n, days int) error {
	rng := rand.New(rand.NewPCG(150, 820))
	type place struct {
		name, country, kind string
		lat, lon            float64
		day, pop            int
	}
	nConf, nCamp := n/10, n/10
	var ps []place
	for i := 0; i < n; i++ {
		p := place{kind: "town", country: "Westland", pop: 5000 + rng.IntN(60000)}
		switch {
		case i < nConf:
			p.kind, p.name = "conflict_zone", fmt.Sprintf("Conflict%02d", i)
			p.lon, p.lat = 12+5*rng.Float64(), 4+10*rng.Float64()
			p.day = (i * 37) % 240
		case i >= n-nCamp:
			p.kind, p.name, p.country = "camp", fmt.Sprintf("Camp%02d", i-(n-nCamp)), "Eastland"
			p.lon, p.lat = 26+4*rng.Float64(), 4+10*rng.Float64()
			p.pop = 0
		default:
			p.name = fmt.Sprintf("Town%03d", i-nConf)
			p.lon, p.lat = 16+10*rng.Float64(), 4+10*rng.Float64()
			if p.lon > 24 {
				p.country = "Eastland"
			}
		}
		ps = append(ps, p)
	}
	km := func(a, b place) float64 {
		const r = 6371.0
		la1, la2 := a.lat*math.Pi/180, b.lat*math.Pi/180
		dla, dlo := la2-la1, (b.lon-a.lon)*math.Pi/180
		h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
		return math.Round(1.2 * 2 * r * math.Asin(math.Sqrt(h)))
	}
	// Routes: three nearest neighbours, then join components.
	type edge struct{ a, b int }
	seen := map[edge]bool{}
	var routes []edge
	add := func(a, b int) {
		if a > b {
			a, b = b, a
		}
		if a != b && !seen[edge{a, b}] {
			seen[edge{a, b}] = true
			routes = append(routes, edge{a, b})
		}
	}
	for i := range ps {
		idx := make([]int, 0, n)
		for j := range ps {
			if j != i {
				idx = append(idx, j)
			}
		}
		sort.Slice(idx, func(x, y int) bool { return km(ps[i], ps[idx[x]]) < km(ps[i], ps[idx[y]]) })
		for _, j := range idx[:3] {
			add(i, j)
		}
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	for _, e := range routes {
		parent[find(e.a)] = find(e.b)
	}
	for {
		best, bi, bj := math.Inf(1), -1, -1
		for i := range ps {
			for j := range ps {
				if find(i) != find(j) && km(ps[i], ps[j]) < best {
					best, bi, bj = km(ps[i], ps[j]), i, j
				}
			}
		}
		if bi < 0 {
			break
		}
		add(bi, bj)
		parent[find(bi)] = find(bj)
	}

	var loc, rt, conf, lay bytes.Buffer
	loc.WriteString("#name,region,country,lat,lon,location_type,conflict_date,population\n")
	for _, p := range ps {
		fmt.Fprintf(&loc, "%s,%s,%s,%.4f,%.4f,%s,%d,%d\n", p.name, "R"+p.name[:1], p.country, p.lat, p.lon, p.kind, p.day, p.pop)
	}
	rt.WriteString("#name1,name2,distance,forced_redirection\n")
	for _, e := range routes {
		fmt.Fprintf(&rt, "%s,%s,%.0f,0\n", ps[e.a].name, ps[e.b].name, math.Max(1, km(ps[e.a], ps[e.b])))
	}
	conf.WriteString("#Day")
	for _, p := range ps[:nConf] {
		conf.WriteString("," + p.name)
	}
	conf.WriteByte('\n')
	for t := 0; t < days; t++ {
		fmt.Fprintf(&conf, "%d", t)
		for i, p := range ps[:nConf] {
			on := 0
			if t >= p.day && (i%2 == 0 || t < p.day+400) {
				on = 1
			}
			fmt.Fprintf(&conf, ",%d", on)
		}
		conf.WriteByte('\n')
	}
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	series := func(final float64) []byte {
		var b bytes.Buffer
		b.WriteString("Date,Refugee_numbers\n")
		for k := 0; k <= 8; k++ {
			d := k * (days - 1) / 8
			v := final * (1 - math.Exp(-3*float64(d)/float64(days))) / (1 - math.Exp(-3))
			v *= 0.85 + 0.3*rng.Float64()
			fmt.Fprintf(&b, "%s,%d\n", start.AddDate(0, 0, d).Format(time.DateOnly), int(v))
		}
		return b.Bytes()
	}
	files := map[string][]byte{
		"input/locations.csv":                []byte(loc.String()),
		"input/routes.csv":                   []byte(rt.String()),
		"input/conflicts.csv":                []byte(conf.String()),
		"input/closures.csv":                 []byte("#closure_type,name1,name2,closure_start,closure_end\ncountry,Westland,Eastland,200,260\n"),
		"input/registration_corrections.csv": {},
		"input/sim_period.csv":               []byte(fmt.Sprintf("StartDate,%s\nLength,%d\n", start.Format(time.DateOnly), days)),
		"validation/refugees.csv":            series(40000),
		"simsetting.yml":                     toySettings,
		"README.md": []byte("# synth150: a synthetic case for the workbench's tests\n\n" +
			"150 invented places over 820 days, written by internal/server/synth_test.go\n" +
			"(`go test ./internal/server -run TestSynthCase -update`). It describes nothing real.\n"),
	}
	lay.WriteString("total,refugees.csv\n")
	for _, p := range ps[n-nCamp:] {
		f := "camp-" + p.name + ".csv"
		fmt.Fprintf(&lay, "%s,%s\n", p.name, f)
		files["validation/"+f] = series(40000 / float64(nCamp))
	}
	files["validation/data_layout.csv"] = lay.Bytes()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestSynthCase checks that the committed synthetic case is what the
// generator writes (-update rewrites it).
func TestSynthCase(t *testing.T) {
	if *update {
		os.RemoveAll(synthDir)
		if err := writeSynthCase(synthDir, 150, 820); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	if err := writeSynthCase(tmp, 150, 820); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(synthDir, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run go test ./internal/server -run TestSynthCase -update", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// toySettings are the settings of examples/toy-flee (Flee's usual values).
var toySettings = []byte(`spawn_rules:
  take_from_population: False
  insert_day0: True
move_rules:
  max_move_speed: 360.0
  max_walk_speed: 35.0
  foreign_weight: 1.0
  camp_weight: 1.0
  conflict_weight: 0.25
  conflict_movechance: 1.0
  camp_movechance: 0.001
  default_movechance: 0.3
  awareness_level: 1
  capacity_scaling: 1.0
  avoid_short_stints: False
  start_on_foot: False
  weight_power: 1.0
optimisations:
  hasten: 1
`)

// WriteSynthCase is writeSynthCase for the external tests.
var WriteSynthCase = writeSynthCase

// SynthDir is the committed synthetic case, for the external tests.
const SynthDir = synthDir
