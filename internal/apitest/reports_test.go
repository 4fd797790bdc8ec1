package apitest

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
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
