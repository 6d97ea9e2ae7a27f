package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

func parseMode(s string) (sim.Mode, error) { return sim.ParseMode(s) }

// Summary is written as summary.json and printed after a run.
type Summary struct {
	Scenario       string      `json:"scenario"`
	Mode           string      `json:"mode"`
	Seed           uint64      `json:"seed"`
	Days           int         `json:"days"`
	Agents         int         `json:"agents"`
	AgentSteps     int64       `json:"agent_steps"`
	SimSeconds     float64     `json:"sim_seconds"`
	StepsPerSecond float64     `json:"agent_steps_per_second"`
	ARD            float64     `json:"ard"`
	ARDRescaled    float64     `json:"ard_rescaled"`
	Camps          []CampFinal `json:"camps"`
	// Evidence is the fit to the observations (native scenarios only).
	Evidence *EvidenceSummary `json:"evidence,omitempty"`
}

// CampFinal is a camp's population on the last day.
type CampFinal struct {
	Name      string `json:"name"`
	Simulated int    `json:"simulated"`
	Observed  int    `json:"observed"`
}

func newRunCmd() *cobra.Command {
	var cf caseFlags
	var seed uint64
	var outDir string
	var force, quiet bool
	var maxMemory string
	cmd := &cobra.Command{
		Use:   "run <scenario.yaml | case folder>",
		Short: "Simulate a scenario and compare it with its observations",
		Long: `Run validates a case, simulates it, and writes an output folder with:
  out.csv          Flee's per-day table: per camp simulated, observed and error; totals
  populations.csv  every place's population at the end of each day
  summary.json     the averaged relative difference (ARD) and final camp populations
  network.geojson  places and routes with final populations and flows, for maps
  events.csv       the dated conflicts, closures and camp changes
  evidence.csv     (native scenarios) each observation with its citation, the
                   simulated value, the error and the verdict (docs/evidence.md)
  manifest.json    inputs with their SHA-256, settings, seed, version, timings
The folder appears only when the run succeeded.`,
		Args: exactArgs(1, "one scenario file or case folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt, err := cf.options()
			if err != nil {
				return err
			}
			wall := time.Now()
			c, ev, err := loadWithEvidence(args[0], opt)
			printWarnings(cmd.ErrOrStderr(), c.Warnings)
			if err != nil {
				return err
			}
			if err := checkMemory(sim.EstimateMemory(c.Scenario, c.Config.Sim, len(c.Scenario.Places)), maxMemory); err != nil {
				return err
			}
			explicit := outDir != ""
			if !explicit {
				outDir = filepath.Join("out", c.Scenario.Name)
			}
			od, err := results.Create(outDir, force || !explicit)
			if err != nil {
				return usageError{err}
			}
			defer od.Abort()

			rs := runSpec{opt: opt, seed: seed, set: cf.set, wall: wall}
			stderr := cmd.ErrOrStderr()
			if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !quiet {
				rs.wrap = func(o sim.Observer) sim.Observer { return progress(o, stderr, c.Scenario.Days) }
			}
			sum, err := executeRun(cmd.Context(), c, ev, rs, od)
			if err != nil {
				return err
			}
			if err := od.Commit(); err != nil {
				return err
			}
			if !quiet {
				printSummary(cmd.OutOrStdout(), c, sum, od.Path())
			}
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed; the same seed gives byte-identical results")
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "output folder (default: out/<case name>, replaced on each run)")
	cmd.Flags().BoolVar(&force, "force", false, "replace --out if it already exists")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	cmd.Flags().StringVar(&maxMemory, "max-memory", "", "refuse runs estimated to need more memory than this (e.g. 8GiB; 0 = no check; default: the memory available)")
	return cmd
}

func manifest(c *flee.Case, opt flee.Options, seed uint64, eng *sim.Engine, simSec float64, set []string) results.Manifest {
	m := results.Manifest{
		Tool: "caravan", Version: versionString(), Command: os.Args,
		Scenario: c.Dir, Format: c.Format, Mode: opt.Mode.String(), Seed: seed,
		StartDate: c.Scenario.Start.Format("2006-01-02"), Days: c.Scenario.Days,
		Settings:  map[string]any{"sim": c.Config.Sim, "spawn": c.Config.Spawn},
		Overrides: set, Agents: eng.Agents(), AgentSteps: eng.AgentSteps(), SimSeconds: simSec,
		Extra: map[string]string{"go": runtime.Version(), "gomaxprocs": strconv.Itoa(runtime.GOMAXPROCS(0))},
	}
	for _, in := range c.Inputs {
		m.Inputs = append(m.Inputs, results.Input{Path: in.Path, SHA256: in.SHA256, Bytes: in.Bytes})
	}
	for _, w := range c.Warnings {
		m.Warnings = append(m.Warnings, w.Error())
	}
	for _, w := range eng.Warnings() {
		m.Warnings = append(m.Warnings, w)
	}
	return m
}

func writePopulations(w io.Writer, c *flee.Case, d *results.Daily) error {
	var buf []byte
	buf = append(buf, "day,date"...)
	for _, p := range c.Scenario.Places {
		buf = append(buf, ',')
		buf = results.AppendField(buf, p.Name)
	}
	buf = append(buf, ",on_routes,agents\n"...)
	for t := 0; t < d.Days(); t++ {
		buf = strconv.AppendInt(buf, int64(t), 10)
		buf = append(buf, ',')
		buf = c.Scenario.Date(t).AppendFormat(buf, "2006-01-02")
		for i := range c.Scenario.Places {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(d.Count(t, i)), 10)
		}
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(d.OnLinks[t]), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(d.Agents[t]), 10)
		buf = append(buf, '\n')
		if len(buf) > 1<<16 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

func printSummary(w io.Writer, c *flee.Case, s Summary, out string) {
	fmt.Fprintf(w, "%s (%s mode, seed %d): %d days from %s\n", s.Scenario, s.Mode, s.Seed, s.Days, c.Scenario.Start.Format("2006-01-02"))
	fmt.Fprintf(w, "  agents %d, agent-steps %.3g, simulated in %.2f s (%.3g agent-steps/s)\n", s.Agents, float64(s.AgentSteps), s.SimSeconds, s.StepsPerSecond)
	if len(s.Camps) > 0 { // camp series: Flee's headline error
		fmt.Fprintf(w, "  averaged relative difference (ARD) %.4f, rescaled %.4f\n", s.ARD, s.ARDRescaled)
		fmt.Fprintf(w, "  %-22s %10s %10s\n", "camp (last day)", "simulated", "observed")
		for _, cf := range s.Camps {
			fmt.Fprintf(w, "  %-22s %10d %10d\n", cf.Name, cf.Simulated, cf.Observed)
		}
	}
	if s.Evidence != nil {
		fmt.Fprintf(w, "  evidence: %s\n", s.Evidence.Line)
	}
	fmt.Fprintf(w, "results in %s\n", out)
}

// progress wraps an observer with a one-line progress display on a terminal.
func progress(inner sim.Observer, w io.Writer, days int) sim.Observer {
	last := time.Now()
	return sim.ObserverFunc(func(day int, e *sim.Engine) error {
		if err := inner.Day(day, e); err != nil {
			return err
		}
		if time.Since(last) > 200*time.Millisecond || day == days-1 {
			last = time.Now()
			fmt.Fprintf(w, "\rday %d/%d  agents %d   ", day+1, days, e.Agents())
			if day == days-1 {
				fmt.Fprint(w, "\r\033[K")
			}
		}
		return nil
	})
}
