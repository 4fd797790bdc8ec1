package apitest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/views"
)

// column is a board column's text: its heading, sums and cards.
func column(doc *goquery.Document, stage string) *goquery.Selection {
	return doc.Find(`.board .column[data-stage="` + stage + `"]`)
}

// TestWebBoard: a pipeline's board has a column a stage with the count of
// its deals and their sums per currency, pages a long column, applies the
// filter, search and saved views of the deals list, and moves a deal by
// its card's form (a lost stage asking for the reason); read-only users
// see the board without the means to move.
func TestWebBoard(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	p := access.System(e.WS)
	page, err := e.Sys.Records.List(ctx, p, "pipelines", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("pipelines: %v", err)
	}
	e.Vars["sales"] = page.Data[0].ID()
	acme, err := e.Sys.Records.Create(ctx, p, "companies", map[string]any{"name": "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	inputs := []map[string]any{
		{"name": "Small", "amount": "1000", "stage_id": "lead-in", "company_id": acme.ID()},
		{"name": "Medium", "amount": "2000.50", "stage_id": "lead-in"},
		{"name": "Yankee", "amount": "500", "currency": "USD", "stage_id": "lead-in"},
		{"name": "Qualified one", "amount": "7000", "stage_id": "qualified"},
		{"name": "Closed", "amount": "9000", "stage_id": "won"},
	}
	for i := range 22 {
		inputs = append(inputs, map[string]any{"name": fmt.Sprintf("Demo %02d", i), "amount": "100", "stage_id": "demo"})
	}
	made, err := e.Sys.Records.CreateMany(ctx, access.Principal{WorkspaceID: e.WS, UserID: e.Users[access.Sales], Role: access.Sales}, "deals", inputs)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser(t, access.Sales)
	code, doc := b.get("/deals/board")
	if code != 200 || doc.Find(".board .column").Length() != 7 {
		t.Fatalf("board: %d, %d columns", code, doc.Find(".board .column").Length())
	}
	lead := column(doc, "lead-in")
	if got := strings.Join(strings.Fields(lead.Find("h2").Text()), " "); got != "Lead in 3" {
		t.Errorf("lead-in heading: %q", got)
	}
	if sums := lead.Find(".sums").Text(); !strings.Contains(sums, "€3,000.50") || !strings.Contains(sums, "$500.00") || !strings.Contains(sums, "10 %") {
		t.Errorf("lead-in sums: %q", sums)
	}
	if card := lead.Find(`.deal-card[data-id="` + made[0].ID() + `"]`); !strings.Contains(card.Text(), "Acme") || !strings.Contains(card.Text(), "€1,000.00") ||
		card.AttrOr("draggable", "") != "true" || card.Find(`form[action="/deals/`+made[0].ID()+`/move"]`).Length() != 1 || card.Find(".avatar").Text() == "" {
		t.Errorf("a card: %q", strings.Join(strings.Fields(card.Text()), " "))
	}
	if !column(doc, "won").Is("details") || !strings.Contains(column(doc, "won").Find("summary").Text(), "€9,000.00") {
		t.Error("the won column is not folded with its sum")
	}
	demo := column(doc, "demo")
	more, ok := demo.Find("a.more").Attr("href")
	if demo.Find(".deal-card").Length() != 20 || !ok {
		t.Fatalf("demo column: %d cards, more %q", demo.Find(".deal-card").Length(), more)
	}
	if _, doc = b.get(more); column(doc, "demo").Find(".deal-card").Length() != 2 || column(doc, "lead-in").Find(".deal-card").Length() != 3 {
		t.Errorf("the demo column's second page: %d cards", column(doc, "demo").Find(".deal-card").Length())
	}
	// The list's filter and search, and its saved views.
	if _, doc = b.get("/pipelines/{{sales}}/board?filter=" + url.QueryEscape("amount > 1500")); strings.Join(strings.Fields(column(doc, "lead-in").Find("h2").Text()), " ") != "Lead in 1" {
		t.Errorf("filtered lead-in: %q", column(doc, "lead-in").Find("h2").Text())
	}
	if _, doc = b.get("/pipelines/{{sales}}/board?q=yankee"); column(doc, "lead-in").Find(".deal-card").Length() != 1 || column(doc, "demo").Find(".deal-card").Length() != 0 {
		t.Errorf("searched board: %q", text(doc, ".board"))
	}
	if _, doc = b.get("/pipelines/{{sales}}/board?filter=" + url.QueryEscape("amount >")); doc.Find(".filters .field-error").Length() != 1 || doc.Find(".board .column").Length() != 7 {
		t.Errorf("a bad filter: %q", text(doc, ".filters"))
	}
	v, err := e.Sys.Views.Save(ctx, access.Principal{WorkspaceID: e.WS, UserID: e.Users[access.Sales], Role: access.Sales}, views.View{Object: "deals", Name: "Big ones", Filter: "amount >= 7000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, doc = b.get("/pipelines/{{sales}}/board?view=" + v.ID); column(doc, "qualified").Find(".deal-card").Length() != 1 || column(doc, "lead-in").Find(".deal-card").Length() != 0 ||
		doc.Find(`nav.views`).Last().Find(`a[aria-current="page"]`).Text() != "Big ones" {
		t.Errorf("saved view on the board: %q", text(doc, ".board"))
	}
	// Moving: by the card's form; a lost stage needs its reason.
	back := "/pipelines/" + e.Vars["sales"] + "/board"
	if _, doc = b.post("/deals/"+made[1].ID()+"/move", url.Values{"stage_id": {"qualified"}, "back": {back}}); !strings.Contains(text(doc, ".flash"), "Moved Medium to Qualified") ||
		strings.Join(strings.Fields(column(doc, "qualified").Find("h2").Text()), " ") != "Qualified 2" {
		t.Errorf("after a move: %q, %q", text(doc, ".flash"), column(doc, "qualified").Find("h2").Text())
	}
	if _, doc = b.post("/deals/"+made[1].ID()+"/move", url.Values{"stage_id": {"lost"}, "back": {back}}); !strings.Contains(text(doc, ".flash"), "lost_reason: is required when a deal is lost") {
		t.Errorf("lost without a reason: %q", text(doc, ".flash"))
	}
	if _, doc = b.post("/deals/"+made[1].ID()+"/move", url.Values{"stage_id": {"lost"}, "lost_reason": {"Budget"}, "back": {back}}); !strings.Contains(column(doc, "lost").Find("summary").Text(), "1") {
		t.Errorf("lost column: %q", column(doc, "lost").Find("summary").Text())
	}
	rec, _ := e.Sys.Records.Get(ctx, p, "deals", made[1].ID(), false)
	if rec["status"] != "lost" || rec["lost_reason"] != "Budget" {
		t.Errorf("lost deal: %v %v", rec["status"], rec["lost_reason"])
	}
	// Read-only users look, and cannot move.
	if _, doc = e.browser(t, access.ReadOnly).get("/pipelines/{{sales}}/board"); doc.Find(".deal-card").Length() == 0 || doc.Find(`.deal-card[draggable], .deal-card form`).Length() != 0 {
		t.Error("readonly may move deals")
	}
	if code, _ := e.browser(t, access.ReadOnly).post("/deals/"+made[0].ID()+"/move", url.Values{"stage_id": {"qualified"}, "back": {back}}); code != 200 {
		t.Errorf("readonly move: %d", code)
	}
	if rec, _ := e.Sys.Records.Get(ctx, p, "deals", made[0].ID(), false); rec["stage_id"] != "lead-in" {
		t.Error("a readonly user moved a deal")
	}
}

// TestWebForecast: a pipeline's forecast page draws a bar pair for every
// month asked, in the workspace's currency unless another is picked, and
// lists the months and the owners with their exact sums; a bad month
// says so and falls back to the coming year.
func TestWebForecast(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	page, err := e.Sys.Records.List(ctx, access.System(e.WS), "pipelines", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("pipelines: %v", err)
	}
	e.Vars["sales"] = page.Data[0].ID()
	sales := access.Principal{WorkspaceID: e.WS, UserID: e.Users[access.Sales], Role: access.Sales}
	if _, err := e.Sys.Records.CreateMany(ctx, sales, "deals", []map[string]any{
		{"name": "A", "amount": "1000", "stage_id": "lead-in", "close_date": "2026-03-10"},
		{"name": "B", "amount": "2000.50", "stage_id": "negotiation", "close_date": "2026-03-31"},
		{"name": "C", "amount": "500", "currency": "USD", "stage_id": "proposal", "close_date": "2026-05-15"},
		{"name": "Won", "amount": "800", "stage_id": "won"},
		{"name": "Won too", "amount": "801", "stage_id": "won"},
		{"name": "Lost", "amount": "100", "stage_id": "lost", "lost_reason": "Price"},
	}); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t, access.ReadOnly)
	code, doc := b.get("/pipelines/{{sales}}/forecast?from=2026-03&to=2026-05")
	if code != 200 || doc.Find("svg.bars rect.amount").Length() != 3 || doc.Find("svg.bars rect.weighted").Length() != 3 {
		t.Fatalf("forecast chart: %d, %d bars", code, doc.Find("svg.bars rect").Length())
	}
	if title := doc.Find("svg.bars rect.weighted title").First().Text(); title != "March 2026: €1,700.40" {
		t.Errorf("March's weighted bar: %q", title)
	}
	if h := doc.Find("svg.bars rect.amount").Eq(1).AttrOr("height", ""); h != "0" {
		t.Errorf("April's bar (no EUR deals): height %q", h)
	}
	months := text(doc, "section[aria-labelledby=months-title] tbody")
	if !strings.Contains(months, "March 2026 2 €3,000.50 €1,700.40 €2,000.50") || !strings.Contains(months, "May 2026 1 $500.00 $300.00 $0.00") {
		t.Errorf("months table: %q", months)
	}
	if owners := text(doc, "section[aria-labelledby=owners-title] tbody"); !strings.Contains(owners, "sales 2 €3,000.50") {
		t.Errorf("owners table: %q", owners)
	}
	if owners := text(doc, "section[aria-labelledby=results-title] table:first-of-type tbody"); owners != "sales 2 1 66.7 % €800.50 0.0 days €1,601.00" {
		t.Errorf("results by owner: %q", owners)
	}
	if link := doc.Find("section[aria-labelledby=results-title] table").Last().Find("tbody a"); link.Text() != "Sales" || link.AttrOr("href", "") != "/pipelines/"+e.Vars["sales"]+"/forecast" {
		t.Errorf("results by pipeline: %q", text(doc, "section[aria-labelledby=results-title]"))
	}
	if _, doc = b.get("/pipelines/{{sales}}/forecast?from=2026-03&to=2026-05&currency=USD"); doc.Find("svg.bars rect.amount").Eq(2).AttrOr("height", "0") == "0" ||
		!strings.Contains(text(doc, "#chart-title"), "USD") {
		t.Errorf("the chart in dollars: %q", text(doc, "#chart-title"))
	}
	if _, doc = b.get("/pipelines/{{sales}}/forecast?from=2026-13"); !strings.Contains(text(doc, ".field-error"), "from: want a month") || doc.Find("svg.bars rect.amount").Length() != 12 {
		t.Errorf("a bad month: %q, %d months", text(doc, ".field-error"), doc.Find("svg.bars rect.amount").Length())
	}
}
