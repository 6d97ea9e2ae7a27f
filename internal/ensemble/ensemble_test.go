package ensemble

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/diag"
)

func TestParseParams(t *testing.T) {
	ps, err := ParseParams("p.yml", []byte(`
- key: move_rules.max_move_speed
  min: 100
  max: 400
- key: move_rules.camp_weight
  name: cw
  min: 0.5
  max: 8
  scale: log
- key: move_rules.awareness_level
  min: 1
  max: 3
  integer: true
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].Name != "max_move_speed" || ps[1].Name != "cw" {
		t.Fatalf("%+v", ps)
	}
	if v := ps[0].Value(0.5); v != 250 {
		t.Errorf("linear midpoint %v", v)
	}
	if v := ps[1].Value(0.5); math.Abs(v-2) > 1e-12 {
		t.Errorf("log midpoint %v, want 2", v)
	}
	for u, want := range map[float64]float64{0: 1, 0.33: 1, 0.34: 2, 0.99: 3, 1: 3} {
		if v := ps[2].Value(u); v != want {
			t.Errorf("integer Value(%v) = %v, want %v", u, v, want)
		}
	}
	for _, u := range []float64{0, 0.2, 0.7, 1} {
		if got := ps[1].Unit(ps[1].Value(u)); math.Abs(got-u) > 1e-10 {
			t.Errorf("log Unit(Value(%v)) = %v", u, got)
		}
	}
	for _, v := range []float64{0.5, 0.75, 1, 3.3, 8} {
		if got := ps[1].Value(ps[1].Unit(v)); got != v {
			t.Errorf("log Value(Unit(%v)) = %v", v, got)
		}
	}
	if s := ps[0].Override(250); s != "move_rules.max_move_speed=250" {
		t.Errorf("override %q", s)
	}
	if s := FormatValue(0.1); s != "0.1" {
		t.Errorf("FormatValue(0.1) = %q", s)
	}
	// The mapping form.
	if ps, err := ParseParams("p.yml", []byte("params:\n  - {key: move_rules.camp_weight, min: 1, max: 2}\n")); err != nil || len(ps) != 1 {
		t.Fatalf("mapping form: %v %v", ps, err)
	}
}

func TestParseParams_Errors(t *testing.T) {
	_, err := ParseParams("p.yml", []byte(`
- key: move_rules.max_move_sped
  min: 100
  max: 400
- key: move_rules.camp_weight
  min: 0
  max: 2
  scale: log
- key: move_rules.conflict_weight
  min: 2
  max: 1
`))
	var de *diag.Error
	if !errors.As(err, &de) || len(de.Problems) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{`p.yml:2:8: key: "move_rules.max_move_sped" is not a setting`, `did you mean "move_rules.max_move_speed"`,
		"p.yml:6:8: min: a log scale needs min > 0", "p.yml:11:8: max: max 1 must be greater than min 2"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := ParseParams("p.yml", []byte("- key: move_rules.camp_weight\n  min: 1\n  max: 2\n  typo: 3\n")); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestDesign_Unit(t *testing.T) {
	for _, kind := range []string{DesignLHS, DesignHalton, DesignSobol} {
		d := Design{Kind: kind, Points: 16, Replicates: 1, DesignSeed: 3}
		pts, err := d.Unit(3)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := d.Unit(3)
		if len(pts) != 16 {
			t.Fatalf("%s: %d points", kind, len(pts))
		}
		for i := range pts {
			for j, u := range pts[i] {
				if u < 0 || u >= 1 || u != again[i][j] {
					t.Fatalf("%s: point %d = %v (again %v)", kind, i, pts[i], again[i])
				}
			}
		}
		if kind == DesignLHS {
			// One point per stratum in every dimension.
			for j := 0; j < 3; j++ {
				seen := map[int]bool{}
				for i := range pts {
					seen[int(pts[i][j]*16)] = true
				}
				if len(seen) != 16 {
					t.Fatalf("lhs dimension %d covers %d strata", j, len(seen))
				}
			}
		}
	}
}

func TestDesign_Saltelli(t *testing.T) {
	d := Design{Kind: DesignSaltelli, Points: 8, Replicates: 1}
	pts, err := d.Unit(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 8*5 || d.Size(3) != 40 {
		t.Fatalf("%d points", len(pts))
	}
	for row := 0; row < 8; row++ {
		a, b := pts[row*5], pts[row*5+1]
		for i := 0; i < 3; i++ {
			ab := pts[row*5+2+i]
			for j := 0; j < 3; j++ {
				want := a[j]
				if j == i {
					want = b[j]
				}
				if ab[j] != want {
					t.Fatalf("row %d AB_%d = %v, A %v, B %v", row, i, ab, a, b)
				}
			}
			if r, role := SaltelliRole(row*5+2+i, 3); r != row || role != i {
				t.Fatalf("role of %d: %d %d", row*5+2+i, r, role)
			}
		}
	}
}

func TestDesign_Morris(t *testing.T) {
	d := Design{Kind: DesignMorris, Points: 5, Replicates: 1, Levels: 4, DesignSeed: 9}
	pts, err := d.Unit(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 5*4 {
		t.Fatalf("%d points", len(pts))
	}
	delta := 4.0 / 6
	for tr := 0; tr < 5; tr++ {
		moved := map[int]bool{}
		for s := 1; s <= 3; s++ {
			prev, cur := pts[tr*4+s-1], pts[tr*4+s]
			n := 0
			for j := range cur {
				if cur[j] != prev[j] {
					n++
					moved[j] = true
					if math.Abs(math.Abs(cur[j]-prev[j])-delta) > 1e-9 {
						t.Fatalf("step of %v", cur[j]-prev[j])
					}
				}
				if cur[j] < 0 || cur[j] > 1 {
					t.Fatalf("out of the cube: %v", cur)
				}
			}
			if n != 1 {
				t.Fatalf("trajectory %d step %d moves %d parameters", tr, s, n)
			}
		}
		if len(moved) != 3 {
			t.Fatalf("trajectory %d moves %d parameters", tr, len(moved))
		}
	}
}

func TestQuantile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5}
	for q, want := range map[float64]float64{0: 1, 0.05: 1.2, 0.5: 3, 0.95: 4.8, 1: 5} {
		if got := Quantile(s, q); math.Abs(got-want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if got := Quantile([]float64{7}, 0.95); got != 7 {
		t.Errorf("one value: %v", got)
	}
}

func TestParseIndices(t *testing.T) {
	got, err := ParseIndices("0-2,5, 7", 10)
	if err != nil || len(got) != 5 || got[3] != 5 || got[4] != 7 {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"10", "-1", "3-1", "a", "2-x"} {
		if _, err := ParseIndices(bad, 10); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
