package apitest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestWebQuotes: from a deal's page a sales rep opens a new quote for the
// deal, fills its lines (a product, and a free line typed with a group
// separator), sees each line's amount and the totals, sends it (a real
// SMTP server receives the PDF), finds it read-only once sent, makes a
// new version, and marks the first one accepted, which wins the deal. A
// product's prices are edited in a table.
func TestWebQuotes(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	e.Run(t, []Scenario{
		{Name: "a licence", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Status: 201, Events: 1, Save: "licence",
			Body: `{"name":"Platform licence","sku":"PL-1","prices":{"EUR":"1200"},"tax_percent":19}`},
		{Name: "zoe", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Zoë","last_name":"Berg","email":"zoe@example.com"}`, Status: 201, Events: 1, Save: "zoe"},
		{Name: "deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Fjord rollout","contact_ids":["{{zoe}}"]}`, Status: 201, Events: 2, Save: "deal"},
	})
	b := e.browser(t, access.Sales)
	_, doc := b.get("/deals/{{deal}}")
	link := doc.Find(`ul.create a[href="/quotes/new?deal_id=` + e.Vars["deal"] + `"]`)
	if link.Length() != 1 || link.Text() != "New quote" {
		t.Fatalf("no new quote on the deal's page: %q", text(doc, "ul.create"))
	}
	code, doc := b.get(link.AttrOr("href", ""))
	if code != 200 || doc.Find(`input[name=deal_id]`).AttrOr("value", "") != e.Vars["deal"] || doc.Find(`select[name="line_items.product_id"]`).Length() != 3 {
		t.Fatalf("new quote form: %d, deal %q, %d line rows", code, doc.Find(`input[name=deal_id]`).AttrOr("value", ""), doc.Find(`select[name="line_items.product_id"]`).Length())
	}
	form := formOf(doc, `form[action="/quotes"]`)
	form["line_items.product_id"] = []string{e.Vars["licence"], "", ""}
	form["line_items.name"] = []string{"", "Setup on site", ""}
	form["line_items.quantity"] = []string{"2", "1", ""}
	form["line_items.unit_price"] = []string{"", "1,234.50", ""}
	form["line_items.discount_percent"] = []string{"10", "", ""}
	form["line_items.tax_percent"] = []string{"", "19", ""}
	if code, doc = b.post("/quotes", form); code != 200 || doc.Find(".field-error, .alert").Length() != 0 {
		t.Fatalf("create: %d %q", code, text(doc, ".field-error, .alert"))
	}
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "quotes", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("quotes: %v", err)
	}
	e.Vars["quote"] = page.Data[0].ID()
	if lines := text(doc, "fieldset.lines tbody"); !strings.Contains(lines, "€2,160.00") || !strings.Contains(lines, "€1,234.50") {
		t.Errorf("line amounts: %q", lines)
	}
	if totals := text(doc, "fieldset.lines tfoot"); totals != "Subtotal €3,394.50 Discount €240.00 Tax €644.96 Total €4,039.46" {
		t.Errorf("totals: %q", totals)
	}
	if doc.Find(`a[href="/api/v1/quotes/`+e.Vars["quote"]+`/pdf"]`).Length() != 1 || doc.Find(`#q-to`).AttrOr("value", "") != "zoe@example.com" {
		t.Errorf("PDF link or recipient missing: %q", doc.Find(`#q-to`).AttrOr("value", ""))
	}

	send := formOf(doc, `.quote-actions form:has(input[value=send])`)
	if _, doc = b.post("/quotes/{{quote}}", send); !strings.Contains(text(doc, ".flash, [role=status]"), "zoe@example.com") {
		t.Errorf("send flash: %q", text(doc, ".flash, [role=status]"))
	}
	if ran, err := e.Sys.Jobs.RunOne(context.Background()); !ran || err != nil {
		t.Fatalf("send job: %v %v", ran, err)
	}
	if msgs := e.Mail.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Data, `filename="`+page.Data[0]["number"].(string)+`.pdf"`) {
		t.Fatalf("mail: %d", len(msgs))
	}
	_, doc = b.get("/quotes/{{quote}}")
	if doc.Find(`input[name="line_items.quantity"][readonly]`).Length() == 0 || doc.Find(`form:has(input[value=revise]) button`).Length() != 1 {
		t.Errorf("a sent quote: editable lines or no new version")
	}
	if _, doc = b.post("/quotes/{{quote}}", url.Values{"_action": {"revise"}}); !strings.Contains(text(doc, ".flash, [role=status]"), "Version 2") ||
		doc.Find(`input[name="line_items.quantity"]:not([readonly])`).Length() == 0 {
		t.Errorf("new version: %q", text(doc, ".flash, [role=status]"))
	}
	if _, doc = b.post("/quotes/{{quote}}", url.Values{"_action": {"accept"}, "win_deal": {"on"}}); !strings.Contains(text(doc, ".flash, [role=status]"), "accepted") {
		t.Errorf("accept: %q", text(doc, ".flash, [role=status]"))
	}
	deal, err := e.Sys.Records.Get(context.Background(), access.System(e.WS), "deals", e.Vars["deal"], false)
	if err != nil || deal["status"] != "won" {
		t.Errorf("the deal after its quote was accepted: %v %v", deal["status"], err)
	}

	m := e.browser(t, access.Manager)
	_, doc = m.get("/products/{{licence}}")
	form = formOf(doc, `form[action="/products/`+e.Vars["licence"]+`"]:not(.actions)`)
	form["prices.currency"] = []string{"EUR", "usd"}
	form["prices.amount"] = []string{"1,250", "1399.99"}
	if code, doc = m.post("/products/{{licence}}", form); code != 200 || doc.Find(".field-error").Length() != 0 {
		t.Fatalf("prices: %d %q", code, text(doc, ".field-error"))
	}
	prod, _ := e.Sys.Records.Get(context.Background(), access.System(e.WS), "products", e.Vars["licence"], false)
	if prices, _ := prod["prices"].(map[string]any); prices["EUR"] != "1250.00" || prices["USD"] != "1399.99" {
		t.Errorf("prices: %v", prod["prices"])
	}
}
