package records_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// TestAggregate: grouped measures over any object, checked on the engine
// under test against results worked out by hand: exact money per
// currency, custom fields, a related record's field, datetimes bucketed
// in the workspace's time zone, sorting, limits, and the errors that name
// what is wrong.
func TestAggregate(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ws := f.admin.WorkspaceID
	for _, nf := range []schema.NewField{
		{Name: "met_at", Kind: schema.DateTime},
		{Name: "left_at", Kind: schema.DateTime},
		{Name: "budget", Kind: schema.Money},
		{Name: "tier", Kind: schema.Select, Options: []string{"gold", "silver"}},
	} {
		if _, err := f.schemas.AddField(ctx, ws, "contacts", nf); err != nil {
			t.Fatal(err)
		}
	}
	companies, err := f.eng.CreateMany(ctx, f.admin, "companies", []map[string]any{
		{"name": "Acme", "industry": "Software", "annual_revenue": "0.10", "employees": int64(50)},
		{"name": "Initech", "industry": "Software", "annual_revenue": "0.20", "employees": int64(7)},
		{"name": "Globex", "industry": "Retail", "annual_revenue": "1234567.8912"},
		{"name": "Gone", "industry": "Mining", "annual_revenue": "99"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Trash(ctx, f.admin, "companies", companies[3].ID()); err != nil {
		t.Fatal(err)
	}
	acme, globex := companies[0].ID(), companies[2].ID()
	if _, err := f.eng.CreateMany(ctx, f.admin, "contacts", []map[string]any{
		// 22:30 UTC on 31 March is half past midnight on 1 April in Berlin.
		{"first_name": "Ada", "company_id": acme, "met_at": "2026-03-31T22:30:00Z", "left_at": "2026-04-01T22:30:00Z", "budget": "10.10", "tier": "gold"},
		{"first_name": "Bo", "company_id": acme, "met_at": "2026-03-01T10:00:00Z", "left_at": "2026-03-01T10:30:00Z", "budget": "0.05"},
		{"first_name": "Cy", "company_id": globex, "met_at": "2026-12-31T23:30:00Z", "tier": "gold"},
		{"first_name": "Di"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.CreateMany(ctx, f.admin, "deals", []map[string]any{
		{"name": "A", "amount": "100.10", "currency": "EUR", "stage_id": "won", "close_date": "2026-01-15"},
		{"name": "B", "amount": "0.20", "currency": "EUR", "stage_id": "won", "close_date": "2026-02-01"},
		{"name": "C", "amount": "50", "currency": "USD", "stage_id": "won", "close_date": "2026-01-31"},
		{"name": "D", "amount": "7.5", "currency": "EUR", "stage_id": "lead", "close_date": "2026-04-01"},
	}); err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, object string
		a            records.Aggregation
		want         string // the result as JSON
	}{
		{"money summed exactly, trashed records left out", "companies",
			records.Aggregation{GroupBy: []string{"industry"}, Measures: []records.Measure{{Fn: "count"}, {Fn: "sum", Field: "annual_revenue"}, {Fn: "avg", Field: "annual_revenue"}, {Fn: "max", Field: "employees"}}, Currency: "EUR"},
			`{"columns":["industry","count","sum(annual_revenue)","avg(annual_revenue)","max(employees)"],"rows":[["Retail",1,"1234567.8912","1234567.89",null],["Software",2,"0.30","0.15",50]],"currency":"EUR"}`},
		{"the filter applies, and no groups is one row", "companies",
			records.Aggregation{Filter: `industry = "Software"`, Measures: []records.Measure{{Fn: "count"}, {Fn: "sum", Field: "employees"}, {Fn: "avg", Field: "employees"}, {Fn: "min", Field: "employees"}}},
			`{"columns":["count","sum(employees)","avg(employees)","min(employees)"],"rows":[[2,57,28.5,7]]}`},
		{"no records at all", "companies",
			records.Aggregation{Filter: `industry = "None"`, Measures: []records.Measure{{Fn: "count"}, {Fn: "sum", Field: "annual_revenue"}, {Fn: "avg", Field: "annual_revenue"}}, Currency: "EUR"},
			`{"columns":["count","sum(annual_revenue)","avg(annual_revenue)"],"rows":[[0,"0.00",null]],"currency":"EUR"}`},
		{"a related record's field", "contacts",
			records.Aggregation{GroupBy: []string{"company.industry"}, Measures: []records.Measure{{Fn: "count"}, {Fn: "count_distinct", Field: "company_id"}}},
			`{"columns":["company.industry","count","count_distinct(company_id)"],"rows":[[null,1,0],["Retail",1,1],["Software",2,1]]}`},
		{"custom fields, a datetime by month in UTC", "contacts",
			records.Aggregation{GroupBy: []string{"met_at:month", "tier"}, Measures: []records.Measure{{Fn: "sum", Field: "budget"}}, Currency: "EUR"},
			`{"columns":["met_at:month","tier","sum(budget)"],"rows":[[null,null,"0.00"],["2026-03",null,"0.05"],["2026-03","gold","10.10"],["2026-12","gold","0.00"]],"currency":"EUR"}`},
		{"months in Berlin", "contacts",
			records.Aggregation{GroupBy: []string{"met_at:month"}, Zone: berlin, Filter: "met_at:*"},
			`{"columns":["met_at:month","count"],"rows":[["2026-03",1],["2026-04",1],["2027-01",1]]}`},
		{"years in Berlin", "contacts",
			records.Aggregation{GroupBy: []string{"met_at:year"}, Zone: berlin, Filter: "met_at:*"},
			`{"columns":["met_at:year","count"],"rows":[["2026",2],["2027",1]]}`},
		{"quarters, weeks by their Monday, days", "contacts",
			records.Aggregation{GroupBy: []string{"met_at:quarter", "met_at:week", "met_at:day"}, Zone: berlin, Filter: `met_at < "2026-06-01T00:00:00Z"`},
			`{"columns":["met_at:quarter","met_at:week","met_at:day","count"],"rows":[["2026-Q1","2026-02-23","2026-03-01",1],["2026-Q2","2026-03-30","2026-04-01",1]]}`},
		{"the time between two datetimes, over the records with both", "contacts",
			records.Aggregation{Measures: []records.Measure{{Fn: "count", Field: "left_at-met_at"}, {Fn: "sum", Field: "left_at-met_at"}, {Fn: "avg", Field: "left_at-met_at"}, {Fn: "max", Field: "left_at-met_at"}}},
			`{"columns":["count(left_at-met_at)","sum(left_at-met_at)","avg(left_at-met_at)","max(left_at-met_at)"],"rows":[[2,88200,44100,86400]]}`},
		{"the share that matches a filter", "deals",
			records.Aggregation{GroupBy: []string{"stage_id"}, Measures: []records.Measure{{Fn: "percent", Filter: `currency = "EUR"`}, {Fn: "percent", Filter: `amount > 10 OR stage_id = "lead"`}}},
			`{"columns":["stage_id","percent(currency = \"EUR\")","percent(amount \u003e 10 OR stage_id = \"lead\")"],"rows":[["lead",100,100],["won",66.7,66.7]]}`},
		{"a date by quarter", "deals",
			records.Aggregation{GroupBy: []string{"close_date:quarter"}},
			`{"columns":["close_date:quarter","count"],"rows":[["2026-Q1",3],["2026-Q2",1]]}`},
		{"money in two currencies gets a currency column", "deals",
			records.Aggregation{GroupBy: []string{"stage_id"}, Measures: []records.Measure{{Fn: "sum", Field: "amount"}, {Fn: "count"}}, Currency: "EUR"},
			`{"columns":["stage_id","currency","sum(amount)","count"],"rows":[["lead","EUR","7.50",1],["won","EUR","100.30",2],["won","USD","50.00",1]]}`},
		{"money in one currency names it", "deals",
			records.Aggregation{Filter: `currency = "USD"`, GroupBy: []string{"close_date:month"}, Measures: []records.Measure{{Fn: "sum", Field: "amount"}}, Currency: "EUR"},
			`{"columns":["close_date:month","sum(amount)"],"rows":[["2026-01","50.00"]],"currency":"USD"}`},
		{"sorted by a measure, limited", "deals",
			records.Aggregation{GroupBy: []string{"close_date:month"}, OrderBy: "count desc", Limit: 1},
			`{"columns":["close_date:month","count"],"rows":[["2026-01",2]],"truncated":true}`},
		{"sorted by a key, descending", "deals",
			records.Aggregation{GroupBy: []string{"close_date:month"}, OrderBy: "close_date:month desc", Measures: []records.Measure{{Fn: "min", Field: "close_date"}}},
			`{"columns":["close_date:month","min(close_date)"],"rows":[["2026-04","2026-04-01"],["2026-02","2026-02-01"],["2026-01","2026-01-15"]]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.eng.Aggregate(ctx, f.admin, c.object, c.a)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != c.want {
				t.Errorf("got  %s\nwant %s", b, c.want)
			}
		})
	}
	for _, c := range []struct {
		name, object string
		a            records.Aggregation
		field        string // named in the message
		kind         fault.Kind
	}{
		{"a list", "contacts", records.Aggregation{GroupBy: []string{"tags"}}, "group_by[0]", fault.KindBadRequest},
		{"four keys", "contacts", records.Aggregation{GroupBy: []string{"tier", "tier", "tier", "tier"}}, "group_by", fault.KindBadRequest},
		{"a text by month", "companies", records.Aggregation{GroupBy: []string{"industry:month"}}, "group_by[0]", fault.KindBadRequest},
		{"a bucket that is none", "deals", records.Aggregation{GroupBy: []string{"close_date:fortnight"}}, "group_by[0]", fault.KindBadRequest},
		{"an unknown relation", "contacts", records.Aggregation{GroupBy: []string{"employer.name"}}, "group_by[0]", fault.KindBadRequest},
		{"a sum of names", "companies", records.Aggregation{Measures: []records.Measure{{Fn: "sum", Field: "name"}}}, "measures[0]", fault.KindBadRequest},
		{"the time between a date and a datetime", "deals", records.Aggregation{Measures: []records.Measure{{Fn: "avg", Field: "close_date-created_at"}}}, "measures[0]", fault.KindBadRequest},
		{"a percent of nothing", "deals", records.Aggregation{Measures: []records.Measure{{Fn: "percent"}}}, "measures[0]", fault.KindBadRequest},
		{"a percent with a bad filter", "deals", records.Aggregation{Measures: []records.Measure{{Fn: "percent", Filter: "amount >>"}}}, "measures[0]: filter", fault.KindBadRequest},
		{"an unknown function", "companies", records.Aggregation{Measures: []records.Measure{{Fn: "median", Field: "employees"}}}, "measures[0]", fault.KindBadRequest},
		{"money of a related record", "contacts", records.Aggregation{Measures: []records.Measure{{Fn: "sum", Field: "company.annual_revenue"}}}, "measures[0]", fault.KindBadRequest},
		{"an order by no column", "deals", records.Aggregation{GroupBy: []string{"stage_id"}, OrderBy: "amount desc"}, "order_by", fault.KindBadRequest},
		{"a bad filter", "deals", records.Aggregation{Filter: "amount >"}, "filter", fault.KindBadRequest},
		{"a limit too large", "deals", records.Aggregation{Limit: records.MaxGroups + 1}, "limit", fault.KindBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.eng.Aggregate(ctx, f.admin, c.object, c.a)
			if fault.KindOf(err) != c.kind {
				t.Fatalf("got %v, want a %v", err, c.kind)
			}
			if c.field != "filter" && !strings.Contains(err.Error(), c.field) {
				t.Errorf("%q does not name %s", err, c.field)
			}
		})
	}
	sales := access.Principal{WorkspaceID: ws, UserID: f.admin.UserID, Role: access.Sales}
	if _, err := f.eng.Aggregate(ctx, sales, "webhooks", records.Aggregation{}); fault.KindOf(err) != fault.KindForbidden {
		t.Errorf("sales aggregated webhooks: %v", err)
	}
}

// FuzzAggregate feeds arbitrary keys, measures, orders and filters to
// Aggregate: each must work or be a 400 naming the problem, never an
// internal error (invalid SQL, a crash).
func FuzzAggregate(f *testing.F) {
	for _, s := range [][5]string{
		{"company.industry", "sum", "annual_revenue", "count desc", `lifecycle_stage = "lead"`},
		{"created_at:week", "percent", "", "", `email:*`},
		{"tags", "avg", "updated_at-created_at", "created_at:week", ""},
		{"company.name:month", "count_distinct", "company.industry", "x desc desc", "(a"},
		{"score", "max", "created_at", "max(created_at) asc", `score > 1.5`},
		{"address", "min", "address.city", "", `first_name = "\"'); DROP TABLE contacts; --"`},
		{"owner_id", "percent", "score", "percent(score > 1)", "score > 1"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	fx := setup(f)
	ctx := context.Background()
	if _, err := fx.eng.Create(ctx, fx.admin, "contacts", map[string]any{"first_name": "Ada", "tags": []any{"vip"}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key, fn, field, order, flt string) {
		m := records.Measure{Fn: fn, Field: field}
		if fn == "percent" {
			m = records.Measure{Fn: fn, Filter: flt}
		}
		_, err := fx.eng.Aggregate(ctx, fx.admin, "contacts", records.Aggregation{Filter: flt, GroupBy: []string{key}, Measures: []records.Measure{m}, OrderBy: order, Zone: time.UTC})
		if err != nil && fault.KindOf(err) != fault.KindBadRequest && fault.KindOf(err) != fault.KindForbidden {
			t.Fatalf("key %q measure %q(%q) order %q filter %q: %v (kind %d), want success or bad request", key, fn, field, order, flt, err, fault.KindOf(err))
		}
	})
}
