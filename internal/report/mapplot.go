package report

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// Place kinds as the map shows them.
type mapKind struct {
	key    string
	label  string
	colour color.Color
}

var mapKinds = []mapKind{
	{"conflict_zone", "conflict zone (at any time in the run)", colVermilion},
	{"camp", "camp", colBlue},
	{"idpcamp", "camp for internally displaced", colSky},
	{"forwarding_hub", "forwarding hub", colOrange},
	{"town", "town", color.RGBA{150, 150, 150, 255}},
	{"marker", "route waypoint", colLightGrey},
	{"unknown", "other", colPurple},
}

func kindOf(key string) mapKind {
	for _, k := range mapKinds {
		if k.key == key {
			return k
		}
	}
	return mapKinds[len(mapKinds)-1]
}

const (
	mapRMin = vg.Length(2.6)
	mapRMax = vg.Length(15)
	mapWMax = vg.Length(8)
)

// mapData is the network prepared for drawing.
type mapData struct {
	places  []Place
	kinds   []mapKind
	radius  []vg.Length
	labels  []bool
	routes  []Route
	from    []int
	to      []int
	maxPop  int
	maxFlow int64
	lat0    float64
}

func newMapData(places []Place, routes []Route, conflict map[string]bool) *mapData {
	m := &mapData{places: places}
	idx := map[string]int{}
	for i, p := range places {
		idx[p.Name] = i
		m.maxPop = max(m.maxPop, p.Final)
	}
	for i, p := range places {
		k := kindOf(p.Kind)
		if conflict[p.Name] && p.Kind != "camp" && p.Kind != "idpcamp" {
			k = kindOf("conflict_zone")
		}
		m.kinds = append(m.kinds, k)
		m.radius = append(m.radius, m.radiusFor(p.Final, k.key))
		m.labels = append(m.labels, k.key != "marker")
		_ = i
	}
	for _, r := range routes {
		a, okA := idx[r.From]
		b, okB := idx[r.To]
		if !okA || !okB {
			continue
		}
		m.routes = append(m.routes, r)
		m.from = append(m.from, a)
		m.to = append(m.to, b)
		m.maxFlow = max(m.maxFlow, r.Flow())
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range places {
		lo, hi = math.Min(lo, p.Lat), math.Max(hi, p.Lat)
	}
	if len(places) > 0 {
		m.lat0 = (lo + hi) / 2
	}
	return m
}

// radiusFor gives a marker whose area is proportional to the population,
// but never smaller than mapRMin.
func (m *mapData) radiusFor(pop int, kind string) vg.Length {
	if kind == "marker" {
		return 1.5
	}
	if m.maxPop <= 0 || pop <= 0 {
		return mapRMin
	}
	return max(mapRMin, mapRMax*vg.Length(math.Sqrt(float64(pop)/float64(m.maxPop))))
}

func (m *mapData) width(flow int64) vg.Length {
	if m.maxFlow <= 0 || flow <= 0 {
		return 0.6
	}
	return max(0.8, mapWMax*vg.Length(float64(flow)/float64(m.maxFlow)))
}

// Plot implements plot.Plotter: routes, then places (largest first), then
// labels placed so that they overlap neither each other nor a place.
func (m *mapData) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	pt := func(i int) vg.Point { return vg.Point{X: tx(m.places[i].Lon), Y: ty(m.places[i].Lat)} }
	order := make([]int, len(m.routes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(m.routes[a].Flow(), m.routes[b].Flow()) })
	for _, k := range order {
		r := m.routes[k]
		sty := draw.LineStyle{Color: withAlpha(color.RGBA{70, 90, 110, 255}, 0.65), Width: m.width(r.Flow())}
		if r.Flow() <= 0 {
			sty = draw.LineStyle{Color: colLightGrey, Width: 0.7, Dashes: []vg.Length{2, 2}}
		}
		a, b := pt(m.from[k]), pt(m.to[k])
		c.StrokeLine2(sty, a.X, a.Y, b.X, b.Y)
	}
	po := make([]int, len(m.places))
	for i := range po {
		po[i] = i
	}
	slices.SortStableFunc(po, func(a, b int) int { return cmp.Compare(m.radius[b], m.radius[a]) })
	for _, i := range po {
		drawDot(c, pt(i), m.radius[i], m.kinds[i].colour, nil)
	}
	m.drawLabels(c, pt)
}

// fillData paints the data area.
type fillData struct{ c color.Color }

func (f fillData) Plot(c draw.Canvas, _ *plot.Plot) {
	c.SetColor(f.c)
	c.Fill(c.Rectangle.Path())
}

// drawLabels labels camps, then conflict zones, then (smaller, in grey)
// other places, larger places first within each, trying eight positions
// around each place and leaving out a label when all of them collide.
func (m *mapData) drawLabels(c draw.Canvas, pt func(int) vg.Point) {
	sty := textStyle(8, false)
	var taken []vg.Rectangle
	for i := range m.places {
		q, r := pt(i), m.radius[i]
		taken = append(taken, vg.Rectangle{Min: vg.Point{X: q.X - r, Y: q.Y - r}, Max: vg.Point{X: q.X + r, Y: q.Y + r}})
	}
	var want []int
	for i := range m.places {
		if m.labels[i] {
			want = append(want, i)
		}
	}
	rank := func(i int) int {
		switch m.kinds[i].key {
		case "camp", "idpcamp":
			return 0
		case "conflict_zone":
			return 1
		}
		return 2
	}
	minor := textStyle(7, false)
	minor.Color = colSubtle
	slices.SortStableFunc(want, func(a, b int) int {
		if d := cmp.Compare(rank(a), rank(b)); d != 0 {
			return d
		}
		return cmp.Compare(m.places[b].Final, m.places[a].Final)
	})
	for _, i := range want {
		sty := sty
		if rank(i) == 2 {
			sty = minor
		}
		fe := sty.FontExtents()
		name := m.places[i].Name
		w := sty.Width(name)
		h := fe.Ascent + fe.Descent
		q, r := pt(i), m.radius[i]+1.5
		cands := []vg.Point{ // lower-left corner of the label box
			{X: q.X + r, Y: q.Y - h/2}, {X: q.X - r - w, Y: q.Y - h/2},
			{X: q.X - w/2, Y: q.Y + r}, {X: q.X - w/2, Y: q.Y - r - h},
			{X: q.X + r*0.7, Y: q.Y + r*0.7}, {X: q.X - r*0.7 - w, Y: q.Y + r*0.7},
			{X: q.X + r*0.7, Y: q.Y - r*0.7 - h}, {X: q.X - r*0.7 - w, Y: q.Y - r*0.7 - h},
		}
		for _, ll := range cands {
			box := vg.Rectangle{Min: ll, Max: vg.Point{X: ll.X + w, Y: ll.Y + h}}
			if box.Min.X < c.Min.X || box.Max.X > c.Max.X || box.Min.Y < c.Min.Y || box.Max.Y > c.Max.Y {
				continue
			}
			clash := false
			for j, t := range taken {
				if j == i {
					continue
				}
				if overlaps(box, t) {
					clash = true
					break
				}
			}
			if clash {
				continue
			}
			c.SetColor(color.NRGBA{255, 255, 255, 190})
			c.Fill(rectPath(box.Min.X-1, box.Min.Y, box.Max.X+1, box.Max.Y))
			fillText(c, sty, ll.X, ll.Y+fe.Descent, name)
			taken = append(taken, box)
			break
		}
	}
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// GlyphBoxes implements plot.GlyphBoxer so that markers at the edge are
// not clipped.
func (m *mapData) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	out := make([]plot.GlyphBox, len(m.places))
	for i, pl := range m.places {
		r := m.radius[i] + 1
		out[i] = plot.GlyphBox{X: p.X.Norm(pl.Lon), Y: p.Y.Norm(pl.Lat),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}}
	}
	return out
}

// degreeTicks labels an axis in degrees with a hemisphere letter:
// pos for positive values (E or N), neg for negative ones (W or S).
type degreeTicks struct{ pos, neg string }

func (d degreeTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 6, func(v, step float64) string {
		s := strconv.FormatFloat(math.Abs(v), 'f', decimals(step), 64) + "°"
		switch {
		case v > 0:
			s += d.pos
		case v < 0:
			s += d.neg
		}
		return s
	})
}

// MapFigure draws places and routes on an equirectangular projection
// (longitude scaled by the cosine of the middle latitude; no base map):
// places coloured by kind and sized by their final population, routes as
// lines as wide as the number of agents that set out along them, labels for
// camps and conflict zones, and a legend. conflict names the places that
// were in conflict at any time in the run.
func MapFigure(places []Place, routes []Route, conflict map[string]bool) *Figure {
	m := newMapData(places, routes, conflict)
	const legendW = 2.7 * vg.Inch
	mapW := vg.Length(7.3) * vg.Inch
	p := newPlot("", "longitude", "latitude")
	p.X.Tick.Marker = degreeTicks{"E", "W"}
	p.Y.Tick.Marker = degreeTicks{"N", "S"}
	lonLo, lonHi, latLo, latHi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, pl := range places {
		lonLo, lonHi = math.Min(lonLo, pl.Lon), math.Max(lonHi, pl.Lon)
		latLo, latHi = math.Min(latLo, pl.Lat), math.Max(latHi, pl.Lat)
	}
	if len(places) == 0 {
		lonLo, lonHi, latLo, latHi = 0, 1, 0, 1
	}
	kx := math.Cos(m.lat0 * math.Pi / 180)
	if kx < 0.1 {
		kx = 0.1
	}
	// Pad so that labels fit.
	padLon := math.Max((lonHi-lonLo)*0.08, 0.15)
	padLat := math.Max((latHi-latLo)*0.06, 0.15)
	lonLo, lonHi, latLo, latHi = lonLo-padLon, lonHi+padLon, latLo-padLat, latHi+padLat
	p.Add(fillData{color.RGBA{246, 248, 251, 255}}, gridLines{}, gridLines{vertical: true}, m)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lonLo, lonHi, latLo, latHi

	// Size the map so that one degree of latitude is as long on the page as
	// 1/kx degrees of longitude.
	const trialH = 6 * vg.Inch
	dataW, dataH := dataArea(p, mapW, trialH)
	decorV := trialH - dataH
	want := dataW * vg.Length((latHi-latLo)/((lonHi-lonLo)*kx))
	lo, hi := vg.Length(3.6)*vg.Inch, vg.Length(8)*vg.Inch
	switch {
	case want < lo:
		extra := (float64(lo)/float64(dataW)*(lonHi-lonLo)*kx - (latHi - latLo)) / 2
		latLo, latHi = latLo-extra, latHi+extra
		want = lo
	case want > hi:
		extra := (float64(dataW)/float64(hi)*(latHi-latLo)/kx - (lonHi - lonLo)) / 2
		lonLo, lonHi = lonLo-extra, lonHi+extra
		want = hi
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lonLo, lonHi, latLo, latHi
	mapH := want + decorV
	height := max(mapH+0.45*vg.Inch, 5.2*vg.Inch)
	title := "Places and routes"
	return &Figure{
		Name:  "map",
		Title: title,
		Caption: fmt.Sprintf("Places are coloured by kind and sized by the people there at the end of the run (area ∝ people); "+
			"routes are as wide as the number of agents who set out along them, either way. Camps and conflict zones are labelled "+
			"where the label fits. Equirectangular projection (longitude scaled by cos %.1f°); no base map.", m.lat0),
		Width: mapW + legendW, Height: height,
		Draw: func(dc draw.Canvas) {
			dc.SetColor(colWhite)
			dc.Fill(dc.Rectangle.Path())
			top := dc.Max.Y
			fillText(dc, textStyle(13, true), dc.Min.X+10, top-18, title+" at the end of the run")
			mc := dc
			mc.Max.X = dc.Min.X + mapW
			mc.Max.Y = top - 0.4*vg.Inch
			mc.Min.Y = mc.Max.Y - mapH
			mc.Min.X += 4
			p.Draw(mc)
			m.drawLegend(dc, dc.Min.X+mapW+14, top-0.45*vg.Inch)
		},
	}
}

// dataArea returns the size of the plot's data area on a w×h canvas.
func dataArea(p *plot.Plot, w, h vg.Length) (vg.Length, vg.Length) {
	c := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}}
	da := p.DataCanvas(c)
	return da.Max.X - da.Min.X, da.Max.Y - da.Min.Y
}

func (m *mapData) drawLegend(c draw.Canvas, x, y vg.Length) {
	head := textStyle(10, true)
	sty := textStyle(9, false)
	fillText(c, head, x, y-10, "Places")
	y -= 16
	present := map[string]bool{}
	for _, k := range m.kinds {
		present[k.key] = true
	}
	var items []legendItem
	for _, k := range mapKinds {
		if present[k.key] {
			r := vg.Length(5)
			if k.key == "marker" {
				r = 1.5
			}
			items = append(items, legendItem{label: k.label, thumb: circleThumb(k.colour, r, nil), width: 14})
		}
	}
	y = legendColumn(c, sty, x, y, 14, items)
	y -= 8
	fillText(c, head, x, y-10, "People at the end (area)")
	y -= 16
	items = nil
	for _, v := range niceSteps(float64(m.maxPop)) {
		r := m.radiusFor(int(v), "camp")
		items = append(items, legendItem{label: thousands(v), thumb: circleThumb(withAlpha(colGrey, 0.5), r, nil), width: 2*mapRMax + 2, height: 2*r + 2})
	}
	y = legendColumn(c, sty, x, y, 0, items)
	y -= 8
	fillText(c, head, x, y-10, "Agents who set out on a route")
	y -= 16
	items = nil
	for _, v := range niceSteps(float64(m.maxFlow)) {
		items = append(items, legendItem{label: thousands(v), width: 2*mapRMax + 2,
			thumb: lineThumb(draw.LineStyle{Color: withAlpha(color.RGBA{70, 90, 110, 255}, 0.65), Width: m.width(int64(v))})})
	}
	items = append(items, legendItem{label: "none", width: 2*mapRMax + 2,
		thumb: lineThumb(draw.LineStyle{Color: colLightGrey, Width: 0.7, Dashes: []vg.Length{2, 2}})})
	legendColumn(c, sty, x, y, 0, items)
}

// niceSteps returns up to three round values up to top, largest first,
// for size legends.
func niceSteps(top float64) []float64 {
	if top <= 0 {
		return nil
	}
	mag := math.Pow(10, math.Floor(math.Log10(top)))
	first := math.Floor(top/mag) * mag
	out := []float64{first}
	for _, f := range []float64{0.25, 0.05} {
		v := first * f
		if v >= 1 {
			mg := math.Pow(10, math.Floor(math.Log10(v)))
			out = append(out, math.Round(v/mg)*mg)
		}
	}
	return slices.Compact(out)
}
