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

	"github.com/caravan-sim/caravan/internal/calibrate"
	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/results"
)

func init() { register(newSensitivityCmd) }

// SensitivityResult is sensitivity.json.
type SensitivityResult struct {
	Case       string                              `json:"case"`
	Method     string                              `json:"method"`
	Members    int                                 `json:"members"`
	Points     int                                 `json:"points"`
	Replicates int                                 `json:"replicates"`
	Params     []ensemble.Param                    `json:"params"`
	Sobol      map[string][]calibrate.SobolIndex   `json:"sobol,omitempty"`
	Morris     map[string][]calibrate.MorrisEffect `json:"morris,omitempty"`
}

func newSensitivityCmd() *cobra.Command {
	var cf caseFlags
	var paramsFile, method, outDir string
	var runs, replicates, levels, workers, boot int
	var seedBase, designSeed uint64
	var force, quiet, jsonOut bool
	cmd := &cobra.Command{
		Use:   "sensitivity <case folder> --params params.yml",
		Short: "Apportion the error to the declared parameters: Sobol indices or Morris elementary effects",
		Long: `Sensitivity runs an ensemble over the declared parameters and measures how much
each one drives the outputs (ARD, rescaled ARD, people in camps on the last
day):

  --method sobol   first-order (Saltelli 2010) and total (Jansen 1999) Sobol
                   indices from a Saltelli design on the Sobol sequence:
                   --runs base rows, runs × (parameters + 2) design points
  --method morris  Morris elementary effects (μ, μ*, σ) from --runs
                   trajectories of parameters + 1 points on a --levels grid

Every design point is run --replicates times with common seeds (seed-base,
seed-base+1, …) and averaged. The output folder (default
out/<case>-sensitivity) is an ensemble folder (resumable, see 'caravan
ensemble') plus:
  sensitivity.csv    one row per output and parameter, with 95% bootstrap intervals
  sensitivity.json   the same, with the design
  sensitivity-<output>.png/.svg  plots`,
		Args: exactArgs(1, "one case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			wall := time.Now()
			if paramsFile == "" {
				return usageError{errors.New("sensitivity: --params is required (a YAML list of {key, min, max})")}
			}
			kind := map[string]string{"sobol": ensemble.DesignSaltelli, "morris": ensemble.DesignMorris}[method]
			if kind == "" {
				return usageError{fmt.Errorf("sensitivity: unknown --method %q (want sobol or morris)", method)}
			}
			df := designFlags{runs: runs, seedBase: seedBase, params: paramsFile, design: kind, replicates: replicates,
				crn: true, designSeed: designSeed, levels: levels}
			spec, err := df.spec(args[0], cf)
			if err != nil {
				return err
			}
			if kind == ensemble.DesignSaltelli && runs < 2 {
				return usageError{errors.New("sensitivity: sobol needs --runs of at least 2 base rows")}
			}
			spec.Purpose = "sensitivity"
			p, c, err := ensemble.NewPlan(spec)
			if c != nil {
				printWarnings(cmd.ErrOrStderr(), c.Warnings)
			}
			if err != nil {
				return wrapPlanErr(err)
			}
			if outDir == "" {
				outDir = filepath.Join("out", p.Name+"-sensitivity")
			}
			unlock, err := ensemble.Lock(outDir)
			if err != nil {
				return err
			}
			defer unlock()
			if _, err := ensemble.Open(outDir, p, force); err != nil {
				if errors.Is(err, ensemble.ErrOtherPlan) {
					return usageError{err}
				}
				return err
			}
			stderr := cmd.ErrOrStderr()
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
			res, err := analyse(p, merged, method, boot)
			if err != nil {
				return err
			}
			if err := writeSensitivity(outDir, res); err != nil {
				return err
			}
			man := ensemble.NewManifest(p, "caravan", versionString(), os.Args)
			man.Run = &stats
			man.MemberTimes = ensemble.Summarize(stats.Timings)
			man.MergeSeconds = time.Since(t0).Seconds()
			man.WallSeconds = time.Since(wall).Seconds()
			man.Outputs = append(man.Outputs, "sensitivity.csv", "sensitivity.json")
			if err := ensemble.WriteManifest(outDir, man); err != nil {
				return err
			}
			if quiet {
				return nil
			}
			out := cmd.OutOrStdout()
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printSensitivity(out, res, outDir)
			return nil
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&paramsFile, "params", "", "YAML file of parameters: a list of {key, min, max[, scale: log][, integer: true]}")
	fl.StringVar(&method, "method", "sobol", "sobol (Saltelli/Jansen indices) or morris (elementary effects)")
	fl.IntVarP(&runs, "runs", "n", 0, "sobol: base rows (default 32); morris: trajectories (default 10)")
	fl.IntVar(&replicates, "replicates", 1, "seeds per design point (common to all points), averaged")
	fl.Uint64Var(&seedBase, "seed-base", 1, "first seed")
	fl.IntVar(&levels, "levels", 4, "morris grid levels (even)")
	fl.Uint64Var(&designSeed, "design-seed", 1, "seed of the morris trajectories and of the bootstrap")
	fl.IntVar(&boot, "bootstrap", 200, "bootstrap resamples for the 95% intervals")
	fl.IntVarP(&workers, "workers", "j", runtime.GOMAXPROCS(0), "members run at once")
	fl.StringVarP(&outDir, "out", "o", "", "output folder (default out/<case>-sensitivity); reused to resume")
	fl.BoolVar(&force, "force", false, "replace a folder holding a different ensemble")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	fl.BoolVar(&jsonOut, "json", false, "progress as JSON lines on stderr and the result as JSON on stdout")
	cmd.PreRun = func(cmd *cobra.Command, _ []string) {
		if runs == 0 {
			runs = map[string]int{"sobol": 32, "morris": 10}[method]
			if runs == 0 {
				runs = 1
			}
		}
	}
	return cmd
}

func analyse(p *ensemble.Plan, m *ensemble.Merged, method string, boot int) (*SensitivityResult, error) {
	names := make([]string, len(p.Params))
	for i, prm := range p.Params {
		names[i] = prm.Name
	}
	res := &SensitivityResult{Case: p.Name, Method: method, Members: len(p.Members), Points: p.Design.Size(len(p.Params)),
		Replicates: p.Design.Replicates, Params: p.Params}
	unit := make([][]float64, res.Points)
	for _, mem := range p.Members {
		unit[mem.Point] = mem.Unit
	}
	for _, o := range calibrate.Outputs {
		y := calibrate.PointMeans(p, m.Members, o.Of)
		switch method {
		case "sobol":
			idx, err := calibrate.SobolIndices(y, len(names), names, boot, p.Design.DesignSeed)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.Name, err)
			}
			if res.Sobol == nil {
				res.Sobol = map[string][]calibrate.SobolIndex{}
			}
			res.Sobol[o.Name] = idx
		case "morris":
			eff, err := calibrate.MorrisEffects(unit, y, names, boot, p.Design.DesignSeed)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.Name, err)
			}
			if res.Morris == nil {
				res.Morris = map[string][]calibrate.MorrisEffect{}
			}
			res.Morris[o.Name] = eff
		}
	}
	return res, nil
}

func writeSensitivity(dir string, r *SensitivityResult) error {
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	var b strings.Builder
	if r.Sobol != nil {
		b.WriteString("output,param,key,s1,s1_conf95,st,st_conf95\n")
	} else {
		b.WriteString("output,param,key,mu,mu_star,mu_star_conf95,sigma,n\n")
	}
	for _, o := range calibrate.Outputs {
		for i, prm := range r.Params {
			if r.Sobol != nil {
				s := r.Sobol[o.Name][i]
				fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s\n", o.Name, prm.Name, prm.Key, ff(s.S1), ff(s.S1Conf), ff(s.ST), ff(s.STConf))
			} else {
				e := r.Morris[o.Name][i]
				fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%d\n", o.Name, prm.Name, prm.Key, ff(e.Mu), ff(e.MuStar), ff(e.MuStarConf), ff(e.Sigma), e.N)
			}
		}
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "sensitivity.csv"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	}); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "sensitivity.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}); err != nil {
		return err
	}
	for _, o := range calibrate.Outputs {
		for _, format := range []string{"png", "svg"} {
			title := fmt.Sprintf("%s: sensitivity of %s (%s)", r.Case, o.Name, r.Method)
			err := results.WriteFileAtomic(filepath.Join(dir, "sensitivity-"+o.Name+"."+format), func(w io.Writer) error {
				if r.Sobol != nil {
					return calibrate.PlotSobol(w, format, title, r.Sobol[o.Name])
				}
				return calibrate.PlotMorris(w, format, title, r.Morris[o.Name])
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func printSensitivity(w io.Writer, r *SensitivityResult, dir string) {
	fmt.Fprintf(w, "%s: %s sensitivity from %d members (%d points × %d replicates)\n", r.Case, r.Method, r.Members, r.Points, r.Replicates)
	for _, o := range calibrate.Outputs {
		fmt.Fprintf(w, "  %s\n", o.Name)
		for i, prm := range r.Params {
			if r.Sobol != nil {
				s := r.Sobol[o.Name][i]
				fmt.Fprintf(w, "    %-24s S1 %6.3f ± %.3f   ST %6.3f ± %.3f\n", prm.Name, s.S1, s.S1Conf, s.ST, s.STConf)
			} else {
				e := r.Morris[o.Name][i]
				fmt.Fprintf(w, "    %-24s μ* %10.4g ± %-10.3g σ %10.4g   μ %10.4g\n", prm.Name, e.MuStar, e.MuStarConf, e.Sigma, e.Mu)
			}
		}
	}
	fmt.Fprintf(w, "results in %s\n", dir)
}
