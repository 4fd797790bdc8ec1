package apitest

import (
	"net/url"
	"strings"
	"testing"
)

func TestContactsAPI(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "no credentials", Role: "-", Method: "GET", Path: "/api/v1/contacts", Status: 401, Contains: []string{`"status":401`}},
		{Name: "bad key", Role: "-", Method: "GET", Path: "/api/v1/contacts", Header: map[string]string{"Authorization": "Bearer rk_nope"}, Status: 401},
		{Name: "empty list", Method: "GET", Path: "/api/v1/contacts", Status: 200, Contains: []string{`"data":[]`, `"next_page_token":""`}},
		{Name: "create company", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme","domain":"ACME.example","annual_revenue":"2500000"}`,
			Status: 201, Contains: []string{`"domain":"acme.example"`, `"annual_revenue":"2500000.00"`}, Events: 1, Save: "acme"},
		{Name: "create contact", Method: "POST", Path: "/api/v1/contacts",
			Body:   `{"first_name":"Ada","last_name":"Lovelace","email":" Ada@Example.com ","company_id":"{{acme}}","lifecycle_stage":"lead","tags":["vip"],"address":{"city":"London","country":"GB"},"consent":{"email_marketing":"granted","at":"2026-01-02T03:04:05Z","source":"form"}}`,
			Status: 201, Contains: []string{`"email":"ada@example.com"`, `"version":1`, `"owner_id":"{{admin_id}}"`, `"score":0`, `"do_not_contact":false`}, Events: 1, Save: "ada"},
		{Name: "duplicate email", Method: "POST", Path: "/api/v1/contacts", Body: `{"email":"ADA@example.com"}`, Status: 409, Contains: []string{`"field":"email"`}},
		{Name: "read", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Contains: []string{`"last_name":"Lovelace"`, `"tags":["vip"]`, `"city":"London"`}},
		{Name: "read unknown", Method: "GET", Path: "/api/v1/contacts/nope", Status: 404},
		{Name: "patch stale", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Header: map[string]string{"If-Match": "7"}, Body: `{"title":"Countess"}`, Status: 412},
		{Name: "patch bad If-Match", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Header: map[string]string{"If-Match": "yesterday"}, Body: `{"title":"Countess"}`, Status: 400, Contains: []string{"If-Match"}},
		{Name: "patch", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Header: map[string]string{"If-Match": `"1"`}, Body: `{"title":"Countess","tags":null}`,
			Status: 200, Contains: []string{`"title":"Countess"`, `"tags":null`, `"version":2`}, Events: 1},
		{Name: "patch nothing new", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"title":"Countess"}`, Status: 200, Contains: []string{`"version":2`}},
		{Name: "patch read-only score", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"score":99}`, Status: 422, Contains: []string{`"field":"score"`, "read-only"}},
		{Name: "filter", Method: "GET", Path: `/api/v1/contacts?filter=company.name%20%3D%20%22Acme%22%20AND%20email%20%3D%20%22*%40example.com%22&count=true`,
			Status: 200, Contains: []string{`"total":1`, "{{ada}}"}},
		{Name: "bad filter", Method: "GET", Path: `/api/v1/contacts?filter=colour%20%3D%20%22red%22`, Status: 400, Contains: []string{`unknown field \"colour\"`, "position 1"}},
		{Name: "bad order", Method: "GET", Path: `/api/v1/contacts?order_by=tags`, Status: 400, Contains: []string{"order_by"}},
		{Name: "bad page size", Method: "GET", Path: `/api/v1/contacts?page_size=501`, Status: 400, Contains: []string{"page_size"}},
		{Name: "bad page token", Method: "GET", Path: `/api/v1/contacts?page_token=garbage`, Status: 400, Contains: []string{"page_token"}},
		{Name: "unknown parameter", Method: "GET", Path: `/api/v1/contacts?fliter=x`, Status: 400, Contains: []string{"fliter"}},
		{Name: "q", Method: "GET", Path: `/api/v1/contacts?q=lov`, Status: 200, Contains: []string{"{{ada}}"}},
		{Name: "timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200,
			Contains: []string{`"kind":"updated"`, `"kind":"created"`, `"changes":{"tags":[["vip"],null],"title":[null,"Countess"]}`, `"object":"companies"`}},
		{Name: "search across objects", Method: "GET", Path: "/api/v1/search?q=acm", Status: 200, Contains: []string{`"object":"companies"`, `"title":"Acme"`}},
		{Name: "search needs q", Method: "GET", Path: "/api/v1/search", Status: 400},
		{Name: "trash", Method: "DELETE", Path: "/api/v1/contacts/{{ada}}", Status: 204, Events: 1},
		{Name: "trashed is gone", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 404},
		{Name: "list trashed", Method: "GET", Path: "/api/v1/contacts?trashed=true", Status: 200, Contains: []string{"{{ada}}"}},
		{Name: "email is free while trashed", Method: "POST", Path: "/api/v1/contacts", Body: `{"email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada2"},
		{Name: "restore conflicts", Method: "POST", Path: "/api/v1/contacts/{{ada}}/restore", Status: 409, Contains: []string{"email"}},
		{Name: "trash the second", Method: "DELETE", Path: "/api/v1/contacts/{{ada2}}", Status: 204, Events: 1},
		{Name: "restore", Method: "POST", Path: "/api/v1/contacts/{{ada}}/restore", Status: 200, Contains: []string{`"version":4`}, Events: 1},
	})
}

func TestBadInputIsA4xxAndWritesNothing(t *testing.T) {
	e := New(t)
	big := `{"first_name":"` + strings.Repeat("x", 1<<20) + `"}`
	e.Run(t, []Scenario{
		{Name: "malformed JSON", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name": "Ada",}`, Status: 400, Contains: []string{"invalid JSON at byte"}},
		{Name: "truncated JSON", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name": "Ada"`, Status: 400},
		{Name: "not an object", Method: "POST", Path: "/api/v1/contacts", Body: `[1,2]`, Status: 400, Contains: []string{"JSON object"}},
		{Name: "trailing data", Method: "POST", Path: "/api/v1/contacts", Body: `{} {}`, Status: 400},
		{Name: "empty body", Method: "POST", Path: "/api/v1/contacts", Status: 400},
		{Name: "wrong content type", Method: "POST", Path: "/api/v1/contacts", Body: `{}`, Header: map[string]string{"Content-Type": "text/csv"}, Status: 400, Contains: []string{"Content-Type"}},
		{Name: "too large", Method: "POST", Path: "/api/v1/contacts", Body: big, Status: 413},
		{Name: "unknown and wrong fields", Method: "POST", Path: "/api/v1/contacts", Body: `{"colour":"red","email":42,"lifecycle_stage":"king","tags":"vip","do_not_contact":"yes","address":{"planet":"Mars"}}`,
			Status: 422, Contains: []string{`"field":"colour"`, `"field":"email"`, `"field":"lifecycle_stage"`, `"field":"tags"`, `"field":"do_not_contact"`, `"field":"address"`}},
		{Name: "bad relation", Method: "POST", Path: "/api/v1/contacts", Body: `{"company_id":"0000"}`, Status: 422, Contains: []string{`"field":"company_id"`}},
		{Name: "bad email", Method: "POST", Path: "/api/v1/contacts", Body: `{"email":"not an email"}`, Status: 422, Contains: []string{"valid email"}},
		{Name: "bad phone", Method: "POST", Path: "/api/v1/contacts", Body: `{"phone":"call me"}`, Status: 422, Contains: []string{"phone"}},
		{Name: "bad url", Method: "POST", Path: "/api/v1/webhooks", Body: `{"url":"ftp://x","events":["contact.created"]}`, Status: 422, Contains: []string{`"field":"url"`}},
		{Name: "required missing", Method: "POST", Path: "/api/v1/companies", Body: `{"domain":"x.example"}`, Status: 422, Contains: []string{`"field":"name"`, "required"}},
		{Name: "unknown object", Method: "GET", Path: "/api/v1/dragons", Status: 404, Contains: []string{"dragons"}},
		{Name: "unknown object write", Method: "POST", Path: "/api/v1/dragons", Body: `{}`, Status: 404},
		{Name: "unknown endpoint", Method: "GET", Path: "/api/v1/contacts/x/y/z", Status: 404},
		{Name: "bad schema field", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"Bad Name","kind":"colour","size":3}`, Status: 422, Contains: []string{`"field":"size"`}},
		{Name: "bad schema field kinds", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"Bad Name","kind":"colour"}`, Status: 422, Contains: []string{`"field":"name"`, `"field":"kind"`}},
		{Name: "schema wrong type", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":3}`, Status: 422, Contains: []string{`"field":"name"`}},
	})
	if n := e.Count("contacts"); n != 0 {
		t.Errorf("rejected requests left %d contacts", n)
	}
}

// FuzzAPI sends arbitrary requests: none may get a 5xx.
func FuzzAPI(f *testing.F) {
	for _, s := range [][3]string{
		{"POST", "/api/v1/contacts", `{"first_name":"A"}`}, {"GET", "/api/v1/contacts?filter=a%3D1", ""}, {"PATCH", "/api/v1/contacts/x", `{"a":null}`},
		{"POST", "/api/v1/schema", `{"name":"p","fields":[{"name":"n","kind":"text"}]}`}, {"GET", "/api/v1/contacts?order_by=x%20y%20z&page_token=%00", ""},
		{"POST", "/api/v1/companies", `{"name":{"a":1},"employees":1e400}`}, {"DELETE", "/api/v1/companies/%2e%2e", ""}, {"GET", "/api/v1/search?q=%22%2A", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	e := New(f)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		switch method {
		case "GET", "POST", "PATCH", "DELETE":
		default:
			return
		}
		if !strings.HasPrefix(path, "/api/v1/") || strings.ContainsAny(path, " \r\n#") || strings.Contains(path, "{{") || strings.Contains(body, "{{") {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return // not a request a client can send
		}
		et := *e
		et.T = t
		if r := et.Do("admin", method, path, body, nil); r.Status >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, r.Status, r.Body)
		}
	})
}
