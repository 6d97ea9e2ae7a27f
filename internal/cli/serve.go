package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/server"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/web"
)

func init() { register(newServeCmd) }

func newServeCmd() *cobra.Command {
	var addr, dir, webDir string
	var dev, allowRemote, quiet bool
	cmd := &cobra.Command{
		Use:   "serve [case or run folder ...]",
		Short: "Open a local web workbench: maps, timelines and charts of scenarios and runs; start runs and compare them",
		Long: `Serve starts the workbench, a web page served on this machine (by default on
127.0.0.1 at a free port, printed at start), to look at scenarios and runs,
start runs and ensembles and watch their progress, and compare two runs.

It offers the case folders given as arguments, those found under --dir and
under ./examples, and the run folders given as arguments or made by the
workbench (in <dir>/runs). Nothing else on the machine is readable through it.
The page is embedded in the binary and works offline. docs/workbench.md
describes it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usageError{fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:0", addr)}
			}
			loop := server.IsLoopback(addr)
			if !loop && !allowRemote {
				return usageError{fmt.Errorf("--addr %s is not a loopback address: anyone who can reach it could read your cases and start runs; add --allow-remote if you mean it", addr)}
			}
			var cases, runs []string
			for _, a := range args {
				switch {
				case server.IsCase(a):
					cases = append(cases, a)
				case server.IsRun(a), server.IsEnsemble(a):
					runs = append(runs, a)
				default:
					return usageError{fmt.Errorf("%s: not a case folder (input/locations.csv), a run folder (manifest.json, summary.json, out.csv) or a finished ensemble folder", a)}
				}
			}
			var assets fs.FS
			if dev {
				root, err := os.OpenRoot(filepath.Join(webDir, "dist"))
				if err != nil {
					return usageError{fmt.Errorf("--dev: %v (build it with 'npm run build' in %s)", err, webDir)}
				}
				defer root.Close()
				assets = root.FS()
			} else {
				assets = web.Dist()
			}
			stderr := cmd.ErrOrStderr()
			logger := log.New(stderr, "serve: ", log.LstdFlags)
			opt := server.Options{
				Workspace: dir, Cases: cases, Runs: runs, ScanDirs: []string{"examples"},
				Assets: assets, AssetsChange: dev, Run: runForWorkbench, Version: versionString(), AnyHost: !loop,
			}
			if !quiet {
				opt.Logf = logger.Printf
			}
			srv, err := server.New(opt)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				srv.Close()
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			if !loop {
				fmt.Fprintf(stderr, "warning: listening on %s, beyond this machine: anyone who can reach it can read the registered cases and runs and start runs\n", ln.Addr())
			}
			url := "http://" + ln.Addr().String() + "/"
			if loop && (host == "" || host == "localhost") {
				url = "http://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "caravan workbench: %s\n", url)
			if dev {
				fmt.Fprintf(stderr, "serving the page from %s (dev mode)\n", filepath.Join(webDir, "dist"))
			}
			fmt.Fprintf(stderr, "workspace %s; press Ctrl-C to stop\n", dir)
			err = srv.Serve(cmd.Context(), ln)
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			return err
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "address to listen on (port 0: any free port); non-loopback addresses need --allow-remote")
	cmd.Flags().StringVar(&dir, "dir", filepath.Join("out", "workbench"), "workspace: runs are written to <dir>/runs; case folders under it are offered")
	cmd.Flags().BoolVar(&dev, "dev", false, "serve the page from <web-dir>/dist on disk instead of the embedded copy (front-end work)")
	cmd.Flags().StringVar(&webDir, "web-dir", "web", "front-end folder for --dev")
	cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow --addr to be a non-loopback address")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "log nothing but the address")
	return cmd
}

// runForWorkbench makes one run as `caravan run` does (same files, same
// manifest) and reports progress per day.
//
// It repeats run.go's sequence; a shared function in run.go would remove
// the repetition and keep the two from drifting apart.
func runForWorkbench(ctx context.Context, req server.RunRequest, out string, progress func(done, total int)) error {
	mode, err := parseMode(req.Compat)
	if err != nil {
		return err
	}
	opt := flee.Options{Mode: mode, Days: req.Days, Set: req.Set}
	wall := time.Now()
	c, ev, err := loadWithEvidence(req.Case, opt)
	if err != nil {
		return err
	}
	if err := checkMemory(sim.EstimateMemory(c.Scenario, c.Config.Sim, len(c.Scenario.Places)), ""); err != nil {
		return err
	}
	od, err := results.Create(out, false)
	if err != nil {
		return err
	}
	defer od.Abort()
	eng, err := sim.New(c.Scenario, c.Config.Sim, req.Seed)
	if err != nil {
		return err
	}
	days := c.Scenario.Days
	rec := results.NewDaily(len(c.Scenario.Places), days)
	flows := newFlowRecorder(len(c.Scenario.Routes), days)
	inner := observers{rec}
	var probes *results.Probes
	if ev != nil {
		probes = results.NewProbes(ev.Probes, days)
		probes.Attach(eng)
		inner = append(inner, probes)
	}
	obs := sim.ObserverFunc(func(day int, e *sim.Engine) error {
		if err := inner.Day(day, e); err != nil {
			return err
		}
		flows.day(e)
		progress(day+1, days)
		return nil
	})
	progress(0, days)
	t0 := time.Now()
	if err := eng.Run(ctx, obs); err != nil {
		return err
	}
	simSec := time.Since(t0).Seconds()
	ard := evaluate.ComputeARD(c.Simulated(rec), c.Observed)
	sum := Summary{
		Scenario: c.Scenario.Name, Mode: opt.Mode.String(), Seed: req.Seed, Days: days,
		Agents: eng.Agents(), AgentSteps: eng.AgentSteps(), SimSeconds: simSec,
		StepsPerSecond: float64(eng.AgentSteps()) / simSec,
		ARD:            ard.Value, ARDRescaled: ard.Rescaled,
	}
	last := days - 1
	for k, name := range c.CampNames() {
		sum.Camps = append(sum.Camps, CampFinal{Name: name, Simulated: rec.Count(last, c.Camps[k]), Observed: c.Observed[k][last]})
	}
	if err := od.WriteFile("out.csv", func(w io.Writer) error { return flee.WriteOutCSV(w, c, rec) }); err != nil {
		return err
	}
	outputs := []string{"out.csv", "populations.csv", "summary.json", "network.geojson", "events.csv"}
	if ev != nil {
		fit := ev.Evaluate(probes)
		sum.Evidence = newEvidenceSummary(ev, fit)
		if err := od.WriteFile("evidence.csv", func(w io.Writer) error { return ev.WriteCSV(w, fit) }); err != nil {
			return err
		}
		outputs = append(outputs, "evidence.csv")
	}
	if err := od.WriteFile("populations.csv", func(w io.Writer) error { return writePopulations(w, c, rec) }); err != nil {
		return err
	}
	if err := od.WriteJSON("summary.json", sum); err != nil {
		return err
	}
	final := make([]int, len(c.Scenario.Places))
	for i := range final {
		final[i] = rec.Count(last, i)
	}
	fwd, back := eng.RouteFlows()
	if err := od.WriteFile("network.geojson", func(w io.Writer) error {
		return results.WriteNetworkGeoJSON(w, c.Scenario, final, fwd, back)
	}); err != nil {
		return err
	}
	if err := od.WriteFile("events.csv", func(w io.Writer) error { return results.WriteEventsCSV(w, c.Scenario) }); err != nil {
		return err
	}
	if err := od.WriteFile(server.RouteFlowsFile, func(w io.Writer) error { return flows.write(w, c) }); err != nil {
		return err
	}
	man := manifest(c, opt, req.Seed, eng, simSec, req.Set)
	// The command that repeats this run from the command line.
	man.Command = []string{"caravan", "run", req.Case, "--seed", strconv.FormatUint(req.Seed, 10), "--compat", req.Compat}
	if req.Days > 0 {
		man.Command = append(man.Command, "--days", strconv.Itoa(req.Days))
	}
	for _, s := range req.Set {
		man.Command = append(man.Command, "--set", s)
	}
	man.Outputs = append(outputs, server.RouteFlowsFile, "manifest.json")
	man.WallSeconds = time.Since(wall).Seconds()
	if err := od.WriteJSON("manifest.json", man); err != nil {
		return err
	}
	return od.Commit()
}

// flowRecorder keeps, for every day, how many agents set out along each
// route in each direction that day (from the engine's running totals), so
// the workbench's map can animate flows; `caravan run` writes only the
// totals (network.geojson).
type flowRecorder struct {
	routes            int
	prevFwd, prevBack []int64
	fwd, back         []int32 // [day*routes+route]
}

func newFlowRecorder(routes, days int) *flowRecorder {
	return &flowRecorder{routes: routes, prevFwd: make([]int64, routes), prevBack: make([]int64, routes),
		fwd: make([]int32, 0, routes*days), back: make([]int32, 0, routes*days)}
}

func (f *flowRecorder) day(e *sim.Engine) {
	fwd, back := e.RouteFlows()
	for r := 0; r < f.routes; r++ {
		f.fwd = append(f.fwd, int32(fwd[r]-f.prevFwd[r]))
		f.back = append(f.back, int32(back[r]-f.prevBack[r]))
	}
	f.prevFwd, f.prevBack = fwd, back
}

// write writes route_flows.csv: day, date, then per route two columns,
// "<from> -> <to>" and "<to> -> <from>", the agents that set out that day.
func (f *flowRecorder) write(w io.Writer, c *flee.Case) error {
	sc := c.Scenario
	buf := []byte("day,date")
	for _, r := range sc.Routes {
		a, b := sc.Places[r.From].Name, sc.Places[r.To].Name
		buf = append(buf, ',')
		buf = results.AppendField(buf, a+" -> "+b)
		buf = append(buf, ',')
		buf = results.AppendField(buf, b+" -> "+a)
	}
	buf = append(buf, '\n')
	days := len(f.fwd) / max(1, f.routes)
	if f.routes == 0 {
		days = 0
	}
	for t := 0; t < days; t++ {
		buf = strconv.AppendInt(buf, int64(t), 10)
		buf = append(buf, ',')
		buf = sc.Date(t).AppendFormat(buf, "2006-01-02")
		for r := 0; r < f.routes; r++ {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(f.fwd[t*f.routes+r]), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(f.back[t*f.routes+r]), 10)
		}
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
