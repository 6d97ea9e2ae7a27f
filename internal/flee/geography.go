package flee

import (
	"fmt"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

var locationColumns = []string{"name", "region", "country", "lat", "lon", "location_type", "conflict_date", "population"}

// knownTypes are the location_type words Flee understands (matched as
// case-insensitive substrings).
var knownTypes = []string{"camp", "idpcamp", "conflict_zone", "forwarding_hub", "marker", "town", "default"}

// parseKind resolves a location_type as Flee does: by substring, in this
// order. flood_zone is DFlee's and not supported.
func parseKind(t string) (scenario.Kind, bool) {
	l := strings.ToLower(t)
	switch {
	case strings.Contains(l, "camp"):
		if strings.Contains(l, "idp") {
			return scenario.IDPCamp, true
		}
		return scenario.Camp, true
	case strings.Contains(l, "conflict"):
		return scenario.Conflict, true
	case strings.Contains(l, "forward"):
		return scenario.Forward, true
	case strings.Contains(l, "marker"):
		return scenario.Marker, true
	case strings.Contains(l, "default"), strings.Contains(l, "town"):
		return scenario.Town, true
	}
	return scenario.Unknown, false
}

// readLocations parses locations.csv (docs/flee-model.md §2.2).
func readLocations(path string, cfg *Config, mode sim.Mode, probs *diag.List) ([]scenario.Place, []int, bool) {
	mark := len(probs.Problems)
	f, ok := readCSV(path, probs)
	if !ok {
		return nil, nil, false
	}
	cols := append([]string(nil), locationColumns...)
	var places []scenario.Place
	var lines []int
	seen := map[string]int{}
	home := ""
	hasten := cfg.Spawn.Hasten
	for _, r := range f.rows {
		if r.isComment() {
			if len(r.fields) > 8 {
				cols = append(cols[:8], r.fields[8:]...)
			}
			continue
		}
		errf := func(i int, format string, args ...any) {
			field := ""
			if i < len(cols) {
				field = cols[i]
			}
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: field, Msg: fmt.Sprintf(format, args...)})
		}
		if strings.TrimSpace(r.fields[0]) == "" {
			errf(0, "place name is empty")
			continue
		}
		if len(r.fields) < 8 {
			errf(len(r.fields)-1, "row has %d fields; need 8: %s", len(r.fields), strings.Join(locationColumns, ","))
			probs.Problems[len(probs.Problems)-1].Hint = f.shortRowHint(r)
			continue
		}
		p := scenario.Place{Name: r.fields[0], Region: r.fields[1], Country: r.fields[2], Capacity: -1}
		if p.Region == "" {
			p.Region = "unknown"
		}
		if p.Country == "" {
			p.Country = "unknown"
		}
		if prev, dup := seen[p.Name]; dup {
			errf(0, "place %q is listed twice (first on line %d)", p.Name, prev)
			continue
		}
		seen[p.Name] = r.line
		if home == "" {
			home = p.Country
		}
		p.Foreign = p.Country != home
		var err error
		if strings.TrimSpace(r.fields[3]) != "" {
			if p.Lat, err = parseFloat(r.fields[3]); err != nil {
				errf(3, "%v", err)
			} else if p.Lat < -90 || p.Lat > 90 {
				errf(3, "latitude %v is outside [-90, 90]", p.Lat)
			}
		}
		if strings.TrimSpace(r.fields[4]) != "" {
			if p.Lon, err = parseFloat(r.fields[4]); err != nil {
				errf(4, "%v", err)
			} else if p.Lon < -180 || p.Lon > 360 {
				errf(4, "longitude %v is outside [-180, 360]", p.Lon)
			}
		}
		kind, known := parseKind(r.fields[5])
		if !known {
			if strings.Contains(strings.ToLower(r.fields[5]), "flood_zone") {
				errf(5, "location type %q is DFlee's flood model, which Caravan does not implement", r.fields[5])
			} else if mode == sim.ModeFlee {
				probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(5), Field: "location_type", Warning: true,
					Msg: fmt.Sprintf("unknown location type %q; Flee gives it move chance 1", r.fields[5]), Hint: diag.DidYouMean(r.fields[5], knownTypes)})
			} else {
				errf(5, "unknown location type %q (want one of %s)", r.fields[5], strings.Join(knownTypes, ", "))
				if h := diag.DidYouMean(r.fields[5], knownTypes); h != "" {
					probs.Problems[len(probs.Problems)-1].Hint = h
				}
			}
		}
		p.Kind = kind
		if kind == scenario.Conflict {
			d, err := parseInt(r.fields[6])
			if err != nil {
				errf(6, "%v (a conflict_zone needs the day its conflict starts; 0 for from the start)", err)
			} else if d > 0 {
				// Flee loads a conflict zone with a later date as a town;
				// conflicts.csv starts its conflict.
				p.Kind = scenario.Town
			}
		}
		pop := 0
		if strings.TrimSpace(r.fields[7]) != "" {
			if pop, err = parseInt(r.fields[7]); err != nil {
				errf(7, "%v", err)
			} else if pop < 0 {
				errf(7, "population or capacity %d is negative", pop)
			}
			pop = floorDiv(pop, hasten)
		}
		if kind == scenario.Camp || kind == scenario.IDPCamp {
			p.Capacity = pop
		} else {
			p.Pop = pop
		}
		if len(r.fields) > 8 {
			p.Attrs = map[string]string{}
			for i := 8; i < len(r.fields); i++ {
				name := fmt.Sprintf("column%d", i+1)
				if i < len(cols) {
					name = strings.TrimSpace(cols[i])
				}
				p.Attrs[name] = r.fields[i]
			}
			readPlaceAttrs(&p, path, r, cols, probs)
		}
		places = append(places, p)
		lines = append(lines, r.line)
	}
	if len(places) == 0 && !errorsSince(probs, mark) {
		probs.Add(diag.Problem{File: path, Msg: "no places: the file has no data rows"})
	}
	return places, lines, !errorsSince(probs, mark)
}

func floorDiv(a, b int) int {
	if b <= 1 {
		return a
	}
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// readPlaceAttrs interprets the custom columns Flee acts on.
func readPlaceAttrs(p *scenario.Place, path string, r row, cols []string, probs *diag.List) {
	for i := 8; i < len(r.fields) && i < len(cols); i++ {
		name := strings.TrimSpace(cols[i])
		v := r.fields[i]
		if strings.TrimSpace(v) == "" {
			continue
		}
		bad := func(err error) {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: name, Msg: err.Error()})
		}
		switch name {
		case "conflict_intensity":
			f, err := parseFloat(v)
			if err != nil {
				bad(err)
			} else if p.Kind == scenario.Conflict {
				p.ConflictIntensity = f
			}
		case "capacity_per_day":
			n, err := parseInt(v)
			if err != nil {
				bad(err)
			} else {
				p.CapacityPerDay = n
			}
		case "initial_idps":
			n, err := parseInt(v)
			if err != nil {
				bad(err)
			} else if n < 0 {
				bad(fmt.Errorf("initial_idps %d is negative", n))
			} else {
				p.Initial += n
			}
		case "deactivation_probability", "farmer_fraction":
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: name, Warning: true,
				Msg: "this Flee attribute belongs to a feature Caravan does not implement; it is ignored"})
		}
	}
}

// readRoutes parses routes.csv (docs/flee-model.md §2.3).
func readRoutes(path string, index map[string]int, names []string, mode sim.Mode, probs *diag.List) ([]scenario.Route, bool) {
	mark := len(probs.Problems)
	f, ok := readCSV(path, probs)
	if !ok {
		return nil, false
	}
	cols := []string{"name1", "name2", "distance", "forced_redirection"}
	var routes []scenario.Route
	type pair struct{ a, b int }
	seen := map[pair]int{}
	for _, r := range f.rows {
		if r.isComment() {
			if len(r.fields) > 4 {
				cols = append(cols[:4], r.fields[4:]...)
			}
			continue
		}
		errf := func(i int, format string, args ...any) {
			field := ""
			if i < len(cols) {
				field = strings.TrimSpace(cols[i])
			}
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: field, Msg: fmt.Sprintf(format, args...)})
		}
		if strings.TrimSpace(r.fields[0]) == "" {
			errf(0, "place name is empty")
			continue
		}
		if len(r.fields) < 3 {
			errf(len(r.fields)-1, "row has %d fields; need at least 3: name1,name2,distance", len(r.fields))
			probs.Problems[len(probs.Problems)-1].Hint = f.shortRowHint(r)
			continue
		}
		rt := scenario.Route{}
		okRow := true
		for k, ptr := range []*int{&rt.From, &rt.To} {
			name := r.fields[k]
			id, found := index[name]
			if !found {
				errf(k, "unknown place %q", name)
				if h := diag.DidYouMean(name, names); h != "" {
					probs.Problems[len(probs.Problems)-1].Hint = h
				}
				okRow = false
				continue
			}
			*ptr = id
		}
		d, err := parseFloat(r.fields[2])
		if err != nil {
			errf(2, "%v", err)
			okRow = false
		} else if d <= 0 {
			errf(2, "distance %v km must be positive", d)
			okRow = false
		} else if d > 40075 {
			errf(2, "distance %v km is longer than the equator", d)
			okRow = false
		}
		rt.DistanceKM = d
		if okRow && rt.From == rt.To {
			errf(1, "route joins %q to itself", r.fields[0])
			okRow = false
		}
		if len(r.fields) > 3 && strings.TrimSpace(r.fields[3]) != "" {
			fr, err := parseInt(r.fields[3])
			switch {
			case err != nil:
				errf(3, "%v (want 0, 1 or 2)", err)
			case fr < 0 || fr > 2:
				errf(3, "forced_redirection %d; want 0, 1 or 2", fr)
			case fr == 1:
				rt.Duplicate = true
				if mode != sim.ModeFlee {
					probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(3), Field: "forced_redirection", Warning: true,
						Msg: "forced_redirection=1 makes Flee create this route twice (doubling its weight); Caravan creates it once"})
				}
			}
		}
		for i := 4; i < len(r.fields) && i < len(cols); i++ {
			name := strings.TrimSpace(cols[i])
			v := strings.TrimSpace(r.fields[i])
			if v == "" {
				continue
			}
			switch name {
			case "max_move_speed":
				s, err := parseFloat(v)
				if err != nil || s <= 0 {
					errf(i, "max_move_speed must be a positive number of km/day, got %q", v)
				} else {
					rt.MaxSpeed = s
				}
			case "walk_probability":
				w, err := parseFloat(v)
				if err != nil || w < 0 || w > 1 {
					errf(i, "walk_probability must lie in [0, 1], got %q", v)
				} else {
					rt.WalkProbability = w
				}
			}
		}
		if !okRow {
			continue
		}
		key := pair{min(rt.From, rt.To), max(rt.From, rt.To)}
		if prev, dup := seen[key]; dup {
			if mode == sim.ModeFlee {
				probs.Add(diag.Problem{File: path, Line: r.line, Field: "name1", Warning: true,
					Msg: fmt.Sprintf("route %s-%s repeats line %d; Flee keeps both, doubling its weight", printable(r.fields[0]), printable(r.fields[1]), prev)})
			} else {
				probs.Add(diag.Problem{File: path, Line: r.line, Field: "name1", Warning: true,
					Msg: fmt.Sprintf("route %s-%s repeats line %d; Caravan keeps the first", printable(r.fields[0]), printable(r.fields[1]), prev)})
				continue
			}
		} else {
			seen[key] = r.line
		}
		routes = append(routes, rt)
	}
	return routes, !errorsSince(probs, mark)
}
