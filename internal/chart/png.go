package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Scale is how many pixels of a PNG make one of the chart's CSS pixels:
// sharp on the screens that read mail today.
const Scale = 2

// PNG draws the chart as a PNG on white, in the light theme, Scale times
// its size: for mail and PDF, where SVG does not show.
func (c Chart) PNG() ([]byte, error) {
	d := c.layout()
	painting.Lock()
	defer painting.Unlock()
	img := image.NewNRGBA(image.Rect(0, 0, d.w*Scale, d.h*Scale))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	r := vector.NewRasterizer(d.w*Scale, d.h*Scale)
	for _, s := range d.shapes {
		if err := paint(img, r, s); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func paint(img *image.NRGBA, r *vector.Rasterizer, s shape) error {
	colour := s.fill
	if s.stroke != "" {
		colour = s.stroke
	}
	if s.role != "" {
		colour = light[s.role]
	}
	src := image.NewUniform(parseColour(colour, s.opacity))
	// Each shape is rasterised in its own bounds: a rasteriser the size
	// of the picture costs its whole area per shape.
	fill := func(pts []point) {
		if len(pts) < 3 {
			return
		}
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range pts {
			x0, y0 = math.Min(x0, p.X*Scale), math.Min(y0, p.Y*Scale)
			x1, y1 = math.Max(x1, p.X*Scale), math.Max(y1, p.Y*Scale)
		}
		box := image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1))).Intersect(img.Bounds())
		if box.Empty() {
			return
		}
		ox, oy := float64(box.Min.X), float64(box.Min.Y)
		r.Reset(box.Dx(), box.Dy())
		r.DrawOp = draw.Over
		r.MoveTo(float32(pts[0].X*Scale-ox), float32(pts[0].Y*Scale-oy))
		for _, p := range pts[1:] {
			r.LineTo(float32(p.X*Scale-ox), float32(p.Y*Scale-oy))
		}
		r.ClosePath()
		r.Draw(img, box, src, image.Point{})
	}
	switch s.kind {
	case rectShape:
		fill([]point{{s.x, s.y}, {s.x + s.w, s.y}, {s.x + s.w, s.y + s.h}, {s.x, s.y + s.h}})
	case polygonShape:
		fill(s.pts)
	case lineShape:
		fill(segment(point{s.x, s.y}, point{s.x2, s.y2}, s.width))
	case polylineShape:
		for i := 1; i < len(s.pts); i++ {
			fill(segment(s.pts[i-1], s.pts[i], s.width))
			fill(wedge(s.pts[i].X, s.pts[i].Y, s.width/2, 0, 0, 2*math.Pi))
		}
	case circleShape:
		fill(wedge(s.x, s.y, s.w, 0, 0, 2*math.Pi))
	case textShape:
		face, err := faceOf(s.size, s.bold)
		if err != nil {
			return err
		}
		dr := font.Drawer{Dst: img, Src: src, Face: face}
		x := s.x * Scale
		switch w := float64(dr.MeasureString(s.text)) / 64; s.anchor {
		case "middle":
			x -= w / 2
		case "end":
			x -= w
		}
		dr.Dot = fixed.P(int(math.Round(x)), int(math.Round(s.y*Scale)))
		dr.DrawString(s.text)
	}
	return nil
}

// segment is the quadrilateral of a line of width w from a to b.
func segment(a, b point, w float64) []point {
	dx, dy := b.X-a.X, b.Y-a.Y
	n := math.Hypot(dx, dy)
	if n == 0 {
		return nil
	}
	ox, oy := -dy/n*w/2, dx/n*w/2
	return []point{{a.X + ox, a.Y + oy}, {b.X + ox, b.Y + oy}, {b.X - ox, b.Y - oy}, {a.X - ox, a.Y - oy}}
}

// parseColour reads "#rrggbb" with an opacity (0 is opaque).
func parseColour(hex string, opacity float64) color.NRGBA {
	c := color.NRGBA{A: 255}
	if len(hex) == 7 {
		v, _ := strconv.ParseUint(hex[1:], 16, 32)
		c.R, c.G, c.B = uint8(v>>16), uint8(v>>8), uint8(v)
	}
	if opacity > 0 && opacity < 1 {
		c.A = uint8(math.Round(opacity * 255))
	}
	return c
}

var (
	fontsOnce sync.Once
	regular   *opentype.Font
	bold      *opentype.Font
	fontsErr  error
	faces     sync.Map // faceKey → font.Face
	// painting serialises PNGs: a face is not safe for concurrent use.
	painting sync.Mutex
)

type faceKey struct {
	size float64
	bold bool
}

// faceOf is the Go font at a size, regular or bold, kept once made.
func faceOf(size float64, isBold bool) (font.Face, error) {
	fontsOnce.Do(func() {
		if regular, fontsErr = opentype.Parse(goregular.TTF); fontsErr == nil {
			bold, fontsErr = opentype.Parse(gobold.TTF)
		}
	})
	if fontsErr != nil {
		return nil, fmt.Errorf("chart: fonts: %w", fontsErr)
	}
	k := faceKey{size, isBold}
	if f, ok := faces.Load(k); ok {
		return f.(font.Face), nil
	}
	f := regular
	if isBold {
		f = bold
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size * Scale, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	actual, _ := faces.LoadOrStore(k, face)
	return actual.(font.Face), nil
}
