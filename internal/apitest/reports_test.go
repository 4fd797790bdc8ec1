package apitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestReportQueryAPI: POST /api/v1/reports/query answers as API.md says:
// the group-by columns first, then the measures in the order asked, money
// as exact decimal strings, with the stages' and owners' names beside
// their ids; a period in the workspace's days with the period before for
// comparison; every role that may see deals may report on them; bad
// input is a 400 that names the field.
func TestReportQueryAPI(t *testing.T) {
	e := New(t)
	// A Wednesday in the middle of June, in Berlin.
	e.Clock.Set(time.Date(2026, 6, 17, 10, 0, 0, 0, time.UTC))
	deal := func(role access.Role, body string) Scenario {
		return Scenario{Name: body, Role: role, Method: "POST", Path: "/api/v1/deals", Body: body, Status: 201, Events: 1}
	}
	e.Run(t, []Scenario{
		{Name: "Berlin", Method: "PATCH", Path: "/api/v1/workspace", Body: `{"time_zone":"Europe/Berlin","default_currency":"EUR"}`, Status: 200},
		deal(access.Sales, `{"name":"A","amount":"1000","stage_id":"lead-in","close_date":"2026-03-10"}`),
		deal(access.Sales, `{"name":"B","amount":"2000.50","stage_id":"lead-in","close_date":"2026-03-31"}`),
		deal(access.Sales, `{"name":"C","amount":"0.05","stage_id":"won","close_date":"2026-04-01"}`),
		deal(access.Manager, `{"name":"D","amount":"0.05","stage_id":"won","close_date":"2026-04-30"}`),
		deal(access.Manager, `{"name":"E","amount":"99.90","stage_id":"won","close_date":"2025-04-15"}`),
		deal(access.Sales, `{"name":"F","amount":"500","currency":"USD","stage_id":"won","close_date":"2026-04-02"}`),
		{Name: "API.md's example", Role: access.ReadOnly, Method: "POST", Path: "/api/v1/reports/query",
			Body:   `{"object":"deals","filter":"currency = \"EUR\"","group_by":["stage_id","close_date:month"],"measures":[{"fn":"count"},{"fn":"sum","field":"amount"}]}`,
			Status: 200, Contains: []string{
				`"columns":["stage_id","close_date:month","count","sum(amount)"]`,
				`"rows":[["lead-in","2026-03",2,"3000.50"],["won","2025-04",1,"99.90"],["won","2026-04",2,"0.10"]]`,
				`"currency":"EUR"`, `"labels":{"stage_id":{"lead-in":"Lead in","won":"Won"}}`}},
		{Name: "two currencies, by owner", Method: "POST", Path: "/api/v1/reports/query",
			Body:   `{"object":"deals","filter":"status = \"won\"","group_by":["owner_id"],"measures":[{"fn":"sum","field":"amount"},{"fn":"avg","field":"amount"}],"order_by":"sum(amount) desc"}`,
			Status: 200, Contains: []string{
				`"columns":["owner_id","currency","sum(amount)","avg(amount)"]`,
				`"rows":[["{{sales_id}}","USD","500.00","500.00"],["{{manager_id}}","EUR","99.95","49.98"],["{{sales_id}}","EUR","0.05","0.05"]]`,
				`"labels":{"owner_id":{"{{manager_id}}":"manager","{{sales_id}}":"sales"}}`}},
		{Name: "this quarter against the last", Method: "POST", Path: "/api/v1/reports/query",
			Body:   `{"object":"deals","filter":"currency = \"EUR\"","measures":[{"fn":"count"},{"fn":"sum","field":"amount"}],"period":{"field":"close_date","range":"this_quarter"},"compare":true}`,
			Status: 200, Contains: []string{
				`"rows":[[2,"0.10"]]`, `"period":{"from":"2026-04-01","to":"2026-06-30"}`,
				`"previous":{"period":{"from":"2026-01-01","to":"2026-03-31"},"columns":["count","sum(amount)"],"rows":[[2,"3000.50"]],"currency":"EUR"}`}},
		{Name: "days given, and as many days before", Method: "POST", Path: "/api/v1/reports/query",
			Body:   `{"object":"deals","group_by":["close_date:year"],"period":{"field":"close_date","from":"2026-03-31","to":"2026-04-01"},"compare":true}`,
			Status: 200, Contains: []string{`"rows":[["2026",2]]`, `"previous":{"period":{"from":"2026-03-29","to":"2026-03-30"},"columns":["close_date:year","count"],"rows":[]}`}},
		{Name: "created today in Berlin", Method: "POST", Path: "/api/v1/reports/query",
			Body:   `{"object":"deals","group_by":["created_at:day"],"period":{"field":"created_at","range":"today"}}`,
			Status: 200, Contains: []string{`"rows":[["2026-06-17",6]]`}},
		{Name: "a related record's field", Method: "POST", Path: "/api/v1/reports/query",
			Body:   `{"object":"deals","group_by":["pipeline.name"]}`,
			Status: 200, Contains: []string{`"columns":["pipeline.name","count"]`, `"rows":[["Sales",6]]`}},
		{Name: "an unknown property", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","groupby":["stage_id"]}`, Status: 422, Contains: []string{"groupby"}},
		{Name: "no object", Method: "POST", Path: "/api/v1/reports/query", Body: `{}`, Status: 400, Contains: []string{"object"}},
		{Name: "no such object", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"nope"}`, Status: 404},
		{Name: "a bad filter", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","filter":"amount >"}`, Status: 400, Contains: []string{"filter"}},
		{Name: "a bad key", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","group_by":["name:month"]}`, Status: 400, Contains: []string{"group_by[0]"}},
		{Name: "a bad measure", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","measures":[{"fn":"sum","field":"name"}]}`, Status: 400, Contains: []string{"measures[0]"}},
		{Name: "a period of no date", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","period":{"field":"name","range":"today"}}`, Status: 400, Contains: []string{"period.field"}},
		{Name: "an unknown range", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","period":{"field":"close_date","range":"someday"}}`, Status: 400, Contains: []string{"period.range"}},
		{Name: "backwards", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","period":{"field":"close_date","from":"2026-02-01","to":"2026-01-01"}}`, Status: 400, Contains: []string{"period.to"}},
		{Name: "compare with nothing", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","compare":true}`, Status: 400, Contains: []string{"compare"}},
		{Name: "webhooks are the admins'", Role: access.Sales, Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"webhooks"}`, Status: 403},
	})
}

// TestSavedReportsAPI: a saved report is a record checked as it would
// run, seen by its owner, the roles and users it is shared with and the
// admins, answered and exported (CSV, SVG, PNG); dashboards hold saved
// reports, the three built-in ones answer at their addresses, and a
// user's own dashboard at its own.
func TestSavedReportsAPI(t *testing.T) {
	e := New(t)
	e.Clock.Set(time.Date(2026, 6, 17, 10, 0, 0, 0, time.UTC))
	report := `{"name":"Won revenue by owner by quarter","object":"deals","filter":"status = \"won\"","group_by":["owner_id","stage_entered_at:quarter"],` +
		`"measures":["sum(amount)","count"],"chart":"bar","share_roles":["sales"]}`
	e.Run(t, []Scenario{
		{Name: "a won deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"A","amount":"1200.50","stage_id":"won"}`, Status: 201, Events: 1},
		{Name: "another", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"B","amount":"99.50","stage_id":"won"}`, Status: 201, Events: 1},
		{Name: "an open one", Role: access.Manager, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"C","amount":"5000","stage_id":"demo"}`, Status: 201, Events: 1},
		{Name: "save a report", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: report, Status: 201, Events: 1, Save: "won"},
		{Name: "a measure of a name", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: `{"name":"x","object":"deals","measures":["sum(name)"]}`,
			Status: 422, Contains: []string{`"field":"measures"`}},
		{Name: "a key that is none", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: `{"name":"x","object":"deals","group_by":["nope"]}`,
			Status: 422, Contains: []string{`"field":"group_by"`}},
		{Name: "a bad filter", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: `{"name":"x","object":"deals","filter":"amount >"}`,
			Status: 422, Contains: []string{`"field":"filter"`}},
		{Name: "an object that is none", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: `{"name":"x","object":"nope"}`,
			Status: 422, Contains: []string{`"field":"object"`}},
		{Name: "the sales team sees it", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}", Status: 200, Contains: []string{`"name":"Won revenue by owner by quarter"`}},
		{Name: "support does not", Role: access.Support, Method: "GET", Path: "/api/v1/reports/{{won}}", Status: 404},
		{Name: "nor in the list", Role: access.Support, Method: "GET", Path: "/api/v1/reports?page_size=100", Status: 200, Lacks: []string{"Won revenue by owner"}},
		{Name: "the sales team may not change it", Role: access.Sales, Method: "PATCH", Path: "/api/v1/reports/{{won}}", Body: `{"name":"Mine"}`, Status: 403},
		{Name: "support may not either", Role: access.Support, Method: "PATCH", Path: "/api/v1/reports/{{won}}", Body: `{"name":"Mine"}`, Status: 404},
		{Name: "its answer", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/result", Status: 200, Contains: []string{
			`"columns":["owner_id","stage_entered_at:quarter","sum(amount)","count"]`, `"rows":[["{{sales_id}}","2026-Q2","1300.00",2]]`}},
		{Name: "worked out live", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/result?fresh=true", Status: 200, Contains: []string{`"sum(amount)"`}},
		{Name: "a dashboard worked out live", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/sales?fresh=true", Status: 200, Contains: []string{`"cards"`}},
		{Name: "as CSV", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/export", Status: 200, Contains: []string{
			"Owner,In stage since (quarter),Sum of Amount,Count\nsales,2026-Q2,1300.00,2\n"}},
		{Name: "as CSV in German", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/export?format=csv", Header: map[string]string{"Accept-Language": "de"},
			Status: 200, Contains: []string{"Summe Betrag"}},
		{Name: "as SVG", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/export?format=svg", Status: 200, Contains: []string{
			"<svg", "<title>Won revenue by owner by quarter</title>", "<title>sales: €1,300.00</title>"}},
		{Name: "as PNG", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/export?format=png", Status: 200, Contains: []string{"\x89PNG"}},
		{Name: "an unknown format", Role: access.Sales, Method: "GET", Path: "/api/v1/reports/{{won}}/export?format=xls", Status: 400, Contains: []string{"format"}},
		{Name: "the sales dashboard", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/sales", Status: 200, Contains: []string{
			`"key":"sales"`, `"range":"this_year"`, `"name":"Open pipeline by stage"`, `"name":"Weighted forecast by month"`, `"name":"Deals by source"`,
			`"rows":[["demo","5000.00",1]]`, `"labels":{"stage_id":{"demo":"Demo"}}`}, Lacks: []string{`"error"`}},
		{Name: "over another period", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/sales?range=last_year", Status: 200, Contains: []string{`"range":"last_year"`, `"from":"2025-01-01"`}},
		{Name: "a period that is none", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/sales?range=forever", Status: 400, Contains: []string{"range"}},
		{Name: "the marketing dashboard", Role: access.Marketing, Method: "GET", Path: "/api/v1/dashboards/marketing", Status: 200, Contains: []string{`"name":"Subscriber to customer"`}, Lacks: []string{`"error"`}},
		{Name: "the service dashboard", Role: access.Support, Method: "GET", Path: "/api/v1/dashboards/service", Status: 200, Contains: []string{`"name":"SLA compliance"`}, Lacks: []string{`"error"`}},
		{Name: "no such dashboard", Method: "GET", Path: "/api/v1/dashboards/nope", Status: 404},
		{Name: "dashboards export like any object", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/export?format=json", Status: 200,
			Contains: []string{`"key":"sales"`, `"key":"service"`}},
		{Name: "a team dashboard", Role: access.Manager, Method: "POST", Path: "/api/v1/dashboards", Body: `{"name":"Team","key":"team-sales","report_ids":["{{won}}"],"share_roles":["sales"],"period_range":"this_quarter"}`,
			Status: 201, Events: 1, Save: "team"},
		{Name: "a report one cannot see", Role: access.Support, Method: "POST", Path: "/api/v1/dashboards", Body: `{"name":"Mine","report_ids":["{{won}}"]}`,
			Status: 422, Contains: []string{`"field":"report_ids"`}},
		{Name: "an address with spaces", Role: access.Manager, Method: "POST", Path: "/api/v1/dashboards", Body: `{"name":"Mine","key":"my board"}`,
			Status: 422, Contains: []string{`"field":"key"`}},
		{Name: "the team sees it", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/team-sales", Status: 200, Contains: []string{`"range":"this_quarter"`, `"rows":[["{{sales_id}}","2026-Q2","1300.00",2]]`}},
		{Name: "by its id too", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/{{team}}", Status: 200, Contains: []string{`"key":"team-sales"`}},
		{Name: "support does not", Role: access.Support, Method: "GET", Path: "/api/v1/dashboards/team-sales", Status: 404},
		{Name: "one owner's records", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/team-sales?owner_id={{manager_id}}", Status: 200, Contains: []string{`"rows":[]`}},
		{Name: "a manager edits a built-in report", Role: access.Manager, Method: "GET", Path: "/api/v1/reports?filter=name%20%3D%20%22Deals%20by%20source%22", Status: 200, Contains: []string{`"chart":"donut"`}},
	})
}

// TestReportDigest: a report mailed weekly goes out on Monday at seven in
// the workspace's zone, as an email with its chart inline, its table and
// a PDF, to its addresses, and the next Monday's is queued; a schedule
// changed since a digest was queued sends on the new schedule only; bad
// addresses are refused.
func TestReportDigest(t *testing.T) {
	e := New(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Wednesday 17 June 2026, 10:00 in Berlin.
	e.Clock.Set(time.Date(2026, 6, 17, 10, 0, 0, 0, berlin))
	e.Run(t, []Scenario{
		{Name: "Berlin", Method: "PATCH", Path: "/api/v1/workspace", Body: `{"time_zone":"Europe/Berlin"}`, Status: 200},
		{Name: "won", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"A","amount":"1200.50","stage_id":"won"}`, Status: 201, Events: 1},
		{Name: "a bad address", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: `{"name":"x","object":"deals","schedule":"weekly","email_to":["boss at example"]}`,
			Status: 422, Contains: []string{`"field":"email_to"`}},
		{Name: "weekly", Role: access.Manager, Method: "POST", Path: "/api/v1/reports",
			Body: `{"name":"Won revenue by owner","object":"deals","filter":"status = \"won\"","group_by":["owner_id"],"measures":["sum(amount)"],"chart":"bar",` +
				`"schedule":"weekly","email_to":["boss@example.com"]}`, Status: 201, Events: 1, Jobs: 1, Save: "r"},
		{Name: "daily, mailed to its owner", Role: access.Manager, Method: "POST", Path: "/api/v1/reports",
			Body: `{"name":"Deal count","object":"deals","measures":["count"],"chart":"kpi","schedule":"daily"}`, Status: 201, Events: 1, Jobs: 1, Save: "d"},
	})
	drain(t, e)
	if n := len(e.Mail.Messages()); n != 0 {
		t.Fatalf("%d mails before their time", n)
	}
	// Thursday 07:00: the daily one.
	e.Clock.Set(time.Date(2026, 6, 18, 7, 0, 0, 0, berlin))
	drain(t, e)
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "manager@test.example" || !strings.Contains(msgs[0].Data, "Daily: Deal count") {
		t.Fatalf("the daily digest: %d mails %+v", len(msgs), msgs)
	}
	// Monday 22 June 07:00 Berlin: the weekly one, and the daily one.
	e.Clock.Set(time.Date(2026, 6, 22, 7, 0, 0, 0, berlin))
	drain(t, e)
	drain(t, e)
	var weekly *email.Parsed
	for _, m := range e.Mail.Messages() {
		if m.To[0] == "boss@example.com" {
			p, err := email.Parse([]byte(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			weekly = p
		}
	}
	if weekly == nil {
		t.Fatalf("no weekly digest among %d mails", len(e.Mail.Messages()))
	}
	if weekly.Subject != "Weekly: Won revenue by owner" || !strings.Contains(weekly.HTML, `src="cid:chart-1@rapport"`) || !strings.Contains(weekly.HTML, "€1,200.50") {
		t.Errorf("the weekly digest: %q %s", weekly.Subject, weekly.HTML)
	}
	var inline, pdf bool
	for _, a := range weekly.Attachments {
		inline = inline || a.ContentID == "chart-1@rapport" && strings.HasPrefix(string(a.Data), "\x89PNG")
		pdf = pdf || strings.HasSuffix(a.Name, ".pdf") && strings.HasPrefix(string(a.Data), "%PDF")
	}
	if !inline || !pdf {
		t.Errorf("the weekly digest's parts: inline chart %v, PDF %v", inline, pdf)
	}
	e.Run(t, []Scenario{
		{Name: "sent, and the next queued", Role: access.Manager, Method: "GET", Path: "/api/v1/reports/{{r}}", Status: 200, Contains: []string{`"last_sent_at":"2026-06-22T05:00:00`}},
		{Name: "now monthly", Role: access.Manager, Method: "PATCH", Path: "/api/v1/reports/{{r}}", Body: `{"schedule":"monthly"}`, Status: 200, Events: 1, Jobs: 1},
	})
	before := len(e.Mail.Messages())
	// The weekly digest queued for 29 June goes no more; 1 July's monthly does.
	e.Clock.Set(time.Date(2026, 6, 29, 7, 0, 0, 0, berlin))
	drain(t, e)
	drain(t, e)
	for _, m := range e.Mail.Messages()[before:] {
		if m.To[0] == "boss@example.com" {
			t.Errorf("a weekly digest went after the schedule changed")
		}
	}
	e.Clock.Set(time.Date(2026, 7, 1, 7, 0, 0, 0, berlin))
	drain(t, e)
	drain(t, e)
	monthly := 0
	for _, m := range e.Mail.Messages()[before:] {
		if m.To[0] == "boss@example.com" && strings.Contains(m.Data, "Monthly: Won revenue by owner") {
			monthly++
		}
	}
	if monthly != 1 {
		t.Errorf("%d monthly digests on 1 July", monthly)
	}
	// Down all August: on 2 September one digest goes, not one a month
	// missed, and the next is October's.
	before = len(e.Mail.Messages())
	e.Clock.Set(time.Date(2026, 9, 2, 10, 0, 0, 0, berlin))
	drain(t, e)
	drain(t, e)
	drain(t, e)
	monthly = 0
	for _, m := range e.Mail.Messages()[before:] {
		if m.To[0] == "boss@example.com" {
			monthly++
		}
	}
	if monthly != 1 {
		t.Errorf("%d monthly digests after a month down", monthly)
	}
	var next string
	if err := e.Sys.DB.Reader().QueryRowContext(context.Background(), `SELECT payload FROM jobs WHERE workspace_id = $1 AND kind = 'report.digest' AND state = 'available' AND payload LIKE '%`+e.Vars["r"]+`%'`, e.WS).Scan(&next); err != nil || !strings.Contains(next, "2026-10-01T07:00:00+02:00") {
		t.Errorf("the next monthly digest: %s %v", next, err)
	}
}

// TestKeptAnswers: an answer that took long is kept and served, with its
// time, while it is fresh; a fresh one is asked for; an ageing one is
// served while a job works it out again; an old one is worked out live;
// and what users see of an object keeps their answers apart.
func TestKeptAnswers(t *testing.T) {
	e := New(t)
	e.Sys.Reports.KeepAfter = 0 // every answer is kept
	start := time.Date(2026, 6, 17, 10, 0, 0, 0, time.UTC)
	e.Clock.Set(start)
	count := `{"object":"deals","measures":[{"fn":"count"}]}`
	e.Run(t, []Scenario{
		{Name: "a deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"A"}`, Status: 201, Events: 1},
		{Name: "worked out", Method: "POST", Path: "/api/v1/reports/query", Body: count, Status: 200, Contains: []string{`"rows":[[1]]`}, Lacks: []string{"as_of"}},
		{Name: "another deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"B"}`, Status: 201, Events: 1},
		{Name: "kept", Method: "POST", Path: "/api/v1/reports/query", Body: count, Status: 200, Contains: []string{`"rows":[[1]]`, `"as_of":"2026-06-17T10:00:00Z"`}},
		{Name: "fresh", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","measures":[{"fn":"count"}],"fresh":true}`, Status: 200, Contains: []string{`"rows":[[2]]`}, Lacks: []string{"as_of"}},
		{Name: "a third", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"C"}`, Status: 201, Events: 1},
	})
	e.Clock.Set(start.Add(10 * time.Minute))
	e.Run(t, []Scenario{
		{Name: "ageing: served, and worked out again", Method: "POST", Path: "/api/v1/reports/query", Body: count, Status: 200, Jobs: 1, Contains: []string{`"rows":[[2]]`}},
		{Name: "one job a minute", Method: "POST", Path: "/api/v1/reports/query", Body: count, Status: 200, Jobs: 0},
	})
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "worked out again", Method: "POST", Path: "/api/v1/reports/query", Body: count, Status: 200, Contains: []string{`"rows":[[3]]`, `"as_of":"2026-06-17T10:10:00Z"`}},
		{Name: "a fourth", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"D"}`, Status: 201, Events: 1},
	})
	e.Clock.Set(start.Add(3 * time.Hour))
	e.Run(t, []Scenario{
		{Name: "old: worked out live", Method: "POST", Path: "/api/v1/reports/query", Body: count, Status: 200, Jobs: 0, Contains: []string{`"rows":[[4]]`}, Lacks: []string{"as_of"}},
		{Name: "a private report", Role: access.Manager, Method: "POST", Path: "/api/v1/reports", Body: `{"name":"Mine","object":"deals"}`, Status: 201, Events: 1},
		{Name: "the manager's reports", Role: access.Manager, Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"reports","measures":[{"fn":"count"}]}`, Status: 200, Contains: []string{`"rows":[[20]]`}},
		{Name: "the sales rep's, not the manager's kept one", Role: access.Sales, Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"reports","measures":[{"fn":"count"}]}`, Status: 200, Contains: []string{`"rows":[[19]]`}},
		{Name: "webhooks stay the admins'", Role: access.Sales, Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"webhooks"}`, Status: 403},
	})
}

// TestDealWeightAndSource: a deal keeps its amount weighted by its
// stage's probability, anew when it moves and when the stage's
// probability changes, and takes its first contact's lead source unless
// it has one; the sales dashboard's forecast and sources read them.
func TestDealWeightAndSource(t *testing.T) {
	e := New(t)
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "pipelines", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("pipelines: %v", err)
	}
	e.Vars["sales"] = page.Data[0].ID()
	stages := `[{"id":"lead-in","name":"Lead in","probability":10},{"id":"qualified","name":"Qualified","probability":50},` +
		`{"id":"won","name":"Won","probability":100,"kind":"won"},{"id":"lost","name":"Lost","probability":0,"kind":"lost"}]`
	e.Run(t, []Scenario{
		{Name: "a contact from an event", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","lead_source":"Event"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "her deal", Method: "POST", Path: "/api/v1/deals", Body: `{"name":"A","amount":"1000.05","stage_id":"qualified","contact_ids":["{{ada}}"]}`,
			Status: 201, Events: 2, Save: "a", Contains: []string{`"weighted_amount":"250.0125"`, `"lead_source":"Event"`}},
		{Name: "a deal with its own source", Method: "POST", Path: "/api/v1/deals", Body: `{"name":"B","amount":"10","contact_ids":["{{ada}}"],"lead_source":"Referral"}`,
			Status: 201, Events: 2, Contains: []string{`"weighted_amount":"1.00"`, `"lead_source":"Referral"`}},
		{Name: "moved", Method: "PATCH", Path: "/api/v1/deals/{{a}}", Body: `{"stage_id":"demo"}`, Status: 200, Events: 3, Contains: []string{`"weighted_amount":"400.02"`}},
		{Name: "back", Method: "PATCH", Path: "/api/v1/deals/{{a}}", Body: `{"stage_id":"qualified"}`, Status: 200, Events: 3},
		{Name: "the stage's chance changes", Method: "PATCH", Path: "/api/v1/pipelines/{{sales}}", Body: `{"stages":` + stages + `}`, Status: 200, Events: 1},
		{Name: "its deals are weighed anew", Method: "GET", Path: "/api/v1/deals/{{a}}", Status: 200, Contains: []string{`"weighted_amount":"500.025"`}},
		{Name: "the forecast reads it", Method: "POST", Path: "/api/v1/reports/query", Body: `{"object":"deals","group_by":["lead_source"],"measures":[{"fn":"sum","field":"weighted_amount"}]}`,
			Status: 200, Contains: []string{`"rows":[["Event","500.025"],["Referral","1.00"]]`}},
	})
}
