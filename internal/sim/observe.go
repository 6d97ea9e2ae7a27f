package sim

// Tally holds cumulative per-place counts of movements the engine does not
// otherwise keep: arrivals (by group, and from another country), returns
// home, people moved away other than along a route, and deportations. It is
// kept only after EnableTally, so runs that do not ask for it pay one nil
// check per arrival. Counts are agents (one agent stands for hasten people).
type Tally struct {
	groups int
	// In[p*Groups()+g] counts arrivals of group g at place p: along a route,
	// or moved there by a state (relocation, deportation) or an onward rule.
	In []int64
	// InAbroad is In restricted to arrivals from a place in another country.
	InAbroad []int64
	// Out[p] counts people moved away from p other than along a route
	// (relocation, deportation, onward departures); OutAbroad[p] those of
	// them taken to another country.
	Out, OutAbroad []int64
	// Home[p] counts arrivals at p of people whose origin p is.
	Home []int64
	// Deported[p] counts people deported (or extradited) from p;
	// Extradited[p] those of them handed over at another state's request.
	Deported, Extradited []int64
	// Displaced[g] counts people of group g displaced since the tally was
	// enabled (agents created).
	Displaced []int64
}

// EnableTally makes the engine keep a Tally from now on and returns it. Call
// it before the first Step to count the whole run. It does not change what
// the engine simulates.
func (e *Engine) EnableTally() *Tally {
	if e.tally != nil {
		return e.tally
	}
	g := 1
	if e.x != nil {
		g = e.x.groups
	}
	n := e.nPlaces
	t := &Tally{groups: g,
		In: make([]int64, n*g), InAbroad: make([]int64, n*g),
		Out: make([]int64, n), OutAbroad: make([]int64, n), Home: make([]int64, n), Deported: make([]int64, n), Extradited: make([]int64, n), Displaced: make([]int64, g)}
	e.tally = t
	return t
}

// Tally returns the engine's tally, nil unless EnableTally was called.
func (e *Engine) Tally() *Tally { return e.tally }

// Groups returns the number of groups the tally distinguishes.
func (t *Tally) Groups() int { return t.groups }

// arrive counts agent i reaching place to from place from.
func (t *Tally) arrive(e *Engine, i int32, from, to int32) {
	g := int32(0)
	if e.x != nil {
		g = int32(e.x.group[i])
	}
	k := to*int32(t.groups) + g
	t.In[k]++
	if e.country[from] != e.country[to] {
		t.InAbroad[k]++
	}
	if e.aHome[i] == to && from != to {
		t.Home[to]++
	}
}

// moved counts agent i taken from place from to place to other than along
// a route.
func (t *Tally) moved(e *Engine, i int32, from, to int32) {
	t.Out[from]++
	if e.country[from] != e.country[to] {
		t.OutAbroad[from]++
	}
	t.arrive(e, i, from, to)
}

// LinkTotals returns, per scenario route, the agents that set out along it
// forward and back (RouteFlows) and the crossings refused forward and back
// (RefusedOn), written into the given slices, which are grown as needed.
func (e *Engine) LinkTotals(fwd, back, refFwd, refBack []int64) ([]int64, []int64, []int64, []int64) {
	n := len(e.sc.Routes)
	fwd, back = zeroed(fwd, n), zeroed(back, n)
	refFwd, refBack = zeroed(refFwd, n), zeroed(refBack, n)
	for l, r := range e.linkRoute {
		forward := int(e.linkFrom[l]) == e.sc.Routes[r].From
		var refused int64
		if e.x != nil {
			refused = e.x.Refused[l]
		}
		if forward {
			fwd[r] += e.linkUse[l]
			refFwd[r] += refused
		} else {
			back[r] += e.linkUse[l]
			refBack[r] += refused
		}
	}
	return fwd, back, refFwd, refBack
}

func zeroed(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n)
	}
	s = s[:n]
	clear(s)
	return s
}
