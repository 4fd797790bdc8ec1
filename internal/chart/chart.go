// Package chart draws a report's numbers as a picture, on the server: bar,
// stacked bar, line, area, pie, donut and funnel charts, and a KPI with its
// trend. A chart is laid out once into shapes, which become SVG (the web
// app, without any script; light and dark) or PNG (mail and PDF, where
// SVG does not show). Nothing here reads the database or knows a report:
// it takes categories, series of numbers and the words to print.
package chart

import (
	"math"
	"strconv"
)

// Kind is a chart's type.
type Kind string

// The kinds of chart.
const (
	Bar        Kind = "bar"
	StackedBar Kind = "stacked_bar"
	Line       Kind = "line"
	Area       Kind = "area"
	Pie        Kind = "pie"
	Donut      Kind = "donut"
	Funnel     Kind = "funnel"
	KPI        Kind = "kpi"
)

// Kinds lists the chart kinds, in the order a chooser offers them.
var Kinds = []Kind{Bar, StackedBar, Line, Area, Pie, Donut, Funnel, KPI}

// Series is one named row of values, one per category (NaN: none).
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw.
type Chart struct {
	Kind Kind
	// Title names the chart for screen readers and in the PNG's alt text.
	Title string
	// Categories are the x axis's labels, a pie's slices, a funnel's steps.
	Categories []string
	Series     []Series
	// Format writes a value in full (the hover text, a pie's legend, a
	// KPI); Tick writes an axis's tick, compactly. Both default to
	// Compact.
	Format, Tick func(float64) string
	// Previous is a KPI's value over the period before (NaN: none), and
	// PreviousLabel says what it is ("vs. last quarter").
	Previous      float64
	PreviousLabel string
	// Empty is the text shown when there is nothing to draw.
	Empty         string
	Width, Height int
}

// The default size of a chart, in CSS pixels.
const (
	DefaultWidth  = 640
	DefaultHeight = 300
)

// Palette are the series' colours: mid tones that read on the light and
// the dark surface, the accent first.
var Palette = []string{"#6366f1", "#14b8a6", "#f59e0b", "#f43f5e", "#0ea5e9", "#a855f7", "#84cc16", "#f97316"}

// Compact writes a number short: 950, 1.2k, 3.4M, 2.1B.
func Compact(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}} {
		if a >= u.div {
			return trim(v/u.div) + u.unit
		}
	}
	return trim(v)
}

// trim writes v with at most one decimal, none when whole.
func trim(v float64) string {
	r := math.Round(v*10) / 10
	if r == math.Trunc(r) {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// Full writes a number with up to two decimals.
func Full(v float64) string {
	r := math.Round(v*100) / 100
	if r == math.Trunc(r) {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

func (c *Chart) defaults() {
	if c.Width <= 0 {
		c.Width = DefaultWidth
	}
	if c.Height <= 0 {
		c.Height = DefaultHeight
	}
	if c.Format == nil {
		c.Format = Full
	}
	if c.Tick == nil {
		c.Tick = Compact
	}
}

// empty reports whether the chart has no value to draw.
func (c *Chart) empty() bool {
	if c.Kind == KPI {
		return len(c.Series) == 0 || len(c.Series[0].Values) == 0 || math.IsNaN(c.Series[0].Values[0])
	}
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && v != 0 {
				return false
			}
		}
	}
	return true
}

// value is series s's value in category i, 0 when it has none.
func (c *Chart) value(s, i int) float64 {
	vs := c.Series[s].Values
	if i >= len(vs) || math.IsNaN(vs[i]) {
		return 0
	}
	return vs[i]
}
