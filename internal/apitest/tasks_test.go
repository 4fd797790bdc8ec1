package apitest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestTasksAPI: a task is about a record (which must exist), belongs to
// its assignee, and shows on that record's timeline when planned and when
// done; My tasks sorts the caller's open tasks into overdue, today and
// upcoming; a reminder is a job at its time that notifies the assignee in
// the app and by mail (a moved reminder fires once, at its new time); the
// calendar feed lists a user's tasks and meetings at a secret URL.
func TestTasksAPI(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "a follow-up", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Status: 201, Events: 2, Jobs: 1, Save: "call", // created, and on Ada's timeline; the reminder
			Body:     `{"title":"Call Ada back","due_at":"2026-03-13T09:00:00Z","remind_at":"2026-03-13T08:45:00Z","related":{"object":"contacts","id":"{{ada}}"}}`,
			Contains: []string{`"assignee_id":"{{sales_id}}"`, `"owner_id":"{{sales_id}}"`, `"done":false`, `"completed_at":null`, `"related":{"id":"{{ada}}","object":"contacts"}`}},
		{Name: "assigned by a manager", Role: access.Manager, Method: "POST", Path: "/api/v1/tasks", Status: 201, Events: 1, Save: "demo",
			Body: `{"title":"Prepare the demo","assignee_id":"{{sales_id}}","due_at":"2026-03-10T17:00:00Z"}`, Contains: []string{`"owner_id":"{{sales_id}}"`}},
		{Name: "overdue", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Body: `{"title":"Send the contract","due_at":"2026-03-09T12:00:00Z"}`, Status: 201, Events: 1, Save: "late"},
		{Name: "no due time", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Body: `{"title":"Read the RFP"}`, Status: 201, Events: 1, Save: "someday"},
		{Name: "someone else's", Role: access.Manager, Method: "POST", Path: "/api/v1/tasks", Body: `{"title":"Budget review","due_at":"2026-03-10T15:00:00Z"}`, Status: 201, Events: 1},
		{Name: "about nothing known", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Body: `{"title":"X","related":{"object":"contacts","id":"nope"}}`,
			Status: 422, Contains: []string{`"field":"related.id"`}},
		{Name: "about a setting", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Body: `{"title":"X","related":{"object":"webhooks","id":"x"}}`,
			Status: 422, Contains: []string{`"field":"related.object"`}},
		{Name: "related is one record", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Body: `{"title":"X","related":[{"object":"contacts","id":"{{ada}}"}]}`,
			Status: 422, Contains: []string{`"field":"related"`}},
		{Name: "no title", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Body: `{"due_at":"2026-03-10T17:00:00Z"}`, Status: 422, Contains: []string{`"field":"title"`}},
		{Name: "the assignee completes a manager's task", Role: access.Sales, Method: "GET", Path: "/api/v1/tasks/{{demo}}", Status: 200},
		{Name: "Ada's timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Contains: []string{`"kind":"task"`, `"summary":"Planned task Call Ada back"`}},
		{Name: "tasks about Ada", Method: "GET", Path: "/api/v1/tasks?filter=" + url.QueryEscape(`related.id = "`) + "{{ada}}" + url.QueryEscape(`"`), Status: 200,
			Contains: []string{"Call Ada back"}, Lacks: []string{"Read the RFP"}},
	})
	var mine struct {
		Overdue, Today, Upcoming []struct {
			Title string `json:"title"`
		}
	}
	r := e.Do(access.Sales, "GET", "/api/v1/tasks/mine", "", nil)
	if err := json.Unmarshal(r.Body, &mine); err != nil || r.Status != 200 {
		t.Fatalf("my tasks: %d %s", r.Status, r.Body)
	}
	titles := func(list []struct {
		Title string `json:"title"`
	}) string {
		var s []string
		for _, x := range list {
			s = append(s, x.Title)
		}
		return strings.Join(s, ", ")
	}
	if got := titles(mine.Overdue) + " | " + titles(mine.Today) + " | " + titles(mine.Upcoming); got != "Send the contract | Prepare the demo | Call Ada back, Read the RFP" {
		t.Errorf("my tasks: %s", got)
	}

	// The reminder moves from 08:45 to 08:50: it fires once, at 08:50.
	e.Run(t, []Scenario{
		{Name: "move the reminder", Role: access.Sales, Method: "PATCH", Path: "/api/v1/tasks/{{call}}", Body: `{"remind_at":"2026-03-13T08:50:00Z"}`, Status: 200, Events: 1, Jobs: 1},
	})
	e.Clock.Set(time.Date(2026, 3, 13, 8, 46, 0, 0, time.UTC))
	drain(t, e)
	e.Run(t, []Scenario{{Name: "not yet", Role: access.Sales, Method: "GET", Path: "/api/v1/notifications", Status: 200, Contains: []string{`"data":[]`, `"unread":0`}}})
	e.Clock.Set(time.Date(2026, 3, 13, 8, 50, 0, 0, time.UTC))
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "reminded", Role: access.Sales, Method: "GET", Path: "/api/v1/notifications?unread=true", Status: 200,
			Contains: []string{`"unread":1`, `"kind":"task_reminder"`, `"title":"Reminder: Call Ada back"`, `"body":"Due Mar 13, 2026, 09:00 UTC"`, `"link":"/tasks/{{call}}"`}},
		{Name: "nobody else", Role: access.Manager, Method: "GET", Path: "/api/v1/notifications", Status: 200, Contains: []string{`"unread":0`}},
		{Name: "read", Role: access.Sales, Method: "POST", Path: "/api/v1/notifications/read", Status: 204},
		{Name: "none unread", Role: access.Sales, Method: "GET", Path: "/api/v1/notifications?unread=true", Status: 200, Contains: []string{`"unread":0`, `"data":[]`}},
		{Name: "a bad flag", Role: access.Sales, Method: "GET", Path: "/api/v1/notifications?unread=yes", Status: 400},
	})
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "sales@test.example" || !strings.Contains(msgs[0].Data, "Subject: Reminder: Call Ada back") {
		t.Fatalf("reminder mail: %+v", msgs)
	}
	e.Run(t, []Scenario{
		{Name: "done", Role: access.Sales, Method: "PATCH", Path: "/api/v1/tasks/{{call}}", Body: `{"done":true}`, Status: 200, Events: 2,
			Contains: []string{`"done":true`, `"completed_at":"2026-03-13T08:50:00Z"`}},
		{Name: "on Ada's timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Contains: []string{`"summary":"Completed task Call Ada back"`}},
		{Name: "the assignee completes the manager's task", Role: access.Sales, Method: "PATCH", Path: "/api/v1/tasks/{{demo}}", Body: `{"done":true}`, Status: 200, Events: 1},
		{Name: "a meeting", Role: access.Sales, Method: "POST", Path: "/api/v1/activities", Status: 201, Events: 2,
			Body: `{"kind":"meeting","subject":"Workshop, part 1","occurred_at":"2026-03-20T13:00:00Z","related":[{"object":"contacts","id":"{{ada}}"}]}`},
	})

	// The calendar feed: a secret URL, no other credential.
	r = e.Do(access.Sales, "POST", "/api/v1/me/calendar", "", nil)
	feed, _ := r.JSON["url"].(string)
	if r.Status != 201 || !strings.HasPrefix(feed, "http") || !strings.HasSuffix(feed, ".ics") {
		t.Fatalf("calendar feed: %d %s", r.Status, r.Body)
	}
	path := strings.TrimPrefix(feed, e.Server.URL)
	r = e.Do("", "GET", path, "", nil)
	body := strings.ReplaceAll(string(r.Body), "\r\n ", "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "SUMMARY:✓ Call Ada back\r\n", "DTSTART:20260313T090000Z\r\n", "SUMMARY:Send the contract\r\n",
		`SUMMARY:Workshop\, part 1`, "DTSTART:20260320T130000Z\r\nDTEND:20260320T140000Z\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("the feed lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Budget review") {
		t.Error("the feed holds another user's task")
	}
	if r := e.Do(access.Sales, "POST", "/api/v1/me/calendar", "", nil); r.Status != 201 || e.Do("", "GET", path, "", nil).Status != 404 {
		t.Error("a new feed URL left the old one working")
	}
	if r := e.Do(access.Sales, "DELETE", "/api/v1/me/calendar", "", nil); r.Status != 204 {
		t.Errorf("turn the feed off: %d", r.Status)
	}
	if r := e.Do("", "GET", "/ical/rc_nothing.ics", "", nil); r.Status != 404 {
		t.Errorf("a made-up feed: %d", r.Status)
	}
}
