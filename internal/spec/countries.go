package spec

import "github.com/caravan-sim/caravan/internal/scenario"

// A place may change country (the Caucasian republics becoming Soviet);
// policies, affinities and observations that name a country resolve it to
// the places in that country on the day that matters to them.

// countryAt returns the country place i belongs to on simulation day: its
// country at the start, replaced by each change of country dated on or
// before that day.
func (c *compiler) countryAt(i, day int) string {
	country := c.sc.Places[i].Country
	for k := range c.doc.Places[i].Changes {
		ch := &c.doc.Places[i].Changes[k]
		if ch.Country != "" && ch.Date.DaysSince(c.doc.Start) <= day {
			country = ch.Country
		}
	}
	return country
}

// placesIn returns the places in country on simulation day.
func (c *compiler) placesIn(country string, day int) []int {
	var out []int
	for i := range c.sc.Places {
		if c.countryAt(i, day) == country {
			out = append(out, i)
		}
	}
	return out
}

// everIn reports whether any place belongs to country at some time.
func (c *compiler) everIn(country string) bool {
	for i := range c.sc.Places {
		if c.sc.Places[i].Country == country {
			return true
		}
		for k := range c.doc.Places[i].Changes {
			if c.doc.Places[i].Changes[k].Country == country {
				return true
			}
		}
	}
	return false
}

// affinityIn returns place i's affinity for each group once it belongs to
// country: the place's own affinity where one is given, else the
// country's, else 1. It returns nil when the scenario has no affinities.
func (c *compiler) affinityIn(i int, country string) []float64 {
	d := c.doc
	if len(d.Affinities) == 0 {
		return nil
	}
	out := make([]float64, max(1, len(d.Groups)))
	own := make([]bool, len(out))
	for g := range out {
		out[g] = 1
	}
	groupIx := map[string]int{}
	for k, g := range d.Groups {
		groupIx[g.Name] = k
	}
	name := c.sc.Places[i].Name
	for k := range d.Affinities {
		a := &d.Affinities[k]
		g, ok := groupIx[a.Group]
		if !ok || a.Weight.Value == nil {
			continue // reported where the affinities compile
		}
		switch {
		case a.Place == name:
			out[g], own[g] = *a.Weight.Value, true
		case a.Place == "" && a.Country == country && !own[g]:
			out[g] = *a.Weight.Value
		}
	}
	return out
}

// indices returns the indices of the named places (validated elsewhere).
func (c *compiler) indices(names []string) []int {
	var out []int
	for _, n := range names {
		if x, ok := c.index[n]; ok {
			out = append(out, x)
		}
	}
	return out
}

// changeDays returns the days on which some place changes country.
func (c *compiler) changeDays() []int {
	var days []int
	for i := range c.doc.Places {
		for k := range c.doc.Places[i].Changes {
			if ch := &c.doc.Places[i].Changes[k]; ch.Country != "" {
				days = append(days, ch.Date.DaysSince(c.doc.Start))
			}
		}
	}
	return days
}

// bordersCrossed reports whether a border policy governs some route on
// some day it is in force: on its first day or after a change of country.
func (c *compiler) bordersCrossed(p *scenario.Policy) bool {
	days := []int{p.From}
	for _, d := range c.changeDays() {
		if d > p.From && (p.To < 0 || d < p.To) {
			days = append(days, d)
		}
	}
	for _, day := range days {
		for _, r := range c.sc.Routes {
			for _, pr := range [][2]int{{r.From, r.To}, {r.To, r.From}} {
				a, z := c.countryAt(pr[0], day), c.countryAt(pr[1], day)
				if a == z {
					continue
				}
				for _, x := range p.Crossings {
					if pr[0] == x || pr[1] == x {
						return true
					}
				}
				if p.Countries[0] != "" && a == p.Countries[0] && z == p.Countries[1] {
					return true
				}
			}
		}
	}
	return false
}
