package chart

import (
	"math"
	"strings"
	"unicode/utf8"
)

// shape is one thing drawn: a rectangle, a line, a polygon or polyline,
// a circle or a text. Colours are given; role names those that follow the
// light or dark theme (text, value, grid, up, down), which take theirs
// from the backend.
type shape struct {
	kind           shapeKind
	x, y, w, h     float64 // rect; a circle's centre and radius in w
	x2, y2         float64 // a line's end
	pts            []point
	text           string
	anchor         string // start, middle, end
	size           float64
	bold           bool
	fill, stroke   string
	role           string
	opacity, width float64
	title          string // the hover text
}

type shapeKind int

const (
	rectShape shapeKind = iota
	lineShape
	polygonShape
	polylineShape
	circleShape
	textShape
)

type point struct{ X, Y float64 }

// drawing is a laid-out chart.
type drawing struct {
	w, h   int
	title  string
	shapes []shape
}

func (d *drawing) add(s shape) { d.shapes = append(d.shapes, s) }

func (d *drawing) text(x, y float64, s, anchor, role string, size float64) {
	d.add(shape{kind: textShape, x: x, y: y, text: s, anchor: anchor, role: role, size: size})
}

// The sizes of text.
const (
	small = 11.0
	label = 12.0
)

// textWidth guesses the width of s in the system font at size.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.58
}

// fit shortens s with an ellipsis to fit width at size.
func fit(s string, width, size float64) string {
	n := int(width / (size * 0.58))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 2 {
		return ""
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// layout lays the chart out.
func (c Chart) layout() *drawing {
	c.defaults()
	d := &drawing{w: c.Width, h: c.Height, title: c.Title}
	if c.empty() {
		d.text(float64(c.Width)/2, float64(c.Height)/2, c.Empty, "middle", "text", label)
		return d
	}
	switch c.Kind {
	case Pie, Donut:
		c.pie(d)
	case Funnel:
		c.funnel(d)
	case KPI:
		c.kpi(d)
	default:
		c.axes(d)
	}
	return d
}

// legend draws the series' swatches and names along the top and returns
// the height it took.
func (c *Chart) legend(d *drawing, names []string) float64 {
	if len(names) < 2 {
		return 0
	}
	x, y := 8.0, 14.0
	for i, name := range names {
		w := 18 + textWidth(name, small) + 14
		if x+w > float64(c.Width) && x > 8 {
			x, y = 8, y+18
		}
		d.add(shape{kind: rectShape, x: x, y: y - 9, w: 10, h: 10, fill: Palette[i%len(Palette)]})
		d.text(x+16, y, name, "start", "text", small)
		x += w
	}
	return y + 10
}

// axes draws bar, stacked bar, line and area charts: a value axis with
// round ticks and grid lines, and the categories along the bottom.
func (c *Chart) axes(d *drawing) {
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
	}
	top := c.legend(d, names) + 12
	bottom := float64(c.Height) - 26
	lo, hi := 0.0, 0.0
	for i := range c.Categories {
		pos, neg := 0.0, 0.0
		for s := range c.Series {
			v := c.value(s, i)
			if c.Kind == StackedBar {
				if v > 0 {
					pos += v
				} else {
					neg += v
				}
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		lo, hi = math.Min(lo, neg), math.Max(hi, pos)
	}
	ts := ticks(lo, hi, 5)
	left := 0.0
	for _, t := range ts {
		left = math.Max(left, textWidth(c.Tick(t), small))
	}
	left += 14
	right := float64(c.Width) - 8
	y := func(v float64) float64 {
		return bottom - (v-ts[0])/(ts[len(ts)-1]-ts[0])*(bottom-top)
	}
	for _, t := range ts {
		d.add(shape{kind: lineShape, x: left, y: y(t), x2: right, y2: y(t), role: "grid", width: 1})
		d.text(left-6, y(t)+4, c.Tick(t), "end", "text", small)
	}
	n := len(c.Categories)
	band := (right - left) / float64(n)
	// Every step-th category is labelled, so that labels never overlap.
	widest := 0.0
	for _, cat := range c.Categories {
		widest = math.Max(widest, math.Min(textWidth(cat, small), 90))
	}
	step := max(1, int(math.Ceil((widest+8)/band)))
	for i, cat := range c.Categories {
		if i%step == 0 {
			d.text(left+band*(float64(i)+0.5), float64(c.Height)-8, fit(cat, band*float64(step)-4, small), "middle", "text", small)
		}
	}
	zero := y(math.Max(ts[0], math.Min(0, ts[len(ts)-1])))
	switch c.Kind {
	case Line, Area:
		c.lines(d, left, band, y, zero)
	default:
		c.bars(d, left, band, y)
	}
	d.add(shape{kind: lineShape, x: left, y: zero, x2: right, y2: zero, role: "axis", width: 1})
}

func (c *Chart) hover(s, i int) string {
	v := c.Format(c.value(s, i))
	if len(c.Series) > 1 {
		return c.Categories[i] + " · " + c.Series[s].Name + ": " + v
	}
	return c.Categories[i] + ": " + v
}

func (c *Chart) bars(d *drawing, left, band float64, y func(float64) float64) {
	inner := band * 0.72
	for i := range c.Categories {
		x0 := left + band*float64(i) + (band-inner)/2
		pos, neg := 0.0, 0.0
		for s := range c.Series {
			v := c.value(s, i)
			colour := Palette[s%len(Palette)]
			if c.Kind == StackedBar {
				base := &pos
				if v < 0 {
					base = &neg
				}
				a, b := y(*base), y(*base+v)
				*base += v
				d.add(shape{kind: rectShape, x: x0, y: math.Min(a, b), w: inner, h: math.Abs(a - b), fill: colour, title: c.hover(s, i)})
				continue
			}
			w := inner / float64(len(c.Series))
			a, b := y(0), y(v)
			d.add(shape{kind: rectShape, x: x0 + w*float64(s), y: math.Min(a, b), w: math.Max(w-1, 1), h: math.Abs(a - b), fill: colour, title: c.hover(s, i)})
		}
	}
}

func (c *Chart) lines(d *drawing, left, band float64, y func(float64) float64, zero float64) {
	for s := range c.Series {
		colour := Palette[s%len(Palette)]
		pts := make([]point, len(c.Categories))
		for i := range c.Categories {
			pts[i] = point{left + band*(float64(i)+0.5), y(c.value(s, i))}
		}
		if c.Kind == Area {
			poly := append([]point{{pts[0].X, zero}}, pts...)
			poly = append(poly, point{pts[len(pts)-1].X, zero})
			d.add(shape{kind: polygonShape, pts: poly, fill: colour, opacity: 0.22})
		}
		d.add(shape{kind: polylineShape, pts: pts, stroke: colour, width: 2})
		for i, p := range pts {
			d.add(shape{kind: circleShape, x: p.X, y: p.Y, w: 3.5, fill: colour, title: c.hover(s, i)})
		}
	}
}

// pie draws the first series as slices from twelve o'clock, clockwise,
// with a legend of names, values and shares beside it; a donut has the
// total in its hole.
func (c *Chart) pie(d *drawing) {
	total := 0.0
	for i := range c.Categories {
		total += math.Max(c.value(0, i), 0)
	}
	h := float64(c.Height)
	r := h/2 - 16
	cx, cy := r+16, h/2
	inner := 0.0
	if c.Kind == Donut {
		inner = r * 0.6
	}
	at := -math.Pi / 2
	ly := math.Max(20, cy-float64(len(c.Categories))*10)
	for i, cat := range c.Categories {
		v := math.Max(c.value(0, i), 0)
		colour := Palette[i%len(Palette)]
		share := v / total
		sweep := share * 2 * math.Pi
		if v > 0 {
			d.add(shape{kind: polygonShape, pts: wedge(cx, cy, r, inner, at, at+sweep), fill: colour,
				title: cat + ": " + c.Format(v) + " (" + percent(share) + ")"})
		}
		at += sweep
		if ly < h-8 {
			lx := cx + r + 24
			d.add(shape{kind: rectShape, x: lx, y: ly - 9, w: 10, h: 10, fill: colour})
			d.text(lx+16, ly, fit(cat, float64(c.Width)-lx-150, small)+" · "+c.Format(v)+" · "+percent(share), "start", "text", small)
			ly += 20
		}
	}
	if c.Kind == Donut {
		d.add(shape{kind: textShape, x: cx, y: cy + 6, text: c.Format(total), anchor: "middle", role: "value", size: 16, bold: true})
	}
}

// wedge is the polygon of a slice from angle a to b (radians), a ring's
// when inner > 0, its arcs in steps of at most two degrees.
func wedge(cx, cy, r, inner, a, b float64) []point {
	n := max(2, int(math.Ceil((b-a)/(math.Pi/90))))
	arc := func(radius float64, from, to float64) []point {
		pts := make([]point, n+1)
		for i := 0; i <= n; i++ {
			t := from + (to-from)*float64(i)/float64(n)
			pts[i] = point{cx + radius*math.Cos(t), cy + radius*math.Sin(t)}
		}
		return pts
	}
	pts := arc(r, a, b)
	if inner > 0 {
		return append(pts, arc(inner, b, a)...)
	}
	return append(pts, point{cx, cy})
}

func percent(share float64) string {
	if math.IsNaN(share) {
		return "–"
	}
	return trim(share*100) + "%"
}

// funnel draws the first series as centred bars, one step under the
// other, each with its value and its share of the first step.
func (c *Chart) funnel(d *drawing) {
	n := float64(len(c.Categories))
	first, most := c.value(0, 0), 0.0
	for i := range c.Categories {
		most = math.Max(most, c.value(0, i))
	}
	names := 0.0
	for _, cat := range c.Categories {
		names = math.Max(names, math.Min(textWidth(cat, label), 160))
	}
	left, right := names+16, float64(c.Width)-130
	row := math.Min(48, (float64(c.Height)-16)/n)
	for i, cat := range c.Categories {
		v := c.value(0, i)
		w := (right - left) * v / most
		y := 8 + row*float64(i)
		mid := (left + right) / 2
		d.add(shape{kind: rectShape, x: mid - w/2, y: y + 4, w: math.Max(w, 1), h: row - 8, fill: Palette[0], opacity: 1 - 0.5*float64(i)/n,
			title: cat + ": " + c.Format(v)})
		d.text(left-8, y+row/2+4, fit(cat, names, label), "end", "text", label)
		share := ""
		if i > 0 && first > 0 {
			share = " · " + percent(v/first)
		}
		d.text(right+8, y+row/2+4, c.Format(v)+share, "start", "value", label)
	}
}

// kpi draws one number large, and its change from the period before.
func (c *Chart) kpi(d *drawing) {
	w, h := float64(c.Width), float64(c.Height)
	v := c.Series[0].Values[0]
	d.add(shape{kind: textShape, x: w / 2, y: h/2 + 4, text: c.Format(v), anchor: "middle", role: "value", size: math.Min(40, h/3), bold: true})
	if math.IsNaN(c.Previous) {
		return
	}
	trend, role := "", "text"
	switch {
	case c.Previous == 0 && v == 0:
		trend = "±0%"
	case c.Previous == 0:
		trend, role = "▲", "up"
	case v >= c.Previous:
		trend, role = "▲ "+percent((v-c.Previous)/math.Abs(c.Previous)), "up"
	default:
		trend, role = "▼ "+percent((c.Previous-v)/math.Abs(c.Previous)), "down"
	}
	d.text(w/2, h/2+30, trend, "middle", role, label)
	d.text(w/2, h/2+48, strings.TrimSpace(c.PreviousLabel+" "+c.Format(c.Previous)), "middle", "text", small)
}
