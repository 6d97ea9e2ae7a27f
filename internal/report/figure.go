package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one picture of the report, drawn the same way to SVG and PNG.
type Figure struct {
	Name    string // file stem: <Name>.svg, <Name>.png
	Title   string // heading in the HTML page and alt text
	Caption string // how to read it, one or two sentences
	Width   vg.Length
	Height  vg.Length
	Draw    func(c draw.Canvas)
}

// PNGDPI is the resolution of the PNG files.
const PNGDPI = 144

// SVG renders the figure as an SVG document. Text uses Liberation Sans
// metrics with metric-compatible fallbacks (Arimo, Arial, Helvetica), so
// labels fit wherever it is viewed.
func (f *Figure) SVG() ([]byte, error) {
	c := vgsvg.New(f.Width, f.Height)
	f.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render %s.svg: %w", f.Name, err)
	}
	return bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;")), nil
}

// PNG renders the figure as a PNG image at PNGDPI.
func (f *Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
	f.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render %s.png: %w", f.Name, err)
	}
	return b.Bytes(), nil
}

// Colours: the Okabe–Ito palette, distinguishable with colour-blindness.
var (
	colWhite     = color.RGBA{255, 255, 255, 255}
	colBlack     = color.RGBA{0, 0, 0, 255}
	colOrange    = color.RGBA{230, 159, 0, 255}
	colSky       = color.RGBA{86, 180, 233, 255}
	colGreen     = color.RGBA{0, 158, 115, 255}
	colYellow    = color.RGBA{240, 228, 66, 255}
	colBlue      = color.RGBA{0, 114, 178, 255}
	colVermilion = color.RGBA{213, 94, 0, 255}
	colPurple    = color.RGBA{204, 121, 167, 255}
	colGrey      = color.RGBA{120, 120, 120, 255}
	colLightGrey = color.RGBA{200, 200, 200, 255}
	colGrid      = color.RGBA{230, 230, 230, 255}
	colText      = color.RGBA{34, 34, 34, 255}
	colSubtle    = color.RGBA{90, 90, 90, 255}
)

func withAlpha(c color.RGBA, a float64) color.NRGBA {
	return color.NRGBA{c.R, c.G, c.B, uint8(math.Round(255 * a))}
}

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}
var sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: stdfont.WeightBold}

func textStyle(size vg.Length, bold bool) text.Style {
	f := sans
	if bold {
		f = sansBold
	}
	return text.Style{Color: colText, Font: font.From(f, size), Handler: plot.DefaultTextHandler,
		XAlign: draw.XLeft, YAlign: draw.YBottom}
}

// newPlot returns a plot in the report's style: sans-serif text, a light
// grid, no top/right clutter.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansBold, 11)
	p.Title.Padding = 4
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 10)
		ax.Label.TextStyle.Color = colText
		ax.Tick.Label.Font = font.From(sans, 9)
		ax.Tick.Label.Color = colSubtle
		ax.LineStyle.Color = colGrey
		ax.Tick.LineStyle.Color = colGrey
		ax.Padding = 2
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.TextStyle.Font = font.From(sans, 9)
	p.Legend.TextStyle.Color = colText
	return p
}

// gridLines draws horizontal grid lines at the major y ticks.
type gridLines struct{ vertical bool }

func (g gridLines) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sty := draw.LineStyle{Color: colGrid, Width: vg.Points(0.6)}
	if g.vertical {
		for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
			if tk.IsMinor() || tk.Value < p.X.Min || tk.Value > p.X.Max {
				continue
			}
			x := tx(tk.Value)
			c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
		}
		return
	}
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if tk.IsMinor() || tk.Value < p.Y.Min || tk.Value > p.Y.Max {
			continue
		}
		y := ty(tk.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

// niceTicks returns about target major ticks on round values (1, 2, 2.5
// or 5 times a power of ten) covering [min, max], labelled by label, with
// the step passed along so that labels can choose their precision.
func niceTicks(min, max float64, target int, label func(v, step float64) string) []plot.Tick {
	if !(max > min) || target < 1 {
		return []plot.Tick{{Value: min, Label: label(min, 1)}}
	}
	raw := (max - min) / float64(target)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, best := mag, math.Inf(1)
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		n := (max - min) / (m * mag)
		if d := math.Abs(n - float64(target)); n >= 2 && d < best {
			step, best = m*mag, d
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(min/step-1e-9) * step; v <= max+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ts = append(ts, plot.Tick{Value: v, Label: label(v, step)})
	}
	return ts
}

// decimals is the number of decimals needed to write multiples of step.
func decimals(step float64) int {
	d := 0
	for d < 6 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-6 {
		d++
	}
	return d
}

// countTicks labels a y axis of people compactly: 800, 1.5k, 20k, 1.2M.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 4, func(v, _ float64) string { return compact(v) })
}

// compact formats a count of people for an axis.
func compact(v float64) string {
	a := math.Abs(v)
	trim := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	switch {
	case a >= 1e6:
		return trim(strconv.FormatFloat(v/1e6, 'f', 2, 64)) + "M"
	case a >= 1e3:
		return trim(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	}
	return trim(strconv.FormatFloat(v, 'f', 1, 64))
}

// percentTicks labels a y axis of fractions as percentages.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 5, func(v, step float64) string {
		return strconv.FormatFloat(v*100, 'f', decimals(step*100), 64) + "%"
	})
}

// dateTicks places ticks on calendar boundaries for an axis in day
// indices counted from Start, with at most MaxLabels labels. Spans of three
// months or more get month-based ticks.
type dateTicks struct {
	Start     time.Time
	MaxLabels int
}

type dateStep struct {
	days, months int
}

var dateSteps = []dateStep{
	{days: 1}, {days: 2}, {days: 7}, {days: 14},
	{months: 1}, {months: 2}, {months: 3}, {months: 6}, {months: 12}, {months: 24}, {months: 60}, {months: 120},
}

func (d dateTicks) Ticks(min, max float64) []plot.Tick {
	maxLabels := d.MaxLabels
	if maxLabels < 2 {
		maxLabels = 2
	}
	span := max - min
	for si, s := range dateSteps {
		if span >= 88 && s.months == 0 {
			continue
		}
		n := span / float64(s.days+30*s.months)
		if n > float64(maxLabels) && si < len(dateSteps)-1 {
			continue
		}
		major := d.marks(min, max, s)
		var minor []float64
		switch {
		case s.months >= 24:
			minor = d.marks(min, max, dateStep{months: 12})
		case s.months >= 2:
			minor = d.marks(min, max, dateStep{months: 1})
		case s.days >= 7:
			minor = d.marks(min, max, dateStep{days: 7})
		}
		var ts []plot.Tick
		isMajor := map[float64]bool{}
		for i, v := range major {
			isMajor[v] = true
			t := d.Start.AddDate(0, 0, int(v))
			var lbl string
			switch {
			case s.months >= 12:
				lbl = t.Format("2006")
			case s.months > 0 && (i == 0 || t.Month() == time.January):
				lbl = t.Format("Jan 2006")
			case s.months > 0:
				lbl = t.Format("Jan")
			case i == 0 || t.Year() != d.Start.AddDate(0, 0, int(major[i-1])).Year():
				lbl = t.Format("2 Jan 2006")
			default:
				lbl = t.Format("2 Jan")
			}
			ts = append(ts, plot.Tick{Value: v, Label: lbl})
		}
		if len(minor) <= 6*len(major)+6 {
			for _, v := range minor {
				if !isMajor[v] {
					ts = append(ts, plot.Tick{Value: v})
				}
			}
		}
		return ts
	}
	return nil
}

// marks returns the day indices in [min, max] that fall on step boundaries.
func (d dateTicks) marks(min, max float64, s dateStep) []float64 {
	var out []float64
	first := d.Start.AddDate(0, 0, int(math.Floor(min)))
	var t time.Time
	switch {
	case s.months > 0:
		t = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
		for (int(t.Month())-1)%mod12(s.months) != 0 {
			t = t.AddDate(0, -1, 0)
		}
		if s.months > 12 {
			for t.Year()%(s.months/12) != 0 {
				t = t.AddDate(-1, 0, 0)
			}
		}
	case s.days >= 7: // Mondays
		t = first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	default:
		t = first
	}
	for i := 0; i < 10000; i++ {
		v := math.Round(t.Sub(d.Start).Hours() / 24)
		if v > max {
			break
		}
		if v >= min {
			out = append(out, v)
		}
		if s.months > 0 {
			t = t.AddDate(0, s.months, 0)
		} else {
			t = t.AddDate(0, 0, s.days)
		}
	}
	return out
}

// thousands formats an integer with thin-space-free comma grouping: 12,345.
func thousands(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	n := int64(math.Round(v))
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// fillText draws s with its anchor at (x, y) using the style's alignment.
func fillText(c draw.Canvas, sty text.Style, x, y vg.Length, s string) {
	c.FillText(sty, vg.Point{X: x, Y: y}, s)
}

func mod12(months int) int {
	if months > 12 {
		return 12
	}
	return months
}

// signedPct formats a fraction as a signed percentage with a true minus
// sign: +30%, −53%.
func signedPct(f float64) string {
	s := strconv.FormatFloat(math.Abs(100*f), 'f', 0, 64)
	switch {
	case s == "0":
		return "0%"
	case f < 0:
		return "−" + s + "%"
	}
	return "+" + s + "%"
}
