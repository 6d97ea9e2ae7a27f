package calibrate

// Calibration of a native scenario's declared intervals: every input
// quantity written with low and high (spec.Params) is a free parameter, the
// objective is the evidence fit (evaluate.Fit.Score, the weighted mean
// error over the observations, 0 when all are within) averaged over a few
// fixed seeds, and observations marked held_out are left out of it and
// reported apart, as an out-of-sample check.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/optimize"

	"github.com/caravan-sim/caravan/internal/diag"
	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
	"github.com/caravan-sim/caravan/internal/spec"
)

// DefaultLogRatio is the span (high/low) from which an interval is searched
// on a log scale: an interval covering a factor of 5 or more states an
// order of magnitude, and its plausible values crowd toward the low end on
// a linear scale (0.15 to 1.5 around 0.55, say).
const DefaultLogRatio = 5

// InvalidFit is the objective of values the scenario's checks refuse (e.g.
// a uniform wait whose min passes its max): worse than any fit, which is at
// most 1.
const InvalidFit = 2

// NativeProblem is what to calibrate.
type NativeProblem struct {
	// Path is a native scenario (file or folder) or an overlay.
	Path string
	// Options are the base compile options (ruleset, days, --set).
	Options spec.Options
	// IDs, when set, are the parameters to fit, in this order; otherwise
	// every parameter whose id Only matches (all when Only is nil).
	IDs  []string
	Only *regexp.Regexp
	// HeldOut marks observations as held out by id, beside those written
	// held_out: true.
	HeldOut *regexp.Regexp
	Seeds   []uint64
	Workers int // concurrent runs (default GOMAXPROCS)
	// LogRatio: intervals with low > 0 and high/low at least this are
	// searched on a log scale (0: DefaultLogRatio; negative: never).
	LogRatio float64
}

// NativeParam is a fitted parameter: a declared interval and how it is searched.
type NativeParam struct {
	spec.Param
	// Scale is linear or log.
	Scale string `json:"scale"`
	// Default is the value runs use: the written value, or the middle of
	// the interval (on its scale) when only the interval is written.
	Default float64 `json:"default"`
}

// value maps u in [0, 1] to the interval.
func (p *NativeParam) value(u float64) float64 {
	var v float64
	if p.Scale == "log" {
		v = p.Low * math.Exp(u*math.Log(p.High/p.Low))
	} else {
		v = p.Low + u*(p.High-p.Low)
	}
	if p.Integer {
		v = math.Round(v)
	} else {
		v = roundSig(v, Digits)
	}
	return math.Min(math.Max(v, p.Low), p.High)
}

// Digits is the number of significant digits of calibrated values: the
// intervals are rough, and so is any value found within them.
const Digits = 4

func roundSig(v float64, digits int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// unit maps a value to [0, 1].
func (p *NativeParam) unit(v float64) float64 {
	var u float64
	if p.Scale == "log" {
		u = math.Log(v/p.Low) / math.Log(p.High/p.Low)
	} else {
		u = (v - p.Low) / (p.High - p.Low)
	}
	return math.Min(math.Max(u, 0), 1)
}

// Skipped is a parameter left out of the fit, and why.
type Skipped struct {
	ID    string `json:"id"`
	Where string `json:"where"`
	Why   string `json:"why"`
}

// ObservationInfo is one compiled observation (an evidence item: series of
// one subject are one item, their ids joined by +).
type ObservationInfo struct {
	ID          string  `json:"id"`
	HeldOut     bool    `json:"held_out"`
	Kind        string  `json:"kind"`
	Measure     string  `json:"measure"`
	Subject     string  `json:"subject"`
	When        string  `json:"when"`
	Observed    string  `json:"observed"`
	Reliability string  `json:"reliability"`
	Weight      float64 `json:"weight"`
	// NotEvaluable says why runs cannot be scored against it.
	NotEvaluable string `json:"not_evaluable,omitempty"`
}

// NativeRunner runs a native scenario with parameter values over the
// problem's seeds and scores the runs. It is safe for concurrent use.
type NativeRunner struct {
	NativeProblem
	// Name is the scenario's name; Days its length.
	Name string
	Days int
	// Params are the parameters fitted; Skipped those that are not.
	Params  []NativeParam
	Skipped []Skipped
	// Observations are the compiled observations, in evidence order.
	Observations []ObservationInfo
	// Warnings are the scenario's (from loading and compiling).
	Warnings []diag.Problem
	// Files are the scenario's input files.
	Files []spec.File

	base    *spec.Loaded
	heldOut map[string]bool // observation ids
}

// NewNativeRunner loads the scenario, finds its parameters and checks that
// it compiles with their defaults and has observations to fit.
func NewNativeRunner(p NativeProblem) (*NativeRunner, error) {
	if len(p.Seeds) == 0 {
		return nil, errors.New("calibrate: no seeds")
	}
	if p.Workers < 1 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	if p.LogRatio == 0 {
		p.LogRatio = DefaultLogRatio
	}
	load := spec.Load
	if spec.IsOverlay(p.Path) {
		load = spec.LoadOverlay
	}
	l, err := load(p.Path)
	r := &NativeRunner{NativeProblem: p, base: l}
	if l != nil {
		r.Warnings = append(r.Warnings, l.Warnings...)
		r.Files = l.Files
	}
	if err != nil {
		return r, err
	}
	if err := r.choose(spec.Params(l.Doc)); err != nil {
		return r, err
	}
	r.heldOut = map[string]bool{}
	for _, o := range l.Doc.Observations {
		if o.HeldOut || (p.HeldOut != nil && p.HeldOut.MatchString(o.ID)) {
			r.heldOut[o.ID] = true
		}
	}
	dl, err := l.WithValues(r.valueMap(r.Defaults()))
	if err != nil {
		return r, err
	}
	comp, err := dl.Compile(p.Options)
	if comp != nil {
		r.Warnings = append(r.Warnings, comp.Warnings...)
	}
	if err != nil {
		return r, err
	}
	r.Name, r.Days = comp.Scenario.Name, comp.Scenario.Days
	ev := comp.Observed.Evidence
	inSample := 0
	held := r.heldItems(ev)
	for i := range ev.Items {
		it := &ev.Items[i]
		r.Observations = append(r.Observations, ObservationInfo{ID: it.ID, HeldOut: held[i], Kind: it.Kind.String(), Measure: it.Measure,
			Subject: it.Subject, When: it.When, Observed: it.ObservedText(), Reliability: it.Reliability, Weight: it.Weight, NotEvaluable: it.Reason})
		if !held[i] && it.Reason == "" {
			inSample++
		}
	}
	if inSample == 0 {
		return r, fmt.Errorf("%s has no evaluable observation to fit (%d held out)", p.Path, len(r.heldOut))
	}
	return r, nil
}

// choose picks the parameters to fit.
func (r *NativeRunner) choose(all []spec.Param) error {
	byID := map[string]spec.Param{}
	var ids []string
	for _, p := range all {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	want := map[string]bool{}
	if r.IDs != nil {
		var probs diag.List
		for _, id := range r.IDs {
			if _, ok := byID[id]; !ok {
				probs.Add(diag.Problem{File: r.Path, Field: id, Msg: "no quantity with an interval has this id", Hint: diag.DidYouMean(id, ids)})
			}
			want[id] = true
		}
		if probs.HasErrors() {
			return probs.Err()
		}
	}
	for _, p := range all {
		switch {
		case r.IDs != nil && !want[p.ID]:
			continue
		case r.IDs == nil && r.Only != nil && !r.Only.MatchString(p.ID):
			continue
		case p.Linked != "":
			r.Skipped = append(r.Skipped, Skipped{ID: p.ID, Where: p.Where(), Why: p.Linked + "; it cannot be moved alone"})
			continue
		case !(p.High > p.Low):
			r.Skipped = append(r.Skipped, Skipped{ID: p.ID, Where: p.Where(), Why: "the interval has no width"})
			continue
		}
		np := NativeParam{Param: p, Scale: "linear"}
		if r.LogRatio > 0 && p.Low > 0 && p.High/p.Low >= r.LogRatio {
			np.Scale = "log"
		}
		if p.Value != nil {
			np.Default = *p.Value
		} else {
			np.Default = np.value(0.5)
		}
		r.Params = append(r.Params, np)
	}
	if len(r.Params) == 0 {
		what := "declares no quantity with low and high"
		if len(all) > 0 {
			what = fmt.Sprintf("has no parameter to fit among its %d (see --list)", len(all))
		}
		return fmt.Errorf("%s %s", r.Path, what)
	}
	return nil
}

// Defaults returns the parameters' default values.
func (r *NativeRunner) Defaults() []float64 {
	out := make([]float64, len(r.Params))
	for k, p := range r.Params {
		out[k] = p.Default
	}
	return out
}

func (r *NativeRunner) valueMap(values []float64) map[string]float64 {
	m := make(map[string]float64, len(values))
	for k, p := range r.Params {
		m[p.ID] = values[k]
	}
	return m
}

// heldItems marks the evidence items that come from held-out
// observations. A series item joins the ids of the series of one subject
// with +; it is held out when any of them is, so that a held-out count
// never steers the fit.
func (r *NativeRunner) heldItems(ev *evaluate.Evidence) []bool {
	out := make([]bool, len(ev.Items))
	for i, it := range ev.Items {
		if r.heldOut[it.ID] {
			out[i] = true
			continue
		}
		for _, part := range strings.Split(it.ID, "+") {
			if r.heldOut[part] {
				out[i] = true
			}
		}
	}
	return out
}

// Loaded returns the scenario with the given parameter values.
func (r *NativeRunner) Loaded(values []float64) (*spec.Loaded, error) {
	return r.base.WithValues(r.valueMap(values))
}

// FitScore is a fit averaged over the seeds.
type FitScore struct {
	// Mean is the mean over seeds of the weighted mean error (NaN when
	// nothing is evaluable).
	Mean    float64   `json:"mean"`
	PerSeed []float64 `json:"per_seed"`
}

// Assessment is the outcome of one parameter vector over the seeds.
type Assessment struct {
	Values []float64
	// Invalid, when set, is why the scenario's checks refuse the values;
	// nothing was run.
	Invalid string
	// InSample and HeldOut are the fits to the fitted and the held-out
	// observations.
	InSample, HeldOut FitScore
	// Evidence is what the runs were scored against; Sims[s] the simulated
	// terms of every item in seed s (evaluate.Evidence.Simulate).
	Evidence *evaluate.Evidence
	Sims     [][][]float64
	held     []bool
}

// Objective is what the fit minimises: the in-sample fit, with a seed on
// which nothing could be scored counted as 1 and refused values as
// InvalidFit.
func (a *Assessment) Objective() float64 {
	if a.Invalid != "" {
		return InvalidFit
	}
	s := 0.0
	for _, v := range a.InSample.PerSeed {
		if math.IsNaN(v) {
			v = 1
		}
		s += v
	}
	return s / float64(len(a.InSample.PerSeed))
}

// Assess runs every seed with the values and scores the runs. Values the
// scenario's checks refuse give an Assessment with Invalid set.
func (r *NativeRunner) Assess(ctx context.Context, values []float64) (*Assessment, error) {
	return r.AssessOn(ctx, values, r.Seeds)
}

// AssessOn is Assess over other seeds, e.g. fresh ones to check that a fit
// is not an accident of the seeds it was found with.
func (r *NativeRunner) AssessOn(ctx context.Context, values []float64, seeds []uint64) (*Assessment, error) {
	a := &Assessment{Values: values}
	l, err := r.Loaded(values)
	var comp *spec.Compiled
	if err == nil {
		comp, err = l.Compile(r.Options)
	}
	if err != nil {
		var de *diag.Error
		if errors.As(err, &de) {
			a.Invalid = err.Error()
			return a, nil
		}
		return nil, err
	}
	ev := comp.Observed.Evidence
	a.Evidence, a.held = ev, r.heldItems(ev)
	a.Sims = make([][][]float64, len(seeds))
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	for k, seed := range seeds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			sims, err := runEvidence(ctx, comp, seed)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			a.Sims[k] = sims
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	in, out := a.subsets()
	a.InSample, a.HeldOut = a.score(in), a.score(out)
	return a, nil
}

func runEvidence(ctx context.Context, comp *spec.Compiled, seed uint64) ([][]float64, error) {
	eng, err := sim.New(comp.Scenario, comp.Settings, seed)
	if err != nil {
		return nil, err
	}
	ev := comp.Observed.Evidence
	probes := results.NewProbes(ev.Probes, comp.Scenario.Days)
	probes.Attach(eng)
	if err := eng.Run(ctx, probes); err != nil {
		return nil, err
	}
	return ev.Simulate(probes), nil
}

// subsets returns the indices of the in-sample and held-out items.
func (a *Assessment) subsets() (in, out []int) {
	for i := range a.Evidence.Items {
		if a.held[i] {
			out = append(out, i)
		} else {
			in = append(in, i)
		}
	}
	return in, out
}

// score is the fit of the items idx, per seed and averaged.
func (a *Assessment) score(idx []int) FitScore {
	ev := &evaluate.Evidence{Probes: a.Evidence.Probes, Scale: a.Evidence.Scale}
	for _, i := range idx {
		ev.Items = append(ev.Items, a.Evidence.Items[i])
	}
	fs := FitScore{PerSeed: make([]float64, len(a.Sims))}
	s, n := 0.0, 0
	for k, sims := range a.Sims {
		sub := make([][]float64, len(idx))
		for j, i := range idx {
			sub[j] = sims[i]
		}
		fs.PerSeed[k] = ev.Score(sub).Score
		if !math.IsNaN(fs.PerSeed[k]) {
			s += fs.PerSeed[k]
			n++
		}
	}
	fs.Mean = math.NaN()
	if n > 0 {
		fs.Mean = s / float64(n)
	}
	return fs
}

// Result is how the runs of one item compare with it: the simulated terms
// averaged over seeds, the error averaged over seeds, the verdict of the
// averaged terms and on how many seeds the item fits.
type Result struct {
	Simulated []float64 `json:"simulated"`
	Error     float64   `json:"error"`
	Verdict   string    `json:"verdict"`
	FitsSeeds int       `json:"fits_seeds"`
	Detail    string    `json:"detail,omitempty"`
}

// Results compares every item with the runs.
func (a *Assessment) Results() []Result {
	if a.Evidence == nil {
		return nil
	}
	out := make([]Result, len(a.Evidence.Items))
	for i := range a.Evidence.Items {
		it := &a.Evidence.Items[i]
		var mean []float64
		errSum, errN := 0.0, 0
		for _, sims := range a.Sims {
			r := evaluate.Score(it, sims[i])
			if !math.IsNaN(r.Error) {
				errSum += r.Error
				errN++
			}
			if r.Verdict.Fits() {
				out[i].FitsSeeds++
			}
			if mean == nil {
				mean = make([]float64, len(sims[i]))
			}
			for k, v := range sims[i] {
				mean[k] += v / float64(len(a.Sims))
			}
		}
		r := evaluate.Score(it, mean)
		out[i].Simulated, out[i].Verdict, out[i].Detail = mean, r.Verdict.String(), r.Detail
		out[i].Error = math.NaN()
		if errN > 0 {
			out[i].Error = errSum / float64(errN)
		}
	}
	return out
}

// NativeEvaluation is one objective evaluation during a fit.
type NativeEvaluation struct {
	N      int       `json:"n"`
	Values []float64 `json:"values"`
	// Fit is the objective (in-sample fit); HeldOut the held-out fit of
	// the same runs, for the record: it never steers the search.
	Fit     float64 `json:"fit"`
	HeldOut float64 `json:"held_out"`
	Best    float64 `json:"best"`
	Cached  bool    `json:"cached,omitempty"`
	Invalid string  `json:"invalid,omitempty"`
}

// NativeOptions control FitNative.
type NativeOptions struct {
	Method   string // NelderMead (default) or CMAES
	MaxEvals int    // objective evaluations (default 60)
	Seed     uint64 // CMA-ES sampling seed
	StepSize float64
	// Tolerance: stop when the best fit improved less than this over 10
	// iterations (default 1e-4).
	Tolerance float64
	OnEval    func(NativeEvaluation)
}

// Fit minimises the in-sample fit over the unit box of the parameters'
// intervals, starting from their defaults (evaluated first, so the result
// is never worse than them), and returns the best values and every
// evaluation in order. Evaluations run one after another, the seeds of
// each at once, so the result does not depend on the number of workers.
func (r *NativeRunner) Fit(ctx context.Context, o NativeOptions) (best []float64, evals []NativeEvaluation, status string, err error) {
	d := len(r.Params)
	if o.MaxEvals <= 0 {
		o.MaxEvals = 60
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 1e-4
	}
	start := make([]float64, d)
	for k := range r.Params {
		start[k] = r.Params[k].unit(r.Params[k].Default)
	}
	type cached struct{ fit, held float64 }
	cache := map[string]cached{}
	bestF := math.Inf(1)
	var runErr error
	f := func(x []float64) float64 {
		if runErr != nil || len(evals) >= o.MaxEvals {
			return math.Inf(1)
		}
		vals := make([]float64, d)
		for k := range r.Params {
			vals[k] = r.Params[k].value(fold(x[k]))
			if x[k] == start[k] {
				vals[k] = r.Params[k].Default // exactly, whatever the rounding
			}
		}
		ev := NativeEvaluation{N: len(evals) + 1, Values: vals}
		key := valuesKey(vals)
		if c, ok := cache[key]; ok {
			ev.Fit, ev.HeldOut, ev.Cached = c.fit, c.held, true
		} else {
			a, err := r.Assess(ctx, vals)
			if err != nil {
				runErr = err
				return math.Inf(1)
			}
			ev.Fit, ev.HeldOut, ev.Invalid = a.Objective(), a.HeldOut.Mean, a.Invalid
			cache[key] = cached{ev.Fit, ev.HeldOut}
		}
		if ev.Fit < bestF {
			bestF, best = ev.Fit, vals
		}
		ev.Best = bestF
		evals = append(evals, ev)
		if o.OnEval != nil {
			o.OnEval(ev)
		}
		return ev.Fit
	}
	fStart := f(start)
	if runErr != nil {
		return nil, evals, "", runErr
	}
	method, err := newMethod(o.Method, o.StepSize, o.Seed)
	if err != nil {
		return nil, nil, "", err
	}
	status = "FunctionEvaluationLimit"
	if fStart <= 0 {
		status = "FunctionThreshold" // every observation within already
	}
	if o.MaxEvals > 1 && fStart > 0 {
		settings := &optimize.Settings{
			InitValues:      &optimize.Location{F: fStart}, // evaluated above
			FuncEvaluations: o.MaxEvals - 1,
			Converger:       allWithin{&optimize.FunctionConverge{Absolute: o.Tolerance, Iterations: 10}},
			Recorder:        ctxRecorder{ctx},
		}
		res, err := optimize.Minimize(optimize.Problem{Func: f}, start, settings, method)
		if runErr != nil {
			return nil, evals, "", runErr
		}
		if ctx.Err() != nil {
			return best, evals, "interrupted", ctx.Err()
		}
		if err != nil && res == nil {
			return nil, evals, "", err
		}
		if res != nil {
			status = res.Status.String()
		}
	}
	return best, evals, status, nil
}

// valuesKey identifies a parameter vector exactly.
func valuesKey(vals []float64) string {
	var b []byte
	for _, v := range vals {
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
		b = append(b, ' ')
	}
	return string(b)
}

// allWithin stops the search when every fitted observation is within (a fit
// of 0: nothing is left to gain), else defers to its converger.
type allWithin struct{ optimize.Converger }

func (a allWithin) Converged(loc *optimize.Location) optimize.Status {
	if loc.F <= 0 {
		return optimize.FunctionThreshold
	}
	return a.Converger.Converged(loc)
}
