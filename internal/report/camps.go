package report

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SharedScaleRatio is the largest ratio between the biggest and smallest
// panel maximum for which the camp panels share one vertical scale; beyond
// it each panel gets its own so that small camps stay readable.
const SharedScaleRatio = 4

// CampsFigure draws camps as small multiples: per camp the simulated
// population (line) against the observed one (dashed line), and, when a
// camp has a Band, the band as a shaded area. Panels share the time axis;
// they share the vertical scale only when the camps are of similar size,
// and the figure says which. start is the date of day 0.
func CampsFigure(camps []Camp, start time.Time, days int) *Figure {
	n := len(camps)
	cols := 4
	switch {
	case n <= 2:
		cols = max(n, 1)
	case n <= 4:
		cols = 2
	case n <= 9:
		cols = 3
	}
	rows := (n + cols - 1) / cols
	width := vg.Length(10) * vg.Inch
	panelH := vg.Length(2.1) * vg.Inch
	if cols <= 2 {
		panelH = 2.6 * vg.Inch
	}
	headH := vg.Length(0.95) * vg.Inch
	height := headH + panelH*vg.Length(rows)

	tops := make([]float64, n)
	hasBand := false
	for k, c := range camps {
		tops[k] = seriesMax(c.Sim, c.Obs)
		if c.Band != nil {
			hasBand = true
			tops[k] = math.Max(tops[k], seriesMax(c.Band.Upper))
		}
	}
	shared := sharedScale(tops)
	sharedTop := seriesMax(tops)

	maxLabels := 6
	if cols >= 4 {
		maxLabels = 3
	} else if cols == 3 {
		maxLabels = 5
	}
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	for k, c := range camps {
		r, col := k/cols, k%cols
		xl, yl := "", ""
		if col == 0 {
			yl = "people"
		}
		if r == rows-1 || k+cols >= n {
			xl = "date"
		}
		p := newPlot(panelTitle(c, days), xl, yl)
		p.Title.TextStyle.Font.Size = 10
		p.X.Tick.Marker = dateTicks{Start: start, MaxLabels: maxLabels}
		p.Y.Tick.Marker = countTicks{}
		p.X.Min, p.X.Max = 0, float64(max(days-1, 1))
		p.Y.Min = 0
		p.Y.Max = tops[k]
		if shared {
			p.Y.Max = sharedTop
		}
		if p.Y.Max <= 0 {
			p.Y.Max = 1
		}
		p.Y.Max *= 1.05
		p.Add(gridLines{})
		if c.Band != nil {
			p.Add(&bandPlot{lo: c.Band.Lower, hi: c.Band.Upper, fill: withAlpha(colBlue, 0.22)})
		}
		if l := seriesLine(c.Obs, obsStyle()); l != nil {
			p.Add(l)
		}
		if l := seriesLine(c.Sim, simStyle()); l != nil {
			p.Add(l)
		}
		plots[r][col] = p
	}

	title := "Camp populations: simulated against observed"
	note := "Each panel has its own vertical scale (the camps differ in size); all share the time axis."
	if shared {
		note = "All panels share the same scales."
	}
	note2 := "Panels run from the largest contribution to the error to the smallest; (%) is simulated against observed on the last day."
	return &Figure{
		Name:  "camps",
		Title: title,
		Caption: "Per camp: the simulated population (solid blue) against the observed one (dashed black)" +
			map[bool]string{true: ", with the ensemble's spread as a shaded band", false: ""}[hasBand] + ". " + note + " " + note2,
		Width: width, Height: height,
		Draw: func(dc draw.Canvas) {
			dc.SetColor(colWhite)
			dc.Fill(dc.Rectangle.Path())
			top := dc.Max.Y
			fillText(dc, textStyle(13, true), dc.Min.X+10, top-18, title)
			items := []legendItem{
				{label: "simulated", thumb: lineThumb(simStyle())},
				{label: "observed", thumb: lineThumb(obsStyle())},
			}
			if hasBand {
				lbl := "5–95% of ensemble"
				for _, c := range camps {
					if c.Band != nil && c.Band.Label != "" {
						lbl = c.Band.Label
						break
					}
				}
				items = append(items, legendItem{label: lbl, thumb: boxThumb(withAlpha(colBlue, 0.22))})
			}
			x := legendRow(dc, textStyle(10, false), dc.Min.X+10, top-36, items)
			_ = x
			ns := textStyle(9, false)
			ns.Color = colSubtle
			fillText(dc, ns, dc.Min.X+10, top-50, note)
			fillText(dc, ns, dc.Min.X+10, top-62, note2)
			if n == 0 {
				return
			}
			grid := dc
			grid.Max.Y -= headH
			tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 14, PadY: 10, PadTop: 2, PadBottom: 4, PadLeft: 4, PadRight: 12}
			cs := plot.Align(plots, tiles, grid)
			for r := range plots {
				for col, p := range plots[r] {
					if p != nil {
						p.Draw(cs[r][col])
					}
				}
			}
		},
	}
}

func panelTitle(c Camp, days int) string {
	if days == 0 {
		return c.Name
	}
	sim, obs := c.Sim[days-1], c.Obs[days-1]
	if obs == 0 {
		if sim == 0 {
			return c.Name
		}
		return fmt.Sprintf("%s  (%s, none observed)", c.Name, thousands(sim))
	}
	return fmt.Sprintf("%s  (%s)", c.Name, signedPct((sim-obs)/obs))
}

// sharedScale reports whether panels whose maxima are tops can share one
// vertical scale without flattening the small ones.
func sharedScale(tops []float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, t := range tops {
		lo, hi = math.Min(lo, t), math.Max(hi, t)
	}
	return len(tops) > 0 && lo > 0 && hi/lo <= SharedScaleRatio
}

func seriesMax(ss ...[]float64) float64 {
	m := 0.0
	for _, s := range ss {
		for _, v := range s {
			if !math.IsNaN(v) {
				m = math.Max(m, v)
			}
		}
	}
	return m
}

func simStyle() draw.LineStyle { return draw.LineStyle{Color: colBlue, Width: vg.Points(1.6)} }
func obsStyle() draw.LineStyle {
	return draw.LineStyle{Color: colBlack, Width: vg.Points(1.1), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}
}

// seriesLine draws ys against day index; NaN values are skipped.
func seriesLine(ys []float64, sty draw.LineStyle) *plotter.Line {
	xy := make(plotter.XYs, 0, len(ys))
	for t, y := range ys {
		if !math.IsNaN(y) {
			xy = append(xy, plotter.XY{X: float64(t), Y: y})
		}
	}
	if len(xy) == 0 {
		return nil
	}
	l := &plotter.Line{XYs: xy, LineStyle: sty}
	return l
}

// bandPlot fills the area between lo and hi, by day index.
type bandPlot struct {
	lo, hi []float64
	fill   color.Color
}

func (b *bandPlot) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := min(len(b.lo), len(b.hi))
	var path vg.Path
	started := false
	flush := func(from, to int) {
		if to <= from {
			return
		}
		path = vg.Path{}
		path.Move(vg.Point{X: tx(float64(from)), Y: ty(b.lo[from])})
		for t := from + 1; t < to; t++ {
			path.Line(vg.Point{X: tx(float64(t)), Y: ty(b.lo[t])})
		}
		for t := to - 1; t >= from; t-- {
			path.Line(vg.Point{X: tx(float64(t)), Y: ty(b.hi[t])})
		}
		path.Close()
		c.SetColor(b.fill)
		c.Fill(path)
	}
	from := 0
	for t := 0; t <= n; t++ {
		if t == n || math.IsNaN(b.lo[t]) || math.IsNaN(b.hi[t]) {
			if started {
				flush(from, t)
			}
			started = false
			continue
		}
		if !started {
			from, started = t, true
		}
	}
}

// DataRange implements plot.DataRanger.
func (b *bandPlot) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, float64(max(len(b.lo)-1, 0)), 0, seriesMax(b.hi)
}
