package calibrate

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/results"
)

// NativeReport is calibration.json for a native scenario.
type NativeReport struct {
	Scenario  string   `json:"scenario"`
	Path      string   `json:"path"`
	Mode      string   `json:"mode"`
	Method    string   `json:"method"`
	Seeds     []uint64 `json:"seeds"`
	Days      int      `json:"days"`
	Objective string   `json:"objective"`
	// LogRatio is the span high/low from which intervals are searched on a
	// log scale.
	LogRatio    float64       `json:"log_ratio"`
	Evaluations int           `json:"evaluations"`
	Status      string        `json:"status"`
	Params      []ParamResult `json:"params"`
	NotFitted   []Skipped     `json:"not_fitted,omitempty"`
	HeldOut     []string      `json:"held_out"` // ids of the held-out observations
	InSample    FitChange     `json:"in_sample"`
	OutOfSample FitChange     `json:"held_out_fit"`
	// Check re-scores the defaults and the calibrated values on fresh
	// seeds, which the search never saw (absent when none were asked for).
	Check   *SeedCheck          `json:"check,omitempty"`
	Results []ObservationResult `json:"observations"`
	// Output is the calibrated scenario beside the report.
	Output string `json:"output"`
}

// ParamResult is a fitted parameter with its calibrated value.
type ParamResult struct {
	NativeParam
	Calibrated float64 `json:"calibrated"`
	// Moved is calibrated − default as a share of the interval, on its
	// scale (-1 to 1).
	Moved float64 `json:"moved"`
}

// FitChange is a fit with the defaults and with the calibrated values.
type FitChange struct {
	Observations int      `json:"observations"` // evaluable ones
	Default      FitScore `json:"default"`
	Calibrated   FitScore `json:"calibrated"`
}

// SeedCheck is the fit before and after on fresh seeds.
type SeedCheck struct {
	Seeds       []uint64  `json:"seeds"`
	InSample    FitChange `json:"in_sample"`
	OutOfSample FitChange `json:"held_out_fit"`
}

// AddCheck records the assessments of the defaults and the best values on
// fresh seeds.
func (rep *NativeReport) AddCheck(seeds []uint64, def, best *Assessment) {
	rep.Check = &SeedCheck{Seeds: seeds,
		InSample:    FitChange{Observations: rep.InSample.Observations, Default: def.InSample, Calibrated: best.InSample},
		OutOfSample: FitChange{Observations: rep.OutOfSample.Observations, Default: def.HeldOut, Calibrated: best.HeldOut}}
}

// ObservationResult is one observation before and after calibration.
type ObservationResult struct {
	ObservationInfo
	Before Result `json:"before"`
	After  Result `json:"after"`
}

// NewNativeReport assembles the report from the runner, the fit and the
// assessments of the defaults and of the best values.
func NewNativeReport(r *NativeRunner, method, status string, evals int, def, best *Assessment) *NativeReport {
	rep := &NativeReport{Scenario: r.Name, Path: r.Path, Mode: r.Options.Mode.String(), Method: method, Seeds: r.Seeds, Days: r.Days,
		Objective:   "weighted mean error over the observations not held out (each error capped at 1; 0 = all within), averaged over the seeds",
		LogRatio:    r.LogRatio,
		Evaluations: evals, Status: status, NotFitted: r.Skipped, HeldOut: []string{}, Output: "calibrated.yaml"}
	for k, p := range r.Params {
		pr := ParamResult{NativeParam: p, Calibrated: best.Values[k]}
		pr.Moved = p.unit(pr.Calibrated) - p.unit(p.Default)
		rep.Params = append(rep.Params, pr)
	}
	for id := range r.heldOut {
		rep.HeldOut = append(rep.HeldOut, id)
	}
	sort.Strings(rep.HeldOut)
	before, after := def.Results(), best.Results()
	for i, o := range r.Observations {
		or := ObservationResult{ObservationInfo: o}
		if i < len(before) {
			or.Before = before[i]
		}
		if i < len(after) {
			or.After = after[i]
		}
		if o.NotEvaluable == "" {
			if o.HeldOut {
				rep.OutOfSample.Observations++
			} else {
				rep.InSample.Observations++
			}
		}
		rep.Results = append(rep.Results, or)
	}
	rep.InSample.Default, rep.InSample.Calibrated = def.InSample, best.InSample
	rep.OutOfSample.Default, rep.OutOfSample.Calibrated = def.HeldOut, best.HeldOut
	return rep
}

// nullable is f for JSON, nil when it is not a number.
func nullable(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

func nullables(fs []float64) []*float64 {
	out := make([]*float64, len(fs))
	for i, f := range fs {
		out[i] = nullable(f)
	}
	return out
}

// MarshalJSON writes NaN (nothing evaluable) as null.
func (f FitScore) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Mean    *float64   `json:"mean"`
		PerSeed []*float64 `json:"per_seed"`
	}{nullable(f.Mean), nullables(f.PerSeed)})
}

// MarshalJSON writes NaN as null.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		Simulated []*float64 `json:"simulated"`
		Error     *float64   `json:"error"`
	}{plain(r), nullables(r.Simulated), nullable(r.Error)})
}

// MarshalJSON writes NaN as null.
func (e NativeEvaluation) MarshalJSON() ([]byte, error) {
	type plain NativeEvaluation
	return json.Marshal(struct {
		plain
		HeldOut *float64 `json:"held_out"`
	}{plain(e), nullable(e.HeldOut)})
}

// WriteNativeEvaluations writes evaluations.csv: every objective
// evaluation with its parameter values, in-sample and held-out fit.
func WriteNativeEvaluations(w io.Writer, params []NativeParam, evals []NativeEvaluation) error {
	var b []byte
	b = append(b, "n"...)
	for _, p := range params {
		b = append(b, ',')
		b = results.AppendField(b, p.ID)
	}
	b = append(b, ",fit,held_out,best,cached,invalid\n"...)
	for _, e := range evals {
		b = strconv.AppendInt(b, int64(e.N), 10)
		for _, v := range e.Values {
			b = append(b, ',')
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		for _, v := range []float64{e.Fit, e.HeldOut, e.Best} {
			b = append(b, ',')
			if !math.IsNaN(v) {
				b = strconv.AppendFloat(b, v, 'f', -1, 64)
			}
		}
		b = append(b, ',')
		b = strconv.AppendBool(b, e.Cached)
		b = append(b, ',')
		b = results.AppendField(b, e.Invalid)
		b = append(b, '\n')
	}
	_, err := w.Write(b)
	return err
}

func fitText(f float64) string {
	if math.IsNaN(f) {
		return "–"
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

func changeText(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) {
		return "–"
	}
	return strconv.FormatFloat(b-a, 'f', 3, 64)
}

func valueText(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// simText renders simulated terms: one number, or a list.
func simText(r Result) string {
	if len(r.Simulated) == 0 {
		return "–"
	}
	parts := make([]string, len(r.Simulated))
	for k, v := range r.Simulated {
		parts[k] = evaluate.Num(math.Round(v*1000) / 1000)
	}
	if len(parts) > 4 {
		parts = append(parts[:4], "…")
	}
	return strings.Join(parts, "; ")
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// WriteNativeMarkdown writes calibration.md, a readable report.
func WriteNativeMarkdown(w io.Writer, r *NativeReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Calibration of %s\n\n", r.Scenario)
	fmt.Fprintf(&b, "%s, %d evaluations (%s), %s ruleset, seeds %v (common random numbers). Objective: %s. ",
		r.Method, r.Evaluations, r.Status, r.Mode, r.Seeds, r.Objective)
	fmt.Fprintf(&b, "Each parameter is searched within its declared interval, on a log scale when low > 0 and high/low ≥ %g, else linearly.\n\n", r.LogRatio)

	b.WriteString("## Fit\n\n| observations | n | default | calibrated | change |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| fitted (in sample) | %d | %s | %s | %s |\n", r.InSample.Observations, fitText(r.InSample.Default.Mean),
		fitText(r.InSample.Calibrated.Mean), changeText(r.InSample.Default.Mean, r.InSample.Calibrated.Mean))
	fmt.Fprintf(&b, "| held out (out of sample) | %d | %s | %s | %s |\n", r.OutOfSample.Observations, fitText(r.OutOfSample.Default.Mean),
		fitText(r.OutOfSample.Calibrated.Mean), changeText(r.OutOfSample.Default.Mean, r.OutOfSample.Calibrated.Mean))
	if c := r.Check; c != nil {
		seeds := fmt.Sprintf("%d–%d", c.Seeds[0], c.Seeds[len(c.Seeds)-1])
		fmt.Fprintf(&b, "| fitted, on fresh seeds %s | %d | %s | %s | %s |\n", seeds, c.InSample.Observations, fitText(c.InSample.Default.Mean),
			fitText(c.InSample.Calibrated.Mean), changeText(c.InSample.Default.Mean, c.InSample.Calibrated.Mean))
		fmt.Fprintf(&b, "| held out, on fresh seeds %s | %d | %s | %s | %s |\n", seeds, c.OutOfSample.Observations, fitText(c.OutOfSample.Default.Mean),
			fitText(c.OutOfSample.Calibrated.Mean), changeText(c.OutOfSample.Default.Mean, c.OutOfSample.Calibrated.Mean))
	}
	b.WriteString("\nFit: weighted mean error, 0 = every observation within; fresh seeds are seeds the search never saw, so a gain that holds there is not an accident of the seeds it was found with. The held-out observations never steer the search")
	if len(r.HeldOut) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(r.HeldOut, ", "))
	} else {
		b.WriteString(" (none is held out: mark observations `held_out: true`, or use --held-out)")
	}
	b.WriteString(".\n\n")
	if r.InSample.Default.Mean == 0 {
		b.WriteString("Every fitted observation is within with the scenario's own values, on every seed: there is nothing to fit, and the values are left as they are.\n\n")
	}

	b.WriteString("## Parameters\n\n| parameter | where | interval | scale | default | calibrated | moved |\n|---|---|---|---|---:|---:|---:|\n")
	for _, p := range r.Params {
		def := valueText(p.Default)
		if p.Value == nil {
			def += " (middle)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s–%s | %s | %s | %s | %+.0f%% |\n", p.ID, p.Where(), valueText(p.Low), valueText(p.High), p.Scale,
			def, valueText(p.Calibrated), p.Moved*100)
	}
	b.WriteString("\nmoved: the change as a share of the interval, on its scale.\n")
	if len(r.NotFitted) > 0 {
		b.WriteString("\nNot fitted:\n\n")
		for _, s := range r.NotFitted {
			fmt.Fprintf(&b, "- `%s` (%s): %s\n", s.ID, s.Where, s.Why)
		}
	}

	b.WriteString("\n## Observations\n\n| observation | set | observed | simulated before | verdict before | simulated after | verdict after |\n|---|---|---|---:|---|---:|---|\n")
	for _, o := range r.Results {
		set := "fitted"
		if o.HeldOut {
			set = "held out"
		}
		if o.NotEvaluable != "" {
			fmt.Fprintf(&b, "| %s | %s | %s | – | not evaluable: %s | – | – |\n", mdCell(o.ID), set, mdCell(o.Observed), mdCell(o.NotEvaluable))
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s (%d/%d seeds) | %s | %s (%d/%d seeds) |\n", mdCell(o.ID), set, mdCell(o.Observed),
			simText(o.Before), o.Before.Verdict, o.Before.FitsSeeds, len(r.Seeds), simText(o.After), o.After.Verdict, o.After.FitsSeeds, len(r.Seeds))
	}
	b.WriteString("\nsimulated: the mean over the seeds; verdict: of that mean, with the number of seeds on which the observation fits.\n\n")
	fmt.Fprintf(&b, "## Use\n\n`%s` beside this report is the scenario in one file with the calibrated values (their notes say so); run it, or compare it with the original over more seeds:\n\n", r.Output)
	fmt.Fprintf(&b, "    caravan run %s\n    caravan compare %s %s --runs 20\n\nEvery evaluation is in `evaluations.csv`.\n", r.Output, r.Path, r.Output)
	_, err := io.WriteString(w, b.String())
	return err
}
