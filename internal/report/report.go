package report

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/caravan-sim/caravan/internal/results"
)

// Report is a run's figures and tables, ready to write.
type Report struct {
	Run     *Run
	Errors  Errors
	Lanes   []Lane
	Figures []*Figure // in page order
	// Notes are things the reader should know about the inputs (missing
	// optional files, disagreements between files).
	Notes []string
}

// Build computes a report for a loaded run.
func Build(r *Run) *Report {
	rep := &Report{Run: r, Errors: ComputeErrors(r.Camps, r.Days)}
	if d := math.Abs(rep.Errors.ARD - r.Summary.ARD); d > 1e-6*math.Max(1, r.Summary.ARD) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("summary.json gives ARD %.6f but out.csv gives %.6f; the report uses out.csv.",
			r.Summary.ARD, rep.Errors.ARD))
	}
	ordered := make([]Camp, len(r.Camps))
	for i, ce := range rep.Errors.Camps {
		ordered[i] = r.Camps[ce.Index]
	}
	rep.Figures = append(rep.Figures, CampsFigure(ordered, r.Start, r.Days), ErrorFigure(rep.Errors, r.Start))
	if r.Places != nil {
		rep.Figures = append(rep.Figures, MapFigure(r.Places, r.Routes, conflictPlaces(r.Events)))
	} else {
		rep.Notes = append(rep.Notes, "The run folder has no network.geojson, so the report has no map.")
	}
	if r.HasEvents {
		rep.Lanes = Lanes(r.Events, r.Days)
		rep.Figures = append(rep.Figures, TimelineFigure(rep.Lanes, r.Start, r.Days))
	} else {
		rep.Notes = append(rep.Notes, "The run folder has no events.csv, so the report has no timeline.")
	}
	return rep
}

// conflictPlaces names the places that were in conflict at some time.
func conflictPlaces(events []Event) map[string]bool {
	out := map[string]bool{}
	for _, e := range events {
		if e.Kind == "conflict_start" || e.Kind == "conflict_intensity" {
			out[e.Place] = true
		}
	}
	return out
}

// Figure returns the figure with the given name, or nil.
func (rep *Report) Figure(name string) *Figure {
	for _, f := range rep.Figures {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Files lists what Write puts in the report folder.
func (rep *Report) Files() []string {
	out := []string{"report.html", "camp-errors.csv"}
	for _, f := range rep.Figures {
		out = append(out, f.Name+".png", f.Name+".svg")
	}
	return out
}

// Write renders the report into the folder dir, atomically: the folder
// appears only when every file was written. An existing folder is replaced
// only if overwrite is set. It returns the folder's path.
func (rep *Report) Write(dir string, overwrite bool) (string, error) {
	od, err := results.Create(dir, overwrite)
	if err != nil {
		return "", err
	}
	defer od.Abort()
	if err := rep.WriteInto(od); err != nil {
		return "", err
	}
	if err := od.Commit(); err != nil {
		return "", err
	}
	return od.Path(), nil
}

// WriteInto writes the report's files (Files) into an output folder under
// construction; the caller commits or aborts it.
func (rep *Report) WriteInto(od *results.OutDir) error {
	svgs := map[string][]byte{}
	for _, f := range rep.Figures {
		svg, err := f.SVG()
		if err != nil {
			return err
		}
		png, err := f.PNG()
		if err != nil {
			return err
		}
		svgs[f.Name] = svg
		if err := od.WriteFile(f.Name+".svg", writeBytes(svg)); err != nil {
			return err
		}
		if err := od.WriteFile(f.Name+".png", writeBytes(png)); err != nil {
			return err
		}
	}
	if err := od.WriteFile("camp-errors.csv", rep.writeCampErrors); err != nil {
		return err
	}
	return od.WriteFile("report.html", func(w io.Writer) error { return rep.WriteHTML(w, svgs) })
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

func (rep *Report) writeCampErrors(w io.Writer) error {
	var buf []byte
	buf = append(buf, "camp,final_simulated,final_observed,relative_error,mean_absolute_error,ard_contribution,ard_share\n"...)
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, c := range rep.Errors.Camps {
		buf = results.AppendField(buf, c.Name)
		for _, v := range []float64{c.FinalSim, c.FinalObs, c.RelErr, c.MAE, c.Contribution, c.Share} {
			buf = append(buf, ',')
			buf = append(buf, f(v)...)
		}
		buf = append(buf, '\n')
	}
	_, err := w.Write(buf)
	return err
}

// dataURI returns b as a data: URI of the given media type.
func dataURI(mediaType string, b []byte) string {
	var sb strings.Builder
	sb.Grow(len(mediaType) + 13 + base64.StdEncoding.EncodedLen(len(b)))
	sb.WriteString("data:")
	sb.WriteString(mediaType)
	sb.WriteString(";base64,")
	sb.WriteString(base64.StdEncoding.EncodeToString(b))
	return sb.String()
}

// DefaultDir is where a report goes when no folder is given: a "report"
// folder inside the run folder.
func DefaultDir(runDir string) string { return filepath.Join(runDir, "report") }
