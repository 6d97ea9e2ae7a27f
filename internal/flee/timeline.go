package flee

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

// readPeriod parses sim_period.csv: StartDate,YYYY-MM-DD and Length,N.
func readPeriod(path string, probs *diag.List) (time.Time, int, bool) {
	mark := len(probs.Problems)
	f, ok := readCSV(path, probs)
	if !ok {
		return time.Time{}, 0, false
	}
	var start time.Time
	length := 0
	okStart, okLen := false, false
	seen := map[string]int{} // key -> line of its first row
	for _, r := range f.rows {
		key := strings.ToLower(strings.TrimSpace(r.fields[0]))
		if key != "startdate" && key != "length" {
			continue
		}
		field := "StartDate"
		if key == "length" {
			field = "Length"
		}
		bad := func(col int, format string, args ...any) {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(col), Field: field, Msg: fmt.Sprintf(format, args...)})
		}
		if prev, dup := seen[key]; dup {
			bad(0, "given twice (first on line %d)", prev)
			continue
		}
		seen[key] = r.line
		if len(r.fields) < 2 || strings.TrimSpace(r.fields[1]) == "" {
			bad(0, "no value; want %s", map[string]string{"startdate": "StartDate,YYYY-MM-DD", "length": "Length,<days>"}[key])
			continue
		}
		switch key {
		case "startdate":
			d, err := parseDate(r.fields[1])
			if err != nil {
				bad(1, "%v", err)
				continue
			}
			start, okStart = d, true
		case "length":
			n, err := parseInt(r.fields[1])
			if err != nil {
				bad(1, "%v", err)
				continue
			}
			if n < 1 || n > 100000 {
				bad(1, "length %d days is outside 1..100000", n)
				continue
			}
			length, okLen = n, true
		}
	}
	if _, ok := seen["startdate"]; !ok {
		probs.Add(diag.Problem{File: path, Field: "StartDate", Msg: "no StartDate row", Hint: "add a row StartDate,YYYY-MM-DD"})
	}
	if _, ok := seen["length"]; !ok {
		probs.Add(diag.Problem{File: path, Field: "Length", Msg: "no Length row", Hint: "add a row Length,<days>"})
	}
	return start, length, okStart && okLen && !errorsSince(probs, mark)
}

// parseDate reads YYYY-MM-DD, allowing single-digit months and days as
// Python's strptime does.
func parseDate(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	parts := strings.Split(t, "-")
	if len(parts) != 3 {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", t)
	}
	var n [3]int
	for i, p := range parts {
		// Python's %m and %d take one or two digits.
		if p == "" || strings.Trim(p, "0123456789") != "" || (i > 0 && len(p) > 2) {
			return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", t)
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", t)
		}
		n[i] = v
	}
	if n[0] < 1 || n[0] > 9999 || len(parts[0]) != 4 {
		return time.Time{}, fmt.Errorf("%q: year must have four digits", t)
	}
	d := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if d.Year() != n[0] || int(d.Month()) != n[1] || d.Day() != n[2] {
		return time.Time{}, fmt.Errorf("%q is not a calendar date", t)
	}
	return d, nil
}

// daysBetween returns the whole days from b to a, both UTC midnights.
// (time.Time.Sub saturates at about 292 years, so it is not used.)
func daysBetween(a, b time.Time) int { return int((a.Unix() - b.Unix()) / 86400) }

var closureTypes = []string{"country", "location", "link", "camp", "idpcamp", "remove_forced_redirection"}

// readClosures parses closures.csv into events (docs/flee-model.md §12).
func readClosures(path string, places []scenario.Place, index map[string]int, names []string, days int, mode sim.Mode, probs *diag.List) ([]scenario.Event, bool) {
	mark := len(probs.Problems)
	f, ok := readCSV(path, probs)
	if !ok {
		return nil, false
	}
	countries := map[string]bool{}
	var countryList []string
	for _, p := range places {
		if !countries[p.Country] {
			countries[p.Country] = true
			countryList = append(countryList, p.Country)
		}
	}
	cols := []string{"closure_type", "name1", "name2", "closure_start", "closure_end"}
	var evs []scenario.Event
	for _, r := range f.rows {
		if r.isComment() {
			continue
		}
		errf := func(i int, format string, args ...any) {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: cols[min(i, 4)], Msg: fmt.Sprintf(format, args...)})
		}
		warnf := func(i int, format string, args ...any) {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: cols[min(i, 4)], Msg: fmt.Sprintf(format, args...), Warning: true})
		}
		if strings.TrimSpace(r.fields[0]) == "" {
			errf(0, "closure type is empty (want one of %s)", strings.Join(closureTypes, ", "))
			continue
		}
		if len(r.fields) < 5 {
			errf(len(r.fields)-1, "row has %d fields; need 5: closure_type,name1,name2,closure_start,closure_end", len(r.fields))
			probs.Problems[len(probs.Problems)-1].Hint = f.shortRowHint(r)
			continue
		}
		typ := strings.TrimSpace(r.fields[0])
		start, err1 := parseInt(r.fields[3])
		if err1 != nil {
			errf(3, "%v", err1)
		}
		end, err2 := parseInt(r.fields[4])
		if err2 != nil {
			errf(4, "%v", err2)
		}
		if err1 != nil || err2 != nil {
			continue
		}
		src := fmt.Sprintf("%s:%d", path, r.line)
		known := false
		for _, t := range closureTypes {
			known = known || t == typ
		}
		if !known {
			if mode == sim.ModeFlee {
				warnf(0, "unknown closure type %q; Flee ignores the row", typ)
			} else {
				errf(0, "unknown closure type %q (want one of %s)", typ, strings.Join(closureTypes, ", "))
			}
			if h := diag.DidYouMean(typ, closureTypes); h != "" {
				probs.Problems[len(probs.Problems)-1].Hint = h
			}
			continue
		}
		if typ == "remove_forced_redirection" {
			warnf(0, "remove_forced_redirection has no effect on movement (in Flee or Caravan)")
			continue
		}
		if start < 0 {
			errf(3, "closure_start %d is negative", start)
			continue
		}
		if start >= days {
			warnf(3, "closure starts on day %d, after the last simulated day %d; it has no effect", start, days-1)
		}
		if end >= 0 && end < start {
			if mode == sim.ModeFlee {
				warnf(4, "closure_end %d is before closure_start %d; in Flee the closure then never ends", end, start)
			} else {
				errf(4, "closure_end %d is before closure_start %d (use -1 for a closure that never ends)", end, start)
				continue
			}
		}
		place := func(i int) int {
			name := r.fields[i]
			id, found := index[name]
			if !found {
				errf(i, "unknown place %q", name)
				if h := diag.DidYouMean(name, names); h != "" {
					probs.Problems[len(probs.Problems)-1].Hint = h
				}
				return -1
			}
			return id
		}
		var closeEv, openEv scenario.Event
		switch typ {
		case "country":
			okC := true
			for _, i := range []int{1, 2} {
				if !countries[r.fields[i]] {
					errf(i, "no place lies in country %q", r.fields[i])
					if h := diag.DidYouMean(r.fields[i], countryList); h != "" {
						probs.Problems[len(probs.Problems)-1].Hint = h
					}
					okC = false
				}
			}
			if !okC {
				continue
			}
			closeEv = scenario.Event{Kind: scenario.CloseBorder, Place: -1, Place2: -1, Country: r.fields[1], Country2: r.fields[2]}
			openEv = closeEv
			openEv.Kind = scenario.OpenBorder
		case "location":
			p := place(1)
			if p < 0 {
				continue
			}
			closeEv = scenario.Event{Kind: scenario.ClosePlace, Place: p, Place2: -1}
			openEv = closeEv
			openEv.Kind = scenario.OpenPlace
		case "link":
			a, b := place(1), place(2)
			if a < 0 || b < 0 {
				continue
			}
			if mode == sim.ModeFlee {
				warnf(0, "Flee's link closures close nothing for names read from CSV (docs/flee-model.md §19.1); ignored in Flee mode")
				continue
			}
			closeEv = scenario.Event{Kind: scenario.CloseRoute, Place: a, Place2: b}
			openEv = closeEv
			openEv.Kind = scenario.OpenRoute
		case "camp", "idpcamp":
			p := place(1)
			if p < 0 {
				continue
			}
			closeEv = scenario.Event{Kind: scenario.CloseCamp, Place: p, Place2: -1}
			openEv = scenario.Event{Kind: scenario.OpenCamp, Place: p, Place2: -1}
			if typ == "idpcamp" {
				openEv.Value = 1
			}
		}
		closeEv.Day, closeEv.Source = start, src
		openEv.Day, openEv.Source = end, src
		if start < days {
			evs = append(evs, closeEv)
		}
		if end >= 0 && end < days {
			evs = append(evs, openEv)
		}
	}
	return evs, !errorsSince(probs, mark)
}

// readConflicts parses conflicts.csv into conflict events (§2.5, §6). In
// Caravan mode a change of intensity while in conflict takes effect; Flee
// ignores it.
func readConflicts(path string, index map[string]int, names []string, days int, mode sim.Mode, probs *diag.List) ([]scenario.Event, bool) {
	mark := len(probs.Problems)
	f, ok := readCSV(path, probs)
	if !ok {
		return nil, false
	}
	if len(f.rows) == 0 {
		probs.Add(diag.Problem{File: path, Msg: "file is empty; need a header row #Day,<place>,... and one row per day"})
		return nil, false
	}
	head := f.rows[0]
	type column struct {
		place int
		name  string
		vals  []float64
	}
	cols := make([]*column, len(head.fields))
	seen := map[string]int{} // place name -> its first column (1-based)
	for i := 1; i < len(head.fields); i++ {
		name := strings.TrimSpace(head.fields[i])
		if name == "" {
			continue
		}
		if first, dup := seen[name]; dup {
			p := diag.Problem{File: path, Line: head.line, Column: head.col(i), Field: "header",
				Msg: fmt.Sprintf("place %q has a second column (column %d; the first is column %d)", name, i+1, first)}
			if mode == sim.ModeFlee {
				p.Warning = true
				p.Msg += "; Flee applies both in turn"
			} else {
				probs.Add(p)
				continue
			}
			probs.Add(p)
		} else {
			seen[name] = i + 1
		}
		id, found := index[name]
		if !found {
			// Flee prints an error and carries on; Flee's own cases have such
			// columns, so this stays a warning in both modes.
			probs.Add(diag.Problem{File: path, Line: head.line, Column: head.col(i), Field: "header", Warning: true,
				Msg: fmt.Sprintf("unknown place %q; its column is ignored", name), Hint: diag.DidYouMean(name, names)})
			continue
		}
		cols[i] = &column{place: id, name: name}
	}
	data := f.rows[1:]
	for k, r := range data {
		for i := 1; i < len(r.fields); i++ {
			if i >= len(head.fields) {
				probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Msg: fmt.Sprintf("row has %d fields but the header has %d", len(r.fields), len(head.fields))})
				break
			}
			if cols[i] == nil {
				continue
			}
			v, err := parseFloat(r.fields[i])
			if err != nil {
				probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: cols[i].name, Msg: err.Error()})
				v = 0
			} else if v < 0 {
				probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: cols[i].name, Msg: fmt.Sprintf("conflict intensity %v is negative", v)})
			}
			cols[i].vals = append(cols[i].vals, v)
		}
		if k < days {
			for i := len(r.fields); i < len(head.fields); i++ {
				if cols[i] != nil {
					probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(len(r.fields) - 1), Field: cols[i].name,
						Msg:  fmt.Sprintf("row has %d fields; no value for %q (column %d)", len(r.fields), cols[i].name, i+1),
						Hint: f.shortRowHint(r)})
					break
				}
			}
		}
	}
	if len(data) < days {
		line := head.line
		if len(data) > 0 {
			line = data[len(data)-1].line
		}
		probs.Add(diag.Problem{File: path, Line: line, Field: "#Day", Msg: fmt.Sprintf("has %d day rows; the simulation needs %d (one per day from day 0)", len(data), days)})
	}
	if errorsSince(probs, mark) {
		return nil, false
	}
	const eps = 0.000001
	var evs []scenario.Event
	for t := 0; t < days; t++ {
		for _, c := range cols {
			if c == nil || t >= len(c.vals) {
				continue
			}
			v := c.vals[t]
			src := fmt.Sprintf("%s:%d", path, data[t].line)
			ev := scenario.Event{Day: t, Place: c.place, Place2: -1, Value: v, Source: src}
			switch {
			case t == 0:
				if v > eps {
					ev.Kind = scenario.ConflictStart
					evs = append(evs, ev)
				}
				continue
			case v > eps && c.vals[t-1] < eps:
				ev.Kind = scenario.ConflictStart
			case v < eps && c.vals[t-1] >= eps:
				ev.Kind = scenario.ConflictEnd
			case mode != sim.ModeFlee && v > eps && v != c.vals[t-1]:
				ev.Kind = scenario.ConflictIntensity
			default:
				continue
			}
			evs = append(evs, ev)
		}
	}
	return evs, true
}
