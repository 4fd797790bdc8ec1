package reports

import (
	"bytes"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/rapport-crm/rapport/internal/chart"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// digestPDF draws a digest on A4 pages: each report's title, period,
// chart and the first rows of its table.
func digestPDF(pr Presenter, name string, saved []Saved) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetTitle(name, true)
	pdf.SetCreator("Rapport", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	inner := width - left - right
	pdf.SetFont("go", "B", 18)
	pdf.CellFormat(inner, 10, name, "", 1, "L", false, 0, "")
	for i, sv := range saved {
		title := str(sv.Report["name"])
		if i > 0 && pdf.GetY() > 150 {
			pdf.AddPage()
		}
		pdf.Ln(4)
		pdf.SetFont("go", "B", 13)
		pdf.SetTextColor(28, 29, 33)
		pdf.CellFormat(inner, 7, title, "", 1, "L", false, 0, "")
		if p := sv.Result.Period; p != nil {
			pdf.SetFont("go", "", 9)
			pdf.SetTextColor(95, 98, 112)
			pdf.CellFormat(inner, 5, pr.L.Date(p.From.Format(time.DateOnly))+" – "+pr.L.Date(p.To.AddDate(0, 0, -1).Format(time.DateOnly)), "", 1, "L", false, 0, "")
		}
		if str(sv.Report["chart"]) != "table" {
			c := pr.Chart(sv.Query, sv.Result, KindOf(sv.Report), title)
			png, err := c.PNG()
			if err != nil {
				return nil, err
			}
			img := fmt.Sprintf("chart-%d", i)
			opt := fpdf.ImageOptions{ImageType: "PNG"}
			pdf.RegisterImageOptionsReader(img, opt, bytes.NewReader(png))
			w, h := c.Width, c.Height
			if w == 0 {
				w, h = chart.DefaultWidth, chart.DefaultHeight
			}
			pdf.ImageOptions(img, left, pdf.GetY()+2, inner, inner*float64(h)/float64(w), true, opt, 0, "")
		}
		t := pr.Table(sv.Query, sv.Result)
		if len(t.Rows) == 0 {
			continue
		}
		col := inner / float64(len(t.Head))
		pdf.SetFont("go", "B", 8)
		pdf.SetTextColor(28, 29, 33)
		for j, h := range t.Head {
			pdf.CellFormat(col, 6, h, "B", 0, alignPDF(t, j), false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("go", "", 8)
		for n, row := range t.Rows {
			if n == 20 {
				break
			}
			for j, c := range row {
				pdf.CellFormat(col, 5, c.Text, "", 0, alignPDF(t, j), false, 0, "")
			}
			pdf.Ln(-1)
		}
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("digest PDF: %w", err)
	}
	return b.Bytes(), nil
}

func alignPDF(t Table, i int) string {
	if t.Numeric[i] {
		return "R"
	}
	return "L"
}
