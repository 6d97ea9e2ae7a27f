package report

import (
	"fmt"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ErrorFigure draws the error per day (ARD per day) with its mean, the
// headline ARD, and the rescaled error per day, whose gap to the first
// shows how much of the error is in how many people arrived rather than
// where they went.
func ErrorFigure(e Errors, start time.Time) *Figure {
	days := len(e.PerDay)
	title := "Error per day"
	p := newPlot("", "date", "error (% of people observed in camps)")
	p.X.Tick.Marker = dateTicks{Start: start, MaxLabels: 9}
	p.Y.Tick.Marker = percentTicks{}
	p.X.Min, p.X.Max = 0, float64(max(days-1, 1))
	p.Y.Min = 0
	p.Y.Max = max(seriesMax(e.PerDay, e.RescaledPerDay)*1.08, 0.01)
	p.Add(gridLines{})
	meanSty := draw.LineStyle{Color: colSubtle, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	if days > 0 {
		p.Add(&plotter.Line{XYs: plotter.XYs{{X: 0, Y: e.ARD}, {X: float64(days - 1), Y: e.ARD}}, LineStyle: meanSty})
	}
	resSty := draw.LineStyle{Color: colOrange, Width: vg.Points(1.2)}
	if l := seriesLine(e.RescaledPerDay, resSty); l != nil {
		p.Add(l)
	}
	if l := seriesLine(e.PerDay, simStyle()); l != nil {
		p.Add(l)
	}
	items := []legendItem{
		{label: "error per day (ARD per day)", thumb: lineThumb(simStyle())},
		{label: fmt.Sprintf("its mean: ARD = %.3f", e.ARD), thumb: lineThumb(meanSty)},
		{label: "rescaled: simulated total scaled to observed", thumb: lineThumb(resSty)},
	}
	return &Figure{
		Name:  "error-per-day",
		Title: title,
		Caption: "Each day's error: the sum over camps of |simulated − observed| divided by the number of people observed in camps. " +
			"Its mean over the run is the ARD. The orange line is the same error after scaling each day's simulated camp total to the observed total, " +
			"which leaves only the error in where people went; where it runs well below the blue line, much of the error is in how many people arrived.",
		Width: 10 * vg.Inch, Height: 3.8 * vg.Inch,
		Draw: func(dc draw.Canvas) {
			dc.SetColor(colWhite)
			dc.Fill(dc.Rectangle.Path())
			top := dc.Max.Y
			fillText(dc, textStyle(13, true), dc.Min.X+10, top-18, title+" (averaged relative difference, ARD, per day)")
			legendRow(dc, textStyle(10, false), dc.Min.X+10, top-36, items)
			c := dc
			c.Max.Y -= 46
			c.Max.X -= 14
			c.Min.X += 4
			c.Min.Y += 4
			p.Draw(c)
		},
	}
}
