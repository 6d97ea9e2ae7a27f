package spec

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

// Options control compilation.
type Options struct {
	// Mode selects the ruleset: Caravan's, or Flee's reproduced exactly.
	Mode sim.Mode
	// Days > 0 overrides the document's length.
	Days int
	// Set holds KEY=VALUE overrides of the settings and spawning blocks,
	// e.g. move_rules.max_move_speed=200 or spawning.insert_day0=false.
	Set []string
	// ForExport, when set, names the format the scenario is being exported
	// to; what the engine cannot simulate is then reported as what that
	// format cannot hold.
	ForExport string
}

// Compiled is what the engine runs, and what its results are compared with.
type Compiled struct {
	Scenario *scenario.Scenario
	Settings sim.Settings
	Spawn    SpawnSettings
	Observed Observed
	// Warnings are problems that do not stop a run.
	Warnings []diag.Problem
}

// Observed holds the observed series as the simulated days see them.
type Observed struct {
	// Camps are the places compared with observations: camps at the start
	// that have a series, in place order.
	Camps []int
	// Series[k][t] is Camps[k]'s observed population on day t.
	Series [][]int
	// Raw[t] is Flee's raw refugee count and Debt[t] its refugee debt on day t.
	Raw, Debt []int
	// Rows are the combined series: the total first (Name "total"; it may
	// have no points), then one per place subject in document order.
	Rows []SeriesRow
	// Evidence is every observation as runs are scored against it
	// (evidence.go).
	Evidence *evaluate.Evidence
}

// SeriesRow is the sum of every series of one subject.
type SeriesRow struct {
	Name  string
	Total bool
	Place int // place index, -1 for the total and unmodelled places
	// Points are the combined, hasten-divided and corrected observations.
	Points []Point
	// Files are the files the series were read from.
	Files []string
}

// At returns the row's value on day t (Flee's interpolation rule).
func (r *SeriesRow) At(t int) int { return at(r.Points, t) }

// CampNames returns the names of the reported camps.
func (c *Compiled) CampNames() []string {
	out := make([]string, len(c.Observed.Camps))
	for k, i := range c.Observed.Camps {
		out[k] = c.Scenario.Places[i].Name
	}
	return out
}

type compiler struct {
	doc   *Document
	opt   Options
	probs *diag.List
	set   sim.Settings
	sp    SpawnSettings
	sc    *scenario.Scenario
	index map[string]int
	home  string // the country of the people displaced: others are abroad
}

// notYet reports a mechanism the engine does not have: subject names the
// item, mechanism what it uses; plural picks the verb.
func (c *compiler) notYet(n *Node, key, subject, mechanism string, plural bool) {
	if c.opt.ForExport != "" {
		c.probs.Add(n.problem(key, "%s: %s cannot be written in %s", subject, mechanism, c.opt.ForExport))
		return
	}
	verb := "is"
	if plural {
		verb = "are"
	}
	p := n.problem(key, "%s: %s %s not simulated yet by this Caravan version", subject, mechanism, verb)
	p.Hint = "remove it, or run a copy of the scenario without it"
	c.probs.Add(p)
}

// Compile turns the document into what the engine runs: the places,
// routes and events, the settings of the chosen ruleset, and the observed
// series with the daily displacement schedule derived from them, and every
// observation as evidence (Observed.Evidence). Anything the engine cannot
// simulate yet is an error naming the item, never silently dropped;
// observations a run cannot count are kept as not evaluable.
func (l *Loaded) Compile(opt Options) (*Compiled, error) {
	if l.err != nil {
		return nil, l.err
	}
	var probs diag.List
	doc := applyOverrides(l.Doc, opt.Set, &probs)
	if probs.HasErrors() {
		return nil, probs.Err()
	}
	if len(opt.Set) > 0 {
		// Overridden values must pass the same checks as written ones.
		var again diag.List
		c := &checker{doc: doc, probs: &again}
		c.indexNames()
		c.checkSpawning()
		c.checkSettings()
		for _, p := range again.Problems {
			// The document passed these checks when it was loaded.
			p.File, p.Line, p.Column = "--set "+strings.Join(opt.Set, " --set "), 0, 0
			probs.Add(p)
		}
		if probs.HasErrors() {
			probs.Sort()
			return nil, probs.Err()
		}
	}
	c := &compiler{doc: doc, opt: opt, probs: &probs}
	out := c.compile()
	probs.Sort()
	if out != nil {
		out.Warnings = probs.Warnings()
	}
	if err := probs.Err(); err != nil {
		return out, err
	}
	return out, nil
}

func (c *compiler) compile() *Compiled {
	doc := c.doc
	c.unsupported()
	set, sp, err := settingsFrom(doc)
	if err != nil {
		c.probs.Add(diag.Problem{File: doc.File, Field: "settings", Msg: err.Error()})
	}
	set.Mode = c.opt.Mode
	c.set, c.sp = set, sp
	if sp.Hasten < 1 {
		sp.Hasten = 1
	}
	days := doc.DaysCount()
	if c.opt.Days > 0 {
		days = c.opt.Days
	}
	if days < 1 || doc.Start.IsZero() {
		c.probs.Add(diag.Problem{File: doc.File, Msg: "the scenario has no start or length"})
		return nil
	}
	name := doc.Name
	if name == "" {
		base := filepath.Base(doc.File)
		if base == MainFile {
			base = filepath.Base(filepath.Dir(doc.File))
		}
		name = strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
	}
	c.sc = &scenario.Scenario{Name: name, Start: doc.Start.Time(), Days: days}
	c.places()
	c.routes()
	c.events()
	c.system()
	if c.probs.HasErrors() {
		return nil
	}
	out := &Compiled{Scenario: c.sc, Settings: set, Spawn: sp}
	c.observed(&out.Observed)
	if c.probs.HasErrors() {
		return out
	}
	if err := c.sc.Check(); err != nil {
		c.probs.Add(diag.Problem{File: doc.File, Msg: err.Error()})
	}
	c.reachability(&out.Observed)
	return out
}

// unsupported reports every part of the document the engine cannot simulate.
func (c *compiler) unsupported() {
	d := c.doc
	if c.opt.ForExport != "" {
		// Flee's format has none of Caravan's own mechanisms.
		for i := range d.Groups {
			g := &d.Groups[i]
			c.notYet(&g.Node, "", fmt.Sprintf("group %q", g.Name), "groups", true)
		}
		for i := range d.Drivers {
			dr := &d.Drivers[i]
			if dr.Type != "conflict" || len(dr.Groups) > 0 || dr.Curve == "linear" {
				c.notYet(&dr.Node, "", fmt.Sprintf("driver %q", dr.Name), string(dr.Type)+" drivers", true)
			}
		}
		for i := range d.Policies {
			p := &d.Policies[i]
			switch {
			case len(p.Groups) > 0:
				c.notYet(&p.Node, "groups", fmt.Sprintf("policy %q", p.Name), "policies for particular groups", true)
			case p.Border != nil && p.Border.Regime != "closed" && p.Border.Regime != "open":
				c.notYet(&p.Border.Node, "regime", fmt.Sprintf("policy %q", p.Name), "border regime "+string(p.Border.Regime), false)
			case p.Reception != nil:
				c.notYet(&p.Reception.Node, "", fmt.Sprintf("policy %q", p.Name), "policies.reception", false)
			case p.Deportation != nil:
				c.notYet(&p.Deportation.Node, "", fmt.Sprintf("policy %q", p.Name), "policies.deportation", false)
			case p.Extradition != nil:
				c.notYet(&p.Extradition.Node, "", fmt.Sprintf("policy %q", p.Name), "policies.extradition", false)
			}
		}
		for i := range d.Affinities {
			a := &d.Affinities[i]
			c.notYet(&a.Node, "", fmt.Sprintf("affinity of group %q", a.Group), "affinities", true)
		}
		for i := range d.Onward {
			o := &d.Onward[i]
			c.notYet(&o.Node, "", fmt.Sprintf("onward movement %q", o.Name), "onward movement", false)
		}
	}
	// Groups, drivers, policies, affinities and onward movement compile to
	// scenario.System (system.go); only what it cannot express is refused.
	drivers := d.Spawning != nil && d.Spawning.Mode == SpawnDrivers
	for i := range d.Drivers {
		dr := &d.Drivers[i]
		if drivers {
			continue
		}
		switch {
		case dr.Type != "conflict":
			c.notYet(&dr.Node, "type", fmt.Sprintf("driver %q", dr.Name), string(dr.Type)+" drivers outside spawning mode drivers", true)
		case dr.Curve == "linear":
			c.notYet(&dr.Node, "curve", fmt.Sprintf("driver %q", dr.Name), "a linear conflict curve outside spawning mode drivers", false)
		}
	}
	// Every observation compiles to evidence (evidence.go); what a run
	// cannot count is reported there as not evaluable. Flee's files hold
	// only place and total series.
	for i := range d.Observations {
		o := &d.Observations[i]
		if c.opt.ForExport == "" {
			break
		}
		switch {
		case o.Kind != ObsSeries:
			c.notYet(&o.Node, "kind", fmt.Sprintf("observation %q", o.ID), string(o.Kind)+" observations", true)
		case o.Country != "" || o.Flow != nil || len(o.Places) > 0 || len(o.Countries) > 0:
			c.notYet(&o.Node, "", fmt.Sprintf("observation %q", o.ID), "series of a country, of several places or of a flow", true)
		case o.Group != "" || len(o.Groups) > 0:
			c.notYet(&o.Node, "group", fmt.Sprintf("observation %q", o.ID), "series of a group", true)
		case o.Measure != "" && o.Measure != "stock":
			c.notYet(&o.Node, "measure", fmt.Sprintf("observation %q", o.ID), "series of "+string(o.Measure), true)
		case o.Citation != nil && o.Citation.Coverage != nil:
			c.notYet(&o.Citation.Node, "coverage", fmt.Sprintf("observation %q", o.ID), "registration coverage", false)
		}
	}
	for i := range d.Places {
		p := &d.Places[i]
		for k := range p.Changes {
			ch := &p.Changes[k]
			if ch.Country != "" && c.opt.ForExport != "" {
				c.notYet(&ch.Node, "country", fmt.Sprintf("place %q", p.Name), "a change of country", false)
			}
			if c.opt.ForExport != "" {
				switch ch.Kind {
				case "", KindCamp, KindIDPCamp, KindTown:
				default:
					c.notYet(&ch.Node, "kind", fmt.Sprintf("place %q", p.Name), "a change of kind to "+string(ch.Kind), false)
				}
			}
		}
	}
	modes := map[RouteMode]int{}
	for i := range d.Routes {
		r := &d.Routes[i]
		if c.opt.ForExport != "" && r.CapacityPerDay != nil {
			c.notYet(&r.Node, "capacity_per_day", fmt.Sprintf("route %s–%s", r.From, r.To), "a daily route capacity", false)
		}
		if c.opt.ForExport != "" && len(r.Seasons) > 0 {
			c.notYet(&r.Node, "seasons", fmt.Sprintf("route %s–%s", r.From, r.To), "seasons", true)
		}
		if r.Mode != "" && r.Mode != "road" && r.MaxSpeed == nil && d.modeSpeeds().speed(r.Mode) == nil {
			modes[r.Mode]++
		}
	}
	if len(modes) > 0 {
		var parts []string
		for m, n := range modes {
			parts = append(parts, fmt.Sprintf("%d %s", n, m))
		}
		sort.Strings(parts)
		c.probs.Add(diag.Problem{File: d.File, Field: "routes", Warning: true,
			Msg:  fmt.Sprintf("routes of modes other than road (%s) have no speed of their own: they are travelled at move_rules.max_move_speed", strings.Join(parts, ", ")),
			Hint: "give the mode a speed under settings.mode_speeds, or give the routes max_speed"})
	}
}

// value returns a quantity's point value; an interval alone cannot be simulated.
func (c *compiler) value(q *Quantity, what string) (float64, bool) {
	if q == nil {
		return 0, false
	}
	if q.Value == nil {
		c.probs.Add(q.problem("", "%s is given only as an interval; give value: for simulations (calibration will sample the interval later)", what))
		return 0, false
	}
	return *q.Value, true
}

func (c *compiler) intValue(q *Quantity, what string) (int, bool) {
	f, ok := c.value(q, what)
	if !ok {
		return 0, false
	}
	return int(math.Round(f)), true
}

// engineKind maps a place kind to the engine's.
func engineKind(k PlaceKind, inConflict bool) scenario.Kind {
	switch k {
	case KindOrigin:
		if inConflict {
			return scenario.Conflict
		}
		return scenario.Town
	case KindTransitHub:
		return scenario.Forward
	case KindCamp, KindDestination:
		return scenario.Camp
	case KindIDPCamp:
		return scenario.IDPCamp
	case KindMarker:
		return scenario.Marker
	}
	return scenario.Town
}

func (c *compiler) places() {
	d := c.doc
	h := c.sp.Hasten
	home := d.HomeCountry
	c.index = make(map[string]int, len(d.Places))
	for i := range d.Places {
		p := &d.Places[i]
		sp := scenario.Place{Name: p.Name, Region: p.Region, Country: p.Country, Capacity: -1}
		if sp.Region == "" {
			sp.Region = "unknown"
		}
		if sp.Country == "" {
			sp.Country = "unknown"
		}
		if home == "" {
			home = sp.Country
		}
		sp.Foreign = sp.Country != home
		c.home = home
		if p.Lat != nil {
			sp.Lat = *p.Lat
		}
		if p.Lon != nil {
			sp.Lon = *p.Lon
		}
		sp.Kind = engineKind(p.Kind, p.ConflictAtStart != nil)
		if v, ok := c.value(p.ConflictAtStart, "conflict_at_start"); ok {
			sp.ConflictIntensity = v
		}
		if v, ok := c.intValue(p.Population, "population"); ok {
			sp.Pop = floorDiv(v, h)
		}
		if v, ok := c.intValue(p.Capacity, "capacity"); ok {
			sp.Capacity = floorDiv(v, h)
		}
		if v, ok := c.intValue(p.CapacityPerDay, "capacity_per_day"); ok {
			sp.CapacityPerDay = v
		}
		if v, ok := c.intValue(p.Initial, "initial"); ok {
			sp.Initial = v
		}
		if len(p.Attributes) > 0 {
			sp.Attrs = make(map[string]string, len(p.Attributes))
			for k, v := range p.Attributes {
				sp.Attrs[k] = v
			}
		}
		c.index[p.Name] = i
		c.sc.Places = append(c.sc.Places, sp)
	}
}

func (c *compiler) routes() {
	for i := range c.doc.Routes {
		r := &c.doc.Routes[i]
		dist, ok := c.value(&r.Distance, "distance")
		if !ok {
			continue
		}
		rt := scenario.Route{From: c.index[r.From], To: c.index[r.To], DistanceKM: dist, Duplicate: r.Duplicate}
		// The engine travels a route at MaxSpeed in place of max_move_speed
		// (a speed, not a cap): the route's own max_speed, else its mode's.
		if r.MaxSpeed != nil {
			rt.MaxSpeed = *r.MaxSpeed
		} else if v := c.doc.modeSpeeds().speed(r.Mode); v != nil {
			rt.MaxSpeed = *v
			if c.opt.ForExport != "" {
				// Flee's routes.csv has only a per-route speed; the exporter
				// writes the routes' own max_speed.
				key := ""
				if r.Has("mode") {
					key = "mode"
				}
				p := r.problem(key, "route %s–%s: its speed from settings.mode_speeds cannot be written in %s", r.From, r.To, c.opt.ForExport)
				p.Hint = fmt.Sprintf("give the route max_speed: %v", *v)
				c.probs.Add(p)
			}
		}
		if r.WalkProbability != nil {
			rt.WalkProbability = *r.WalkProbability
		}
		if r.CapacityPerDay != nil {
			if v, ok := c.intValue(r.CapacityPerDay, "capacity_per_day"); ok && v > 0 {
				rt.CapacityPerDay = v
			}
		}
		c.sc.Routes = append(c.sc.Routes, rt)
	}
}

var eventKinds = map[EventType]scenario.EventKind{
	EvConflictStart: scenario.ConflictStart, EvConflictIntensity: scenario.ConflictIntensity, EvConflictEnd: scenario.ConflictEnd,
	EvCloseBorder: scenario.CloseBorder, EvOpenBorder: scenario.OpenBorder,
	EvClosePlace: scenario.ClosePlace, EvOpenPlace: scenario.OpenPlace,
	EvCloseRoute: scenario.CloseRoute, EvOpenRoute: scenario.OpenRoute,
	EvCloseCamp: scenario.CloseCamp, EvOpenCamp: scenario.OpenCamp,
}

// reverse is the event that undoes each event with a to: date.
var reverse = map[scenario.EventKind]scenario.EventKind{
	scenario.ConflictStart: scenario.ConflictEnd, scenario.CloseBorder: scenario.OpenBorder,
	scenario.ClosePlace: scenario.OpenPlace, scenario.CloseRoute: scenario.OpenRoute, scenario.CloseCamp: scenario.OpenCamp,
}

// events expands the dated events (and the conflict drivers, closed-border
// policies and camp changes, which are events too) into the engine's list,
// sorted by day with the written order kept within a day.
func (c *compiler) events() {
	d := c.doc
	start := d.Start
	var evs []scenario.Event
	src := func(n *Node) string { return fmt.Sprintf("%s:%d", n.File, n.Line) }
	add := func(ev scenario.Event, to Date, idp bool) {
		evs = append(evs, ev)
		if !to.IsZero() {
			back := ev
			back.Kind = reverse[ev.Kind]
			back.Day = to.DaysSince(start) + 1
			back.Value = 0
			if back.Kind == scenario.OpenCamp && idp {
				back.Value = 1
			}
			evs = append(evs, back)
		}
	}
	flee := c.opt.Mode == sim.ModeFlee
	routeWarned := false
	for i := range d.Events {
		e := &d.Events[i]
		k, ok := eventKinds[e.Type]
		if !ok {
			continue
		}
		if flee && (k == scenario.CloseRoute || k == scenario.OpenRoute) {
			if !routeWarned {
				p := e.problem("type", "Flee's link closures close nothing (docs/flee-model.md §19.1); route events are ignored under the Flee ruleset")
				p.Warning = true
				c.probs.Add(p)
				routeWarned = true
			}
			continue
		}
		ev := scenario.Event{Day: e.Date.DaysSince(start), Kind: k, Place: -1, Place2: -1, Source: src(&e.Node)}
		switch eventNeeds[e.Type] {
		case "place":
			ev.Place = c.index[e.Place]
		case "route":
			ev.Place, ev.Place2 = c.index[e.Route[0]], c.index[e.Route[1]]
		case "countries":
			ev.Country, ev.Country2 = e.Countries[0], e.Countries[1]
		}
		switch k {
		case scenario.ConflictStart, scenario.ConflictIntensity:
			ev.Value = 1
			if v, ok := c.value(e.Intensity, "intensity"); ok {
				ev.Value = v
			}
		case scenario.OpenCamp:
			if e.IDP {
				ev.Value = 1
			}
		}
		add(ev, e.To, e.IDP)
	}
	// Camp changes.
	for i := range d.Places {
		p := &d.Places[i]
		for k := range p.Changes {
			ch := &p.Changes[k]
			ev := scenario.Event{Day: ch.Date.DaysSince(start), Place: i, Place2: -1, Source: src(&ch.Node)}
			if ch.Country != "" {
				cc := ev
				cc.Kind, cc.Country = scenario.ChangeCountry, ch.Country
				if ch.Country != c.home {
					cc.Value = 1
				}
				cc.Affinity = c.affinityIn(i, ch.Country)
				evs = append(evs, cc)
			}
			switch ch.Kind {
			case KindCamp, KindIDPCamp:
				ev.Kind = scenario.OpenCamp
				if ch.Kind == KindIDPCamp {
					ev.Value = 1
				}
			case KindTown:
				ev.Kind = scenario.CloseCamp
			case "":
				continue
			default:
				// origin, crossing, transit_hub, destination, marker
				ev.Kind, ev.Value = scenario.ChangeKind, float64(engineKind(ch.Kind, false))
			}
			evs = append(evs, ev)
		}
	}
	// Conflict drivers: a step curve per origin.
	driversMode := d.Spawning != nil && d.Spawning.Mode == SpawnDrivers
	for i := range d.Drivers {
		dr := &d.Drivers[i]
		if dr.Type != "conflict" || dr.Curve == "linear" {
			continue
		}
		for _, o := range dr.Origins {
			prev := 0.0
			for k := range dr.Intensity {
				pt := &dr.Intensity[k]
				v, ok := c.value(&pt.Value, "intensity")
				if !ok {
					continue
				}
				if driversMode && v > 0 {
					// Under spawning mode drivers the curve counts people a
					// day; the place is simply in conflict (intensity 1).
					v = 1
				}
				ev := scenario.Event{Day: pt.Date.DaysSince(start), Place: c.index[o], Place2: -1, Value: v, Source: src(&pt.Node)}
				switch {
				case v > 0 && prev <= 0:
					ev.Kind = scenario.ConflictStart
				case v <= 0 && prev > 0:
					ev.Kind = scenario.ConflictEnd
					ev.Value = 0
				case v > 0 && v != prev:
					ev.Kind = scenario.ConflictIntensity
				default:
					prev = v
					continue
				}
				prev = v
				if ev.Day < 0 {
					ev.Day = 0
				}
				evs = append(evs, ev)
			}
		}
	}
	// Closed borders and crossings.
	for i := range d.Policies {
		p := &d.Policies[i]
		b := p.Border
		if b == nil || b.Regime != "closed" || len(p.Groups) > 0 {
			continue
		}
		ev := scenario.Event{Day: p.Period.From.DaysSince(start), Place: -1, Place2: -1, Source: src(&p.Node)}
		if b.Crossing != "" {
			ev.Kind, ev.Place = scenario.ClosePlace, c.index[b.Crossing]
		} else {
			ev.Kind, ev.Country, ev.Country2 = scenario.CloseBorder, b.Countries[0], b.Countries[1]
			w := b.problem("countries", "a closed border closes its routes in both directions in this Caravan version")
			w.Warning = true
			c.probs.Add(w)
		}
		if ev.Day < 0 {
			ev.Day = 0
		}
		add(ev, p.Period.To, false)
	}
	evs = append(evs, c.seasonEvents()...)
	kept := evs[:0]
	for _, ev := range evs {
		if flee && ev.Kind == scenario.ConflictIntensity {
			continue // Flee ignores changes of intensity during a conflict
		}
		if ev.Day >= c.sc.Days {
			continue
		}
		kept = append(kept, ev)
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Day < kept[j].Day })
	c.sc.Events = kept
}

// observed combines the series observations per subject and derives the
// day-0 populations and the daily displacement schedule from them, with
// Flee's rules (docs/flee-model.md §5.1–5.2).
func (c *compiler) observed(ob *Observed) {
	d := c.doc
	sc := c.sc
	h := float64(c.sp.Hasten)
	flee := c.opt.Mode == sim.ModeFlee
	start := d.Start

	type rowAcc struct {
		row     SeriesRow
		tables  [][]Point
		changes []*Observation
	}
	total := &rowAcc{row: SeriesRow{Name: "total", Total: true, Place: -1}}
	byName := map[string]*rowAcc{}
	var rows []*rowAcc
	for i := range d.Observations {
		o := &d.Observations[i]
		if !fleeSeries(o) {
			continue
		}
		var acc *rowAcc
		if o.Total {
			acc = total
		} else {
			acc = byName[o.Place]
			if acc == nil {
				place := -1
				if !o.Unmodelled {
					place = c.index[o.Place]
				}
				acc = &rowAcc{row: SeriesRow{Name: o.Place, Place: place}}
				byName[o.Place] = acc
				rows = append(rows, acc)
			}
		}
		pts := make([]Point, len(o.Counts))
		for k, p := range o.Counts {
			pts[k] = Point{Day: float64(p.Date.DaysSince(start)), Value: float64(p.Count) / h}
		}
		if len(pts) > 0 {
			acc.tables = append(acc.tables, pts)
		}
		acc.row.Files = append(acc.row.Files, o.File)
		if len(o.RegistrationChanges) > 0 {
			acc.changes = append(acc.changes, o)
		}
	}
	all := append([]*rowAcc{total}, rows...)
	for _, a := range all {
		switch len(a.tables) {
		case 0:
		case 1:
			a.row.Points = a.tables[0]
		default:
			if flee {
				a.row.Points = a.tables[0]
				for _, t := range a.tables[1:] {
					a.row.Points = mergeFlee(a.row.Points, t)
				}
			} else {
				a.row.Points = mergeSum(a.tables...)
			}
		}
		for _, o := range a.changes {
			for k, dt := range o.RegistrationChanges {
				day := dt.DaysSince(start)
				if day < 0 {
					continue // Flee ignores corrections before the start
				}
				applied, last, bad := correct(a.row.Points, float64(day))
				key := fmt.Sprintf("registration_changes[%d]", k)
				switch {
				case bad:
					c.probs.Add(o.problem(key, "the count before %s is %v; a registration change needs it to be at least 1", dt, last))
				case !applied:
					p := o.problem(key, "%s is not a date of %s's counts after the first", dt, a.row.Name)
					p.Hint = "a registration change names the date of the first count under the new registration"
					c.probs.Add(p)
				}
			}
		}
	}
	if c.probs.HasErrors() {
		return
	}
	for _, a := range all {
		ob.Rows = append(ob.Rows, a.row)
	}
	ob.Evidence = c.evidence(ob.Rows)

	days := sc.Days
	sp := c.sp
	nS := len(ob.Rows)
	vals := make([][]int, nS)
	for r := range ob.Rows {
		vals[r] = make([]int, days)
		for t := 0; t < days; t++ {
			vals[r][t] = ob.Rows[r].At(t)
		}
		if sp.EmptyCampsOnDay0 {
			d0 := vals[r][0]
			for t := range vals[r] {
				vals[r][t] -= d0
			}
		}
	}
	rowOf := map[int]int{}
	for r := 1; r < nS; r++ {
		if p := ob.Rows[r].Place; p >= 0 {
			rowOf[p] = r
		}
	}
	for i := range sc.Places {
		r, ok := rowOf[i]
		if !ok {
			continue
		}
		if sp.InsertDay0 {
			sc.Places[i].Day0Observed = ob.Rows[r].At(0)
		}
	}
	for i := range sc.Places {
		if !sim.IsCampAtLoad(sc, c.set, i) {
			continue
		}
		r, ok := rowOf[i]
		if !ok {
			if sp.Mode == SpawnObserved {
				p := d.Places[i].problem("name", "camp %q has no observed series", sc.Places[i].Name)
				p.Hint = "add an observation {id: ..., kind: series, place: " + sc.Places[i].Name + ", counts: [[YYYY-MM-DD, count], ...]}"
				c.probs.Add(p)
			}
			continue
		}
		ob.Camps = append(ob.Camps, i)
		ob.Series = append(ob.Series, vals[r])
		if sp.InsertDay0 && !sp.EmptyCampsOnDay0 {
			sc.Places[i].Initial += ob.Rows[r].At(0)
		}
	}
	if c.probs.HasErrors() {
		return
	}

	sum := func(t int) int {
		if !sp.SumFromCamps {
			return vals[0][t]
		}
		n := 0
		for r := 1; r < nS; r++ {
			n += vals[r][t]
		}
		return n
	}
	day0 := sum(0)
	if sp.SumFromCamps && flee {
		day0 += vals[0][0] // Flee's day-0 sum includes the total row too (flee-model §19.9)
	}
	if sp.EmptyCampsOnDay0 {
		day0 = 0
	}
	totals := make([]int, days)
	for t := range totals {
		totals[t] = sum(t)
	}
	var daily []int
	daily, ob.Raw, ob.Debt = sim.Schedule(totals, day0, sp.InsertDay0)
	switch sp.Mode {
	case SpawnDrivers:
		sc.Spawn = scenario.Spawning{Mode: scenario.SpawnDrivers}
		return
	case SpawnConflict:
		mode := scenario.SpawnConstant
		switch sp.Rule {
		case "pop_ratio":
			mode = scenario.SpawnPopRatio
		case "poisson":
			mode = scenario.SpawnPoisson
		}
		sc.Spawn = scenario.Spawning{Mode: mode, PerConflictDay: sp.DisplacedPerConflictDay}
		return
	case SpawnDaily:
		list := d.Spawning.Daily
		if len(list) < days {
			c.probs.Add(d.Spawning.problem("daily", "daily lists %d days; the run has %d", len(list), days))
			return
		}
		daily = append([]int(nil), list[:days]...)
	}
	sc.Spawn = scenario.Spawning{Mode: scenario.SpawnSchedule, Daily: daily}
	c.checkOrigins(daily)
}

// checkOrigins makes sure that on every day people are displaced some place
// in conflict has a population to displace them from.
func (c *compiler) checkOrigins(daily []int) {
	sc := c.sc
	if t := sim.MissingOrigin(sc, daily); t >= 0 {
		p := c.doc.problem("", "on day %d (%s) %d people are to be displaced but no place in conflict has a population", t, sc.Date(t).Format("2006-01-02"), daily[t])
		p.Hint = "give the origins a population, or start a conflict earlier"
		c.probs.Add(p)
	}
}

// reachability warns about camps no place in conflict can reach.
func (c *compiler) reachability(ob *Observed) {
	sc := c.sc
	seen, _ := sim.ReachableFromConflict(sc)
	for _, i := range ob.Camps {
		if !seen[i] {
			p := c.doc.Places[i].problem("name", "camp %q cannot be reached by road from any place in conflict", sc.Places[i].Name)
			p.Warning = true
			c.probs.Add(p)
		}
	}
}
