package apitest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestDuplicatesAndMerge: the finder names contacts with the same phone
// (in any notation) or the same name at the same company, and companies
// with the same domain or name; a merge keeps one record, fills its empty
// fields, takes chosen values, repoints relations and activities, moves the
// history and trashes the duplicates.
func TestDuplicatesAndMerge(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme GmbH","domain":"acme.example"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "acme2", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"ACME","industry":"Software"}`, Status: 201, Events: 1, Save: "acme2"},
		{Name: "other", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acmeo Ltd"}`, Status: 201, Events: 1},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@acme.example","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "ada2", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"ada","last_name":"Lovelace","email":"a.lovelace@acme.example","title":"Countess","company_id":"{{acme2}}","phone":"030 1234567"}`, Status: 201, Events: 1, Save: "ada2"},
		{Name: "ada3", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Augusta","last_name":"King","phone":"+49 30 1234567"}`, Status: 201, Events: 1, Save: "ada3"},
		{Name: "namesake", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@elsewhere.example"}`, Status: 201, Events: 1, Save: "namesake"},
		{Name: "note on ada2", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"note","subject":"Met at the conference","related":[{"object":"contacts","id":"{{ada2}}"}]}`, Status: 201, Events: 2, Save: "note"},
		{Name: "company dups", Method: "GET", Path: "/api/v1/companies/{{acme}}/duplicates", Status: 200, Contains: []string{`"id":"{{acme2}}"`, `"reasons":["name"]`}, Lacks: []string{"Acmeo"}},
		{Name: "ada2's dups", Method: "GET", Path: "/api/v1/contacts/{{ada2}}/duplicates", Status: 200,
			Contains: []string{`"id":"{{ada}}"`, `"name_email_domain"`, `"id":"{{ada3}}"`, `"reasons":["phone"]`}, Lacks: []string{`"id":"{{namesake}}"`}},
		{Name: "no finder for activities", Method: "GET", Path: "/api/v1/activities/{{note}}/duplicates", Status: 404},
		{Name: "merge nothing", Method: "POST", Path: "/api/v1/contacts/{{ada}}/merge", Body: `{"duplicate_ids":[]}`, Status: 422, Contains: []string{"duplicate_ids"}},
		{Name: "merge itself", Method: "POST", Path: "/api/v1/contacts/{{ada}}/merge", Body: `{"duplicate_ids":["{{ada}}"]}`, Status: 422},
		{Name: "sales may not merge others'", Role: "sales", Method: "POST", Path: "/api/v1/contacts/{{ada}}/merge", Body: `{"duplicate_ids":["{{ada2}}"]}`, Status: 403},
		{Name: "merge", Method: "POST", Path: "/api/v1/contacts/{{ada}}/merge", Body: `{"duplicate_ids":["{{ada2}}","{{ada3}}"],"take":{"email":"{{ada2}}"}}`, Status: 200, Events: 1,
			Contains: []string{`"title":"Countess"`, `"phone":"030 1234567"`, `"email":"a.lovelace@acme.example"`, `"company_id":"{{acme}}"`}},
		{Name: "duplicates trashed", Method: "GET", Path: "/api/v1/contacts/{{ada2}}", Status: 404},
		{Name: "history moved", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200,
			Contains: []string{`"kind":"merged"`, `"merged_ids":["{{ada2}}","{{ada3}}"]`, "Met at the conference", "Created contact Augusta King"}},
		{Name: "activity repointed", Method: "GET", Path: "/api/v1/activities/{{note}}", Status: 200, Contains: []string{`"related":[{"id":"{{ada}}","object":"contacts"}]`}},
		{Name: "merge companies", Method: "POST", Path: "/api/v1/companies/{{acme}}/merge", Body: `{"duplicate_ids":["{{acme2}}"]}`, Status: 200, Events: 1, Contains: []string{`"industry":"Software"`}},
		{Name: "its people follow", Method: "GET", Path: `/api/v1/contacts?filter=company_id%20%3D%20%22{{acme}}%22&count=true`, Status: 200, Contains: []string{`"total":1`}},
		// Taking the contact merge back.
		{Name: "unmerge", Method: "POST", Path: "/api/v1/contacts/{{ada}}/unmerge", Status: 200, Events: 1, Lacks: []string{`"phone":"030 1234567"`}, Contains: []string{`"email":"ada@acme.example"`}},
		{Name: "ada2 is back", Method: "GET", Path: "/api/v1/contacts/{{ada2}}", Status: 200, Contains: []string{`"title":"Countess"`, `"phone":"030 1234567"`, `"email":"a.lovelace@acme.example"`}},
		{Name: "ada3 is back", Method: "GET", Path: "/api/v1/contacts/{{ada3}}", Status: 200, Contains: []string{`"first_name":"Augusta"`}},
		{Name: "its note is back", Method: "GET", Path: "/api/v1/activities/{{note}}", Status: 200, Contains: []string{`"related":[{"id":"{{ada2}}","object":"contacts"}]`}},
		{Name: "its history is back", Method: "GET", Path: "/api/v1/contacts/{{ada2}}/timeline", Status: 200, Contains: []string{"Met at the conference", "Created contact ada Lovelace"}},
		{Name: "not on ada's", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Lacks: []string{"Met at the conference", "Augusta"}, Contains: []string{`"kind":"unmerged"`}},
		{Name: "nothing left to take back", Method: "POST", Path: "/api/v1/contacts/{{ada}}/unmerge", Status: 409},
		{Name: "the company merge too", Method: "POST", Path: "/api/v1/companies/{{acme}}/unmerge", Status: 200, Events: 1},
		{Name: "people follow back", Method: "GET", Path: `/api/v1/contacts?filter=company_id%20%3D%20%22{{acme2}}%22&count=true`, Status: 200, Contains: []string{`"total":1`}},
	})
}

// TestWebMerge: a record page lists its likely duplicates; the merge page
// compares them field by field; the chosen values are kept.
func TestWebMerge(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@acme.example","title":"Analyst"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "ada2", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"countess@acme.example","title":"Countess","phone":"+44 20 7946 0000"}`, Status: 201, Events: 1, Save: "ada2"},
	})
	b := e.browser(t, access.Manager)
	_, doc := b.get("/contacts/{{ada}}")
	if got := text(doc, ".duplicates"); !strings.Contains(got, "same name, same email domain") {
		t.Fatalf("duplicates card: %q", got)
	}
	href, _ := doc.Find(".duplicates a.button").Attr("href")
	_, doc = b.get(href)
	if doc.Find(`input[name=take_title][value=duplicate]`).Length() != 1 || !strings.Contains(text(doc, "table.merge"), "taken") {
		t.Fatalf("merge page: %q", text(doc, "table.merge"))
	}
	_, doc = b.post("/contacts/{{ada}}", url.Values{"_action": {"merge"}, "duplicate": {e.Vars["ada2"]}, "take_title": {"duplicate"}, "take_email": {"kept"}})
	if !strings.Contains(text(doc, ".flash"), "Merged") || doc.Find("#f-title").AttrOr("value", "") != "Countess" || doc.Find("#f-phone").AttrOr("value", "") != "+44 20 7946 0000" || doc.Find("#f-email").AttrOr("value", "") != "ada@acme.example" {
		t.Errorf("after merging: %q title %q", text(doc, ".flash"), doc.Find("#f-title").AttrOr("value", ""))
	}
	if doc.Find(".duplicates").Length() != 0 {
		t.Error("still lists the merged duplicate")
	}
	if doc.Find(`.timeline form input[name=_action][value=unmerge]`).Length() != 1 {
		t.Fatal("no way to take the merge back")
	}
	_, doc = b.post("/contacts/{{ada}}", url.Values{"_action": {"unmerge"}})
	if !strings.Contains(text(doc, ".flash"), "Merge taken back") || doc.Find("#f-title").AttrOr("value", "") != "Analyst" || !strings.Contains(text(doc, ".duplicates"), "Ada Lovelace") {
		t.Errorf("after taking it back: %q title %q", text(doc, ".flash"), doc.Find("#f-title").AttrOr("value", ""))
	}
	if doc.Find(`.timeline form input[name=_action][value=unmerge]`).Length() != 0 {
		t.Error("offers to take back a merge taken back")
	}
}

// TestWebDuplicateWarning: creating a likely duplicate shows it first,
// with the typed values kept; confirming creates it.
func TestWebDuplicateWarning(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","phone":"+49 30 1234567"}`, Status: 201, Events: 1, Save: "ada"},
	})
	b := e.browser(t, access.Sales)
	form := url.Values{"first_name": {"Augusta"}, "last_name": {"King"}, "phone": {"030 1234567"}}
	code, doc := b.post("/contacts", form)
	if code != 409 || !strings.Contains(text(doc, ".alert"), "Ada Lovelace") || !strings.Contains(text(doc, ".alert"), "same phone") || doc.Find("#f-first_name").AttrOr("value", "") != "Augusta" {
		t.Fatalf("warning: %d %q", code, text(doc, ".alert"))
	}
	form.Set("confirm_duplicate", "on")
	if code, doc = b.post("/contacts", form); code != 200 || !strings.Contains(text(doc, ".flash"), "created") {
		t.Fatalf("create anyway: %d %q", code, text(doc, ".flash"))
	}
	if code, _ = b.post("/contacts", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}}); code != 200 {
		t.Errorf("a contact like no other was held back: %d", code)
	}
}
