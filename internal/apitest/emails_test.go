package apitest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
)

// TestEmailsAPI: an email written through the API is checked (addresses,
// subject, message, what it is about), its HTML made safe and given a text
// part, queued with a Message-ID on the mail domain, and sent by a job
// through a real SMTP server as multipart/alternative; it then shows as
// sent, on the timelines of its records. A reply threads under it
// (In-Reply-To, References, "Re:"). A 550 fails it for good with the
// server's reply kept; a 451 is tried again. An email does not change.
func TestEmailsAPI(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	e.Sys.Jobs.Backoff = func(int) time.Duration { return 0 }
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Analytical engine"}`, Status: 201, Events: 1, Save: "deal"},
		{Name: "write", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "mail",
			Body: `{"to":["Ada Lovelace <ADA@example.com>"],"subject":"Our call","body_html":"<p>Hello <b>Ada</b>,</p><script>alert(1)</script><p>see <a href=\"https://example.com/notes\">the notes</a></p>",` +
				`"related":[{"object":"contacts","id":"{{ada}}"},{"object":"deals","id":"{{deal}}"}]}`,
			Contains: []string{`"status":"queued"`, `"direction":"out"`, `"to":["ada@example.com"]`, `"from":"sales <crm@rapport.example>"`,
				`"body_text":"Hello Ada,\n\nsee the notes (https://example.com/notes)"`, `@rapport.example>"`},
			Lacks: []string{"script", "alert"}},
		{Name: "no such address", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["nobody"],"subject":"x","body_html":"x"}`,
			Status: 422, Contains: []string{`"field":"to"`, `item 0: \"nobody\" is not an email address`}},
		{Name: "nothing", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{}`, Status: 422,
			Contains: []string{`"field":"to"`, `"field":"subject"`, `"field":"body_html"`}},
		{Name: "status is Rapport's", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["a@b.example"],"subject":"x","body_html":"x","status":"sent"}`,
			Status: 422, Contains: []string{`"field":"status"`, "is set by Rapport"}},
		{Name: "about nothing known", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["a@b.example"],"subject":"x","body_html":"x","related":[{"object":"contacts","id":"nope"}]}`,
			Status: 422, Contains: []string{`"field":"related[0].id"`}},
	})
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "ada@example.com" {
		t.Fatalf("sent: %+v", msgs)
	}
	for _, want := range []string{"multipart/alternative", "Content-Type: text/plain", "Content-Type: text/html", "Message-ID: <" + e.Vars["mail"] + "@rapport.example>",
		`Reply-To: "sales" <sales@test.example>`, "Subject: Our call"} {
		if !strings.Contains(msgs[0].Data, want) {
			t.Errorf("the mail lacks %q:\n%s", want, msgs[0].Data)
		}
	}
	e.Run(t, []Scenario{
		{Name: "sent", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{mail}}", Status: 200, Contains: []string{`"status":"sent"`, `"error":null`}, Lacks: []string{`"sent_at":null`}},
		{Name: "on Ada's timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Contains: []string{`"kind":"email_out"`, `"summary":"Sent email Our call to ada@example.com"`, `"status":"sent"`}},
		{Name: "on the deal's", Method: "GET", Path: "/api/v1/deals/{{deal}}/timeline", Status: 200, Contains: []string{`"kind":"email_out"`}},
		{Name: "an email does not change", Role: access.Sales, Method: "PATCH", Path: "/api/v1/emails/{{mail}}", Body: `{"subject":"Other"}`, Status: 422,
			Contains: []string{"an email does not change once written"}},
		{Name: "a reply", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"in_reply_to":"{{mail}}","to":["ada@example.com"],"body_html":"<p>One more thing.</p>"}`,
			Status: 202, Events: 1, Jobs: 1, Save: "reply", Contains: []string{`"subject":"Re: Our call"`, `"reference_ids":["<{{mail}}@rapport.example>"]`, `"related":[{"id":"{{ada}}","object":"contacts"}`}},
	})
	drain(t, e)
	if msgs = e.Mail.Messages(); len(msgs) != 2 || !strings.Contains(msgs[1].Data, "In-Reply-To: <"+e.Vars["mail"]+"@rapport.example>") ||
		!strings.Contains(msgs[1].Data, "References: <"+e.Vars["mail"]+"@rapport.example>") {
		t.Errorf("the reply's thread headers:\n%s", msgs[len(msgs)-1].Data)
	}

	// A refusal for good, and one for now.
	e.Mail.Refuse(550)
	e.Run(t, []Scenario{{Name: "to be refused", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "refused",
		Body: `{"to":["gone@example.com"],"subject":"Hello","body_html":"Hi","related":[{"object":"contacts","id":"{{ada}}"}]}`}})
	drain(t, e)
	e.Mail.Refuse(451)
	e.Run(t, []Scenario{
		{Name: "failed", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{refused}}", Status: 200, Contains: []string{`"status":"failed"`, `"error":"550 `}},
		{Name: "failed on the timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200, Contains: []string{`"summary":"Email Hello to gone@example.com failed: 550 `}},
		{Name: "to be retried", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["later@example.com"],"subject":"Later","body_html":"Hi"}`,
			Status: 202, Events: 1, Jobs: 1, Save: "later"},
	})
	if ran, err := e.Sys.Jobs.RunOne(t.Context()); !ran || err != nil {
		t.Fatalf("first try: %v %v", ran, err)
	}
	e.Run(t, []Scenario{{Name: "still queued", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{later}}", Status: 200, Contains: []string{`"status":"queued"`}}})
	e.Mail.Refuse(0)
	drain(t, e)
	e.Run(t, []Scenario{{Name: "sent at the second try", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{later}}", Status: 200, Contains: []string{`"status":"sent"`}}})
}

// TestWebEmail: on a contact's page a sales rep writes an email to the
// contact (the address filled in); the text becomes safe HTML paragraphs,
// the mail reaches a real SMTP server, and the contact's timeline shows
// it sent; the email's own page cannot be edited.
func TestWebEmail(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
	})
	b := e.browser(t, access.Sales)
	_, doc := b.get("/contacts/{{ada}}")
	form := formOf(doc, `form[action="/emails/write"]`)
	if form.Get("to") != "ada@example.com" {
		t.Fatalf("compose form: %v", form)
	}
	form.Set("subject", "Next steps")
	form.Set("message", "Hello Ada,\n\nsee you <soon> & well.\nBest")
	if _, doc = b.post("/emails/write", form); !strings.Contains(text(doc, ".flash"), "Email on its way to ada@example.com") {
		t.Fatalf("flash: %q", text(doc, ".flash, .alert"))
	}
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Data, "Subject: Next steps") {
		t.Fatalf("mail: %+v", msgs)
	}
	qp := strings.ReplaceAll(msgs[0].Data, "=\r\n", "")
	if !strings.Contains(qp, "<p>Hello Ada,</p><p>see you &lt;soon&gt; &amp; well.<br>Best</p>") {
		t.Errorf("the HTML part:\n%s", qp)
	}
	_, doc = b.get("/contacts/{{ada}}")
	if tl := text(doc, ".timeline"); !strings.Contains(tl, "Sent email Next steps to ada@example.com") {
		t.Errorf("timeline: %q", tl)
	}
	page := e.Do(access.Sales, "GET", "/api/v1/emails", "", nil)
	id := page.JSON["data"].([]any)[0].(map[string]any)["id"].(string)
	if _, doc = b.get("/emails/" + id); doc.Find(`.fields button[type=submit]`).Length() != 0 {
		t.Error("an email's page offers to save changes")
	}
}

// TestTemplates: a template's merge fields are checked when it is saved
// (each problem at its line and column), its CSS is inlined and its HTML
// made safe; a preview fills it from a real contact (and the contact's
// company, and the user), with fallbacks for what is empty and values
// escaped; an email made from it is filled the same way and sent.
func TestTemplates(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme & Söhne"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@example.com","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "nameless", Method: "POST", Path: "/api/v1/contacts", Body: `{"email":"someone@example.com"}`, Status: 201, Events: 1, Save: "nameless"},
		{Name: "bad fields", Method: "POST", Path: "/api/v1/templates", Status: 422,
			Body: `{"name":"X","subject":"Hi {{contact.nickname}}","body_html":"<p>Hello</p>\n<p>{{ shoe.size }} and {{contact.first_name</p>"}`,
			Contains: []string{`"field":"subject"`, `line 1, column 4: unknown field \"nickname\" of contact`, `"field":"body_html"`,
				`line 2, column 4: unknown record \"shoe\"`, `line 2, column 24: want {{object.field}}`}},
		{Name: "a template", Role: access.Marketing, Method: "POST", Path: "/api/v1/templates", Status: 201, Events: 1, Save: "tpl",
			Body: `{"name":"Intro","subject":"Hello {{contact.first_name | \"there\"}} from {{user.name}}",` +
				`"body_html":"<style>p.lead { color: #4f46e5; font-weight: bold }</style><p class=\"lead\">Dear {{contact.first_name | \"customer\"}},</p><p>{{company.name}} is in good hands.</p><script>x()</script>"}`,
			Contains: []string{`"language":"en"`, `<p style=\"color: #4f46e5; font-weight: bold\">Dear`}, Lacks: []string{"<script", "<style"}},
		{Name: "preview for Ada", Method: "GET", Path: "/api/v1/templates/{{tpl}}/preview?object=contacts&id={{ada}}", Status: 200,
			Contains: []string{`"subject":"Hello Ada from admin"`, `Dear Ada,</p>`, `<p>Acme &amp; Söhne is in good hands.</p>`, `"body_text":"Dear Ada,\n\nAcme & Söhne is in good hands."`}},
		{Name: "preview with fallbacks", Method: "GET", Path: "/api/v1/templates/{{tpl}}/preview?object=contacts&id={{nameless}}", Status: 200,
			Contains: []string{`"subject":"Hello there from admin"`, `Dear customer,</p>`}},
		{Name: "half a record", Method: "GET", Path: "/api/v1/templates/{{tpl}}/preview?object=contacts", Status: 400},
		{Name: "an email from it", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1,
			Body:     `{"template_id":"{{tpl}}","to":["ada@example.com"]}`,
			Contains: []string{`"subject":"Hello Ada from sales"`, `"template_id":"{{tpl}}"`, `is in good hands.`}},
		{Name: "no such template", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"template_id":"nope","to":["ada@example.com"]}`,
			Status: 422, Contains: []string{`"field":"template_id"`}},
	})
	drain(t, e)
	if msgs := e.Mail.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Data, "Subject: Hello Ada from sales") {
		t.Errorf("sent: %d", len(e.Mail.Messages()))
	}
}

// TestWebTemplates: a template's page previews it filled for a contact
// picked from the latest ones; the compose form offers templates, and an
// email started from one is filled from the page's contact.
func TestWebTemplates(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","email":"grace@example.com"}`, Status: 201, Events: 1, Save: "grace"},
		{Name: "template", Method: "POST", Path: "/api/v1/templates", Body: `{"name":"Intro","subject":"Hi {{contact.first_name}}","body_html":"<p>Dear <b>{{contact.first_name}}</b></p>"}`,
			Status: 201, Events: 1, Save: "tpl"},
	})
	b := e.browser(t, access.Sales)
	_, doc := b.get("/templates/{{tpl}}?preview={{ada}}")
	if text(doc, ".preview strong") != "Hi Ada" || doc.Find(".mail-preview b").Text() != "Ada" {
		t.Errorf("preview: %q / %q", text(doc, ".preview strong"), text(doc, ".mail-preview"))
	}
	_, doc = b.get("/contacts/{{grace}}")
	form := formOf(doc, `form[action="/emails/write"]`)
	if doc.Find(`select[name=template_id] option[value="`+e.Vars["tpl"]+`"]`).Length() != 1 {
		t.Fatal("no template to start from")
	}
	form.Set("template_id", e.Vars["tpl"])
	if _, doc = b.post("/emails/write", form); !strings.Contains(text(doc, ".flash"), "grace@example.com") {
		t.Fatalf("flash: %q", text(doc, ".flash, .alert"))
	}
	drain(t, e)
	if msgs := e.Mail.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Data, "Subject: Hi Grace") {
		t.Errorf("sent: %+v", msgs)
	}
}

// TestMarketingConsent: marketing mail to a contact marked do not contact,
// or who denied consent to email marketing, is a 422 naming the address;
// transactional mail still goes to them.
func TestMarketingConsent(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "dnc", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Dee","email":"dee@example.com","do_not_contact":true}`, Status: 201, Events: 1},
		{Name: "denied", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Den","email":"den@example.com","consent":{"email_marketing":"denied"}}`, Status: 201, Events: 1},
		{Name: "granted", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Gra","email":"gra@example.com","consent":{"email_marketing":"granted"}}`, Status: 201, Events: 1},
		{Name: "marketing to them", Role: access.Marketing, Method: "POST", Path: "/api/v1/emails", Status: 422,
			Body:     `{"marketing":true,"to":["gra@example.com","dee@example.com"],"cc":["den@example.com"],"subject":"Offer","body_html":"<p>Offer</p>"}`,
			Contains: []string{"dee@example.com takes no marketing mail", "den@example.com takes no marketing mail"}, Lacks: []string{"gra@example.com takes"}},
		{Name: "marketing to one who agreed", Role: access.Marketing, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1,
			Body: `{"marketing":true,"to":["gra@example.com"],"subject":"Offer","body_html":"<p>Offer</p>"}`},
		{Name: "transactional mail still goes", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1,
			Body: `{"to":["dee@example.com"],"subject":"Your invoice","body_html":"<p>Attached.</p>"}`},
	})
}

// TestManyRecipients: marketing mail to the most recipients an email may
// have is checked for consent whatever their number (the check reads
// them in groups, each filter shallow).
func TestManyRecipients(t *testing.T) {
	e := New(t)
	var to []string
	for i := range email.MaxRecipients {
		to = append(to, fmt.Sprintf(`"p%d@example.com"`, i))
	}
	e.Run(t, []Scenario{
		{Name: "dnc", Method: "POST", Path: "/api/v1/contacts", Body: `{"email":"p49@example.com","do_not_contact":true}`, Status: 201, Events: 1},
		{Name: "fifty", Role: access.Marketing, Method: "POST", Path: "/api/v1/emails", Status: 422,
			Body: `{"marketing":true,"to":[` + strings.Join(to, ",") + `],"subject":"Offer","body_html":"<p>Offer</p>"}`, Contains: []string{"p49@example.com takes no marketing mail"}},
	})
}
