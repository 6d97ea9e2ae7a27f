package spec

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/results"
)

// The observations as evidence: every observation becomes an
// evaluate.Item that says what to read from a run (results.Probe) and what
// it is compared with. What this version cannot count is kept, with the
// reason, as not evaluable; it never stops a run. docs/evidence.md
// describes the rules.

// fleeSeries reports whether o is one of the series the Flee-compatible
// path combines per place (Observed.Rows): a place's or the total's stock,
// for everyone.
func fleeSeries(o *Observation) bool {
	return o.Kind == ObsSeries && o.Country == "" && o.Flow == nil && o.Group == "" &&
		len(o.Places) == 0 && len(o.Countries) == 0 && len(o.Groups) == 0 &&
		(o.Measure == "" || o.Measure == "stock")
}

type evBuilder struct {
	c       *compiler
	ev      *evaluate.Evidence
	probeIx map[string]int
	groupIx map[string]int
	days    int
	// changes are the simulated days, after day 0, on which some place
	// passes to another country, in order.
	changes []int
}

// evidence compiles every observation; rows are the combined place and
// total series of the Flee-compatible path.
func (c *compiler) evidence(rows []SeriesRow) *evaluate.Evidence {
	b := &evBuilder{c: c, ev: &evaluate.Evidence{Scale: float64(max(1, c.sp.Hasten))},
		probeIx: map[string]int{}, groupIx: map[string]int{}, days: c.sc.Days}
	for i, g := range c.doc.Groups {
		b.groupIx[g.Name] = i
	}
	d := c.doc
	for i := range d.Places {
		for _, ch := range d.Places[i].Changes {
			if day := ch.Date.DaysSince(d.Start); ch.Country != "" && day > 0 && day < b.days {
				b.changes = append(b.changes, day)
			}
		}
	}
	slices.Sort(b.changes)
	b.changes = slices.Compact(b.changes)
	// Series of one subject, measure and group add up: they make one item,
	// placed where the first of them is.
	key := func(o *Observation) string {
		return fmt.Sprintf("%s|%s|%v|%v", subjectLabel(&o.Subject), o.Measure, o.Unmodelled, fleeSeries(o))
	}
	bySeries := map[string][]*Observation{}
	for i := range d.Observations {
		o := &d.Observations[i]
		if o.Kind == ObsSeries {
			k := key(o)
			bySeries[k] = append(bySeries[k], o)
		}
	}
	done := map[string]bool{}
	for i := range d.Observations {
		o := &d.Observations[i]
		switch o.Kind {
		case ObsSeries:
			k := key(o)
			if done[k] {
				continue
			}
			done[k] = true
			b.series(bySeries[k], rows)
		case ObsOrdering:
			b.ordering(o)
		default:
			b.single(o)
		}
	}
	return b.ev
}

// subjectLabel names a subject, e.g. "place Greyhaven", "flow baku → anzali",
// "places bajgiran, herat (groups a, b)".
func subjectLabel(s *Subject) string {
	var l string
	switch {
	case s.Total:
		l = "total"
	case s.Flow != nil:
		l = "flow " + s.Flow.From + " → " + s.Flow.To
	case s.Country != "":
		l = "country " + s.Country
	case len(s.Countries) > 0:
		l = "countries " + strings.Join(s.Countries, ", ")
	case len(s.Places) > 0:
		l = "places " + strings.Join(s.Places, ", ")
	default:
		l = "place " + s.Place
	}
	if s.Group != "" {
		l += " (group " + s.Group + ")"
	}
	if len(s.Groups) > 0 {
		l += " (groups " + strings.Join(s.Groups, ", ") + ")"
	}
	return l
}

// item starts an item with the observation's citation and weight.
func (b *evBuilder) item(o *Observation) evaluate.Item {
	it := evaluate.Item{ID: o.ID, Measure: string(o.Measure), Subject: subjectLabel(&o.Subject), Note: o.Note}
	if it.Measure == "" {
		it.Measure = "stock"
	}
	it.Share = o.Measure == "share"
	rel := ""
	if ct := o.Citation; ct != nil {
		it.Source, it.Reference, rel = ct.Source, ct.Reference, string(ct.Reliability)
		it.Coverage = quantityText(ct.Coverage)
		if rel == "" {
			for _, s := range b.c.doc.Sources {
				if s.ID == ct.Source {
					rel = string(s.Reliability)
				}
			}
		}
	}
	if rel == "" {
		rel = "unknown"
	}
	it.Reliability, it.Weight = rel, evaluate.Weight(rel)
	return it
}

func quantityText(q *Quantity) string {
	if q == nil {
		return ""
	}
	var parts []string
	if q.Value != nil {
		parts = append(parts, evaluate.Num(*q.Value))
	}
	if q.Low != nil || q.High != nil {
		lo, hi := "0", "1"
		if q.Low != nil {
			lo = evaluate.Num(*q.Low)
		}
		if q.High != nil {
			hi = evaluate.Num(*q.High)
		}
		r := lo + " to " + hi
		if len(parts) > 0 {
			r = "(" + r + ")"
		}
		parts = append(parts, r)
	}
	return strings.Join(parts, " ")
}

// coverage returns the observation's registration coverage.
func coverage(o *Observation) evaluate.Coverage {
	if o.Citation == nil || o.Citation.Coverage == nil || o.Measure == "share" {
		return evaluate.NoCoverage
	}
	q := o.Citation.Coverage
	f := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	return evaluate.Coverage{Value: f(q.Value), Low: f(q.Low), High: f(q.High)}
}

// span returns the days an observation refers to: a date, or a period
// (open to the end of the run), and its label; reason is set when they
// are not all simulated.
func (b *evBuilder) span(o *Observation) (from, to int, when, reason string) {
	start := b.c.doc.Start
	last := start.AddDays(b.days - 1)
	switch {
	case !o.Date.IsZero():
		from = o.Date.DaysSince(start)
		to, when = from, o.Date.String()
	case o.Period != nil:
		from = o.Period.From.DaysSince(start)
		to = b.days - 1
		when = o.Period.From.String() + " to "
		if !o.Period.To.IsZero() {
			to = o.Period.To.DaysSince(start)
			when += o.Period.To.String()
		} else {
			when += last.String()
		}
	default:
		return 0, 0, "", "no date or period"
	}
	if from < 0 || to >= b.days || from > to {
		reason = fmt.Sprintf("not simulated: the run covers %s to %s", start, last)
	}
	return from, to, when, reason
}

// probe returns the index of p in the evidence's probes, adding it.
func (b *evBuilder) probe(p results.Probe) int {
	k := fmt.Sprintf("%v", p)
	if i, ok := b.probeIx[k]; ok {
		return i
	}
	b.ev.Probes = append(b.ev.Probes, p)
	b.probeIx[k] = len(b.ev.Probes) - 1
	return len(b.ev.Probes) - 1
}

// placesOn returns the places a place or country name stands for on day.
func (b *evBuilder) placesOn(name string, day int) []int {
	if i, ok := b.c.index[name]; ok {
		return []int{i}
	}
	return b.c.placesIn(name, day)
}

// routeDirs returns the route directions whose ends satisfy keep(from, to).
func (b *evBuilder) routeDirs(keep func(from, to int) bool) []results.RouteDir {
	var out []results.RouteDir
	for r, rt := range b.c.sc.Routes {
		if keep(rt.From, rt.To) {
			out = append(out, results.RouteDir{Route: r})
		}
		if keep(rt.To, rt.From) {
			out = append(out, results.RouteDir{Route: r, Back: true})
		}
	}
	return out
}

// selector gives what a probe reads on a day: places and route directions.
type selector func(day int) ([]int, []results.RouteDir)

// phased completes probe p with what sel gives on day 0 and, as Later
// phases, on each day a place changes country, when that differs.
func (b *evBuilder) phased(p results.Probe, sel selector) results.Probe {
	p.Places, p.Routes = sel(0)
	places, routes := p.Places, p.Routes
	for _, d := range b.changes {
		pl, rt := sel(d)
		if slices.Equal(pl, places) && slices.Equal(rt, routes) {
			continue
		}
		p.Later = append(p.Later, results.Phase{From: d, Places: pl, Routes: rt})
		places, routes = pl, rt
	}
	return p
}

// anyRoutes reports whether p reads some route on some day.
func anyRoutes(p *results.Probe) bool {
	if len(p.Routes) > 0 {
		return true
	}
	for _, ph := range p.Later {
		if len(ph.Routes) > 0 {
			return true
		}
	}
	return false
}

// groupsOf returns the indices of the subject's groups, nil for everyone.
func (b *evBuilder) groupsOf(s *Subject) ([]int, string) {
	names := s.Groups
	if s.Group != "" {
		names = []string{s.Group}
	}
	var out []int
	for _, n := range names {
		g, ok := b.groupIx[n]
		if !ok {
			return nil, fmt.Sprintf("unknown group %q", n)
		}
		out = append(out, g)
	}
	return out, ""
}

// dayText is simulation day t as a date.
func (b *evBuilder) dayText(t int) string { return b.c.doc.Start.AddDays(t).String() }

// inhabited says why a subject's countries cannot be counted over days
// from to to: one of them has no place on any of those days.
func (b *evBuilder) inhabited(s *Subject, from, to int) string {
	names := s.Countries
	if s.Country != "" {
		names = []string{s.Country}
	}
	for _, n := range names {
		found := len(b.c.placesIn(n, from)) > 0
		for _, d := range b.changes {
			if found {
				break
			}
			if d > from && d <= to {
				found = len(b.c.placesIn(n, d)) > 0
			}
		}
		if found {
			continue
		}
		if from == to {
			return fmt.Sprintf("no place lies in country %q on %s", n, b.dayText(from))
		}
		return fmt.Sprintf("no place lies in country %q from %s to %s", n, b.dayText(from), b.dayText(to))
	}
	return ""
}

// resolve turns a subject and measure over days from to to into the
// probes that count them: a number, or with den ≥ 0 a share num/den.
// reason says why it cannot be. Several places, countries or groups add
// up; a country's places are those on each day counted.
func (b *evBuilder) resolve(s *Subject, m Measure, period bool, from, to int) (num, den int, reason string) {
	den = -1
	if m == "" {
		m = "stock"
	}
	notYet := func(what string) (int, int, string) {
		return -1, -1, what + " are not evaluable in this version"
	}
	if s.Unmodelled {
		return -1, -1, fmt.Sprintf("place %q lies outside the modelled network", s.Place)
	}
	groups, why := b.groupsOf(s)
	if why != "" {
		return -1, -1, why
	}
	if why := b.inhabited(s, from, to); why != "" {
		return -1, -1, why
	}
	cty := b.c.countryAt
	if s.Flow != nil {
		if len(groups) > 0 {
			return notYet("flows of one group")
		}
		var pm results.Measure
		switch m {
		case "arrivals", "departures", "crossings":
			pm = results.Crossings
		case "refusals":
			pm = results.Refusals
		default:
			return notYet(string(m) + " of a flow")
		}
		p := b.phased(results.Probe{Measure: pm}, func(day int) ([]int, []results.RouteDir) {
			fromIn, toIn := setOf(b.placesOn(s.Flow.From, day)), setOf(b.placesOn(s.Flow.To, day))
			return nil, b.routeDirs(func(a, z int) bool { return fromIn[a] && toIn[z] })
		})
		if !anyRoutes(&p) {
			return -1, -1, fmt.Sprintf("no route leads from %s to %s", s.Flow.From, s.Flow.To)
		}
		return b.probe(p), -1, ""
	}
	countries := s.Country != "" || len(s.Countries) > 0
	// places gives the subject's places on a day.
	places := func(day int) []int {
		switch {
		case s.Place != "":
			return []int{b.c.index[s.Place]}
		case len(s.Places) > 0:
			out := make([]int, 0, len(s.Places))
			for _, n := range s.Places {
				out = append(out, b.c.index[n])
			}
			slices.Sort(out)
			return slices.Compact(out)
		case countries:
			var out []int
			for _, n := range append([]string{s.Country}, s.Countries...) {
				if n != "" {
					out = append(out, b.c.placesIn(n, day)...)
				}
			}
			slices.Sort(out)
			return slices.Compact(out)
		}
		out := make([]int, len(b.c.sc.Places))
		for i := range out {
			out[i] = i
		}
		return out
	}
	onlyPlaces := func(day int) ([]int, []results.RouteDir) { return places(day), nil }
	if len(groups) > 0 && m != "stock" && m != "refugees" && m != "arrivals" && m != "share" && !(s.Total && m == "departures") {
		return notYet(string(m) + " of one group")
	}
	switch m {
	case "stock", "refugees":
		pm := results.Stock
		if m == "refugees" {
			pm = results.Refugees
		}
		if s.Total && len(groups) == 0 {
			return b.probe(results.Probe{Measure: pm, All: true}), -1, ""
		}
		return b.probe(b.phased(results.Probe{Measure: pm, Groups: groups}, onlyPlaces)), -1, ""
	case "arrivals", "departures":
		if s.Total {
			// Nobody enters or leaves the system but by being displaced:
			// in the whole system both count the people displaced.
			return b.probe(results.Probe{Measure: results.Displaced, Groups: groups}), -1, ""
		}
		if m == "arrivals" {
			return b.probe(b.phased(results.Probe{Measure: results.Arrivals, Groups: groups, Abroad: countries}, onlyPlaces)), -1, ""
		}
		// Departures of a country leave it; those of places set out from them.
		return b.probe(b.phased(results.Probe{Measure: results.Departures, Abroad: countries}, func(day int) ([]int, []results.RouteDir) {
			pl := places(day)
			in := setOf(pl)
			return pl, b.routeDirs(func(a, z int) bool { return in[a] && (!countries || cty(a, day) != cty(z, day)) })
		})), -1, ""
	case "crossings", "refusals":
		pm := results.Crossings
		if m == "refusals" {
			pm = results.Refusals
		}
		p := b.phased(results.Probe{Measure: pm}, func(day int) ([]int, []results.RouteDir) {
			in := setOf(places(day))
			return nil, b.routeDirs(func(a, z int) bool {
				if cty(a, day) == cty(z, day) {
					return false
				}
				switch {
				case s.Total:
					return true
				case countries:
					return in[z] // into the country
				}
				return in[a] || in[z] // to or from the places
			})
		})
		if !anyRoutes(&p) {
			return -1, -1, "no route across a border leads to or from " + subjectLabel(&Subject{Place: s.Place, Places: s.Places, Country: s.Country, Countries: s.Countries, Total: s.Total})
		}
		return b.probe(p), -1, ""
	case "returns":
		return b.probe(b.phased(results.Probe{Measure: results.Returns}, onlyPlaces)), -1, ""
	case "deportations":
		return b.probe(b.phased(results.Probe{Measure: results.Deportations}, onlyPlaces)), -1, ""
	case "extraditions":
		return b.probe(b.phased(results.Probe{Measure: results.Extraditions}, onlyPlaces)), -1, ""
	case "share":
		if len(groups) == 0 {
			return -1, -1, "a share needs the group whose share it is"
		}
		if period {
			if s.Total {
				return b.probe(results.Probe{Measure: results.Displaced, Groups: groups}),
					b.probe(results.Probe{Measure: results.Displaced}), ""
			}
			return b.probe(b.phased(results.Probe{Measure: results.Arrivals, Groups: groups, Abroad: countries}, onlyPlaces)),
				b.probe(b.phased(results.Probe{Measure: results.Arrivals, Abroad: countries}, onlyPlaces)), ""
		}
		return b.probe(b.phased(results.Probe{Measure: results.Stock, Groups: groups}, onlyPlaces)),
			b.probe(b.phased(results.Probe{Measure: results.Stock}, onlyPlaces)), ""
	}
	return notYet(string(m))
}

func setOf(list []int) map[int]bool {
	in := make(map[int]bool, len(list))
	for _, i := range list {
		in[i] = true
	}
	return in
}

// single compiles a count, an interval or a bound.
func (b *evBuilder) single(o *Observation) {
	it := b.item(o)
	from, to, when, reason := b.span(o)
	it.When = when
	cov := coverage(o)
	ok := true
	switch o.Kind {
	case ObsCount:
		it.Kind = evaluate.Count
		if o.Value != nil {
			it.Observed, ok = cov.Count(*o.Value)
		}
	case ObsInterval:
		it.Kind = evaluate.Interval
		if o.Low != nil && o.High != nil {
			it.Observed, ok = cov.Range(*o.Low, *o.High)
		}
	case ObsBound:
		if o.Value == nil {
			break
		}
		if o.Bound == "upper" {
			it.Kind = evaluate.Upper
			it.Observed, ok = cov.Range(0, *o.Value)
		} else {
			it.Kind = evaluate.Lower
			it.Observed, ok = cov.Range(*o.Value, math.Inf(1))
		}
	}
	if !ok {
		reason = "a registration coverage of 0 leaves the true number unknown"
	}
	if reason == "" {
		num, den, why := b.resolve(&o.Subject, o.Measure, o.Period != nil, from, to)
		reason = why
		it.Terms = []evaluate.Term{{Probe: num, Den: den, From: from, To: to}}
	}
	if reason != "" {
		it.Terms, it.Reason = nil, reason
	}
	b.ev.Items = append(b.ev.Items, it)
}

// ordering compiles an ordering: one term per ranked subject.
func (b *evBuilder) ordering(o *Observation) {
	it := b.item(o)
	it.Kind = evaluate.Ordering
	it.Subject = "ordering"
	from, to, when, reason := b.span(o)
	it.When = when
	for k := range o.Order {
		s := &o.Order[k]
		it.Order = append(it.Order, subjectLabel(s))
		if reason != "" {
			continue
		}
		num, den, why := b.resolve(s, o.Measure, o.Period != nil, from, to)
		if why != "" {
			reason = subjectLabel(s) + ": " + why
			continue
		}
		it.Terms = append(it.Terms, evaluate.Term{Probe: num, Den: den, From: from, To: to})
	}
	if reason != "" {
		it.Terms, it.Reason = nil, reason
	}
	b.ev.Items = append(b.ev.Items, it)
}

// series compiles the series of one subject, measure and group, added up.
// The place and total stock series are those of the Flee-compatible path
// (rows), hasten and registration changes applied as there; each date is
// compared with the simulated value on it. A series of a count of events
// (arrivals, crossings, ...) counts them since the date before (the first
// date: since the start).
func (b *evBuilder) series(obs []*Observation, rows []SeriesRow) {
	o := obs[0]
	it := b.item(o)
	it.Kind = evaluate.Series
	var ids, sources, refs []string
	covText := it.Coverage
	var reason string
	for _, x := range obs {
		ids = appendNew(ids, x.ID)
		if ct := x.Citation; ct != nil {
			sources = appendNew(sources, ct.Source)
			refs = appendNew(refs, ct.Reference)
		}
		if b.item(x).Coverage != covText {
			reason = "series of " + it.Subject + " with different registration coverages add up"
		}
	}
	it.ID, it.Source, it.Reference = strings.Join(ids, "+"), strings.Join(sources, "; "), strings.Join(refs, "; ")
	h := b.ev.Scale
	var pts []Point
	if fleeSeries(o) {
		for _, r := range rows {
			if r.Total == o.Total && (r.Total || r.Name == o.Place) {
				pts = append(pts, r.Points...)
				var d0 float64
				if b.c.sp.EmptyCampsOnDay0 {
					d0 = float64(r.At(0))
				}
				for k := range pts {
					pts[k].Value = (pts[k].Value - d0) * h
				}
				break
			}
		}
	} else {
		var tables [][]Point
		for _, x := range obs {
			t := make([]Point, len(x.Counts))
			for k, p := range x.Counts {
				t[k] = Point{Day: float64(p.Date.DaysSince(b.c.doc.Start)), Value: float64(p.Count)}
			}
			if len(t) > 0 {
				tables = append(tables, t)
			}
		}
		if len(tables) > 0 {
			pts = mergeSum(tables...)
		}
	}
	if o.Measure == "share" {
		reason = "a share is a fraction: give it as a count, an interval or a bound, not as a series of counts"
	}
	cov := coverage(o)
	onDay := o.Measure == "" || o.Measure == "stock" || o.Measure == "refugees"
	prev := -1
	for _, p := range pts {
		day := int(p.Day)
		if day < 0 || day >= b.days {
			continue
		}
		v, ok := cov.Count(p.Value)
		if !ok {
			reason = "a registration coverage of 0 leaves the true number unknown"
		}
		it.Dates = append(it.Dates, b.c.doc.Start.AddDays(day).String())
		it.Points = append(it.Points, v)
		from := day
		if !onDay {
			from = prev + 1
		}
		it.Terms = append(it.Terms, evaluate.Term{From: from, To: day})
		prev = day
	}
	if reason == "" && len(it.Terms) > 0 {
		// One probe serves every date: it reads each day's places itself.
		num, den, why := b.resolve(&o.Subject, o.Measure, false, it.Terms[0].From, prev)
		reason = why
		for k := range it.Terms {
			it.Terms[k].Probe, it.Terms[k].Den = num, den
		}
	}
	if len(it.Dates) > 0 {
		it.When = it.Dates[0] + " to " + it.Dates[len(it.Dates)-1]
	}
	if reason == "" && len(it.Terms) == 0 {
		reason = "no date of the series lies in the simulated days"
	}
	if reason != "" {
		it.Terms, it.Reason = nil, reason
	}
	b.ev.Items = append(b.ev.Items, it)
}

func appendNew(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
