package spec

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
)

// maxDays bounds a scenario's length, as Flee's loader does.
const maxDays = 100000

// checker holds what the semantic checks look names up in.
type checker struct {
	doc   *Document
	probs *diag.List

	places       map[string]*Place
	placeNames   []string
	countries    map[string]bool
	countryNames []string
	groups       map[string]*Group
	groupNames   []string
	sources      map[string]bool
	sourceIDs    []string

	start, end Date // end is zero when the period is unknown
}

func (c *checker) add(p diag.Problem) { c.probs.Add(p) }

func (c *checker) errorf(n *Node, key, format string, args ...any) {
	c.add(n.problem(key, format, args...))
}

func (c *checker) warnf(n *Node, key, format string, args ...any) {
	p := n.problem(key, format, args...)
	p.Warning = true
	c.add(p)
}

func (c *checker) hintf(n *Node, key, hint, format string, args ...any) {
	p := n.problem(key, format, args...)
	p.Hint = hint
	c.add(p)
}

// check runs every semantic check on a merged document.
func check(doc *Document, main bool, probs *diag.List) {
	// A value that could not be read has been reported already; the checks
	// below would only repeat it (as "missing", say) at the same place.
	type at struct {
		file      string
		line, col int
	}
	reported := map[at]bool{}
	for _, p := range probs.Problems {
		if !p.Warning && p.Line > 0 {
			reported[at{p.File, p.Line, p.Column}] = true
		}
	}
	var mine diag.List
	defer func() {
		for _, p := range mine.Problems {
			if !reported[at{p.File, p.Line, p.Column}] {
				probs.Add(p)
			}
		}
	}()
	c := &checker{doc: doc, probs: &mine}
	c.header(main)
	c.indexNames()
	c.checkSources()
	c.checkPlaces()
	c.checkRoutes()
	c.checkEvents()
	c.checkGroups()
	c.checkDrivers()
	c.checkPolicies()
	c.checkAffinities()
	c.checkOnward()
	c.checkObservations()
	c.checkSpawning()
	c.checkSettings()
}

func (c *checker) header(main bool) {
	d := c.doc
	if main && d.Caravan == 0 {
		c.hintf(&d.Node, "", "add caravan: 1 as the first line", "caravan: the format version is missing")
	}
	if d.Start.IsZero() {
		if !d.Has("start") {
			c.hintf(&d.Node, "", "add start: YYYY-MM-DD, the date of day 0", "start: the start date is missing")
		}
		return
	}
	c.start = d.Start
	switch {
	case !d.End.IsZero() && d.Days != 0:
		c.errorf(&d.Node, "days", "give end or days, not both")
	case !d.End.IsZero():
		if d.End.DaysSince(d.Start) < 0 {
			c.errorf(&d.Node, "end", "end %s is before start %s", d.End, d.Start)
			return
		}
		if n := d.End.DaysSince(d.Start) + 1; n > maxDays {
			c.errorf(&d.Node, "end", "%s to %s is %d days; at most %d", d.Start, d.End, n, maxDays)
			return
		}
		c.end = d.End
	case d.Days != 0:
		if d.Days < 1 || d.Days > maxDays {
			c.errorf(&d.Node, "days", "%d days is outside 1..%d", d.Days, maxDays)
			return
		}
		c.end = d.Start.AddDays(d.Days - 1)
	default:
		if !d.Has("end") && !d.Has("days") {
			c.hintf(&d.Node, "", "add end: YYYY-MM-DD (the last day) or days: N", "the scenario's length is missing")
		}
		return
	}
	if n := c.end.DaysSince(c.start) + 1; n > maxDays {
		c.errorf(&d.Node, "end", "the scenario lasts %d days; at most %d", n, maxDays)
		c.end = Date{}
	}
}

// DaysCount returns the scenario's length in days, or 0 when unknown.
func (d *Document) DaysCount() int {
	switch {
	case d.Start.IsZero():
		return 0
	case d.Days > 0:
		return d.Days
	case !d.End.IsZero():
		return d.End.DaysSince(d.Start) + 1
	}
	return 0
}

func (c *checker) indexNames() {
	c.places = map[string]*Place{}
	c.countries = map[string]bool{}
	addCountry := func(s string) {
		if s != "" && !c.countries[s] {
			c.countries[s] = true
			c.countryNames = append(c.countryNames, s)
		}
	}
	for i := range c.doc.Places {
		p := &c.doc.Places[i]
		if _, dup := c.places[p.Name]; !dup && p.Name != "" {
			c.places[p.Name] = p
			c.placeNames = append(c.placeNames, p.Name)
		}
		addCountry(p.Country)
		for _, ch := range p.Changes {
			addCountry(ch.Country)
		}
	}
	c.groups = map[string]*Group{}
	for i := range c.doc.Groups {
		g := &c.doc.Groups[i]
		if _, dup := c.groups[g.Name]; !dup && g.Name != "" {
			c.groups[g.Name] = g
			c.groupNames = append(c.groupNames, g.Name)
		}
	}
	c.sources = map[string]bool{}
	for _, s := range c.doc.Sources {
		if s.ID != "" {
			c.sources[s.ID] = true
			c.sourceIDs = append(c.sourceIDs, s.ID)
		}
	}
}

// place checks a reference to a place.
func (c *checker) place(n *Node, key, name string) bool {
	if name == "" {
		c.errorf(n, key, "missing place name")
		return false
	}
	if _, ok := c.places[name]; ok {
		return true
	}
	c.hintf(n, key, diag.DidYouMean(name, c.placeNames), "unknown place %q", name)
	return false
}

// country checks a reference to a country.
func (c *checker) country(n *Node, key, name string) bool {
	if name == "" {
		c.errorf(n, key, "missing country name")
		return false
	}
	if c.countries[name] {
		return true
	}
	hint := diag.DidYouMean(name, c.countryNames)
	if hint == "" {
		hint = "countries are those of the places (country: or changes:)"
	}
	c.hintf(n, key, hint, "no place lies in country %q", name)
	return false
}

// placeOrCountry checks a name that may be either.
func (c *checker) placeOrCountry(n *Node, key, name string) bool {
	if name == "" {
		c.errorf(n, key, "missing place or country name")
		return false
	}
	if _, ok := c.places[name]; ok || c.countries[name] {
		return true
	}
	c.hintf(n, key, diag.DidYouMean(name, append(append([]string(nil), c.placeNames...), c.countryNames...)), "%q is neither a place nor a country of the scenario", name)
	return false
}

func (c *checker) group(n *Node, key, name string) bool {
	if _, ok := c.groups[name]; ok {
		return true
	}
	hint := diag.DidYouMean(name, c.groupNames)
	if hint == "" && len(c.groupNames) == 0 {
		hint = "define it under groups:"
	}
	c.hintf(n, key, hint, "unknown group %q", name)
	return false
}

func (c *checker) groupList(n *Node, key string, names []string) {
	seen := map[string]bool{}
	for i, g := range names {
		k := fmt.Sprintf("%s[%d]", key, i)
		if seen[g] {
			c.errorf(n, k, "group %q is listed twice", g)
			continue
		}
		seen[g] = true
		c.group(n, k, g)
	}
}

func (c *checker) source(n *Node, key, id string) {
	if id == "" || c.sources[id] {
		return
	}
	hint := diag.DidYouMean(id, c.sourceIDs)
	if hint == "" {
		hint = "list it under sources: with id: " + id
	}
	c.hintf(n, key, hint, "unknown source %q", id)
}

// date checks that a date lies in the scenario; before the start is an
// error for things that happen, after the end a warning.
func (c *checker) eventDate(n *Node, key string, d Date, what string) {
	if d.IsZero() || c.start.IsZero() {
		return
	}
	if d.DaysSince(c.start) < 0 {
		c.errorf(n, key, "%s %s is before the start %s", what, d, c.start)
		return
	}
	if !c.end.IsZero() && d.DaysSince(c.end) > 0 {
		c.warnf(n, key, "%s %s is after the last day %s; it has no effect", what, d, c.end)
	}
}

// period checks a period: from given, to not before from.
func (c *checker) period(p *Period, what string) bool {
	if p.From.IsZero() {
		if !p.Has("from") {
			c.errorf(&p.Node, "", "from: the first day of the %s is missing", what)
		}
		return false
	}
	if !p.To.IsZero() && p.To.DaysSince(p.From) < 0 {
		c.errorf(&p.Node, "to", "the %s ends (%s) before it begins (%s)", what, p.To, p.From)
		return false
	}
	return true
}

// quantity checks a quantity's consistency and range. Sources are checked
// too. min and max bound every number given; NaN means no bound.
func (c *checker) quantity(q *Quantity, what string, min, max float64, whole bool) {
	if q == nil {
		return
	}
	c.source(&q.Node, "source", q.Source)
	if q.Value == nil && q.Low == nil && q.High == nil {
		c.errorf(&q.Node, "", "%s: give a value, or low and high", what)
		return
	}
	check := func(key string, v *float64) {
		if v == nil {
			return
		}
		switch {
		case !math.IsNaN(min) && *v < min:
			c.errorf(&q.Node, key, "%s %v is below %v", what, *v, min)
		case !math.IsNaN(max) && *v > max:
			c.errorf(&q.Node, key, "%s %v is above %v", what, *v, max)
		case whole && *v != math.Trunc(*v):
			c.errorf(&q.Node, key, "%s %v is not a whole number", what, *v)
		}
	}
	k := func(s string) string {
		if q.Has(s) {
			return s
		}
		return ""
	}
	check(k("value"), q.Value)
	check(k("low"), q.Low)
	check(k("high"), q.High)
	if q.Low != nil && q.High != nil && *q.Low > *q.High {
		c.errorf(&q.Node, k("low"), "%s: low %v is above high %v", what, *q.Low, *q.High)
	}
	if q.Value != nil && q.Low != nil && *q.Value < *q.Low {
		c.errorf(&q.Node, k("value"), "%s: value %v is below low %v", what, *q.Value, *q.Low)
	}
	if q.Value != nil && q.High != nil && *q.Value > *q.High {
		c.errorf(&q.Node, k("value"), "%s: value %v is above high %v", what, *q.Value, *q.High)
	}
	if q.Value == nil && (q.Low == nil) != (q.High == nil) {
		c.errorf(&q.Node, "", "%s: an interval needs both low and high (or give value)", what)
	}
}

var nan = math.NaN()

// bounds returns the lowest and highest value a quantity allows.
func bounds(q *Quantity) (lo, hi float64) {
	switch {
	case q.Low != nil && q.High != nil:
		return *q.Low, *q.High
	case q.Value != nil:
		return *q.Value, *q.Value
	}
	return 0, 0
}

func (c *checker) checkSources() {
	seen := map[string]*Source{}
	for i := range c.doc.Sources {
		s := &c.doc.Sources[i]
		if s.ID == "" {
			c.errorf(&s.Node, "", "id: missing")
			continue
		}
		if prev, dup := seen[s.ID]; dup {
			c.errorf(&s.Node, "id", "source %q is listed twice (first at %s)", s.ID, where(&prev.Node))
			continue
		}
		seen[s.ID] = s
	}
}

func where(n *Node) string {
	return fmt.Sprintf("%s:%d", n.File, n.Line)
}

func (c *checker) checkPlaces() {
	if len(c.doc.Places) == 0 {
		c.hintf(&c.doc.Node, "", "list the places under places: with name: and kind:", "places: the scenario has no places")
		return
	}
	seen := map[string]*Place{}
	for i := range c.doc.Places {
		p := &c.doc.Places[i]
		if strings.TrimSpace(p.Name) == "" {
			c.errorf(&p.Node, "name", "place name is missing or empty")
		} else if prev, dup := seen[p.Name]; dup {
			c.errorf(&p.Node, "name", "place %q is listed twice (first at %s)", p.Name, where(&prev.Node))
		} else {
			seen[p.Name] = p
		}
		if p.Kind == "" && !p.Has("kind") {
			c.hintf(&p.Node, "", "one of "+strings.Join(enumAllowed(p.Kind), ", "), "kind: missing for place %q", p.Name)
		}
		if p.Lat != nil && (*p.Lat < -90 || *p.Lat > 90) {
			c.errorf(&p.Node, "lat", "latitude %v is outside [-90, 90]", *p.Lat)
		}
		if p.Lon != nil && (*p.Lon < -180 || *p.Lon > 360) {
			c.errorf(&p.Node, "lon", "longitude %v is outside [-180, 360]", *p.Lon)
		}
		c.quantity(p.Population, "population", 0, nan, true)
		c.quantity(p.Capacity, "capacity", 0, nan, true)
		c.quantity(p.CapacityPerDay, "capacity_per_day", nan, nan, true)
		c.quantity(p.Initial, "initial", 0, nan, true)
		if p.ConflictAtStart != nil {
			c.quantity(p.ConflictAtStart, "conflict intensity", 0, nan, false)
			if lo, _ := bounds(p.ConflictAtStart); lo <= 0 && p.ConflictAtStart.Value != nil {
				c.errorf(&p.ConflictAtStart.Node, "", "a conflict at the start needs a positive intensity; omit conflict_at_start for none")
			}
			if p.Kind != "" && p.Kind != KindOrigin {
				c.errorf(&p.Node, "conflict_at_start", "only an origin can be in conflict at the start; place %q is a %s", p.Name, p.Kind)
			}
		}
		var prev Date
		for k := range p.Changes {
			ch := &p.Changes[k]
			if ch.Date.IsZero() {
				if !ch.Has("date") {
					c.errorf(&ch.Node, "", "date: missing")
				}
				continue
			}
			c.eventDate(&ch.Node, "date", ch.Date, "change")
			if !prev.IsZero() && ch.Date.DaysSince(prev) <= 0 {
				c.errorf(&ch.Node, "date", "changes must be in date order; %s is not after %s", ch.Date, prev)
			}
			prev = ch.Date
			if ch.Kind == "" && ch.Country == "" {
				c.errorf(&ch.Node, "", "a change needs a new kind or a new country")
			}
			c.source(&ch.Node, "source", ch.Source)
		}
	}
	if h := c.doc.HomeCountry; h != "" {
		c.country(&c.doc.Node, "home_country", h)
	}
}

func (c *checker) checkRoutes() {
	type pair struct{ a, b string }
	seen := map[pair]*Route{}
	for i := range c.doc.Routes {
		r := &c.doc.Routes[i]
		okA := r.From != "" && c.place(&r.Node, "from", r.From)
		okB := r.To != "" && c.place(&r.Node, "to", r.To)
		if r.From == "" && !r.Has("from") {
			c.errorf(&r.Node, "", "from: missing")
		}
		if r.To == "" && !r.Has("to") {
			c.errorf(&r.Node, "", "to: missing")
		}
		if okA && okB {
			if r.From == r.To {
				c.errorf(&r.Node, "to", "route joins %q to itself", r.From)
			} else {
				k := pair{min(r.From, r.To), max(r.From, r.To)}
				if prev, dup := seen[k]; dup {
					c.hintf(&r.Node, "", "give one route per pair of places (duplicate: true counts it twice under the Flee ruleset)",
						"route %s–%s is listed twice (first at %s)", r.From, r.To, where(&prev.Node))
				} else {
					seen[k] = r
				}
			}
		}
		if !r.Has("distance") {
			c.errorf(&r.Node, "", "distance: missing (km)")
		} else {
			c.quantity(&r.Distance, "distance", nan, 40075, false)
			if lo, _ := bounds(&r.Distance); lo <= 0 && (r.Distance.Value != nil || r.Distance.Low != nil) {
				c.errorf(&r.Distance.Node, "", "distance %v km must be positive", lo)
			}
		}
		if r.MaxSpeed != nil && !(*r.MaxSpeed > 0) {
			c.errorf(&r.Node, "max_speed", "max_speed %v must be positive (km/day)", *r.MaxSpeed)
		}
		if r.WalkProbability != nil && (*r.WalkProbability < 0 || *r.WalkProbability > 1) {
			c.errorf(&r.Node, "walk_probability", "walk_probability %v must lie in [0, 1]", *r.WalkProbability)
		}
		c.quantity(r.CapacityPerDay, "capacity_per_day", 0, nan, true)
		c.source(&r.Node, "source", r.Source)
	}
}

// eventNeeds lists which target keys each event type uses.
var eventNeeds = map[EventType]string{
	EvConflictStart: "place", EvConflictIntensity: "place", EvConflictEnd: "place",
	EvClosePlace: "place", EvOpenPlace: "place", EvCloseCamp: "place", EvOpenCamp: "place",
	EvCloseRoute: "route", EvOpenRoute: "route",
	EvCloseBorder: "countries", EvOpenBorder: "countries",
}

// routeExists reports whether a route joins a and b.
func (c *checker) routeExists(a, b string) bool {
	for _, r := range c.doc.Routes {
		if (r.From == a && r.To == b) || (r.From == b && r.To == a) {
			return true
		}
	}
	return false
}

func (c *checker) checkEvents() {
	for i := range c.doc.Events {
		e := &c.doc.Events[i]
		if e.Date.IsZero() && !e.Has("date") {
			c.errorf(&e.Node, "", "date: missing")
		}
		c.eventDate(&e.Node, "date", e.Date, "event date")
		if e.Type == "" {
			if !e.Has("type") {
				c.hintf(&e.Node, "", "one of "+strings.Join(enumAllowed(e.Type), ", "), "type: missing")
			}
			continue
		}
		need := eventNeeds[e.Type]
		for _, k := range []string{"place", "route", "countries"} {
			if k != need && e.Has(k) {
				c.errorf(&e.Node, k, "%s does not apply to a %s event (it uses %s)", k, e.Type, need)
			}
		}
		switch need {
		case "place":
			if !e.Has("place") {
				c.errorf(&e.Node, "", "place: missing for a %s event", e.Type)
			} else if c.place(&e.Node, "place", e.Place) {
				p := c.places[e.Place]
				if (e.Type == EvCloseCamp) && p.Kind != KindCamp && p.Kind != KindIDPCamp && p.Kind != KindDestination && !c.becomesCamp(e.Place) {
					c.warnf(&e.Node, "place", "%q is a %s, not a camp", e.Place, p.Kind)
				}
			}
		case "route":
			if len(e.Route) != 2 {
				c.errorf(&e.Node, "route", "route: give the two places it joins, e.g. [A, B]")
			} else {
				okA := c.place(&e.Node, "route[0]", e.Route[0])
				okB := c.place(&e.Node, "route[1]", e.Route[1])
				if okA && okB && !c.routeExists(e.Route[0], e.Route[1]) {
					c.errorf(&e.Node, "route", "no route joins %q and %q", e.Route[0], e.Route[1])
				}
			}
		case "countries":
			if len(e.Countries) != 2 {
				c.errorf(&e.Node, "countries", "countries: give the two countries whose border it is, e.g. [A, B]")
			} else {
				c.country(&e.Node, "countries[0]", e.Countries[0])
				c.country(&e.Node, "countries[1]", e.Countries[1])
			}
		}
		switch e.Type {
		case EvConflictStart, EvConflictIntensity:
			if e.Intensity != nil {
				c.quantity(e.Intensity, "intensity", 0, nan, false)
				if lo, _ := bounds(e.Intensity); lo <= 0 && e.Intensity.Value != nil {
					c.errorf(&e.Intensity.Node, "", "conflict intensity must be positive; use conflict_end to end a conflict")
				}
			}
		default:
			if e.Has("intensity") {
				c.errorf(&e.Node, "intensity", "intensity applies only to conflict_start and conflict_intensity")
			}
		}
		if !e.To.IsZero() {
			switch e.Type {
			case EvConflictStart, EvCloseBorder, EvClosePlace, EvCloseRoute, EvCloseCamp:
				if !e.Date.IsZero() && e.To.DaysSince(e.Date) < 0 {
					c.errorf(&e.Node, "to", "the event ends (%s) before it begins (%s)", e.To, e.Date)
				}
			default:
				c.errorf(&e.Node, "to", "to applies only to conflict_start and close_* events")
			}
		}
		if e.IDP && e.Type != EvOpenCamp && e.Type != EvCloseCamp {
			c.errorf(&e.Node, "idp", "idp applies only to open_camp and close_camp")
		}
		c.source(&e.Node, "source", e.Source)
	}
}

// becomesCamp reports whether a place turns into a camp through an event or a change.
func (c *checker) becomesCamp(name string) bool {
	for _, e := range c.doc.Events {
		if e.Type == EvOpenCamp && e.Place == name {
			return true
		}
	}
	if p := c.places[name]; p != nil {
		for _, ch := range p.Changes {
			if ch.Kind == KindCamp || ch.Kind == KindIDPCamp {
				return true
			}
		}
	}
	return false
}

func (c *checker) checkGroups() {
	seen := map[string]*Group{}
	dims := c.doc.Attributes
	dimNames := make([]string, 0, len(dims))
	for k := range dims {
		dimNames = append(dimNames, k)
	}
	sort.Strings(dimNames)
	for dim, vals := range dims {
		if len(vals) == 0 {
			c.errorf(&c.doc.Node, "attributes."+dim, "attribute %q lists no values", dim)
		}
		s := map[string]bool{}
		for i, v := range vals {
			if s[v] {
				c.errorf(&c.doc.Node, fmt.Sprintf("attributes.%s[%d]", dim, i), "value %q is listed twice", v)
			}
			s[v] = true
		}
	}
	type share struct {
		sum shareSum
		at  *Node
	}
	sums := map[string]*share{}
	var order []string
	for i := range c.doc.Groups {
		g := &c.doc.Groups[i]
		if g.Name == "" {
			c.errorf(&g.Node, "", "name: missing")
		} else if prev, dup := seen[g.Name]; dup {
			c.errorf(&g.Node, "name", "group %q is listed twice (first at %s)", g.Name, where(&prev.Node))
		} else {
			seen[g.Name] = g
		}
		keys := make([]string, 0, len(g.Attributes))
		for k := range g.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := g.Attributes[k]
			if len(dims) == 0 {
				continue
			}
			vals, ok := dims[k]
			if !ok {
				c.hintf(&g.Node, "attributes."+k, diag.DidYouMean(k, dimNames), "attribute %q is not declared under attributes: (declared: %s)", k, strings.Join(dimNames, ", "))
				continue
			}
			if !contains(vals, v) {
				c.hintf(&g.Node, "attributes."+k, diag.DidYouMean(v, vals), "%q is not a value of attribute %q (%s)", v, k, strings.Join(vals, ", "))
			}
		}
		seenPlace := map[string]bool{}
		for k := range g.Shares {
			sh := &g.Shares[k]
			if !c.place(&sh.Node, "place", sh.Place) {
				continue
			}
			if seenPlace[sh.Place] {
				c.errorf(&sh.Node, "place", "group %q has two shares at %q", g.Name, sh.Place)
				continue
			}
			seenPlace[sh.Place] = true
			if !sh.Has("share") {
				c.errorf(&sh.Node, "", "share: missing")
				continue
			}
			c.quantity(&sh.Share, "share", 0, 1, false)
			if p := c.places[sh.Place]; p.Kind != "" && p.Kind != KindOrigin {
				c.warnf(&sh.Node, "place", "%q is a %s, not an origin: its shares set only the groups of the people placed there at the start", sh.Place, p.Kind)
			}
			s := sums[sh.Place]
			if s == nil {
				s = &share{sum: newShareSum(), at: &sh.Node}
				sums[sh.Place] = s
				order = append(order, sh.Place)
			}
			s.sum.add(&sh.Share)
		}
	}
	for _, place := range order {
		s := sums[place]
		if msg := s.sum.check(); msg != "" {
			c.errorf(s.at, "share", "the group shares at %q %s", place, msg)
		}
	}
}

// shareSum adds shares that must sum to 1: their values when all have one,
// and their ranges (low..high, or the value) otherwise.
type shareSum struct {
	value, lo, hi float64
	allValues     bool
}

func newShareSum() shareSum { return shareSum{allValues: true} }

func (s *shareSum) add(q *Quantity) {
	lo, hi := bounds(q)
	s.lo += lo
	s.hi += hi
	if q.Value != nil {
		s.value += *q.Value
	} else {
		s.allValues = false
	}
}

// check returns what is wrong with the sum, or "".
func (s *shareSum) check() string {
	const tol = 1e-6
	if s.allValues && math.Abs(s.value-1) > tol {
		return fmt.Sprintf("sum to %v; they must sum to 1", roundSum(s.value))
	}
	if s.lo > 1+tol || s.hi < 1-tol {
		return fmt.Sprintf("lie between %v and %v in sum; that range must include 1", roundSum(s.lo), roundSum(s.hi))
	}
	return ""
}

func roundSum(f float64) float64 { return math.Round(f*1e9) / 1e9 }

func (c *checker) checkDrivers() {
	seen := map[string]*Driver{}
	for i := range c.doc.Drivers {
		d := &c.doc.Drivers[i]
		if d.Name == "" {
			c.errorf(&d.Node, "", "name: missing")
		} else if prev, dup := seen[d.Name]; dup {
			c.errorf(&d.Node, "name", "driver %q is listed twice (first at %s)", d.Name, where(&prev.Node))
		} else {
			seen[d.Name] = d
		}
		if d.Type == "" && !d.Has("type") {
			c.hintf(&d.Node, "", "one of "+strings.Join(enumAllowed(d.Type), ", "), "type: missing")
		}
		if len(d.Origins) == 0 {
			c.errorf(&d.Node, "origins", "origins: list the places it acts on")
		}
		for k, o := range d.Origins {
			c.place(&d.Node, fmt.Sprintf("origins[%d]", k), o)
		}
		c.groupList(&d.Node, "groups", d.Groups)
		c.propensity(d)
		if len(d.Intensity) == 0 {
			c.errorf(&d.Node, "intensity", "intensity: give at least one dated point, e.g. [{date: ..., value: 1}]")
		}
		var prev Date
		for k := range d.Intensity {
			p := &d.Intensity[k]
			if p.Date.IsZero() {
				if !p.Has("date") {
					c.errorf(&p.Node, "", "date: missing")
				}
				continue
			}
			if !prev.IsZero() && p.Date.DaysSince(prev) <= 0 {
				c.errorf(&p.Node, "date", "intensity points must be in date order; %s is not after %s", p.Date, prev)
			}
			prev = p.Date
			if !p.Has("value") {
				c.errorf(&p.Node, "", "value: missing")
				continue
			}
			c.quantity(&p.Value, "intensity", 0, nan, false)
		}
		c.source(&d.Node, "source", d.Source)
	}
}

// propensity checks a driver's propensity factors: known groups that the
// driver hits, factors of 0 or more.
func (c *checker) propensity(d *Driver) {
	names := make([]string, 0, len(d.Propensity))
	for g := range d.Propensity {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		key := "propensity." + g
		if !c.group(&d.Node, key, g) {
			continue
		}
		if len(d.Groups) > 0 && !contains(d.Groups, g) {
			c.hintf(&d.Node, key, "add it to groups, or remove its factor", "group %q is not among the groups driver %q hits", g, d.Name)
			continue
		}
		q := d.Propensity[g]
		if q == nil {
			c.errorf(&d.Node, key, "propensity of %q: give a factor (0 or more; 1 is the group's share as it is)", g)
			continue
		}
		c.quantity(q, "propensity", 0, nan, false)
	}
}

func (c *checker) checkPolicies() {
	seen := map[string]*Policy{}
	for i := range c.doc.Policies {
		p := &c.doc.Policies[i]
		if p.Name == "" {
			c.errorf(&p.Node, "", "name: missing")
		} else if prev, dup := seen[p.Name]; dup {
			c.errorf(&p.Node, "name", "policy %q is listed twice (first at %s)", p.Name, where(&prev.Node))
		} else {
			seen[p.Name] = p
		}
		if !p.Has("period") {
			c.errorf(&p.Node, "", "period: missing; give {from: YYYY-MM-DD, to: YYYY-MM-DD}")
		} else if c.period(&p.Period, "policy") && !c.start.IsZero() && !c.end.IsZero() {
			if p.Period.From.DaysSince(c.end) > 0 || (!p.Period.To.IsZero() && p.Period.To.DaysSince(c.start) < 0) {
				c.warnf(&p.Node, "period", "the policy is not in force during the scenario (%s to %s)", c.start, c.end)
			}
		}
		c.groupList(&p.Node, "groups", p.Groups)
		n := 0
		for _, set := range []bool{p.Border != nil, p.Reception != nil, p.Deportation != nil, p.Extradition != nil, p.Attraction != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			c.errorf(&p.Node, "", "a policy has exactly one of border, reception, deportation, extradition and attraction; this one has %d", n)
		}
		if b := p.Border; b != nil {
			switch {
			case b.Crossing != "" && len(b.Countries) > 0:
				c.errorf(&b.Node, "countries", "give crossing or countries, not both")
			case b.Crossing != "":
				c.place(&b.Node, "crossing", b.Crossing)
			case len(b.Countries) == 2:
				c.country(&b.Node, "countries[0]", b.Countries[0])
				c.country(&b.Node, "countries[1]", b.Countries[1])
			default:
				c.errorf(&b.Node, "", "give the crossing place or the two countries (from, to) the regime applies to")
			}
			if b.Regime == "" && !b.Has("regime") {
				c.hintf(&b.Node, "", "one of "+strings.Join(enumAllowed(b.Regime), ", "), "regime: missing")
			}
			switch b.Regime {
			case "restricted":
				if b.PassProbability == nil {
					c.errorf(&b.Node, "", "pass_probability: a restricted border needs the chance that a crossing succeeds")
				}
			case "open", "closed":
				if b.PassProbability != nil {
					c.errorf(&b.Node, "pass_probability", "pass_probability does not apply to a %s border", b.Regime)
				}
			}
			c.quantity(b.PassProbability, "pass_probability", 0, 1, false)
		}
		if r := p.Reception; r != nil {
			if (r.Country == "") == (r.Place == "") {
				c.errorf(&r.Node, "", "give the host country or the host place")
			} else if r.Country != "" {
				c.country(&r.Node, "country", r.Country)
			} else {
				c.place(&r.Node, "place", r.Place)
			}
			for k, pl := range r.RelocateTo {
				c.place(&r.Node, fmt.Sprintf("relocate_to[%d]", k), pl)
			}
			c.quantity(r.Allowance, "allowance", 0, nan, false)
			if r.Allowance != nil && r.AllowanceUnit == "" {
				c.errorf(&r.Node, "allowance", "allowance_unit: say what the allowance is paid in")
			}
			c.quantity(r.NaturaliseAfterYears, "naturalise_after_years", 0, nan, false)
			if len(r.RelocateTo) == 0 && r.Allowance == nil && r.NaturaliseAfterYears == nil {
				c.errorf(&r.Node, "", "a reception policy needs relocate_to, allowance or naturalise_after_years")
			}
		}
		if d := p.Deportation; d != nil {
			c.country(&d.Node, "country", d.Country)
			if d.To != "" {
				c.placeOrCountry(&d.Node, "to", d.To)
			}
			c.quantity(d.RatePerYear, "rate_per_year", 0, 1, false)
			for k, pl := range d.Places {
				c.place(&d.Node, fmt.Sprintf("places[%d]", k), pl)
			}
		}
		if e := p.Extradition; e != nil {
			c.country(&e.Node, "country", e.Country)
			c.country(&e.Node, "to", e.To)
			if !e.Has("granted") {
				c.errorf(&e.Node, "", "granted: say whether requests are granted (true) or refused (false)")
			}
			c.quantity(e.Share, "share", 0, 1, false)
			if e.Share != nil && !e.Granted {
				c.errorf(&e.Node, "share", "share applies only when extradition is granted")
			}
			for k, pl := range e.Places {
				c.place(&e.Node, fmt.Sprintf("places[%d]", k), pl)
			}
			if !e.Granted && (len(e.Places) > 0 || e.Naturalised) {
				c.errorf(&e.Node, "", "places and naturalised apply only when extradition is granted")
			}
		}
		if a := p.Attraction; a != nil {
			c.host(&a.Node, a.Country, a.Place)
			if !a.Has("factor") {
				c.errorf(&a.Node, "", "factor: missing; give the multiplier of the host's pull (1 no change, 0 none)")
			} else {
				c.quantity(&a.Factor, "factor", 0, nan, false)
			}
		}
		c.source(&p.Node, "source", p.Source)
	}
}

// host checks a host given as exactly one of a country and a place.
func (c *checker) host(n *Node, country, place string) {
	switch {
	case (country == "") == (place == ""):
		c.errorf(n, "", "give the host country or the host place")
	case country != "":
		c.country(n, "country", country)
	default:
		c.place(n, "place", place)
	}
}

func (c *checker) checkAffinities() {
	for i := range c.doc.Affinities {
		a := &c.doc.Affinities[i]
		if a.Group == "" {
			c.errorf(&a.Node, "", "group: missing")
		} else {
			c.group(&a.Node, "group", a.Group)
		}
		c.host(&a.Node, a.Country, a.Place)
		if !a.Has("weight") {
			c.errorf(&a.Node, "", "weight: missing (1 neutral, above 1 attracted, below 1 averse)")
		} else {
			c.quantity(&a.Weight, "weight", 0, nan, false)
		}
	}
}

func (c *checker) checkOnward() {
	seen := map[string]*Onward{}
	for i := range c.doc.Onward {
		o := &c.doc.Onward[i]
		if o.Name == "" {
			c.errorf(&o.Node, "", "name: missing")
		} else if prev, dup := seen[o.Name]; dup {
			c.errorf(&o.Node, "name", "onward movement %q is listed twice (first at %s)", o.Name, where(&prev.Node))
		} else {
			seen[o.Name] = o
		}
		c.groupList(&o.Node, "groups", o.Groups)
		if len(o.Stopovers) == 0 {
			c.errorf(&o.Node, "stopovers", "stopovers: list the places where people stop over")
		}
		for k, s := range o.Stopovers {
			c.place(&o.Node, fmt.Sprintf("stopovers[%d]", k), s)
		}
		c.quantity(o.Share, "share", 0, 1, false)
		w := &o.Wait
		if !o.Has("wait") {
			c.errorf(&o.Node, "", "wait: missing; e.g. {distribution: exponential, mean: 365}")
		} else {
			need := map[WaitDistribution][]string{
				"fixed": {"days"}, "uniform": {"min", "max"}, "exponential": {"mean"}, "lognormal": {"median", "sigma"},
			}[w.Distribution]
			all := []struct {
				k string
				q *Quantity
			}{{"days", w.Days}, {"mean", w.Mean}, {"min", w.Min}, {"max", w.Max}, {"median", w.Median}, {"sigma", w.Sigma}}
			if w.Distribution == "" && !w.Has("distribution") {
				c.hintf(&w.Node, "", "one of "+strings.Join(enumAllowed(w.Distribution), ", "), "distribution: missing")
			}
			for _, a := range all {
				used := contains(need, a.k)
				if a.q == nil && used {
					c.errorf(&w.Node, "", "%s: a %s wait needs it", a.k, w.Distribution)
				}
				if a.q != nil && !used && w.Distribution != "" {
					c.errorf(&w.Node, a.k, "%s does not apply to a %s wait (it uses %s)", a.k, w.Distribution, strings.Join(need, " and "))
				}
				c.quantity(a.q, a.k, 0, nan, false)
			}
			if w.Min != nil && w.Max != nil && w.Min.Value != nil && w.Max.Value != nil && *w.Min.Value > *w.Max.Value {
				c.errorf(&w.Node, "min", "min %v is above max %v", *w.Min.Value, *w.Max.Value)
			}
		}
		if len(o.Destinations) == 0 {
			c.errorf(&o.Node, "destinations", "destinations: list where people go next")
		}
		sum := newShareSum()
		for k := range o.Destinations {
			d := &o.Destinations[k]
			switch {
			case (d.Place == "") == (d.Country == ""):
				c.errorf(&d.Node, "", "give the destination place or country")
			case d.Place != "":
				c.place(&d.Node, "place", d.Place)
			default:
				c.country(&d.Node, "country", d.Country)
			}
			if !d.Has("share") {
				c.errorf(&d.Node, "", "share: missing")
				continue
			}
			c.quantity(&d.Share, "share", 0, 1, false)
			sum.add(&d.Share)
		}
		if len(o.Destinations) > 0 {
			if msg := sum.check(); msg != "" {
				c.errorf(&o.Node, "destinations", "the destination shares %s", msg)
			}
		}
	}
}

// subject checks an observation's subject and returns how many targets it names.
func (c *checker) subject(n *Node, prefix string, s *Subject) int {
	k := func(key string) string {
		if prefix == "" {
			return key
		}
		return prefix + "." + key
	}
	targets := 0
	for _, key := range []string{"place", "places", "country", "countries", "flow", "total"} {
		if n.Failed(k(key)) {
			targets++ // reported already; count it so as not to add "names 0"
		}
	}
	if s.Place != "" {
		targets++
		if s.Unmodelled {
			if _, known := c.places[s.Place]; known {
				c.errorf(n, k("unmodelled"), "%q is a place of the scenario; remove unmodelled", s.Place)
			}
		} else if _, known := c.places[s.Place]; !known {
			hint := diag.DidYouMean(s.Place, c.placeNames)
			if hint == "" {
				hint = "set unmodelled: true if it lies outside the network"
			}
			c.hintf(n, k("place"), hint, "unknown place %q", s.Place)
		}
	} else if s.Unmodelled {
		c.errorf(n, k("unmodelled"), "unmodelled applies only with place")
	}
	// names checks a list of places, countries or groups: not empty, each
	// known and listed once.
	names := func(key, what string, list []string, check func(n *Node, key, name string) bool) {
		if len(list) == 0 {
			c.errorf(n, k(key), "%s: list at least one %s", key, what)
		}
		seen := map[string]bool{}
		for i, name := range list {
			ki := k(fmt.Sprintf("%s[%d]", key, i))
			if seen[name] {
				c.errorf(n, ki, "%s %q is listed twice", what, name)
				continue
			}
			seen[name] = true
			check(n, ki, name)
		}
	}
	if !n.Failed(k("places")) && (len(s.Places) > 0 || n.Has(k("places"))) {
		targets++
		names("places", "place", s.Places, c.place)
	}
	if s.Country != "" {
		targets++
		c.country(n, k("country"), s.Country)
	}
	if !n.Failed(k("countries")) && (len(s.Countries) > 0 || n.Has(k("countries"))) {
		targets++
		names("countries", "country", s.Countries, c.country)
	}
	if s.Flow != nil {
		targets++
		c.placeOrCountry(s.Flow.nodeOr(n), "from", s.Flow.From)
		c.placeOrCountry(s.Flow.nodeOr(n), "to", s.Flow.To)
	}
	if s.Total {
		targets++
	}
	if s.Group != "" {
		c.group(n, k("group"), s.Group)
	}
	if n.Has(k("groups")) && !n.Failed(k("groups")) {
		if s.Group != "" {
			c.errorf(n, k("groups"), "give group or groups, not both")
		}
		names("groups", "group", s.Groups, c.group)
	}
	return targets
}

func (f *Flow) nodeOr(n *Node) *Node {
	if f.File != "" {
		return &f.Node
	}
	return n
}

func (c *checker) checkObservations() {
	seen := map[string]*Observation{}
	for i := range c.doc.Observations {
		o := &c.doc.Observations[i]
		n := &o.Node
		if o.ID == "" {
			c.errorf(n, "", "id: missing")
		} else if prev, dup := seen[o.ID]; dup {
			c.errorf(n, "id", "observation %q is listed twice (first at %s)", o.ID, where(&prev.Node))
		} else {
			seen[o.ID] = o
		}
		if o.Kind == "" {
			if !o.Has("kind") {
				c.hintf(n, "", "one of "+strings.Join(enumAllowed(o.Kind), ", "), "kind: missing")
			}
			continue
		}
		targets := c.subject(n, "", &o.Subject)
		if o.Kind == ObsOrdering {
			if targets > 0 {
				c.errorf(n, "", "an ordering ranks the subjects listed in order; give no place, places, country, countries, flow or total of its own")
			}
			if len(o.Order) < 2 {
				c.errorf(n, "order", "order: rank at least two subjects, largest first")
			}
			for k := range o.Order {
				if c.subject(n, fmt.Sprintf("order[%d]", k), &o.Order[k]) != 1 {
					c.errorf(n, fmt.Sprintf("order[%d]", k), "each ranked subject names exactly one of place, places, country, countries, flow or total")
				}
			}
		} else {
			if targets != 1 {
				c.errorf(n, "", "an observation is about exactly one of place, places, country, countries, flow or total; this one names %d", targets)
			}
			if len(o.Order) > 0 {
				c.errorf(n, "order", "order applies only to an ordering")
			}
		}
		if o.Measure == "share" && o.Group == "" && len(o.Groups) == 0 {
			c.errorf(n, "measure", "a share observation needs the group whose share it is (group or groups)")
		}
		if o.Measure == "refugees" {
			c.refugees(o)
		}
		has := func(k string) bool { return o.Has(k) }
		allowed := map[ObservationKind][]string{
			ObsSeries:   {"counts", "registration_changes"},
			ObsCount:    {"value", "date", "period"},
			ObsInterval: {"low", "high", "date", "period"},
			ObsBound:    {"bound", "value", "date", "period"},
			ObsOrdering: {"order", "date", "period"},
		}[o.Kind]
		for _, k := range []string{"counts", "registration_changes", "value", "low", "high", "bound", "date", "period"} {
			if has(k) && !contains(allowed, k) {
				c.errorf(n, k, "%s does not apply to a %s observation", k, o.Kind)
			}
		}
		maxV := nan
		if o.Measure == "share" {
			maxV = 1
		}
		num := func(k string, v *float64) {
			if v == nil {
				if contains(allowed, k) && k != "date" && k != "period" {
					c.errorf(n, "", "%s: missing for a %s observation", k, o.Kind)
				}
				return
			}
			if *v < 0 || (!math.IsNaN(maxV) && *v > maxV) {
				c.errorf(n, k, "%s %v is out of range", k, *v)
			}
		}
		switch o.Kind {
		case ObsSeries:
			if len(o.Counts) == 0 {
				c.errorf(n, "counts", "counts: give [YYYY-MM-DD, count] pairs")
			}
			var prev Date
			for k, p := range o.Counts {
				key := fmt.Sprintf("counts[%d]", k)
				if p.Date.IsZero() {
					continue
				}
				if !prev.IsZero() && p.Date.DaysSince(prev) < 0 {
					c.errorf(n, key+"[0]", "date %s is earlier than the one before it; dates must not go back", p.Date)
				}
				prev = p.Date
				if p.Count < 0 {
					c.errorf(n, key+"[1]", "count %d is negative", p.Count)
				}
			}
			for k, d := range o.RegistrationChanges {
				for j := 0; j < k; j++ {
					if o.RegistrationChanges[j] == d {
						c.errorf(n, fmt.Sprintf("registration_changes[%d]", k), "%s is listed twice", d)
					}
				}
			}
		case ObsCount:
			num("value", o.Value)
		case ObsInterval:
			num("low", o.Low)
			num("high", o.High)
			if o.Low != nil && o.High != nil && *o.Low > *o.High {
				c.errorf(n, "low", "low %v is above high %v", *o.Low, *o.High)
			}
		case ObsBound:
			num("value", o.Value)
			if o.Bound == "" && !has("bound") {
				c.errorf(n, "", "bound: say whether value is a lower or an upper bound")
			}
		}
		if o.Kind != ObsSeries {
			switch {
			case !o.Date.IsZero() && o.Period != nil:
				c.errorf(n, "period", "give date or period, not both")
			case !o.Date.IsZero():
				c.obsDate(n, "date", o.Date, o.Date)
			case o.Period != nil:
				if c.period(o.Period, "observation period") {
					to := o.Period.To
					if to.IsZero() {
						to = o.Period.From
					}
					c.obsDate(n, "period", o.Period.From, to)
				}
			default:
				if !has("date") && !has("period") {
					c.errorf(n, "", "give the date or the period the observation refers to")
				}
			}
		}
		if ct := o.Citation; ct != nil {
			c.source(&ct.Node, "source", ct.Source)
			c.quantity(ct.Coverage, "coverage", 0, 1, false)
		}
	}
}

// refugees checks an observation of people holding refugee status: they
// are people present, so a flow has none, and without naturalisation
// everyone present is a refugee.
func (c *checker) refugees(o *Observation) {
	n := &o.Node
	flow := o.Flow != nil
	for k := range o.Order {
		flow = flow || o.Order[k].Flow != nil
	}
	if flow {
		c.hintf(n, "measure", "use a place, places, a country, countries or the total", "refugees are people present at places; a flow has none")
	}
	for i := range c.doc.Policies {
		if r := c.doc.Policies[i].Reception; r != nil && r.NaturaliseAfterYears != nil {
			return
		}
	}
	c.warnf(n, "measure", "no policy naturalises anyone (reception: naturalise_after_years), so refugees counts everyone present, as stock does")
}

// obsDate warns about observations that fall outside the simulated days.
func (c *checker) obsDate(n *Node, key string, from, to Date) {
	if c.start.IsZero() || c.end.IsZero() {
		return
	}
	if to.DaysSince(c.start) < 0 || from.DaysSince(c.end) > 0 {
		c.warnf(n, key, "the observation lies outside the simulated days (%s to %s); no run can be compared with it", c.start, c.end)
	}
}

func (c *checker) checkSpawning() {
	s := c.doc.Spawning
	if s == nil {
		s = &Spawning{}
		s.Node = c.doc.Node
		s.path = "spawning"
	}
	mode := s.Mode
	if mode == "" {
		mode = SpawnObserved
	}
	only := func(key string, modes ...SpawnMode) {
		if s.Has(key) && !contains(modeNames(modes), string(mode)) {
			c.errorf(&s.Node, key, "%s applies only to mode %s", key, strings.Join(modeNames(modes), " or "))
		}
	}
	only("rule", SpawnConflict)
	only("displaced_per_conflict_day", SpawnConflict)
	only("daily", SpawnDaily)
	switch mode {
	case SpawnObserved:
		total := false
		for _, o := range c.doc.Observations {
			total = total || (o.Kind == ObsSeries && o.Total)
		}
		if !total {
			c.hintf(&s.Node, "", "add an observation {id: total, kind: series, total: true, counts: [...]}, or choose another spawning mode",
				"spawning from observations needs a series of the total displaced (total: true)")
		}
	case SpawnDaily:
		if len(s.Daily) == 0 {
			c.errorf(&s.Node, "", "daily: list the people displaced on each day from day 0")
		}
		for i, n := range s.Daily {
			if n < 0 {
				c.errorf(&s.Node, fmt.Sprintf("daily[%d]", i), "%d people is negative", n)
			}
		}
		if days := c.doc.DaysCount(); days > 0 && len(s.Daily) > 0 && len(s.Daily) < days {
			c.errorf(&s.Node, "daily", "daily lists %d days; the scenario has %d", len(s.Daily), days)
		}
	}
}

func modeNames(ms []SpawnMode) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

func (c *checker) checkSettings() {
	st := c.doc.Settings
	if st == nil {
		return
	}
	set, _, err := settingsFrom(c.doc)
	if err != nil {
		n := &st.Node
		key := ""
		if st.MoveRules != nil {
			if k := settingKeyInError(err.Error()); k != "" && st.MoveRules.Has(k) {
				n, key = &st.MoveRules.Node, k
			}
		}
		if st.SpawnRules != nil {
			if k := settingKeyInError(err.Error()); k != "" && st.SpawnRules.Has(k) {
				n, key = &st.SpawnRules.Node, k
			}
		}
		c.errorf(n, key, "%v", err)
	}
	_ = set
	if o := st.Optimisations; o != nil && o.Hasten != nil && *o.Hasten < 1 {
		c.errorf(&o.Node, "hasten", "hasten %d must be at least 1", *o.Hasten)
	}
	if ms := st.ModeSpeeds; ms != nil {
		// Unknown modes are unknown keys, reported by the decoder.
		for _, m := range enumAllowed(RouteMode("")) {
			if v := ms.speed(RouteMode(m)); v != nil && !(*v > 0 && !math.IsInf(*v, 1)) {
				c.errorf(&ms.Node, m, "mode_speeds.%s %v must be a positive number of km/day", m, *v)
			}
		}
	}
}

// settingKeyInError finds the setting named at the start of a sim.Settings.Check message.
func settingKeyInError(msg string) string {
	k, _, ok := strings.Cut(msg, " ")
	if !ok {
		return ""
	}
	return k
}
