package report_test

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/report"
)

var update = flag.Bool("update", false, "update golden files in testdata/golden/")

const tinyRun = "testdata/tiny-run"

func loadTiny(t *testing.T) *report.Run {
	t.Helper()
	r, err := report.Load(tinyRun)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLoad_TinyRun(t *testing.T) {
	r := loadTiny(t)
	if r.Days != 10 || len(r.Camps) != 2 || r.Camps[0].Name != "Northcamp" || r.Camps[1].Name != "Southcamp" {
		t.Fatalf("days %d, camps %+v", r.Days, r.Camps)
	}
	if got := r.Camps[0].Sim[9]; got != 310 {
		t.Errorf("Northcamp sim on day 9 = %v, want 310", got)
	}
	if got := r.Camps[1].Obs[9]; got != 125 {
		t.Errorf("Southcamp obs on day 9 = %v, want 125", got)
	}
	if !r.Start.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("start %v", r.Start)
	}
	if len(r.Places) != 5 || len(r.Routes) != 5 || len(r.Events) != 7 || !r.HasEvents {
		t.Errorf("places %d routes %d events %d", len(r.Places), len(r.Routes), len(r.Events))
	}
	if r.Routes[0].Flow() != 310 {
		t.Errorf("route flow %d, want 310", r.Routes[0].Flow())
	}
}

func TestComputeErrors_MatchesSummary(t *testing.T) {
	r := loadTiny(t)
	e := report.ComputeErrors(r.Camps, r.Days)
	if math.Abs(e.ARD-r.Summary.ARD) > 1e-12 {
		t.Errorf("ARD %v, summary.json %v", e.ARD, r.Summary.ARD)
	}
	if math.Abs(e.RescaledARD-r.Summary.ARDRescaled) > 1e-12 {
		t.Errorf("rescaled ARD %v, summary.json %v", e.RescaledARD, r.Summary.ARDRescaled)
	}
	var sum float64
	for i, c := range e.Camps {
		sum += c.Contribution
		if i > 0 && c.Contribution > e.Camps[i-1].Contribution {
			t.Errorf("camps not sorted by contribution: %+v", e.Camps)
		}
	}
	if math.Abs(sum-e.ARD) > 1e-12 {
		t.Errorf("contributions sum to %v, ARD %v", sum, e.ARD)
	}
	nc := e.Camps[0]
	if nc.Name != "Southcamp" || nc.FinalSim != 85 || nc.FinalObs != 125 || math.Abs(nc.RelErr-(-0.32)) > 1e-12 {
		t.Errorf("first row %+v", nc)
	}
}

// TestFigures_Golden compares each figure's SVG with testdata/golden;
// run with -update to accept changes after looking at them.
func TestFigures_Golden(t *testing.T) {
	rep := report.Build(loadTiny(t))
	figs := rep.Figures
	figs = append(figs, bandFigure())
	want := []string{"camps", "error-per-day", "map", "timeline", "camps-band"}
	if len(figs) != len(want) {
		t.Fatalf("%d figures, want %d", len(figs), len(want))
	}
	for i, f := range figs {
		if f.Name != want[i] {
			t.Errorf("figure %d is %q, want %q", i, f.Name, want[i])
		}
		svg, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "golden", f.Name+".svg"), svg)
	}
}

// bandFigure is a synthetic ensemble: two camps with a 5–95% band, one of
// which has a gap (NaN) in its band.
func bandFigure() *report.Figure {
	const days = 30
	mk := func(name string, scale float64, gap bool) report.Camp {
		c := report.Camp{Name: name, Sim: make([]float64, days), Obs: make([]float64, days),
			Band: &report.Band{Lower: make([]float64, days), Upper: make([]float64, days)}}
		for t := range days {
			x := float64(t)
			c.Sim[t] = scale * x * x / 10
			c.Obs[t] = scale * 9 * x
			c.Band.Lower[t] = c.Sim[t] * 0.8
			c.Band.Upper[t] = c.Sim[t]*1.2 + scale*5
			if gap && t >= 10 && t < 13 {
				c.Band.Lower[t] = math.NaN()
			}
		}
		return c
	}
	camps := []report.Camp{mk("Big", 100, false), mk("Small", 1, true)}
	f := report.CampsFigure(camps, time.Date(2023, 12, 20, 0, 0, 0, 0, time.UTC), days)
	f.Name = "camps-band"
	return f
}

func TestCampsFigure_Band(t *testing.T) {
	f := bandFigure()
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	// The band is drawn in translucent blue and named in the legend.
	if !regexp.MustCompile(`fill:#007[12]B[12];fill-opacity:0\.2`).Match(svg) {
		t.Error("no translucent band in the SVG")
	}
	if !bytes.Contains(svg, []byte("5–95% of ensemble")) {
		t.Error("band not in the legend")
	}
	if !strings.Contains(f.Caption, "band") {
		t.Errorf("caption does not mention the band: %q", f.Caption)
	}
	// Without a band, none is drawn or named.
	plain := report.CampsFigure([]report.Camp{{Name: "A", Sim: []float64{1, 2}, Obs: []float64{2, 2}}}, time.Now(), 2)
	svg, err = plain.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(svg, []byte("ensemble")) || strings.Contains(plain.Caption, "band") {
		t.Error("a run without a band mentions one")
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	if len(gl) != len(wl) {
		t.Fatalf("%s differs: %d lines, want %d (go test -update rewrites it; look at the figure first)", path, len(gl), len(wl))
	}
	for i := range gl {
		if !sameSVGLine(gl[i], wl[i]) {
			t.Fatalf("%s differs at line %d:\n got  %s\n want %s\n(go test -update rewrites it; look at the figure first)", path, i+1, gl[i], wl[i])
		}
	}
}

var number = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?`)

// sameSVGLine compares two lines of SVG, allowing coordinates to differ in
// their last digits: floating point may round differently on other CPUs
// (fused multiply-add on arm64), which does not change the picture.
func sameSVGLine(a, b string) bool {
	if a == b {
		return true
	}
	if number.ReplaceAllString(a, "#") != number.ReplaceAllString(b, "#") {
		return false
	}
	na, nb := number.FindAllString(a, -1), number.FindAllString(b, -1)
	for i := range na {
		x, err1 := strconv.ParseFloat(na[i], 64)
		y, err2 := strconv.ParseFloat(nb[i], 64)
		if err1 != nil || err2 != nil {
			if na[i] != nb[i] {
				return false
			}
			continue
		}
		if math.Abs(x-y) > 0.02+1e-4*math.Abs(y) {
			return false
		}
	}
	return true
}

var externalRef = regexp.MustCompile(`(?i)(src|href|xlink:href|action)\s*=\s*["']?\s*(https?:|//|file:)`)

func TestWrite_SelfContained(t *testing.T) {
	rep := report.Build(loadTiny(t))
	dir := filepath.Join(t.TempDir(), "rep")
	path, err := rep.Write(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Files() {
		if _, err := os.Stat(filepath.Join(path, f)); err != nil {
			t.Error(err)
		}
	}
	html, err := os.ReadFile(filepath.Join(path, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if m := externalRef.Find(html); m != nil {
		t.Errorf("report.html refers outside itself: %s", m)
	}
	for _, bad := range []string{"<script", "<link", "@import", "url("} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	if n := len(regexp.MustCompile(`<img src="data:image/svg(\+|&#43;)xml;base64,`).FindAll(html, -1)); n != 4 {
		t.Errorf("%d inlined figures, want 4", n)
	}
	for _, s := range []string{"tiny", "ARD = 0.115", "Southcamp", "conflict starts in Alpha", "border Aland – Cland closes",
		"a warning for the report to show", "7 Jan 2024", "1 January 2024 to 10 January 2024"} {
		if !bytes.Contains(html, []byte(s)) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	for _, f := range rep.Figures {
		b, err := os.ReadFile(filepath.Join(path, f.Name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s.png: %v", f.Name, err)
		}
		if w := img.Bounds().Dx(); w < 1000 {
			t.Errorf("%s.png is %d px wide", f.Name, w)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(path, "camp-errors.csv"))
	if !bytes.HasPrefix(csv, []byte("camp,final_simulated")) || !bytes.Contains(csv, []byte("\nSouthcamp,85,125,-0.32,")) {
		t.Errorf("camp-errors.csv:\n%s", csv)
	}
	// An existing folder is not replaced without overwrite, and is left alone.
	if _, err := rep.Write(dir, false); err == nil {
		t.Error("second Write without overwrite succeeded")
	}
	if _, err := os.Stat(filepath.Join(path, "report.html")); err != nil {
		t.Error(err)
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Errorf("temporary folders left behind: %v", ents)
	}
}

func TestLoad_NotARun(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "out.csv"), []byte("Day,Date\n"), 0o644)
	_, err := report.Load(dir)
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T), want *diag.Error", err, err)
	}
	if len(de.Problems) != 2 {
		t.Fatalf("problems %v, want manifest.json and summary.json", de.Problems)
	}
	for i, f := range []string{"manifest.json", "summary.json"} {
		if de.Problems[i].File != filepath.Join(dir, f) || !strings.Contains(de.Problems[i].Error(), "not a run folder") {
			t.Errorf("problem %d: %v", i, de.Problems[i])
		}
	}
	if _, err := report.Load(filepath.Join(dir, "nope")); !errors.As(err, &de) {
		t.Errorf("missing folder: %v", err)
	}
}

func TestLoad_BadOutCSV(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"manifest.json", "summary.json"} {
		b, _ := os.ReadFile(filepath.Join(tinyRun, f))
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "out.csv"), []byte("Day,Date,A sim,A data,A error,Total error\n0,2024-01-01,1,2,0.5,0.5\n1,2024-01-02,x,2,0.5,0.5\n"), 0o644)
	_, err := report.Load(dir)
	if err == nil || !strings.Contains(err.Error(), "out.csv:3:3: A sim: \"x\" is not a number") {
		t.Errorf("error %v", err)
	}
}

func TestLanes(t *testing.T) {
	ev := []report.Event{
		{Day: 0, Kind: "conflict_start", Place: "A", Value: 1},
		{Day: 2, Kind: "close_border", Country: "X", Country2: "Y"},
		{Day: 3, Kind: "conflict_start", Place: "B", Value: 0.5},
		{Day: 5, Kind: "conflict_intensity", Place: "B", Value: 1},
		{Day: 6, Kind: "conflict_end", Place: "B"},
		{Day: 4, Kind: "open_place", Place: "P"}, // never closed in the file: closed from day 0
		{Day: 8, Kind: "close_camp", Place: "C"},
	}
	got := report.Lanes(ev, 10)
	want := []report.Lane{
		{Label: "A", Group: "conflict", Spans: []report.Span{{0, 10, 1}}},
		{Label: "B", Group: "conflict", Spans: []report.Span{{3, 5, 0.5}, {5, 6, 1}}, Marks: []int{5}},
		{Label: "border X – Y", Group: "closure", Spans: []report.Span{{2, 10, 1}}},
		{Label: "place P", Group: "closure", Spans: []report.Span{{0, 4, 1}}},
		{Label: "camp C closed", Group: "camp", Spans: []report.Span{{8, 10, 1}}},
	}
	if len(got) != len(want) {
		t.Fatalf("lanes %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Label != w.Label || g.Group != w.Group || len(g.Spans) != len(w.Spans) || len(g.Marks) != len(w.Marks) {
			t.Errorf("lane %d: %+v, want %+v", i, g, w)
			continue
		}
		for j := range w.Spans {
			if g.Spans[j] != w.Spans[j] {
				t.Errorf("lane %d span %d: %+v, want %+v", i, j, g.Spans[j], w.Spans[j])
			}
		}
	}
}
