package spec

import (
	"context"
	"testing"

	"github.com/caravan-sim/caravan/internal/sim"
)

// A scenario using every mechanism beyond Flee's compiles and each mechanism
// acts when simulated.
func TestCompile_System(t *testing.T) {
	l, err := Load("testdata/system.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Compile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	sys := c.Scenario.System
	if sys == nil || len(sys.Groups) != 2 || len(sys.Drivers) != 1 || len(sys.Onward) != 1 || sys.Affinity == nil {
		t.Fatalf("system not compiled: %+v", sys)
	}
	// 300 a day from 1920-01-10 to 1920-02-29: 51 days.
	total := 0.0
	for _, v := range sys.Drivers[0].Daily {
		total += v
	}
	if total != 300*51 {
		t.Errorf("driver displaces %v people, want %v", total, 300*51)
	}
	e, err := sim.New(c.Scenario, c.Settings, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if e.Agents() != 300*51 {
		t.Errorf("%d agents, want %d", e.Agents(), 300*51)
	}
	if st.Refused == 0 || st.Relocated == 0 || st.Naturalised == 0 || st.Deported == 0 || st.LeftOnward == 0 {
		t.Errorf("a mechanism never acted: %+v", st)
	}
	anzali, tehran := c.Scenario.PlaceIndex("Anzali"), c.Scenario.PlaceIndex("Tehran")
	if e.Count(anzali) != 0 || e.Count(tehran) == 0 {
		t.Errorf("arrivals in Persia must be moved inland: Anzali %d, Tehran %d", e.Count(anzali), e.Count(tehran))
	}
	// Muslims favour Persia, Christians Turkey.
	ist := c.Scenario.PlaceIndex("Istanbul")
	if e.GroupCount(tehran, 0) <= e.GroupCount(tehran, 1) || e.GroupCount(ist, 1) <= e.GroupCount(ist, 0) {
		t.Errorf("affinities not visible: Tehran %d/%d, Istanbul %d/%d (muslims/christians)",
			e.GroupCount(tehran, 0), e.GroupCount(tehran, 1), e.GroupCount(ist, 0), e.GroupCount(ist, 1))
	}
	t.Logf("stats %+v; Tehran %d, Istanbul %d, Paris %d", st, e.Count(tehran), e.Count(ist), e.Count(c.Scenario.PlaceIndex("Paris")))
}
