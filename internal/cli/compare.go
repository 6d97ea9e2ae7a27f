package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

func init() { register(newCompareCmd) }

// loadWithEvidence loads a case as loadCase does and, for a native
// scenario or an overlay (spec.LoadOverlay), also returns its observations
// as evidence (nil for a Flee case folder).
func loadWithEvidence(path string, opt flee.Options) (*flee.Case, *evaluate.Evidence, error) {
	overlay := spec.IsOverlay(path)
	if !overlay && !spec.IsScenario(path) {
		c, err := flee.Load(path, opt)
		return c, nil, err
	}
	c := &flee.Case{Dir: path, Format: "caravan", Mode: opt.Mode, Config: flee.DefaultConfig()}
	if opt.SettingsFile != "" {
		p := diag.Problem{File: opt.SettingsFile, Msg: "--settings applies to Flee case folders; a native scenario holds its settings (use --set to change one)"}
		return c, nil, &diag.Error{Problems: []diag.Problem{p}}
	}
	load := spec.Load
	if overlay {
		load = spec.LoadOverlay
	}
	l, err := load(path)
	if l != nil {
		c.Warnings = append(c.Warnings, l.Warnings...)
	}
	if err != nil {
		return c, nil, err
	}
	comp, err := l.Compile(spec.Options{Mode: opt.Mode, Days: opt.Days, Set: opt.Set})
	if comp != nil {
		c.Warnings = append(c.Warnings, comp.Warnings...)
	}
	if err != nil {
		return c, nil, err
	}
	return flee.CaseFromSpec(path, l, comp, opt.Mode), comp.Observed.Evidence, nil
}

// observers calls each observer in turn.
type observers []sim.Observer

func (o observers) Day(day int, e *sim.Engine) error {
	for _, x := range o {
		if err := x.Day(day, e); err != nil {
			return err
		}
	}
	return nil
}

// cmpSide is one scenario of a comparison.
type cmpSide struct {
	path  string
	c     *flee.Case
	ev    *evaluate.Evidence
	camps []int // places that are camps at the start
}

// cmpRun is what one seed of one side produced.
type cmpRun struct {
	sims  [][]float64 // per evidence item and term
	camps []float64   // final population of each camp, in people
	fit   float64
}

func (s *cmpSide) run(ctx context.Context, seed uint64) (cmpRun, error) {
	var out cmpRun
	sc := s.c.Scenario
	eng, err := sim.New(sc, s.c.Config.Sim, seed)
	if err != nil {
		return out, err
	}
	var obs sim.Observer
	var probes *results.Probes
	if s.ev != nil {
		probes = results.NewProbes(s.ev.Probes, sc.Days)
		probes.Attach(eng)
		obs = probes
	}
	if err := eng.Run(ctx, obs); err != nil {
		return out, err
	}
	scale := float64(max(1, s.c.Config.Spawn.Hasten))
	for _, i := range s.camps {
		out.camps = append(out.camps, float64(eng.Count(i))*scale)
	}
	out.fit = math.NaN()
	if s.ev != nil {
		out.sims = s.ev.Simulate(probes)
		out.fit = s.ev.Score(out.sims).Score
	}
	return out, nil
}

// CompareRow is one quantity of a comparison: its values under the base
// and the variant over the same seeds, and their paired differences.
type CompareRow struct {
	Kind    string `json:"kind"` // evidence, camp, fit
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Measure string `json:"measure"`
	When    string `json:"when"`
	Pairs   int    `json:"pairs"` // seeds where both values exist
	// Means over the seeds, and the mean and 5th and 95th percentiles of
	// the differences variant − base (NaN when no seed has both).
	BaseMean    float64 `json:"base_mean"`
	VariantMean float64 `json:"variant_mean"`
	DiffMean    float64 `json:"diff_mean"`
	DiffP5      float64 `json:"diff_p5"`
	DiffP95     float64 `json:"diff_p95"`

	base, variant []float64
}

// quantile is the p-quantile of sorted xs, interpolated between order
// statistics (Hyndman and Fan's type 7, R's default).
func quantile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	h := p * float64(len(xs)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

func meanOf(xs []float64) float64 {
	s, n := 0.0, 0
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// summarise fills the means and the paired differences.
func (r *CompareRow) summarise() {
	var d []float64
	for i := range r.base {
		if i < len(r.variant) && !math.IsNaN(r.base[i]) && !math.IsNaN(r.variant[i]) {
			d = append(d, r.variant[i]-r.base[i])
		}
	}
	sort.Float64s(d)
	r.Pairs = len(d)
	r.BaseMean, r.VariantMean = meanOf(r.base), meanOf(r.variant)
	r.DiffMean, r.DiffP5, r.DiffP95 = meanOf(d), quantile(d, 0.05), quantile(d, 0.95)
}

// compareRows lines up the quantities of both sides: the evidence items'
// terms (by id and term), the camps' final populations (by name) and the
// fit score.
func compareRows(base, variant *cmpSide, br, vr []cmpRun) []CompareRow {
	var rows []CompareRow
	index := map[string]int{}
	add := func(key string, meta CompareRow, n int) *CompareRow {
		if k, ok := index[key]; ok {
			return &rows[k]
		}
		meta.base, meta.variant = nanSlice(n), nanSlice(n)
		rows = append(rows, meta)
		index[key] = len(rows) - 1
		return &rows[len(rows)-1]
	}
	n := len(br)
	evidence := func(s *cmpSide, runs []cmpRun, isBase bool) {
		if s.ev == nil {
			return
		}
		for i := range s.ev.Items {
			it := &s.ev.Items[i]
			if it.Reason != "" {
				continue
			}
			for k := range it.Terms {
				subject, when := it.Label(k)
				r := add("e|"+it.ID+"|"+strconv.Itoa(k)+"|"+subject+"|"+when,
					CompareRow{Kind: "evidence", ID: it.ID, Subject: subject, Measure: it.Measure, When: when}, n)
				for j := range runs {
					v := runs[j].sims[i][k]
					if isBase {
						r.base[j] = v
					} else {
						r.variant[j] = v
					}
				}
			}
		}
	}
	camps := func(s *cmpSide, runs []cmpRun, isBase bool) {
		for k, i := range s.camps {
			name := s.c.Scenario.Places[i].Name
			r := add("c|"+name, CompareRow{Kind: "camp", ID: name, Subject: "place " + name, Measure: "stock", When: "final"}, n)
			for j := range runs {
				if isBase {
					r.base[j] = runs[j].camps[k]
				} else {
					r.variant[j] = runs[j].camps[k]
				}
			}
		}
	}
	evidence(base, br, true)
	evidence(variant, vr, false)
	camps(base, br, true)
	camps(variant, vr, false)
	if base.ev != nil || variant.ev != nil {
		r := add("fit", CompareRow{Kind: "fit", ID: "fit", Subject: "all evidence", Measure: "fit score"}, n)
		for j := range br {
			r.base[j], r.variant[j] = br[j].fit, vr[j].fit
		}
	}
	for i := range rows {
		rows[i].summarise()
	}
	return rows
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// runBoth runs both sides for seeds seedBase, seedBase+1, ... on a pool of
// workers; results are in seed order whatever the number of workers.
func runBoth(ctx context.Context, sides [2]*cmpSide, runs, workers int, seedBase uint64) ([2][]cmpRun, error) {
	var out [2][]cmpRun
	out[0], out[1] = make([]cmpRun, runs), make([]cmpRun, runs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(workers, 2*runs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				side, i := j%2, j/2
				r, err := sides[side].run(ctx, seedBase+uint64(i))
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s, seed %d: %w", sides[side].path, seedBase+uint64(i), err)
					}
					mu.Unlock()
					cancel()
					continue
				}
				out[side][i] = r
			}
		}()
	}
	for j := 0; j < 2*runs; j++ {
		select {
		case jobs <- j:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return out, first
	}
	return out, ctx.Err()
}

// CompareHeader is the header of compare.csv.
var CompareHeader = []string{"kind", "id", "subject", "measure", "when", "pairs", "base_mean", "variant_mean", "diff_mean", "diff_p5", "diff_p95"}

func writeCompareCSV(w io.Writer, rows []CompareRow) error {
	cw := csv.NewWriter(w)
	cw.Write(CompareHeader)
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, r := range rows {
		cw.Write([]string{r.Kind, r.ID, r.Subject, r.Measure, r.When, strconv.Itoa(r.Pairs),
			f(r.BaseMean), f(r.VariantMean), f(r.DiffMean), f(r.DiffP5), f(r.DiffP95)})
	}
	cw.Flush()
	return cw.Error()
}

// short formats a mean for the table: whole numbers above 100, else three
// significant digits.
func short(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	case v == 0:
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func printCompare(w io.Writer, names [2]string, runs int, seedBase uint64, mode string, rows []CompareRow, dir string) {
	fmt.Fprintf(w, "%s − %s over %d seeds (%d to %d, the same for both), %s mode\n", names[1], names[0], runs, seedBase, seedBase+uint64(runs)-1, mode)
	width := len("quantity")
	labels := make([]string, len(rows))
	for i, r := range rows {
		switch r.Kind {
		case "camp":
			labels[i] = "camp " + r.ID + " (final)"
		case "fit":
			labels[i] = "fit score (0 = all within)"
		default:
			labels[i] = strings.Join(nonEmpty(r.ID, r.Measure, r.Subject, r.When), " ")
		}
		width = min(max(width, len([]rune(labels[i]))), 60)
	}
	fmt.Fprintf(w, "  %-*s %10s %10s %11s  %s\n", width, "quantity", "base", "variant", "difference", "90% interval")
	for i, r := range rows {
		l := []rune(labels[i])
		if len(l) > width {
			l = append(l[:width-1], '…')
		}
		ival := "n/a"
		if r.Pairs > 0 {
			ival = short(r.DiffP5) + " to " + short(r.DiffP95)
		}
		fmt.Fprintf(w, "  %-*s %10s %10s %11s  %s\n", width, string(l), short(r.BaseMean), short(r.VariantMean), short(r.DiffMean), ival)
	}
	fmt.Fprintf(w, "results in %s\n", dir)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func newCompareCmd() *cobra.Command {
	var cf caseFlags
	var runs, workers int
	var seedBase uint64
	var outDir string
	var force, quiet bool
	cmd := &cobra.Command{
		Use:   "compare <base> <variant>",
		Short: "What-if: run a scenario and a variant with the same seeds and report each observed quantity's difference",
		Long: `Compare runs a base scenario and a variant of it with common random numbers:
seed i of both runs uses the same random streams, over --runs seeds, in
parallel. For each observed quantity (each term of each evaluable
observation), each camp's final population and the fit score it reports
the means under both and the mean of the paired differences variant − base
with a 90% interval (5th to 95th percentile of the differences).

The variant is a full scenario (or Flee case folder), or an overlay: a
YAML file naming the base and the policies or drivers it replaces
(docs/evidence.md):
  base: scenario.yaml
  name: strict-border
  remove: [gate]
  policies:
    - {name: border, period: {from: 2024-01-01}, border: {countries: [X, Y], regime: closed}}

The output folder (default out/<variant>-vs-<base>) holds:
  compare.csv    one row per quantity: means, difference, 90% interval
  manifest.json  both scenarios' inputs with their SHA-256, seeds, version, timings`,
		Args: exactArgs(2, "a base and a variant"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt, err := cf.options()
			if err != nil {
				return err
			}
			if runs < 1 {
				return usageError{fmt.Errorf("--runs %d: want at least 1", runs)}
			}
			wall := time.Now()
			var sides [2]*cmpSide
			for k, path := range args {
				c, ev, err := loadWithEvidence(path, opt)
				if c != nil {
					printWarnings(cmd.ErrOrStderr(), c.Warnings)
				}
				if err != nil {
					return err
				}
				s := &cmpSide{path: path, c: c, ev: ev}
				for i := range c.Scenario.Places {
					if sim.IsCampAtLoad(c.Scenario, c.Config.Sim, i) {
						s.camps = append(s.camps, i)
					}
				}
				sides[k] = s
			}
			names := [2]string{sides[0].c.Scenario.Name, sides[1].c.Scenario.Name}
			explicit := outDir != ""
			if !explicit {
				outDir = filepath.Join("out", names[1]+"-vs-"+names[0])
			}
			od, err := results.Create(outDir, force || !explicit)
			if err != nil {
				return usageError{err}
			}
			defer od.Abort()
			t0 := time.Now()
			res, err := runBoth(cmd.Context(), sides, runs, workers, seedBase)
			if err != nil {
				return err
			}
			simSec := time.Since(t0).Seconds()
			rows := compareRows(sides[0], sides[1], res[0], res[1])
			if err := od.WriteFile("compare.csv", func(w io.Writer) error { return writeCompareCSV(w, rows) }); err != nil {
				return err
			}
			man := results.Manifest{
				Tool: "caravan", Version: versionString(), Command: os.Args,
				Scenario: sides[0].path, Format: sides[0].c.Format, Mode: opt.Mode.String(), Seed: seedBase,
				StartDate: sides[0].c.Scenario.Start.Format("2006-01-02"), Days: sides[0].c.Scenario.Days,
				Settings:  map[string]any{"base": sides[0].c.Config, "variant": sides[1].c.Config},
				Overrides: cf.set, SimSeconds: simSec, Outputs: []string{"compare.csv", "manifest.json"},
				Extra: map[string]string{"variant": sides[1].path, "runs": strconv.Itoa(runs),
					"seeds": fmt.Sprintf("%d-%d", seedBase, seedBase+uint64(runs)-1), "go": runtime.Version()},
			}
			for _, s := range sides {
				for _, in := range s.c.Inputs {
					man.Inputs = append(man.Inputs, results.Input{Path: in.Path, SHA256: in.SHA256, Bytes: in.Bytes})
				}
				for _, w := range s.c.Warnings {
					man.Warnings = append(man.Warnings, w.Error())
				}
			}
			man.WallSeconds = time.Since(wall).Seconds()
			if err := od.WriteJSON("manifest.json", man); err != nil {
				return err
			}
			if err := od.Commit(); err != nil {
				return err
			}
			if !quiet {
				printCompare(cmd.OutOrStdout(), names, runs, seedBase, opt.Mode.String(), rows, od.Path())
			}
			return nil
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.IntVarP(&runs, "runs", "n", 20, "seeds run for each of base and variant")
	fl.Uint64Var(&seedBase, "seed-base", 1, "seeds are seed-base, seed-base+1, … for both")
	fl.IntVarP(&workers, "workers", "j", runtime.GOMAXPROCS(0), "runs at once")
	fl.StringVarP(&outDir, "out", "o", "", "output folder (default out/<variant>-vs-<base>, replaced each time)")
	fl.BoolVar(&force, "force", false, "replace --out if it already exists")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	return cmd
}

// EvidenceSummary is the fit of a run to its scenario's observations, in
// summary.json.
type EvidenceSummary struct {
	Observations int `json:"observations"`
	Within       int `json:"within"` // including satisfied orderings
	Outside      int `json:"outside"`
	NotEvaluable int `json:"not_evaluable"`
	// Fit is the weighted mean error (evaluate.Fit.Score); absent when
	// nothing is evaluable.
	Fit   *float64 `json:"fit,omitempty"`
	Worst string   `json:"worst,omitempty"`
	Line  string   `json:"summary"`
}

func newEvidenceSummary(ev *evaluate.Evidence, f evaluate.Fit) *EvidenceSummary {
	s := &EvidenceSummary{Observations: len(ev.Items), Within: f.Within, Outside: f.Outside, NotEvaluable: f.NotEvaluable, Line: ev.Summary(f)}
	if !math.IsNaN(f.Score) {
		v := f.Score
		s.Fit = &v
	}
	if f.Worst >= 0 {
		s.Worst = ev.Items[f.Worst].ID
	}
	return s
}
