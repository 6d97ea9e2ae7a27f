package cli

import (
	"context"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/server"
	"github.com/caravan-sim/caravan/internal/sim"
)

// routeFlowsFile is the per-day flows table every run writes (the
// workbench animates it).
const routeFlowsFile = server.RouteFlowsFile

// runSpec is what a run needs beside its loaded scenario.
type runSpec struct {
	opt     flee.Options
	seed    uint64
	set     []string
	command []string                        // the manifest's command; nil means os.Args
	wrap    func(sim.Observer) sim.Observer // e.g. a progress display; may be nil
	wall    time.Time                       // when the run started, for the manifest
}

// executeRun simulates a loaded scenario and writes every output into od,
// leaving Commit to the caller: the steps `caravan run` and the workbench
// share, so their output folders cannot drift apart.
func executeRun(ctx context.Context, c *flee.Case, ev *evaluate.Evidence, rs runSpec, od *results.OutDir) (Summary, error) {
	eng, err := sim.New(c.Scenario, c.Config.Sim, rs.seed)
	if err != nil {
		return Summary{}, err
	}
	days := c.Scenario.Days
	rec := results.NewDaily(len(c.Scenario.Places), days)
	flows := newFlowRecorder(len(c.Scenario.Routes), days)
	obs := observers{rec, sim.ObserverFunc(func(_ int, e *sim.Engine) error { flows.day(e); return nil })}
	var probes *results.Probes
	if ev != nil {
		probes = results.NewProbes(ev.Probes, days)
		probes.Attach(eng)
		obs = append(obs, probes)
	}
	var top sim.Observer = obs
	if rs.wrap != nil {
		top = rs.wrap(obs)
	}
	t0 := time.Now()
	if err := eng.Run(ctx, top); err != nil {
		return Summary{}, err
	}
	simSec := time.Since(t0).Seconds()

	ard := evaluate.ComputeARD(c.Simulated(rec), c.Observed)
	sum := Summary{
		Scenario: c.Scenario.Name, Mode: rs.opt.Mode.String(), Seed: rs.seed, Days: days,
		Agents: eng.Agents(), AgentSteps: eng.AgentSteps(), SimSeconds: simSec,
		StepsPerSecond: float64(eng.AgentSteps()) / simSec,
		ARD:            ard.Value, ARDRescaled: ard.Rescaled,
	}
	last := days - 1
	for k, name := range c.CampNames() {
		sum.Camps = append(sum.Camps, CampFinal{Name: name, Simulated: rec.Count(last, c.Camps[k]), Observed: c.Observed[k][last]})
	}
	write := func(name string, f func(io.Writer) error) error { return od.WriteFile(name, f) }
	if err := write("out.csv", func(w io.Writer) error { return flee.WriteOutCSV(w, c, rec) }); err != nil {
		return sum, err
	}
	outputs := []string{"out.csv", "populations.csv", "summary.json", "network.geojson", "events.csv", routeFlowsFile}
	if ev != nil {
		fit := ev.Evaluate(probes)
		sum.Evidence = newEvidenceSummary(ev, fit)
		if err := write("evidence.csv", func(w io.Writer) error { return ev.WriteCSV(w, fit) }); err != nil {
			return sum, err
		}
		outputs = append(outputs, "evidence.csv")
	}
	if err := write("populations.csv", func(w io.Writer) error { return writePopulations(w, c, rec) }); err != nil {
		return sum, err
	}
	if err := od.WriteJSON("summary.json", sum); err != nil {
		return sum, err
	}
	final := make([]int, len(c.Scenario.Places))
	for i := range final {
		final[i] = rec.Count(last, i)
	}
	fwd, back := eng.RouteFlows()
	if err := write("network.geojson", func(w io.Writer) error {
		return results.WriteNetworkGeoJSON(w, c.Scenario, final, fwd, back)
	}); err != nil {
		return sum, err
	}
	if err := write("events.csv", func(w io.Writer) error { return results.WriteEventsCSV(w, c.Scenario) }); err != nil {
		return sum, err
	}
	if err := write(routeFlowsFile, func(w io.Writer) error { return flows.write(w, c) }); err != nil {
		return sum, err
	}
	man := manifest(c, rs.opt, rs.seed, eng, simSec, rs.set)
	if rs.command != nil {
		man.Command = rs.command
	} else {
		man.Command = os.Args
	}
	man.Outputs = append(outputs, "manifest.json")
	man.WallSeconds = time.Since(rs.wall).Seconds()
	return sum, od.WriteJSON("manifest.json", man)
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
