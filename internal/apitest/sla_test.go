package apitest

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
)

// berlinAt reads "2006-01-02 15:04" as Berlin's time.
func berlinAt(t *testing.T) func(string) time.Time {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
}

// TestSLA: policies picked by their condition (the first by rank) give a
// ticket its first-response and resolution due times in working time
// (Berlin, Monday to Friday 09:00–17:00); jobs at the right moments raise
// ticket.sla_warning and ticket.sla_breached (and tell the assignee); the
// clock stands while the ticket is pending and the due time moves on by
// that much; a target met or moved fires nothing.
func TestSLA(t *testing.T) {
	e := NewInstall(t)
	at := berlinAt(t)
	e.Clock.Set(at("2026-03-06 16:30")) // a Friday afternoon
	e.Run(t, []Scenario{
		{Name: "urgent", Method: "POST", Path: "/api/v1/sla_policies", Status: 201, Events: 1, Save: "urgent",
			Body:     `{"name":"Urgent","condition":"priority = \"urgent\"","rank":1,"first_response_minutes":60,"resolution_minutes":480,"time_zone":"Europe/Berlin","hours":"Mon-Fri 09:00-17:00","holidays":["2026-12-25"]}`,
			Contains: []string{`"active":true`, `"warn_minutes":30`}},
		{Name: "standard", Method: "POST", Path: "/api/v1/sla_policies", Status: 201, Events: 1, Save: "standard",
			Body: `{"name":"Standard","rank":10,"first_response_minutes":480,"resolution_minutes":2400,"time_zone":"Europe/Berlin","hours":"Mon-Fri 09:00-17:00"}`},
		{Name: "a bad policy", Method: "POST", Path: "/api/v1/sla_policies", Status: 422,
			Body:     `{"name":"Bad","condition":"prio = \"x\"","hours":"Mon 9-17","first_response_minutes":-5}`,
			Contains: []string{`"field":"condition"`, `"field":"hours"`, `"field":"first_response_minutes"`}},
		{Name: "an unknown zone", Method: "POST", Path: "/api/v1/sla_policies", Status: 422, Body: `{"name":"Bad","time_zone":"Mars/Base"}`, Contains: []string{`"field":"time_zone"`}},
		{Name: "agents do not set policies", Role: access.Support, Method: "POST", Path: "/api/v1/sla_policies", Status: 403, Body: `{"name":"Mine"}`},
		{Name: "pat", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Pat","email":"pat@customer.example"}`, Status: 201, Events: 1, Save: "pat"},
		{Name: "an urgent ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Status: 201, Events: 2, Jobs: 4, Save: "t1", // a warning and a breach job per target
			Body:     `{"subject":"Site down","priority":"urgent","contact_id":"{{pat}}","assignee_id":"{{support_id}}"}`,
			Contains: []string{`"sla_policy_id":"{{urgent}}"`, `"first_response_due_at":"2026-03-09T08:30:00Z"`, `"resolution_due_at":"2026-03-09T15:30:00Z"`, `"sla_breached":false`}},
		{Name: "a normal one", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Status: 201, Events: 2, Jobs: 4,
			Body:     `{"subject":"A question","contact_id":"{{pat}}"}`,
			Contains: []string{`"sla_policy_id":"{{standard}}"`, `"first_response_due_at":"2026-03-09T15:30:00Z"`}},
	})
	// Monday 09:15: the warning (30 minutes before 09:30) has fired.
	e.Clock.Set(at("2026-03-09 09:15"))
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "warned", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t1}}/timeline", Status: 200,
			Contains: []string{`"kind":"sla_warning"`, `"summary":"First response due soon on ticket #1 Site down"`}, Lacks: []string{`"kind":"sla_breached"`}},
		{Name: "the assignee is told", Role: access.Support, Method: "GET", Path: "/api/v1/notifications", Status: 200, Contains: []string{"First response due soon on ticket #1"}},
	})
	// 09:31: breached.
	e.Clock.Set(at("2026-03-09 09:31"))
	drain(t, e)
	e.Run(t, []Scenario{{Name: "breached", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t1}}/timeline", Status: 200,
		Contains: []string{`"summary":"First response overdue on ticket #1 Site down"`}},
		{Name: "and marked missed, for the service dashboard", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t1}}", Status: 200,
			Contains: []string{`"sla_breached":true`}}})
	// The agent's "Breaching soon" holds the overdue ticket, not the one
	// due this afternoon.
	b := e.browser(t, access.Support)
	_, doc := b.get("/tickets")
	href, _ := doc.Find(`nav.views a:contains("Breaching soon")`).Attr("href")
	if _, doc = b.get(href); !strings.Contains(text(doc, "table tbody"), "Site down") || strings.Contains(text(doc, "table tbody"), "A question") {
		t.Fatalf("breaching soon at 09:31: %q", text(doc, "table tbody"))
	}
	// 10:00 the agent answers and waits on Pat: the resolution clock stands.
	e.Clock.Set(at("2026-03-09 10:00"))
	e.Run(t, []Scenario{
		{Name: "answer", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t1}}/messages", Body: `{"body":"Restarting it now.","status":"pending"}`, Status: 201, Events: 3, Jobs: 1},
		{Name: "paused", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t1}}", Status: 200,
			Contains: []string{`"status":"pending"`, `"resolution_due_at":null`, `"first_responded_at":"2026-03-09T09:00:00Z"`, `"first_response_due_at":"2026-03-09T08:30:00Z"`}},
	})
	drain(t, e)
	// 11:00 Pat answers: an hour stood still, so the resolution is due an
	// hour later (16:30 → 17:30, after hours: Tuesday 09:30).
	e.Clock.Set(at("2026-03-09 11:00"))
	e.Run(t, []Scenario{
		{Name: "Pat answers", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t1}}", Body: `{"status":"open"}`, Status: 200, Events: 2, Jobs: 2,
			Contains: []string{`"resolution_due_at":"2026-03-10T08:30:00Z"`}},
	})
	// Monday 16:45: the first resolution time has passed, but it moved.
	e.Clock.Set(at("2026-03-09 16:45"))
	drain(t, e)
	if n := strings.Count(string(e.Do(access.Support, "GET", "/api/v1/tickets/"+e.Vars["t1"]+"/timeline", "", nil).Body), `"kind":"sla_breached"`); n != 1 {
		t.Fatalf("%d breaches by Monday evening, want 1 (the first response)", n)
	}
	e.Clock.Set(at("2026-03-10 09:31"))
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "the resolution breached", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t1}}/timeline", Status: 200,
			Contains: []string{`"summary":"Resolution overdue on ticket #1 Site down"`}},
		{Name: "solved", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t1}}", Body: `{"status":"solved"}`, Status: 200, Events: 2, Jobs: 1, // the rating request
			Contains: []string{`"resolution_due_at":"2026-03-10T08:30:00Z"`}},
	})
	// A policy by the company's tier (a custom field): a gold customer's
	// ordinary question gets the faster targets.
	e.Run(t, []Scenario{
		{Name: "tier", Method: "POST", Path: "/api/v1/schema/companies/fields", Body: `{"name":"tier","kind":"select","options":["gold","silver"]}`, Status: 201},
		{Name: "gold policy", Method: "POST", Path: "/api/v1/sla_policies", Status: 201, Events: 1, Save: "gold",
			Body: `{"name":"Gold customers","condition":"company.tier = \"gold\"","rank":5,"first_response_minutes":120,"resolution_minutes":960,"time_zone":"Europe/Berlin","hours":"Mon-Fri 09:00-17:00"}`},
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme","tier":"gold"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ann at acme", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ann","email":"ann@acme.example","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ann"},
		{Name: "a gold ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Status: 201, Events: 3, Jobs: 4,
			Body: `{"subject":"Where is my report?","contact_id":"{{ann}}"}`, Contains: []string{`"company_id":"{{acme}}"`, `"sla_policy_id":"{{gold}}"`}},
		{Name: "a silver one stays standard", Method: "PATCH", Path: "/api/v1/companies/{{acme}}", Body: `{"tier":"silver"}`, Status: 200, Events: 1},
		{Name: "a silver ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Status: 201, Events: 3, Jobs: 4,
			Body: `{"subject":"Another question","contact_id":"{{ann}}"}`, Contains: []string{`"sla_policy_id":"{{standard}}"`}},
		{Name: "the list filters by it too", Role: access.Support, Method: "GET", Path: `/api/v1/tickets?filter=company.tier%20%3D%20%22silver%22`, Status: 200,
			Contains: []string{"Where is my report?", "Another question"}, Lacks: []string{"Site down"}},
	})
}
