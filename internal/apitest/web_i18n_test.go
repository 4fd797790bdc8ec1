package apitest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// acceptLanguage sends an Accept-Language header with every request.
type acceptLanguage struct {
	lang string
	next http.RoundTripper
}

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.lang)
	return a.next.RoundTrip(r)
}

func (b *browser) speaking(lang string) *browser {
	b.c.Transport = acceptLanguage{lang: lang, next: http.DefaultTransport}
	return b
}

var missingKey = regexp.MustCompile(`\[[a-z_]+\.[a-z_.]+\]`)

// TestWebGerman: the browser's language decides until the user chooses
// one; in German every page is German — labels, built-in fields and
// options, numbers and dates, the domain's validation and filter messages.
func TestWebGerman(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme GmbH","annual_revenue":"1234567.5"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","lifecycle_stage":"customer","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ada"},
	})
	b := e.browser(t, access.Admin).speaking("de-DE,de;q=0.9,en;q=0.5")
	pages := []string{"/", "/contacts", "/companies", "/contacts/{{ada}}", "/companies/{{acme}}", "/contacts/new", "/search?q=ada", "/settings", "/account", "/nowhere"}
	for _, p := range pages {
		_, doc := b.get(p)
		html, _ := doc.Html()
		if doc.Find("html").AttrOr("lang", "") != "de" || missingKey.MatchString(html) {
			t.Errorf("%s: lang %q, missing keys %v", p, doc.Find("html").AttrOr("lang", ""), missingKey.FindAllString(html, -1))
		}
	}
	_, doc := b.get("/companies")
	if got := text(doc, "nav.sidebar"); !strings.Contains(got, "Kontakte") || !strings.Contains(got, "Einstellungen") {
		t.Errorf("sidebar: %q", got)
	}
	if got := text(doc, `.topbar a.button[href$="/new"]`); got != "Firma anlegen" {
		t.Errorf("new button: %q", got)
	}
	if got := text(doc, "table.records tbody"); !strings.Contains(got, "1.234.567,50") {
		t.Errorf("money in German: %q", got)
	}
	_, doc = b.get("/contacts/{{ada}}")
	if got := doc.Find("#f-lifecycle_stage option[selected]").Text(); got != "Kunde" {
		t.Errorf("option: %q", got)
	}
	if got := text(doc, ".timeline"); !strings.Contains(got, "Kontakt Ada Lovelace angelegt") {
		t.Errorf("timeline: %q", got)
	}
	if got := text(doc, `label[for="f-first_name"]`); got != "Vorname" {
		t.Errorf("field label: %q", got)
	}
	// The domain's messages, at the field and under the filter box.
	code, doc := b.post("/contacts", url.Values{"first_name": {"Grace"}, "email": {"not-an-email"}})
	if got := text(doc, ".field-error"); code != 422 || !strings.Contains(got, `"not-an-email" ist keine gültige E-Mail-Adresse`) {
		t.Errorf("field error: %d %q", code, got)
	}
	code, doc = b.get("/contacts?filter=" + url.QueryEscape(`shoe = 1`))
	if got := text(doc, "#filter-help"); code != 400 || !strings.HasPrefix(got, `Filter: unbekanntes Feld "shoe"`) || !strings.Contains(got, "an Position 1") {
		t.Errorf("filter error: %d %q", code, got)
	}
	// A number typed the German way is understood.
	if code, doc = b.post("/companies/{{acme}}", url.Values{"version": {"1"}, "name": {"Acme GmbH"}, "annual_revenue": {"2.500,75"}}); code != 200 || !strings.Contains(text(doc, ".flash"), "Gespeichert") {
		t.Fatalf("German number: %d %q %q", code, text(doc, ".flash"), text(doc, ".field-error"))
	}
	e.Run(t, []Scenario{{Name: "stored", Method: "GET", Path: "/api/v1/companies/{{acme}}", Status: 200, Contains: []string{`"annual_revenue":"2500.75"`}}})

	// The user's choice wins over the browser's.
	if code, _ = b.post("/account/language", url.Values{"locale": {"xx"}}); code != 422 {
		t.Errorf("unknown language: %d", code)
	}
	_, doc = b.post("/account/language", url.Values{"locale": {"en"}})
	if doc.Find("html").AttrOr("lang", "") != "en" || !strings.Contains(text(doc, ".flash"), "Language changed") || doc.Find(`#locale option[value=en][selected]`).Length() != 1 {
		t.Errorf("after choosing English: %q %q", doc.Find("html").AttrOr("lang", ""), text(doc, ".flash"))
	}
	_, doc = b.post("/account/language", url.Values{"locale": {""}})
	if doc.Find("html").AttrOr("lang", "") != "de" {
		t.Errorf("following the browser again: %q", doc.Find("html").AttrOr("lang", ""))
	}
	// An English browser with a German choice sees German; sign-in pages
	// follow the browser.
	en := e.browser(t, access.Sales).speaking("en-GB")
	en.post("/account/language", url.Values{"locale": {"de"}})
	if _, doc = en.get("/contacts"); doc.Find("html").AttrOr("lang", "") != "de" {
		t.Error("the user's German choice is not kept")
	}
	resp, err := (&http.Client{Transport: acceptLanguage{lang: "de", next: http.DefaultTransport}}).Get(e.Server.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	_, doc = b.doc(resp, nil)
	if got := text(doc, "h1"); got != "Bei Rapport anmelden" {
		t.Errorf("German sign-in page: %q", got)
	}
}

// TestAPIProblemsInTheAskedLanguage: a problem's detail and field messages
// follow Accept-Language (the inline editor asks in the page's language);
// without it, or for a language Rapport lacks, they are English.
func TestAPIProblemsInTheAskedLanguage(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "german", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"email":"nope"}`, Header: map[string]string{"Accept-Language": "de"},
			Status: 422, Contains: []string{`"field":"email"`, `"message":"\"nope\" ist keine gültige E-Mail-Adresse"`, `"title":"Validation failed"`}},
		{Name: "english", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"email":"nope"}`,
			Status: 422, Contains: []string{`"message":"\"nope\" is not a valid email address"`}},
		{Name: "french", Method: "GET", Path: "/api/v1/contacts?filter=shoe%3D1", Header: map[string]string{"Accept-Language": "fr"},
			Status: 400, Contains: []string{`"detail":"filter: unknown field \"shoe\" of contacts at position 1"`}},
		{Name: "german filter", Method: "GET", Path: "/api/v1/contacts?filter=shoe%3D1", Header: map[string]string{"Accept-Language": "de-CH, en;q=0.5"},
			Status: 400, Contains: []string{`"detail":"Filter: unbekanntes Feld \"shoe\" von Kontakte an Position 1"`}},
	})
}
