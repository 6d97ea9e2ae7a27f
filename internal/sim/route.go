package sim

import (
	"math"
)

// pathPool stores candidate routes (place sequences excluding the origin)
// back to back. It only grows: agents hold path ids across rebuilds.
type pathPool struct {
	start, end []int32
	flat       []int32
}

func (p *pathPool) add(nodes []int32) int32 {
	id := int32(len(p.start))
	p.start = append(p.start, int32(len(p.flat)))
	p.flat = append(p.flat, nodes...)
	p.end = append(p.end, int32(len(p.flat)))
	return id
}

func (p *pathPool) nodes(id int32) []int32 { return p.flat[p.start[id]:p.end[id]] }

// candidates returns the route candidates from place loc: every non-marker
// place within AwarenessLevel non-marker hops over open links, one entry per
// simple path; markers are looked through and cost no awareness.
func (e *Engine) candidates(loc int32) []candidate {
	if e.candValid[loc] {
		return e.cand[loc]
	}
	cs := e.cand[loc][:0]
	level := e.set.AwarenessLevel
	lookThrough := true
	if level < 0 { // -1: like 1, but markers are dead ends
		level, lookThrough = 1, false
	}
	if level == 0 { // Caravan: nearest neighbours by distance only
		level = 1
	}
	var stack []int32
	var walk func(at int32, prior float64, step int)
	walk = func(at int32, prior float64, step int) {
		for _, l := range e.out[at] {
			if e.linkClosed[l] != 0 || e.closedForAll(l) {
				continue
			}
			to := e.linkTo[l]
			if to == loc || contains(stack, to) {
				continue
			}
			d := prior + e.linkDist[l]
			stack = append(stack, to)
			s := step
			if e.flags[to]&pMarker == 0 {
				id := e.paths.add(stack)
				first := int32(-1)
				if len(stack) == 1 {
					first = l
				}
				cs = append(cs, candidate{end: to, path: id, first: first, distTerm: 1 / math.Pow(e.set.Softening+d, e.set.DistancePower)})
			} else {
				if !lookThrough {
					stack = stack[:len(stack)-1]
					continue
				}
				s--
			}
			if level > s {
				walk(to, d, s+1)
			}
			stack = stack[:len(stack)-1]
		}
	}
	walk(loc, 0, 1)
	e.cand[loc] = cs
	e.candValid[loc] = true
	return cs
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (e *Engine) invalidateRoutes() {
	for i := range e.candValid {
		e.candValid[i] = false
	}
}

// routeTable caches a place's route weights for one day. Scores are fixed
// for the day, so only endpoints with a capacity need live recomputation.
type routeTable struct {
	day      int
	static   []float64 // (weight_softening + score) × distance term, per candidate
	capped   []bool    // endpoint has a capacity: multiply by its live multiplier
	dynamic  bool      // some endpoint is capped (or weights are per agent)
	perAgent bool      // weights depend on the agent (home distance, affinity)
	// cum holds the cumulative final weights with every capacity multiplier
	// at 1: exact whenever no capped endpoint is above its buffer, which is
	// most of the time, so most decisions skip recomputing weights.
	cum  []float64
	ends []int32 // capped endpoints, to check against capFree
}

func (e *Engine) table(loc int32, cs []candidate) *routeTable {
	rt := &e.tables[loc]
	if rt.day == e.day+1 && rt.static != nil {
		return rt
	}
	s := &e.set
	rt.day = e.day + 1
	rt.static = rt.static[:0]
	rt.capped = rt.capped[:0]
	rt.cum = rt.cum[:0]
	rt.ends = rt.ends[:0]
	rt.perAgent = s.StayCloseToHome || (e.x != nil && e.x.aff != nil)
	rt.dynamic = rt.perAgent
	for _, c := range cs {
		var x float64
		if s.AwarenessLevel == 0 {
			x = c.distTerm
		} else {
			x = (s.WeightSoftening + e.epScore[c.end]) * c.distTerm
		}
		capped := s.AwarenessLevel != 0 && e.capacity[c.end]*s.CapacityScaling >= 1
		rt.dynamic = rt.dynamic || capped
		rt.static = append(rt.static, x)
		rt.capped = append(rt.capped, capped)
		if capped {
			rt.ends = append(rt.ends, c.end)
		}
	}
	if !rt.perAgent {
		w := e.finishWeights(append(e.wbuf[:0], rt.static...))
		acc := 0.0
		for _, x := range w {
			acc += x
			rt.cum = append(rt.cum, acc)
		}
		e.wbuf = w
	}
	return rt
}

// belowBuffers reports whether every capped endpoint of a table is at or
// below capacity_buffer × capacity, where its multiplier is exactly 1.
func (e *Engine) belowBuffers(rt *routeTable) bool {
	for _, end := range rt.ends {
		if float64(e.count[end]) > e.capFree[end] {
			return false
		}
	}
	return true
}

// finishWeights applies weight_power and pruning in place.
func (e *Engine) finishWeights(w []float64) []float64 {
	s := &e.set
	if s.WeightPower != 1 {
		for k, x := range w {
			w[k] = math.Pow(x, s.WeightPower)
		}
	}
	if s.PruningThreshold > 1.001 {
		maxW := 0.0
		for _, x := range w {
			maxW = max(maxW, x)
		}
		for k, x := range w {
			if x < maxW/s.PruningThreshold {
				w[k] = 0
			}
		}
	}
	return w
}

// chooseRoute draws a route for agent i at loc, weighting each candidate by
// endpoint score × capacity multiplier / (softening + distance), using live
// occupancy. It returns nil when there is no candidate (the agent stays);
// when every weight is zero the candidates are equally likely.
func (e *Engine) chooseRoute(i int32, loc int32, u float64) *candidate {
	s := &e.set
	if s.AwarenessLevel == 0 && s.Mode == ModeFlee {
		return nil // Flee returns a link index instead of a name: nobody moves
	}
	cs := e.candidates(loc)
	if len(cs) == 0 {
		return nil
	}
	rt := e.table(loc, cs)
	var pick int
	if !rt.dynamic || (!rt.perAgent && e.belowBuffers(rt)) {
		pick = pickCum(rt.cum, u)
	} else {
		w := e.wbuf[:0]
		for k, x := range rt.static {
			if rt.capped[k] {
				x *= e.capMult(cs[k].end)
			}
			if s.StayCloseToHome {
				x *= e.homeFactor(i, loc, cs[k].end)
			}
			if e.x != nil {
				x *= e.affinity(i, cs[k].end)
			}
			w = append(w, x)
		}
		w = e.finishWeights(w)
		acc := 0.0
		for k, x := range w {
			acc += x
			w[k] = acc
		}
		e.wbuf = w
		pick = pickCum(w, u)
	}
	return &cs[pick]
}

// pickCum picks index k with probability proportional to its weight, given
// cumulative weights; all-zero weights pick uniformly.
func pickCum(cum []float64, u float64) int {
	total := cum[len(cum)-1]
	if !(total > 0) {
		return min(int(u*float64(len(cum))), len(cum)-1)
	}
	target := u * total
	for k, c := range cum {
		if target < c {
			return k
		}
	}
	return len(cum) - 1
}

// homeFactor is the stay_close_to_home multiplier: 1/max(1, km)^power, where
// km is the great-circle distance from the endpoint to the agent's home
// (Flee measures from the agent's current place instead).
func (e *Engine) homeFactor(i, loc, end int32) float64 {
	from := e.aHome[i]
	if e.set.Mode == ModeFlee {
		from = loc
	}
	a, b := e.sc.Places[from], e.sc.Places[end]
	d := haversineKM(a.Lat, a.Lon, b.Lat, b.Lon)
	return 1 / math.Pow(math.Max(1, d), e.set.HomeDistancePower)
}

func haversineKM(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}
