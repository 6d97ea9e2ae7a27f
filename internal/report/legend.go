package report

import (
	"image/color"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendItem is one entry of a legend: a small picture and its words.
type legendItem struct {
	label string
	// thumb draws the picture inside r.
	thumb func(c draw.Canvas, r vg.Rectangle)
	// width of the picture; 0 means the default.
	width vg.Length
	// height of the row in a column legend; 0 means one line of text.
	height vg.Length
}

const thumbW = vg.Length(22)

func (it legendItem) thumbWidth() vg.Length {
	if it.width > 0 {
		return it.width
	}
	return thumbW
}

// legendRow draws items left to right from (x, y) (baseline of the text)
// and returns the x after the last item.
func legendRow(c draw.Canvas, sty text.Style, x, y vg.Length, items []legendItem) vg.Length {
	h := sty.Font.Size
	for _, it := range items {
		w := it.thumbWidth()
		it.thumb(c, vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + w, Y: y + h*0.8}})
		x += w + 4
		fillText(c, sty, x, y, it.label)
		x += sty.Width(it.label) + 14
	}
	return x
}

// legendColumn draws items top to bottom from (x, y) (top of the first
// entry); rows are at least minH tall. It returns the y below the last item.
func legendColumn(c draw.Canvas, sty text.Style, x, y vg.Length, minH vg.Length, items []legendItem) vg.Length {
	for _, it := range items {
		w := it.thumbWidth()
		h := max(minH, it.height, sty.Font.Size*1.5)
		if it.width > w {
			w = it.width
		}
		r := vg.Rectangle{Min: vg.Point{X: x, Y: y - h}, Max: vg.Point{X: x + w, Y: y}}
		it.thumb(c, r)
		fillText(c, sty, x+w+5, y-h/2-sty.Font.Size*0.35, it.label)
		y -= h + 2
	}
	return y
}

func lineThumb(sty draw.LineStyle) func(draw.Canvas, vg.Rectangle) {
	return func(c draw.Canvas, r vg.Rectangle) {
		ym := (r.Min.Y + r.Max.Y) / 2
		c.StrokeLine2(sty, r.Min.X, ym, r.Max.X, ym)
	}
}

func boxThumb(fill color.Color) func(draw.Canvas, vg.Rectangle) {
	return func(c draw.Canvas, r vg.Rectangle) {
		ym := (r.Min.Y + r.Max.Y) / 2
		h := (r.Max.Y - r.Min.Y) * 0.7
		c.SetColor(fill)
		c.Fill(rectPath(r.Min.X, ym-h/2, r.Max.X, ym+h/2))
	}
}

func circleThumb(fill color.Color, radius vg.Length, ring color.Color) func(draw.Canvas, vg.Rectangle) {
	return func(c draw.Canvas, r vg.Rectangle) {
		ctr := vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
		drawDot(c, ctr, radius, fill, ring)
	}
}

func rectPath(x0, y0, x1, y1 vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x0, Y: y0})
	p.Line(vg.Point{X: x1, Y: y0})
	p.Line(vg.Point{X: x1, Y: y1})
	p.Line(vg.Point{X: x0, Y: y1})
	p.Close()
	return p
}

func circlePath(ctr vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: ctr.X + r, Y: ctr.Y})
	p.Arc(ctr, r, 0, 2*3.141592653589793)
	p.Close()
	return p
}

// drawDot draws a filled circle with a white edge and, if ring is not nil,
// a coloured ring around it.
func drawDot(c draw.Canvas, ctr vg.Point, r vg.Length, fill color.Color, ring color.Color) {
	c.SetColor(fill)
	c.Fill(circlePath(ctr, r))
	c.SetLineStyle(draw.LineStyle{Color: color.White, Width: 0.8})
	c.Stroke(circlePath(ctr, r))
	if ring != nil {
		c.SetLineStyle(draw.LineStyle{Color: ring, Width: 1.6})
		c.Stroke(circlePath(ctr, r+1.6))
	}
}
