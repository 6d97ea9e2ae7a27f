package calibrate

import (
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	colS1 = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	colST = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// PlotSobol draws first-order and total indices per parameter with their
// 95% intervals, for one output, and writes it in format (png, svg, pdf).
func PlotSobol(w io.Writer, format, title string, idx []SobolIndex) error {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "Sobol index"
	p.Y.Min, p.Y.Max = 0, 1
	names := make([]string, len(idx))
	for i, s := range idx {
		names[i] = s.Param
	}
	add := func(dx float64, col color.Color, label string, v func(SobolIndex) (float64, float64)) error {
		var pts plotter.XYs
		var errs plotter.YErrors
		for i, s := range idx {
			y, c := v(s)
			if math.IsNaN(c) {
				c = 0
			}
			pts = append(pts, plotter.XY{X: float64(i) + dx, Y: y})
			errs = append(errs, struct{ Low, High float64 }{c, c})
			p.Y.Min = math.Min(p.Y.Min, y-c)
			p.Y.Max = math.Max(p.Y.Max, y+c)
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return err
		}
		eb.LineStyle.Color = col
		p.Add(eb, sc)
		p.Legend.Add(label, sc)
		return nil
	}
	if err := add(-0.12, colS1, "first order S1", func(s SobolIndex) (float64, float64) { return s.S1, s.S1Conf }); err != nil {
		return err
	}
	if err := add(0.12, colST, "total ST", func(s SobolIndex) (float64, float64) { return s.ST, s.STConf }); err != nil {
		return err
	}
	p.Add(plotter.NewGrid())
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(idx))-0.5
	p.Legend.Top = true
	return save(w, p, format, len(idx))
}

// PlotMorris draws each parameter's μ* against σ, labelled.
func PlotMorris(w io.Writer, format, title string, eff []MorrisEffect) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "μ* (mean |effect| per unit of range)"
	p.Y.Label.Text = "σ (standard deviation of effects)"
	var pts plotter.XYs
	var labels []string
	for _, e := range eff {
		s := e.Sigma
		if math.IsNaN(s) {
			s = 0
		}
		pts = append(pts, plotter.XY{X: e.MuStar, Y: s})
		labels = append(labels, " "+e.Param)
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: colS1, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return err
	}
	p.Add(plotter.NewGrid(), sc, lb)
	p.X.Min, p.Y.Min = 0, 0
	for _, pt := range pts {
		p.X.Max = math.Max(p.X.Max, 1.35*pt.X) // room for the labels
	}
	return save(w, p, format, len(eff))
}

func save(w io.Writer, p *plot.Plot, format string, n int) error {
	width := vg.Length(max(4, 1+float64(n))) * vg.Inch
	wt, err := p.WriterTo(min(width, 10*vg.Inch), 3.5*vg.Inch, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
