package flee

import (
	"bufio"
	"io"
	"math"
	"strconv"

	"github.com/caravan-sim/caravan/internal/results"
)

// WriteOutCSV writes Flee's out.csv table (docs/flee-model.md §14) for a
// finished run: per camp the simulated and observed populations and their
// relative error, then the totals.
func WriteOutCSV(w io.Writer, c *Case, d *results.Daily) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("Day,Date,")
	for _, n := range c.CampNames() {
		bw.WriteString(n + " sim," + n + " data," + n + " error,")
	}
	bw.WriteString("Total error,refugees in camps (UNHCR),total refugees (simulation),raw UNHCR refugee count,refugees in camps (simulation),refugee_debt\n")
	var buf []byte
	for t := 0; t < d.Days(); t++ {
		buf = buf[:0]
		buf = strconv.AppendInt(buf, int64(t), 10)
		buf = append(buf, ',')
		buf = c.Date(t).AppendFormat(buf, "2006-01-02")
		var absSum float64
		inCampsData, inCampsSim := 0, 0
		for k, i := range c.Camps {
			sim := d.Count(t, i)
			obs := c.Observed[k][t]
			inCampsData += obs
			inCampsSim += sim
			rel := 0.0
			if float64(obs) >= 0.00001 {
				rel = npRound4(math.Abs(float64(sim)/float64(obs) - 1))
			}
			absSum += math.Abs(float64(sim) - float64(obs)) // integers: rounding is a no-op
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(sim), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(obs), 10)
			buf = append(buf, ',')
			buf = append(buf, pyFloat(rel)...)
		}
		raw := c.Raw[t]
		if raw > 0 {
			buf = append(buf, ',')
			buf = append(buf, pyFloat(absSum/float64(raw))...)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(inCampsData), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(d.Agents[t]), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(raw), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(inCampsSim), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(c.Debt[t]), 10)
		} else {
			buf = append(buf, ",0.0,0,"...)
			buf = strconv.AppendInt(buf, int64(d.Agents[t]), 10)
			buf = append(buf, ",0,"...)
			buf = strconv.AppendInt(buf, int64(inCampsSim), 10)
			buf = append(buf, ",0"...)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Simulated returns the simulated population of each reported camp per day.
func (c *Case) Simulated(d *results.Daily) [][]int {
	out := make([][]int, len(c.Camps))
	for k, i := range c.Camps {
		out[k] = d.Series(i)
	}
	return out
}
