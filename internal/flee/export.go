package flee

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

// Export turns a native scenario into the files of a Flee case folder
// (paths relative to the folder, e.g. input/locations.csv). Only what
// Flee's format can hold is written: anything else (groups, policies other
// than closed borders, intervals without a value, a daily spawning list,
// ...) is an error naming the item. Sources, citations, ranges and notes
// have no place in Flee's files and are dropped with a warning.
func Export(l *spec.Loaded) (map[string][]byte, []diag.Problem, error) {
	var probs diag.List
	doc := l.Doc
	comp, err := l.Compile(spec.Options{Mode: sim.ModeCaravan, ForExport: "Flee's case format"})
	if err != nil {
		return nil, nil, err
	}
	for _, w := range comp.Warnings {
		probs.Add(w)
	}
	sc := comp.Scenario
	ex := &exporter{doc: doc, comp: comp, probs: &probs, files: map[string][]byte{}}
	ex.checkFleeSubset()
	if probs.HasErrors() {
		probs.Sort()
		return nil, probs.Warnings(), probs.Err()
	}
	ex.simPeriod()
	ex.locations()
	ex.routes()
	ex.conflicts()
	ex.closures()
	ex.validation()
	ex.settings()
	if probs.HasErrors() {
		probs.Sort()
		return nil, probs.Warnings(), probs.Err()
	}
	_ = sc
	probs.Sort()
	return ex.files, probs.Warnings(), nil
}

// WriteCase writes exported files into a new folder, atomically: the
// folder appears only when every file was written. An existing folder is
// replaced only when force is set.
func WriteCase(dir string, files map[string][]byte, force bool) error {
	od, err := results.Create(dir, force)
	if err != nil {
		return err
	}
	defer od.Abort()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data := files[n]
		if err := od.WriteFile(filepath.FromSlash(n), func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return err
		}
	}
	return od.Commit()
}

type exporter struct {
	doc   *spec.Document
	comp  *spec.Compiled
	probs *diag.List
	files map[string][]byte
}

func (ex *exporter) errorf(n *spec.Node, key, format string, args ...any) {
	line, col := n.Pos(key)
	field := n.Path()
	if key != "" {
		if field != "" {
			field += "."
		}
		field += key
	}
	ex.probs.Add(diag.Problem{File: n.File, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func isCampKind(k spec.PlaceKind) bool {
	return k == spec.KindCamp || k == spec.KindIDPCamp || k == spec.KindDestination
}

// checkFleeSubset reports what compiles but Flee's files cannot hold.
func (ex *exporter) checkFleeSubset() {
	d := ex.doc
	if len(d.Places) > 0 && d.HomeCountry != "" {
		first := d.Places[0].Country
		if first == "" {
			first = "unknown"
		}
		if first != d.HomeCountry {
			ex.errorf(&d.Node, "home_country", "Flee takes the home country from the first place (%s); list a place of %s first", first, d.HomeCountry)
		}
	}
	metadata := len(d.Sources) > 0
	for i := range d.Places {
		p := &d.Places[i]
		if isCampKind(p.Kind) && p.Population != nil && p.Population.Value != nil && *p.Population.Value != 0 {
			ex.errorf(&p.Node, "population", "Flee's locations.csv holds a camp's capacity, not its population")
		}
		if !isCampKind(p.Kind) && p.Capacity != nil {
			ex.errorf(&p.Node, "capacity", "Flee's locations.csv holds a capacity only for camps")
		}
		for _, q := range []*spec.Quantity{p.Population, p.Capacity, p.CapacityPerDay, p.Initial, p.ConflictAtStart} {
			metadata = metadata || hasMetadata(q)
		}
		metadata = metadata || p.Note != ""
	}
	for i := range d.Routes {
		metadata = metadata || hasMetadata(&d.Routes[i].Distance) || d.Routes[i].Note != "" || d.Routes[i].Mode != ""
	}
	for i := range d.Events {
		metadata = metadata || d.Events[i].Source != "" || d.Events[i].Note != ""
	}
	if sp := d.Spawning; sp != nil && sp.Mode == spec.SpawnDaily {
		ex.errorf(&sp.Node, "mode", "Flee's format cannot hold a daily spawning list; use mode observed or conflict")
	}
	total := false
	for _, o := range d.Observations {
		total = total || o.Total
		metadata = metadata || o.Citation != nil || o.Note != ""
	}
	if !total {
		ex.errorf(&d.Node, "observations", "Flee's validation/data_layout.csv starts with a total series; add an observation with total: true")
	}
	camps := map[int]bool{}
	for _, i := range ex.comp.Observed.Camps {
		camps[i] = true
	}
	for i, p := range ex.comp.Scenario.Places {
		if sim.IsCampAtLoad(ex.comp.Scenario, ex.comp.Settings, i) && !camps[i] {
			ex.errorf(&d.Places[i].Node, "name", "Flee needs an observed series for every camp; camp %q has none", p.Name)
		}
	}
	if metadata {
		ex.probs.Add(diag.Problem{File: d.File, Warning: true,
			Msg: "sources, citations, ranges, route modes and notes are not written: Flee's files have no place for them"})
	}
}

func hasMetadata(q *spec.Quantity) bool {
	return q != nil && (q.Low != nil || q.High != nil || q.Source != "" || q.Reference != "" || q.Note != "")
}

func writeCSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (ex *exporter) simPeriod() {
	sc := ex.comp.Scenario
	ex.files["input/sim_period.csv"] = []byte(fmt.Sprintf("StartDate,%s\nLength,%d\n", sc.Start.Format("2006-01-02"), sc.Days))
}

var fleeType = map[spec.PlaceKind]string{
	spec.KindOrigin: "conflict_zone", spec.KindTown: "town", spec.KindCrossing: "town", spec.KindTransitHub: "forwarding_hub",
	spec.KindCamp: "camp", spec.KindIDPCamp: "idpcamp", spec.KindDestination: "camp", spec.KindMarker: "marker",
}

func qv(q *spec.Quantity) (float64, bool) {
	if q == nil || q.Value == nil {
		return 0, false
	}
	return *q.Value, true
}

func (ex *exporter) locations() {
	d := ex.doc
	sc := ex.comp.Scenario
	firstStart := map[int]int{}
	for _, e := range sc.Events {
		if e.Kind == scenario.ConflictStart {
			if _, ok := firstStart[e.Place]; !ok {
				firstStart[e.Place] = e.Day
			}
		}
	}
	var extra []string
	needIntensity, needCPD, needInitial := false, false, false
	attrs := map[string]bool{}
	for _, p := range d.Places {
		if v, ok := qv(p.ConflictAtStart); ok && v != 1 {
			needIntensity = true
		}
		needCPD = needCPD || p.CapacityPerDay != nil
		needInitial = needInitial || p.Initial != nil
		for k := range p.Attributes {
			attrs[k] = true
		}
	}
	if needIntensity {
		extra = append(extra, "conflict_intensity")
	}
	if needCPD {
		extra = append(extra, "capacity_per_day")
	}
	if needInitial {
		extra = append(extra, "initial_idps")
	}
	var names []string
	for k := range attrs {
		if !interpretedColumns[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	extra = append(extra, names...)
	rows := [][]string{append([]string{"#name", "region", "country", "lat", "lon", "location_type", "conflict_date", "population"}, extra...)}
	for i, p := range d.Places {
		row := []string{p.Name, orUnknown(p.Region), orUnknown(p.Country), "", "", fleeType[p.Kind], "0", "0"}
		if p.Lat != nil {
			row[3] = num(*p.Lat)
		}
		if p.Lon != nil {
			row[4] = num(*p.Lon)
		}
		if p.Kind == spec.KindOrigin && p.ConflictAtStart == nil {
			day := firstStart[i]
			if day < 1 {
				day = 1 // any date after 0 loads the place as a town
			}
			row[6] = strconv.Itoa(day)
		}
		if isCampKind(p.Kind) {
			if v, ok := qv(p.Capacity); ok {
				row[7] = num(v)
			}
		} else if v, ok := qv(p.Population); ok {
			row[7] = num(v)
		}
		for _, col := range extra {
			val := ""
			switch col {
			case "conflict_intensity":
				if v, ok := qv(p.ConflictAtStart); ok {
					val = num(v)
				}
			case "capacity_per_day":
				if v, ok := qv(p.CapacityPerDay); ok {
					val = num(v)
				}
			case "initial_idps":
				if v, ok := qv(p.Initial); ok {
					val = num(v)
				}
			default:
				val = p.Attributes[col]
			}
			row = append(row, val)
		}
		rows = append(rows, row)
	}
	ex.files["input/locations.csv"] = writeCSV(rows)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func (ex *exporter) routes() {
	d := ex.doc
	speed, walk := false, false
	for _, r := range d.Routes {
		speed = speed || r.MaxSpeed != nil
		walk = walk || r.WalkProbability != nil
	}
	head := []string{"#name1", "name2", "distance", "forced_redirection"}
	if speed {
		head = append(head, "max_move_speed")
	}
	if walk {
		head = append(head, "walk_probability")
	}
	rows := [][]string{head}
	for _, r := range d.Routes {
		dist, _ := qv(&r.Distance)
		fr := "0"
		if r.Duplicate {
			fr = "1"
		}
		row := []string{r.From, r.To, num(dist), fr}
		if speed {
			row = append(row, optNum(r.MaxSpeed))
		}
		if walk {
			row = append(row, optNum(r.WalkProbability))
		}
		rows = append(rows, row)
	}
	ex.files["input/routes.csv"] = writeCSV(rows)
}

func optNum(f *float64) string {
	if f == nil {
		return ""
	}
	return num(*f)
}

// conflicts writes conflicts.csv: each day's intensity of every place with
// conflict events. Flee derives the events from the changes of these
// values, so the document's conflict events must be exactly those changes.
func (ex *exporter) conflicts() {
	sc := ex.comp.Scenario
	days := sc.Days
	byPlace := map[int][]scenario.Event{}
	var order []int
	for _, e := range sc.Events {
		if !e.Kind.IsConflict() {
			continue
		}
		if _, ok := byPlace[e.Place]; !ok {
			order = append(order, e.Place)
		}
		byPlace[e.Place] = append(byPlace[e.Place], e)
	}
	sort.Ints(order)
	cols := make([][]float64, len(order))
	for k, p := range order {
		evs := byPlace[p]
		v := make([]float64, days)
		cur := 0.0
		if sc.Places[p].Kind == scenario.Conflict {
			cur = sc.Places[p].ConflictIntensity
			if cur == 0 {
				cur = 1
			}
		}
		j := 0
		for t := 0; t < days; t++ {
			for ; j < len(evs) && evs[j].Day == t; j++ {
				switch evs[j].Kind {
				case scenario.ConflictStart:
					cur = evs[j].Value
				case scenario.ConflictIntensity:
					if cur > 0 {
						cur = evs[j].Value
					}
				case scenario.ConflictEnd:
					cur = 0
				}
			}
			v[t] = cur
		}
		// The events Flee's reader (in Caravan's ruleset) derives from v.
		var derived []scenario.Event
		const eps = 0.000001
		for t := 0; t < days; t++ {
			x := v[t]
			e := scenario.Event{Day: t, Place: p, Place2: -1, Value: x}
			switch {
			case t == 0:
				if x > eps {
					e.Kind = scenario.ConflictStart
					derived = append(derived, e)
				}
				continue
			case x > eps && v[t-1] < eps:
				e.Kind = scenario.ConflictStart
			case x < eps && v[t-1] >= eps:
				e.Kind = scenario.ConflictEnd
			case x > eps && x != v[t-1]:
				e.Kind = scenario.ConflictIntensity
			default:
				continue
			}
			derived = append(derived, e)
		}
		same := len(derived) == len(evs)
		for i := 0; same && i < len(evs); i++ {
			a, b := derived[i], evs[i]
			same = a.Day == b.Day && a.Kind == b.Kind && (a.Kind == scenario.ConflictEnd || a.Value == b.Value)
		}
		if !same {
			ex.probs.Add(diag.Problem{File: ex.doc.File, Field: "events",
				Msg:  fmt.Sprintf("the conflict events of %q cannot be written as Flee's conflicts.csv, which records only each day's intensity", sc.Places[p].Name),
				Hint: "start a conflict only where none is under way, change intensity only during one, and give a place in conflict at the start a conflict_start on its first day"})
			continue
		}
		cols[k] = v
	}
	var b strings.Builder
	b.WriteString("#Day")
	for _, p := range order {
		b.WriteString("," + csvField(sc.Places[p].Name))
	}
	b.WriteString("\n")
	for t := 0; t < days; t++ {
		b.WriteString(strconv.Itoa(t))
		for k := range order {
			b.WriteString(",")
			if cols[k] != nil {
				b.WriteString(num(cols[k][t]))
			}
		}
		b.WriteString("\n")
	}
	ex.files["input/conflicts.csv"] = []byte(b.String())
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") || strings.HasPrefix(s, " ") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// closures writes closures.csv: each closing event with the opening event
// that ends it.
func (ex *exporter) closures() {
	sc := ex.comp.Scenario
	opens := map[scenario.EventKind]scenario.EventKind{
		scenario.CloseBorder: scenario.OpenBorder, scenario.ClosePlace: scenario.OpenPlace,
		scenario.CloseRoute: scenario.OpenRoute, scenario.CloseCamp: scenario.OpenCamp,
	}
	used := make([]bool, len(sc.Events))
	rows := [][]string{{"#closure_type", "name1", "name2", "closure_start", "closure_end"}}
	same := func(a, b scenario.Event) bool {
		return a.Place == b.Place && a.Place2 == b.Place2 && a.Country == b.Country && a.Country2 == b.Country2
	}
	name := func(i int) string {
		if i < 0 {
			return ""
		}
		return sc.Places[i].Name
	}
	for i, e := range sc.Events {
		open, isClose := opens[e.Kind]
		if !isClose {
			continue
		}
		used[i] = true
		end := -1
		idp := false
		for j := i + 1; j < len(sc.Events); j++ {
			if !used[j] && sc.Events[j].Kind == open && same(sc.Events[j], e) {
				used[j] = true
				end = sc.Events[j].Day
				idp = sc.Events[j].Value == 1
				break
			}
		}
		switch e.Kind {
		case scenario.CloseBorder:
			rows = append(rows, []string{"country", e.Country, e.Country2, strconv.Itoa(e.Day), strconv.Itoa(end)})
		case scenario.ClosePlace:
			rows = append(rows, []string{"location", name(e.Place), "", strconv.Itoa(e.Day), strconv.Itoa(end)})
		case scenario.CloseRoute:
			rows = append(rows, []string{"link", name(e.Place), name(e.Place2), strconv.Itoa(e.Day), strconv.Itoa(end)})
		case scenario.CloseCamp:
			typ := "camp"
			if idp {
				typ = "idpcamp"
			}
			rows = append(rows, []string{typ, name(e.Place), "", strconv.Itoa(e.Day), strconv.Itoa(end)})
		}
	}
	for i, e := range sc.Events {
		if used[i] {
			continue
		}
		switch e.Kind {
		case scenario.OpenBorder, scenario.OpenPlace, scenario.OpenRoute, scenario.OpenCamp:
			ex.probs.Add(diag.Problem{File: e.Source, Field: "events",
				Msg:  fmt.Sprintf("%s on day %d reopens nothing closed before it; Flee's closures.csv holds only closures with their end", e.Kind, e.Day),
				Hint: "give the closing event a to: date instead"})
		}
	}
	ex.files["input/closures.csv"] = writeCSV(rows)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// validation writes data_layout.csv, one file per series, and
// registration_corrections.csv.
func (ex *exporter) validation() {
	d := ex.doc
	type row struct {
		name  string
		files []string
	}
	var rows []*row
	total := &row{name: "total"}
	byName := map[string]*row{}
	usedFile := map[string]bool{}
	var corrections [][]string
	for _, o := range d.Observations {
		if o.Kind != spec.ObsSeries {
			continue
		}
		r := total
		if !o.Total {
			r = byName[o.Place]
			if r == nil {
				r = &row{name: o.Place}
				byName[o.Place] = r
				rows = append(rows, r)
			}
		}
		base := strings.Trim(unsafeName.ReplaceAllString(o.ID, "_"), "._")
		if base == "" {
			base = "series"
		}
		file := base + ".csv"
		for k := 2; usedFile[file] || file == "data_layout.csv"; k++ {
			file = fmt.Sprintf("%s-%d.csv", base, k)
		}
		usedFile[file] = true
		r.files = append(r.files, file)
		var b strings.Builder
		b.WriteString("Date,Refugee_numbers\n")
		for _, p := range o.Counts {
			fmt.Fprintf(&b, "%s,%d\n", p.Date, p.Count)
		}
		ex.files["validation/"+file] = []byte(b.String())
		for _, dt := range o.RegistrationChanges {
			corrections = append(corrections, []string{r.name, dt.String()})
		}
	}
	layout := [][]string{append([]string{total.name}, total.files...)}
	for _, r := range rows {
		layout = append(layout, append([]string{r.name}, r.files...))
	}
	ex.files["validation/data_layout.csv"] = writeCSV(layout)
	ex.files["input/registration_corrections.csv"] = writeCSV(corrections)
}

// settings writes simsetting.yml with the document's keys.
func (ex *exporter) settings() {
	d := ex.doc
	var b strings.Builder
	b.WriteString("# written by caravan export flee\n")
	kv := func(ind, k string, v any) {
		switch x := v.(type) {
		case *float64:
			if x != nil {
				fmt.Fprintf(&b, "%s%s: %s\n", ind, k, strconv.FormatFloat(*x, 'g', -1, 64))
			}
		case *int:
			if x != nil {
				fmt.Fprintf(&b, "%s%s: %d\n", ind, k, *x)
			}
		case *bool:
			if x != nil {
				fmt.Fprintf(&b, "%s%s: %t\n", ind, k, *x)
			}
		}
	}
	var move *spec.MoveRules
	var spawn *spec.SpawnRules
	var opt *spec.Optimisations
	if st := d.Settings; st != nil {
		move, spawn, opt = st.MoveRules, st.SpawnRules, st.Optimisations
	}
	sp := d.Spawning
	b.WriteString("spawn_rules:\n")
	if spawn != nil {
		kv("  ", "take_from_population", spawn.TakeFromPopulation)
		kv("  ", "conflict_zone_spawning_only", spawn.ConflictZoneSpawningOnly)
		if len(spawn.ConflictSpawnDecay) > 0 {
			parts := make([]string, len(spawn.ConflictSpawnDecay))
			for i, f := range spawn.ConflictSpawnDecay {
				parts[i] = strconv.FormatFloat(f, 'g', -1, 64)
			}
			fmt.Fprintf(&b, "  conflict_spawn_decay: [%s]\n", strings.Join(parts, ", "))
		}
		kv("  ", "conflict_spawn_decay_interval", spawn.ConflictSpawnDecayInterval)
	}
	if sp != nil {
		kv("  ", "insert_day0", sp.InsertDay0)
		kv("  ", "empty_camps_on_day0", sp.EmptyCampsOnDay0)
		kv("  ", "sum_from_camps", sp.SumFromCamps)
		if sp.Mode == spec.SpawnConflict {
			s := ex.comp.Spawn
			b.WriteString("  conflict_driven_spawning:\n")
			fmt.Fprintf(&b, "    spawn_mode: %s\n", s.Rule)
			fmt.Fprintf(&b, "    displaced_per_conflict_day: %s\n", strconv.FormatFloat(s.DisplacedPerConflictDay, 'g', -1, 64))
		}
	}
	if move != nil {
		b.WriteString("move_rules:\n")
		m := move
		kv("  ", "max_move_speed", m.MaxMoveSpeed)
		kv("  ", "max_walk_speed", m.MaxWalkSpeed)
		kv("  ", "foreign_weight", m.ForeignWeight)
		kv("  ", "camp_weight", m.CampWeight)
		kv("  ", "conflict_weight", m.ConflictWeight)
		kv("  ", "conflict_movechance", m.ConflictMovechance)
		kv("  ", "camp_movechance", m.CampMovechance)
		kv("  ", "idpcamp_movechance", m.IDPCampMovechance)
		kv("  ", "default_movechance", m.DefaultMovechance)
		kv("  ", "awareness_level", m.AwarenessLevel)
		kv("  ", "capacity_buffer", m.CapacityBuffer)
		kv("  ", "capacity_scaling", m.CapacityScaling)
		kv("  ", "avoid_short_stints", m.AvoidShortStints)
		kv("  ", "start_on_foot", m.StartOnFoot)
		kv("  ", "softening", m.Softening)
		kv("  ", "weight_softening", m.WeightSoftening)
		kv("  ", "weight_power", m.WeightPower)
		kv("  ", "distance_power", m.DistancePower)
		kv("  ", "stay_close_to_home", m.StayCloseToHome)
		kv("  ", "home_distance_power", m.HomeDistancePower)
		kv("  ", "use_pop_for_loc_weight", m.UsePopForLocWeight)
		kv("  ", "pop_power_for_loc_weight", m.PopPowerForLocWeight)
		kv("  ", "movechance_pop_base", m.MovechancePopBase)
		kv("  ", "movechance_pop_scale_factor", m.MovechancePopScaleFactor)
		kv("  ", "pruning_threshold", m.PruningThreshold)
	}
	if opt != nil && opt.Hasten != nil {
		b.WriteString("optimisations:\n")
		kv("  ", "hasten", opt.Hasten)
	}
	ex.files["simsetting.yml"] = []byte(b.String())
}
