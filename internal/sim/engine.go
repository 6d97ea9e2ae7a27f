// Package sim is Caravan's simulation engine: agents moving over a graph of
// places, one day at a time, under Flee's ruleset (docs/flee-model.md) with
// Caravan's fixes unless Settings.Mode is ModeFlee.
//
// Agents are kept as parallel arrays of small numbers (24 bytes an agent).
// Every random draw is addressed by (agent, day, purpose), so results do not
// depend on processing order or worker count.
package sim

import (
	"context"
	"fmt"
	"math"
	"unsafe"

	"github.com/caravan-sim/caravan/internal/rng"
	"github.com/caravan-sim/caravan/internal/scenario"
)

// Place flags.
const (
	pCamp uint8 = 1 << iota
	pIDPCamp
	pTown
	pForward
	pMarker
)

// Agent flags.
const (
	aTravelling uint8 = 1 << iota
	aBounce           // Flee mode: on a link that was closed while it travelled
)

const noPath = -1

// Observer receives the state after each simulated day.
type Observer interface {
	Day(day int, v *Engine) error
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(day int, v *Engine) error

// Day calls f.
func (f ObserverFunc) Day(day int, v *Engine) error { return f(day, v) }

// Engine holds the state of one simulation.
type Engine struct {
	sc  *scenario.Scenario
	set Settings
	key rng.Key

	day int // the day being simulated, or the number of days done

	// Places.
	nPlaces  int
	flags    []uint8
	moveCh   []float64 // base move chance by type
	conflict []float64 // intensity, or -1 when not in conflict
	toc      []int     // day the current conflict started (-1 from load)
	pop      []float64
	capacity []float64
	foreign  []bool
	country  []int32          // the country each place is in today
	countryN map[string]int32 // country name -> index in country
	count    []int32          // agents present (not on links)
	score    []float64
	epScore  []float64 // endpoint score used by route choice this day
	effMove  []float64 // today's move chance for an agent without a route
	moveThr  []uint64  // effMove as a threshold on rng.DayKey.Bits
	capFree  []float64 // occupancy up to which the capacity multiplier is 1 (+Inf: no limit)

	// Directed links, two per route (four for a duplicated route in Flee mode).
	linkFrom   []int32
	linkTo     []int32
	linkDist   []float64
	linkSpeed  []float64 // 0: use MaxMoveSpeed
	linkWalk   []float64
	linkClosed []int32 // number of closures in force (Flee mode: 0 or 1)
	linkRoute  []int32 // the scenario route a link belongs to
	routeCap   []int32 // per scenario route: people a day, 0 = no limit; nil when no route has one
	routeUsed  []int32 // per scenario route: people who set out today
	capTurned  int64   // departures refused by a full route
	linkUse    []int64 // agents that have entered the link
	out        [][]int32

	// Route candidates per place, rebuilt when links open or close.
	cand      [][]candidate
	candValid []bool
	tables    []routeTable
	paths     pathPool
	wbuf      []float64

	// Agents, indexed by id (creation order). Phase A scans every agent
	// every day, so what it needs fits in 4 bytes (aLoc); the state of moving
	// agents is in ag.
	aLoc    []int32 // see locWord
	ag      []agent
	aHome   []int32
	aRecent []float32 // only with AvoidShortStints
	aMoved  []float32 // only with AvoidShortStints

	hopKeys [32]rng.DayKey // phase-B draw keys for the first hops of the day

	travelling []int32 // agents on links, ascending
	departed   []int32 // scratch: agents that left a place in phase A

	spawnCum []float64
	spawned  int // agents created after day 0

	agentSteps int64
	warnings   []string

	x *ext // Caravan's mechanisms beyond Flee's; nil for a Flee case

	tally *Tally // per-place movement counts; nil unless EnableTally (observe.go)
}

// locWord packs what phase A needs to know of an agent: at a place, the
// place id, with routeBit set if a route is pending (it then moves with
// certainty); on a link, the complement of the link id (negative).
const routeBit = 1 << 30

func atPlace(place int32, path int32) int32 {
	if path != noPath {
		return place | routeBit
	}
	return place
}

// agent is the state of one agent beyond aLoc.
type agent struct {
	path   int32   // remaining route: path id, or noPath
	prog   float32 // km travelled on the current link
	step   uint8   // next index into the path
	flags  uint8
	places uint16 // places visited, saturating
}

type candidate struct {
	end      int32   // endpoint place
	path     int32   // path id in the pool (excluding the origin)
	first    int32   // the link of a one-hop candidate, or -1
	distTerm float64 // 1 / (softening + D)^distance_power
}

// New builds an engine for a scenario. The engine only reads the scenario
// (New and Run never modify it), so one loaded scenario may back many engines
// at once, as ensembles do; it must not change while they run.
func New(sc *scenario.Scenario, set Settings, seed uint64) (*Engine, error) {
	if err := sc.Check(); err != nil {
		return nil, err
	}
	if err := set.Check(); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	e := &Engine{sc: sc, set: set, key: rng.NewKey(seed, 1)}
	e.initPlaces()
	e.initLinks()
	e.initRouteCaps()
	e.initAgents()
	if err := e.initSystem(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) initPlaces() {
	n := len(e.sc.Places)
	e.nPlaces = n
	e.flags = make([]uint8, n)
	e.moveCh = make([]float64, n)
	e.conflict = make([]float64, n)
	e.toc = make([]int, n)
	e.pop = make([]float64, n)
	e.capacity = make([]float64, n)
	e.foreign = make([]bool, n)
	e.country = make([]int32, n)
	e.countryN = map[string]int32{}
	e.count = make([]int32, n)
	e.score = make([]float64, n)
	e.epScore = make([]float64, n)
	e.effMove = make([]float64, n)
	e.moveThr = make([]uint64, n)
	e.capFree = make([]float64, n)
	e.cand = make([][]candidate, n)
	e.candValid = make([]bool, n)
	e.tables = make([]routeTable, n)
	s := &e.set
	for i, p := range e.sc.Places {
		e.conflict[i] = -1
		e.toc[i] = -1
		e.pop[i] = float64(p.Pop)
		e.capacity[i] = float64(p.Capacity)
		if p.Capacity < 1 {
			e.capacity[i] = -1
		}
		e.foreign[i] = p.Foreign
		e.country[i] = e.countryID(p.Country)
		switch p.Kind {
		case scenario.Camp:
			e.flags[i] = pCamp
			e.moveCh[i] = s.CampMoveChance
		case scenario.IDPCamp:
			e.flags[i] = pCamp | pIDPCamp
			e.moveCh[i] = s.IDPCampMoveChance
		case scenario.Conflict:
			e.moveCh[i] = s.ConflictMoveChance
			e.conflict[i] = p.ConflictIntensity
			if e.conflict[i] == 0 {
				e.conflict[i] = 1
			}
		case scenario.Forward:
			e.flags[i] = pForward
			e.moveCh[i] = 1
		case scenario.Marker:
			e.flags[i] = pMarker
			e.moveCh[i] = 1
		case scenario.Town:
			e.flags[i] = pTown
			e.moveCh[i] = s.DefaultMoveChance
		default:
			e.moveCh[i] = 1
		}
		// Flee turns any non-camp place people almost never leave into a camp.
		if e.moveCh[i] < 0.005 && e.flags[i]&pCamp == 0 {
			e.flags[i] = (e.flags[i] | pCamp) &^ pTown
		}
	}
}

// IsCamp reports whether place i counted as a camp when the scenario loaded
// (Flee's rule, including the automatic camp for move chances below 0.005).
func IsCampAtLoad(sc *scenario.Scenario, set Settings, i int) bool {
	p := sc.Places[i]
	switch p.Kind {
	case scenario.Camp, scenario.IDPCamp:
		return true
	case scenario.Conflict:
		return set.ConflictMoveChance < 0.005
	case scenario.Town:
		return set.DefaultMoveChance < 0.005
	}
	return false
}

func (e *Engine) initLinks() {
	e.out = make([][]int32, e.nPlaces)
	var ri int
	add := func(from, to int, r scenario.Route) {
		id := int32(len(e.linkFrom))
		e.linkRoute = append(e.linkRoute, int32(ri))
		e.linkUse = append(e.linkUse, 0)
		e.linkFrom = append(e.linkFrom, int32(from))
		e.linkTo = append(e.linkTo, int32(to))
		e.linkDist = append(e.linkDist, r.DistanceKM)
		e.linkSpeed = append(e.linkSpeed, r.MaxSpeed)
		e.linkWalk = append(e.linkWalk, r.WalkProbability)
		e.linkClosed = append(e.linkClosed, 0)
		e.out[from] = append(e.out[from], id)
	}
	for k, r := range e.sc.Routes {
		ri = k
		// Flee appends both directions per row, duplicates (forced_redirection=1)
		// as a second pair before the normal one.
		if r.Duplicate && e.set.Mode == ModeFlee {
			add(r.From, r.To, r)
			add(r.To, r.From, r)
		}
		add(r.From, r.To, r)
		add(r.To, r.From, r)
	}
}

func (e *Engine) initRouteCaps() {
	for k, r := range e.sc.Routes {
		if r.CapacityPerDay > 0 {
			if e.routeCap == nil {
				e.routeCap = make([]int32, len(e.sc.Routes))
				e.routeUsed = make([]int32, len(e.sc.Routes))
			}
			e.routeCap[k] = int32(min(r.CapacityPerDay, math.MaxInt32))
		}
	}
}

func (e *Engine) initAgents() {
	total := 0
	for _, p := range e.sc.Places {
		total += p.Initial
	}
	if e.sc.Spawn.Mode == scenario.SpawnSchedule {
		for d := 0; d < e.sc.Days && d < len(e.sc.Spawn.Daily); d++ {
			total += e.sc.Spawn.Daily[d]
		}
	}
	e.aLoc = make([]int32, 0, total)
	e.ag = make([]agent, 0, total)
	e.aHome = make([]int32, 0, total)
	if e.set.AvoidShortStints {
		e.aRecent = make([]float32, 0, total)
		e.aMoved = make([]float32, 0, total)
	}
	for i, p := range e.sc.Places {
		for k := 0; k < p.Initial; k++ {
			e.addAgent(int32(i))
		}
	}
}

func (e *Engine) addAgent(place int32) {
	if e.x != nil {
		e.addAgentGroup(place, e.drawGroupAt(int32(len(e.ag)), place, 0, uint32(e.day)))
		return
	}
	e.addAgentGroup(place, 0)
}

func (e *Engine) addAgentGroup(place int32, g uint8) {
	if e.x != nil {
		e.newAgentExt(place, g)
	}
	if e.tally != nil {
		e.tally.Displaced[g]++
	}
	e.aLoc = append(e.aLoc, place)
	e.ag = append(e.ag, agent{path: noPath, places: 1})
	e.aHome = append(e.aHome, place)
	if e.aRecent != nil || e.set.AvoidShortStints {
		e.aRecent = append(e.aRecent, 0)
		e.aMoved = append(e.aMoved, 0)
	}
	e.count[place]++
}

// Run simulates every remaining day, calling obs after each.
func (e *Engine) Run(ctx context.Context, obs Observer) error {
	for e.day < e.sc.Days {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.Step(); err != nil {
			return err
		}
		if obs != nil {
			if err := obs.Day(e.day-1, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Step simulates one day in Flee's order: conflicts, spawning, closures,
// scores, then every agent decides (phase A) before anyone travels (phase B).
func (e *Engine) Step() error {
	t := e.day
	if t >= e.sc.Days {
		return fmt.Errorf("sim: day %d is past the end (%d days)", t, e.sc.Days)
	}
	e.applyEvents(t, true)
	if err := e.spawn(t); err != nil {
		return err
	}
	e.applyEvents(t, false)
	if e.x != nil {
		e.policyDay(t)
	}
	e.updatePlaces(t)
	for k := range e.routeUsed {
		e.routeUsed[k] = 0
	}
	e.agentSteps += int64(len(e.ag))
	e.phaseA(t)
	e.phaseB(t)
	e.dailyPass(t)
	if e.set.AvoidShortStints {
		for i := range e.aRecent {
			e.aRecent[i] = (e.aRecent[i] + e.aMoved[i]/float32(e.set.MaxMoveSpeed)) / 2
			e.aMoved[i] = 0
		}
	}
	e.day++
	return nil
}

// updatePlaces recomputes scores and move chances, once a day before anyone
// moves, as Flee does.
func (e *Engine) updatePlaces(t int) {
	s := &e.set
	for i := 0; i < e.nPlaces; i++ {
		sc := 1.0
		if e.foreign[i] {
			sc *= s.ForeignWeight
		}
		if e.flags[i]&pCamp != 0 {
			sc *= s.CampWeight
		}
		if e.conflict[i] > 0 {
			sc *= math.Pow(s.ConflictWeight, s.decay(t-e.toc[i])*e.conflict[i])
		}
		e.score[i] = sc
		ep := sc
		if s.UsePopForLocWeight && e.flags[i]&pCamp == 0 {
			ep *= math.Pow(math.Max(1, e.pop[i]), s.PopPowerForLocWeight)
		}
		e.epScore[i] = ep
		if d := e.sc.Places[i].CapacityPerDay; d > 0 {
			if e.capacity[i] < 0 {
				e.capacity[i] = 0
			}
			e.capacity[i] += float64(d)
		}
		mc := e.moveCh[i]
		if s.MovechancePopScaleFactor != 0 {
			mc *= math.Pow(math.Max(e.pop[i], e.capacity[i])/s.MovechancePopBase, s.MovechancePopScaleFactor)
		}
		e.effMove[i] = mc
		e.moveThr[i] = rng.Threshold(mc)
		if c := e.capacity[i] * s.CapacityScaling; c >= 1 {
			e.capFree[i] = s.CapacityBuffer * c
		} else {
			e.capFree[i] = math.Inf(1)
		}
	}
}

// capMult is the capacity multiplier of place i at its live occupancy.
func (e *Engine) capMult(i int32) float64 {
	c := e.capacity[i] * e.set.CapacityScaling
	if c < 1 {
		return 1
	}
	n := float64(e.count[i])
	buf := e.set.CapacityBuffer
	if n <= buf*c {
		return 1
	}
	if n >= c {
		return 0
	}
	return 1 - (n-buf*c)/(c*(1-buf))
}

func (e *Engine) phaseA(t int) {
	e.departed = e.departed[:0]
	day := uint32(t)
	move, route := e.key.Day(day, rng.Move), e.key.Day(day, rng.Move|1)
	thr := e.moveThr
	if e.x == nil {
		// The Flee path: this loop is the engine's hottest.
		for i, w := range e.aLoc {
			if w < 0 {
				continue // travelling
			}
			// u < p exactly when the 53 random bits are below ceil(p·2^53).
			if !(move.Bits(uint32(i)) < thr[w&^routeBit] || w&routeBit != 0) {
				continue
			}
			loc := w &^ routeBit
			if e.decide(int32(i), loc, route.Float(uint32(i)), 0) {
				e.departed = append(e.departed, int32(i))
			}
		}
	} else {
		for i, w := range e.aLoc {
			if w < 0 || e.ag[i].flags&aSettled != 0 {
				continue // travelling, or settled for good
			}
			if !(move.Bits(uint32(i)) < thr[w&^routeBit] || w&routeBit != 0) {
				continue
			}
			loc := w &^ routeBit
			if e.decide(int32(i), loc, route.Float(uint32(i)), 0) {
				e.departed = append(e.departed, int32(i))
			}
		}
	}
	if len(e.departed) == 0 {
		return
	}
	// Merge newly departed agents into the ascending travelling list so that
	// phase B visits agents in creation order, as Flee does. The merge runs
	// from the back, in place, so no third list is needed.
	a, b := e.travelling, e.departed
	n := len(a) + len(b)
	if cap(a) < n {
		grown := make([]int32, len(a), n+n/4)
		copy(grown, a)
		a = grown
	}
	a = a[:n]
	ia, ib := len(e.travelling)-1, len(b)-1
	for k := n - 1; ib >= 0; k-- {
		if ia >= 0 && a[ia] > b[ib] {
			a[k] = a[ia]
			ia--
		} else {
			a[k] = b[ib]
			ib--
		}
	}
	e.travelling = a
}

// decide plans a route if the agent has none and takes its first step. It
// reports whether the agent is now on a link. u is the uniform number for
// the route choice.
func (e *Engine) decide(i int32, loc int32, u float64, hop uint32) bool {
	a := &e.ag[i]
	var l int32
	if a.path == noPath {
		c := e.chooseRoute(i, loc, u)
		if c == nil {
			e.aLoc[i] = loc
			return false
		}
		if c.first >= 0 {
			// One hop to a neighbour: no route to keep, the link is known.
			if e.flags[c.end]&pCamp != 0 && e.capMult(c.end) < 0.5 {
				e.aLoc[i] = loc // full-camp abort
				return false
			}
			l = c.first
			goto depart
		}
		a.path, a.step = c.path, 0
	}
	l = e.nextLink(a, loc)
	if l < 0 {
		e.aLoc[i] = loc // nextLink cleared the route
		return false
	}
depart:
	if e.x != nil && !e.borderPass(i, l, uint32(e.day), hop) {
		a.path, a.step = noPath, 0
		e.aLoc[i] = loc
		return false
	}
	if e.routeCap != nil {
		r := e.linkRoute[l]
		if c := e.routeCap[r]; c > 0 {
			if e.routeUsed[r] >= c {
				a.path, a.step = noPath, 0
				e.aLoc[i] = loc
				e.capTurned++
				return false
			}
			e.routeUsed[r]++
		}
	}
	if e.x != nil {
		e.x.countG[loc*int32(e.x.groups)+int32(e.x.group[i])]--
	}
	e.count[loc]--
	e.linkUse[l]++
	e.aLoc[i] = ^l
	a.flags |= aTravelling
	a.prog = 0
	return true
}

// nextLink finds the open link to the next place on the agent's route and
// advances the route; it clears the route and returns -1 when the link has
// gone or the final destination is a full camp.
func (e *Engine) nextLink(a *agent, loc int32) int32 {
	nodes := e.paths.nodes(a.path)
	next := nodes[a.step]
	for _, l := range e.out[loc] {
		if e.linkClosed[l] != 0 || e.linkTo[l] != next {
			continue
		}
		final := nodes[len(nodes)-1]
		if e.flags[final]&pCamp != 0 && e.capMult(final) < 0.5 {
			a.path, a.step = noPath, 0
			return -1
		}
		a.step++
		if int(a.step) >= len(nodes) {
			a.path, a.step = noPath, 0
		}
		return l
	}
	a.path, a.step = noPath, 0
	return -1
}

func (e *Engine) phaseB(t int) {
	day := uint32(t)
	for h := range e.hopKeys {
		e.hopKeys[h] = e.key.Day(day, rng.Travel|uint32(h))
	}
	keep := e.travelling[:0]
	for _, i := range e.travelling {
		if e.travel(i, day) {
			keep = append(keep, i)
		}
	}
	e.travelling = keep
}

// hopDraw is agent i's uniform number for purpose k (0 walk, 1 move, 2
// route) on its h-th hop of the day.
func (e *Engine) hopDraw(i int32, day uint32, h uint32, k uint32) float64 {
	idx := h<<2 | k
	if int(idx) < len(e.hopKeys) {
		return e.hopKeys[idx].Float(uint32(i))
	}
	return e.key.Day(day, rng.Travel|idx).Float(uint32(i))
}

// travel advances agent i along its link for one day, hopping on while the
// day's distance allows. It reports whether the agent ends the day on a link.
func (e *Engine) travel(i int32, day uint32) bool {
	s := &e.set
	a := &e.ag[i]
	moved := 0.0
	for hop := uint32(0); ; hop++ {
		l := ^e.aLoc[i]
		speed := s.MaxMoveSpeed
		if e.linkSpeed[l] > 0 {
			speed = e.linkSpeed[l]
		}
		if s.StartOnFoot && a.places == 1 {
			speed = s.MaxWalkSpeed
		}
		if w := e.linkWalk[l]; w > 0 && e.hopDraw(i, day, hop, 0) < w {
			speed = s.MaxWalkSpeed
		}
		prog := float64(a.prog) + speed
		moved += speed
		dist := e.linkDist[l]
		if !(prog > dist) {
			a.prog = float32(prog)
			e.addMoved(i, moved)
			return true
		}
		if a.places < math.MaxUint16 {
			a.places++
		}
		moved -= prog - dist
		a.prog = 0
		a.flags &^= aTravelling
		if e.bounces(a, l) {
			a.flags &^= aBounce
			from := e.linkFrom[l]
			e.aLoc[i] = atPlace(from, a.path)
			e.count[from]++
			if e.x != nil {
				e.x.countG[from*int32(e.x.groups)+int32(e.x.group[i])]++
			}
			e.addMoved(i, moved)
			return false
		}
		to := e.linkTo[l]
		e.aLoc[i] = atPlace(to, a.path)
		e.count[to]++
		if e.tally != nil {
			e.tally.arrive(e, i, e.linkFrom[l], to)
		}
		if e.x != nil {
			e.x.countG[to*int32(e.x.groups)+int32(e.x.group[i])]++
			if _, relocated := e.arrive(i, e.linkFrom[l], to, day, hop); relocated {
				e.addMoved(i, moved)
				return false
			}
		}
		if !(moved < speed) {
			e.addMoved(i, moved)
			return false
		}
		// Budget left: decide again at the new place, as Flee's evolveMore does.
		p := e.effMove[to]
		if a.path != noPath {
			p = 1
		} else if s.AvoidShortStints && e.flags[to]&pTown != 0 &&
			(float64(e.aRecent[i])+moved/s.MaxMoveSpeed)/2 < 0.5 {
			p = 1
		}
		if e.hopDraw(i, day, hop, 1) >= p {
			e.addMoved(i, moved)
			return false
		}
		if !e.decide(i, to, e.hopDraw(i, day, hop, 2), hop+1) {
			e.addMoved(i, moved)
			return false
		}
	}
}

func (e *Engine) addMoved(i int32, moved float64) {
	if e.aMoved != nil {
		e.aMoved[i] += float32(moved)
	}
}

// bounces reports whether an agent arriving over link l is sent back to its
// start: in Flee mode when the link was closed at any time while the agent was
// on it (Flee's reopened copy never clears the mark); otherwise when the link
// is closed at arrival.
func (e *Engine) bounces(a *agent, l int32) bool {
	if e.set.Mode == ModeFlee {
		return a.flags&aBounce != 0
	}
	return e.linkClosed[l] != 0
}

// RouteFlows returns, per scenario route, how many agents have set out along
// it from its From place (forward) and from its To place (back).
func (e *Engine) RouteFlows() (forward, back []int64) {
	n := len(e.sc.Routes)
	forward, back = make([]int64, n), make([]int64, n)
	for l, r := range e.linkRoute {
		if int(e.linkFrom[l]) == e.sc.Routes[r].From {
			forward[r] += e.linkUse[l]
		} else {
			back[r] += e.linkUse[l]
		}
	}
	return forward, back
}

// Day returns the number of days simulated so far.
func (e *Engine) Day() int { return e.day }

// Scenario returns the scenario being simulated.
func (e *Engine) Scenario() *scenario.Scenario { return e.sc }

// Count returns the number of agents at place i (not on links).
func (e *Engine) Count(i int) int { return int(e.count[i]) }

// Agents returns the number of agents created so far.
func (e *Engine) Agents() int { return len(e.ag) }

// OnLinks returns the number of agents travelling.
func (e *Engine) OnLinks() int { return len(e.travelling) }

// AgentSteps returns the number of agent-days simulated so far.
func (e *Engine) AgentSteps() int64 { return e.agentSteps }

// Warnings returns notes about questionable situations met while running.
func (e *Engine) Warnings() []string { return e.warnings }

// BytesPerAgent is the memory the engine keeps per agent, not counting the
// lists of travelling agents (4 bytes per agent on the move).
func (e *Engine) BytesPerAgent() int {
	b := int(unsafe.Sizeof(agent{})) + 4 + 4 // agent, aLoc, aHome
	if e.set.AvoidShortStints {
		b += 8
	}
	return b
}
