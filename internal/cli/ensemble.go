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
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/ensemble"
)

func init() { register(newEnsembleCmd) }

// designFlags declare an ensemble's members: shared by ensemble and plan.
type designFlags struct {
	runs       int
	seedBase   uint64
	params     string
	design     string
	replicates int
	crn        bool
	designSeed uint64
	levels     int
}

func (f *designFlags) register(cmd *cobra.Command, defaultRuns int) {
	fl := cmd.Flags()
	fl.IntVarP(&f.runs, "runs", "n", defaultRuns, "members (without --params) or design points (with --params)")
	fl.Uint64Var(&f.seedBase, "seed-base", 1, "member i gets seed seed-base+i (with --crn: seed-base+replicate)")
	fl.StringVar(&f.params, "params", "", "YAML file of parameters to vary: a list of {key, min, max[, scale: log][, integer: true]}")
	fl.StringVar(&f.design, "design", "", "parameter design: "+strings.Join(ensemble.DesignKinds[1:], ", ")+" (default lhs with --params)")
	fl.IntVar(&f.replicates, "replicates", 1, "runs of each design point with different seeds")
	fl.BoolVar(&f.crn, "crn", false, "common random numbers: every design point uses seeds seed-base, seed-base+1, …")
	fl.Uint64Var(&f.designSeed, "design-seed", 1, "seed of the random parts of lhs, halton and morris designs")
	fl.IntVar(&f.levels, "levels", 4, "grid levels of a morris design (even)")
}

func (f *designFlags) spec(caseDir string, opt caseFlags) (ensemble.Spec, error) {
	o, err := opt.options()
	if err != nil {
		return ensemble.Spec{}, err
	}
	if f.runs < 1 {
		return ensemble.Spec{}, usageError{fmt.Errorf("--runs %d: want at least 1", f.runs)}
	}
	var params []ensemble.Param
	if f.params != "" {
		if params, err = ensemble.LoadParams(f.params); err != nil {
			return ensemble.Spec{}, err
		}
	}
	d := ensemble.Design{Kind: f.design, Points: f.runs, Replicates: f.replicates, SeedBase: f.seedBase,
		CRN: f.crn, DesignSeed: f.designSeed}
	if d.Kind == ensemble.DesignMorris {
		d.Levels = f.levels
	}
	if d.Kind == "" {
		d.Kind = ensemble.DesignSeeds
		if len(params) > 0 {
			d.Kind = ensemble.DesignLHS
		}
	}
	if d.Kind != ensemble.DesignSeeds {
		d.DesignSeed = f.designSeed
	} else {
		d.DesignSeed = 0
	}
	if err := d.Check(len(params)); err != nil {
		return ensemble.Spec{}, usageError{err}
	}
	return ensemble.Spec{Case: caseDir, Options: o, Params: params, Design: d}, nil
}

func newEnsembleCmd() *cobra.Command {
	var cf caseFlags
	var df designFlags
	var outDir string
	var workers int
	var force, quiet, jsonOut bool
	cmd := &cobra.Command{
		Use:   "ensemble <case folder>",
		Short: "Run many members of a case (seeds, parameter designs) in parallel and summarise them",
		Long: `Ensemble runs a case many times, on all cores, and summarises the members.

Without --params the members differ only in seed (seed-base, seed-base+1, …).
With --params FILE they also vary the declared simsetting.yml keys over a
design (lhs, halton, sobol, saltelli, morris), each point run --replicates
times.

The output folder (default out/<case>-ensemble) holds:
  plan.json         the ensemble, fixed: case, input hashes, every member's seed and overrides
  members/NNNNNN.parquet  one file per member: member, day, date, place, population (camps)
  summary.csv/.parquet    per camp and day: observed, mean, 5/50/95% quantiles, min, max
  members.csv/.parquet    per member: seed, parameter values, ARD, rescaled ARD, agents
  ensemble.json     ARD statistics and final camp populations
  manifest.json     command, versions and timings (the only file with timings)

The results are byte-identical for any --workers. The run can be stopped at
any moment (even killed); running the same command again resumes it.`,
		Args: exactArgs(1, "one case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := df.spec(args[0], cf)
			if err != nil {
				return err
			}
			wall := time.Now()
			p, c, err := ensemble.NewPlan(spec)
			if c != nil {
				printWarnings(cmd.ErrOrStderr(), c.Warnings)
			}
			if err != nil {
				return wrapPlanErr(err)
			}
			if outDir == "" {
				outDir = filepath.Join("out", p.Name+"-ensemble")
			}
			unlock, err := ensemble.Lock(outDir)
			if err != nil {
				return err
			}
			defer unlock()
			resumed, err := ensemble.Open(outDir, p, force)
			if err != nil {
				if errors.Is(err, ensemble.ErrOtherPlan) {
					return usageError{err}
				}
				return err
			}
			stderr := cmd.ErrOrStderr()
			if resumed && !quiet {
				fmt.Fprintf(stderr, "resuming %s: %d of %d members done\n", outDir,
					len(p.Members)-len(ensemble.Missing(p, outDir)), len(p.Members))
			}
			prog := newProgress(cmd.Context(), stderr, quiet, jsonOut, "members")
			stats, err := ensemble.Run(cmd.Context(), p, outDir, nil, ensemble.RunOptions{Workers: workers, Progress: prog.event})
			prog.close(err == nil)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					// Not "nothing was written": finished members are kept.
					return fmt.Errorf("interrupted: %d of %d members are done and kept in %s; run the same command again to resume",
						len(p.Members)-len(ensemble.Missing(p, outDir)), len(p.Members), outDir)
				}
				return err
			}
			t0 := time.Now()
			merged, err := ensemble.Merge(p, outDir, "")
			if err != nil {
				return err
			}
			man := ensemble.NewManifest(p, "caravan", versionString(), os.Args)
			man.Run = &stats
			man.MemberTimes = ensemble.Summarize(stats.Timings)
			man.MergeSeconds = time.Since(t0).Seconds()
			man.WallSeconds = time.Since(wall).Seconds()
			if err := ensemble.WriteManifest(outDir, man); err != nil {
				return err
			}
			if !quiet {
				printEnsemble(cmd.OutOrStdout(), p, merged, outDir, jsonOut)
			}
			return nil
		},
	}
	cf.register(cmd)
	df.register(cmd, 10)
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "ensemble folder (default out/<case>-ensemble); reused to resume the same ensemble")
	cmd.Flags().IntVarP(&workers, "workers", "j", runtime.GOMAXPROCS(0), "members run at once")
	cmd.Flags().BoolVar(&force, "force", false, "replace an ensemble folder that holds a different ensemble, or start over")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "progress as JSON lines on stderr and the summary as JSON on stdout")
	return cmd
}

// wrapPlanErr passes load problems through (they print with positions) and
// marks design problems as usage errors.
func wrapPlanErr(err error) error {
	var de *diag.Error
	if errors.As(err, &de) {
		return err
	}
	return usageError{err}
}

func printEnsemble(w io.Writer, p *ensemble.Plan, m *ensemble.Merged, dir string, asJSON bool) {
	r := m.Result
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(r)
		return
	}
	fmt.Fprintf(w, "%s: %d members (%s design", r.Name, r.Members, r.Design.Kind)
	if len(p.Params) > 0 {
		names := make([]string, len(p.Params))
		for i, prm := range p.Params {
			names[i] = prm.Name
		}
		fmt.Fprintf(w, " over %s", strings.Join(names, ", "))
	}
	fmt.Fprintf(w, ", %s mode)\n", p.Options.Mode)
	fmt.Fprintf(w, "  ARD mean %.4f (5%%–95%%: %.4f–%.4f); ARD of the ensemble mean %.4f\n", r.ARD.Mean, r.ARD.P05, r.ARD.P95, r.ARDOfMean)
	if len(r.Camps) == 0 {
		fmt.Fprintf(w, "  (no observed camp series: ARD is not defined and the summary has no rows)\n")
		fmt.Fprintf(w, "results in %s\n", dir)
		return
	}
	fmt.Fprintf(w, "  %-22s %10s %10s %21s\n", "camp (last day)", "observed", "mean", "5%–95%")
	for _, c := range r.Camps {
		fmt.Fprintf(w, "  %-22s %10d %10.0f %10.0f–%-10.0f\n", c.Name, c.Observed, c.Mean, c.P05, c.P95)
	}
	fmt.Fprintf(w, "results in %s\n", dir)
}

// ensProgress renders ensemble events: a bar on a terminal, JSON lines
// otherwise, nothing when quiet.
type ensProgress struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	p    *mpb.Progress
	bar  *mpb.Bar
	what string
}

func newProgress(ctx context.Context, w io.Writer, quiet, asJSON bool, what string) *ensProgress {
	if quiet {
		return &ensProgress{}
	}
	pr := &ensProgress{w: w, what: what}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !asJSON {
		pr.p = mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(200*time.Millisecond))
		return pr
	}
	pr.json = true
	return pr
}

func (pr *ensProgress) event(e ensemble.Event) {
	if pr.w == nil {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.json {
		b, _ := json.Marshal(e)
		pr.w.Write(append(b, '\n'))
		return
	}
	if pr.bar == nil {
		pr.bar = pr.p.AddBar(int64(e.Total),
			mpb.PrependDecorators(decor.Name(pr.what+" "), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
			mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Name("  eta "), decor.AverageETA(decor.ET_STYLE_GO)),
		)
		if e.Present > 0 {
			pr.bar.SetCurrent(int64(e.Done))
			pr.bar.DecoratorAverageAdjust(time.Now())
		}
	}
	pr.bar.SetCurrent(int64(e.Done))
}

func (pr *ensProgress) close(ok bool) {
	if pr.p == nil {
		return
	}
	if pr.bar != nil && !ok {
		pr.bar.Abort(false)
	}
	pr.p.Wait()
}
