package calibrate

import (
	"context"
	"math"
	"regexp"
	"testing"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/spec"
)

const calibToy = "../cli/testdata/calib-toy"

func TestNativeParam_Scale(t *testing.T) {
	tests := []struct {
		name            string
		low, high, want float64 // want: value at u = 0.5
		integer         bool
		scale           string
	}{
		{"linear", 0.2, 0.8, 0.5, false, "linear"},
		{"log", 0.15, 1.5, 0.4743, false, "log"},
		{"integer", 350, 450, 400, true, "linear"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NativeParam{Param: spec.Param{Low: tt.low, High: tt.high, Integer: tt.integer}, Scale: tt.scale}
			if v := p.value(0.5); v != tt.want {
				t.Errorf("value(0.5) = %v, want %v", v, tt.want)
			}
			if p.value(0) != tt.low || p.value(1) != tt.high {
				t.Errorf("ends %v, %v", p.value(0), p.value(1))
			}
			if u := p.unit(tt.want); math.Abs(u-0.5) > 1e-3 {
				t.Errorf("unit(%v) = %v", tt.want, u)
			}
		})
	}
}

// A series of one subject is one item whose id joins its observations'
// ids; it is held out when any of them is.
func TestNativeRunner_HeldItems(t *testing.T) {
	r := &NativeRunner{heldOut: map[string]bool{"b": true, "h": true}}
	ev := &evaluate.Evidence{Items: []evaluate.Item{{ID: "a"}, {ID: "h"}, {ID: "a+b"}, {ID: "a+c"}}}
	got := r.heldItems(ev)
	want := []bool{false, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %s held out %v, want %v", ev.Items[i].ID, got[i], want[i])
		}
	}
}

// Both optimisers move the toy's guess of 10 a day toward the truth, 30,
// and --held-out holds out by id as held_out: true does.
func TestNativeRunner_Fit(t *testing.T) {
	for _, method := range []string{NelderMead, CMAES} {
		t.Run(method, func(t *testing.T) {
			_, err := NewNativeRunner(NativeProblem{Path: calibToy, Seeds: []uint64{1}, Workers: 1, HeldOut: regexp.MustCompile("^arrived$")})
			if err == nil {
				t.Fatal("no error with every observation held out")
			}
			r, err := NewNativeRunner(NativeProblem{Path: calibToy, Seeds: []uint64{1, 2}, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			best, evals, status, err := r.Fit(context.Background(), NativeOptions{Method: method, MaxEvals: 40, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(evals) == 0 || len(evals) > 40 || evals[0].Values[0] != 10 {
				t.Fatalf("%d evaluations, first %+v (%s)", len(evals), evals[0], status)
			}
			if math.Abs(best[0]-30) > 3 {
				t.Errorf("best %v after %d evaluations (%s); the truth is 30", best[0], len(evals), status)
			}
			for i, e := range evals[1:] {
				if e.Best > evals[i].Best {
					t.Fatalf("best so far rose at evaluation %d", e.N)
				}
			}
		})
	}
}
