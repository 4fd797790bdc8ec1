package apitest

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/web"
)

// browser is a signed-in HTTP client that parses pages.
type browser struct {
	t    *testing.T
	e    *Env
	c    *http.Client
	csrf string
}

func (e *Env) browser(t *testing.T, role access.Role) *browser {
	sess, err := e.Sys.Auth.NewSession(context.Background(), e.WS, e.Users[role], "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.Server.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: sess.Token}})
	return &browser{t: t, e: e, c: &http.Client{Jar: jar}, csrf: sess.CSRFToken}
}

func (b *browser) doc(resp *http.Response, err error) (int, *goquery.Document) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, doc
}

func (b *browser) get(path string) (int, *goquery.Document) {
	return b.doc(b.c.Get(b.e.Server.URL + b.e.expand(path)))
}

func (b *browser) post(path string, form url.Values) (int, *goquery.Document) {
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf)
	}
	return b.doc(b.c.PostForm(b.e.Server.URL+b.e.expand(path), form))
}

// postFiles posts form as multipart/form-data with files (name → content)
// in its "attachments" input.
func (b *browser) postFiles(path string, form url.Values, files map[string]string) (int, *goquery.Document) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, _ := mw.CreateFormFile("attachments", name)
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.e.Server.URL+b.e.expand(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.doc(b.c.Do(req))
}

func text(doc *goquery.Document, sel string) string {
	return strings.Join(strings.Fields(doc.Find(sel).Text()), " ")
}

func TestWebListsRecordsAndForms(t *testing.T) {
	e := New(t)
	b := e.browser(t, access.Admin)

	code, doc := b.get("/contacts")
	if code != 200 || !strings.Contains(text(doc, ".empty"), "No Contacts yet") || doc.Find(`a[href="/contacts/new"]`).Length() == 0 {
		t.Fatalf("empty list: %d %q", code, text(doc, "main, .main"))
	}
	if doc.Find(`nav.sidebar a[href="/companies"]`).Length() != 1 || doc.Find(`nav.sidebar a[aria-current="page"][href="/contacts"]`).Length() != 1 {
		t.Error("sidebar lacks the objects or the current one")
	}
	// Create a company, then a contact at it, through the forms.
	code, doc = b.post("/companies", url.Values{"name": {"Acme"}, "domain": {"acme.example"}, "employees": {"50"}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "company created") {
		t.Fatalf("create company: %d %q", code, text(doc, ".main"))
	}
	acme := strings.TrimPrefix(doc.Find(`link[rel=canonical], form[action^="/companies/"]`).First().AttrOr("action", ""), "/companies/")
	if acme == "" {
		t.Fatal("no company id on its page")
	}
	e.Vars["acme"] = acme
	if _, doc = b.get("/contacts/new"); doc.Find(`datalist#f-company_id-choices option[label="Acme"][value="`+acme+`"]`).Length() != 1 {
		t.Error("the company field offers no pick list with Acme")
	}
	code, doc = b.post("/contacts", url.Values{"first_name": {"Ada"}, "last_name": {"Lovelace"}, "email": {"not-an-email"}, "company_id": {acme}})
	if code != 422 || !strings.Contains(text(doc, ".field.has-error"), "not a valid email address") || doc.Find(`#f-first_name`).AttrOr("value", "") != "Ada" {
		t.Fatalf("invalid email: %d, error %q, kept value %q", code, text(doc, ".field.has-error"), doc.Find(`#f-first_name`).AttrOr("value", ""))
	}
	code, doc = b.post("/contacts", url.Values{"first_name": {"Ada"}, "last_name": {"Lovelace"}, "email": {"ada@acme.example"}, "company_id": {acme},
		"lifecycle_stage": {"lead"}, "tags": {"vip, speaker"}, "address.city": {"London"}})
	if code != 200 || text(doc, "h1") != "Ada Lovelace" || !strings.Contains(text(doc, ".timeline"), "Created contact Ada Lovelace") {
		t.Fatalf("create contact: %d %q", code, text(doc, ".main"))
	}
	if doc.Find(`a.chip[href="/companies/`+acme+`"]`).Length() != 1 || doc.Find(`#f-tags`).AttrOr("value", "") != "vip, speaker" {
		t.Errorf("contact page lacks its company or its tags")
	}
	ada := strings.TrimPrefix(doc.Find(`form[action^="/contacts/"]`).First().AttrOr("action", ""), "/contacts/")
	e.Vars["ada"] = ada
	version := doc.Find(`input[name=version]`).AttrOr("value", "")
	// Edit a field: the change shows on the timeline.
	form := url.Values{"version": {version}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "email": {"ada@acme.example"}, "company_id": {acme},
		"lifecycle_stage": {"customer"}, "tags": {"vip, speaker"}, "address.city": {"London"}, "title": {"Countess"}}
	code, doc = b.post("/contacts/{{ada}}", form)
	if code != 200 || !strings.Contains(text(doc, ".timeline"), "Lifecycle stage: lead → customer") || !strings.Contains(text(doc, ".timeline"), "Job title: — → Countess") {
		t.Fatalf("edit: %d %q", code, text(doc, ".timeline"))
	}
	// A stale form is refused with the values kept.
	form.Set("title", "Lady")
	if code, doc = b.post("/contacts/{{ada}}", form); code != 412 || doc.Find("#f-title").AttrOr("value", "") != "Lady" {
		t.Errorf("stale edit: %d", code)
	}
	// The company page lists its contacts.
	if _, doc = b.get("/companies/{{acme}}"); !strings.Contains(text(doc, ".related"), "Ada Lovelace") {
		t.Errorf("company page lacks its contacts: %q", text(doc, ".related"))
	}
	// Lists: filter, sort, errors at the filter.
	code, doc = b.get(`/contacts?filter=` + url.QueryEscape(`company.name = "Acme" AND lifecycle_stage = "customer"`) + `&order_by=last_name`)
	if code != 200 || doc.Find("table.records tbody tr").Length() != 1 || doc.Find(`th[aria-sort="ascending"]`).Length() != 1 {
		t.Fatalf("filtered list: %d rows %d", code, doc.Find("table.records tbody tr").Length())
	}
	if text(doc, "table.records tbody td a") != "Acme" {
		t.Errorf("relation column shows %q, want the company's name", text(doc, "table.records tbody td a"))
	}
	code, doc = b.get(`/contacts?filter=` + url.QueryEscape(`lifecycle_stage = "lead" AND colour = "red"`))
	if code != 400 || !strings.Contains(text(doc, "#filter-help"), `unknown field "colour" of contacts at position 30`) {
		t.Fatalf("bad filter: %d %q", code, text(doc, "#filter-help"))
	}
	if _, doc = b.get("/search?q=lov"); !strings.Contains(text(doc, ".hits"), "Ada Lovelace") {
		t.Errorf("search: %q", text(doc, ".hits"))
	}
	if code, _ = b.get("/dragons"); code != 404 {
		t.Errorf("unknown object: %d", code)
	}
	if code, _ = b.post("/contacts/{{ada}}", url.Values{"csrf_token": {"forged"}, "_action": {"delete"}}); code != 403 {
		t.Errorf("forged CSRF: %d", code)
	}
	code, doc = b.post("/contacts/{{ada}}", url.Values{"_action": {"delete"}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "moved to the trash") || doc.Find("table.records").Length() != 0 {
		t.Errorf("trash: %d %q", code, text(doc, ".flash"))
	}
}

func TestWebRespectsRoles(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{{Name: "company", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"}})
	ro := e.browser(t, access.ReadOnly)
	_, doc := ro.get("/companies")
	if doc.Find(`a[href="/companies/new"]`).Length() != 0 {
		t.Error("readonly sees New company")
	}
	_, doc = ro.get("/companies/{{acme}}")
	if doc.Find(`button[type=submit]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Save" }).Length() != 0 {
		t.Error("readonly sees Save")
	}
	if code, _ := ro.post("/companies/{{acme}}", url.Values{"name": {"Mine"}}); code != 403 {
		t.Errorf("readonly save: %d, want 403", code)
	}
	anon := &browser{t: t, e: e, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := anon.c.Get(e.Server.URL + "/contacts?filter=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/contacts?filter=x") {
		t.Errorf("signed out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestWebAccount(t *testing.T) {
	e := New(t)
	b := e.browser(t, access.Sales)
	code, doc := b.get("/account")
	if code != 200 || !strings.Contains(text(doc, ".sessions"), "this one") {
		t.Fatalf("account page: %d %q", code, text(doc, ".sessions"))
	}
	code, doc = b.post("/account/password", url.Values{"current_password": {"wrong password"}, "new_password": {"a newer password"}, "confirm_password": {"a newer password"}})
	if code != 422 || !strings.Contains(text(doc, ".has-error"), "is wrong") {
		t.Fatalf("wrong current password: %d %q", code, text(doc, ".has-error"))
	}
	code, doc = b.post("/account/password", url.Values{"current_password": {"a long password"}, "new_password": {"a newer password"}, "confirm_password": {"typo"}})
	if code != 422 || !strings.Contains(text(doc, ".has-error"), "does not match") {
		t.Fatalf("mismatch: %d", code)
	}
	code, doc = b.post("/account/password", url.Values{"current_password": {"a long password"}, "new_password": {"a newer password"}, "confirm_password": {"a newer password"}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "Password changed") {
		t.Fatalf("change: %d %q", code, text(doc, ".flash"))
	}
	if _, err := e.Sys.Auth.Login(context.Background(), e.WS, "sales@test.example", "a newer password", "10.1.1.1", ""); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
	code, doc = b.post("/account/sign-out-everywhere", url.Values{})
	if code != 200 || doc.Find(`input[name=password]`).Length() == 0 {
		t.Fatalf("sign out everywhere: %d", code)
	}
	if list, _ := e.Sys.Auth.Sessions(context.Background(), e.WS, e.Users[access.Sales]); len(list) != 0 {
		t.Fatalf("%d sessions left", len(list))
	}
}

func TestWebSettings(t *testing.T) {
	e := New(t)
	b := e.browser(t, access.Admin)
	code, doc := b.post("/settings/keys", url.Values{"name": {"laptop"}})
	secret := text(doc, "code.secret")
	if code != 201 || !strings.HasPrefix(secret, "rk_") {
		t.Fatalf("create key: %d %q", code, secret)
	}
	if id, err := e.Sys.Auth.APIKey(context.Background(), secret); err != nil || id.UserID != e.Users[access.Admin] {
		t.Fatalf("the shown key does not work: %v", err)
	}
	if _, doc = b.get("/settings"); doc.Find("code.secret").Length() != 0 || !strings.Contains(text(doc, "table"), "laptop") {
		t.Fatal("the key is shown again, or not listed")
	}
	keyID := doc.Find(`form[action="/settings/keys/revoke"] input[name=id]`).AttrOr("value", "")
	if code, doc = b.post("/settings/keys/revoke", url.Values{"id": {keyID}}); code != 200 || !strings.Contains(text(doc, "table"), "revoked") {
		t.Fatalf("revoke: %d", code)
	}
	// A custom field added here shows in the schema, the forms and the lists.
	code, doc = b.post("/settings/fields", url.Values{"object": {"contacts"}, "name": {"Shoe Size"}, "kind": {"integer"}})
	if code != 422 || !strings.Contains(text(doc, ".has-error"), "snake_case") {
		t.Fatalf("bad field: %d %q", code, text(doc, ".has-error"))
	}
	code, doc = b.post("/settings/fields", url.Values{"object": {"contacts"}, "name": {"tier"}, "label": {"Tier"}, "kind": {"select"}, "options": {"gold, silver"}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "Field tier added to Contacts") {
		t.Fatalf("add field: %d %q", code, text(doc, ".main"))
	}
	if _, doc = b.get("/contacts/new"); doc.Find(`select#f-tier option`).Length() != 3 {
		t.Fatal("the new field is not on the contact form")
	}
	code, doc = b.post("/contacts", url.Values{"first_name": {"Ada"}, "tier": {"gold"}})
	if code != 200 || doc.Find(`select#f-tier option[selected]`).Text() != "gold" {
		t.Fatalf("create with the custom field: %d", code)
	}
	if _, doc = b.get(`/contacts?filter=` + url.QueryEscape(`tier = "gold"`)); doc.Find("table.records tbody tr").Length() != 1 {
		t.Fatal("filtering on the custom field")
	}
	if _, doc = b.post("/settings/fields/label", url.Values{"object": {"contacts"}, "name": {"tier"}, "label": {"Customer tier"}}); !strings.Contains(text(doc, ".flash"), "Field renamed") {
		t.Fatalf("rename field: %q", text(doc, ".main"))
	}
	if _, doc = b.get("/contacts/new"); text(doc, `label[for=f-tier]`) != "Customer tier" {
		t.Fatalf("renamed label on the form: %q", text(doc, `label[for=f-tier]`))
	}
	if _, doc = b.post("/settings/workspace", url.Values{"workspace_name": {"Acme Sales"}}); text(doc, ".sidebar .brand") != "Acme Sales" {
		t.Fatalf("rename workspace: %q", text(doc, ".sidebar .brand"))
	}
	if code, _ := b.post("/settings/workspace", url.Values{"workspace_name": {" "}}); code != 422 {
		t.Fatalf("empty workspace name: %d", code)
	}
	sales := e.browser(t, access.Sales)
	if code, _ := sales.post("/settings/workspace", url.Values{"workspace_name": {"Mine"}}); code != 403 {
		t.Fatalf("sales renaming the workspace: %d", code)
	}
	if code, _ := sales.post("/settings/fields", url.Values{"object": {"contacts"}, "name": {"x"}, "kind": {"text"}}); code != 403 {
		t.Fatalf("sales adding a field: %d", code)
	}
	if _, doc = sales.get("/settings"); strings.Contains(text(doc, ".main"), "Custom fields") {
		t.Fatal("sales sees the custom field form")
	}
}

func TestWebSavedViews(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "lead", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Lea","lifecycle_stage":"lead"}`, Status: 201, Events: 1},
		{Name: "customer", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Cus","lifecycle_stage":"customer"}`, Status: 201, Events: 1},
	})
	sales := e.browser(t, access.Sales)
	code, doc := sales.post("/views", url.Values{"object": {"contacts"}, "name": {"My leads"}, "filter": {`lifecycle_stage = "lead"`}, "order_by": {"first_name"}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "View “My leads” saved") || doc.Find("table.records tbody tr").Length() != 1 {
		t.Fatalf("save view: %d %q", code, text(doc, ".flash"))
	}
	if text(doc, `.views a[aria-current="page"]`) != "My leads" || doc.Find(`input[name=filter]`).AttrOr("value", "") != `lifecycle_stage = "lead"` {
		t.Fatalf("the saved view is not the current tab with its filter")
	}
	if _, doc = sales.post("/views", url.Values{"object": {"contacts"}, "name": {"Everyone's"}, "filter": {`first_name:*`}, "shared": {"on"}}); !strings.Contains(text(doc, ".flash"), "only managers and admins") {
		t.Fatalf("sales sharing a view: %q", text(doc, ".flash"))
	}
	if _, doc = sales.post("/views", url.Values{"object": {"contacts"}, "name": {"Broken"}, "filter": {`colour = "red"`}}); !strings.Contains(text(doc, ".flash"), "not saved") {
		t.Fatalf("saving a broken filter: %q", text(doc, ".flash"))
	}
	manager := e.browser(t, access.Manager)
	if _, doc = manager.post("/views", url.Values{"object": {"contacts"}, "name": {"Customers"}, "filter": {`lifecycle_stage = "customer"`}, "shared": {"on"}}); !strings.Contains(text(doc, ".flash"), "saved") {
		t.Fatalf("manager sharing: %q", text(doc, ".flash"))
	}
	_, doc = sales.get("/contacts")
	if tabs := text(doc, ".views"); !strings.Contains(tabs, "My leads") || !strings.Contains(tabs, "Customers shared") {
		t.Fatalf("sales' tabs: %q", tabs)
	}
	_, doc = manager.get("/contacts")
	if strings.Contains(text(doc, ".views"), "My leads") {
		t.Fatal("a personal view shows to another user")
	}
	shared := doc.Find(`.views a[href*="view="]`).First().AttrOr("href", "")
	id := shared[strings.Index(shared, "view=")+5:]
	if code, doc = sales.post("/views/delete", url.Values{"id": {id}}); !strings.Contains(text(doc, ".flash"), "only its owner") {
		t.Fatalf("sales deleting the shared view: %d %q", code, text(doc, ".flash"))
	}
	if _, doc = manager.post("/views/delete", url.Values{"id": {id}}); !strings.Contains(text(doc, ".flash"), "deleted") {
		t.Fatalf("manager deleting: %q", text(doc, ".flash"))
	}
}

func TestWebUsers(t *testing.T) {
	e := New(t)
	admin := e.browser(t, access.Admin)
	code, doc := admin.post("/settings/users/invite", url.Values{"name": {"Nia New"}, "email": {"Nia@Test.example"}, "role": {"support"}})
	link := text(doc, ".users code.secret")
	if code != 201 || !strings.Contains(link, "/invite?token=ri_") {
		t.Fatalf("invite: %d %q", code, link)
	}
	if code, doc = admin.post("/settings/users/invite", url.Values{"name": {"Nia"}, "email": {"nia@test.example"}, "role": {"support"}}); code != 409 || !strings.Contains(text(doc, ".users .alert"), "exists") {
		t.Fatalf("invite twice: %d %q", code, text(doc, ".users .alert"))
	}
	path := link[strings.Index(link, "/invite?"):]
	jar, _ := cookiejar.New(nil)
	guest := &browser{t: t, e: e, c: &http.Client{Jar: jar}}
	code, doc = guest.get(path)
	if code != 200 || !strings.Contains(text(doc, "main"), "Nia New") {
		t.Fatalf("invite page: %d", code)
	}
	form := url.Values{"csrf_token": {doc.Find(`input[name=csrf_token]`).AttrOr("value", "")}, "token": {doc.Find(`input[name=token]`).AttrOr("value", "")}, "password": {"short"}}
	if code, _ = guest.post("/invite", form); code != 422 {
		t.Fatalf("short password: %d", code)
	}
	form.Set("password", "a long password")
	code, doc = guest.post("/invite", form)
	if code != 200 || !strings.Contains(text(doc, ".sidebar .user"), "Nia New") {
		t.Fatalf("accept: %d %q", code, text(doc, ".sidebar"))
	}
	if code, _ = guest.get(path); code != 404 {
		t.Fatalf("the invitation works twice: %d", code)
	}
	nia, err := e.Sys.Auth.UserByEmail(context.Background(), e.WS, "nia@test.example")
	if err != nil || nia.Role != "support" {
		t.Fatalf("invited user: %v %v", nia, err)
	}
	if _, doc = admin.post("/settings/users/role", url.Values{"user_id": {nia.ID}, "role": {"manager"}}); !strings.Contains(text(doc, ".flash"), "Role changed") {
		t.Fatalf("role: %q", text(doc, ".flash"))
	}
	if code, _ = admin.post("/settings/users/role", url.Values{"user_id": {e.Users[access.Admin]}, "role": {"sales"}}); code != 403 {
		t.Fatalf("changing one's own role: %d", code)
	}
	if code, _ = e.browser(t, access.Manager).post("/settings/users/role", url.Values{"user_id": {nia.ID}, "role": {"admin"}}); code != 403 {
		t.Fatalf("a manager changing roles: %d", code)
	}
	// Deactivating ends the user's sessions and stops their API keys.
	salesKey := e.Keys[access.Sales]
	if _, doc = admin.post("/settings/users/active", url.Values{"user_id": {e.Users[access.Sales]}, "active": {"0"}}); !strings.Contains(text(doc, ".flash"), "deactivated") {
		t.Fatalf("deactivate: %q", text(doc, ".flash"))
	}
	if _, err := e.Sys.Auth.APIKey(context.Background(), salesKey); err == nil {
		t.Fatal("a deactivated user's API key still works")
	}
	if _, err := e.Sys.Auth.Login(context.Background(), e.WS, "sales@test.example", "a long password", "10.2.2.2", ""); err == nil {
		t.Fatal("a deactivated user signed in")
	}
}

func TestWebWebhooksAndObjects(t *testing.T) {
	e := New(t)
	status := 200
	srv, got := receiver(t, &status)
	admin := e.browser(t, access.Admin)
	code, doc := admin.post("/settings/webhooks", url.Values{"url": {srv.URL}, "events": {"created"}})
	if code != 422 || !strings.Contains(text(doc, ".hooks .has-error"), "not an event type") {
		t.Fatalf("bad events: %d %q", code, text(doc, ".hooks"))
	}
	code, doc = admin.post("/settings/webhooks", url.Values{"url": {srv.URL + "/in"}, "events": {"contact.created, contact.updated"}})
	if code != 200 || !strings.Contains(text(doc, ".hooks"), srv.URL+"/in") || !strings.Contains(text(doc, ".hooks"), "whsec_") {
		t.Fatalf("add webhook: %d %q", code, text(doc, ".hooks"))
	}
	e.Run(t, []Scenario{{Name: "contact", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada"}`, Status: 201, Events: 1, Jobs: 1}})
	drain(t, e)
	if len(got()) != 1 {
		t.Fatalf("deliveries %d", len(got()))
	}
	_, doc = admin.get("/settings")
	if !strings.Contains(text(doc, ".hooks"), "contact.created · attempt 1 · 200 OK") {
		t.Fatalf("delivery log: %q", text(doc, ".hooks"))
	}
	id := doc.Find(`form[action="/settings/webhooks/delete"] input[name=id]`).AttrOr("value", "")
	if _, doc = admin.post("/settings/webhooks/delete", url.Values{"id": {id}}); !strings.Contains(text(doc, ".hooks"), "No webhooks yet") {
		t.Fatalf("delete: %q", text(doc, ".hooks"))
	}
	if code, _ = e.browser(t, access.Manager).post("/settings/webhooks", url.Values{"url": {srv.URL}, "events": {"*"}}); code != 403 {
		t.Fatalf("manager adding a webhook: %d", code)
	}
	code, doc = admin.post("/settings/objects", url.Values{"name": {"projects"}, "label": {"Projects"}, "title_field": {"name"}})
	if code != 200 || text(doc, "h1") != "Projects 0" || doc.Find(`.sidebar a[href="/projects"]`).Length() != 1 {
		t.Fatalf("create object: %d %q", code, text(doc, "h1"))
	}
	if code, doc = admin.post("/projects", url.Values{"name": {"Apollo"}}); code != 200 || text(doc, "h1") != "Apollo" {
		t.Fatalf("create a project: %d %q", code, text(doc, "h1"))
	}
	if code, doc = admin.post("/settings/objects", url.Values{"name": {"projects"}}); code != 422 || !strings.Contains(text(doc, ".has-error"), "exists") {
		t.Fatalf("object twice: %d", code)
	}
}

func TestWebBulkTrash(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "admin's", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Admin Co"}`, Status: 201, Events: 1},
		{Name: "sales' one", Role: "sales", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Sales One"}`, Status: 201, Events: 1},
		{Name: "sales' two", Role: "sales", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Sales Two"}`, Status: 201, Events: 1},
	})
	sales := e.browser(t, access.Sales)
	_, doc := sales.get("/companies?order_by=name")
	form := url.Values{"object": {"companies"}, "back": {"?order_by=name"}}
	doc.Find(`#bulk input[name=ids]`).Each(func(_ int, s *goquery.Selection) { form.Add("ids", s.AttrOr("value", "")) })
	if len(form["ids"]) != 3 {
		t.Fatalf("%d selectable rows", len(form["ids"]))
	}
	code, doc := sales.post("/bulk", form)
	if code != 200 || !strings.Contains(text(doc, ".flash"), "2 records moved to the trash. 1 record you may not change was left as it was.") {
		t.Fatalf("bulk trash: %d %q", code, text(doc, ".flash"))
	}
	if rows := text(doc, "table.records tbody"); !strings.Contains(rows, "Admin Co") || strings.Contains(rows, "Sales One") {
		t.Fatalf("after bulk trash: %q", rows)
	}
	// Read-only users may select rows to export them, but not change them.
	ro := e.browser(t, access.ReadOnly)
	if _, doc = ro.get("/companies"); doc.Find(`#bulk button[value=export]`).Length() != 1 || doc.Find(`#bulk button[value=trash], #bulk button[value=edit]`).Length() != 0 {
		t.Fatal("readonly's bulk bar is wrong")
	}
	form.Set("action", "trash")
	form.Del("csrf_token")
	if _, doc = ro.post("/bulk", form); !strings.Contains(text(doc, ".flash"), "0 records moved to the trash. 3 records you may not change") {
		t.Fatalf("readonly bulk trash: %q", text(doc, "body"))
	}
}

// TestWebBulkEditAndExport: set one field on the selected rows (a bad
// value changes nothing), and download the selected rows as CSV.
func TestWebBulkEditAndExport(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "field", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"tier","kind":"select","options":["gold","silver"]}`, Status: 201},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "alan", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Alan","last_name":"Turing","title":"=cmd|' /C calc'!A0"}`, Status: 201, Events: 1, Save: "alan"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","last_name":"Hopper"}`, Status: 201, Events: 1, Save: "grace"},
	})
	sales := e.browser(t, access.Manager)
	_, doc := sales.get("/contacts")
	if doc.Find(`#bulk-field option[value=tier]`).Length() != 1 || doc.Find(`#bulk-field option[value=email]`).Length() != 0 {
		t.Fatalf("bulk fields: %q", text(doc, "#bulk-field"))
	}
	sel := url.Values{"object": {"contacts"}, "ids": {e.Vars["ada"], e.Vars["alan"]}, "action": {"edit"}, "set_field": {"tier"}, "set_value": {"platinum"}}
	if _, doc = sales.post("/bulk", sel); !strings.Contains(text(doc, ".flash"), `tier: "platinum" is not one of gold, silver`) {
		t.Fatalf("bad bulk value: %q", text(doc, ".flash"))
	}
	sel.Set("set_value", "gold")
	if _, doc = sales.post("/bulk", sel); !strings.Contains(text(doc, ".flash"), "2 records updated.") {
		t.Fatalf("bulk edit: %q", text(doc, ".flash"))
	}
	e.Run(t, []Scenario{
		{Name: "gold ones", Method: "GET", Path: `/api/v1/contacts?filter=tier%20%3D%20%22gold%22`, Status: 200, Contains: []string{"Ada", "Alan"}, Lacks: []string{"Grace"}},
	})
	// Export: the selected rows only, API values, formula-looking text defused.
	resp, err := sales.c.PostForm(e.Server.URL+"/bulk", url.Values{"csrf_token": {sales.csrf}, "object": {"contacts"}, "ids": {e.Vars["alan"], e.Vars["ada"]},
		"action": {"export"}, "cols": {"first_name", "last_name", "title", "tier"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := "id,first_name,last_name,title,tier\n" + e.Vars["alan"] + ",Alan,Turing,'=cmd|' /C calc'!A0,gold\n" + e.Vars["ada"] + ",Ada,Lovelace,,gold\n"
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || string(body) != want {
		t.Fatalf("export: %d %q %q\n%s\nwant\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body, want)
	}
}

func TestWebDeleteField(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "field", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"badge","kind":"text","unique":true,"indexed":true}`, Status: 201},
		{Name: "value", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","badge":"B1"}`, Status: 201, Events: 1, Save: "ada"},
	})
	admin := e.browser(t, access.Admin)
	if _, doc := admin.post("/settings/fields/delete", url.Values{"object": {"contacts"}, "name": {"badge"}, "confirm": {"bad"}}); !strings.Contains(text(doc, ".flash"), "type the field's name") {
		t.Fatal("deleted without confirmation")
	}
	if _, doc := admin.post("/settings/fields/delete", url.Values{"object": {"contacts"}, "name": {"badge"}, "confirm": {"badge"}}); !strings.Contains(text(doc, ".flash"), "Field badge deleted") {
		t.Fatalf("delete: %q", text(doc, ".main"))
	}
	e.Run(t, []Scenario{
		{Name: "gone from records", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Lacks: []string{"badge"}},
		{Name: "gone from filters", Method: "GET", Path: "/api/v1/contacts?filter=badge%20%3D%20%22B1%22", Status: 400},
		{Name: "re-added with another kind", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"badge","kind":"integer","unique":true,"indexed":true}`, Status: 201},
		{Name: "old values did not come back", Method: "GET", Path: "/api/v1/contacts?filter=badge%20%3E%200", Status: 200, Contains: []string{`"data":[]`}},
		{Name: "the unique index is new", Method: "POST", Path: "/api/v1/contacts", Body: `{"badge":7}`, Status: 201, Events: 1},
	})
	if code, _ := e.browser(t, access.Manager).post("/settings/fields/delete", url.Values{"object": {"contacts"}, "name": {"badge"}, "confirm": {"badge"}}); code != 403 {
		t.Fatalf("manager deleting a field: %d", code)
	}
}

func TestWebFilterBuilder(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "lead", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Lea","lifecycle_stage":"lead","tags":["vip"]}`, Status: 201, Events: 1},
		{Name: "lead 2", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Leo","lifecycle_stage":"lead"}`, Status: 201, Events: 1},
		{Name: "customer", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Cus","lifecycle_stage":"customer","tags":["vip"]}`, Status: 201, Events: 1},
	})
	b := e.browser(t, access.Sales)
	noFollow := &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(e.Server.URL + "/contacts?add_field=lifecycle_stage&add_op=%3D&add_value=lead&order_by=first_name")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || loc != "/contacts?filter="+url.QueryEscape(`lifecycle_stage = "lead"`)+"&order_by=first_name" {
		t.Fatalf("builder redirect: %d %q", resp.StatusCode, loc)
	}
	_, doc := b.get("/contacts?filter=" + url.QueryEscape(`lifecycle_stage = "lead"`) + "&add_field=tags&add_op=%3D&add_value=vip")
	if rows := doc.Find("table.records tbody tr").Length(); rows != 1 {
		t.Fatalf("lead AND tags:vip: %d rows", rows)
	}
	if got := doc.Find(`input[name=filter]`).Last().AttrOr("value", ""); got != `lifecycle_stage = "lead" AND tags:"vip"` {
		t.Fatalf("filter text %q", got)
	}
	chips := doc.Find(".chips .chip")
	if chips.Length() != 2 {
		t.Fatalf("%d chips", chips.Length())
	}
	remove := chips.Eq(1).Find("a").AttrOr("href", "")
	if _, doc = b.get(remove); doc.Find("table.records tbody tr").Length() != 2 || doc.Find(".chips .chip").Length() != 1 {
		t.Fatalf("after removing the tags chip: %d rows", doc.Find("table.records tbody tr").Length())
	}
	if _, doc = b.get("/contacts?add_field=first_name&add_op=%3D&add_value=" + url.QueryEscape(`Le"o`)); doc.Find("table.records tbody tr").Length() != 0 {
		t.Fatal("a quote in the value escaped its string")
	}
}

func TestWebColumnChooser(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{{Name: "c", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@x.example","phone":"+44 20 1234 5678"}`, Status: 201, Events: 1}})
	b := e.browser(t, access.Manager)
	headers := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("table.records thead th:not(.select)").Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Fields(s.Text())[0]) })
		return out
	}
	_, doc := b.get("/contacts?cols=email&cols=phone&cols=nonsense")
	if got := headers(doc); strings.Join(got, ",") != "Email,Phone" {
		t.Fatalf("chosen columns: %v", got)
	}
	if href := doc.Find("table.records thead th a").First().AttrOr("href", ""); !strings.Contains(href, "cols=email") || !strings.Contains(href, "cols=phone") {
		t.Fatalf("sorting forgets the columns: %q", href)
	}
	if doc.Find(`.columns input[name=cols][value=email][checked]`).Length() != 1 || doc.Find(`.columns input[name=cols][value=title][checked]`).Length() != 0 {
		t.Fatal("the chooser does not show the chosen columns")
	}
	_, doc = b.post("/views", url.Values{"object": {"contacts"}, "name": {"Reachable"}, "cols": {"email", "phone"}})
	if got := headers(doc); strings.Join(got, ",") != "Email,Phone" || !strings.Contains(text(doc, ".flash"), "saved") {
		t.Fatalf("saved view's columns: %v %q", got, text(doc, ".flash"))
	}
	if _, doc = b.get("/contacts"); len(headers(doc)) < 5 {
		t.Fatalf("the default columns: %v", headers(doc))
	}
}
