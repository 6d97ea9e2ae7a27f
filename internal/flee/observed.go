package flee

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/sim"
)

// point is one observation: a day offset from the start date and a count.
type point struct {
	day   float64
	value float64
}

// Series is the observed population of one data_layout row.
type Series struct {
	Name   string
	Files  []string
	points []point
	line   int // data_layout.csv line
}

// At returns the observed value on day t as Flee computes it: the first
// value before the first date, the last after the last, linear interpolation
// between, truncated toward zero (docs/flee-model.md §2.6).
func (s *Series) At(t int) int {
	p := s.points
	if len(p) == 0 {
		return 0
	}
	d := float64(t)
	if d <= p[0].day {
		return int(p[0].value)
	}
	for i := 1; i < len(p); i++ {
		if d < p[i].day {
			old := p[i-1]
			frac := (d - old.day) / (p[i].day - old.day)
			return int(old.value + frac*(p[i].value-old.value))
		}
	}
	return int(p[len(p)-1].value)
}

// readSeriesFile parses one YYYY-MM-DD,count file.
func readSeriesFile(path string, start time.Time, hasten int, mode sim.Mode, probs *diag.List) ([]point, bool) {
	f, ok := readCSV(path, probs)
	if !ok {
		return nil, false
	}
	var pts []point
	bad := false
	for k, r := range f.rows {
		if k == 0 && len(r.fields) > 1 {
			h := strings.TrimSpace(r.fields[0])
			if h == "" || h == "Date" || h == "DateTime" {
				continue
			}
		}
		if len(r.fields) < 2 {
			continue
		}
		if r.fields[0] == "" {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "date", Msg: "date is empty"})
			bad = true
			continue
		}
		if r.isComment() || r.fields[1] == "" {
			continue
		}
		d, err := parseDate(r.fields[0])
		if err != nil {
			p := diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "date", Msg: err.Error()}
			if k == 0 {
				p.Hint = "a header row must start with Date or DateTime"
			}
			probs.Add(p)
			bad = true
			continue
		}
		n, err := parseInt(r.fields[1])
		if err != nil {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(1), Field: "count", Msg: err.Error()})
			bad = true
			continue
		}
		if n < 0 {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(1), Field: "count", Msg: fmt.Sprintf("count %d is negative", n)})
			bad = true
			continue
		}
		day := float64(daysBetween(d, start))
		if len(pts) > 0 && day < pts[len(pts)-1].day {
			p := diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "date",
				Msg: fmt.Sprintf("date %s is earlier than the row before it; dates must not go back", strings.TrimSpace(r.fields[0]))}
			if mode == sim.ModeFlee {
				p.Warning = true
				p.Msg += " (Flee interpolates them as given)"
			} else {
				bad = true
			}
			probs.Add(p)
		}
		pts = append(pts, point{day: day, value: float64(n) / float64(max(hasten, 1))})
	}
	if len(pts) == 0 && !bad {
		probs.Add(diag.Problem{File: path, Msg: "no observations: need rows of YYYY-MM-DD,count"})
		bad = true
	}
	return pts, !bad
}

// mergeFlee adds a second series to a first the way Flee's AddCSVTables
// does, quirks included (docs/flee-model.md §2.6).
func mergeFlee(t1, t2 []point) []point {
	var out []point
	off := 0
	last := point{}
	for _, c2 := range t2 {
		for c2.day > t1[off].day {
			out = append(out, point{t1[off].day, last.value + t1[off].value})
			if off < len(t1)-1 {
				off++
			} else {
				break
			}
		}
		if c2.day == t1[off].day {
			out = append(out, point{c2.day, c2.value + t1[off].value})
			if off < len(t1)-1 {
				off++
			}
			last = c2
			continue
		}
		if c2.day < t1[off].day {
			out = append(out, point{c2.day, c2.value + t1[off].value})
			last = c2
		}
	}
	return out
}

// mergeSum adds series on the union of their dates, each read with Flee's
// interpolation rule; Caravan's replacement for mergeFlee.
func mergeSum(tables ...[]point) []point {
	days := map[float64]bool{}
	var order []float64
	for _, t := range tables {
		for _, p := range t {
			if !days[p.day] {
				days[p.day] = true
				order = append(order, p.day)
			}
		}
	}
	sortFloats(order)
	out := make([]point, 0, len(order))
	for _, d := range order {
		v := 0.0
		for _, t := range tables {
			v += interpFloat(t, d)
		}
		out = append(out, point{d, v})
	}
	return out
}

func interpFloat(p []point, d float64) float64 {
	if d <= p[0].day {
		return p[0].value
	}
	for i := 1; i < len(p); i++ {
		if d < p[i].day {
			frac := (d - p[i-1].day) / (p[i].day - p[i-1].day)
			return p[i-1].value + frac*(p[i].value-p[i-1].value)
		}
	}
	return p[len(p)-1].value
}

func sortFloats(a []float64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// readLayout parses data_layout.csv and every series it names.
func readLayout(dir string, start time.Time, hasten int, mode sim.Mode, probs *diag.List) ([]*Series, []string, bool) {
	mark := len(probs.Problems)
	path := filepath.Join(dir, "data_layout.csv")
	f, ok := readCSV(path, probs)
	if !ok {
		return nil, nil, false
	}
	var out []*Series
	var files []string
	seen := map[string]int{}
	noFile := func(r row) {
		probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(len(r.fields) - 1), Field: "file",
			Msg: fmt.Sprintf("row %q names no file", r.fields[0]), Hint: fmt.Sprintf("want %s,<file>.csv", printable(r.fields[0]))})
	}
	for _, r := range f.rows {
		if len(r.fields) < 2 {
			if strings.TrimSpace(r.fields[0]) != "" && !r.isComment() {
				noFile(r)
			}
			continue
		}
		if r.fields[0] == "" {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "name", Msg: "name is empty"})
			continue
		}
		if r.isComment() {
			continue
		}
		if prev, dup := seen[r.fields[0]]; dup {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "name", Msg: fmt.Sprintf("%q is listed twice (first on line %d)", r.fields[0], prev)})
			continue
		}
		seen[r.fields[0]] = r.line
		s := &Series{Name: r.fields[0], line: r.line}
		var tables [][]point
		okRow, named := true, false
		for i := 1; i < len(r.fields); i++ {
			name := strings.TrimSpace(r.fields[i])
			if name == "" {
				continue
			}
			named = true
			if filepath.IsAbs(name) || strings.Contains(filepath.ToSlash(name), "../") {
				probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(i), Field: "file", Msg: fmt.Sprintf("%q must be a file name inside the validation folder", name)})
				okRow = false
				continue
			}
			fp := filepath.Join(dir, name)
			pts, ok := readSeriesFile(fp, start, hasten, mode, probs)
			files = append(files, fp)
			if !ok {
				okRow = false
				continue
			}
			s.Files = append(s.Files, fp)
			tables = append(tables, pts)
		}
		if !named {
			noFile(r)
		}
		if !okRow || len(tables) == 0 {
			continue
		}
		s.points = tables[0]
		if len(tables) > 1 {
			if mode == sim.ModeFlee {
				for _, t := range tables[1:] {
					s.points = mergeFlee(s.points, t)
				}
			} else {
				s.points = mergeSum(tables...)
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 && !errorsSince(probs, mark) {
		probs.Add(diag.Problem{File: path, Msg: "no rows: the first row must be total,<file> and later rows <camp>,<file>"})
	}
	return out, files, !errorsSince(probs, mark)
}

// applyCorrections rescales series before a registration change
// (registration_corrections.csv, docs/flee-model.md §2.7).
func applyCorrections(path string, series []*Series, start time.Time, probs *diag.List) bool {
	mark := len(probs.Problems)
	f, ok := readCSV(path, probs)
	if !ok {
		return false
	}
	byName := map[string]*Series{}
	var names []string
	for _, s := range series {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	for _, r := range f.rows {
		if len(r.fields) < 2 {
			continue
		}
		s, found := byName[r.fields[0]]
		if !found {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(0), Field: "camp",
				Msg: fmt.Sprintf("%q is not a row of data_layout.csv", r.fields[0]), Hint: diag.DidYouMean(r.fields[0], names)})
			continue
		}
		d, err := parseDate(r.fields[1])
		if err != nil {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(1), Field: "date", Msg: err.Error()})
			continue
		}
		days := float64(daysBetween(d, start))
		if days < 0 {
			continue
		}
		applied, reported := false, false
		for i := range s.points {
			if s.points[i].day != days || i == 0 {
				continue
			}
			first, last := s.points[i].value, s.points[i-1].value
			if last < 1 {
				probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(1), Field: "date",
					Msg: fmt.Sprintf("the observation before %s is %v; a correction needs it to be at least 1", strings.TrimSpace(r.fields[1]), last)})
				reported = true
				break
			}
			for j := 0; j < i; j++ {
				s.points[j].value *= first / last
			}
			applied = true
		}
		if !applied && !reported {
			probs.Add(diag.Problem{File: path, Line: r.line, Column: r.col(1), Field: "date",
				Msg:  fmt.Sprintf("%s is not a date of %s's observations after the first", strings.TrimSpace(r.fields[1]), printable(r.fields[0])),
				Hint: "a correction must name the date of the first count under the new registration"})
		}
	}
	return !errorsSince(probs, mark)
}
