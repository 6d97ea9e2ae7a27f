package report

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Span is a period during which something held: a place in conflict, a
// border or place closed.
type Span struct {
	From, To  int     // days; To is exclusive
	Intensity float64 // conflicts only; 1 is full intensity
}

// Lane is one row of the timeline.
type Lane struct {
	Label string
	Group string // "conflict", "closure", "camp"
	Spans []Span
	// Marks are single days on which something changed without a span
	// (e.g. a new conflict intensity).
	Marks []int
}

// Lanes turns dated events into timeline rows: one row per place in
// conflict (ordered by first onset), then one per border, place or route
// closure, then camp changes. A period still open at the end of the run
// runs to day days; one that ends without having started ran from day 0.
func Lanes(events []Event, days int) []Lane {
	b := laneBuilder{lanes: map[laneKey]*Lane{}, open: map[laneKey]int{}, intensity: map[laneKey]float64{}}
	for _, e := range events {
		switch e.Kind {
		case "conflict_start", "conflict_intensity":
			k := laneKey{"conflict", e.Place}
			l := b.get(k)
			if e.Kind == "conflict_intensity" {
				l.Marks = append(l.Marks, e.Day)
			}
			b.end(k, e.Day)
			b.open[k] = e.Day
			b.intensity[k] = e.Value
			if e.Value == 0 && e.Kind == "conflict_start" {
				b.intensity[k] = 1
			}
		case "conflict_end":
			b.period(laneKey{"conflict", e.Place}, false, e.Day)
		case "close_border", "open_border":
			b.period(laneKey{"closure", "border " + e.Country + " – " + e.Country2}, e.Kind == "close_border", e.Day)
		case "close_place", "open_place":
			b.period(laneKey{"closure", "place " + e.Place}, e.Kind == "close_place", e.Day)
		case "close_route", "open_route":
			b.period(laneKey{"closure", "route " + e.Place + " – " + e.Place2}, e.Kind == "close_route", e.Day)
		case "close_camp", "open_camp":
			b.period(laneKey{"camp", "camp " + e.Place + " closed"}, e.Kind == "close_camp", e.Day)
		}
	}
	for _, k := range b.order {
		b.end(k, days)
	}
	var out []Lane
	for _, g := range []string{"conflict", "closure", "camp"} {
		for _, k := range b.order {
			if k.group == g {
				out = append(out, *b.lanes[k])
			}
		}
	}
	return out
}

type laneKey struct{ group, label string }

type laneBuilder struct {
	order     []laneKey
	lanes     map[laneKey]*Lane
	open      map[laneKey]int // day each open period began
	intensity map[laneKey]float64
}

func (b *laneBuilder) get(k laneKey) *Lane {
	if l, ok := b.lanes[k]; ok {
		return l
	}
	b.lanes[k] = &Lane{Label: k.label, Group: k.group}
	b.order = append(b.order, k)
	return b.lanes[k]
}

// end closes k's open period, if any, on day.
func (b *laneBuilder) end(k laneKey, day int) {
	from, ok := b.open[k]
	if !ok {
		return
	}
	if day > from {
		l := b.get(k)
		l.Spans = append(l.Spans, Span{From: from, To: day, Intensity: b.intensity[k]})
	}
	delete(b.open, k)
}

// period starts (begin) or ends a period of k on day.
func (b *laneBuilder) period(k laneKey, begin bool, day int) {
	l := b.get(k)
	_, isOpen := b.open[k]
	if begin {
		if !isOpen {
			b.open[k], b.intensity[k] = day, 1
		}
		return
	}
	if !isOpen && len(l.Spans) == 0 {
		b.open[k], b.intensity[k] = 0, 1
	}
	b.end(k, day)
}

var laneColour = map[string]color.RGBA{
	"conflict": colVermilion,
	"closure":  color.RGBA{117, 82, 153, 255},
	"camp":     color.RGBA{140, 100, 60, 255},
}

var laneLegend = map[string]string{
	"conflict": "place in conflict (shade: intensity)",
	"closure":  "border, place or route closed",
	"camp":     "camp closed",
}

// lanesPlot draws lanes as horizontal bars; lane 0 at the top.
type lanesPlot struct{ lanes []Lane }

func (lp lanesPlot) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(lp.lanes)
	for i, l := range lp.lanes {
		y := float64(n - 1 - i)
		col := laneColour[l.Group]
		if i%2 == 0 {
			c.SetColor(color.RGBA{246, 246, 246, 255})
			c.Fill(rectPath(c.Min.X, ty(y-0.5), c.Max.X, ty(y+0.5)))
		}
		for _, s := range l.Spans {
			a := 1.0
			if l.Group == "conflict" {
				a = 0.35 + 0.65*math.Min(1, math.Max(0, s.Intensity))
			}
			c.SetColor(withAlpha(col, a))
			c.Fill(rectPath(tx(float64(s.From)), ty(y-0.32), tx(float64(s.To)), ty(y+0.32)))
		}
		if i > 0 && lp.lanes[i-1].Group != l.Group {
			yb := ty(y + 0.5)
			c.StrokeLine2(draw.LineStyle{Color: colGrey, Width: 0.8}, c.Min.X, yb, c.Max.X, yb)
		}
		for _, d := range l.Marks {
			x := tx(float64(d))
			c.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1}, x, ty(y-0.42), x, ty(y+0.42))
		}
	}
}

// TimelineFigure draws the drivers and policies of the run: conflict
// periods per place as bars and closures as spans, on the run's dates.
func TimelineFigure(lanes []Lane, start time.Time, days int) *Figure {
	n := len(lanes)
	rowH := vg.Length(15)
	height := vg.Length(1.45)*vg.Inch + rowH*vg.Length(max(n, 1))
	title := "Timeline of conflicts and closures"
	labels := make([]string, n)
	groups := map[string]bool{}
	for i, l := range lanes {
		labels[n-1-i] = l.Label
		groups[l.Group] = true
	}
	p := newPlot("", "date", "")
	p.X.Tick.Marker = dateTicks{Start: start, MaxLabels: 9}
	if n > 0 {
		p.NominalY(labels...)
		p.Y.Tick.Label.Font.Size = 9
		p.Y.Tick.Label.Color = colText
	} else {
		p.HideY()
	}
	p.Add(gridLines{vertical: true}, lanesPlot{lanes})
	p.X.Min, p.X.Max = 0, float64(max(days, 1))
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	var items []legendItem
	hasMarks := false
	for _, g := range []string{"conflict", "closure", "camp"} {
		if groups[g] {
			items = append(items, legendItem{label: laneLegend[g], thumb: boxThumb(laneColour[g])})
		}
	}
	for _, l := range lanes {
		hasMarks = hasMarks || len(l.Marks) > 0
	}
	if hasMarks {
		items = append(items, legendItem{label: "intensity changes", width: 8, thumb: func(c draw.Canvas, r vg.Rectangle) {
			x := (r.Min.X + r.Max.X) / 2
			c.StrokeLine2(draw.LineStyle{Color: colBlack, Width: 1}, x, r.Min.Y, x, r.Max.Y)
		}})
	}
	return &Figure{
		Name:  "timeline",
		Title: title,
		Caption: fmt.Sprintf("What drove the run and which policies applied, from events.csv: one row per place in conflict (from onset "+
			"to end, or to the end of the run), then one per closure. The run covers %s to %s.",
			start.Format("2 January 2006"), start.AddDate(0, 0, max(days-1, 0)).Format("2 January 2006")),
		Width: 10 * vg.Inch, Height: height,
		Draw: func(dc draw.Canvas) {
			dc.SetColor(colWhite)
			dc.Fill(dc.Rectangle.Path())
			top := dc.Max.Y
			fillText(dc, textStyle(13, true), dc.Min.X+10, top-18, title)
			if n == 0 {
				fillText(dc, textStyle(10, false), dc.Min.X+10, top-38, "The run applied no dated conflicts or closures.")
			} else {
				legendRow(dc, textStyle(10, false), dc.Min.X+10, top-36, items)
			}
			c := dc
			c.Max.Y -= 46
			c.Max.X -= 16
			c.Min.X += 4
			c.Min.Y += 4
			p.Draw(c)
		},
	}
}
