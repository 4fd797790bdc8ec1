package apitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestSalesJourney is issue 5's "done when", through the web app: a sales
// rep creates a deal from a contact's page, moves it across the board,
// builds a quote and sends it (the PDF reaches a real SMTP server), plans
// a follow-up that reminds them (the bell and a mail), and their manager
// reads the weighted forecast.
func TestSalesJourney(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	ctx := context.Background()
	e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	e.Run(t, []Scenario{
		{Name: "a product", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Body: `{"name":"Platform licence","sku":"PL","prices":{"EUR":"1000"},"tax_percent":19}`,
			Status: 201, Events: 1, Save: "product"},
		{Name: "a contact", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Jørgen","last_name":"Ødegård","email":"jorgen@fjord.example"}`, Status: 201, Events: 1, Save: "jorgen"},
	})
	rep := e.browser(t, access.Sales)

	// A deal from the contact's page: the form comes with the contact.
	_, doc := rep.get("/contacts/{{jorgen}}")
	newDeal := doc.Find(`ul.create a[href^="/deals/new?contact_ids="]`).AttrOr("href", "")
	_, doc = rep.get(newDeal)
	form := formOf(doc, `form[action="/deals"]`)
	if form.Get("contact_ids") != e.Vars["jorgen"] {
		t.Fatalf("the new deal's contacts: %v", form["contact_ids"])
	}
	form.Set("name", "Fjord rollout")
	form.Set("amount", "40000")
	form.Set("close_date", "2026-04-30")
	rep.post("/deals", form)
	found, err := e.Sys.Records.List(ctx, access.System(e.WS), "deals", records.Query{Filter: `name = "Fjord rollout"`})
	if err != nil || len(found.Data) != 1 {
		t.Fatalf("the deal: %v", err)
	}
	deal := found.Data[0]
	e.Vars["deal"], e.Vars["pipeline"] = deal.ID(), deal["pipeline_id"].(string)

	// Across the board, by the card's own form.
	_, doc = rep.get("/pipelines/{{pipeline}}/board")
	move := formOf(doc, `form[action="/deals/`+deal.ID()+`/move"]`)
	move.Set("stage_id", "proposal")
	if _, doc = rep.post("/deals/{{deal}}/move", move); !strings.Contains(text(doc, ".flash"), "Moved Fjord rollout to Proposal") {
		t.Fatalf("move: %q", text(doc, ".flash"))
	}

	// A quote from the deal's page, sent with its PDF.
	_, doc = rep.get("/quotes/new?deal_id={{deal}}")
	form = formOf(doc, `form[action="/quotes"]`)
	form["line_items.product_id"] = []string{e.Vars["product"], "", ""}
	form["line_items.quantity"] = []string{"40", "", ""}
	rep.post("/quotes", form)
	found, _ = e.Sys.Records.List(ctx, access.System(e.WS), "quotes", records.Query{})
	if len(found.Data) != 1 || found.Data[0]["total"] != "47600.00" {
		t.Fatalf("the quote: %v", found.Data)
	}
	e.Vars["quote"] = found.Data[0].ID()
	_, doc = rep.get("/quotes/{{quote}}")
	rep.post("/quotes/{{quote}}", formOf(doc, `.quote-actions form:has(input[value=send])`))

	// A follow-up in three days that reminds the rep.
	_, doc = rep.get("/deals/{{deal}}")
	rep.post("/tasks/follow-up", formOf(doc, `form[action="/tasks/follow-up"]`))
	e.Clock.Set(time.Date(2026, 3, 13, 9, 0, 0, 0, time.UTC))
	drain(t, e)
	mails := e.Mail.Messages()
	if len(mails) != 2 || !strings.Contains(mails[0].Data, "application/pdf") || mails[0].To[0] != "jorgen@fjord.example" ||
		!strings.Contains(mails[1].Data, "Subject: Reminder: Follow up: Fjord rollout") || mails[1].To[0] != "sales@test.example" {
		t.Fatalf("mail: %d messages", len(mails))
	}
	if _, doc = rep.get("/deals/{{deal}}"); text(doc, ".sidebar .bell .count") != "1" || strings.Count(text(doc, ".timeline"), "Sent email Quote Q-2026-0001: Fjord rollout to jorgen@fjord.example") != 1 {
		t.Errorf("the deal's page: bell %q, timeline %q", text(doc, ".sidebar .bell .count"), text(doc, ".timeline"))
	}

	// The manager reads the forecast: 40,000 at the proposal's 60 %.
	_, doc = e.browser(t, access.Manager).get("/pipelines/{{pipeline}}/forecast?from=2026-04&to=2026-04")
	if months := text(doc, "section[aria-labelledby=months-title] tbody"); !strings.Contains(months, "April 2026 1 €40,000.00 €24,000.00") {
		t.Errorf("the forecast: %q", months)
	}
}
