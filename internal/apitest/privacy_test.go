package apitest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestPrivacy: a data subject's access request gets everything held on
// the contact; an erasure removes it — fields, history, search entry, the
// activities about the person alone — and frees the email, keeping a
// tombstone; others' activities lose only the person. Admins and managers
// only.
func TestPrivacy(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","company_id":"{{acme}}","phone":"+44 20 7946 0000"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "promote", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"title":"Countess"}`, Status: 200, Events: 1},
		{Name: "hers", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"call","subject":"Call Ada","body":"Her private number is 555 0143","related":[{"object":"contacts","id":"{{ada}}"}]}`, Status: 201, Events: 2, Save: "hers"},
		{Name: "shared", Method: "POST", Path: "/api/v1/activities", Body: `{"kind":"meeting","subject":"Acme kick-off","related":[{"object":"contacts","id":"{{ada}}"},{"object":"companies","id":"{{acme}}"}]}`, Status: 201, Events: 3, Save: "shared"},
		{Name: "sales may not", Role: access.Sales, Method: "GET", Path: "/api/v1/contacts/{{ada}}/gdpr-export", Status: 403},
		{Name: "access", Role: access.Manager, Method: "GET", Path: "/api/v1/contacts/{{ada}}/gdpr-export", Status: 200,
			Contains: []string{`"email":"ada@example.com"`, `"name":"Acme"`, "Call Ada", "Acme kick-off", `"changes":{"title":[null,"Countess"]}`}},
		{Name: "no such contact", Role: access.Manager, Method: "GET", Path: "/api/v1/contacts/nope/gdpr-export", Status: 404},
		{Name: "sales may not erase", Role: access.Sales, Method: "POST", Path: "/api/v1/contacts/{{ada}}/erase", Status: 403},
		{Name: "erase", Role: access.Manager, Method: "POST", Path: "/api/v1/contacts/{{ada}}/erase", Status: 204, Events: 3}, // her call erased, the meeting changed, the tombstone
		{Name: "gone", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 404},
		{Name: "emptied", Method: "GET", Path: "/api/v1/contacts/{{ada}}?trashed=true", Status: 200,
			Contains: []string{`"email":null`, `"first_name":null`, `"phone":null`}, Lacks: []string{"Lovelace", "Countess"}},
		{Name: "not found by search", Method: "GET", Path: "/api/v1/search?q=lovelace", Status: 200, Lacks: []string{"{{ada}}"}},
		{Name: "her call erased", Method: "GET", Path: "/api/v1/activities/{{hers}}?trashed=true", Status: 200, Contains: []string{`"body":null`}, Lacks: []string{"555 0143"}},
		{Name: "the meeting stays", Method: "GET", Path: "/api/v1/activities/{{shared}}", Status: 200, Contains: []string{"Acme kick-off", `"related":[{"id":"{{acme}}","object":"companies"}]`}},
		{Name: "history scrubbed", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Contains: []string{`"kind":"erased"`}, Lacks: []string{"Lovelace", "Countess", "555 0143", "Call Ada"}},
		{Name: "email free again", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"A","email":"ada@example.com"}`, Status: 201, Events: 1},
	})
	// The tombstone names who erased.
	r := e.Do(access.Admin, "GET", "/api/v1/contacts/{{ada}}/timeline", "", nil)
	var tl struct {
		Data []map[string]any `json:"data"`
	}
	_ = json.Unmarshal(r.Body, &tl)
	if len(tl.Data) == 0 || tl.Data[0]["kind"] != "erased" || tl.Data[0]["actor_id"] != e.Vars["manager_id"] {
		t.Errorf("tombstone: %s", r.Body)
	}
	// The web page offers both requests to a manager, not to sales.
	e.Run(t, []Scenario{{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","email":"grace@example.com"}`, Status: 201, Events: 1, Save: "grace"}})
	m := e.browser(t, access.Manager)
	_, doc := m.get("/contacts/{{grace}}")
	if href, _ := doc.Find(".privacy a[download]").Attr("href"); href != "/api/v1/contacts/"+e.Vars["grace"]+"/gdpr-export" {
		t.Errorf("access link: %q", href)
	}
	if _, doc = e.browser(t, access.Sales).get("/contacts/{{grace}}"); doc.Find(".privacy").Length() != 0 {
		t.Error("sales sees the privacy actions")
	}
	if _, doc = m.post("/contacts/{{grace}}", url.Values{"_action": {"erase"}}); !strings.Contains(text(doc, ".flash"), "tick the box") {
		t.Errorf("erase without confirming: %q", text(doc, ".flash"))
	}
	if _, doc = m.post("/contacts/{{grace}}", url.Values{"_action": {"erase"}, "confirm": {"on"}}); !strings.Contains(text(doc, ".flash"), "Personal data erased") || strings.Contains(text(doc, "table.records"), "Grace") {
		t.Errorf("erase: %q", text(doc, ".flash"))
	}
}
