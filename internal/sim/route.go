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
			if e.linkClosed[l] != 0 {
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
				cs = append(cs, candidate{end: to, path: id, distTerm: 1 / math.Pow(e.set.Softening+d, e.set.DistancePower)})
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

// chooseRoute draws a route for agent i at loc, weighting each candidate by
// endpoint score × capacity multiplier / (softening + distance), using live
// occupancy. With no candidate the agent stays.
func (e *Engine) chooseRoute(i int32, loc int32, day uint32, draw uint32) {
	s := &e.set
	if s.AwarenessLevel == 0 && s.Mode == ModeFlee {
		return // Flee returns a link index instead of a name: nobody moves
	}
	cs := e.candidates(loc)
	if len(cs) == 0 {
		return
	}
	w := e.wbuf[:0]
	total, maxW := 0.0, 0.0
	for _, c := range cs {
		var x float64
		if s.AwarenessLevel == 0 {
			x = c.distTerm
		} else {
			ep := e.epScore[c.end]
			if s.StayCloseToHome {
				ep *= e.homeFactor(i, loc, c.end)
			}
			x = (s.WeightSoftening + ep) * c.distTerm * e.capMult(c.end)
			if s.WeightPower != 1 {
				x = math.Pow(x, s.WeightPower)
			}
		}
		w = append(w, x)
		total += x
		maxW = max(maxW, x)
	}
	if s.PruningThreshold > 1.001 && maxW > 0 {
		total = 0
		for k, x := range w {
			if x < maxW/s.PruningThreshold {
				w[k] = 0
			}
			total += w[k]
		}
	}
	e.wbuf = w
	u := e.key.Float(uint32(i), day, draw)
	pick := len(w) - 1
	if total > 0 {
		target := u * total
		acc := 0.0
		for k, x := range w {
			acc += x
			if target < acc {
				pick = k
				break
			}
		}
	} else {
		pick = int(u * float64(len(w)))
	}
	e.aPath[i] = cs[pick].path
	e.aStep[i] = 0
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
