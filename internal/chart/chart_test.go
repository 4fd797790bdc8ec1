package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 100, []float64{0, 20, 40, 60, 80, 100}},
		{0, 3000.5, []float64{0, 1000, 2000, 3000, 4000}},
		{0, 0.1, []float64{0, 0.02, 0.04, 0.06, 0.08, 0.1}},
		{-30, 70, []float64{-40, -20, 0, 20, 40, 60, 80}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{5, 5, []float64{0, 1, 2, 3, 4, 5}},
		{0, 1234567, []float64{0, 500000, 1000000, 1500000}},
	} {
		if got := ticks(c.lo, c.hi, 5); !slices.Equal(got, c.want) {
			t.Errorf("ticks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}

func TestCompact(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 950: "950", 1200: "1.2k", 1000: "1k", 3_450_000: "3.5M", 2.1e9: "2.1B", -1500: "-1.5k", 0.25: "0.3"} {
		if got := Compact(v); got != want {
			t.Errorf("Compact(%v) = %q, want %q", v, got, want)
		}
	}
}

// samples are one chart of every kind, drawn from a small sales report.
func samples() map[string]Chart {
	months := []string{"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"}
	won := Series{Name: "Won", Values: []float64{12000, 18500, 9000, 22000, math.NaN(), 30500}}
	lost := Series{Name: "Lost", Values: []float64{4000, 2500, 7000, 1000, 3000, 0}}
	stages := []string{"Lead in", "Qualified", "Demo", "Proposal", "Negotiation"}
	pipeline := Series{Name: "Deals", Values: []float64{120, 64, 40, 21, 9}}
	eur := func(v float64) string { return "€" + Full(v) }
	return map[string]Chart{
		"bar":         {Kind: Bar, Title: "Won and lost by month", Categories: months, Series: []Series{won, lost}, Format: eur},
		"stacked_bar": {Kind: StackedBar, Title: "Won and lost by month", Categories: months, Series: []Series{won, lost}, Format: eur},
		"line":        {Kind: Line, Title: "Won by month", Categories: months, Series: []Series{won}, Format: eur},
		"area":        {Kind: Area, Title: "Won and lost by month", Categories: months, Series: []Series{won, lost}},
		"pie":         {Kind: Pie, Title: "Deals by stage", Categories: stages, Series: []Series{pipeline}},
		"donut":       {Kind: Donut, Title: "Deals by stage", Categories: stages, Series: []Series{pipeline}},
		"funnel":      {Kind: Funnel, Title: "Subscriber to customer", Categories: stages, Series: []Series{pipeline}},
		"kpi":         {Kind: KPI, Title: "Won revenue", Series: []Series{{Values: []float64{92000}}}, Previous: 80000, PreviousLabel: "last quarter:", Format: eur, Height: 140},
		"kpi_down":    {Kind: KPI, Title: "Win rate", Series: []Series{{Values: []float64{18}}}, Previous: 24, PreviousLabel: "last quarter:", Height: 140},
		"empty":       {Kind: Bar, Title: "Nothing", Categories: months, Series: []Series{{Name: "Won", Values: make([]float64, 6)}}, Empty: "No deals in this period"},
		"many_labels": {Kind: Bar, Title: "By day", Categories: days(31), Series: []Series{{Name: "Tickets", Values: ramp(31)}}, Width: 480},
	}
}

func days(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "2026-03-" + string(rune('0'+(i+1)/10)) + string(rune('0'+(i+1)%10))
	}
	return out
}

func ramp(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i * i % 17)
	}
	return out
}

// TestSVGGolden pins every kind's SVG; run with -update after an intended
// change and look at the files (testdata/*.svg open in a browser).
func TestSVGGolden(t *testing.T) {
	for name, c := range samples() {
		t.Run(name, func(t *testing.T) {
			got := c.SVG()
			if err := xml.Unmarshal(got, new(struct{})); err != nil {
				t.Fatalf("not well-formed XML: %v", err)
			}
			path := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/chart -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s changed; run go test ./internal/chart -update and review the diff", path)
			}
		})
	}
}

// TestSVGContent checks what the goldens should hold, so that an -update
// cannot bless a broken chart: a bar per value with its hover text, the
// legend, the round ticks, the shares of a pie, the trend of a KPI, text
// escaped, the dark theme.
func TestSVGContent(t *testing.T) {
	s := samples()
	for name, wants := range map[string][]string{
		"bar":         {`<title>Won and lost by month</title>`, `<title>2026-04 · Won: €22000</title>`, `>Lost</text>`, `>30k</text>`, `>0</text>`, `fill="#6366f1"`, `fill="#14b8a6"`, `@media (prefers-color-scheme:dark){svg:root .chart-text{fill:#a0a3b1}`},
		"stacked_bar": {`<title>2026-06 · Won: €30500</title>`, `>40k</text>`},
		"line":        {`<polyline points=`, `<circle `, `<title>2026-05: €0</title>`},
		"area":        {`<polygon points=`, `fill-opacity="0.22"`},
		"pie":         {`Lead in · 120 · 47.2%`, `<title>Negotiation: 9 (3.5%)</title>`},
		"donut":       {`>254</text>`},
		"funnel":      {`>Qualified</text>`, `>64 · 53.3%</text>`, `>120</text>`},
		"kpi":         {`>€92000</text>`, `class="chart-up">▲ 15%</text>`, `>last quarter: €80000</text>`},
		"kpi_down":    {`class="chart-down">▼ 25%</text>`},
		"empty":       {`>No deals in this period</text>`},
	} {
		got := string(s[name].SVG())
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %s", name, w)
			}
		}
	}
	if got := string(samples()["empty"].SVG()); strings.Contains(got, "<rect") {
		t.Error("an empty chart drew bars")
	}
	// Thirty-one days on 480 pixels: every other label or fewer.
	if n := len(regexp.MustCompile(`<text[^>]*>2026-03-`).FindAllString(string(samples()["many_labels"].SVG()), -1)); n > 16 || n < 6 {
		t.Errorf("%d day labels on a narrow chart", n)
	}
	evil := Chart{Kind: Bar, Title: `<script>"x"</script>`, Categories: []string{"A & B"}, Series: []Series{{Name: "n", Values: []float64{1}}}}.SVG()
	if strings.Contains(string(evil), "<script>") || !strings.Contains(string(evil), "A &amp; B") {
		t.Errorf("text not escaped: %s", evil)
	}
}

// TestPNG: the PNG has the chart's size at Scale, white ground, the
// first series' colour in a bar's middle and dark text somewhere.
func TestPNG(t *testing.T) {
	c := Chart{Kind: Bar, Title: "One", Categories: []string{"A", "B"}, Series: []Series{{Name: "n", Values: []float64{10, 20}}}, Width: 200, Height: 100}
	b, err := c.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 200*Scale || r.Dy() != 100*Scale {
		t.Fatalf("size %v", r)
	}
	d := c.layout()
	var bar *shape
	for i := range d.shapes {
		if d.shapes[i].kind == rectShape && d.shapes[i].title == "B: 20" {
			bar = &d.shapes[i]
		}
	}
	if bar == nil {
		t.Fatal("no bar for B")
	}
	r, g, bl, _ := img.At(int((bar.x+bar.w/2)*Scale), int((bar.y+bar.h/2)*Scale)).RGBA()
	if r>>8 != 0x63 || g>>8 != 0x66 || bl>>8 != 0xf1 {
		t.Errorf("bar colour %x %x %x, want #6366f1", r>>8, g>>8, bl>>8)
	}
	if r, g, b, _ := img.At(1, 1).RGBA(); r>>8 != 255 || g>>8 != 255 || b>>8 != 255 {
		t.Error("the ground is not white")
	}
	dark := 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r>>8 < 0x70 {
				dark++
			}
		}
	}
	if dark < 50 {
		t.Errorf("%d dark pixels: no text drawn", dark)
	}
}
