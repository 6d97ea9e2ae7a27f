// Package calibrate fits declared simsetting.yml parameters to a case's
// observations, and measures how sensitive the error is to each parameter.
//
// The objective is the averaged relative difference (ARD) averaged over a
// few fixed seeds (common random numbers: every candidate is run with the
// same seeds, so differences between candidates are not seed noise),
// optionally over the first FitDays days only, so that the rest of the
// period can judge the fit out of sample. Optimisers come from gonum:
// Nelder–Mead and CMA-ES, working in the unit cube of the declared ranges.
package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"

	"gonum.org/v1/gonum/optimize"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

// Methods.
const (
	NelderMead = "nelder-mead"
	CMAES      = "cmaes"
)

// Problem is what to fit.
type Problem struct {
	Case    string
	Options flee.Options // base options (mode, days, settings, overrides)
	Params  []ensemble.Param
	Seeds   []uint64
	// FitDays > 0 fits on days [0, FitDays) only (the runs stop there).
	FitDays int
	Workers int // concurrent runs (default GOMAXPROCS)
}

// Window is a range of days [From, To).
type Window struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Score is the error of one parameter vector over the seeds.
type Score struct {
	ARD     float64   `json:"ard"`      // mean over seeds
	PerSeed []float64 `json:"per_seed"` // in Seeds order
}

// Evaluation is one objective evaluation during a fit.
type Evaluation struct {
	N      int       `json:"n"`
	Values []float64 `json:"values"`
	ARD    float64   `json:"ard"`
	Best   float64   `json:"best"`
	Cached bool      `json:"cached,omitempty"`
}

// Runner simulates a case with overrides and seeds and scores the result
// over day windows. It is safe for concurrent use.
type Runner struct {
	Problem
	days int // the case's full length
}

// NewRunner checks the problem by loading the case once.
func NewRunner(p Problem) (*Runner, *flee.Case, error) {
	if len(p.Seeds) == 0 {
		return nil, nil, errors.New("calibrate: no seeds")
	}
	c, err := ensemble.LoadCase(p.Case, p.Options)
	if err != nil {
		return nil, c, err
	}
	r := &Runner{Problem: p, days: c.Scenario.Days}
	if p.FitDays >= r.days {
		return nil, c, fmt.Errorf("--fit-days %d must be shorter than the case's %d days", p.FitDays, r.days)
	}
	if r.Workers < 1 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	return r, c, nil
}

// Days returns the case's full length.
func (r *Runner) Days() int { return r.days }

// Overrides returns the --set arguments that give values.
func (r *Runner) Overrides(values []float64) []string {
	var set []string
	for k, p := range r.Params {
		set = append(set, p.Override(values[k]))
	}
	return set
}

// Score runs every seed with the given parameter values for the given
// number of days (0: the problem's full period) and returns the ARD over each window.
func (r *Runner) Score(ctx context.Context, values []float64, days int, windows []Window) ([]Score, error) {
	opt := r.Options
	if days > 0 {
		opt.Days = days
	}
	opt.Set = append(append([]string(nil), r.Options.Set...), r.Overrides(values)...)
	out := make([]Score, len(windows))
	for w := range out {
		out[w].PerSeed = make([]float64, len(r.Seeds))
	}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	for k, seed := range r.Seeds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ards, err := runOnce(ctx, r.Case, opt, seed, windows)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			for w := range windows {
				out[w].PerSeed[k] = ards[w]
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for w := range out {
		var s float64
		for _, v := range out[w].PerSeed {
			s += v
		}
		out[w].ARD = s / float64(len(r.Seeds))
	}
	return out, nil
}

func runOnce(ctx context.Context, dir string, opt flee.Options, seed uint64, windows []Window) ([]float64, error) {
	c, err := ensemble.LoadCase(dir, opt)
	if err != nil {
		return nil, err
	}
	eng, err := sim.New(c.Scenario, c.Config.Sim, seed)
	if err != nil {
		return nil, err
	}
	rec := results.NewDaily(len(c.Scenario.Places), c.Scenario.Days)
	if err := eng.Run(ctx, rec); err != nil {
		return nil, err
	}
	simd := c.Simulated(rec)
	out := make([]float64, len(windows))
	for w, win := range windows {
		out[w] = WindowARD(simd, c.Observed, win)
	}
	return out, nil
}

// WindowARD is the ARD over days [From, To) (To ≤ 0: to the end).
func WindowARD(simd, obs [][]int, w Window) float64 {
	cut := func(s [][]int) [][]int {
		out := make([][]int, len(s))
		for i, x := range s {
			to := w.To
			if to <= 0 || to > len(x) {
				to = len(x)
			}
			out[i] = x[min(w.From, to):to]
		}
		return out
	}
	return evaluate.ComputeARD(cut(simd), cut(obs)).Value
}

// Defaults returns each parameter's value in the case's settings (with the
// base overrides), when it can be read from the loaded configuration, and
// whether it could.
func Defaults(c *flee.Case, params []ensemble.Param) ([]float64, []bool) {
	vals := make([]float64, len(params))
	ok := make([]bool, len(params))
	for k, p := range params {
		if v, found := settingValue(c.Config, p.Key); found {
			vals[k], ok[k] = v, true
		} else {
			vals[k] = p.Value(0.5)
		}
	}
	return vals, ok
}

// settingValue finds the Config field a dotted key sets, by its last part
// without underscores (move_rules.max_move_speed → MaxMoveSpeed).
func settingValue(cfg flee.Config, key string) (float64, bool) {
	want := strings.ReplaceAll(key[strings.LastIndex(key, ".")+1:], "_", "")
	for _, v := range []reflect.Value{reflect.ValueOf(cfg.Sim), reflect.ValueOf(cfg.Spawn)} {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if !strings.EqualFold(t.Field(i).Name, want) {
				continue
			}
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Float64, reflect.Float32:
				return f.Float(), true
			case reflect.Int, reflect.Int32, reflect.Int64:
				return float64(f.Int()), true
			}
		}
	}
	return 0, false
}

// Options control Fit.
type Options struct {
	Method    string // NelderMead (default) or CMAES
	MaxEvals  int    // objective evaluations (default 60)
	Start     []float64
	Seed      uint64 // CMA-ES sampling seed
	StepSize  float64
	OnEval    func(Evaluation)
	Tolerance float64 // stop when the best ARD improved less than this over 10 iterations (default 1e-4)
}

// Fit minimises the mean ARD over the fit window and returns the best
// parameter values, their score, and every evaluation in order.
func (r *Runner) Fit(ctx context.Context, o Options) (best []float64, score float64, evals []Evaluation, status string, err error) {
	d := len(r.Params)
	if o.MaxEvals <= 0 {
		o.MaxEvals = 60
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 1e-4
	}
	start := make([]float64, d)
	for k, p := range r.Params {
		start[k] = 0.5
		if o.Start != nil {
			start[k] = p.Unit(o.Start[k])
		}
	}
	fitWin := []Window{{From: 0, To: r.FitDays}}
	cache := map[string]float64{}
	bestF := math.Inf(1)
	var runErr error
	toValues := func(x []float64) []float64 {
		v := make([]float64, d)
		for k, p := range r.Params {
			v[k] = p.Value(fold(x[k]))
		}
		return v
	}
	f := func(x []float64) float64 {
		if runErr != nil {
			return math.Inf(1)
		}
		vals := toValues(x)
		key := strings.Join(r.Overrides(vals), " ")
		ev := Evaluation{N: len(evals) + 1, Values: vals}
		if v, ok := cache[key]; ok {
			ev.ARD, ev.Cached = v, true
		} else {
			s, err := r.Score(ctx, vals, r.FitDays, fitWin)
			if err != nil {
				runErr = err
				return math.Inf(1)
			}
			ev.ARD = s[0].ARD
			cache[key] = ev.ARD
		}
		if ev.ARD < bestF {
			bestF, best = ev.ARD, vals
		}
		ev.Best = bestF
		evals = append(evals, ev)
		if o.OnEval != nil {
			o.OnEval(ev)
		}
		return ev.ARD
	}
	method, err := newMethod(o.Method, o.StepSize, o.Seed)
	if err != nil {
		return nil, 0, nil, "", err
	}
	settings := &optimize.Settings{
		FuncEvaluations: o.MaxEvals,
		Converger:       &optimize.FunctionConverge{Absolute: o.Tolerance, Iterations: 10},
		Recorder:        ctxRecorder{ctx},
	}
	res, err := optimize.Minimize(optimize.Problem{Func: f}, start, settings, method)
	if runErr != nil {
		return nil, 0, evals, "", runErr
	}
	if ctx.Err() != nil {
		return best, bestF, evals, "interrupted", ctx.Err()
	}
	if err != nil && res == nil {
		return nil, 0, evals, "", err
	}
	status = "stopped"
	if res != nil {
		status = res.Status.String()
	}
	return best, bestF, evals, status, nil
}

// fold reflects x into [0, 1] (a triangle wave), so optimisers may step
// outside the ranges without leaving them.
func fold(x float64) float64 {
	x = math.Mod(math.Abs(x), 2)
	if x > 1 {
		x = 2 - x
	}
	return x
}

type ctxRecorder struct{ ctx context.Context }

func (c ctxRecorder) Init() error { return nil }
func (c ctxRecorder) Record(*optimize.Location, optimize.Operation, *optimize.Stats) error {
	return c.ctx.Err()
}

// newMethod returns the optimiser for a method name, with its initial step
// in the unit box (0: the method's default) and CMA-ES's sampling seed.
func newMethod(name string, step float64, seed uint64) (optimize.Method, error) {
	switch name {
	case "", NelderMead:
		if step <= 0 {
			step = 0.15
		}
		return &optimize.NelderMead{SimplexSize: step}, nil
	case CMAES:
		if step <= 0 {
			step = 0.25
		}
		return &optimize.CmaEsChol{InitStepSize: step, Src: rand.NewPCG(seed, 0xca1)}, nil
	}
	return nil, fmt.Errorf("unknown method %q (want %s or %s)", name, NelderMead, CMAES)
}
