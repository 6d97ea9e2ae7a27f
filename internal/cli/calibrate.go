package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/caravan-sim/caravan/internal/calibrate"
	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/results"
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
	cmd := &cobra.Command{
		Use:   "calibrate <case folder> --params params.yml",
		Short: "Fit declared parameters to the case's observations (Nelder–Mead or CMA-ES)",
		Long: `Calibrate searches the declared parameter ranges for the values that minimise
the averaged relative difference (ARD) to the observed camp counts, averaged
over --seeds runs with fixed seeds (common random numbers), with gonum's
Nelder–Mead (default) or CMA-ES. With --fit-days N it fits on the first N
days only and reports the error on the remaining days against the defaults':
an out-of-sample check.

The output folder (default out/<case>-calibration) holds:
  simsetting.yml    the case's settings with the calibrated values (use with --settings)
  calibration.json  parameters, defaults, calibrated values, ARD per window and seed
  calibration.md    the same as a readable report
  evaluations.csv   every evaluation: parameter values, ARD, best so far
  manifest.json     command, version, timings`,
		Args: exactArgs(1, "one case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			wall := time.Now()
			opt, err := cf.options()
			if err != nil {
				return err
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
	fl.StringVar(&paramsFile, "params", "", "YAML file of parameters to fit: a list of {key, min, max[, scale: log][, integer: true]}")
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
