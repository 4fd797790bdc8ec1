package apitest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/rapport-crm/rapport/internal/access"
)

func (b *browser) upload(path, field, filename string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", b.csrf)
	fw, _ := mw.CreateFormFile(field, filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := b.c.Post(b.e.Server.URL+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	code, doc := b.doc(resp, nil)
	return code, text(doc, ".flash") + text(doc, ".field-error")
}

func pngLogo(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWebLogo: admins upload a logo (images only, bounded), every page's
// sidebar shows it, and it can be removed.
func TestWebLogo(t *testing.T) {
	e := New(t)
	admin := e.browser(t, access.Admin)
	if code, msg := admin.upload("/settings/logo", "logo", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)); code != 422 || !strings.Contains(msg, "must be a PNG, JPEG, GIF or WebP image") {
		t.Errorf("svg: %d %q", code, msg)
	}
	if code, msg := admin.upload("/settings/logo", "logo", "big.png", append(pngLogo(t), make([]byte, 300<<10)...)); code != 422 || !strings.Contains(msg, "at most 256 KiB") {
		t.Errorf("big: %d %q", code, msg)
	}
	if code, msg := admin.upload("/settings/logo", "logo", "huge.png", make([]byte, 2<<20)); code != 413 {
		t.Errorf("huge: %d %q", code, msg)
	}
	if code, msg := e.browser(t, access.Manager).upload("/settings/logo", "logo", "x.png", pngLogo(t)); code != 403 {
		t.Errorf("manager: %d %q", code, msg)
	}
	if code, msg := admin.upload("/settings/logo", "logo", "logo.png", pngLogo(t)); code != 200 || !strings.Contains(msg, "Logo saved") {
		t.Fatalf("upload: %d %q", code, msg)
	}
	_, doc := e.browser(t, access.Sales).get("/contacts")
	src, ok := doc.Find(".sidebar .brand img.logo").Attr("src")
	if !ok {
		t.Fatal("no logo in the sidebar")
	}
	resp, err := admin.c.Get(e.Server.URL + src)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, pngLogo(t)) {
		t.Fatalf("logo: %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
	}
	if resp, _ := http.Get(e.Server.URL + src); resp.Request.URL.Path != "/login" {
		t.Errorf("the logo is served to strangers")
	}
	if _, doc = admin.post("/settings/logo/delete", url.Values{}); !strings.Contains(text(doc, ".flash"), "Logo removed") || doc.Find(".sidebar img.logo").Length() != 0 {
		t.Errorf("remove: %q", text(doc, ".flash"))
	}
}

// TestWebMoveField: custom fields are reordered in Settings, and forms and
// the API's schema follow the order.
func TestWebMoveField(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "a", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"alpha","kind":"text"}`, Status: 201},
		{Name: "b", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"beta","kind":"text"}`, Status: 201},
		{Name: "c", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"gamma","kind":"text"}`, Status: 201},
	})
	admin := e.browser(t, access.Admin)
	order := func() string { // the custom fields of the new-contact form, in page order
		_, doc := admin.get("/contacts/new")
		var names []string
		doc.Find("#f-alpha, #f-beta, #f-gamma").Each(func(_ int, s *goquery.Selection) {
			names = append(names, strings.TrimPrefix(s.AttrOr("id", ""), "f-"))
		})
		return strings.Join(names, ",")
	}
	if got := order(); got != "alpha,beta,gamma" {
		t.Fatalf("first: %s", got)
	}
	_, doc := admin.get("/settings")
	if doc.Find(`form[action="/settings/fields/move"] input[name=name][value=alpha] ~ button[value=up]`).Length() != 0 {
		t.Error("the first field offers to move up")
	}
	if _, doc = admin.post("/settings/fields/move", url.Values{"object": {"contacts"}, "name": {"gamma"}, "dir": {"up"}}); !strings.Contains(text(doc, ".flash"), "Field gamma moved") {
		t.Fatalf("move: %q", text(doc, ".flash"))
	}
	admin.post("/settings/fields/move", url.Values{"object": {"contacts"}, "name": {"gamma"}, "dir": {"up"}})
	admin.post("/settings/fields/move", url.Values{"object": {"contacts"}, "name": {"alpha"}, "dir": {"down"}})
	if got := order(); got != "gamma,beta,alpha" {
		t.Fatalf("after moving: %s", got)
	}
	e.Run(t, []Scenario{{Name: "schema order", Method: "GET", Path: "/api/v1/schema", Status: 200, Contains: []string{`"name":"gamma"`}}})
	if code, _ := e.browser(t, access.Manager).post("/settings/fields/move", url.Values{"object": {"contacts"}, "name": {"beta"}, "dir": {"up"}}); code != 403 {
		t.Errorf("manager moved a field: %d", code)
	}
	if code, _ := admin.post("/settings/fields/move", url.Values{"object": {"contacts"}, "name": {"email"}, "dir": {"up"}}); code != 404 {
		t.Errorf("moved a built-in field: %d", code)
	}
}

// TestWebSearchAsYouType: the shell's box asks /search?partial=1 for a
// fragment with the hits and the matching commands.
func TestWebSearchAsYouType(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Adaptive Labs"}`, Status: 201, Events: 1},
	})
	b := e.browser(t, access.Sales)
	resp, err := b.c.Get(e.Server.URL + "/search?partial=1&q=ada")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s := string(body)
	if resp.StatusCode != 200 || strings.Contains(s, "<html") || !strings.Contains(s, `href="/contacts/`+e.Vars["ada"]+`"`) || !strings.Contains(s, "Adaptive Labs") {
		t.Fatalf("partial: %d %s", resp.StatusCode, s)
	}
	resp, _ = b.c.Get(e.Server.URL + "/search?partial=1&q=new%20con")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `href="/contacts/new"`) {
		t.Errorf("no command for new contact: %s", body)
	}
	resp, _ = e.browser(t, access.ReadOnly).c.Get(e.Server.URL + "/search?partial=1&q=new")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "/new") {
		t.Errorf("readonly is offered to create: %s", body)
	}
}

// TestWebRecordHeaderAndGroups: a record's header leads to its email,
// phone and website and holds its actions; its fields come in groups, its
// custom fields last.
func TestWebRecordHeaderAndGroups(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "field", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"shoe_size","label":"Shoe size","kind":"integer"}`, Status: 201},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@example.com","phone":"+44 20 7946 0000","shoe_size":38}`, Status: 201, Events: 1, Save: "ada"},
	})
	admin := e.browser(t, access.Admin)
	_, doc := admin.get("/contacts/{{ada}}")
	if doc.Find(`.topbar .key a[href="mailto:ada@example.com"]`).Length() != 1 || doc.Find(`.topbar .key a[href="tel:+442079460000"]`).Length() != 1 {
		t.Errorf("key fields: %q", text(doc, ".topbar .key"))
	}
	if doc.Find(`.topbar form.actions input[name=_action][value=delete]`).Length() != 1 {
		t.Error("no trash action in the header")
	}
	var heads []string
	doc.Find(".fields .group h3").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	if got := strings.Join(heads, ","); got != "Person,Reach,Sales,Address,More fields" {
		t.Errorf("groups: %s", got)
	}
	if doc.Find(`.fields .group:last-of-type #f-shoe_size`).Length() != 1 || doc.Find(`.fields .group:first-of-type #f-first_name`).Length() != 1 {
		t.Error("fields are in the wrong groups")
	}
	// Read-only users see no actions.
	if _, doc = e.browser(t, access.ReadOnly).get("/contacts/{{ada}}"); doc.Find(`.topbar form.actions`).Length() != 0 {
		t.Error("readonly sees the trash action")
	}
}

// TestWebUndoTrash: moving records to the trash offers Undo, which brings
// them back; times read "just now" with the exact time on hover; money
// carries the workspace's currency; the timeline groups by day.
func TestWebUndoTrash(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme","annual_revenue":"1500000"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "globex", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Globex"}`, Status: 201, Events: 1, Save: "globex"},
	})
	admin := e.browser(t, access.Admin)
	_, doc := admin.get("/companies?cols=name&cols=annual_revenue&cols=created_at")
	if got := text(doc, "table.records tbody"); !strings.Contains(got, "€1,500,000.00") || !strings.Contains(got, "just now") {
		t.Errorf("list cells: %q", got)
	}
	if hint := doc.Find(`table.records tbody td[title*="UTC"]`).Length(); hint != 2 {
		t.Errorf("%d cells with the exact time on hover", hint)
	}
	_, doc = admin.get("/companies/{{acme}}")
	if got := text(doc, ".timeline .day h3"); got != "Today" {
		t.Errorf("timeline day: %q", got)
	}
	if doc.Find(`dialog#shortcuts kbd`).Length() < 5 {
		t.Error("no shortcuts help")
	}
	code, doc := admin.post("/bulk", url.Values{"object": {"companies"}, "action": {"trash"}, "ids": {e.Vars["acme"], e.Vars["globex"]}})
	if code != 200 || !strings.Contains(text(doc, ".flash"), "2 records moved to the trash.") || doc.Find(`.flash form[action="/restore"] input[name=ids]`).Length() != 2 {
		t.Fatalf("trash: %d %q", code, text(doc, ".flash"))
	}
	form := url.Values{"object": {"companies"}}
	doc.Find(`.flash form[action="/restore"] input[name=ids]`).Each(func(_ int, s *goquery.Selection) { form.Add("ids", s.AttrOr("value", "")) })
	// The offer is made once.
	if _, again := admin.get("/companies"); again.Find(`.flash form[action="/restore"]`).Length() != 0 {
		t.Error("Undo is offered again")
	}
	// Another user's Undo of records they may not restore changes nothing.
	if _, doc = e.browser(t, access.ReadOnly).post("/restore", form); !strings.Contains(text(doc, ".flash"), "0 records restored. 2 records you may not change") {
		t.Errorf("readonly undo: %q", text(doc, ".flash"))
	}
	form.Del("csrf_token")
	if _, doc = admin.post("/restore", form); !strings.Contains(text(doc, ".flash"), "2 records restored.") || !strings.Contains(text(doc, "table.records"), "Acme") {
		t.Fatalf("undo: %q", text(doc, ".flash"))
	}
	// One record from its page, too.
	code, doc = admin.post("/companies/{{globex}}", url.Values{"_action": {"delete"}})
	if code != 200 || doc.Find(`.flash form[action="/restore"] input[name=ids][value="`+e.Vars["globex"]+`"]`).Length() != 1 {
		t.Fatalf("trash one: %d %q", code, text(doc, ".flash"))
	}
}

// TestWebTheme: a user may choose light or dark over the system's theme.
func TestWebTheme(t *testing.T) {
	e := New(t)
	b := e.browser(t, access.Support)
	if _, doc := b.get("/account"); doc.Find("html").AttrOr("data-theme", "none") != "none" || doc.Find(`#theme option[value=""][selected]`).Length() != 1 {
		t.Error("a new user does not follow the system")
	}
	if code, _ := b.post("/account/theme", url.Values{"theme": {"purple"}}); code != 422 {
		t.Errorf("bad theme: %d", code)
	}
	_, doc := b.post("/account/theme", url.Values{"theme": {"dark"}})
	if doc.Find("html").AttrOr("data-theme", "") != "dark" || !strings.Contains(text(doc, ".flash"), "Theme changed") {
		t.Errorf("dark: %q %q", doc.Find("html").AttrOr("data-theme", ""), text(doc, ".flash"))
	}
	if _, doc = e.browser(t, access.Sales).get("/contacts"); doc.Find("html").AttrOr("data-theme", "none") != "none" {
		t.Error("one user's theme shows for another")
	}
}

// TestWebCustomObjectRenameAndDelete: an admin renames a custom object's
// label and deletes it — with its records, fields and views — once
// nothing points at it and its name is typed; the same name can be used
// again afterwards, empty. Another workspace's object of that name is
// untouched.
func TestWebCustomObjectRenameAndDelete(t *testing.T) {
	e := New(t)
	other := New(t) // another workspace, on the same database
	e.Run(t, []Scenario{
		{Name: "object", Method: "POST", Path: "/api/v1/schema", Body: `{"name":"projects","label":"Projects","fields":[{"name":"name","kind":"text","required":true,"unique":true}]}`, Status: 201},
		{Name: "record", Method: "POST", Path: "/api/v1/projects", Body: `{"name":"Apollo"}`, Status: 201, Events: 1, Save: "apollo"},
		{Name: "pointer", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"project","kind":"relation","target":"projects"}`, Status: 201},
	})
	other.Run(t, []Scenario{
		{Name: "object", Method: "POST", Path: "/api/v1/schema", Body: `{"name":"projects","fields":[{"name":"name","kind":"text"}]}`, Status: 201},
		{Name: "record", Method: "POST", Path: "/api/v1/projects", Body: `{"name":"Gemini"}`, Status: 201, Events: 1},
	})
	admin := e.browser(t, access.Admin)
	admin.post("/views", url.Values{"object": {"projects"}, "name": {"Mine"}, "filter": {`name = "Apollo"`}})
	if _, doc := admin.post("/settings/objects/label", url.Values{"object": {"projects"}, "label": {"Missions"}}); !strings.Contains(text(doc, ".flash"), "Object renamed") || !strings.Contains(text(doc, "nav.sidebar"), "Missions") {
		t.Fatalf("rename: %q", text(doc, ".flash"))
	}
	if code, _ := e.browser(t, access.Manager).post("/settings/objects/delete", url.Values{"object": {"projects"}, "confirm": {"projects"}}); code != 403 {
		t.Errorf("manager deleted an object: %d", code)
	}
	if code, doc := admin.post("/settings/objects/delete", url.Values{"object": {"projects"}, "confirm": {"projects"}}); code != 409 || !strings.Contains(text(doc, ".alert"), "contacts.project points at projects") {
		t.Fatalf("delete while pointed at: %d %q", code, text(doc, ".alert"))
	}
	admin.post("/settings/fields/delete", url.Values{"object": {"contacts"}, "name": {"project"}, "confirm": {"project"}})
	if _, doc := admin.post("/settings/objects/delete", url.Values{"object": {"projects"}, "confirm": {"project"}}); !strings.Contains(text(doc, ".flash"), "Not deleted") {
		t.Fatal("deleted without the name typed")
	}
	if _, doc := admin.post("/settings/objects/delete", url.Values{"object": {"projects"}, "confirm": {"projects"}}); !strings.Contains(text(doc, ".flash"), "Object projects deleted") || strings.Contains(text(doc, "nav.sidebar"), "Missions") {
		t.Fatalf("delete: %q", text(doc, ".flash"))
	}
	e.Run(t, []Scenario{
		{Name: "gone", Method: "GET", Path: "/api/v1/projects", Status: 404},
		{Name: "schema", Method: "GET", Path: "/api/v1/schema", Status: 200, Lacks: []string{`"projects"`}},
		{Name: "again", Method: "POST", Path: "/api/v1/schema", Body: `{"name":"projects","fields":[{"name":"name","kind":"text","unique":true}]}`, Status: 201},
		{Name: "empty", Method: "GET", Path: "/api/v1/projects?count=true", Status: 200, Contains: []string{`"total":0`}},
		{Name: "name free", Method: "POST", Path: "/api/v1/projects", Body: `{"name":"Apollo"}`, Status: 201, Events: 1},
		{Name: "search", Method: "GET", Path: "/api/v1/search?q=apollo", Status: 200, Contains: []string{"Apollo"}},
	})
	other.Run(t, []Scenario{{Name: "untouched", Method: "GET", Path: "/api/v1/projects", Status: 200, Contains: []string{"Gemini"}}})
}

// TestWebCompanyTimeline: a company's timeline holds what happened to its
// people too.
func TestWebCompanyTimeline(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","company_id":"{{acme}}","lifecycle_stage":"lead"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "promote", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"lifecycle_stage":"customer","tags":["vip","speaker"]}`, Status: 200, Events: 1},
		{Name: "stranger", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","last_name":"Hopper"}`, Status: 201, Events: 1},
	})
	_, doc := e.browser(t, access.Sales).get("/companies/{{acme}}")
	got := text(doc, ".timeline")
	for _, want := range []string{"Created company Acme", "Created contact Ada Lovelace", "Updated contact Ada Lovelace", "Lifecycle stage: lead → customer", "Tags: — → vip, speaker"} {
		if !strings.Contains(got, want) {
			t.Errorf("company timeline lacks %q: %q", want, got)
		}
	}
	if strings.Contains(got, "Grace") {
		t.Error("another company's person is on the timeline")
	}
}

// TestWebConsent: consent per channel; a change made in the form is dated,
// and every change is on the timeline.
func TestWebConsent(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","consent":{"email_marketing":"granted","source":"webinar","at":"2026-01-01T10:00:00Z"}}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "bad channel value", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"consent":{"sms_marketing":"maybe"}}`, Status: 422},
	})
	b := e.browser(t, access.Manager)
	_, doc := b.get("/contacts/{{ada}}")
	version := doc.Find(`input[name=version]`).AttrOr("value", "")
	form := url.Values{"version": {version}, "first_name": {"Ada"}, "consent.email_marketing": {"granted"}, "consent.sms_marketing": {"denied"},
		"consent.source": {"webinar"}, "consent.at": {doc.Find(`input[name="consent.at"]`).AttrOr("value", "")}}
	if _, doc = b.post("/contacts/{{ada}}", form); !strings.Contains(text(doc, ".flash"), "Saved") {
		t.Fatalf("save: %q %q", text(doc, ".flash"), text(doc, ".field-error, .alert"))
	}
	e.Run(t, []Scenario{
		{Name: "dated", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Contains: []string{`"sms_marketing":"denied"`, `"source":"webinar"`}, Lacks: []string{`"at":"2026-01-01T10:00:00Z"`}},
		{Name: "on the timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Contains: []string{`"consent":[`, `"sms_marketing":"denied"`}},
	})
}
