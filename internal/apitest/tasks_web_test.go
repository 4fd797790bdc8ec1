package apitest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestWebTasks: from a contact's page a sales rep plans a follow-up in
// three days at 10:30 with a reminder; it shows among the contact's open
// tasks and under Upcoming in My tasks; at its time the bell counts the
// reminder, which the notifications page shows and marks read; done from
// the contact's page, it leaves the open tasks and lands on the timeline.
// A follow-up planned from an activity is about the activity's contact.
// The account page hands out a calendar link that serves the tasks.
func TestWebTasks(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	e.Clock.Set(now)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "a call", Role: access.Sales, Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"call","subject":"Intro call","related":[{"object":"contacts","id":"{{ada}}"}]}`,
			Status: 201, Events: 2, Save: "call"},
	})
	b := e.browser(t, access.Sales)
	_, doc := b.get("/contacts/{{ada}}")
	form := formOf(doc, `form[action="/tasks/follow-up"]`)
	if form.Get("title") != "Follow up: Ada Lovelace" || form.Get("days") != "3" || form.Get("remind") != "on" {
		t.Fatalf("follow-up form: %v", form)
	}
	form.Set("time", "10:30")
	if _, doc = b.post("/tasks/follow-up", form); !strings.Contains(text(doc, ".flash"), "Follow-up planned for Mar 13, 2026, 10:30") {
		t.Fatalf("plan: %q", text(doc, ".flash, .alert"))
	}
	if open := text(doc, ".follow-up .task-list"); !strings.Contains(open, "Follow up: Ada Lovelace") {
		t.Errorf("open tasks on the contact: %q", open)
	}
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "tasks", records.Query{})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("tasks: %v", err)
	}
	task := page.Data[0]
	e.Vars["task"] = task.ID()
	if due, _ := task["due_at"].(time.Time); !due.Equal(time.Date(2026, 3, 13, 10, 30, 0, 0, time.UTC)) || !task["remind_at"].(time.Time).Equal(due) {
		t.Errorf("due %v, remind %v", task["due_at"], task["remind_at"])
	}
	_, doc = b.get("/tasks/mine")
	if up := text(doc, "section.upcoming"); !strings.Contains(up, "Follow up: Ada Lovelace") || !strings.Contains(up, "Ada Lovelace") {
		t.Errorf("my tasks, upcoming: %q", up)
	}

	// From the call's page, the follow-up is about Ada.
	_, doc = b.get("/activities/{{call}}")
	form = formOf(doc, `form[action="/tasks/follow-up"]`)
	form.Set("days", "1")
	b.post("/tasks/follow-up", form)
	if page, _ = e.Sys.Records.List(context.Background(), access.System(e.WS), "tasks", records.Query{Filter: `related.id = "` + e.Vars["ada"] + `"`}); len(page.Data) != 2 {
		t.Errorf("tasks about Ada: %d", len(page.Data))
	}

	// The reminders fire (the call's follow-up two days before): the bell counts them.
	e.Clock.Set(time.Date(2026, 3, 13, 10, 30, 0, 0, time.UTC))
	drain(t, e)
	_, doc = b.get("/")
	if n := text(doc, ".sidebar .bell .count"); n != "2" {
		t.Errorf("the bell: %q", n)
	}
	_, doc = b.get("/notifications")
	if l := text(doc, ".notification-list"); !strings.Contains(l, "Reminder: Follow up: Ada Lovelace") || doc.Find(".notification-list a[href='/tasks/"+e.Vars["task"]+"']").Length() != 1 {
		t.Errorf("notifications: %q", l)
	}
	if _, doc = b.get("/"); doc.Find(".sidebar .bell .count").Length() != 0 {
		t.Error("the bell still counts after the notifications were seen")
	}

	// Done from the contact's page.
	_, doc = b.get("/contacts/{{ada}}")
	done := formOf(doc, `form[action="/tasks/`+e.Vars["task"]+`/done"]`)
	if _, doc = b.post("/tasks/{{task}}/done", done); !strings.Contains(text(doc, ".flash"), "Done: Follow up: Ada Lovelace") ||
		strings.Contains(text(doc, ".follow-up .task-list"), "Follow up: Ada Lovelace") || !strings.Contains(text(doc, ".follow-up .task-list"), "Follow up: Intro call") ||
		!strings.Contains(text(doc, ".timeline"), "Completed task Follow up: Ada Lovelace") {
		t.Errorf("after done: flash %q, open %q", text(doc, ".flash"), text(doc, ".follow-up"))
	}

	// The calendar link.
	_, doc = b.post("/account/calendar", url.Values{})
	link := doc.Find("#calendar-url").AttrOr("value", "")
	if !strings.HasSuffix(link, ".ics") {
		t.Fatalf("calendar link: %q", link)
	}
	r := e.Do("", "GET", strings.TrimPrefix(link, e.Server.URL), "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "SUMMARY:✓ Follow up: Ada Lovelace") {
		t.Errorf("feed: %d %s", r.Status, r.Body)
	}
}
