package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// BlankLines are the empty rows a quote's line editor offers for new
// lines (more after each save).
const BlankLines = 3

// lineRow is one row of a quote's line editor, formatted for inputs.
type lineRow struct {
	ProductID, Name, Description                     string
	Quantity, UnitPrice, DiscountPercent, TaxPercent string
	Amount                                           string // worked out, with the currency
}

// quoteActions are what a quote's page offers besides its form.
type quoteActions struct {
	CanSend, CanRevise, CanDecide bool
	To, Subject                   string
}

// lineRows formats a quote's lines (as stored, or as a form sent them
// back) and adds blank rows for new ones.
func lineRows(l *i18n.Locale, v any, currency string, blank int) []lineRow {
	list := rowsOf(v)
	s := func(m map[string]any, k string) string {
		switch x := m[k].(type) {
		case string:
			return x
		case json.Number:
			return x.String()
		}
		return ""
	}
	out := make([]lineRow, 0, len(list)+blank)
	for _, m := range list {
		row := lineRow{ProductID: s(m, "product_id"), Name: s(m, "name"), Description: s(m, "description"),
			Quantity: l.Decimal(s(m, "quantity")), UnitPrice: l.Decimal(s(m, "unit_price")),
			DiscountPercent: l.Decimal(s(m, "discount_percent")), TaxPercent: l.Decimal(s(m, "tax_percent"))}
		if a := s(m, "amount"); a != "" {
			row.Amount = l.Money(a, currency)
		}
		out = append(out, row)
	}
	for range blank {
		out = append(out, lineRow{})
	}
	return out
}

// linesInput reads a quote's line editor: one row a line, in order; a row
// with neither a product nor a name is left out (a line removed, or a
// blank row). Numbers may be typed the language's way.
func linesInput(form url.Values, name string, l *i18n.Locale) any {
	cols := map[string][]string{}
	for _, k := range schema.LineItemKeys {
		cols[k] = form[name+"."+k]
	}
	list := []any{}
	for i := range cols["name"] {
		line := map[string]any{}
		for _, k := range schema.LineItemKeys {
			v := strings.TrimSpace(at(cols[k], i))
			if v == "" {
				continue
			}
			if k != "product_id" && k != "name" && k != "description" {
				line[k] = l.ParseDecimal(v)
				continue
			}
			line[k] = v
		}
		if line["product_id"] == nil && line["name"] == nil {
			continue
		}
		list = append(list, line)
	}
	return list
}

// pricesInput reads a product's price editor: a currency and an amount a
// row; a row without a currency is left out.
func pricesInput(form url.Values, name string, l *i18n.Locale) any {
	codes, amounts := form[name+".currency"], form[name+".amount"]
	m := map[string]any{}
	for i, c := range codes {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			m[c] = l.ParseDecimal(strings.TrimSpace(at(amounts, i)))
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// priceRow is one row of a product's price editor.
type priceRow struct{ Currency, Amount string }

// priceRows formats a product's prices for the editor, with blank rows.
func priceRows(l *i18n.Locale, v any, blank int) []priceRow {
	m, _ := v.(map[string]any)
	var out []priceRow
	for _, c := range slices.Sorted(maps.Keys(m)) {
		s, _ := m[c].(string)
		out = append(out, priceRow{Currency: c, Amount: l.Decimal(s)})
	}
	for range blank {
		out = append(out, priceRow{})
	}
	return out
}

// quoteActionsOf says what a quote's page offers: a draft or a sent quote
// may be sent, a sent or closed one gets a new version, a sent one is
// accepted or declined.
func quoteActionsOf(l *i18n.Locale, p access.Principal, q records.Record, to string) *quoteActions {
	if access.CanWrite(p, quotes.Object, q.Owner()) != nil {
		return nil
	}
	st, _ := q["status"].(string)
	return &quoteActions{
		CanSend:   st == "draft" || st == "sent",
		CanRevise: st != "draft",
		CanDecide: st == "sent",
		To:        to,
		Subject:   l.T("quote.mail.subject", q["number"], q["name"]),
	}
}

// quoteAction runs a quote page's button: send, a new version, accepted,
// declined.
func (d *Deps) quoteAction(w http.ResponseWriter, r *http.Request, sh *shell, id, action string) {
	back := "/quotes/" + id
	p := sh.Identity.Principal
	switch action {
	case "send":
		in := quotes.Sending{Subject: r.PostFormValue("subject"), Message: r.PostFormValue("message")}
		for _, a := range strings.Split(r.PostFormValue("to"), ",") {
			if a = strings.TrimSpace(a); a != "" {
				in.To = append(in.To, a)
			}
		}
		_, mail, err := d.Quotes.Send(r.Context(), p, id, in, sh.L)
		if err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		to, _ := mail["to"].([]string)
		d.redirectWithFlash(w, r, back, sh.L.T("quote.flash.sent", strings.Join(to, ", ")))
	case "revise":
		q, err := d.Quotes.Revise(r.Context(), p, id)
		if err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.redirectWithFlash(w, r, "/quotes/"+q.ID(), sh.L.T("quote.flash.revised", q["revision"]))
	case "accept":
		if _, err := d.Quotes.Accept(r.Context(), p, id, r.PostFormValue("win_deal") == "on"); err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.redirectWithFlash(w, r, back, sh.L.T("quote.flash.accepted"))
	case "decline":
		if _, err := d.Records.Update(r.Context(), p, quotes.Object, id, map[string]any{"status": "declined"}, nil); err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.redirectWithFlash(w, r, back, sh.L.T("quote.flash.declined"))
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
	}
}
