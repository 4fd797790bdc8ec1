package apitest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestActivities: an activity relates to records, which must exist and be
// visible to its author; it appears on the timeline of each of them at the
// time it happened, and a contact's timeline shows its company's.
func TestActivities(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace"}`, Status: 201, Events: 1, Save: "grace"},
		{Name: "call with ada", Method: "POST", Path: "/api/v1/activities",
			Body:   `{"kind":"call","subject":"Discovery call","body":"Wants **SSO**.","occurred_at":"2026-11-30T10:00:00Z","related":[{"object":"contacts","id":"{{ada}}"}]}`,
			Status: 201, Events: 2, Contains: []string{`"kind":"call"`, `"related":[{"id":"{{ada}}","object":"contacts"}]`}, Save: "call"},
		{Name: "note on the company", Method: "POST", Path: "/api/v1/activities",
			Body:   `{"kind":"note","subject":"Renewal","related":[{"object":"companies","id":"{{acme}}"},{"object":"companies","id":"{{acme}}"}]}`,
			Status: 201, Events: 2, Contains: []string{`"occurred_at":"20`}},
		{Name: "missing record", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"note","related":[{"object":"contacts","id":"nope"}]}`,
			Status: 422, Contains: []string{`"field":"related[0].id"`, `no contacts record with id \"nope\"`}, Events: 0},
		{Name: "not an object", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"note","related":[{"object":"webhooks","id":"x"}]}`,
			Status: 422, Contains: []string{`"field":"related[0].object"`}},
		{Name: "bad shape", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"note","related":[{"object":"contacts"}]}`,
			Status: 422, Contains: []string{`item 0: want {\"object\": ..., \"id\": ...}`}},
		{Name: "bad kind", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"fax"}`, Status: 422, Contains: []string{`"field":"kind"`}},
		{Name: "no kind", Method: "POST", Path: "/api/v1/activities", Body: `{"subject":"x"}`, Status: 422, Contains: []string{`"field":"kind"`, "is required"}},
		{Name: "filter on related", Method: "GET", Path: `/api/v1/activities?filter=related%3A%22x%22`, Status: 400, Contains: []string{"related cannot be filtered"}},
		{Name: "ada's timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200,
			Contains: []string{`"kind":"call"`, `"summary":"call: Discovery call"`, `"activity_id":"{{call}}"`, `"at":"2026-11-30T10:00:00Z"`, `"kind":"note"`, `"summary":"note: Renewal"`}},
		{Name: "grace's timeline", Method: "GET", Path: "/api/v1/contacts/{{grace}}/timeline", Status: 200, Lacks: []string{"Discovery", "Renewal"}},
		{Name: "list by kind", Method: "GET", Path: `/api/v1/activities?filter=kind%20%3D%20%22call%22&order_by=occurred_at%20desc`, Status: 200, Contains: []string{"Discovery call"}, Lacks: []string{"Renewal"}},
	})
	// A user who may not see a record may not log an activity on it.
	e.Run(t, []Scenario{
		{Name: "readonly may not log", Role: access.ReadOnly, Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"note"}`, Status: 403},
	})
	r := e.Do(access.Admin, "GET", "/api/v1/contacts/{{ada}}/timeline", "", nil)
	if strings.Index(string(r.Body), "Renewal") > strings.Index(string(r.Body), "Discovery") {
		t.Errorf("timeline not newest first: %s", r.Body)
	}
}

// TestWebActivities: the composer on a record page logs a note whose
// Markdown shows sanitised on the timelines of the record and of the
// records above it (the company); the activity's own page links back; a
// trashed activity leaves the timelines.
func TestWebActivities(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ada"},
	})
	b := e.browser(t, access.Sales)
	_, doc := b.get("/contacts/{{ada}}")
	if doc.Find(`form.composer input[name=related][value="contacts/`+e.Vars["ada"]+`"]`).Length() != 1 {
		t.Fatal("no composer on the contact page")
	}
	body := "Wants **SSO** by [Q3](https://example.com/plan).\n\n<script>alert(1)</script><img src=https://tracker.example/p.gif>\n\n- one\n- two"
	code, doc := b.post("/activities", url.Values{"kind": {"call"}, "subject": {"Discovery call"}, "body": {body},
		"related": {"contacts/" + e.Vars["ada"]}, "back": {"/contacts/" + e.Vars["ada"]}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "Call logged") {
		t.Fatalf("log: %d %q", code, text(doc, ".flash"))
	}
	note := doc.Find(".timeline li.activity-call .note")
	html, _ := note.Html()
	if !strings.Contains(html, "<strong>SSO</strong>") || !strings.Contains(html, `rel="nofollow noopener"`) || strings.Contains(html, "<script") || strings.Contains(html, "<img") || note.Find("li").Length() != 2 {
		t.Errorf("note HTML: %s", html)
	}
	link, _ := doc.Find(".timeline li.activity-call a[href^='/activities/']").Attr("href")
	_, doc = b.get("/companies/{{acme}}")
	if !strings.Contains(text(doc, ".timeline"), "Discovery call") {
		t.Errorf("the company's timeline lacks its person's call: %q", text(doc, ".timeline"))
	}
	_, doc = b.get(link)
	if doc.Find(`.refs a[href="/contacts/`+e.Vars["ada"]+`"]`).Length() != 1 {
		t.Errorf("the activity's page lacks its contact: %q", text(doc, ".refs"))
	}
	// A bad activity comes back to the record page with the reason.
	if _, doc = b.post("/activities", url.Values{"kind": {"fax"}, "related": {"contacts/" + e.Vars["ada"]}, "back": {"/contacts/" + e.Vars["ada"]}}); !strings.Contains(text(doc, ".flash"), `kind: "fax" is not one of`) {
		t.Errorf("bad kind: %q", text(doc, ".flash"))
	}
	// Trashed, it leaves the timelines.
	b.post(link, url.Values{"_action": {"delete"}})
	if _, doc = b.get("/contacts/{{ada}}"); strings.Contains(text(doc, ".timeline"), "Discovery call") {
		t.Error("a trashed activity is still on the timeline")
	}
	// Read-only users have no composer; German has its words.
	if _, doc = e.browser(t, access.ReadOnly).get("/contacts/{{ada}}"); doc.Find("form.composer").Length() != 0 {
		t.Error("readonly sees the composer")
	}
	if _, doc = b.speaking("de").get("/contacts/{{ada}}"); !strings.Contains(text(doc, "form.composer"), "Anruf") {
		t.Errorf("German composer: %q", text(doc, "form.composer"))
	}
}
