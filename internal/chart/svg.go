package chart

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
)

// The themed colours: light, and dark where the SVG is a page of its own
// and the viewer prefers dark. Inside the web app the stylesheet gives
// them from its variables (svg.chart .chart-text), so the user's theme
// wins.
var (
	light = map[string]string{"text": "#5f6270", "value": "#1c1d21", "grid": "#e3e4e8", "axis": "#b9bcc6", "up": "#15803d", "down": "#b42318"}
	dark  = map[string]string{"text": "#a0a3b1", "value": "#ececf1", "grid": "#2c2e38", "axis": "#4a4d5a", "up": "#4ade80", "down": "#fda29b"}
)

var roles = []string{"text", "value", "grid", "axis", "up", "down"}

// SVG draws the chart as an SVG document, to stand alone or to sit in a
// page. Hovering a bar, point or slice shows its value.
func (c Chart) SVG() []byte {
	d := c.layout()
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img">`, d.w, d.h, d.w, d.h)
	fmt.Fprintf(&b, "<title>%s</title>", html.EscapeString(d.title))
	b.WriteString("<style>")
	b.WriteString(`.chart text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}`)
	styles(&b, "", light)
	b.WriteString("@media (prefers-color-scheme:dark){")
	styles(&b, "svg:root ", dark)
	b.WriteString("}</style>")
	for _, s := range d.shapes {
		b.WriteByte('\n')
		svgShape(&b, s)
	}
	b.WriteString("\n</svg>\n")
	return b.Bytes()
}

func styles(b *bytes.Buffer, scope string, colours map[string]string) {
	for _, r := range roles {
		prop := "fill"
		if r == "grid" || r == "axis" {
			prop = "stroke"
		}
		fmt.Fprintf(b, "%s.chart-%s{%s:%s}", scope, r, prop, colours[r])
	}
}

func svgShape(b *bytes.Buffer, s shape) {
	attrs := ""
	if s.role != "" {
		attrs += ` class="chart-` + s.role + `"`
	}
	if s.fill != "" {
		attrs += ` fill="` + s.fill + `"`
	}
	if s.stroke != "" {
		attrs += ` stroke="` + s.stroke + `" fill="none"`
	}
	if s.width > 0 {
		attrs += ` stroke-width="` + num(s.width) + `"`
	}
	if s.opacity > 0 && s.opacity < 1 {
		attrs += ` fill-opacity="` + num2(s.opacity) + `"`
	}
	closeTag := func(tag string) string {
		if s.title == "" {
			return "/>"
		}
		return "><title>" + html.EscapeString(s.title) + "</title></" + tag + ">"
	}
	switch s.kind {
	case rectShape:
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s"%s%s`, num(s.x), num(s.y), num(s.w), num(s.h), attrs, closeTag("rect"))
	case lineShape:
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s"%s%s`, num(s.x), num(s.y), num(s.x2), num(s.y2), attrs, closeTag("line"))
	case polygonShape, polylineShape:
		tag := "polygon"
		if s.kind == polylineShape {
			tag = "polyline"
			attrs += ` stroke-linejoin="round"`
		}
		fmt.Fprintf(b, `<%s points="%s"%s%s`, tag, points(s.pts), attrs, closeTag(tag))
	case circleShape:
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s"%s%s`, num(s.x), num(s.y), num(s.w), attrs, closeTag("circle"))
	case textShape:
		weight := ""
		if s.bold {
			weight = ` font-weight="600"`
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" font-size="%s"%s%s>%s</text>`, num(s.x), num(s.y), s.anchor, num(s.size), weight, attrs, html.EscapeString(s.text))
	}
}

func points(pts []point) string {
	var b bytes.Buffer
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(p.X) + "," + num(p.Y))
	}
	return b.String()
}

// num writes a coordinate to a tenth of a pixel.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func num2(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }
