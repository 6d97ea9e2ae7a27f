package spec

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
