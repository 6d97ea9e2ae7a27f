package calibrate

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/results"
)

// Report is calibration.json.
type Report struct {
	Case         string           `json:"case"`
	Mode         string           `json:"mode"`
	Method       string           `json:"method"`
	Seeds        []uint64         `json:"seeds"`
	Days         int              `json:"days"`
	FitDays      int              `json:"fit_days"`
	Params       []ensemble.Param `json:"params"`
	Default      []float64        `json:"default"`
	DefaultKnown []bool           `json:"default_known"`
	Calibrated   []float64        `json:"calibrated"`
	Set          []string         `json:"set"`
	Evaluations  int              `json:"evaluations"`
	// Output is the file holding the calibrated values: simsetting.yml
	// (Flee case) or calibrated-set.txt (native scenario: --set lines).
	Output string `json:"output"`
	Status string `json:"status"`
	// Windows compares the defaults with the calibrated values: the fit
	// window, the hold-out window (when FitDays < Days) and the whole period.
	Windows []Comparison `json:"windows"`
}

// Comparison is the mean ARD of defaults and calibrated values over a window.
type Comparison struct {
	Name       string    `json:"name"` // fit, holdout, all
	Window     Window    `json:"window"`
	Default    Score     `json:"default"`
	Calibrated Score     `json:"calibrated"`
	Dates      [2]string `json:"dates"`
}

// WriteEvaluations writes evaluations.csv: every objective evaluation.
func WriteEvaluations(w io.Writer, params []ensemble.Param, evals []Evaluation) error {
	var b []byte
	b = append(b, "n"...)
	for _, p := range params {
		b = append(b, ',')
		b = results.AppendField(b, p.Name)
	}
	b = append(b, ",ard,best,cached\n"...)
	for _, e := range evals {
		b = strconv.AppendInt(b, int64(e.N), 10)
		for _, v := range e.Values {
			b = append(b, ',')
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		b = append(b, ',')
		b = strconv.AppendFloat(b, e.ARD, 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, e.Best, 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendBool(b, e.Cached)
		b = append(b, '\n')
	}
	_, err := w.Write(b)
	return err
}

// WriteMarkdown writes calibration.md, a human-readable report.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Calibration of %s\n\n", r.Case)
	fmt.Fprintf(&b, "Method %s, %d evaluations (%s); objective: ARD averaged over seeds %v (common random numbers)", r.Method, r.Evaluations, r.Status, r.Seeds)
	if r.FitDays > 0 {
		fmt.Fprintf(&b, " over the first %d of %d days", r.FitDays, r.Days)
	} else {
		fmt.Fprintf(&b, " over all %d days", r.Days)
	}
	fmt.Fprintf(&b, "; %s mode.\n\n", r.Mode)
	fmt.Fprintf(&b, "| parameter | key | range | default | calibrated |\n|---|---|---|---:|---:|\n")
	for k, p := range r.Params {
		def := ensemble.FormatValue(r.Default[k])
		if !r.DefaultKnown[k] {
			def += " (midpoint; not read from the settings)"
		}
		scale := ""
		if p.Scale == "log" {
			scale = ", log"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s–%s%s | %s | %s |\n", p.Name, p.Key, ensemble.FormatValue(p.Min), ensemble.FormatValue(p.Max), scale,
			def, strconv.FormatFloat(r.Calibrated[k], 'g', 6, 64))
	}
	fmt.Fprintf(&b, "\n| window | days | dates | ARD default | ARD calibrated | change |\n|---|---|---|---:|---:|---:|\n")
	for _, c := range r.Windows {
		ch := (c.Calibrated.ARD - c.Default.ARD) / c.Default.ARD * 100
		fmt.Fprintf(&b, "| %s | %d–%d | %s – %s | %.4f | %.4f | %+.1f%% |\n", c.Name, c.Window.From, c.Window.To-1, c.Dates[0], c.Dates[1],
			c.Default.ARD, c.Calibrated.ARD, ch)
	}
	fmt.Fprintf(&b, "\nPer-seed ARD (default → calibrated):\n\n")
	for _, c := range r.Windows {
		fmt.Fprintf(&b, "- %s:", c.Name)
		for i := range r.Seeds {
			fmt.Fprintf(&b, " seed %d %.4f → %.4f;", r.Seeds[i], c.Default.PerSeed[i], c.Calibrated.PerSeed[i])
		}
		b.WriteString("\n")
	}
	switch r.Output {
	case "calibrated-set.txt":
		fmt.Fprintf(&b, "\nThe calibrated values are in `calibrated-set.txt` beside this report, one `--set` override a line; every evaluation is in `evaluations.csv`.\n")
	default:
		fmt.Fprintf(&b, "\nThe calibrated settings are in `simsetting.yml` beside this report (use it with `--settings`); every evaluation is in `evaluations.csv`.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
