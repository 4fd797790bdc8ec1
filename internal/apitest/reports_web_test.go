package apitest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestReportsWeb: the reports page lists the dashboards and saved
// reports; the builder runs a question from its form (a condition added
// with the condition row, keys and measures from selects) and draws it;
// saving it shares it, a report that would not run comes back with the
// field named; a dashboard shows each report as a chart, over the period
// chosen, and its owner edits it.
func TestReportsWeb(t *testing.T) {
	e := New(t)
	e.Clock.Set(time.Date(2026, 6, 17, 10, 0, 0, 0, time.UTC))
	e.Run(t, []Scenario{
		{Name: "won", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"A","amount":"1200.50","stage_id":"won"}`, Status: 201, Events: 1},
		{Name: "open", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"B","amount":"300","stage_id":"demo","close_date":"2026-07-01"}`, Status: 201, Events: 1},
	})
	b := e.browser(t, access.Manager)
	status, doc := b.get("/reports")
	if status != 200 || !strings.Contains(text(doc, ".tiles"), "Sales") || !strings.Contains(text(doc, ".tiles"), "Service") ||
		!strings.Contains(text(doc, "table.records"), "Open pipeline by stage") {
		t.Fatalf("reports page %d: %s", status, text(doc, "main"))
	}
	// The condition row folds status = won into the filter.
	q := url.Values{"object": {"deals"}, "group": {"owner_id", "stage_entered_at:quarter", ""}, "m_fn": {"sum", "", ""}, "m_field": {"amount", "", ""},
		"m_where": {"", "", ""}, "chart": {"bar"}, "add_field": {"status"}, "add_op": {"="}, "add_value": {"won"}}
	status, doc = b.get("/reports/new?" + q.Encode())
	if status != 200 {
		t.Fatalf("builder %d: %s", status, text(doc, "main"))
	}
	if got := doc.Find(`input[name="filter"]`).AttrOr("value", ""); got != `status = "won"` {
		t.Fatalf("the condition row made %q", got)
	}
	if n := doc.Find(".report-card svg.chart rect[fill]").Length(); n != 1 {
		t.Errorf("the preview has %d bars, want 1: %s", n, text(doc, ".report-card"))
	}
	if got := text(doc, ".report-card table"); !strings.Contains(got, "Sum of Amount") || !strings.Contains(got, "€1,200.50") || !strings.Contains(got, "2026-Q2") {
		t.Errorf("the preview's table: %s", got)
	}
	save := formOf(doc, `form[action="/reports/new"][method="post"]`)
	save.Set("name", "Won revenue by owner by quarter")
	save["share_roles"] = []string{"sales"}
	save.Set("schedule", "weekly")
	save.Set("email_to", "boss@example.com")
	status, doc = b.post("/reports/new", save)
	if status != 200 || !strings.Contains(text(doc, ".flash"), "Saved Won revenue by owner by quarter") {
		t.Fatalf("save %d: %s", status, text(doc, "main"))
	}
	id := strings.TrimPrefix(doc.Find(`form[action^="/reports/"][method="post"]`).First().AttrOr("action", ""), "/reports/")
	if id == "" || id == "new" {
		t.Fatalf("no saved report's form: %s", text(doc, "main"))
	}
	e.Vars["report"] = id
	e.Run(t, []Scenario{
		{Name: "saved as asked", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{report}}", Status: 200, Contains: []string{
			`"filter":"status = \"won\""`, `"group_by":["owner_id","stage_entered_at:quarter"]`, `"measures":["sum(amount)"]`, `"share_roles":["sales"]`,
			`"schedule":"weekly"`, `"email_to":["boss@example.com"]`, `"chart":"bar"`}},
	})
	// A measure of a name does not save: the builder says which field.
	bad := formOf(doc, `form[action="/reports/`+id+`"][method="post"]`)
	bad.Set("m_fn", "sum")
	bad.Set("m_field", "name")
	status, doc = b.post("/reports/"+id, bad)
	if status != 400 || !strings.Contains(text(doc, ".flash"), "Not saved: Measures") {
		t.Errorf("a bad measure: %d %s", status, text(doc, ".flash"))
	}
	// On a dashboard of the manager's own, shared with the sales team.
	status, doc = b.post("/dashboards", url.Values{"name": {"Team"}})
	if status != 200 || doc.Find(`select[name="report_id"]`).Length() != 1 {
		t.Fatalf("new dashboard %d: %s", status, text(doc, "main"))
	}
	ref := strings.TrimPrefix(doc.Find(`form[action^="/dashboards/"]`).First().AttrOr("action", ""), "/dashboards/")
	status, doc = b.post("/dashboards/"+ref, url.Values{"_action": {"add"}, "report_id": {id}})
	if status != 200 || doc.Find(".dashboard-grid .report-card").Length() != 1 {
		t.Fatalf("add a card %d: %s", status, text(doc, "main"))
	}
	settings := formOf(doc, `form[method="post"][action="/dashboards/`+ref+`"]:not(.builder):not(.card-actions)`)
	settings["share_roles"] = []string{"sales"}
	if status, doc = b.post("/dashboards/"+ref, settings); status != 200 || !strings.Contains(text(doc, ".flash"), "Dashboard saved") {
		t.Fatalf("share %d: %s", status, text(doc, "main"))
	}
	sales := e.browser(t, access.Sales)
	status, doc = sales.get("/dashboards/" + ref + "?range=this_quarter")
	if status != 200 || doc.Find(".report-card svg.chart").Length() != 1 || !strings.Contains(text(doc, ".report-card header"), "Won revenue by owner by quarter") {
		t.Fatalf("the sales team's view %d: %s", status, text(doc, "main"))
	}
	if doc.Find(`a[href$="?edit=1"]`).Length() != 0 {
		t.Error("the sales team may edit the manager's dashboard")
	}
	if status, _ := e.browser(t, access.Support).get("/dashboards/" + ref); status != 404 {
		t.Errorf("support saw the team's dashboard: %d", status)
	}
	// The built-in dashboards draw every card.
	for _, name := range []string{"sales", "marketing", "service"} {
		status, doc = b.get("/dashboards/" + name)
		if status != 200 || doc.Find(".report-card").Length() < 5 || doc.Find(".report-card .field-error").Length() != 0 {
			t.Errorf("%s dashboard %d: %d cards, %s", name, status, doc.Find(".report-card").Length(), text(doc, ".field-error"))
		}
	}
}
