package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"path/filepath"
	"strings"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report").Parse(pageTemplate))

// pageData is what the template shows.
type pageData struct {
	Title     string
	Case      string
	CasePath  string
	Mode      string
	Seed      uint64
	From, To  string
	Days      int
	Agents    string
	Camps     int
	ARD       string
	ARDPct    string
	Rescaled  string
	Headline  []string
	Notes     []string
	Figures   map[string]pageFigure
	ErrorRows []errorRow
	Total     errorRow
	Events    []eventRow
	HasEvents bool
	Manifest  []kv
	Warnings  []string
	Files     []string
}

type pageFigure struct {
	Title, Caption string
	Src            template.URL
	Alt            string
	Name           string
}

type errorRow struct {
	Camp         string
	Sim, Obs     string
	Rel          string
	RelClass     string
	MAE          string
	Share        string
	SharePct     float64 // width of the bar, 0–100
	Contribution string
}

type eventRow struct {
	Date, Day, What, Source string
	Class                   string
}

type kv struct{ K, V string }

// WriteHTML writes the self-contained page; svgs holds each figure's SVG
// by name, inlined as data: URIs.
func (rep *Report) WriteHTML(w io.Writer, svgs map[string][]byte) error {
	r := rep.Run
	e := rep.Errors
	d := pageData{
		Case: r.Summary.Scenario, CasePath: r.Manifest.Scenario, Mode: modeWords(r.Summary.Mode), Seed: r.Summary.Seed,
		From: r.Start.Format("2 January 2006"), To: r.Date(r.Days - 1).Format("2 January 2006"), Days: r.Days,
		Agents: thousands(float64(r.Summary.Agents)), Camps: len(r.Camps),
		ARD: fmt.Sprintf("%.3f", e.ARD), ARDPct: fmt.Sprintf("%.0f%%", 100*e.ARD), Rescaled: fmt.Sprintf("%.3f", e.RescaledARD),
		Notes: rep.Notes, Figures: map[string]pageFigure{}, HasEvents: r.HasEvents, Warnings: r.Manifest.Warnings,
		Files: rep.Files(),
	}
	if d.Case == "" {
		d.Case = filepath.Base(r.Dir)
	}
	d.Title = "Caravan report: " + d.Case
	d.Headline = headline(rep)
	for _, f := range rep.Figures {
		pf := pageFigure{Title: f.Title, Caption: f.Caption, Alt: f.Title + ". " + f.Caption, Name: f.Name}
		if svg, ok := svgs[f.Name]; ok {
			pf.Src = template.URL(dataURI("image/svg+xml", svg))
		}
		d.Figures[f.Name] = pf
	}
	var totSim, totObs, totMAE, maxShare float64
	for _, c := range e.Camps {
		maxShare = math.Max(maxShare, c.Share)
	}
	for _, c := range e.Camps {
		bar := 0.0
		if maxShare > 0 {
			bar = math.Round(1000*c.Share/maxShare) / 10
		}
		d.ErrorRows = append(d.ErrorRows, errorRow{
			Camp: c.Name, Sim: thousands(c.FinalSim), Obs: thousands(c.FinalObs),
			Rel: relWords(c.RelErr, c.FinalSim), RelClass: relClass(c.RelErr),
			MAE: thousands(c.MAE), Contribution: fmt.Sprintf("%.3f", c.Contribution),
			Share: fmt.Sprintf("%.0f%%", 100*c.Share), SharePct: bar,
		})
		totSim += c.FinalSim
		totObs += c.FinalObs
		totMAE += c.MAE
	}
	rel := math.NaN()
	if totObs != 0 {
		rel = (totSim - totObs) / totObs
	}
	d.Total = errorRow{Camp: "all camps", Sim: thousands(totSim), Obs: thousands(totObs), Rel: relWords(rel, totSim),
		RelClass: relClass(rel), MAE: thousands(totMAE), Contribution: fmt.Sprintf("%.3f", e.ARD), Share: "100%"}
	for _, ev := range r.Events {
		d.Events = append(d.Events, eventRow{Date: r.Date(ev.Day).Format("2 Jan 2006"), Day: fmt.Sprint(ev.Day),
			What: eventWords(ev), Source: shortSource(ev.Source, r.Manifest.Scenario), Class: eventClass(ev.Kind)})
	}
	m := r.Manifest
	add := func(k, v string) {
		if v != "" {
			d.Manifest = append(d.Manifest, kv{k, v})
		}
	}
	add("run folder", r.Dir)
	add("case folder", m.Scenario)
	add("made by", strings.TrimSpace(m.Tool+" "+m.Version))
	if len(m.Command) > 0 {
		cmd := append([]string{filepath.Base(m.Command[0])}, m.Command[1:]...)
		add("command", strings.Join(cmd, " "))
	}
	add("input files", fmt.Sprintf("%d (with SHA-256 in manifest.json)", len(m.Inputs)))
	if len(m.Overrides) > 0 {
		add("setting overrides", strings.Join(m.Overrides, "; "))
	}
	if m.AgentSteps > 0 {
		add("agent-steps", thousands(float64(m.AgentSteps)))
	}
	if m.SimSeconds > 0 {
		add("simulation time", fmt.Sprintf("%.2f s (wall %.2f s)", m.SimSeconds, m.WallSeconds))
	}
	return page.Execute(w, d)
}

func modeWords(m string) string {
	switch m {
	case "flee":
		return "flee (reproduces Flee exactly, defects included)"
	case "caravan":
		return "caravan (Flee's rules with its defects fixed)"
	}
	return m
}

// headline says in plain words how far the run was from the observations.
func headline(rep *Report) []string {
	e := rep.Errors
	var out []string
	out = append(out, fmt.Sprintf("On an average day, the simulated camp populations were off by %.0f%% of the number of people observed in the camps "+
		"(averaged relative difference, ARD = %.3f).", 100*e.ARD, e.ARD))
	if e.ARD > 0 {
		ratio := e.RescaledARD / e.ARD
		switch {
		case ratio > 1.05:
			out = append(out, fmt.Sprintf("Scaling each day's simulated camp total to the observed total does not lower it (%.3f), "+
				"so the error is in which camps people reached, not in how many arrived.", e.RescaledARD))
		case ratio >= 0.8:
			out = append(out, fmt.Sprintf("Scaling each day's simulated camp total to the observed total barely changes that (%.3f), "+
				"so the error is mostly in which camps people reached, not in how many arrived.", e.RescaledARD))
		case ratio < 0.5:
			out = append(out, fmt.Sprintf("Scaling each day's simulated camp total to the observed total lowers it to %.3f, "+
				"so much of the error is in how many people arrived in camps, less in which camps they chose.", e.RescaledARD))
		default:
			out = append(out, fmt.Sprintf("Scaling each day's simulated camp total to the observed total lowers it to %.3f: "+
				"the error is partly in how many people arrived and partly in which camps they reached.", e.RescaledARD))
		}
	}
	if len(e.Camps) > 0 && e.ARD > 0 {
		c := e.Camps[0]
		s := fmt.Sprintf("The largest part of the error, %.0f%%, comes from %s", 100*c.Share, c.Name)
		if !math.IsNaN(c.RelErr) {
			s += fmt.Sprintf(" (%s simulated against %s observed on the last day)", thousands(c.FinalSim), thousands(c.FinalObs))
		}
		out = append(out, s+".")
	}
	return out
}

func relWords(rel, sim float64) string {
	if math.IsNaN(rel) {
		if sim == 0 {
			return "–"
		}
		return "none observed"
	}
	return signedPct(rel)
}

func relClass(rel float64) string {
	switch {
	case math.IsNaN(rel):
		return ""
	case rel > 0.005:
		return "over"
	case rel < -0.005:
		return "under"
	}
	return ""
}

// eventWords describes an event in a short sentence.
func eventWords(e Event) string {
	intensity := ""
	if e.Value != 1 && e.Value != 0 {
		intensity = fmt.Sprintf(" (intensity %g)", e.Value)
	}
	switch e.Kind {
	case "conflict_start":
		return "conflict starts in " + e.Place + intensity
	case "conflict_intensity":
		return fmt.Sprintf("conflict intensity in %s becomes %g", e.Place, e.Value)
	case "conflict_end":
		return "conflict ends in " + e.Place
	case "close_border":
		return "border " + e.Country + " – " + e.Country2 + " closes"
	case "open_border":
		return "border " + e.Country + " – " + e.Country2 + " reopens"
	case "close_place":
		return e.Place + " closes (all routes in and out)"
	case "open_place":
		return e.Place + " reopens"
	case "close_route":
		return "route " + e.Place + " – " + e.Place2 + " closes"
	case "open_route":
		return "route " + e.Place + " – " + e.Place2 + " reopens"
	case "close_camp":
		return "camp " + e.Place + " closes (becomes a town)"
	case "open_camp":
		if e.Value == 1 {
			return e.Place + " becomes a camp for internally displaced people"
		}
		return e.Place + " becomes a camp"
	case "change_country":
		return e.Place + " passes to " + e.Country
	}
	parts := []string{e.Kind}
	for _, s := range []string{e.Place, e.Place2, e.Country, e.Country2} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func eventClass(kind string) string {
	switch {
	case strings.HasPrefix(kind, "conflict"):
		return "ev-conflict"
	case strings.HasPrefix(kind, "close"):
		return "ev-close"
	case strings.HasPrefix(kind, "open"):
		return "ev-open"
	}
	return ""
}

// shortSource drops the case folder from an event's source.
func shortSource(src, caseDir string) string {
	if caseDir != "" {
		if s, ok := strings.CutPrefix(src, strings.TrimRight(caseDir, "/")+"/"); ok {
			return s
		}
	}
	return src
}
