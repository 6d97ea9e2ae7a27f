package server

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/report"
	"github.com/caravan-sim/caravan/internal/scenario"
)

// View is everything the page shows for a scenario, a run or an ensemble:
// one JSON document, encoded once and cached (runs never change).
type View struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"` // scenario, run or ensemble
	Name     string `json:"name"`
	Scenario string `json:"scenario,omitempty"` // id of the registered case, if any
	Start    string `json:"start"`              // date of day 0
	Days     int    `json:"days"`

	Seed        uint64  `json:"seed,omitempty"`
	Mode        string  `json:"mode,omitempty"`
	ARD         float64 `json:"ard,omitempty"`
	ARDRescaled float64 `json:"ard_rescaled,omitempty"`
	Agents      int     `json:"agents,omitempty"`
	Members     int     `json:"members,omitempty"`

	Places []PlaceView `json:"places"`
	Routes []RouteView `json:"routes"`
	Events []EventView `json:"events"`
	Camps  []CampView  `json:"camps"`
	// Populations[i][t] is place i's population at the end of day t (nil
	// for a scenario; for an ensemble, the members' mean for camps only).
	Populations [][]int32 `json:"populations,omitempty"`
	OnRoutes    []int32   `json:"on_routes,omitempty"`
	// Notes say what is missing and why.
	Notes []string `json:"notes,omitempty"`
}

// PlaceView is a place on the map.
type PlaceView struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Country  string  `json:"country,omitempty"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Pop      int     `json:"pop,omitempty"`
	Capacity int     `json:"capacity,omitempty"`
	Final    int     `json:"final,omitempty"`
}

// RouteView is a route between places (indices into Places) and, for a
// run, the agents that set out along it each way: in all, and per day when
// the run folder has route_flows.csv.
type RouteView struct {
	From         int     `json:"from"`
	To           int     `json:"to"`
	KM           float64 `json:"km"`
	Forward      int64   `json:"forward,omitempty"`
	Back         int64   `json:"back,omitempty"`
	DailyForward []int32 `json:"daily_forward,omitempty"`
	DailyBack    []int32 `json:"daily_back,omitempty"`
}

// RouteFlowsFile is the per-day route flows the workbench's runs write
// beside `caravan run`'s files: day, date, then per route the agents that
// set out that day "<from> -> <to>" and "<to> -> <from>".
const RouteFlowsFile = "route_flows.csv"

// EventView is a dated conflict, closure or camp change with where it came
// from: File (relative to the case folder) and Line, for the source view.
type EventView struct {
	Day      int     `json:"day"`
	Date     string  `json:"date"`
	Kind     string  `json:"kind"`
	Place    string  `json:"place,omitempty"`
	Place2   string  `json:"place2,omitempty"`
	Country  string  `json:"country,omitempty"`
	Country2 string  `json:"country2,omitempty"`
	Value    float64 `json:"value"`
	Source   string  `json:"source,omitempty"`
	File     string  `json:"file,omitempty"`
	Line     int     `json:"line,omitempty"`
}

// CampView is a reported camp: simulated and observed series by day, and
// the dated observations themselves as [day, value] points.
type CampView struct {
	Name   string       `json:"name"`
	Place  int          `json:"place"` // index into Places, -1 if not on the map
	Sim    []float64    `json:"sim,omitempty"`
	Obs    []float64    `json:"obs"`
	Points [][2]float64 `json:"points,omitempty"`
	P05    []float64    `json:"p05,omitempty"`
	P95    []float64    `json:"p95,omitempty"`
}

// runFiles are the files a run view reads.
var runFiles = []string{"manifest.json", "summary.json", "out.csv", "populations.csv", "network.geojson", "events.csv", RouteFlowsFile}

// checkInside refuses a folder whose files are symlinks leading out of it
// (os.Root refuses to follow them); missing files are fine.
func checkInside(dir string, names []string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, n := range names {
		st, err := root.Stat(n)
		if errors.Is(err, os.ErrNotExist) {
			if _, lerr := root.Lstat(n); lerr != nil {
				continue // really missing
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", n)
		}
	}
	return nil
}

func scenarioView(e *scenarioEntry) (*View, error) {
	c, err := e.load()
	if err != nil {
		return nil, err
	}
	sc := c.Scenario
	v := &View{ID: e.ID, Kind: "scenario", Name: sc.Name, Scenario: e.ID,
		Start: sc.Start.Format(time.DateOnly), Days: sc.Days}
	for _, p := range sc.Places {
		v.Places = append(v.Places, PlaceView{Name: p.Name, Kind: p.Kind.String(), Country: p.Country,
			Lat: p.Lat, Lon: p.Lon, Pop: p.Pop, Capacity: p.Capacity})
	}
	for _, r := range sc.Routes {
		v.Routes = append(v.Routes, RouteView{From: r.From, To: r.To, KM: r.DistanceKM})
	}
	v.Events = scenarioEvents(sc, c.Dir)
	points := observationPoints(c)
	for k, pl := range c.Camps {
		cv := CampView{Name: sc.Places[pl].Name, Place: pl, Obs: ints(c.Observed[k]), Points: points[sc.Places[pl].Name]}
		v.Camps = append(v.Camps, cv)
	}
	return v, nil
}

func scenarioEvents(sc *scenario.Scenario, caseDir string) []EventView {
	name := func(i int) string {
		if i < 0 || i >= len(sc.Places) {
			return ""
		}
		return sc.Places[i].Name
	}
	out := []EventView{}
	for _, e := range sc.Events {
		ev := EventView{Day: e.Day, Date: sc.Date(e.Day).Format(time.DateOnly), Kind: e.Kind.String(),
			Place: name(e.Place), Place2: name(e.Place2), Country: e.Country, Country2: e.Country2,
			Value: e.Value, Source: e.Source}
		ev.File, ev.Line = splitSource(e.Source, caseDir)
		out = append(out, ev)
	}
	return out
}

func ints(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// splitSource turns an event's source ("<case>/input/closures.csv:3") into
// a path relative to the case folder and a line.
func splitSource(src, caseDir string) (string, int) {
	i := strings.LastIndexByte(src, ':')
	if i < 0 {
		return "", 0
	}
	line, err := strconv.Atoi(src[i+1:])
	if err != nil || line < 1 {
		return "", 0
	}
	p := filepath.ToSlash(src[:i])
	if caseDir != "" {
		cd := filepath.ToSlash(filepath.Clean(caseDir))
		if rel, ok := strings.CutPrefix(p, cd+"/"); ok {
			return rel, line
		}
	}
	for _, seg := range []string{"input/", "validation/"} {
		if j := strings.LastIndex(p, seg); j == 0 || (j > 0 && p[j-1] == '/') {
			return p[j:], line
		}
	}
	if !strings.Contains(p, "/") && p != "" {
		return p, line
	}
	return "", 0
}

// observationPoints reads the dated observations of each reported camp
// from the case's validation files (day, value), through the case folder's
// root so that no symlink leads out of it.
func observationPoints(c *flee.Case) map[string][][2]float64 {
	out := map[string][][2]float64{}
	root, err := os.OpenRoot(c.Dir)
	if err != nil {
		return out
	}
	defer root.Close()
	for _, s := range c.CampSeries {
		if s == nil {
			continue
		}
		var pts [][2]float64
		for _, f := range s.Files {
			rel, err := filepath.Rel(c.Dir, f)
			if err != nil || !filepath.IsLocal(rel) {
				continue
			}
			b, err := readRootFile(root, rel, 16<<20)
			if err != nil {
				continue
			}
			pts = append(pts, parseSeries(b, c.Scenario.Start)...)
		}
		out[s.Name] = pts
	}
	return out
}

// parseSeries reads a YYYY-MM-DD,count file into [day, count] points.
func parseSeries(b []byte, start time.Time) [][2]float64 {
	var pts [][2]float64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(f) < 2 {
			continue
		}
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(strings.TrimPrefix(f[0], "\ufeff")))
		if err != nil {
			continue
		}
		val, err := strconv.ParseFloat(strings.TrimSpace(f[1]), 64)
		if err != nil || math.IsNaN(val) || math.IsInf(val, 0) {
			continue
		}
		pts = append(pts, [2]float64{math.Round(d.Sub(start).Hours() / 24), val})
	}
	return pts
}

func (s *Server) runView(e *runEntry) (*View, error) {
	if e.Kind == "ensemble" {
		return s.ensembleView(e)
	}
	if err := checkInside(e.Dir, runFiles); err != nil {
		return nil, err
	}
	r, err := report.Load(e.Dir)
	if err != nil {
		return nil, err
	}
	v := &View{ID: e.ID, Kind: "run", Name: r.Summary.Scenario, Start: r.Start.Format(time.DateOnly), Days: r.Days,
		Seed: r.Summary.Seed, Mode: r.Summary.Mode, ARD: r.Summary.ARD, ARDRescaled: r.Summary.ARDRescaled,
		Agents: r.Summary.Agents}
	sc := s.reg.scenarioForDir(r.Manifest.Scenario)
	var c *flee.Case
	if sc != nil {
		v.Scenario = sc.ID
		c, _ = sc.load()
	}
	idx := map[string]int{}
	for i, p := range r.Places {
		idx[p.Name] = i
		pv := PlaceView{Name: p.Name, Kind: p.Kind, Country: p.Country, Lat: p.Lat, Lon: p.Lon, Capacity: p.Capacity, Final: p.Final}
		if c != nil {
			if k := c.Scenario.PlaceIndex(p.Name); k >= 0 {
				pv.Pop = c.Scenario.Places[k].Pop
			}
		}
		v.Places = append(v.Places, pv)
	}
	if len(r.Places) == 0 {
		v.Notes = append(v.Notes, "no network.geojson: no map")
	}
	v.Routes = []RouteView{}
	for _, rt := range r.Routes {
		a, okA := idx[rt.From]
		b, okB := idx[rt.To]
		if okA && okB {
			v.Routes = append(v.Routes, RouteView{From: a, To: b, KM: rt.DistanceKM, Forward: rt.Forward, Back: rt.Back})
		}
	}
	v.Events = []EventView{}
	for _, ev := range r.Events {
		x := EventView{Day: ev.Day, Date: r.Date(ev.Day).Format(time.DateOnly), Kind: ev.Kind, Place: ev.Place, Place2: ev.Place2,
			Country: ev.Country, Country2: ev.Country2, Value: ev.Value, Source: ev.Source}
		x.File, x.Line = splitSource(ev.Source, r.Manifest.Scenario)
		v.Events = append(v.Events, x)
	}
	var points map[string][][2]float64
	if c != nil {
		points = observationPoints(c)
	}
	for _, cp := range r.Camps {
		pl, ok := idx[cp.Name]
		if !ok {
			pl = -1
		}
		v.Camps = append(v.Camps, CampView{Name: cp.Name, Place: pl, Sim: cp.Sim, Obs: cp.Obs, Points: points[cp.Name]})
	}
	pops, onRoutes, err := readPopulations(e.Dir, v.Places)
	if err != nil {
		v.Notes = append(v.Notes, "populations.csv: "+err.Error())
	} else {
		v.Populations, v.OnRoutes = pops, onRoutes
	}
	if err := readRouteFlows(e.Dir, v); err != nil && !errors.Is(err, os.ErrNotExist) {
		v.Notes = append(v.Notes, RouteFlowsFile+": "+err.Error())
	}
	if c == nil {
		v.Notes = append(v.Notes, "the run's case folder is not open in the workbench: observations are shown as daily values, without their dates")
	}
	return v, nil
}

// readRouteFlows fills the routes' daily flows from route_flows.csv.
func readRouteFlows(dir string, v *View) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := root.Open(RouteFlowsFile)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(io.LimitReader(f, 1<<30), 1<<16))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return err
	}
	type dst struct {
		route int
		back  bool
	}
	byName := map[string]dst{}
	for k, r := range v.Routes {
		a, b := v.Places[r.From].Name, v.Places[r.To].Name
		byName[a+" -> "+b] = dst{k, false}
		if _, dup := byName[b+" -> "+a]; !dup {
			byName[b+" -> "+a] = dst{k, true}
		}
	}
	cols := make([]*dst, len(head))
	for j := 2; j < len(head); j++ {
		if d, ok := byName[head[j]]; ok {
			cols[j] = &d
		}
	}
	fwd := make([][]int32, len(v.Routes))
	back := make([][]int32, len(v.Routes))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for j, d := range cols {
			if d == nil || j >= len(rec) {
				continue
			}
			n, err := strconv.ParseInt(rec[j], 10, 32)
			if err != nil {
				line, _ := cr.FieldPos(j)
				return fmt.Errorf("line %d, column %s: %q is not a count", line, head[j], rec[j])
			}
			if d.back {
				back[d.route] = append(back[d.route], int32(n))
			} else {
				fwd[d.route] = append(fwd[d.route], int32(n))
			}
		}
	}
	for k := range v.Routes {
		v.Routes[k].DailyForward, v.Routes[k].DailyBack = fwd[k], back[k]
	}
	return nil
}

// readPopulations reads populations.csv: day, date, one column per place,
// on_routes, agents. Columns are matched to places by name.
func readPopulations(dir string, places []PlaceView) ([][]int32, []int32, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	f, err := root.Open("populations.csv")
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(io.LimitReader(f, 1<<30), 1<<16))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, err
	}
	if len(head) < 4 || head[0] != "day" {
		return nil, nil, fmt.Errorf("header starts %q, want day,date,<places>,on_routes,agents", strings.Join(head[:min(2, len(head))], ","))
	}
	idx := map[string]int{}
	for i, p := range places {
		idx[p.Name] = i
	}
	col := make([]int, len(head)) // column → place, -1 none, -2 on_routes
	for j := range col {
		col[j] = -1
		if j < 2 {
			continue
		}
		if head[j] == "on_routes" {
			col[j] = -2
		} else if i, ok := idx[head[j]]; ok {
			col[j] = i
		}
	}
	pops := make([][]int32, len(places))
	var onRoutes []int32
	for t := 0; ; t++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		for j, i := range col {
			if i == -1 || j >= len(rec) {
				continue
			}
			n, err := strconv.ParseInt(rec[j], 10, 32)
			if err != nil {
				line, _ := cr.FieldPos(j)
				return nil, nil, fmt.Errorf("line %d, column %s: %q is not a count", line, head[j], rec[j])
			}
			if i == -2 {
				onRoutes = append(onRoutes, int32(n))
			} else {
				pops[i] = append(pops[i], int32(n))
			}
		}
	}
	for i := range pops {
		if pops[i] == nil {
			pops[i] = []int32{}
		}
	}
	return pops, onRoutes, nil
}

func (s *Server) ensembleView(e *runEntry) (*View, error) {
	files := []string{ensemble.PlanFile, ensemble.EnsembleJSON, ensemble.SummaryCSV}
	if err := checkInside(e.Dir, files); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(e.Dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var plan struct {
		Case    string `json:"case"`
		Name    string `json:"name"`
		Options struct {
			Mode string `json:"mode"`
		} `json:"options"`
		Design struct {
			SeedBase uint64 `json:"seed_base"`
		} `json:"design"`
	}
	var ens struct {
		Members     int `json:"members"`
		ARD         struct{ Mean float64 }
		ARDRescaled struct{ Mean float64 } `json:"ard_rescaled"`
	}
	if err := readRootJSON(root, ensemble.PlanFile, &plan); err != nil {
		return nil, err
	}
	if err := readRootJSON(root, ensemble.EnsembleJSON, &ens); err != nil {
		return nil, err
	}
	b, err := readRootFile(root, ensemble.SummaryCSV, 512<<20)
	if err != nil {
		return nil, err
	}
	v := &View{ID: e.ID, Kind: "ensemble", Name: plan.Name, Mode: plan.Options.Mode, Seed: plan.Design.SeedBase,
		Members: ens.Members, ARD: ens.ARD.Mean, ARDRescaled: ens.ARDRescaled.Mean, Routes: []RouteView{}, Events: []EventView{}}
	camps, start, days, err := readEnsembleSummary(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ensemble.SummaryCSV, err)
	}
	v.Start, v.Days = start, days
	sc := s.reg.scenarioForDir(plan.Case)
	if sc == nil {
		v.Notes = append(v.Notes, "the ensemble's case folder is not open in the workbench: no map and no event timeline")
		for i := range camps {
			camps[i].Place = -1
		}
		v.Camps = camps
		return v, nil
	}
	v.Scenario = sc.ID
	c, err := sc.load()
	if err != nil {
		return nil, err
	}
	base, err := scenarioView(sc)
	if err != nil {
		return nil, err
	}
	v.Places, v.Routes, v.Events = base.Places, base.Routes, base.Events
	points := observationPoints(c)
	v.Populations = make([][]int32, len(v.Places))
	for i := range camps {
		camps[i].Place = c.Scenario.PlaceIndex(camps[i].Name)
		camps[i].Points = points[camps[i].Name]
		if pl := camps[i].Place; pl >= 0 {
			row := make([]int32, len(camps[i].Sim))
			for t, x := range camps[i].Sim {
				row[t] = int32(math.Round(x))
			}
			v.Populations[pl] = row
		}
	}
	v.Camps = camps
	return v, nil
}

// readEnsembleSummary reads summary.csv: camp, day, date, observed,
// members, mean, p05, p50, p95, min, max.
func readEnsembleSummary(b []byte) ([]CampView, string, int, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, "", 0, err
	}
	col := map[string]int{}
	for j, h := range head {
		col[h] = j
	}
	for _, need := range []string{"camp", "day", "date", "observed", "mean", "p05", "p95"} {
		if _, ok := col[need]; !ok {
			return nil, "", 0, fmt.Errorf("no %q column", need)
		}
	}
	var camps []CampView
	at := map[string]int{}
	start, days := "", 0
	num := func(rec []string, name string) (float64, error) { return strconv.ParseFloat(rec[col[name]], 64) }
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", 0, err
		}
		name := rec[col["camp"]]
		k, ok := at[name]
		if !ok {
			k = len(camps)
			at[name] = k
			camps = append(camps, CampView{Name: name})
		}
		day, err := strconv.Atoi(rec[col["day"]])
		if err != nil || day != len(camps[k].Sim) {
			return nil, "", 0, fmt.Errorf("camp %s: day %q out of order", name, rec[col["day"]])
		}
		if day == 0 && start == "" {
			start = rec[col["date"]]
		}
		var vals [4]float64
		for i, n := range []string{"observed", "mean", "p05", "p95"} {
			if vals[i], err = num(rec, n); err != nil {
				return nil, "", 0, fmt.Errorf("camp %s day %d: %s %q is not a number", name, day, n, rec[col[n]])
			}
		}
		c := &camps[k]
		c.Obs, c.Sim, c.P05, c.P95 = append(c.Obs, vals[0]), append(c.Sim, vals[1]), append(c.P05, vals[2]), append(c.P95, vals[3])
		days = max(days, day+1)
	}
	if len(camps) == 0 {
		return nil, "", 0, errors.New("no rows")
	}
	return camps, start, days, nil
}
