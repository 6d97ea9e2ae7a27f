package ensemble

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/caravan-sim/caravan/internal/evaluate"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/results"
	"github.com/caravan-sim/caravan/internal/sim"
)

// MemberFormat identifies member files (key caravan.format).
const MemberFormat = "caravan-member/1"

// Metadata keys of member files.
const (
	metaFormat = "caravan.format"
	metaMember = "caravan.member"
)

// MemberRow is one row of a member file: a camp's population after a day.
type MemberRow struct {
	Member     int32  `parquet:"member"`
	Day        int32  `parquet:"day"`
	Date       string `parquet:"date,dict"`
	Place      string `parquet:"place,dict"`
	Population int32  `parquet:"population"`
}

// MemberStats are a member's inputs and whole-run results, stored in its
// file's metadata and gathered into members.csv by the merge.
type MemberStats struct {
	Index       int       `json:"index"`
	Point       int       `json:"point"`
	Replicate   int       `json:"replicate"`
	Seed        uint64    `json:"seed"`
	Values      []float64 `json:"values,omitempty"`
	Set         []string  `json:"set,omitempty"`
	Days        int       `json:"days"`
	ARD         float64   `json:"ard"`
	ARDRescaled float64   `json:"ard_rescaled"`
	Agents      int       `json:"agents"`
	AgentSteps  int64     `json:"agent_steps"`
	// InCamps is the simulated population of the reported camps on the
	// last day.
	InCamps int64 `json:"in_camps"`
}

// MemberOutput is what one member produced.
type MemberOutput struct {
	Stats MemberStats
	Camps []string
	Dates []string
	// Pop[k][t] is camp k's population after day t.
	Pop [][]int32
}

// Timing is where a member's time went (reported, never stored in results).
type Timing struct {
	Load, Sim, Write time.Duration
}

// CaseCache keeps the last case loaded per set of overrides, so members
// that differ only in seed load the case once per worker. It is not safe
// for concurrent use: give each worker its own.
type CaseCache struct {
	key string
	c   *flee.Case
}

func (cc *CaseCache) load(p *Plan, caseDir string, m *Member) (*flee.Case, error) {
	key := strings.Join(m.Set, "\x00")
	if cc != nil && cc.c != nil && cc.key == key {
		return cc.c, nil
	}
	c, err := LoadCase(caseDir, p.LoadOptions(m))
	if err != nil {
		return nil, fmt.Errorf("member %d: %w", m.Index, err)
	}
	if err := p.CheckInputs(c); err != nil {
		return nil, err
	}
	if cc != nil {
		cc.key, cc.c = key, c
	}
	return c, nil
}

// RunMember simulates member i of plan p, reading the case from caseDir
// (normally p.Case).
func RunMember(ctx context.Context, p *Plan, caseDir string, i int, cache *CaseCache) (*MemberOutput, Timing, error) {
	var tm Timing
	if i < 0 || i >= len(p.Members) {
		return nil, tm, fmt.Errorf("member %d out of range: the plan has members 0 to %d", i, len(p.Members)-1)
	}
	m := &p.Members[i]
	t0 := time.Now()
	c, err := cache.load(p, caseDir, m)
	if err != nil {
		return nil, tm, err
	}
	eng, err := sim.New(c.Scenario, c.Config.Sim, m.Seed)
	if err != nil {
		return nil, tm, fmt.Errorf("member %d: %w", i, err)
	}
	rec := results.NewDaily(len(c.Scenario.Places), c.Scenario.Days)
	t1 := time.Now()
	tm.Load = t1.Sub(t0)
	if err := eng.Run(ctx, rec); err != nil {
		return nil, tm, fmt.Errorf("member %d: %w", i, err)
	}
	tm.Sim = time.Since(t1)

	ard := evaluate.ComputeARD(c.Simulated(rec), c.Observed)
	out := &MemberOutput{
		Stats: MemberStats{Index: i, Point: m.Point, Replicate: m.Replicate, Seed: m.Seed,
			Values: m.Values, Set: m.Set, Days: rec.Days(), ARD: ard.Value, ARDRescaled: ard.Rescaled,
			Agents: eng.Agents(), AgentSteps: eng.AgentSteps()},
		Camps: c.CampNames(),
	}
	for t := 0; t < rec.Days(); t++ {
		out.Dates = append(out.Dates, c.Scenario.Date(t).Format("2006-01-02"))
	}
	for _, pl := range c.Camps {
		s := make([]int32, rec.Days())
		for t := range s {
			s[t] = int32(rec.Count(t, pl))
		}
		out.Pop = append(out.Pop, s)
		if n := len(s); n > 0 {
			out.Stats.InCamps += int64(s[n-1])
		}
	}
	return out, tm, nil
}

// WriteMember writes a member's file atomically (temporary file, fsync,
// rename): the file is either complete or absent.
func WriteMember(path string, out *MemberOutput) error {
	meta, err := json.Marshal(out.Stats)
	if err != nil {
		return err
	}
	days := len(out.Dates)
	rows := make([]MemberRow, 0, days*len(out.Camps))
	for t := 0; t < days; t++ {
		for k, name := range out.Camps {
			rows = append(rows, MemberRow{Member: int32(out.Stats.Index), Day: int32(t), Date: out.Dates[t],
				Place: name, Population: out.Pop[k][t]})
		}
	}
	return results.WriteFileAtomic(path, func(w io.Writer) error {
		return results.WriteParquet(w, rows, map[string]string{metaFormat: MemberFormat, metaMember: string(meta)})
	})
}

// ReadMember reads a member file back.
func ReadMember(path string) (*MemberOutput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if v, _ := pf.Lookup(metaFormat); v != MemberFormat {
		return nil, fmt.Errorf("%s: not a Caravan member file (format %q)", path, v)
	}
	js, _ := pf.Lookup(metaMember)
	out := &MemberOutput{}
	if err := json.Unmarshal([]byte(js), &out.Stats); err != nil {
		return nil, fmt.Errorf("%s: member metadata: %w", path, err)
	}
	rows := make([]MemberRow, pf.NumRows())
	r := parquet.NewGenericReader[MemberRow](pf)
	n, err := r.Read(rows)
	r.Close()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rows = rows[:n]
	if int64(n) != pf.NumRows() {
		return nil, fmt.Errorf("%s: read %d of %d rows", path, n, pf.NumRows())
	}
	// Rows are day-major; the first day lists the camps in order.
	camp := map[string]int{}
	for _, row := range rows {
		if row.Day != 0 {
			break
		}
		camp[row.Place] = len(out.Camps)
		out.Camps = append(out.Camps, row.Place)
	}
	days := out.Stats.Days
	if len(out.Camps)*days != len(rows) {
		return nil, fmt.Errorf("%s: %d rows for %d camps and %d days", path, len(rows), len(out.Camps), days)
	}
	out.Pop = make([][]int32, len(out.Camps))
	for k := range out.Pop {
		out.Pop[k] = make([]int32, days)
	}
	out.Dates = make([]string, days)
	for j, row := range rows {
		t, k := j/len(out.Camps), j%len(out.Camps)
		if int(row.Day) != t || out.Camps[k] != row.Place || int(row.Member) != out.Stats.Index {
			return nil, fmt.Errorf("%s: row %d out of order", path, j)
		}
		out.Pop[k][t] = row.Population
		out.Dates[t] = row.Date
	}
	return out, nil
}

// sameMember reports whether a member file's stats are for plan member m.
func sameMember(s *MemberStats, m *Member) bool {
	return s.Index == m.Index && s.Seed == m.Seed && s.Point == m.Point &&
		s.Replicate == m.Replicate && slices.Equal(s.Set, m.Set)
}
