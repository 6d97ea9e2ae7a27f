package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

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
	// The command that repeats this run from the command line.
	command := []string{"caravan", "run", req.Case, "--seed", strconv.FormatUint(req.Seed, 10), "--compat", req.Compat}
	if req.Days > 0 {
		command = append(command, "--days", strconv.Itoa(req.Days))
	}
	for _, s := range req.Set {
		command = append(command, "--set", s)
	}
	days := c.Scenario.Days
	rs := runSpec{opt: opt, seed: req.Seed, set: req.Set, command: command, wall: wall,
		wrap: func(o sim.Observer) sim.Observer {
			return sim.ObserverFunc(func(day int, e *sim.Engine) error {
				if err := o.Day(day, e); err != nil {
					return err
				}
				progress(day+1, days)
				return nil
			})
		}}
	progress(0, days)
	if _, err := executeRun(ctx, c, ev, rs, od); err != nil {
		return err
	}
	return od.Commit()
}
