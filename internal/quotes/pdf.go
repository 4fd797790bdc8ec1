package quotes

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/records"
)

// Document is what a quote's PDF shows besides the quote: who sends it
// and to whom.
type Document struct {
	Quote      records.Record
	Workspace  string // the sender's name
	Logo       []byte // PNG, JPEG or GIF; other types are left out
	LogoType   string // its media type
	Company    string
	Contact    string
	Email      string
	Deal       string
	PreparedBy string
}

// PDF draws a quote on A4 pages in the locale's words and number format:
// the sender and its logo, the recipient, the lines, the totals, the
// terms. Its fonts (the Go fonts, embedded) draw any European name.
func PDF(d Document, l *i18n.Locale) ([]byte, error) {
	q := d.Quote
	cur, _ := q["currency"].(string)
	m := func(v any) string { s, _ := v.(string); return l.Money(s, cur) }
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetTitle(fmt.Sprintf("%s %v", l.T("quote.pdf.title"), q["number"]), true)
	pdf.SetCreator("Rapport", true)
	pdf.SetAuthor(d.Workspace, true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("go", "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 5, fmt.Sprintf("%s · %v · %s", d.Workspace, q["number"], l.T("quote.pdf.page", pdf.PageNo(), "{nb}")), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	inner := width - left - right

	// The sender: logo and name.
	top := pdf.GetY()
	if kind := map[string]string{"image/png": "PNG", "image/jpeg": "JPG", "image/gif": "GIF"}[d.LogoType]; kind != "" && len(d.Logo) > 0 {
		opt := fpdf.ImageOptions{ImageType: kind}
		pdf.RegisterImageOptionsReader("logo", opt, bytes.NewReader(d.Logo))
		if pdf.Ok() {
			pdf.ImageOptions("logo", left, top, 0, 16, false, opt, 0, "")
		} else {
			pdf.ClearError() // a logo fpdf cannot read is left out
		}
	}
	pdf.SetFont("go", "B", 14)
	pdf.SetXY(left, top)
	pdf.CellFormat(inner, 7, d.Workspace, "", 1, "R", false, 0, "")
	pdf.SetY(top + 22)

	// The quote's number, and whom it is for.
	pdf.SetFont("go", "B", 20)
	pdf.CellFormat(inner, 10, fmt.Sprintf("%s %v", l.T("quote.pdf.title"), q["number"]), "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	if r, _ := q["revision"].(int64); r > 1 {
		pdf.CellFormat(inner, 5, l.T("quote.pdf.version", r), "", 1, "L", false, 0, "")
	}
	if t, _ := q["name"].(string); t != "" {
		pdf.SetFont("go", "B", 11)
		pdf.MultiCell(inner, 6, t, "", "L", false)
	}
	pdf.Ln(3)
	y := pdf.GetY()
	pdf.SetFont("go", "", 10)
	to := []string{}
	for _, s := range []string{d.Company, d.Contact, d.Email} {
		if s != "" {
			to = append(to, s)
		}
	}
	pdf.SetFont("go", "B", 9)
	pdf.CellFormat(inner/2, 5, l.T("quote.pdf.for"), "", 2, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	pdf.MultiCell(inner/2, 5, strings.Join(to, "\n"), "", "L", false)
	below := pdf.GetY()
	facts := [][2]string{{l.T("quote.pdf.date"), dateOf(l, q)}, {l.T("field.valid_until"), l.Date(str(q["valid_until"]))}}
	if d.Deal != "" {
		facts = append(facts, [2]string{l.T("field.deal_id"), d.Deal})
	}
	if d.PreparedBy != "" {
		facts = append(facts, [2]string{l.T("quote.pdf.prepared_by"), d.PreparedBy})
	}
	for i, f := range facts {
		pdf.SetXY(left+inner/2, y+float64(i)*5)
		pdf.SetFont("go", "B", 9)
		pdf.CellFormat(inner/4, 5, f[0], "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.CellFormat(inner/4, 5, f[1], "", 0, "R", false, 0, "")
	}
	pdf.SetXY(left, max(below, y+float64(len(facts))*5)+6)

	// The lines.
	cols := []struct {
		label string
		w     float64
		align string
	}{
		{l.T("quote.line.item"), inner - 118, "L"}, {l.T("quote.line.quantity"), 16, "R"}, {l.T("quote.line.unit_price"), 28, "R"},
		{l.T("quote.line.discount"), 18, "R"}, {l.T("quote.line.tax"), 18, "R"}, {l.T("quote.line.amount"), 38, "R"},
	}
	header := func() {
		pdf.SetFont("go", "B", 9)
		pdf.SetFillColor(238, 240, 244)
		for _, c := range cols {
			pdf.CellFormat(c.w, 7, c.label, "B", 0, c.align, true, 0, "")
		}
		pdf.Ln(-1)
	}
	header()
	lines, _ := q["line_items"].([]map[string]any)
	for _, line := range lines {
		text := str(line["name"])
		if desc := str(line["description"]); desc != "" {
			text += "\n" + desc
		}
		pdf.SetFont("go", "", 9)
		wrapped := pdf.SplitText(text, cols[0].w-2)
		h := float64(len(wrapped))*4.5 + 2
		if pdf.GetY()+h > 277-20 {
			pdf.AddPage()
			header()
		}
		y := pdf.GetY()
		pdf.MultiCell(cols[0].w, 4.5, strings.Join(wrapped, "\n"), "", "L", false)
		x := left + cols[0].w
		for i, v := range []string{l.Decimal(str(line["quantity"])), m(line["unit_price"]), percentText(l, line["discount_percent"]), percentText(l, line["tax_percent"]), m(line["amount"])} {
			pdf.SetXY(x, y)
			pdf.CellFormat(cols[i+1].w, 4.5, v, "", 0, "R", false, 0, "")
			x += cols[i+1].w
		}
		pdf.SetXY(left, y+h)
		pdf.SetDrawColor(220, 222, 228)
		pdf.Line(left, y+h-1, left+inner, y+h-1)
	}

	// The totals.
	pdf.Ln(2)
	total := func(label, amount string, bold bool) {
		style, size := "", 10.0
		if bold {
			style, size = "B", 12
		}
		pdf.SetFont("go", style, size)
		pdf.SetX(left + inner - 90)
		pdf.CellFormat(52, 6.5, label, "", 0, "L", false, 0, "")
		pdf.CellFormat(38, 6.5, amount, "", 1, "R", false, 0, "")
	}
	total(l.T("field.subtotal"), m(q["subtotal"]), false)
	if d, _ := q["discount_total"].(string); d != "" && strings.Trim(d, "0.") != "" {
		total(l.T("quote.pdf.discount_included"), m(q["discount_total"]), false)
	}
	total(l.T("field.tax_total"), m(q["tax_total"]), false)
	total(l.T("field.total"), m(q["total"]), true)

	// The terms.
	if terms, _ := q["terms"].(string); strings.TrimSpace(terms) != "" {
		pdf.Ln(6)
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(inner, 6, l.T("field.terms"), "", 1, "L", false, 0, "")
		pdf.SetFont("go", "", 9)
		pdf.MultiCell(inner, 4.5, terms, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("draw quote %v: %w", q["number"], err)
	}
	return buf.Bytes(), nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func percentText(l *i18n.Locale, v any) string {
	s := str(v)
	if s == "" || strings.Trim(s, "0.") == "" {
		return ""
	}
	return l.Decimal(s) + " %"
}

// dateOf is the day the quote was sent, or made when it was not.
func dateOf(l *i18n.Locale, q records.Record) string {
	for _, f := range []string{"sent_at", "created_at"} {
		if t, ok := q[f].(time.Time); ok {
			return l.Date(t.Format("2006-01-02"))
		}
	}
	return ""
}
