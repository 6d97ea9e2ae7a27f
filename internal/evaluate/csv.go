package evaluate

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"
)

// Describe names what an item is about: measure, subject and date, e.g.
// "arrivals at place anzali 1920-01-01 to 1920-12-31".
func (it *Item) Describe() string {
	var parts []string
	for _, s := range []string{it.Measure, it.Subject, it.When} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// EvidenceHeader is the header of evidence.csv.
var EvidenceHeader = []string{"id", "kind", "subject", "measure", "when", "observed", "simulated", "error", "verdict",
	"weight", "reliability", "source", "reference", "coverage", "detail"}

// WriteCSV writes one row per item: what was observed (in true people:
// registration coverage applied), what the run simulated, the error and
// the verdict, with the item's weight and citation.
func (ev *Evidence) WriteCSV(w io.Writer, f Fit) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(EvidenceHeader); err != nil {
		return err
	}
	for i := range ev.Items {
		it := &ev.Items[i]
		var r Result
		if i < len(f.Results) {
			r = f.Results[i]
		} else {
			r = Result{Error: math.NaN()}
		}
		sims := make([]string, len(r.Simulated))
		for k, v := range r.Simulated {
			sims[k] = Num(v)
		}
		errText := ""
		if !math.IsNaN(r.Error) {
			errText = strconv.FormatFloat(r.Error, 'g', 4, 64)
		}
		detail := r.Detail
		if it.Note != "" {
			if detail != "" {
				detail += "; "
			}
			detail += "note: " + it.Note
		}
		rec := []string{it.ID, it.Kind.String(), it.Subject, it.Measure, it.When, it.ObservedText(),
			strings.Join(sims, "; "), errText, r.Verdict.String(), strconv.FormatFloat(it.Weight, 'g', -1, 64),
			it.Reliability, it.Source, it.Reference, it.Coverage, detail}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
