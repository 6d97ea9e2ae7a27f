package flee

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

// This file converts between Flee's case folders and Caravan's native
// scenario format (internal/spec): Import turns a case into a document that
// compiles to the same scenario as loading the case, under either ruleset;
// LoadSpec turns a native scenario into a Case, so that everything written
// for cases (out.csv, summaries) works for native scenarios too.

// interpretedColumns are the extra locations.csv columns that become
// fields of a native place rather than attributes.
var interpretedColumns = map[string]bool{"conflict_intensity": true, "capacity_per_day": true, "initial_idps": true}

// Import converts a Flee case folder to a native document. The case is
// checked as `caravan validate` checks it (Caravan's ruleset); the document
// keeps the raw numbers (hasten stays a setting), each validation file as
// its own series, the registration corrections and the closure periods, so
// that nothing the engine uses is lost. The problems returned are notes on
// what was left out (columns of unknown places, closure types without
// effect) and the case's warnings.
func Import(dir string) (*spec.Document, []diag.Problem, error) {
	c, err := Load(dir, Options{Mode: sim.ModeCaravan})
	if err != nil {
		return nil, c.Warnings, err
	}
	notes := append([]diag.Problem(nil), c.Warnings...)
	// The same case without hasten gives the numbers as written.
	raw, err := Load(dir, Options{Mode: sim.ModeCaravan, Set: []string{"optimisations.hasten=1"}})
	if err != nil {
		return nil, notes, err
	}
	var probs diag.List
	// Flee keeps repeated routes; Caravan's loader drops them. The native
	// format has one route per pair, so such a case cannot be converted
	// exactly.
	if fl, err := Load(dir, Options{Mode: sim.ModeFlee}); err == nil && len(fl.Scenario.Routes) != len(raw.Scenario.Routes) {
		probs.Add(diag.Problem{File: filepath.Join(dir, "input", "routes.csv"),
			Msg:  "the file lists a route twice; Flee counts it twice, Caravan's format has one route per pair of places",
			Hint: "remove the repeated row, or keep one and mark it duplicate: true after importing"})
		return nil, notes, probs.Err()
	}
	sc := raw.Scenario
	start := spec.NewDate(sc.Start)
	doc := &spec.Document{
		Caravan:     1,
		Name:        sc.Name,
		Description: "Imported from the Flee case " + filepath.Base(filepath.Clean(dir)) + " by caravan import flee.",
		Start:       start,
		End:         start.AddDays(sc.Days - 1),
	}
	if len(sc.Places) > 0 {
		doc.HomeCountry = sc.Places[0].Country
	}
	doc.Sources = []spec.Source{{ID: "flee-case", Title: "Flee case " + sc.Name + ": observed counts in validation/", Note: "imported from " + filepath.ToSlash(dir)}}
	importSettings(doc, dir, c.Config)

	types := rawLocationTypes(filepath.Join(dir, "input", "locations.csv"))
	for _, p := range sc.Places {
		np, err := importPlace(p, types[p.Name])
		if err != nil {
			probs.Add(diag.Problem{File: filepath.Join(dir, "input", "locations.csv"), Field: "location_type", Msg: err.Error()})
			continue
		}
		doc.Places = append(doc.Places, np)
	}
	for _, r := range sc.Routes {
		nr := spec.Route{From: sc.Places[r.From].Name, To: sc.Places[r.To].Name, Distance: qty(r.DistanceKM), Duplicate: r.Duplicate}
		if r.MaxSpeed > 0 {
			v := r.MaxSpeed
			nr.MaxSpeed = &v
		}
		if r.WalkProbability > 0 {
			v := r.WalkProbability
			nr.WalkProbability = &v
		}
		doc.Routes = append(doc.Routes, nr)
	}
	// Conflicts: the changes Caravan's loader read from conflicts.csv.
	for _, e := range sc.Events {
		if !e.Kind.IsConflict() {
			continue
		}
		ev := spec.Event{Date: start.AddDays(e.Day), Place: sc.Places[e.Place].Name}
		switch e.Kind {
		case scenario.ConflictStart:
			ev.Type, ev.Intensity = spec.EvConflictStart, ptrQty(e.Value)
		case scenario.ConflictIntensity:
			ev.Type, ev.Intensity = spec.EvConflictIntensity, ptrQty(e.Value)
		case scenario.ConflictEnd:
			ev.Type = spec.EvConflictEnd
		}
		doc.Events = append(doc.Events, ev)
	}
	closures, cnotes := importClosures(filepath.Join(dir, "input", "closures.csv"), start)
	doc.Events = append(doc.Events, closures...)
	notes = append(notes, cnotes...)

	// Observations: one series per validation file.
	used := map[string]bool{}
	byName := map[string]*spec.Observation{}
	for r, s := range raw.Series {
		for _, f := range s.Files {
			var fp diag.List
			pts, ok := readSeriesFile(f, sc.Start, 1, sim.ModeCaravan, &fp)
			if !ok {
				for _, p := range fp.Errors() {
					probs.Add(p)
				}
				continue
			}
			id := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			for k := 2; used[id]; k++ {
				id = fmt.Sprintf("%s-%d", strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)), k)
			}
			used[id] = true
			o := spec.Observation{ID: id, Kind: spec.ObsSeries,
				Citation: &spec.Citation{Source: "flee-case", Reference: "validation/" + filepath.Base(f)}}
			if r == 0 {
				o.Total = true
			} else {
				o.Place = s.Name
				o.Unmodelled = sc.PlaceIndex(s.Name) < 0
			}
			for _, p := range pts {
				o.Counts = append(o.Counts, spec.CountPoint{Date: start.AddDays(int(p.day)), Count: int(p.value)})
			}
			doc.Observations = append(doc.Observations, o)
			if _, seen := byName[s.Name]; !seen || r == 0 {
				byName[s.Name] = &doc.Observations[len(doc.Observations)-1]
			}
		}
	}
	if err := importCorrections(filepath.Join(dir, "input", "registration_corrections.csv"), doc, raw.Series); err != nil {
		probs.Add(diag.Problem{File: filepath.Join(dir, "input", "registration_corrections.csv"), Msg: err.Error()})
	}
	if probs.HasErrors() {
		return nil, notes, probs.Err()
	}
	return doc, notes, nil
}

func qty(v float64) spec.Quantity { return spec.Quantity{Value: &v} }

func ptrQty(v float64) *spec.Quantity { q := qty(v); return &q }

// rawLocationTypes returns each place's location_type as written.
func rawLocationTypes(path string) map[string]string {
	var probs diag.List
	out := map[string]string{}
	f, ok := readCSV(path, &probs)
	if !ok {
		return out
	}
	for _, r := range f.rows {
		if r.isComment() || len(r.fields) < 6 {
			continue
		}
		if _, dup := out[r.fields[0]]; !dup {
			out[r.fields[0]] = r.fields[5]
		}
	}
	return out
}

func importPlace(p scenario.Place, rawType string) (spec.Place, error) {
	np := spec.Place{Name: p.Name, Region: p.Region, Country: p.Country}
	lat, lon := p.Lat, p.Lon
	np.Lat, np.Lon = &lat, &lon
	switch p.Kind {
	case scenario.Conflict:
		np.Kind = spec.KindOrigin
		in := p.ConflictIntensity
		if in == 0 {
			in = 1 // the engine's default for a conflict without an intensity
		}
		np.ConflictAtStart = ptrQty(in)
	case scenario.Town:
		np.Kind = spec.KindTown
		if k, _ := parseKind(rawType); k == scenario.Conflict {
			np.Kind = spec.KindOrigin
		}
	case scenario.Camp:
		np.Kind = spec.KindCamp
	case scenario.IDPCamp:
		np.Kind = spec.KindIDPCamp
	case scenario.Forward:
		np.Kind = spec.KindTransitHub
	case scenario.Marker:
		np.Kind = spec.KindMarker
	default:
		return np, fmt.Errorf("place %q has location type %q, which Caravan's format has no kind for", p.Name, rawType)
	}
	if p.Pop > 0 {
		np.Population = ptrQty(float64(p.Pop))
	}
	if p.Capacity > 0 {
		np.Capacity = ptrQty(float64(p.Capacity))
	}
	if p.CapacityPerDay != 0 {
		np.CapacityPerDay = ptrQty(float64(p.CapacityPerDay))
	}
	// Initial also holds the day-0 camp population the loader placed; only
	// the initial_idps column is the place's own.
	if v, ok := p.Attrs["initial_idps"]; ok {
		if n, err := parseInt(v); err == nil && n != 0 {
			np.Initial = ptrQty(float64(n))
		}
	}
	for k, v := range p.Attrs {
		if interpretedColumns[k] {
			continue
		}
		if np.Attributes == nil {
			np.Attributes = map[string]string{}
		}
		np.Attributes[k] = v
	}
	return np, nil
}

// importSettings writes the rule parameters: every key simsetting.yml sets
// and every value that differs from Flee's defaults.
func importSettings(doc *spec.Document, dir string, cfg Config) {
	present := map[string]bool{}
	if p := filepath.Join(dir, "simsetting.yml"); fileExists(p) {
		var probs diag.List
		if list, _, ok := readSettingsFile(p, &probs); ok {
			for _, s := range list {
				present[s.path] = true
			}
		}
	}
	def := DefaultConfig()
	s, d := cfg.Sim, def.Sim
	m := &spec.MoveRules{}
	any := false
	f := func(key string, v, dv float64) *float64 {
		if present["move_rules."+key] || v != dv {
			any = true
			return &v
		}
		return nil
	}
	b := func(key string, v, dv bool) *bool {
		if present["move_rules."+key] || v != dv {
			any = true
			return &v
		}
		return nil
	}
	m.MaxMoveSpeed = f("max_move_speed", s.MaxMoveSpeed, d.MaxMoveSpeed)
	m.MaxWalkSpeed = f("max_walk_speed", s.MaxWalkSpeed, d.MaxWalkSpeed)
	m.ForeignWeight = f("foreign_weight", s.ForeignWeight, d.ForeignWeight)
	m.CampWeight = f("camp_weight", s.CampWeight, d.CampWeight)
	m.ConflictWeight = f("conflict_weight", s.ConflictWeight, d.ConflictWeight)
	m.ConflictMovechance = f("conflict_movechance", s.ConflictMoveChance, d.ConflictMoveChance)
	m.CampMovechance = f("camp_movechance", s.CampMoveChance, d.CampMoveChance)
	m.IDPCampMovechance = f("idpcamp_movechance", s.IDPCampMoveChance, d.IDPCampMoveChance)
	m.DefaultMovechance = f("default_movechance", s.DefaultMoveChance, d.DefaultMoveChance)
	if present["move_rules.awareness_level"] || s.AwarenessLevel != d.AwarenessLevel {
		v := s.AwarenessLevel
		m.AwarenessLevel, any = &v, true
	}
	m.CapacityBuffer = f("capacity_buffer", s.CapacityBuffer, d.CapacityBuffer)
	m.CapacityScaling = f("capacity_scaling", s.CapacityScaling, d.CapacityScaling)
	m.AvoidShortStints = b("avoid_short_stints", s.AvoidShortStints, d.AvoidShortStints)
	m.StartOnFoot = b("start_on_foot", s.StartOnFoot, d.StartOnFoot)
	m.Softening = f("softening", s.Softening, d.Softening)
	m.WeightSoftening = f("weight_softening", s.WeightSoftening, d.WeightSoftening)
	m.WeightPower = f("weight_power", s.WeightPower, d.WeightPower)
	m.DistancePower = f("distance_power", s.DistancePower, d.DistancePower)
	m.StayCloseToHome = b("stay_close_to_home", s.StayCloseToHome, d.StayCloseToHome)
	m.HomeDistancePower = f("home_distance_power", s.HomeDistancePower, d.HomeDistancePower)
	m.UsePopForLocWeight = b("use_pop_for_loc_weight", s.UsePopForLocWeight, d.UsePopForLocWeight)
	m.PopPowerForLocWeight = f("pop_power_for_loc_weight", s.PopPowerForLocWeight, d.PopPowerForLocWeight)
	m.MovechancePopBase = f("movechance_pop_base", s.MovechancePopBase, d.MovechancePopBase)
	m.MovechancePopScaleFactor = f("movechance_pop_scale_factor", s.MovechancePopScaleFactor, d.MovechancePopScaleFactor)
	m.PruningThreshold = f("pruning_threshold", s.PruningThreshold, d.PruningThreshold)
	st := &spec.Settings{}
	if any {
		st.MoveRules = m
	}
	sr := &spec.SpawnRules{}
	anySpawn := false
	if present["spawn_rules.take_from_population"] || s.TakeFromPopulation != d.TakeFromPopulation {
		v := s.TakeFromPopulation
		sr.TakeFromPopulation, anySpawn = &v, true
	}
	if present["spawn_rules.conflict_zone_spawning_only"] || s.ConflictZoneSpawningOnly != d.ConflictZoneSpawningOnly {
		v := s.ConflictZoneSpawningOnly
		sr.ConflictZoneSpawningOnly, anySpawn = &v, true
	}
	if len(s.ConflictSpawnDecay) > 0 {
		sr.ConflictSpawnDecay, anySpawn = append([]float64(nil), s.ConflictSpawnDecay...), true
	}
	if present["spawn_rules.conflict_spawn_decay_interval"] || s.ConflictSpawnDecayInterval != d.ConflictSpawnDecayInterval {
		v := s.ConflictSpawnDecayInterval
		sr.ConflictSpawnDecayInterval, anySpawn = &v, true
	}
	if anySpawn {
		st.SpawnRules = sr
	}
	if present["optimisations.hasten"] || cfg.Spawn.Hasten != 1 {
		v := cfg.Spawn.Hasten
		st.Optimisations = &spec.Optimisations{Hasten: &v}
	}
	if st.MoveRules != nil || st.SpawnRules != nil || st.Optimisations != nil {
		doc.Settings = st
	}

	r := cfg.Spawn
	sp := &spec.Spawning{Mode: spec.SpawnObserved}
	bp := func(key string, v, dv bool) *bool {
		if present["spawn_rules."+key] || v != dv {
			return &v
		}
		return nil
	}
	sp.InsertDay0 = bp("insert_day0", r.InsertDay0, def.Spawn.InsertDay0)
	sp.EmptyCampsOnDay0 = bp("empty_camps_on_day0", r.EmptyCampsOnDay0, def.Spawn.EmptyCampsOnDay0)
	sp.SumFromCamps = bp("sum_from_camps", r.SumFromCamps, def.Spawn.SumFromCamps)
	if r.ConflictDriven {
		sp.Mode = spec.SpawnConflict
		sp.Rule = spec.ConflictRule(r.ConflictSpawnMode)
		v := r.PerConflictDay
		sp.DisplacedPerConflictDay = &v
	}
	doc.Spawning = sp
}

// importClosures turns closures.csv rows into closure events with their
// periods. The case has been checked already, so rows are well formed.
func importClosures(path string, start spec.Date) ([]spec.Event, []diag.Problem) {
	if !fileExists(path) {
		return nil, nil
	}
	var probs diag.List
	f, ok := readCSV(path, &probs)
	if !ok {
		return nil, nil
	}
	var out []spec.Event
	var notes []diag.Problem
	for _, r := range f.rows {
		if r.isComment() || len(r.fields) < 5 || strings.TrimSpace(r.fields[0]) == "" {
			continue
		}
		typ := strings.TrimSpace(r.fields[0])
		s, err1 := parseInt(r.fields[3])
		e, err2 := parseInt(r.fields[4])
		if err1 != nil || err2 != nil {
			continue
		}
		ev := spec.Event{Date: start.AddDays(s)}
		var open spec.Event
		switch typ {
		case "country":
			ev.Type, ev.Countries = spec.EvCloseBorder, []string{r.fields[1], r.fields[2]}
			open = ev
			open.Type = spec.EvOpenBorder
		case "location":
			ev.Type, ev.Place = spec.EvClosePlace, r.fields[1]
			open = ev
			open.Type = spec.EvOpenPlace
		case "link":
			ev.Type, ev.Route = spec.EvCloseRoute, []string{r.fields[1], r.fields[2]}
			open = ev
			open.Type = spec.EvOpenRoute
		case "camp", "idpcamp":
			ev.Type, ev.Place, ev.IDP = spec.EvCloseCamp, r.fields[1], typ == "idpcamp"
			open = spec.Event{Type: spec.EvOpenCamp, Place: r.fields[1], IDP: typ == "idpcamp"}
		default:
			notes = append(notes, diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "closure_type", Warning: true,
				Msg: fmt.Sprintf("closure type %q has no effect; not imported", typ)})
			continue
		}
		ev.Note = fmt.Sprintf("closures.csv line %d", r.line)
		switch {
		case e < 0:
			out = append(out, ev)
		case e == s:
			// Closed and reopened on the same day: two events.
			ev.IDP = false
			open.Date = ev.Date
			open.Note = ev.Note
			out = append(out, ev, open)
		default:
			ev.To = start.AddDays(e - 1)
			out = append(out, ev)
		}
	}
	return out, notes
}

// importCorrections attaches registration_corrections.csv rows to the first
// series of the subject they name, in the file's order.
func importCorrections(path string, doc *spec.Document, series []*Series) error {
	if !fileExists(path) {
		return nil
	}
	var probs diag.List
	f, ok := readCSV(path, &probs)
	if !ok {
		return probs.Err()
	}
	total := ""
	if len(series) > 0 {
		total = series[0].Name
	}
	for _, r := range f.rows {
		if len(r.fields) < 2 {
			continue
		}
		d, err := parseDate(r.fields[1])
		if err != nil {
			return fmt.Errorf("line %d: %v", r.line, err)
		}
		name := r.fields[0]
		found := false
		for i := range doc.Observations {
			o := &doc.Observations[i]
			if (name == total && o.Total) || (name != total && !o.Total && o.Place == name) {
				o.RegistrationChanges = append(o.RegistrationChanges, spec.NewDate(d))
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("line %d: %q names no series", r.line, name)
		}
	}
	return nil
}

// LoadSpec reads a native scenario file (or folder) and compiles it to a
// Case, as Load does for a case folder; opt.SettingsFile must be empty
// (the settings are in the document) and opt.Set holds overrides of the
// document's settings and spawning keys.
func LoadSpec(path string, opt Options) (*Case, error) {
	c := &Case{Dir: path, Format: "caravan", Mode: opt.Mode, Config: DefaultConfig()}
	if opt.SettingsFile != "" {
		p := diag.Problem{File: opt.SettingsFile, Msg: "--settings applies to Flee case folders; a native scenario holds its settings (use --set to change one)"}
		return c, &diag.Error{Problems: []diag.Problem{p}}
	}
	l, err := spec.Load(path)
	if l != nil {
		c.Warnings = append(c.Warnings, l.Warnings...)
		for _, f := range l.Files {
			c.Inputs = append(c.Inputs, Input{Path: f.Path, SHA256: f.SHA256, Bytes: f.Bytes})
		}
	}
	if err != nil {
		return c, err
	}
	comp, err := l.Compile(spec.Options{Mode: opt.Mode, Days: opt.Days, Set: opt.Set})
	if comp != nil {
		c.Warnings = append(c.Warnings, comp.Warnings...)
	}
	if err != nil {
		return c, err
	}
	c.fromCompiled(comp)
	return c, nil
}

// CaseFromSpec builds a Case from a compiled native scenario.
func CaseFromSpec(path string, l *spec.Loaded, comp *spec.Compiled, mode sim.Mode) *Case {
	c := &Case{Dir: path, Format: "caravan", Mode: mode, Config: DefaultConfig()}
	for _, f := range l.Files {
		c.Inputs = append(c.Inputs, Input{Path: f.Path, SHA256: f.SHA256, Bytes: f.Bytes})
	}
	c.Warnings = append(append(c.Warnings, l.Warnings...), comp.Warnings...)
	c.fromCompiled(comp)
	return c
}

func (c *Case) fromCompiled(comp *spec.Compiled) {
	c.Scenario = comp.Scenario
	c.Config.Sim = comp.Settings
	sp := comp.Spawn
	c.Config.Spawn = SpawnRules{
		InsertDay0: sp.InsertDay0, EmptyCampsOnDay0: sp.EmptyCampsOnDay0, SumFromCamps: sp.SumFromCamps, Hasten: sp.Hasten,
		ConflictDriven: sp.Mode == spec.SpawnConflict, ConflictSpawnMode: string(sp.Rule), PerConflictDay: sp.DisplacedPerConflictDay,
	}
	ob := comp.Observed
	c.Camps = ob.Camps
	c.Observed = ob.Series
	c.Raw, c.Debt = ob.Raw, ob.Debt
	byName := map[string]*Series{}
	for _, r := range ob.Rows {
		s := &Series{Name: r.Name, Files: r.Files}
		for _, p := range r.Points {
			s.points = append(s.points, point{day: p.Day, value: p.Value})
		}
		c.Series = append(c.Series, s)
		if !r.Total {
			byName[r.Name] = s
		}
	}
	for _, i := range c.Camps {
		c.CampSeries = append(c.CampSeries, byName[c.Scenario.Places[i].Name])
	}
}
