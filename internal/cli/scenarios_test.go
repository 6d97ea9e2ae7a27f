package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

// The bundled scenarios (scenarios/*/scenario*.yaml) are the project's
// worked examples of encoding archival evidence. Every main file runs for
// its whole period in seconds and is scored against its observations; every
// driver, policy and observation names its source and a seed fact id (or
// says ASSUMPTION).

var factID = regexp.MustCompile(`\b(atv|irr|rex)-\d{3}\b`)

func bundledScenarios(t *testing.T) []string {
	t.Helper()
	mains, err := filepath.Glob("../../scenarios/*/scenario*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(mains) < 2 {
		t.Fatalf("found %d bundled scenario files; want soviet-south-1917 and russia-2022 at least", len(mains))
	}
	return mains
}

func TestBundledScenarios_Run(t *testing.T) {
	for _, main := range bundledScenarios(t) {
		name := filepath.Base(filepath.Dir(main)) + "/" + filepath.Base(main)
		t.Run(name, func(t *testing.T) {
			l, err := spec.Load(main)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			out := filepath.Join(t.TempDir(), "run")
			var so, se bytes.Buffer
			start := time.Now()
			if code := Main([]string{"run", "-q", "-o", out, main}, &so, &se); code != 0 {
				t.Fatalf("exit %d: %s", code, se.String())
			}
			took := time.Since(start)
			b, err := os.ReadFile(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			var sum struct {
				Days   int `json:"days"`
				Agents int `json:"agents"`
			}
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			if want := l.Doc.DaysCount(); sum.Days != want {
				t.Errorf("ran %d days; the scenario has %d", sum.Days, want)
			}
			if sum.Agents == 0 {
				t.Errorf("no agents were simulated")
			}
			t.Logf("%d days, %d agents in %.2f s", sum.Days, sum.Agents, took.Seconds())
			// Bundled scenarios are meant to run in seconds; a generous
			// ceiling catches a change that makes them crawl.
			if took > 20*time.Second {
				t.Errorf("took %v; bundled scenarios should run in seconds", took)
			}
		})
	}
}

// TestBundledScenarios_Fit scores each bundled scenario against its
// observations and logs the fit (go test -v -run Fit shows it). It asserts
// only that the evidence compiles and is scored: the scenarios are encoded,
// not calibrated.
func TestBundledScenarios_Fit(t *testing.T) {
	for _, main := range bundledScenarios(t) {
		name := filepath.Base(filepath.Dir(main)) + "/" + filepath.Base(main)
		t.Run(name, func(t *testing.T) {
			l, err := spec.Load(main)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			c, err := l.Compile(spec.Options{})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			ev := c.Observed.Evidence
			if ev == nil || len(ev.Items) == 0 {
				t.Fatal("no observations")
			}
			eng, err := sim.New(c.Scenario, c.Settings, 1)
			if err != nil {
				t.Fatal(err)
			}
			probes := results.NewProbes(ev.Probes, c.Scenario.Days)
			probes.Attach(eng)
			if err := eng.Run(context.Background(), probes); err != nil {
				t.Fatal(err)
			}
			fit := ev.Evaluate(probes)
			if len(fit.Results) != len(ev.Items) {
				t.Fatalf("%d results for %d observations", len(fit.Results), len(ev.Items))
			}
			t.Logf("%s", ev.Summary(fit))
			for i := range ev.Items {
				it, r := &ev.Items[i], fit.Results[i]
				t.Logf("  %-40s %-10v observed %-22s simulated %v %s", it.ID, r.Verdict, it.ObservedText(), r.Simulated, r.Detail)
			}
		})
	}
}

func TestBundledScenarios_Citations(t *testing.T) {
	for _, main := range bundledScenarios(t) {
		l, err := spec.Load(main)
		if err != nil {
			t.Fatalf("%s: %v", main, err)
		}
		d := l.Doc
		cited := func(what, source, text string) {
			if source == "" {
				t.Errorf("%s: %s has no source", main, what)
			}
			if !factID.MatchString(text) && !strings.Contains(text, "ASSUMPTION") {
				t.Errorf("%s: %s names no seed fact id and is not marked ASSUMPTION", main, what)
			}
		}
		for _, dr := range d.Drivers {
			cited("driver "+dr.Name, dr.Source, dr.Note)
		}
		for _, p := range d.Policies {
			cited("policy "+p.Name, p.Source, p.Note)
		}
		for _, o := range d.Observations {
			src := ""
			if o.Citation != nil {
				src = o.Citation.Source
			}
			cited("observation "+o.ID, src, o.ID+" "+o.Note)
		}
	}
}
