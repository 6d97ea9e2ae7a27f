package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/caravan-sim/caravan/internal/calibrate"
	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/spec"
)

func init() { register(newCalibrateCmd) }

func seedList(base uint64, n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = base + uint64(i)
	}
	return s
}

func newCalibrateCmd() *cobra.Command {
	var cf caseFlags
	var paramsFile, method, outDir string
	var seeds, fitDays, maxEvals, workers int
	var seedBase, cmaSeed uint64
	var force, quiet, jsonOut bool
	var nf nativeFlags
	cmd := &cobra.Command{
		Use:   "calibrate <scenario | case folder> [--params params.yml]",
		Short: "Fit declared parameters to the observations (Nelder–Mead or CMA-ES)",
		Long: `Calibrate searches declared parameter ranges for the values that best fit the
observations, over --seeds runs with fixed seeds (common random numbers),
with gonum's Nelder–Mead (default) or CMA-ES, starting from the values the
scenario uses.

A native scenario (a .yaml file, a folder with scenario.yaml, or an overlay)
declares its own ranges: every input quantity written with low and high,
e.g. pass_probability: {value: 0.5, low: 0.2, high: 0.8}, is a parameter,
searched within its interval (on a log scale when low > 0 and high/low >= 5).
The objective is the evidence fit (weighted mean error over the observations,
0 = all within; docs/evidence.md) averaged over the seeds. Observations
written held_out: true (or whose id --held-out matches) are left out of the
objective and reported apart, out of sample.
  --list            print the parameters and observations, and stop
  --only REGEX      fit only the parameters whose id matches
  --params FILE     fit exactly these: a YAML list of ids (or of {id: ...};
                    a calibration.json's params list works too)
  --check-seeds N   afterwards, score the defaults and the calibrated values
                    on N fresh seeds too: a gain that holds there is not an
                    accident of the seeds the search used
The output folder (default out/<scenario>-calibration) holds:
  calibrated.yaml   the scenario in one file with the calibrated values:
                    caravan run it, or caravan compare <scenario> it
  calibration.json  parameters (id, file:line, interval, default, calibrated),
                    fit before and after in sample and held out, every
                    observation's simulated value and verdict before and after
  calibration.md    the same as a readable report
  evaluations.csv   every evaluation: values, fit, held-out fit, best so far
  manifest.json     command, version, inputs, timings

A Flee case folder (and a native scenario given --params with settings keys)
fits simsetting.yml keys: --params is a YAML list of {key, min, max[, scale:
log][, integer: true]} and the objective is the averaged relative difference
(ARD) to the observed camp counts. With --fit-days N it fits on the first N
days only and reports the error on the remaining days: an out-of-sample check.
Its output folder holds simsetting.yml (use with --settings; for a native
scenario calibrated-set.txt, --set lines), calibration.json, calibration.md,
evaluations.csv and manifest.json.

Results are the same whatever --workers: the evaluations run one after
another, the seeds of each at once.`,
		Args: exactArgs(1, "one scenario or case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			wall := time.Now()
			opt, err := cf.options()
			if err != nil {
				return err
			}
			if ensemble.IsNative(args[0]) {
				ids, intervals, err := nativeParamIDs(paramsFile)
				if err != nil {
					return err
				}
				if intervals {
					if fitDays != 0 {
						return usageError{errors.New("calibrate: --fit-days applies to camp series; a native scenario holds out observations instead (held_out: true, or --held-out)")}
					}
					if nf.checkSeeds < 0 {
						return usageError{errors.New("calibrate: --check-seeds must not be negative")}
					}
					nf.ids, nf.method, nf.outDir, nf.seeds, nf.maxEvals, nf.workers = ids, method, outDir, seeds, maxEvals, workers
					nf.seedBase, nf.cmaSeed, nf.force, nf.quiet, nf.json = seedBase, cmaSeed, force || !cmd.Flags().Changed("out"), quiet, jsonOut
					return calibrateNative(cmd, args[0], opt, nf, wall)
				}
			}
			if nf.list || nf.only != "" || nf.heldOut != "" {
				return usageError{errors.New("calibrate: --list, --only and --held-out apply to a native scenario's declared intervals")}
			}
			if paramsFile == "" {
				return usageError{errors.New("calibrate: --params is required (a YAML list of {key, min, max})")}
			}
			params, err := ensemble.LoadParams(paramsFile)
			if err != nil {
				return err
			}
			if seeds < 1 || maxEvals < 1 || fitDays < 0 {
				return usageError{errors.New("calibrate: --seeds and --max-evals must be at least 1, --fit-days not negative")}
			}
			r, c, err := calibrate.NewRunner(calibrate.Problem{Case: args[0], Options: opt, Params: params,
				Seeds: seedList(seedBase, seeds), FitDays: fitDays, Workers: workers})
			if c != nil {
				printWarnings(cmd.ErrOrStderr(), c.Warnings)
			}
			if err != nil {
				return wrapPlanErr(err)
			}
			if outDir == "" {
				outDir = filepath.Join("out", c.Scenario.Name+"-calibration")
			}
			od, err := results.Create(outDir, force || !cmd.Flags().Changed("out"))
			if err != nil {
				return usageError{err}
			}
			defer od.Abort()
			def, known := calibrate.Defaults(c, params)
			stderr := cmd.ErrOrStderr()
			onEval := evalPrinter(stderr, params, quiet, jsonOut, maxEvals)
			ctx := cmd.Context()
			best, _, evals, status, err := r.Fit(ctx, calibrate.Options{Method: method, MaxEvals: maxEvals, Start: def,
				Seed: cmaSeed, OnEval: onEval})
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return err
				}
				return fmt.Errorf("calibrate: %w", err)
			}
			fitSec := time.Since(wall).Seconds()

			// Compare defaults and calibrated values over the fit window, the
			// hold-out window and the whole period, on full-length runs.
			days := r.Days()
			wins := []calibrate.Window{{From: 0, To: days}}
			names := []string{"all"}
			if fitDays > 0 {
				wins = []calibrate.Window{{From: 0, To: fitDays}, {From: fitDays, To: days}, {From: 0, To: days}}
				names = []string{"fit", "holdout", "all"}
			}
			sd, err := r.Score(ctx, def, 0, wins)
			if err != nil {
				return err
			}
			sb, err := r.Score(ctx, best, 0, wins)
			if err != nil {
				return err
			}
			rep := &calibrate.Report{Case: c.Scenario.Name, Mode: opt.Mode.String(), Method: methodName(method), Seeds: r.Seeds,
				Days: days, FitDays: fitDays, Params: params, Default: def, DefaultKnown: known, Calibrated: best,
				Set: r.Overrides(best), Evaluations: len(evals), Status: status}
			for i, w := range wins {
				rep.Windows = append(rep.Windows, calibrate.Comparison{Name: names[i], Window: w, Default: sd[i], Calibrated: sb[i],
					Dates: [2]string{c.Scenario.Date(w.From).Format("2006-01-02"), c.Scenario.Date(w.To - 1).Format("2006-01-02")}})
			}
			rep.Output = "simsetting.yml"
			if ensemble.IsNative(args[0]) {
				rep.Output = "calibrated-set.txt"
				// A native scenario holds its settings: give the overrides.
				set := strings.Join(rep.Set, "\n") + "\n"
				if err := od.WriteFile(rep.Output, func(w io.Writer) error { _, err := io.WriteString(w, set); return err }); err != nil {
					return err
				}
			} else if err := writeCalibratedSettings(od, args[0], opt.SettingsFile, opt.Set, rep, c.Scenario.Name, seedBase, seeds, fitDays, days); err != nil {
				return err
			}
			if err := od.WriteJSON("calibration.json", rep); err != nil {
				return err
			}
			if err := od.WriteFile("calibration.md", func(w io.Writer) error { return calibrate.WriteMarkdown(w, rep) }); err != nil {
				return err
			}
			if err := od.WriteFile("evaluations.csv", func(w io.Writer) error { return calibrate.WriteEvaluations(w, params, evals) }); err != nil {
				return err
			}
			man := map[string]any{"tool": "caravan", "version": versionString(), "command": os.Args, "case": c.Dir,
				"inputs": c.Inputs, "fit_s": fitSec, "wall_s": time.Since(wall).Seconds(), "workers": r.Workers,
				"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0)}
			if err := od.WriteJSON("manifest.json", man); err != nil {
				return err
			}
			if err := od.Commit(); err != nil {
				return err
			}
			if quiet {
				return nil
			}
			out := cmd.OutOrStdout()
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return calibrate.WriteMarkdown(out, rep)
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&paramsFile, "params", "", "YAML file of parameters to fit: a list of ids (native scenario), or of {key, min, max[, scale: log][, integer: true]} (settings)")
	fl.StringVar(&method, "method", calibrate.NelderMead, "optimiser: nelder-mead or cmaes")
	fl.IntVar(&seeds, "seeds", 3, "runs per evaluation (seeds seed-base, seed-base+1, …)")
	fl.Uint64Var(&seedBase, "seed-base", 1, "first seed")
	fl.IntVar(&fitDays, "fit-days", 0, "fit on the first N days only and report the rest as out-of-sample error (0: all days)")
	fl.IntVar(&maxEvals, "max-evals", 60, "most objective evaluations")
	fl.Uint64Var(&cmaSeed, "cmaes-seed", 1, "seed of CMA-ES's sampling")
	fl.IntVarP(&workers, "workers", "j", runtime.GOMAXPROCS(0), "runs at once")
	fl.StringVarP(&outDir, "out", "o", "", "output folder (default out/<case>-calibration, replaced each run)")
	fl.BoolVar(&force, "force", false, "replace --out if it exists")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	fl.BoolVar(&jsonOut, "json", false, "progress as JSON lines on stderr and the report as JSON on stdout")
	fl.BoolVar(&nf.list, "list", false, "native scenario: print the parameters (quantities with low and high) and observations, and stop")
	fl.StringVar(&nf.only, "only", "", "native scenario: fit only the parameters whose id matches this regular expression")
	fl.StringVar(&nf.heldOut, "held-out", "", "native scenario: also hold out the observations whose id matches this regular expression")
	fl.IntVar(&nf.checkSeeds, "check-seeds", 10, "native scenario: re-score the defaults and the calibrated values on this many fresh seeds (after the fit's; 0: none)")
	return cmd
}

func methodName(m string) string {
	if m == "" {
		return calibrate.NelderMead
	}
	return m
}

func fitWindow(fit, days int) string {
	if fit == 0 {
		return "0-" + strconv.Itoa(days-1)
	}
	return "0-" + strconv.Itoa(fit-1)
}

// evalPrinter prints each evaluation: a line on a terminal, JSON otherwise.
func evalPrinter(w io.Writer, params []ensemble.Param, quiet, asJSON bool, maxEvals int) func(calibrate.Evaluation) {
	if quiet {
		return nil
	}
	tty := false
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
	}
	return func(e calibrate.Evaluation) {
		if asJSON || !tty {
			b, _ := json.Marshal(struct {
				Type string `json:"type"`
				calibrate.Evaluation
			}{"evaluation", e})
			w.Write(append(b, '\n'))
			return
		}
		var ps []string
		for k, p := range params {
			ps = append(ps, p.Name+"="+strconv.FormatFloat(e.Values[k], 'g', 5, 64))
		}
		fmt.Fprintf(w, "eval %3d/%d  ARD %.4f  best %.4f  %s\n", e.N, maxEvals, e.ARD, e.Best, strings.Join(ps, " "))
	}
}

// writeCalibratedSettings writes simsetting.yml: the case's settings with
// the calibrated values (and the run's own --set overrides).
func writeCalibratedSettings(od *results.OutDir, caseDir, settings string, set []string, rep *calibrate.Report, name string, seedBase uint64, seeds, fitDays, days int) error {
	base := calibrate.SettingsFile(caseDir, settings)
	header := []string{
		fmt.Sprintf("%s settings calibrated by caravan %s (%s, %d evaluations, seeds %d-%d, fit days %s)",
			name, versionString(), rep.Method, rep.Evaluations, seedBase, seedBase+uint64(seeds)-1, fitWindow(fitDays, days)),
		"calibrated: " + strings.Join(rep.Set, " "),
	}
	if base != "" {
		header = append(header, "from "+base+" (comments not kept)")
	}
	yml, err := calibrate.WriteSettings(base, append(append([]string(nil), set...), rep.Set...), header)
	if err != nil {
		return err
	}
	return od.WriteFile("simsetting.yml", func(w io.Writer) error { _, err := w.Write(yml); return err })
}

// nativeFlags are the settings of a native scenario's calibration.
type nativeFlags struct {
	list                     bool
	only, heldOut            string
	ids                      []string
	method, outDir           string
	seeds, maxEvals, workers int
	checkSeeds               int
	seedBase, cmaSeed        uint64
	force, quiet, json       bool
}

// nativeParamIDs reads a --params file for a native scenario: a list of
// parameter ids (strings or mappings with id, so a calibration.json's
// params list works), or the settings keys of the Flee-style calibration
// (intervals false). No file means every interval.
func nativeParamIDs(path string) (ids []string, intervals bool, err error) {
	if path == "" {
		return nil, true, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, &diag.Error{Problems: []diag.Problem{{File: path, Msg: err.Error()}}}
	}
	var top any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return nil, false, &diag.Error{Problems: []diag.Problem{{File: path, Msg: "not valid YAML: " + yaml.FormatError(err, false, false)}}}
	}
	if m, ok := top.(map[string]any); ok {
		top = m["params"]
	}
	list, ok := top.([]any)
	if !ok || len(list) == 0 {
		return nil, false, &diag.Error{Problems: []diag.Problem{{File: path, Msg: "want a list of parameter ids (or of {key, min, max} settings), or a mapping with a params list"}}}
	}
	keys := 0
	for i, e := range list {
		switch v := e.(type) {
		case string:
			ids = append(ids, v)
		case map[string]any:
			if id, ok := v["id"].(string); ok {
				ids = append(ids, id)
			} else if _, ok := v["key"]; ok {
				keys++
			} else {
				return nil, false, &diag.Error{Problems: []diag.Problem{{File: path, Field: fmt.Sprintf("[%d]", i), Msg: "give the parameter's id (or a settings key)"}}}
			}
		default:
			return nil, false, &diag.Error{Problems: []diag.Problem{{File: path, Field: fmt.Sprintf("[%d]", i), Msg: "give a parameter id"}}}
		}
	}
	switch {
	case keys == len(list):
		return nil, false, nil
	case keys > 0:
		return nil, false, &diag.Error{Problems: []diag.Problem{{File: path, Msg: "the list mixes parameter ids and settings keys; calibrate one kind at a time"}}}
	}
	return ids, true, nil
}

// calibrateNative fits a native scenario's declared intervals to its
// observations.
func calibrateNative(cmd *cobra.Command, path string, opt flee.Options, nf nativeFlags, wall time.Time) error {
	if opt.SettingsFile != "" {
		return usageError{errors.New("calibrate: --settings applies to Flee case folders; a native scenario holds its settings (use --set to change one)")}
	}
	if nf.seeds < 1 || nf.maxEvals < 1 {
		return usageError{errors.New("calibrate: --seeds and --max-evals must be at least 1")}
	}
	var only, held *regexp.Regexp
	for _, re := range []struct {
		flag, src string
		dst       **regexp.Regexp
	}{{"--only", nf.only, &only}, {"--held-out", nf.heldOut, &held}} {
		if re.src == "" {
			continue
		}
		x, err := regexp.Compile(re.src)
		if err != nil {
			return usageError{fmt.Errorf("calibrate: %s: %v", re.flag, err)}
		}
		*re.dst = x
	}
	stderr, stdout := cmd.ErrOrStderr(), cmd.OutOrStdout()
	r, err := calibrate.NewNativeRunner(calibrate.NativeProblem{Path: path, Options: spec.Options{Mode: opt.Mode, Days: opt.Days, Set: opt.Set},
		IDs: nf.ids, Only: only, HeldOut: held, Seeds: seedList(nf.seedBase, nf.seeds), Workers: nf.workers})
	if r != nil && !nf.quiet {
		printWarnings(stderr, r.Warnings)
	}
	if err != nil {
		return wrapPlanErr(err)
	}
	if nf.list {
		return listNative(stdout, r, nf.json)
	}
	outDir := nf.outDir
	if outDir == "" {
		outDir = filepath.Join("out", r.Name+"-calibration")
	}
	od, err := results.Create(outDir, nf.force)
	if err != nil {
		return usageError{err}
	}
	defer od.Abort()
	ctx := cmd.Context()
	pr := newNativeProgress(ctx, stderr, nf)
	best, evals, status, err := r.Fit(ctx, calibrate.NativeOptions{Method: nf.method, MaxEvals: nf.maxEvals, Seed: nf.cmaSeed, OnEval: pr.eval})
	pr.close(err == nil)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("calibrate: %w", err)
	}
	fitSec := time.Since(wall).Seconds()
	def, err := r.Assess(ctx, r.Defaults())
	if err != nil {
		return err
	}
	after, err := r.Assess(ctx, best)
	if err != nil {
		return err
	}
	if after.Invalid != "" {
		return fmt.Errorf("calibrate: the best values are refused: %s", after.Invalid)
	}
	rep := calibrate.NewNativeReport(r, methodName(nf.method), status, len(evals), def, after)
	if nf.checkSeeds > 0 {
		fresh := seedList(nf.seedBase+uint64(nf.seeds), nf.checkSeeds)
		cd, err := r.AssessOn(ctx, r.Defaults(), fresh)
		if err != nil {
			return err
		}
		cb, err := r.AssessOn(ctx, best, fresh)
		if err != nil {
			return err
		}
		rep.AddCheck(fresh, cd, cb)
	}
	yml, err := calibratedScenario(r, rep, best)
	if err != nil {
		return err
	}
	if err := od.WriteFile(rep.Output, func(w io.Writer) error { _, err := w.Write(yml); return err }); err != nil {
		return err
	}
	if err := od.WriteJSON("calibration.json", rep); err != nil {
		return err
	}
	if err := od.WriteFile("calibration.md", func(w io.Writer) error { return calibrate.WriteNativeMarkdown(w, rep) }); err != nil {
		return err
	}
	if err := od.WriteFile("evaluations.csv", func(w io.Writer) error { return calibrate.WriteNativeEvaluations(w, r.Params, evals) }); err != nil {
		return err
	}
	man := map[string]any{"tool": "caravan", "version": versionString(), "command": os.Args, "scenario": path,
		"inputs": r.Files, "fit_s": fitSec, "wall_s": time.Since(wall).Seconds(), "workers": r.Workers,
		"outputs": []string{rep.Output, "calibration.json", "calibration.md", "evaluations.csv", "manifest.json"},
		"go":      runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0)}
	if err := od.WriteJSON("manifest.json", man); err != nil {
		return err
	}
	if err := od.Commit(); err != nil {
		return err
	}
	if nf.quiet {
		return nil
	}
	if nf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "%s: %s, %s (%s, %s), seeds %d-%d\n", r.Name, plural(len(r.Params), "parameter"), plural(rep.Evaluations, "evaluation"),
		rep.Method, rep.Status, nf.seedBase, nf.seedBase+uint64(nf.seeds)-1)
	fmt.Fprintf(stdout, "  fit in sample (%s): %s → %s\n", plural(rep.InSample.Observations, "observation"), fitNum(rep.InSample.Default.Mean), fitNum(rep.InSample.Calibrated.Mean))
	fmt.Fprintf(stdout, "  fit held out  (%s): %s → %s\n", plural(rep.OutOfSample.Observations, "observation"), fitNum(rep.OutOfSample.Default.Mean), fitNum(rep.OutOfSample.Calibrated.Mean))
	if c := rep.Check; c != nil {
		fmt.Fprintf(stdout, "  on %d fresh seeds (%d-%d): in sample %s → %s, held out %s → %s\n", len(c.Seeds), c.Seeds[0], c.Seeds[len(c.Seeds)-1],
			fitNum(c.InSample.Default.Mean), fitNum(c.InSample.Calibrated.Mean), fitNum(c.OutOfSample.Default.Mean), fitNum(c.OutOfSample.Calibrated.Mean))
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, p := range rep.Params {
		fmt.Fprintf(tw, "  %s\t%s\t→ %s\t(%s–%s)\n", p.ID, strconv.FormatFloat(p.Default, 'g', 4, 64), strconv.FormatFloat(p.Calibrated, 'g', 4, 64),
			strconv.FormatFloat(p.Low, 'g', 4, 64), strconv.FormatFloat(p.High, 'g', 4, 64))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "results in %s (run %s to use them)\n", od.Path(), filepath.Join(od.Path(), rep.Output))
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func fitNum(f float64) string {
	if math.IsNaN(f) {
		return "–"
	}
	return strconv.FormatFloat(f, 'f', 4, 64)
}

// listNative prints the parameters and the observations (--list).
func listNative(w io.Writer, r *calibrate.NativeRunner, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"scenario": r.Name, "params": r.Params, "not_fitted": r.Skipped, "observations": r.Observations})
	}
	fmt.Fprintf(w, "%s: %s to fit", r.Name, plural(len(r.Params), "parameter"))
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, ", %d not fitted", len(r.Skipped))
	}
	fmt.Fprintln(w)
	for _, p := range r.Params {
		def := strconv.FormatFloat(p.Default, 'g', -1, 64)
		if p.Value == nil {
			def += " (middle; no value written)"
		}
		fmt.Fprintf(w, "  %s  %s\n    %s in %s–%s (%s)", p.ID, p.Where(), def, strconv.FormatFloat(p.Low, 'g', -1, 64), strconv.FormatFloat(p.High, 'g', -1, 64), p.Scale)
		if p.Source != "" {
			fmt.Fprintf(w, ", source %s", p.Source)
		}
		if p.Reference != "" {
			fmt.Fprintf(w, ", %s", p.Reference)
		}
		fmt.Fprintln(w)
		if p.Note != "" {
			fmt.Fprintf(w, "    %s\n", p.Note)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "  not fitted: %s  %s\n    %s\n", s.ID, s.Where, s.Why)
	}
	fitted, held, none := 0, 0, 0
	for _, o := range r.Observations {
		switch {
		case o.NotEvaluable != "":
			none++
		case o.HeldOut:
			held++
		default:
			fitted++
		}
	}
	fmt.Fprintf(w, "%d observations: %d fitted, %d held out, %d not evaluable\n", len(r.Observations), fitted, held, none)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, o := range r.Observations {
		set := "fitted"
		switch {
		case o.NotEvaluable != "":
			set = "not evaluable"
		case o.HeldOut:
			set = "held out"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\n", o.ID, set, o.Measure, o.Subject, o.When, o.Observed)
	}
	return tw.Flush()
}

// calibratedScenario is the scenario in one file with the calibrated
// values, each quantity's note saying so: the way to use the result
// (caravan run, compare, ensemble) without a new flag or format.
func calibratedScenario(r *calibrate.NativeRunner, rep *calibrate.NativeReport, best []float64) ([]byte, error) {
	l, err := r.Loaded(best)
	if err != nil {
		return nil, err
	}
	doc := l.Doc
	doc.Name = r.Name + "-calibrated"
	for _, p := range rep.Params {
		q := doc.ParamQuantity(p.ID)
		if q == nil {
			continue
		}
		was := "no value"
		if p.Value != nil {
			was = strconv.FormatFloat(*p.Value, 'g', -1, 64)
		}
		q.Note = strings.TrimSpace(q.Note + " CALIBRATED by caravan calibrate (was " + was + ").")
	}
	header := fmt.Sprintf("%s with %d of its interval quantities calibrated by caravan %s\n(%s, %d evaluations, seeds %v; fit in sample %s → %s, held out %s → %s).\nWritten from %s and the files it includes; see calibration.md beside this file.\nRun it with: caravan run <this file>",
		r.Name, len(rep.Params), versionString(), rep.Method, rep.Evaluations, rep.Seeds,
		fitNum(rep.InSample.Default.Mean), fitNum(rep.InSample.Calibrated.Mean), fitNum(rep.OutOfSample.Default.Mean), fitNum(rep.OutOfSample.Calibrated.Mean), r.Path)
	return spec.Marshal(doc, header), nil
}

// nativeProgress shows the evaluations: a bar with the best fit on a
// terminal, JSON lines otherwise, nothing when quiet.
type nativeProgress struct {
	mu    sync.Mutex // best and held are read by the bar's goroutine
	w     io.Writer
	json  bool
	p     *mpb.Progress
	bar   *mpb.Bar
	best  float64
	held  float64
	total int
}

func newNativeProgress(ctx context.Context, w io.Writer, nf nativeFlags) *nativeProgress {
	pr := &nativeProgress{w: w, total: nf.maxEvals, best: math.NaN(), held: math.NaN()}
	if nf.quiet {
		pr.w = nil
		return pr
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !nf.json {
		pr.p = mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithRefreshRate(200*time.Millisecond))
		pr.bar = pr.p.AddBar(int64(nf.maxEvals),
			mpb.PrependDecorators(decor.Name("calibrate "), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				pr.mu.Lock()
				defer pr.mu.Unlock()
				return fmt.Sprintf("best fit %s  (held out %s)", fitNum(pr.best), fitNum(pr.held))
			}), decor.Name("  eta "), decor.AverageETA(decor.ET_STYLE_GO)))
		return pr
	}
	pr.json = true
	return pr
}

func (pr *nativeProgress) eval(e calibrate.NativeEvaluation) {
	if pr.w == nil {
		return
	}
	if pr.json {
		b, _ := json.Marshal(e)
		pr.w.Write(append(append([]byte(`{"type":"evaluation",`), b[1:]...), '\n'))
		return
	}
	pr.mu.Lock()
	if e.Fit <= e.Best {
		pr.held = e.HeldOut
	}
	pr.best = e.Best
	pr.mu.Unlock()
	pr.bar.SetCurrent(int64(e.N))
}

func (pr *nativeProgress) close(ok bool) {
	if pr.p == nil {
		return
	}
	if ok {
		pr.bar.SetTotal(-1, true) // a fit that converges stops short of --max-evals
	} else {
		pr.bar.Abort(false)
	}
	pr.p.Wait()
}
