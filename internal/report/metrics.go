package report

import (
	"math"
	"sort"
)

// Errors are the error measures of a run, recomputed from out.csv.
type Errors struct {
	// ARD is the averaged relative difference: the mean over days of
	// PerDay. It equals summary.json's ard (evaluate.ComputeARD).
	ARD float64
	// PerDay[t] is Σ_c |sim_c(t) − obs_c(t)| / max(1, Σ_c obs_c(t)).
	PerDay []float64
	// RescaledPerDay is PerDay after scaling each day's simulated camp
	// total to the observed total (truncated to whole people, as in
	// evaluate.ComputeARD); its mean is the rescaled ARD.
	RescaledPerDay []float64
	RescaledARD    float64
	// Camps holds one row per camp, sorted by Contribution, largest first.
	Camps []CampError
}

// CampError is one camp's row of the error table.
type CampError struct {
	Name               string
	FinalSim, FinalObs float64
	RelErr             float64 // (sim − obs) / obs on the last day; NaN when obs is 0
	MAE                float64 // mean over days of |sim − obs|, in people
	Contribution       float64 // this camp's part of ARD; the parts sum to ARD
	Share              float64 // Contribution / ARD
	Index              int     // position in out.csv
}

// ComputeErrors evaluates the error measures of camps over days.
func ComputeErrors(camps []Camp, days int) Errors {
	e := Errors{PerDay: make([]float64, days), RescaledPerDay: make([]float64, days)}
	e.Camps = make([]CampError, len(camps))
	den := make([]float64, days)
	for t := 0; t < days; t++ {
		var obs, sim float64
		for _, c := range camps {
			obs += c.Obs[t]
			sim += c.Sim[t]
		}
		den[t] = math.Max(1, obs)
		var rdiff float64
		for _, c := range camps {
			e.PerDay[t] += math.Abs(c.Sim[t]-c.Obs[t]) / den[t]
			scaled := 0.0
			if sim > 0 {
				scaled = math.Trunc(c.Sim[t] * obs / sim)
			}
			rdiff += math.Abs(scaled - c.Obs[t])
		}
		e.RescaledPerDay[t] = rdiff / den[t]
	}
	e.ARD = mean(e.PerDay)
	e.RescaledARD = mean(e.RescaledPerDay)
	for k, c := range camps {
		ce := CampError{Name: c.Name, Index: k, RelErr: math.NaN()}
		if days > 0 {
			ce.FinalSim, ce.FinalObs = c.Sim[days-1], c.Obs[days-1]
			if ce.FinalObs != 0 {
				ce.RelErr = (ce.FinalSim - ce.FinalObs) / ce.FinalObs
			}
		}
		for t := 0; t < days; t++ {
			d := math.Abs(c.Sim[t] - c.Obs[t])
			ce.MAE += d
			ce.Contribution += d / den[t]
		}
		if days > 0 {
			ce.MAE /= float64(days)
			ce.Contribution /= float64(days)
		}
		if e.ARD > 0 {
			ce.Share = ce.Contribution / e.ARD
		}
		e.Camps[k] = ce
	}
	sort.SliceStable(e.Camps, func(i, j int) bool { return e.Camps[i].Contribution > e.Camps[j].Contribution })
	return e
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
