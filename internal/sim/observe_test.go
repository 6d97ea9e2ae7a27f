package sim

import (
	"reflect"
	"testing"

	"github.com/caravan-sim/caravan/internal/scenario"
)

// The tally balances every place's population (what arrived, less what set
// out or was moved away, plus what started or was displaced there) and
// does not change the run.
func TestTally_BalancesAndChangesNothing(t *testing.T) {
	mk := func() *scenario.Scenario {
		sc := sysToy(12)
		sc.System.Policies = []scenario.Policy{{Name: "back", Kind: scenario.Deport, From: 2, To: -1, Country: "Y", Rate: 0.3, Target: -1}}
		return sc
	}
	plain := mustNew(t, mk(), DefaultSettings(), 5)
	step(t, plain, 12)
	e := mustNew(t, mk(), DefaultSettings(), 5)
	tl := e.EnableTally()
	step(t, e, 12)
	counts := func(e *Engine) []int {
		var out []int
		for i := 0; i < e.nPlaces; i++ {
			out = append(out, e.Count(i))
		}
		return out
	}
	if !reflect.DeepEqual(counts(plain), counts(e)) || plain.Stats() != e.Stats() {
		t.Fatalf("the tally changed the run: %v %+v, without it %v %+v", counts(e), e.Stats(), counts(plain), plain.Stats())
	}
	fwd, back, _, _ := e.LinkTotals(nil, nil, nil, nil)
	setOut := make([]int64, e.nPlaces)
	for r, rt := range e.sc.Routes {
		setOut[rt.From] += fwd[r]
		setOut[rt.To] += back[r]
	}
	g := tl.Groups()
	for p := 0; p < e.nPlaces; p++ {
		in := int64(0)
		for k := 0; k < g; k++ {
			in += tl.In[p*g+k]
		}
		born := int64(0)
		if p == 0 {
			born = int64(e.Agents())
		}
		if got := born + in - setOut[p] - tl.Out[p]; got != int64(e.Count(p)) {
			t.Errorf("place %d: %d displaced there + %d arrived − %d set out − %d moved away = %d, population %d",
				p, born, in, setOut[p], tl.Out[p], got, e.Count(p))
		}
	}
	if tl.Deported[3] != e.Stats().Deported || tl.Deported[3] == 0 {
		t.Errorf("deported from C: tally %d, stats %d", tl.Deported[3], e.Stats().Deported)
	}
	if tl.Home[0] < tl.Deported[3] || tl.OutAbroad[3] != tl.Deported[3] {
		t.Errorf("deported home: %d returns to O, %d taken abroad from C, %d deported", tl.Home[0], tl.OutAbroad[3], tl.Deported[3])
	}
	if tl.InAbroad[2*g]+tl.InAbroad[2*g+1] != tl.In[2*g]+tl.In[2*g+1] {
		t.Errorf("every arrival at B (country X) comes from country A")
	}
}
