package ensemble

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/results"
)

// SummaryRow is one row of summary.csv / summary.parquet: the ensemble's
// distribution of a camp's simulated population after a day, beside the
// observed count. Quantiles interpolate linearly between order statistics
// (Hyndman and Fan's type 7, R's and NumPy's default).
type SummaryRow struct {
	Camp     string  `parquet:"camp,dict"`
	Day      int32   `parquet:"day"`
	Date     string  `parquet:"date,dict"`
	Observed int32   `parquet:"observed"`
	Members  int32   `parquet:"members"`
	Mean     float64 `parquet:"mean"`
	P05      float64 `parquet:"p05"`
	P50      float64 `parquet:"p50"`
	P95      float64 `parquet:"p95"`
	Min      int32   `parquet:"min"`
	Max      int32   `parquet:"max"`
}

// Stats summarise a number over the members.
type Stats struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Min  float64 `json:"min"`
	P05  float64 `json:"p05"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	Max  float64 `json:"max"`
}

// EnsembleResult is ensemble.json: whole-ensemble figures (no timings).
type EnsembleResult struct {
	Name        string  `json:"name"`
	Members     int     `json:"members"`
	Design      Design  `json:"design"`
	Params      []Param `json:"params,omitempty"`
	ARD         Stats   `json:"ard"`
	ARDRescaled Stats   `json:"ard_rescaled"`
	// ARDOfMean is the ARD of the ensemble-mean trajectories (rounded to
	// whole people), ARDOfMedian that of the medians.
	ARDOfMean   float64   `json:"ard_of_mean"`
	ARDOfMedian float64   `json:"ard_of_median"`
	Camps       []CampEnd `json:"camps_last_day"`
}

// CampEnd is a camp's ensemble distribution on the last day.
type CampEnd struct {
	Name     string  `json:"name"`
	Observed int     `json:"observed"`
	Mean     float64 `json:"mean"`
	P05      float64 `json:"p05"`
	P50      float64 `json:"p50"`
	P95      float64 `json:"p95"`
}

// Merged is what Merge read and wrote.
type Merged struct {
	Result  EnsembleResult
	Members []MemberStats
}

// Missing lists the members of p that have no result file in dir.
func Missing(p *Plan, dir string) []int {
	var out []int
	for i, ok := range Present(p, dir, nil2all(len(p.Members))) {
		if !ok {
			out = append(out, i)
		}
	}
	return out
}

func nil2all(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Merge reads every member file of plan p in ensemble folder dir, in member
// order, and writes summary.csv/.parquet, members.csv/.parquet and
// ensemble.json into dir, each atomically. The base case (for observed
// counts) is read from caseDir (default the plan's). The output depends only
// on the plan, the case and the member files.
func Merge(p *Plan, dir, caseDir string) (*Merged, error) {
	if miss := Missing(p, dir); len(miss) > 0 {
		return nil, fmt.Errorf("%d of %d members have no results yet (first: %s); run them first", len(miss), len(p.Members),
			p.MemberPath(dir, miss[0]))
	}
	if caseDir == "" {
		caseDir = p.Case
	}
	c, err := LoadCase(caseDir, p.LoadOptions(nil))
	if err != nil {
		return nil, fmt.Errorf("load case for observations: %w", err)
	}
	if err := p.CheckInputs(c); err != nil {
		return nil, err
	}
	camps := c.CampNames()
	nM, nC := len(p.Members), len(camps)
	days := c.Scenario.Days
	// pop[k][t][m]
	pop := make([][][]int32, nC)
	for k := range pop {
		pop[k] = make([][]int32, days)
		for t := range pop[k] {
			pop[k][t] = make([]int32, nM)
		}
	}
	var dates []string
	stats := make([]MemberStats, nM)
	for i := range p.Members {
		path := p.MemberPath(dir, i)
		out, err := ReadMember(path)
		if err != nil {
			return nil, err
		}
		if !sameMember(&out.Stats, &p.Members[i]) {
			return nil, fmt.Errorf("%s: results are for another plan's member (seed %d, %v); delete it and run it again", path, out.Stats.Seed, out.Stats.Set)
		}
		if len(out.Dates) != days {
			return nil, fmt.Errorf("%s: %d days, the plan has %d", path, len(out.Dates), days)
		}
		if dates == nil {
			dates = out.Dates
		}
		idx := map[string]int{}
		for k, name := range out.Camps {
			idx[name] = k
		}
		for k, name := range camps {
			j, ok := idx[name]
			if !ok {
				return nil, fmt.Errorf("%s: camp %s missing", path, name)
			}
			for t := 0; t < days; t++ {
				pop[k][t][i] = out.Pop[j][t]
			}
		}
		stats[i] = out.Stats
	}

	// Summary.
	rows := make([]SummaryRow, 0, nC*days)
	vals := make([]float64, nM)
	meanTraj := make([][]int, nC)
	medTraj := make([][]int, nC)
	for k, name := range camps {
		meanTraj[k] = make([]int, days)
		medTraj[k] = make([]int, days)
		for t := 0; t < days; t++ {
			for m, v := range pop[k][t] {
				vals[m] = float64(v)
			}
			s := describe(vals)
			rows = append(rows, SummaryRow{Camp: name, Day: int32(t), Date: dates[t], Observed: int32(c.Observed[k][t]),
				Members: int32(nM), Mean: s.Mean, P05: s.P05, P50: s.P50, P95: s.P95, Min: int32(s.Min), Max: int32(s.Max)})
			meanTraj[k][t] = int(math.Round(s.Mean))
			medTraj[k][t] = int(math.Round(s.P50))
		}
	}
	res := EnsembleResult{Name: p.Name, Members: nM, Design: p.Design, Params: p.Params,
		ARDOfMean:   evaluate.ComputeARD(meanTraj, c.Observed).Value,
		ARDOfMedian: evaluate.ComputeARD(medTraj, c.Observed).Value}
	ards := make([]float64, nM)
	for i, s := range stats {
		ards[i] = s.ARD
	}
	res.ARD = describe(ards)
	for i, s := range stats {
		ards[i] = s.ARDRescaled
	}
	res.ARDRescaled = describe(ards)
	for k, name := range camps {
		r := rows[k*days+days-1]
		res.Camps = append(res.Camps, CampEnd{Name: name, Observed: int(r.Observed), Mean: r.Mean, P05: r.P05, P50: r.P50, P95: r.P95})
	}

	write := func(name string, f func(w io.Writer) error) error {
		return results.WriteFileAtomic(filepath.Join(dir, name), f)
	}
	if err := write(SummaryCSV, func(w io.Writer) error { return writeSummaryCSV(w, rows) }); err != nil {
		return nil, err
	}
	if err := write(SummaryParquet, func(w io.Writer) error {
		return results.WriteParquet(w, rows, map[string]string{"caravan.format": "caravan-ensemble-summary/1"})
	}); err != nil {
		return nil, err
	}
	if err := write(MembersCSV, func(w io.Writer) error { return writeMembersCSV(w, p, stats) }); err != nil {
		return nil, err
	}
	if err := write(MembersParquet, func(w io.Writer) error { return writeMembersParquet(w, p, stats) }); err != nil {
		return nil, err
	}
	if err := write(EnsembleJSON, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}); err != nil {
		return nil, err
	}
	return &Merged{Result: res, Members: stats}, nil
}

// describe summarises vals (which it sorts).
func describe(vals []float64) Stats {
	n := len(vals)
	if n == 0 {
		return Stats{}
	}
	var sum float64
	for _, v := range vals {
		sum += v
	}
	mean := sum / float64(n)
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	sd := 0.0
	if n > 1 {
		sd = math.Sqrt(ss / float64(n-1))
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	return Stats{Mean: mean, SD: sd, Min: s[0], Max: s[n-1],
		P05: Quantile(s, 0.05), P50: Quantile(s, 0.5), P95: Quantile(s, 0.95)}
}

// Quantile returns the q-quantile of sorted values, interpolating linearly
// between order statistics (type 7).
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func writeSummaryCSV(w io.Writer, rows []SummaryRow) error {
	buf := []byte("camp,day,date,observed,members,mean,p05,p50,p95,min,max\n")
	for _, r := range rows {
		buf = results.AppendField(buf, r.Camp)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(r.Day), 10)
		buf = append(buf, ',')
		buf = append(buf, r.Date...)
		for _, v := range []int32{r.Observed, r.Members} {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(v), 10)
		}
		for _, v := range []float64{r.Mean, r.P05, r.P50, r.P95} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, v, 'f', -1, 64)
		}
		for _, v := range []int32{r.Min, r.Max} {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(v), 10)
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

func writeMembersCSV(w io.Writer, p *Plan, stats []MemberStats) error {
	head := []string{"member", "point", "replicate", "seed"}
	for _, prm := range p.Params {
		head = append(head, prm.Name)
	}
	head = append(head, "days", "ard", "ard_rescaled", "agents", "agent_steps", "in_camps")
	var buf []byte
	for i, h := range head {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = results.AppendField(buf, h)
	}
	buf = append(buf, '\n')
	for _, s := range stats {
		f := []string{strconv.Itoa(s.Index), strconv.Itoa(s.Point), strconv.Itoa(s.Replicate), strconv.FormatUint(s.Seed, 10)}
		for _, v := range s.Values {
			f = append(f, fmtF(v))
		}
		f = append(f, strconv.Itoa(s.Days), fmtF(s.ARD), fmtF(s.ARDRescaled), strconv.Itoa(s.Agents),
			strconv.FormatInt(s.AgentSteps, 10), strconv.FormatInt(s.InCamps, 10))
		buf = append(buf, strings.Join(f, ",")...)
		buf = append(buf, '\n')
	}
	_, err := w.Write(buf)
	return err
}

// writeMembersParquet writes members.parquet with one float column per
// parameter, named as in members.csv and in the same order.
func writeMembersParquet(w io.Writer, p *Plan, stats []MemberStats) error {
	field := func(goName, col string, t reflect.Type) reflect.StructField {
		return reflect.StructField{Name: goName, Type: t, Tag: reflect.StructTag(`parquet:"` + col + `"`)}
	}
	i32, i64, f64, u64 := reflect.TypeFor[int32](), reflect.TypeFor[int64](), reflect.TypeFor[float64](), reflect.TypeFor[uint64]()
	fields := []reflect.StructField{field("Member", "member", i32), field("Point", "point", i32),
		field("Replicate", "replicate", i32), field("Seed", "seed", u64)}
	for k, prm := range p.Params {
		if strings.ContainsAny(prm.Name, `",`) {
			return fmt.Errorf("parameter name %q cannot be a Parquet column", prm.Name)
		}
		fields = append(fields, field("P"+strconv.Itoa(k), prm.Name, f64))
	}
	fields = append(fields, field("Days", "days", i32), field("ARD", "ard", f64), field("ARDRescaled", "ard_rescaled", f64),
		field("Agents", "agents", i64), field("AgentSteps", "agent_steps", i64), field("InCamps", "in_camps", i64))
	typ := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(typ).Elem().Interface())
	rows := make([]any, len(stats))
	for i, s := range stats {
		v := reflect.New(typ).Elem()
		v.Field(0).SetInt(int64(s.Index))
		v.Field(1).SetInt(int64(s.Point))
		v.Field(2).SetInt(int64(s.Replicate))
		v.Field(3).SetUint(s.Seed)
		n := 4
		for _, x := range s.Values {
			v.Field(n).SetFloat(x)
			n++
		}
		v.Field(n).SetInt(int64(s.Days))
		v.Field(n + 1).SetFloat(s.ARD)
		v.Field(n + 2).SetFloat(s.ARDRescaled)
		v.Field(n + 3).SetInt(int64(s.Agents))
		v.Field(n + 4).SetInt(s.AgentSteps)
		v.Field(n + 5).SetInt(s.InCamps)
		rows[i] = v.Interface()
	}
	return results.WriteParquetSchema(w, schema, rows, map[string]string{"caravan.format": "caravan-ensemble-members/1"})
}
