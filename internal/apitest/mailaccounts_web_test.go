package apitest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestWebMailAccounts: from Settings a rep reaches the mail accounts page,
// adds their own account (a wrong port is named beside its field, the
// rest kept), sends a test message through it, which arrives, and sees the
// test's outcome; the password never comes back into the page. Another
// rep does not see the account.
func TestWebMailAccounts(t *testing.T) {
	e := NewInstall(t)
	port := e.Mail.Addr[strings.LastIndex(e.Mail.Addr, ":")+1:]
	b := e.browser(t, access.Sales)
	_, doc := b.get("/settings")
	if href, _ := doc.Find(`a[href="/mail-accounts"]`).Attr("href"); href == "" {
		t.Fatal("no link to the mail accounts from Settings")
	}
	_, doc = b.get("/mail-accounts")
	form := formOf(doc, `form[action="/mail-accounts"]`)
	form.Set("name", "Sam Sales")
	form.Set("address", "sam@sales.example")
	form.Set("smtp_host", "127.0.0.1")
	form.Set("smtp_port", "many")
	form.Set("smtp_security", "none")
	form.Set("smtp_password", "hunter22")
	status, doc := b.post("/mail-accounts", form)
	if status != 422 || !strings.Contains(text(doc, `.has-error`), "is not a number") || doc.Find(`input[name=name]`).First().AttrOr("value", "") != "Sam Sales" {
		t.Fatalf("a wrong port: %d %q", status, text(doc, ".has-error"))
	}
	if html, _ := doc.Html(); strings.Contains(html, "hunter22") {
		t.Fatal("the password came back into the page")
	}
	form.Set("smtp_port", port)
	if _, doc = b.post("/mail-accounts", form); !strings.Contains(text(doc, ".flash"), "Mail account sam@sales.example saved") {
		t.Fatalf("flash: %q %q", text(doc, ".flash"), text(doc, ".alert, .field-error"))
	}
	if html, _ := doc.Html(); strings.Contains(html, "hunter22") {
		t.Fatal("the password is in the page")
	}
	action, ok := doc.Find(`.mail-account form[action$="/test"]`).Attr("action")
	if !ok || !strings.Contains(text(doc, ".mail-account"), "yours") {
		t.Fatalf("the account: %q", text(doc, ".mail-account"))
	}
	if _, doc = b.post(action, url.Values{}); !strings.Contains(text(doc, ".flash"), "Testing the account") {
		t.Fatalf("flash: %q", text(doc, ".flash"))
	}
	drain(t, e)
	if got := e.Mail.Messages(); len(got) != 1 || got[0].To[0] != "sales@test.example" {
		t.Fatalf("the test message: %+v", got)
	}
	_, doc = b.get("/mail-accounts")
	if r := text(doc, ".test-result"); !strings.Contains(r, "Works") {
		t.Fatalf("test result: %q", r)
	}
	// The rep changes it without retyping the password: still sends.
	edit := doc.Find(`.mail-account details form`).AttrOr("action", "")
	form = formOf(doc, `.mail-account details form`)
	if form.Get("smtp_password") != "" || form.Get("smtp_port") != port {
		t.Fatalf("the change form: %v", form)
	}
	form.Set("name", "Sam")
	if _, doc = b.post(edit, form); !strings.HasPrefix(text(doc, ".mail-account h3"), "Sam <sam@sales.example>") {
		t.Fatalf("after the change: %q", text(doc, ".mail-account h3"))
	}
	b.post(action, url.Values{})
	drain(t, e)
	if got := e.Mail.Messages(); len(got) != 2 {
		t.Fatalf("a change lost the password: %d messages", len(got))
	}
	other := e.browser(t, access.Support)
	if _, doc = other.get("/mail-accounts"); strings.Contains(doc.Text(), "sam@sales.example") {
		t.Error("another user sees the rep's own account")
	}
}
