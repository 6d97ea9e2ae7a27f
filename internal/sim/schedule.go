package sim

import "github.com/caravan-sim/caravan/internal/scenario"

// Schedule turns an observed cumulative total into Flee's daily
// displacement numbers (docs/flee-model.md §5.2). total[t] is the observed
// total on day t (the sum of the camp series, or the total series); day0 is
// what counts as day 0's difference (Flee mode adds the total row to the
// camp sum there). New people on day t are the day's increase minus the
// refugee debt: a fall in the total becomes a debt that later increases pay
// off first, so the number of agents follows the running maximum. With
// insertDay0, nobody is created on day 0 (the day-0 populations are placed
// before the run). raw[t] is Flee's "raw UNHCR refugee count" and debt[t] its
// refugee debt, for out.csv.
func Schedule(total []int, day0 int, insertDay0 bool) (daily, raw, debt []int) {
	days := len(total)
	daily, raw, debt = make([]int, days), make([]int, days), make([]int, days)
	d, r := 0, 0
	for t := 0; t < days; t++ {
		diff := day0
		if t > 0 {
			diff = total[t] - total[t-1]
		}
		r += diff
		n := diff - d
		if t == 0 && insertDay0 {
			n = 0
		}
		if n < 0 {
			d, n = -n, 0
		} else if d > 0 {
			d = 0
		}
		daily[t], raw[t], debt[t] = n, r, d
	}
	return daily, raw, debt
}

// MissingOrigin returns the first day on which daily[t] people are to be
// displaced but no place in conflict has a population to displace them
// from (the run would fail that day), or -1 when there is none. Loaders
// call it so that validation finds the problem before a run starts.
func MissingOrigin(sc *scenario.Scenario, daily []int) int {
	inConflict := make([]bool, len(sc.Places))
	for i, p := range sc.Places {
		inConflict[i] = p.Kind == scenario.Conflict
	}
	k := 0
	for t := 0; t < sc.Days && t < len(daily); t++ {
		for ; k < len(sc.Events) && sc.Events[k].Day == t; k++ {
			switch sc.Events[k].Kind {
			case scenario.ConflictStart:
				inConflict[sc.Events[k].Place] = true
			case scenario.ConflictEnd, scenario.CloseCamp, scenario.OpenCamp:
				inConflict[sc.Events[k].Place] = false
			}
		}
		if daily[t] == 0 {
			continue
		}
		ok := false
		for i, p := range sc.Places {
			if inConflict[i] && p.Pop > 0 {
				ok = true
				break
			}
		}
		if !ok {
			return t
		}
	}
	return -1
}

// ReachableFromConflict marks the places that some place in conflict (from
// the start, or later by an event) can reach by road, ignoring closures; the
// second result counts those origins. Loaders use it to flag camps nobody
// can ever arrive at.
func ReachableFromConflict(sc *scenario.Scenario) (seen []bool, origins int) {
	adj := make([][]int, len(sc.Places))
	for _, r := range sc.Routes {
		adj[r.From] = append(adj[r.From], r.To)
		adj[r.To] = append(adj[r.To], r.From)
	}
	seen = make([]bool, len(sc.Places))
	var queue []int
	for i, p := range sc.Places {
		if p.Kind == scenario.Conflict {
			seen[i] = true
			queue = append(queue, i)
		}
	}
	for _, e := range sc.Events {
		if e.Kind == scenario.ConflictStart && !seen[e.Place] {
			seen[e.Place] = true
			queue = append(queue, e.Place)
		}
	}
	origins = len(queue)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range adj[p] {
			if !seen[q] {
				seen[q] = true
				queue = append(queue, q)
			}
		}
	}
	return seen, origins
}
