// Package evaluate measures how far simulated populations are from observed
// ones.
package evaluate

// ARD is Flee's headline error, the averaged relative difference: the mean
// over days of Σ_c |sim_c(t) − obs_c(t)| / max(1, Σ_c obs_c(t))
// (docs/flee-model.md §14). sim[c][t] and obs[c][t] are indexed by camp, then
// day. Rescaled is the same after scaling each day's simulated camp totals to
// the observed total, which isolates the error in where people went from the
// error in how many.
type ARD struct {
	Value    float64
	Rescaled float64
	PerDay   []float64
}

// ComputeARD evaluates ARD over the days both tables have.
func ComputeARD(sim, obs [][]int) ARD {
	if len(sim) == 0 || len(sim) != len(obs) {
		return ARD{}
	}
	days := len(sim[0])
	for c := range sim {
		days = min(days, len(sim[c]), len(obs[c]))
	}
	if days == 0 {
		return ARD{}
	}
	var r ARD
	r.PerDay = make([]float64, days)
	for t := 0; t < days; t++ {
		var u, s, diff float64
		for c := range sim {
			u += float64(obs[c][t])
			s += float64(sim[c][t])
			d := float64(sim[c][t] - obs[c][t])
			if d < 0 {
				d = -d
			}
			diff += d
		}
		den := max(1, u)
		r.PerDay[t] = diff / den
		r.Value += diff / den
		var rdiff float64
		for c := range sim {
			scaled := 0.0
			if s > 0 {
				scaled = float64(int(float64(sim[c][t]) * u / s))
			}
			d := scaled - float64(obs[c][t])
			if d < 0 {
				d = -d
			}
			rdiff += d
		}
		r.Rescaled += rdiff / den
	}
	r.Value /= float64(days)
	r.Rescaled /= float64(days)
	return r
}
