package spec

import (
	"fmt"
	"math"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
)

// system compiles groups, drivers, policies, affinities and onward movement
// into the engine's scenario.System. Closed borders for everyone are events
// (events()); every other border regime is a policy here.
func (c *compiler) system() {
	d := c.doc
	sys := &scenario.System{}
	start := d.Start
	days := c.sc.Days
	nPlaces := len(c.sc.Places)

	groupIx := map[string]int{}
	for i, g := range d.Groups {
		groupIx[g.Name] = i
		sys.Groups = append(sys.Groups, scenario.Group{Name: g.Name, Attrs: g.Attributes})
	}
	if len(sys.Groups) > scenario.MaxGroups {
		c.probs.Add(diag.Problem{File: d.File, Field: "groups", Msg: fmt.Sprintf("%d groups; at most %d", len(sys.Groups), scenario.MaxGroups)})
		return
	}
	groupSet := func(names []string) scenario.GroupSet {
		var s scenario.GroupSet
		for _, n := range names {
			if g, ok := groupIx[n]; ok {
				s |= 1 << uint(g)
			}
		}
		return s
	}
	for gi := range d.Groups {
		for k := range d.Groups[gi].Shares {
			sh := &d.Groups[gi].Shares[k]
			v, ok := c.value(&sh.Share, "share")
			if !ok {
				continue
			}
			p, ok := c.index[sh.Place]
			if !ok {
				continue
			}
			if sys.Shares == nil {
				sys.Shares = make([][]float64, nPlaces)
			}
			if sys.Shares[p] == nil {
				sys.Shares[p] = make([]float64, len(sys.Groups))
			}
			sys.Shares[p][gi] = v
		}
	}

	// Drivers displace people only in spawning mode drivers; elsewhere the
	// conflict drivers are conflict events (events()).
	if d.Spawning != nil && d.Spawning.Mode == SpawnDrivers {
		for i := range d.Drivers {
			dr := &d.Drivers[i]
			sd := scenario.Driver{Name: dr.Name, Kind: string(dr.Type), Groups: groupSet(dr.Groups),
				Daily: make([]float64, days), Source: fmt.Sprintf("%s:%d", dr.File, dr.Line)}
			for _, o := range dr.Origins {
				if p, ok := c.index[o]; ok {
					sd.Origins = append(sd.Origins, p)
				}
			}
			if len(dr.Propensity) > 0 {
				// A factor per group, 1 where none is given.
				sd.Propensity = make([]float64, len(sys.Groups))
				for g := range sd.Propensity {
					sd.Propensity[g] = 1
				}
				for name, q := range dr.Propensity {
					if v, ok := c.value(q, "propensity"); ok {
						sd.Propensity[groupIx[name]] = v
					}
				}
				// Factors that leave no one to displace at an origin that has
				// people of the driver's groups are an error, not a silent
				// fall-back to the plain shares.
				for k, o := range dr.Origins {
					p, ok := c.index[o]
					if !ok {
						continue
					}
					plain, weighted := 0.0, 0.0
					for g := range sys.Groups {
						if !sd.Groups.Has(g) {
							continue
						}
						w := 1.0
						if sys.Shares != nil && sys.Shares[p] != nil {
							w = sys.Shares[p][g]
						}
						plain += w
						weighted += w * sd.Propensity[g]
					}
					if plain > 0 && !(weighted > 0) {
						c.probs.Add(dr.problem(fmt.Sprintf("origins[%d]", k), "driver %q: its propensities are 0 for every group with a share at %q, so it would displace no one there", dr.Name, o))
					}
				}
			}
			type pt struct {
				day int
				v   float64
			}
			var pts []pt
			for k := range dr.Intensity {
				v, ok := c.value(&dr.Intensity[k].Value, "intensity")
				if !ok {
					continue
				}
				pts = append(pts, pt{dr.Intensity[k].Date.DaysSince(start), v})
			}
			for t := 0; t < days; t++ {
				v := 0.0
				for k, p := range pts {
					if t < p.day {
						if dr.Curve == "linear" && k > 0 {
							q := pts[k-1]
							v = q.v + (p.v-q.v)*float64(t-q.day)/float64(p.day-q.day)
						}
						break
					}
					v = p.v
				}
				sd.Daily[t] = math.Max(0, v)
			}
			sys.Drivers = append(sys.Drivers, sd)
		}
	}

	dayOf := func(dt Date) int { return dt.DaysSince(start) }
	period := func(p *Policy) (int, int) {
		from, to := dayOf(p.Period.From), -1
		if !p.Period.To.IsZero() {
			to = dayOf(p.Period.To) + 1 // the last day is in force
		}
		return max(from, 0), to
	}
	// Policies that name a country act on its places on their first day;
	// border regimes and naturalisation and deportation by country follow
	// later changes of country in the engine.
	src := func(n *Node) string { return fmt.Sprintf("%s:%d", n.File, n.Line) }
	for i := range d.Policies {
		p := &d.Policies[i]
		fromDay, to := period(p)
		from := fromDay
		gs := groupSet(p.Groups)
		if b := p.Border; b != nil {
			if (b.Regime == "closed" && len(p.Groups) == 0) || b.Regime == "open" {
				// closed for everyone: an event; open: nothing to enforce
			} else {
				pass := 0.0
				if b.Regime != "closed" {
					if b.PassProbability == nil {
						c.probs.Add(b.problem("pass_probability", "regime %s needs pass_probability (the share who get through)", b.Regime))
						continue
					}
					v, ok := c.value(b.PassProbability, "pass_probability")
					if !ok {
						continue
					}
					pass = v
				}
				pol := scenario.Policy{Name: p.Name, Kind: scenario.Border, From: from, To: to, Groups: gs, Pass: pass, Source: src(&p.Node)}
				if b.Crossing != "" {
					pol.Crossings = []int{c.index[b.Crossing]}
				} else if len(b.Countries) == 2 {
					// A regime governs entry: from the first country into the second.
					pol.Countries = [2]string{b.Countries[0], b.Countries[1]}
				}
				if !c.bordersCrossed(&pol) {
					w := b.problem("", "policy %q governs no route: no route crosses it", p.Name)
					w.Warning = true
					c.probs.Add(w)
				}
				sys.Policies = append(sys.Policies, pol)
			}
		}
		if r := p.Reception; r != nil {
			var at []int
			country := r.Country
			if r.Place != "" {
				at = []int{c.index[r.Place]}
				country = c.countryAt(at[0], fromDay)
			} else {
				at = c.placesIn(r.Country, fromDay)
			}
			if len(r.RelocateTo) > 0 {
				var targets []int
				isTarget := map[int]bool{}
				for _, n := range r.RelocateTo {
					if x, ok := c.index[n]; ok {
						targets = append(targets, x)
						isTarget[x] = true
					}
				}
				var from []int
				for _, x := range at {
					if !isTarget[x] {
						from = append(from, x)
					}
				}
				sys.Policies = append(sys.Policies, scenario.Policy{Name: p.Name, Kind: scenario.Relocate, From: fromDay, To: to,
					Groups: gs, Places: from, Targets: targets, Source: src(&p.Node)})
			}
			if r.NaturaliseAfterYears != nil {
				if y, ok := c.value(r.NaturaliseAfterYears, "naturalise_after_years"); ok {
					sys.Policies = append(sys.Policies, scenario.Policy{Name: p.Name, Kind: scenario.Naturalise, From: from, To: to,
						Groups: gs, Country: country, Days: int(math.Round(y * 365.25)), Source: src(&p.Node)})
				}
			}
			if r.Allowance != nil {
				w := r.problem("allowance", "an allowance is recorded but does not change movement in this Caravan version")
				w.Warning = true
				c.probs.Add(w)
			}
		}
		if dp := p.Deportation; dp != nil {
			rate := 1.0
			if dp.RatePerYear != nil {
				if v, ok := c.value(dp.RatePerYear, "rate_per_year"); ok {
					rate = v
				}
			}
			target := -1
			if dp.To != "" {
				if x, ok := c.index[dp.To]; ok {
					target = x
				}
			}
			sys.Policies = append(sys.Policies, scenario.Policy{Name: p.Name, Kind: scenario.Deport, From: from, To: to,
				Groups: gs, Country: dp.Country, Places: c.indices(dp.Places), Naturalised: dp.Naturalised,
				Rate: yearlyToDaily(rate), Target: target, Source: src(&p.Node)})
		}
		if ex := p.Extradition; ex != nil {
			if !ex.Granted {
				continue // refusal protects: nothing is enforced
			}
			share := 1.0
			if ex.Share != nil {
				if v, ok := c.value(ex.Share, "share"); ok {
					share = v
				}
			}
			target := -1
			if x, ok := c.index[ex.To]; ok {
				target = x
			}
			// Granted extradition hands over the share of the groups present
			// each year, to the requesting place (or home).
			sys.Policies = append(sys.Policies, scenario.Policy{Name: p.Name, Kind: scenario.Deport, From: from, To: to,
				Groups: gs, Country: ex.Country, Places: c.indices(ex.Places), Naturalised: ex.Naturalised, Handover: true,
				Rate: yearlyToDaily(share), Target: target, Source: src(&p.Node)})
		}
		if a := p.Attraction; a != nil {
			f, ok := c.value(&a.Factor, "factor")
			if !ok {
				continue
			}
			var at []int
			if a.Place != "" {
				at = []int{c.index[a.Place]}
			} else {
				at = c.placesIn(a.Country, fromDay)
			}
			sys.Policies = append(sys.Policies, scenario.Policy{Name: p.Name, Kind: scenario.Attract, From: fromDay, To: to,
				Groups: gs, Places: at, Factor: f, Source: src(&p.Node)})
		}
	}

	if len(d.Affinities) > 0 {
		g := max(1, len(sys.Groups))
		sys.Affinity = make([][]float64, g)
		for k := range sys.Affinity {
			sys.Affinity[k] = make([]float64, nPlaces)
			for j := range sys.Affinity[k] {
				sys.Affinity[k][j] = 1
			}
		}
		// A country's affinity covers its places on day 0 (a place that
		// changes country later takes its new country's); a place's own
		// affinity wins over its country's, whatever the order.
		for _, own := range []bool{false, true} {
			for i := range d.Affinities {
				a := &d.Affinities[i]
				if (a.Place != "") != own {
					continue
				}
				w, ok := c.value(&a.Weight, "weight")
				gi, okg := groupIx[a.Group]
				if !ok || !okg {
					continue
				}
				if own {
					sys.Affinity[gi][c.index[a.Place]] = w
					continue
				}
				for _, x := range c.placesIn(a.Country, 0) {
					sys.Affinity[gi][x] = w
				}
			}
		}
	}

	for i := range d.Onward {
		o := &d.Onward[i]
		so := scenario.Onward{Name: o.Name, Groups: groupSet(o.Groups), Share: 1, Source: src(&o.Node)}
		if o.Share != nil {
			if v, ok := c.value(o.Share, "share"); ok {
				so.Share = v
			}
		}
		for _, s := range o.Stopovers {
			if x, ok := c.index[s]; ok {
				so.Stopovers = append(so.Stopovers, x)
			}
		}
		so.Wait = c.wait(&o.Wait)
		for k := range o.Destinations {
			ds := &o.Destinations[k]
			w, ok := c.value(&ds.Share, "share")
			if !ok {
				continue
			}
			if ds.Place != "" {
				so.Targets = append(so.Targets, c.index[ds.Place])
				so.Weights = append(so.Weights, w)
				continue
			}
			in := c.placesIn(ds.Country, 0)
			if len(in) == 0 {
				c.probs.Add(ds.problem("country", "no place lies in country %q; add a destination place there (kind destination) for people to go to", ds.Country))
				continue
			}
			for _, x := range in {
				so.Targets = append(so.Targets, x)
				so.Weights = append(so.Weights, w/float64(len(in)))
			}
		}
		sys.Onward = append(sys.Onward, so)
	}
	if !sys.Empty() {
		c.sc.System = sys
	}
}

// yearlyToDaily turns a yearly probability into the daily one that gives it
// over 365 days.
func yearlyToDaily(p float64) float64 {
	if p >= 1 {
		return 1 - math.Pow(1e-6, 1.0/365) // all but one in a million within the year
	}
	if p <= 0 {
		return 0
	}
	return 1 - math.Pow(1-p, 1.0/365)
}

func (c *compiler) wait(w *Wait) scenario.Wait {
	get := func(q *Quantity, what string) float64 {
		if q == nil {
			return 0
		}
		v, _ := c.value(q, what)
		return v
	}
	switch w.Distribution {
	case "uniform":
		return scenario.Wait{Kind: scenario.WaitUniform, Min: get(w.Min, "min"), Max: get(w.Max, "max")}
	case "exponential":
		return scenario.Wait{Kind: scenario.WaitExponential, Mean: get(w.Mean, "mean")}
	case "lognormal":
		return scenario.Wait{Kind: scenario.WaitLognormal, Median: get(w.Median, "median"), Sigma: get(w.Sigma, "sigma")}
	}
	return scenario.Wait{Kind: scenario.WaitFixed, Days: get(w.Days, "days")}
}

// seasonEvents closes each seasonal route outside its seasons: a close on
// the first day out of season (day 0 included) and an open on the first day
// back in. A season whose end comes before its start runs over the new year.
func (c *compiler) seasonEvents() []scenario.Event {
	var evs []scenario.Event
	start := c.doc.Start.Time()
	for i := range c.doc.Routes {
		r := &c.doc.Routes[i]
		if len(r.Seasons) == 0 {
			continue
		}
		from, to := c.index[r.From], c.index[r.To]
		src := fmt.Sprintf("%s:%d", r.File, r.Line)
		in := func(day int) bool {
			d := start.AddDate(0, 0, day)
			md := int(d.Month())*100 + d.Day()
			for _, s := range r.Seasons {
				a, b := s.From.Month*100+s.From.Day, s.To.Month*100+s.To.Day
				if (a <= b && md >= a && md <= b) || (a > b && (md >= a || md <= b)) {
					return true
				}
			}
			return false
		}
		open := true
		for day := 0; day < c.sc.Days; day++ {
			now := in(day)
			if now == open {
				continue
			}
			kind := scenario.CloseRoute
			if now {
				kind = scenario.OpenRoute
			}
			evs = append(evs, scenario.Event{Day: day, Kind: kind, Place: from, Place2: to, Source: src})
			open = now
		}
	}
	return evs
}
