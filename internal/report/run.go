package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/results"
)

// Files a run folder must hold for a report, and files it may hold.
var (
	RequiredFiles = []string{"manifest.json", "summary.json", "out.csv"}
	OptionalFiles = []string{"network.geojson", "events.csv"}
)

// Run is what a report needs from a run's output folder.
type Run struct {
	Dir      string
	Manifest results.Manifest
	Summary  Summary
	// Start is the date of day 0 (manifest.json start_date).
	Start time.Time
	// Days is the number of simulated days (rows of out.csv).
	Days int
	// Camps are the reported camps in out.csv order.
	Camps []Camp
	// Places and Routes come from network.geojson; both are nil when the
	// folder has none.
	Places []Place
	Routes []Route
	// Events come from events.csv; HasEvents is false when the folder has none.
	Events    []Event
	HasEvents bool
	// Missing lists the optional files the folder lacks.
	Missing []string
}

// Summary holds the fields of summary.json a report shows.
type Summary struct {
	Scenario    string  `json:"scenario"`
	Mode        string  `json:"mode"`
	Seed        uint64  `json:"seed"`
	Days        int     `json:"days"`
	Agents      int     `json:"agents"`
	AgentSteps  int64   `json:"agent_steps"`
	SimSeconds  float64 `json:"sim_seconds"`
	ARD         float64 `json:"ard"`
	ARDRescaled float64 `json:"ard_rescaled"`
}

// Camp is one reported camp's daily series (people, by day index).
type Camp struct {
	Name string
	Sim  []float64
	Obs  []float64
	// Band, when not nil, is an ensemble's spread around Sim (e.g. the 5th
	// and 95th percentiles); a single run has none.
	Band *Band
}

// Band is a lower and upper series drawn as a shaded area.
type Band struct {
	Lower, Upper []float64
	// Label names the band in legends; default "5–95% of ensemble".
	Label string
}

// Place is a point of network.geojson.
type Place struct {
	Name     string
	Kind     string // town, camp, idpcamp, conflict_zone, forwarding_hub, marker, unknown
	Country  string
	Lon, Lat float64
	Final    int // agents at the end of the run
	Capacity int
}

// Route is a line of network.geojson.
type Route struct {
	From, To   string
	DistanceKM float64
	Forward    int64 // agents that set out From → To
	Back       int64 // agents that set out To → From
}

// Flow is the number of agents that set out along the route either way.
func (r Route) Flow() int64 { return r.Forward + r.Back }

// Event is a row of events.csv.
type Event struct {
	Day               int
	Kind              string // conflict_start, close_border, ...
	Place, Place2     string
	Country, Country2 string
	Value             float64
	Source            string
}

// Date returns the calendar date of day t.
func (r *Run) Date(t int) time.Time { return r.Start.AddDate(0, 0, t) }

// Load reads a run folder. A folder that lacks a required file gives a
// *diag.Error naming every missing file; a malformed file gives one naming
// the file, line and column.
func Load(dir string) (*Run, error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, problem(dir, 0, 0, "", "no such folder", "give the output folder of 'caravan run'")
		}
		return nil, err
	}
	if !st.IsDir() {
		return nil, problem(dir, 0, 0, "", "not a folder", "give the output folder of 'caravan run'")
	}
	var l diag.List
	for _, f := range RequiredFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			l.Add(diag.Problem{File: filepath.Join(dir, f), Msg: "missing: " + dir + " is not a run folder",
				Hint: "'caravan run <case>' writes " + strings.Join(RequiredFiles, ", ")})
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	r := &Run{Dir: dir}
	if err := readJSON(filepath.Join(dir, "manifest.json"), &r.Manifest); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dir, "summary.json"), &r.Summary); err != nil {
		return nil, err
	}
	mf := filepath.Join(dir, "manifest.json")
	r.Start, err = time.Parse("2006-01-02", r.Manifest.StartDate)
	if err != nil {
		return nil, problem(mf, 0, 0, "start_date", fmt.Sprintf("%q is not a date", r.Manifest.StartDate), "want YYYY-MM-DD")
	}
	if err := r.readOutCSV(filepath.Join(dir, "out.csv")); err != nil {
		return nil, err
	}
	if p := filepath.Join(dir, "network.geojson"); exists(p) {
		if err := r.readNetwork(p); err != nil {
			return nil, err
		}
	} else {
		r.Missing = append(r.Missing, "network.geojson")
	}
	if p := filepath.Join(dir, "events.csv"); exists(p) {
		if err := r.readEvents(p); err != nil {
			return nil, err
		}
		r.HasEvents = true
	} else {
		r.Missing = append(r.Missing, "events.csv")
	}
	return r, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func problem(file string, line, col int, field, msg, hint string) error {
	return &diag.Error{Problems: []diag.Problem{{File: file, Line: line, Column: col, Field: field, Msg: msg, Hint: hint}}}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(b, se.Offset)
			return problem(path, line, col, "", "bad JSON: "+se.Error(), "")
		case errors.As(err, &te):
			line, col := lineCol(b, te.Offset)
			return problem(path, line, col, te.Field, fmt.Sprintf("want a %s, got a JSON %s", te.Type, te.Value), "")
		}
		return problem(path, 0, 0, "", "bad JSON: "+err.Error(), "")
	}
	return nil
}

func lineCol(b []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// readCSV reads a whole CSV file; rows keep their 1-based line numbers.
func readCSV(path string) (header []string, rows [][]string, lines []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, nil, problem(path, pe.Line, pe.Column, "", pe.Err.Error(), "")
			}
			return nil, nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if header == nil {
			header = rec
			continue
		}
		if len(rec) != len(header) {
			return nil, nil, nil, problem(path, line, 0, "", fmt.Sprintf("%d fields, the header has %d", len(rec), len(header)), "")
		}
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	if header == nil {
		return nil, nil, nil, problem(path, 0, 0, "", "empty file", "")
	}
	return header, rows, lines, nil
}

// readOutCSV reads Flee's out.csv: Day, Date, then per camp "<c> sim",
// "<c> data", "<c> error", then totals.
func (r *Run) readOutCSV(path string) error {
	header, rows, lines, err := readCSV(path)
	if err != nil {
		return err
	}
	if len(header) < 2 || header[0] != "Day" {
		return problem(path, 1, 1, "", fmt.Sprintf("header starts %q, want \"Day\"", header[0]), "is this Flee's out.csv?")
	}
	type cols struct{ sim, obs int }
	var camps []cols
	for j := 2; j+2 < len(header); j += 3 {
		name, ok := strings.CutSuffix(header[j], " sim")
		if !ok {
			break
		}
		if header[j+1] != name+" data" || header[j+2] != name+" error" {
			return problem(path, 1, j+2, header[j+1], fmt.Sprintf("want %q after %q", name+" data", header[j]), "")
		}
		camps = append(camps, cols{j, j + 1})
		r.Camps = append(r.Camps, Camp{Name: name, Sim: make([]float64, len(rows)), Obs: make([]float64, len(rows))})
	}
	if len(camps) == 0 {
		return problem(path, 1, 3, "", "no \"<camp> sim\" columns", "the run reported no camps")
	}
	for t, row := range rows {
		day, err := strconv.Atoi(row[0])
		if err != nil || day != t {
			return problem(path, lines[t], 1, "Day", fmt.Sprintf("%q, want day %d", row[0], t), "")
		}
		for k, c := range camps {
			for _, p := range []struct {
				col int
				dst []float64
			}{{c.sim, r.Camps[k].Sim}, {c.obs, r.Camps[k].Obs}} {
				v, err := strconv.ParseFloat(row[p.col], 64)
				if err != nil {
					return problem(path, lines[t], p.col+1, header[p.col], fmt.Sprintf("%q is not a number", row[p.col]), "")
				}
				p.dst[t] = v
			}
		}
	}
	r.Days = len(rows)
	if r.Days == 0 {
		return problem(path, 0, 0, "", "no days", "")
	}
	return nil
}

func (r *Run) readNetwork(path string) error {
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := readJSON(path, &fc); err != nil {
		return err
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	num := func(m map[string]any, k string) float64 { f, _ := m[k].(float64); return f }
	for i, f := range fc.Features {
		p := f.Properties
		switch f.Geometry.Type {
		case "Point":
			var c [2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
				return problem(path, 0, 0, fmt.Sprintf("features[%d].geometry.coordinates", i), err.Error(), "")
			}
			r.Places = append(r.Places, Place{Name: str(p, "name"), Kind: str(p, "kind"), Country: str(p, "country"),
				Lon: c[0], Lat: c[1], Final: int(num(p, "final_agents")), Capacity: int(num(p, "capacity"))})
		case "LineString":
			r.Routes = append(r.Routes, Route{From: str(p, "from"), To: str(p, "to"), DistanceKM: num(p, "distance_km"),
				Forward: int64(num(p, "flow_forward")), Back: int64(num(p, "flow_back"))})
		}
	}
	return nil
}

func (r *Run) readEvents(path string) error {
	header, rows, lines, err := readCSV(path)
	if err != nil {
		return err
	}
	col := map[string]int{}
	for j, h := range header {
		col[h] = j
	}
	for _, need := range []string{"day", "event"} {
		if _, ok := col[need]; !ok {
			return problem(path, 1, 0, need, "missing column", "")
		}
	}
	get := func(row []string, name string) string {
		if j, ok := col[name]; ok {
			return row[j]
		}
		return ""
	}
	for i, row := range rows {
		day, err := strconv.Atoi(get(row, "day"))
		if err != nil {
			return problem(path, lines[i], col["day"]+1, "day", fmt.Sprintf("%q is not a day number", get(row, "day")), "")
		}
		e := Event{Day: day, Kind: get(row, "event"), Place: get(row, "place"), Place2: get(row, "place2"),
			Country: get(row, "country"), Country2: get(row, "country2"), Source: get(row, "source")}
		if v := get(row, "value"); v != "" {
			if e.Value, err = strconv.ParseFloat(v, 64); err != nil {
				return problem(path, lines[i], col["value"]+1, "value", fmt.Sprintf("%q is not a number", v), "")
			}
		}
		r.Events = append(r.Events, e)
	}
	return nil
}
