package apitest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestDealsAPI: a new workspace has a sales pipeline; a deal takes the
// workspace's currency, the first pipeline and its first open stage, its
// status follows its stage, a move to another stage is a deal_stage event
// with the time spent in the stage before (on the deal's timeline and on
// those of its company and contacts, and deal.stage_changed for
// webhooks), a lost deal needs a reason, and bad input is a 422 at the
// field.
func TestDealsAPI(t *testing.T) {
	e := New(t)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start)
	r := e.Do(access.Admin, "GET", "/api/v1/pipelines", "", nil)
	var list struct {
		Data []struct {
			ID     string           `json:"id"`
			Name   string           `json:"name"`
			Stages []map[string]any `json:"stages"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || r.Status != 200 || len(list.Data) != 1 || list.Data[0].Name != "Sales" || len(list.Data[0].Stages) != 7 {
		t.Fatalf("pipelines of a new workspace: %d %s", r.Status, r.Body)
	}
	e.Vars["sales"] = list.Data[0].ID
	e.Vars["url"] = "https://hooks.example/deals"
	e.Run(t, []Scenario{
		{Name: "subscribe", Method: "POST", Path: "/api/v1/webhooks", Body: `{"url":"{{url}}","events":["deal.stage_changed"]}`, Status: 201, Events: 1},
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace"}`, Status: 201, Events: 1, Save: "grace"},
		{Name: "a deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals",
			Body:   `{"name":"Acme renewal","amount":"12500","company_id":"{{acme}}","contact_ids":["{{ada}}","{{ada}}"],"close_date":"2026-12-31"}`,
			Status: 201, Events: 3, Jobs: 0, Save: "deal", // created, and on the company's and Ada's timelines
			Contains: []string{`"currency":"EUR"`, `"pipeline_id":"{{sales}}"`, `"stage_id":"lead-in"`, `"status":"open"`, `"amount":"12500.00"`,
				`"contact_ids":["{{ada}}"]`, `"stage_entered_at":"2026-11-02T09:00:00Z"`}},
		{Name: "status is the stage's", Role: access.Sales, Method: "PATCH", Path: "/api/v1/deals/{{deal}}", Body: `{"status":"won"}`,
			Status: 422, Contains: []string{`"field":"status"`, "read-only"}},
		{Name: "a partners pipeline", Method: "POST", Path: "/api/v1/pipelines",
			Body:   `{"name":"Partners","stages":[{"name":"Intro call","probability":20},{"name":"Signed","probability":100,"kind":"won"},{"name":"Dropped","probability":0,"kind":"lost"}]}`,
			Status: 201, Events: 1, Save: "partners", Contains: []string{`"id":"intro-call"`, `"id":"signed"`}},
		{Name: "a stage of another pipeline", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X","pipeline_id":"{{sales}}","stage_id":"intro-call"}`,
			Status: 422, Contains: []string{`"field":"stage_id"`, `\"intro-call\" is not a stage of pipeline \"Sales\"`}},
		{Name: "an unknown currency", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X","currency":"XYZ"}`,
			Status: 422, Contains: []string{`"field":"currency"`, "ISO 4217"}},
		{Name: "too many decimals", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X","amount":"10.123456"}`,
			Status: 422, Contains: []string{`"field":"amount"`, "at most 4 decimals"}},
		{Name: "a negative amount", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X","amount":"-5"}`,
			Status: 422, Contains: []string{`"field":"amount"`, "must not be negative"}},
		{Name: "an unknown contact", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X","contact_ids":["nope"]}`,
			Status: 422, Contains: []string{`"field":"contact_ids"`, `no contacts record with id \"nope\"`}},
		{Name: "an unknown pipeline", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X","pipeline_id":"nope"}`,
			Status: 422, Contains: []string{`"field":"pipeline_id"`}},
		{Name: "lower-case currency", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Globex","currency":"usd","pipeline_id":"{{partners}}","amount":"900.5"}`,
			Status: 201, Events: 1, Save: "globex", Contains: []string{`"currency":"USD"`, `"stage_id":"intro-call"`}},
	})
	e.Clock.Set(start.Add(50 * time.Hour))
	e.Run(t, []Scenario{
		{Name: "move", Role: access.Sales, Method: "PATCH", Path: "/api/v1/deals/{{deal}}", Body: `{"stage_id":"qualified"}`,
			Status: 200, Events: 4, Jobs: 1, // updated, deal_stage, and on the company's and Ada's timelines; one delivery
			Contains: []string{`"stage_id":"qualified"`, `"status":"open"`, `"stage_entered_at":"2026-11-04T11:00:00Z"`}},
		{Name: "the deal's timeline", Method: "GET", Path: "/api/v1/deals/{{deal}}/timeline", Status: 200,
			Contains: []string{`"kind":"deal_stage"`, `"seconds_in_stage":180000`, `"summary":"Moved deal Acme renewal from Lead in to Qualified"`,
				`"from":{"pipeline_id":"{{sales}}","stage":"Lead in","stage_id":"lead-in"}`, `"probability":25`}},
		{Name: "Ada's timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200,
			Contains: []string{`"kind":"deal_stage"`, `"summary":"Deal Acme renewal moved to Qualified"`, `"summary":"Opened deal Acme renewal"`, `"deal_id":"{{deal}}"`}},
		{Name: "the company's", Method: "GET", Path: "/api/v1/companies/{{acme}}/timeline", Status: 200, Contains: []string{`"summary":"Deal Acme renewal moved to Qualified"`}},
		{Name: "Grace's has none", Method: "GET", Path: "/api/v1/contacts/{{grace}}/timeline", Status: 200, Lacks: []string{"Acme renewal"}},
		{Name: "the same stage again changes nothing", Role: access.Sales, Method: "PATCH", Path: "/api/v1/deals/{{deal}}", Body: `{"stage_id":"qualified"}`, Status: 200, Events: 0},
		{Name: "lost needs a reason", Role: access.Sales, Method: "PATCH", Path: "/api/v1/deals/{{deal}}", Body: `{"stage_id":"lost"}`,
			Status: 422, Events: 0, Contains: []string{`"field":"lost_reason"`, "is required when a deal is lost"}},
		{Name: "lost", Role: access.Sales, Method: "PATCH", Path: "/api/v1/deals/{{deal}}", Body: `{"stage_id":"lost","lost_reason":"Budget cut"}`,
			Status: 200, Events: 4, Jobs: 1, Contains: []string{`"status":"lost"`, `"lost_reason":"Budget cut"`}},
		{Name: "lost deals by filter", Method: "GET", Path: `/api/v1/deals?filter=status%20%3D%20%22lost%22`, Status: 200, Contains: []string{"Acme renewal"}, Lacks: []string{"Globex"}},
		{Name: "deals of a contact", Method: "GET", Path: `/api/v1/deals?filter=contact_ids%3A%22{{ada}}%22`, Status: 200, Contains: []string{"Acme renewal"}, Lacks: []string{"Globex"}},
		{Name: "a stage in use stays", Method: "PATCH", Path: "/api/v1/pipelines/{{sales}}",
			Body:   `{"stages":[{"id":"lead-in","name":"Lead in","probability":10},{"id":"won","name":"Won","probability":100,"kind":"won"}]}`,
			Status: 422, Contains: []string{`"field":"stages"`, `stage \"Lost\" cannot be removed: 1 deals are in it`}},
		{Name: "nor changes kind", Method: "PATCH", Path: "/api/v1/pipelines/{{sales}}",
			Body:   `{"stages":[{"id":"lead-in","name":"Lead in","probability":10},{"id":"lost","name":"Lost","probability":0,"kind":"open"}]}`,
			Status: 422, Contains: []string{`stage \"Lost\" cannot become open`}},
		{Name: "sales may not change pipelines", Role: access.Sales, Method: "PATCH", Path: "/api/v1/pipelines/{{sales}}", Body: `{"name":"Mine"}`, Status: 403},
		{Name: "a manager may", Role: access.Manager, Method: "PATCH", Path: "/api/v1/pipelines/{{partners}}", Body: `{"name":"Partner deals"}`, Status: 200, Events: 1},
		{Name: "no stages", Method: "POST", Path: "/api/v1/pipelines", Body: `{"name":"Empty","stages":[]}`, Status: 422, Contains: []string{`"field":"stages"`, "want 1 to 30 stages"}},
		{Name: "a bad probability", Method: "POST", Path: "/api/v1/pipelines", Body: `{"name":"P","stages":[{"name":"A","probability":150}]}`,
			Status: 422, Contains: []string{"stage 0: probability: want a whole number from 0 to 100"}},
		{Name: "no open stage", Method: "POST", Path: "/api/v1/pipelines", Body: `{"name":"P","stages":[{"name":"Won","probability":100,"kind":"won"}]}`,
			Status: 422, Contains: []string{"want at least one open stage"}},
		{Name: "the pipeline alone moves the deal to its first open stage", Role: access.Sales, Method: "PATCH", Path: "/api/v1/deals/{{deal}}",
			Body: `{"pipeline_id":"{{partners}}"}`, Status: 200, Events: 4, Jobs: 1, Contains: []string{`"stage_id":"intro-call"`, `"status":"open"`}},
		{Name: "readonly may not create deals", Role: access.ReadOnly, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"X"}`, Status: 403},
	})
	r = e.Do(access.Admin, "GET", "/api/v1/deals/{{deal}}/timeline", "", nil)
	var tl struct {
		Data []struct {
			Kind string         `json:"kind"`
			Data map[string]any `json:"data"`
		} `json:"data"`
	}
	_ = json.Unmarshal(r.Body, &tl)
	if len(tl.Data) == 0 || tl.Data[0].Kind != "deal_stage" {
		t.Fatalf("newest event of the deal: %s", r.Body)
	}
	to, _ := tl.Data[0].Data["to"].(map[string]any)
	from, _ := tl.Data[0].Data["from"].(map[string]any)
	if to["stage"] != "Intro call" || to["pipeline"] != "Partner deals" || from["stage"] != "Lost" || from["pipeline_id"] != e.Vars["sales"] {
		t.Errorf("the move to another pipeline: %v", tl.Data[0].Data)
	}
}

// TestForecastAPI: a pipeline's forecast sums its open deals that close in
// the months asked, by month or by owner and per currency: the amount, the
// amount weighted by each stage's probability (summed exactly, rounded to
// cents once: two 0.05s at 25 % make 0.03, not 0.02) and the committed
// amount (stages of 80 % or more); won, lost, undated, out-of-range and
// other pipelines' deals are left out, and bad parameters are a 400.
func TestForecastAPI(t *testing.T) {
	e := New(t)
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "pipelines", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("pipelines: %v", err)
	}
	e.Vars["sales"] = page.Data[0].ID()
	deal := func(role access.Role, body string) Scenario {
		return Scenario{Name: body, Role: role, Method: "POST", Path: "/api/v1/deals", Body: body, Status: 201, Events: 1}
	}
	e.Run(t, []Scenario{
		{Name: "partners", Method: "POST", Path: "/api/v1/pipelines", Body: `{"name":"Partners","stages":[{"name":"Talk","probability":50}]}`, Status: 201, Events: 1, Save: "partners"},
		deal(access.Sales, `{"name":"A","amount":"1000","stage_id":"lead-in","close_date":"2026-03-10"}`),
		deal(access.Sales, `{"name":"B","amount":"2000.50","stage_id":"negotiation","close_date":"2026-03-31"}`),
		deal(access.Sales, `{"name":"D","amount":"500","currency":"USD","stage_id":"proposal","close_date":"2026-03-15"}`),
		deal(access.Manager, `{"name":"C","amount":"333.33","stage_id":"qualified","close_date":"2026-04-01"}`),
		deal(access.Manager, `{"name":"C2","amount":"0.05","stage_id":"qualified","close_date":"2026-05-02"}`),
		deal(access.Manager, `{"name":"C3","amount":"0.05","stage_id":"qualified","close_date":"2026-05-31"}`),
		deal(access.Sales, `{"name":"Won","amount":"9999","stage_id":"won","close_date":"2026-03-05"}`),
		deal(access.Sales, `{"name":"Later","amount":"100","stage_id":"demo","close_date":"2026-06-01"}`),
		deal(access.Sales, `{"name":"Undated","amount":"100","stage_id":"demo"}`),
		deal(access.Sales, `{"name":"Partner","amount":"100","pipeline_id":"{{partners}}","close_date":"2026-03-01"}`),
		{Name: "by month", Role: access.ReadOnly, Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?from=2026-03&to=2026-05", Status: 200, Contains: []string{
			`"data":[{"period":"2026-03","owner_id":null,"currency":"EUR","count":2,"amount":"3000.50","weighted":"1700.40","committed":"2000.50"},` +
				`{"period":"2026-03","owner_id":null,"currency":"USD","count":1,"amount":"500.00","weighted":"300.00","committed":"0.00"},` +
				`{"period":"2026-04","owner_id":null,"currency":"EUR","count":1,"amount":"333.33","weighted":"83.33","committed":"0.00"},` +
				`{"period":"2026-05","owner_id":null,"currency":"EUR","count":2,"amount":"0.10","weighted":"0.03","committed":"0.00"}]`,
			`"from":"2026-03"`, `"to":"2026-05"`, `"group_by":"month"`}},
		{Name: "by owner", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?from=2026-03&to=2026-05&group_by=owner", Status: 200, Contains: []string{
			`{"period":null,"owner_id":"{{manager_id}}","currency":"EUR","count":3,"amount":"333.43","weighted":"83.36","committed":"0.00"}`,
			`{"period":null,"owner_id":"{{sales_id}}","currency":"EUR","count":2,"amount":"3000.50","weighted":"1700.40","committed":"2000.50"}`,
			`{"period":null,"owner_id":"{{sales_id}}","currency":"USD","count":1,"amount":"500.00","weighted":"300.00","committed":"0.00"}`}},
		{Name: "the other pipeline", Method: "GET", Path: "/api/v1/pipelines/{{partners}}/forecast?from=2026-03&to=2026-03", Status: 200,
			Contains: []string{`"count":1,"amount":"100.00","weighted":"50.00"`}},
		{Name: "a bad month", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?from=2026-13", Status: 400, Contains: []string{"from: want a month like 2026-03"}},
		{Name: "backwards", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?from=2026-05&to=2026-03", Status: 400, Contains: []string{"to: must be from 2026-05"}},
		{Name: "too long", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?from=2026-01&to=2029-01", Status: 400},
		{Name: "a bad grouping", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?group_by=stage", Status: 400, Contains: []string{"group_by: want month or owner"}},
		{Name: "an unknown parameter", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast?year=2026", Status: 400},
		{Name: "no such pipeline", Method: "GET", Path: "/api/v1/pipelines/nope/forecast", Status: 404},
		{Name: "this year by default", Method: "GET", Path: "/api/v1/pipelines/{{sales}}/forecast", Status: 200, Contains: []string{`"group_by":"month"`, `"from":"20`}},
	})
}

// TestMergeRepointsDealContacts: merging a contact into another makes the
// deals that held the duplicate hold the kept contact (once), and taking
// the merge back gives them the duplicate again.
func TestMergeRepointsDealContacts(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "ada again", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada L.","email":"ada.l@example.com"}`, Status: 201, Events: 1, Save: "dup"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace"}`, Status: 201, Events: 1, Save: "grace"},
		{Name: "a deal with the duplicate", Method: "POST", Path: "/api/v1/deals", Body: `{"name":"One","contact_ids":["{{dup}}","{{grace}}"]}`, Status: 201, Events: 3, Save: "one"},
		{Name: "a deal with both", Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Two","contact_ids":["{{ada}}","{{dup}}"]}`, Status: 201, Events: 3, Save: "two"},
		{Name: "merge", Method: "POST", Path: "/api/v1/contacts/{{ada}}/merge", Body: `{"duplicate_ids":["{{dup}}"]}`, Status: 200, Events: 1},
		{Name: "one", Method: "GET", Path: "/api/v1/deals/{{one}}", Status: 200, Contains: []string{`"contact_ids":["{{ada}}","{{grace}}"]`}},
		{Name: "two", Method: "GET", Path: "/api/v1/deals/{{two}}", Status: 200, Contains: []string{`"contact_ids":["{{ada}}"]`}},
		{Name: "Ada's deals", Method: "GET", Path: `/api/v1/deals?filter=contact_ids%3A%22{{ada}}%22`, Status: 200, Contains: []string{`"name":"One"`, `"name":"Two"`}},
		{Name: "unmerge", Method: "POST", Path: "/api/v1/contacts/{{ada}}/unmerge", Status: 200, Events: 1},
		{Name: "one again", Method: "GET", Path: "/api/v1/deals/{{one}}", Status: 200, Contains: []string{`"contact_ids":["{{dup}}","{{grace}}"]`}},
		{Name: "two again", Method: "GET", Path: "/api/v1/deals/{{two}}", Status: 200, Contains: []string{`"contact_ids":["{{ada}}","{{dup}}"]`}},
	})
}

// TestDealStatsAPI: the deals closed in the months asked, by owner or by
// pipeline: won and lost counts, the win rate, the average days from
// creation to won, and the won amounts per currency with their exact
// average (100.01 and 300 average to 200.01, rounded half away from
// zero); deals closed outside the months and open deals are left out.
func TestDealStatsAPI(t *testing.T) {
	e := New(t)
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "pipelines", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("pipelines: %v", err)
	}
	e.Vars["sales"] = page.Data[0].ID()
	deal := func(role access.Role, name, body string) Scenario {
		if !strings.Contains(body, "pipeline_id") {
			body = strings.Replace(body, "{", `{"pipeline_id":"{{sales}}",`, 1)
		}
		return Scenario{Name: name, Role: role, Method: "POST", Path: "/api/v1/deals", Body: body, Status: 201, Events: 1, Save: name}
	}
	move := func(role access.Role, name, body string) Scenario {
		return Scenario{Name: "move " + name, Role: role, Method: "PATCH", Path: "/api/v1/deals/{{" + name + "}}", Body: body, Status: 200, Events: 2}
	}
	e.Clock.Set(time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC))
	e.Run(t, []Scenario{
		deal(access.Sales, "old", `{"name":"Old","amount":"50","stage_id":"won"}`),
	})
	created := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(created)
	e.Run(t, []Scenario{
		{Name: "partners", Method: "POST", Path: "/api/v1/pipelines", Status: 201, Events: 1, Save: "partners",
			Body: `{"name":"Partners","stages":[{"name":"Talk","probability":50},{"name":"Signed","probability":100,"kind":"won"}]}`},
		deal(access.Sales, "a", `{"name":"A","amount":"1000"}`),
		deal(access.Sales, "b", `{"name":"B","amount":"2000.50"}`),
		deal(access.Sales, "c", `{"name":"C","amount":"500","currency":"USD"}`),
		deal(access.Sales, "open", `{"name":"Open","amount":"700"}`),
		deal(access.Manager, "m", `{"name":"M","amount":"300"}`),
		deal(access.Manager, "m2", `{"name":"M2","amount":"100.01"}`),
		deal(access.Manager, "p", `{"name":"P","amount":"80","pipeline_id":"{{partners}}"}`),
	})
	e.Clock.Set(created.AddDate(0, 0, 10))
	e.Run(t, []Scenario{
		move(access.Sales, "a", `{"stage_id":"won"}`),
		move(access.Sales, "b", `{"stage_id":"lost","lost_reason":"Price"}`),
		move(access.Manager, "m", `{"stage_id":"won"}`),
		move(access.Manager, "m2", `{"stage_id":"won"}`),
		move(access.Sales, "open", `{"stage_id":"demo"}`),
	})
	e.Clock.Set(created.AddDate(0, 0, 30))
	e.Run(t, []Scenario{
		move(access.Sales, "c", `{"stage_id":"won"}`),
		move(access.Manager, "p", `{"stage_id":"signed"}`),
	})
	e.Run(t, []Scenario{
		{Name: "by owner", Role: access.ReadOnly, Method: "GET", Path: "/api/v1/deals/stats?from=2026-01&to=2026-02&pipeline_id={{sales}}", Status: 200, Contains: []string{
			`{"owner_id":"{{manager_id}}","pipeline_id":null,"won":2,"lost":0,"win_rate":100,"cycle_days":10,"won_amounts":[{"currency":"EUR","count":2,"total":"400.01","average":"200.01"}]}`,
			`{"owner_id":"{{sales_id}}","pipeline_id":null,"won":2,"lost":1,"win_rate":66.7,"cycle_days":20,"won_amounts":[` +
				`{"currency":"EUR","count":1,"total":"1000.00","average":"1000.00"},{"currency":"USD","count":1,"total":"500.00","average":"500.00"}]}`,
			`"from":"2026-01"`, `"to":"2026-02"`, `"group_by":"owner"`}},
		{Name: "by pipeline", Method: "GET", Path: "/api/v1/deals/stats?from=2026-01&to=2026-02&group_by=pipeline", Status: 200, Contains: []string{
			`{"owner_id":null,"pipeline_id":"{{sales}}","won":4,"lost":1,"win_rate":80,"cycle_days":15,"won_amounts":[` +
				`{"currency":"EUR","count":3,"total":"1400.01","average":"466.67"},{"currency":"USD","count":1,"total":"500.00","average":"500.00"}]}`,
			`{"owner_id":null,"pipeline_id":"{{partners}}","won":1,"lost":0,"win_rate":100,"cycle_days":30,"won_amounts":[{"currency":"EUR","count":1,"total":"80.00","average":"80.00"}]}`},
			Lacks: []string{`"total":"50.00"`}},
		{Name: "December alone", Method: "GET", Path: "/api/v1/deals/stats?from=2025-12&to=2025-12&group_by=pipeline", Status: 200, Contains: []string{
			`"won":1,"lost":0,"win_rate":100,"cycle_days":0,"won_amounts":[{"currency":"EUR","count":1,"total":"50.00","average":"50.00"}]`}},
		{Name: "nothing closed", Method: "GET", Path: "/api/v1/deals/stats?from=2026-03&to=2026-04", Status: 200, Contains: []string{`"data":[]`}},
		{Name: "a bad grouping", Method: "GET", Path: "/api/v1/deals/stats?group_by=stage", Status: 400, Contains: []string{"group_by: want owner or pipeline"}},
		{Name: "a bad month", Method: "GET", Path: "/api/v1/deals/stats?from=2026-01&to=2026-1", Status: 400, Contains: []string{"to: want a month like 2026-03"}},
		{Name: "an unknown parameter", Method: "GET", Path: "/api/v1/deals/stats?owner=me", Status: 400, Contains: []string{`unknown query parameter \"owner\" (known: from, group_by, pipeline_id, to)`}},
		{Name: "no such pipeline", Method: "GET", Path: "/api/v1/deals/stats?pipeline_id=nope", Status: 404},
		{Name: "no credentials", Role: "-", Method: "GET", Path: "/api/v1/deals/stats", Status: 401},
	})
}

// TestWorkspaceRegion: an admin sets the workspace's default currency and
// time zone; new deals take the currency; bad codes and zones are a 422
// at the field, and only admins may change them.
func TestWorkspaceRegion(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "read", Role: access.Sales, Method: "GET", Path: "/api/v1/workspace", Status: 200, Contains: []string{`"default_currency":"EUR"`, `"time_zone":"UTC"`}},
		{Name: "sales may not", Role: access.Sales, Method: "PATCH", Path: "/api/v1/workspace", Body: `{"default_currency":"USD"}`, Status: 403},
		{Name: "bad values", Method: "PATCH", Path: "/api/v1/workspace", Body: `{"default_currency":"DOLLAR","time_zone":"Mars/Olympus"}`, Status: 422,
			Contains: []string{`"field":"default_currency"`, `"field":"time_zone"`}},
		{Name: "nothing to change", Method: "PATCH", Path: "/api/v1/workspace", Body: `{}`, Status: 400},
		{Name: "set", Method: "PATCH", Path: "/api/v1/workspace", Body: `{"default_currency":"chf","time_zone":"Europe/Zurich"}`, Status: 200,
			Contains: []string{`"default_currency":"CHF"`, `"time_zone":"Europe/Zurich"`}},
		{Name: "a new deal takes it", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Bern"}`, Status: 201, Events: 1, Contains: []string{`"currency":"CHF"`}},
	})
}
