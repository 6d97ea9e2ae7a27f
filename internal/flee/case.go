// Package flee reads and writes Flee's file formats: a case folder (input/
// CSVs, validation/ observed counts, simsetting.yml) becomes a Caravan
// scenario plus the observations Flee compares against, and a run's results
// become Flee's out.csv (docs/flee-model.md).
package flee

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/scenario"
	"github.com/caravan-sim/caravan/internal/sim"
)

// Options control how a case is loaded.
type Options struct {
	Mode         sim.Mode
	Days         int      // > 0 overrides sim_period.csv's Length
	SettingsFile string   // "" means <case>/simsetting.yml if present
	Set          []string // KEY=VALUE overrides of simsetting.yml keys
}

// Case is a loaded Flee case.
type Case struct {
	Dir      string
	Format   string // "flee" for a case folder, "caravan" for a native scenario
	Scenario *scenario.Scenario
	Config   Config
	Mode     sim.Mode

	// Camps are the places Flee reports on (camps at load time, in
	// locations.csv order); CampSeries[i] is the observed series of Camps[i].
	Camps      []int
	CampSeries []*Series
	// Series are the data_layout rows; Series[0] is the total.
	Series []*Series
	// Observed[i][t] is camp i's observed population on day t.
	Observed [][]int
	// Raw[t] is Flee's "raw UNHCR refugee count" and Debt[t] its refugee debt.
	Raw, Debt []int

	// Inputs lists every file read, with its SHA-256.
	Inputs []Input
	// Warnings are problems that do not stop a run.
	Warnings []diag.Problem
}

// Input is a file a case was read from.
type Input struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// Load reads a Flee case folder. All problems found are returned together as
// a *diag.Error; warnings are kept in Case.Warnings. The Case is returned
// even on error (for its warnings) but must not be run then.
func Load(dir string, opt Options) (*Case, error) {
	var probs diag.List
	c, _ := load(dir, opt, &probs)
	probs.Sort()
	c.Warnings = probs.Warnings()
	return c, probs.Err()
}

func load(dir string, opt Options, probs *diag.List) (*Case, bool) {
	c := &Case{Dir: dir, Format: "flee", Mode: opt.Mode, Config: DefaultConfig()}
	c.Config.Sim.Mode = opt.Mode
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		msg := "case folder not found"
		if err == nil {
			msg = "not a folder; give the case folder that holds input/ and validation/"
		}
		probs.Add(diag.Problem{File: dir, Msg: msg})
		return c, false
	}
	in := filepath.Join(dir, "input")
	val := filepath.Join(dir, "validation")
	for _, d := range []string{in, val} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			probs.Add(diag.Problem{File: d, Msg: "folder not found", Hint: "a Flee case folder holds input/ and validation/"})
		}
	}
	if probs.HasErrors() {
		return c, false
	}
	hashed := map[string]bool{}
	record := func(path string) {
		if hashed[path] {
			return
		}
		hashed[path] = true
		if data, err := os.ReadFile(path); err == nil {
			sum := sha256.Sum256(data)
			c.Inputs = append(c.Inputs, Input{Path: path, SHA256: hex.EncodeToString(sum[:]), Bytes: len(data)})
		}
	}

	// Settings first: hasten and the spawn rules shape everything else.
	settingsPath := opt.SettingsFile
	if settingsPath == "" {
		if p := filepath.Join(dir, "simsetting.yml"); fileExists(p) {
			settingsPath = p
		}
	}
	var list []setting
	if settingsPath != "" {
		l, _, ok := readSettingsFile(settingsPath, probs)
		if ok {
			list = l
		}
		record(settingsPath)
	} else {
		probs.Add(diag.Problem{File: filepath.Join(dir, "simsetting.yml"), Warning: true, Msg: "not found; using Flee's code defaults"})
	}
	for _, arg := range opt.Set {
		s, err := parseOverride(arg)
		if err != nil {
			probs.Add(diag.Problem{File: "--set", Msg: err.Error()})
			continue
		}
		list = append(list, s)
	}
	applySettings(&c.Config, list, probs)
	c.Config.Sim.Mode = opt.Mode
	if settingsPath == "" {
		settingsPath = filepath.Join(dir, "simsetting.yml")
	}
	if err := c.Config.Sim.Check(); err != nil {
		// The message starts with the key; point at whatever set it.
		key, rest, _ := strings.Cut(err.Error(), " ")
		probs.Add(settingProblem(list, settingsPath, key, rest, err.Error()))
	}
	if c.Config.Spawn.Hasten < 1 {
		probs.Add(settingProblem(list, settingsPath, "optimisations.hasten", fmt.Sprintf("must be a whole number >= 1, got %d", c.Config.Spawn.Hasten), ""))
		c.Config.Spawn.Hasten = 1
	}
	if c.Config.Spawn.ConflictDriven {
		switch c.Config.Spawn.ConflictSpawnMode {
		case "":
			c.Config.Spawn.ConflictSpawnMode = "constant"
		case "constant", "pop_ratio", "poisson":
		default:
			probs.Add(settingProblem(list, settingsPath, "spawn_rules.conflict_driven_spawning.spawn_mode",
				fmt.Sprintf("unknown spawn mode %q (want constant, pop_ratio or poisson)", c.Config.Spawn.ConflictSpawnMode), ""))
		}
		if c.Config.Spawn.PerConflictDay < 0 {
			probs.Add(settingProblem(list, settingsPath, "spawn_rules.conflict_driven_spawning.displaced_per_conflict_day",
				fmt.Sprintf("must be a number >= 0, got %v", c.Config.Spawn.PerConflictDay), ""))
		}
		if c.Config.Spawn.PerConflictDay == 0 {
			c.Config.Spawn.PerConflictDay = 500
			if c.Config.Spawn.ConflictSpawnMode == "pop_ratio" {
				c.Config.Spawn.PerConflictDay = 0.01
			}
		}
	}

	periodPath := filepath.Join(in, "sim_period.csv")
	start, length, okPeriod := readPeriod(periodPath, probs)
	record(periodPath)
	days := length
	if opt.Days > 0 {
		days = opt.Days
	}
	if days < 1 {
		days = 1
	}

	locPath := filepath.Join(in, "locations.csv")
	places, placeLines, okLoc := readLocations(locPath, &c.Config, opt.Mode, probs)
	record(locPath)
	index := make(map[string]int, len(places))
	names := make([]string, len(places))
	for i, p := range places {
		index[p.Name] = i
		names[i] = p.Name
	}
	routePath := filepath.Join(in, "routes.csv")
	var routes []scenario.Route
	if okLoc {
		routes, _ = readRoutes(routePath, index, names, opt.Mode, probs)
	} else if _, err := os.Stat(routePath); err != nil {
		probs.Add(diag.Problem{File: routePath, Msg: describeOpenError(err)})
	}
	record(routePath)

	var events []scenario.Event
	if okLoc && okPeriod {
		confPath := filepath.Join(in, "conflicts.csv")
		if evs, ok := readConflicts(confPath, index, names, days, opt.Mode, probs); ok {
			events = append(events, evs...)
		}
		record(confPath)
		closPath := filepath.Join(in, "closures.csv")
		if fileExists(closPath) {
			if evs, ok := readClosures(closPath, places, index, names, days, opt.Mode, probs); ok {
				events = append(events, evs...)
			}
			record(closPath)
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Day < events[j].Day })

	if !okPeriod {
		return c, false
	}
	series, files, okVal := readLayout(val, start, c.Config.Spawn.Hasten, opt.Mode, probs)
	record(filepath.Join(val, "data_layout.csv"))
	for _, f := range files {
		record(f)
	}
	corrPath := filepath.Join(in, "registration_corrections.csv")
	if okVal && fileExists(corrPath) {
		applyCorrections(corrPath, series, start, probs)
		record(corrPath)
	}
	if !okLoc || !okVal || probs.HasErrors() {
		return c, false
	}
	c.Series = series

	// Camps and their series.
	byName := map[string]*Series{}
	for _, s := range series[1:] {
		byName[s.Name] = s
		if _, isPlace := index[s.Name]; !isPlace && opt.Mode != sim.ModeFlee {
			probs.Add(diag.Problem{File: filepath.Join(val, "data_layout.csv"), Line: s.line, Field: "name", Warning: true,
				Msg: fmt.Sprintf("%q is not a place; its counts still add to the displaced total", s.Name), Hint: diag.DidYouMean(s.Name, names)})
		}
	}
	for i := range places {
		if !sim.IsCampAtLoad(&scenario.Scenario{Places: places}, c.Config.Sim, i) {
			continue
		}
		s, ok := byName[places[i].Name]
		if !ok {
			p := diag.Problem{File: locPath, Line: placeLines[i], Field: "name",
				Msg:  fmt.Sprintf("camp %q has no row in validation/data_layout.csv", places[i].Name),
				Hint: "add a row " + places[i].Name + ",<file>.csv with its observed counts"}
			if series[0].Name == places[i].Name {
				p.Msg = fmt.Sprintf("camp %q is the first row of validation/data_layout.csv, which is read as the total of all camps", places[i].Name)
				p.Hint = "start data_layout.csv with a row total,<file>.csv"
			}
			probs.Add(p)
			continue
		}
		c.Camps = append(c.Camps, i)
		c.CampSeries = append(c.CampSeries, s)
	}
	if probs.HasErrors() {
		return c, false
	}

	sc := &scenario.Scenario{
		Name:   filepath.Base(filepath.Clean(dir)),
		Start:  start,
		Days:   days,
		Places: places,
		Routes: routes,
		Events: events,
	}
	c.Scenario = sc
	c.buildSpawning(probs)
	c.checkReachability(locPath, placeLines, probs)
	return c, !probs.HasErrors()
}

// settingProblem reports msg at the setting that last set key (a line of
// simsetting.yml or a --set), matching key as the whole dotted path or its
// last part; if none did, at the settings file with whole as the message
// (msg when whole is "").
func settingProblem(list []setting, settingsPath, key, msg, whole string) diag.Problem {
	for i := len(list) - 1; i >= 0; i-- {
		s := list[i]
		if s.path == key || strings.HasSuffix(s.path, "."+key) {
			return diag.Problem{File: s.file, Line: s.line, Column: s.column, Field: s.path, Msg: msg}
		}
	}
	if whole == "" {
		whole = msg
	}
	p := diag.Problem{File: settingsPath, Msg: whole}
	if strings.Contains(key, ".") {
		p.Field = key
	}
	return p
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// buildSpawning turns the observed series into the day-0 camp populations and
// the daily displacement schedule with Flee's debt rule (§5.1–5.2), and
// computes the out.csv bookkeeping columns.
func (c *Case) buildSpawning(probs *diag.List) {
	sc := c.Scenario
	days := sc.Days
	rules := c.Config.Spawn
	nS := len(c.Series)
	vals := make([][]int, nS)
	for r, s := range c.Series {
		vals[r] = make([]int, days)
		for t := 0; t < days; t++ {
			vals[r][t] = s.At(t)
		}
		if rules.EmptyCampsOnDay0 {
			d0 := vals[r][0]
			for t := range vals[r] {
				vals[r][t] -= d0
			}
		}
	}
	byName := map[string]int{}
	for r, s := range c.Series {
		byName[s.Name] = r
	}
	// Day-0 populations.
	for i := range sc.Places {
		r, ok := byName[sc.Places[i].Name]
		if !ok || r == 0 {
			continue
		}
		if rules.InsertDay0 {
			sc.Places[i].Day0Observed = c.Series[r].At(0)
		}
	}
	for k, i := range c.Camps {
		if rules.InsertDay0 && !rules.EmptyCampsOnDay0 {
			sc.Places[i].Initial += c.CampSeries[k].At(0)
		}
	}
	c.Observed = make([][]int, len(c.Camps))
	for k, s := range c.CampSeries {
		c.Observed[k] = vals[byName[s.Name]]
	}

	sum := func(t int) int {
		if !rules.SumFromCamps {
			return vals[0][t]
		}
		n := 0
		for r := 1; r < nS; r++ {
			n += vals[r][t]
		}
		return n
	}
	day0 := sum(0)
	if rules.SumFromCamps && c.Mode == sim.ModeFlee {
		day0 += vals[0][0] // Flee's day-0 sum includes the total row too (§19.9)
	}
	if rules.EmptyCampsOnDay0 {
		day0 = 0
	}
	totals := make([]int, days)
	for t := range totals {
		totals[t] = sum(t)
	}
	var daily []int
	daily, c.Raw, c.Debt = sim.Schedule(totals, day0, rules.InsertDay0)
	if rules.ConflictDriven {
		switch rules.ConflictSpawnMode {
		case "pop_ratio":
			sc.Spawn = scenario.Spawning{Mode: scenario.SpawnPopRatio, PerConflictDay: rules.PerConflictDay}
		case "poisson":
			sc.Spawn = scenario.Spawning{Mode: scenario.SpawnPoisson, PerConflictDay: rules.PerConflictDay}
		default:
			sc.Spawn = scenario.Spawning{Mode: scenario.SpawnConstant, PerConflictDay: rules.PerConflictDay}
		}
		return
	}
	sc.Spawn = scenario.Spawning{Mode: scenario.SpawnSchedule, Daily: daily}
	c.checkOrigins(daily, probs)
}

// checkOrigins makes sure that on every day people are displaced some place
// in conflict has a population to displace them from, so a run cannot fail
// halfway.
func (c *Case) checkOrigins(daily []int, probs *diag.List) {
	sc := c.Scenario
	if t := sim.MissingOrigin(sc, daily); t >= 0 {
		probs.Add(diag.Problem{File: filepath.Join(c.Dir, "input", "conflicts.csv"),
			Msg:  fmt.Sprintf("on day %d (%s) %d people are to be displaced but no place in conflict has a population", t, sc.Date(t).Format("2006-01-02"), daily[t]),
			Hint: "give the conflict places a population in locations.csv, or start a conflict earlier"})
	}
}

// checkReachability warns about camps no conflict place can reach; if no camp
// at all can be reached it is an error, except in Flee mode.
func (c *Case) checkReachability(locPath string, lines []int, probs *diag.List) {
	sc := c.Scenario
	seen, origins := sim.ReachableFromConflict(sc)
	var lost []int
	for _, i := range c.Camps {
		if !seen[i] {
			lost = append(lost, i)
		}
	}
	if origins > 0 && len(lost) > 0 && len(lost) == len(c.Camps) && c.Mode != sim.ModeFlee {
		// Nobody could ever arrive anywhere: the comparison is meaningless.
		probs.Add(diag.Problem{File: filepath.Join(c.Dir, "input", "routes.csv"),
			Msg:  fmt.Sprintf("no camp can be reached by road from any place in conflict (%d routes join %d places)", len(sc.Routes), len(sc.Places)),
			Hint: "the route network is split; add the routes that join the conflict places to the camps"})
		return
	}
	for _, i := range lost {
		probs.Add(diag.Problem{File: locPath, Line: lines[i], Field: "name", Warning: true,
			Msg: fmt.Sprintf("camp %q cannot be reached by road from any place in conflict", sc.Places[i].Name)})
	}
}

// Date returns the Date column of out.csv for day t: Flee prints the date
// after the day (§19.8); Caravan prints the day's own date.
func (c *Case) Date(t int) time.Time {
	if c.Mode == sim.ModeFlee {
		return c.Scenario.Date(t + 1)
	}
	return c.Scenario.Date(t)
}

// CampNames returns the reported camps' names.
func (c *Case) CampNames() []string {
	out := make([]string, len(c.Camps))
	for k, i := range c.Camps {
		out[k] = c.Scenario.Places[i].Name
	}
	return out
}

// Describe summarises the case in one line.
func (c *Case) Describe() string {
	sc := c.Scenario
	return fmt.Sprintf("%s: %d places, %d routes, %d camps, %d events, %d days from %s",
		sc.Name, len(sc.Places), len(sc.Routes), len(c.Camps), len(sc.Events), sc.Days, sc.Start.Format("2006-01-02"))
}

var _ = strings.TrimSpace
