package apitest

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/rapport-crm/rapport/internal/access"
)

// customer is a browser with no CRM session: the portal's visitor.
type customer struct {
	t *testing.T
	e *Env
	c *http.Client
}

func (c *customer) get(path string) (int, *goquery.Document) {
	c.t.Helper()
	resp, err := c.c.Get(c.e.Server.URL + c.e.expand(path))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, doc
}

func (c *customer) post(path string, form url.Values, doc *goquery.Document) (int, *goquery.Document) {
	c.t.Helper()
	if form.Get("csrf_token") == "" && doc != nil {
		form.Set("csrf_token", doc.Find(`input[name=csrf_token]`).First().AttrOr("value", ""))
	}
	resp, err := c.c.PostForm(c.e.Server.URL+c.e.expand(path), form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, out
}

var portalLink = regexp.MustCompile(`https?://[^\s]+/portal/login\?token=[A-Za-z0-9]+`)

// TestPortal: a customer asks for a sign-in link by address (the answer
// is the same for an unknown one, which gets nothing), signs in by the
// link (once, and only in time), sees their own requests with the public
// part of the conversation — never an internal note, never another
// customer's request — answers one (reopening it), opens a new one, and
// signs out.
func TestPortal(t *testing.T) {
	e := NewInstall(t)
	e.Run(t, []Scenario{
		{Name: "pat", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Pat","email":"pat@customer.example"}`, Status: 201, Events: 1, Save: "pat"},
		{Name: "quinn", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Quinn","email":"quinn@other.example"}`, Status: 201, Events: 1, Save: "quinn"},
		{Name: "pat's", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Body: `{"subject":"Printer on fire","contact_id":"{{pat}}"}`, Status: 201, Events: 2, Save: "t1"},
		{Name: "quinn's", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Body: `{"subject":"Quinn's secret","contact_id":"{{quinn}}"}`, Status: 201, Events: 2, Save: "t2"},
		{Name: "a note", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t1}}/messages", Body: `{"body":"Pat is difficult.","internal":true}`, Status: 201, Events: 3},
		{Name: "an answer", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t1}}/messages", Body: `{"body":"Please leave the room.","status":"solved"}`, Status: 201, Events: 3, Jobs: 2}, // the mail, the rating request
	})
	drain(t, e)
	jar, _ := cookiejar.New(nil)
	pat := &customer{t: t, e: e, c: &http.Client{Jar: jar}}
	_, doc := pat.get("/portal")
	if doc.Find(`form[action="/portal/link"]`).Length() != 1 {
		t.Fatal("no sign-in form")
	}
	for _, addr := range []string{"nobody@unknown.example", "PAT@customer.example"} {
		if status, out := pat.post("/portal/link", url.Values{"email": {addr}}, doc); status != 200 || !strings.Contains(text(out, "main"), "If we know this address") {
			t.Fatalf("%s: %d %q", addr, status, text(out, "main"))
		}
	}
	if status, _ := pat.post("/portal/link", url.Values{"email": {"pat@customer.example"}, "csrf_token": {"forged"}}, nil); status != 403 {
		t.Fatalf("a forged form: %d", status)
	}
	drain(t, e)
	msgs := e.Mail.Messages()
	last := msgs[len(msgs)-1]
	if len(msgs) != 2 || last.To[0] != "pat@customer.example" {
		t.Fatalf("links mailed: %d, the last to %v", len(msgs), last.To)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(last.Data, "=\r\n", ""), "=3D", "=")
	link := portalLink.FindString(body)
	if link == "" {
		t.Fatalf("no link in:\n%s", last.Data)
	}
	path := link[strings.Index(link, "/portal/"):]
	_, doc = pat.get(path)
	list := text(doc, ".requests")
	if !strings.Contains(list, "#1 Printer on fire") || strings.Contains(list, "Quinn") {
		t.Fatalf("Pat's requests: %q", list)
	}
	if status, _ := pat.get("/portal/tickets/" + e.Vars["t2"]); status != 404 {
		t.Fatalf("Quinn's request for Pat: %d", status)
	}
	if status, _ := pat.post("/portal/tickets/"+e.Vars["t2"]+"/messages", url.Values{"body": {"mine now"}}, doc); status != 404 {
		t.Fatalf("answering Quinn's request: %d", status)
	}
	_, doc = pat.get("/portal/tickets/" + e.Vars["t1"])
	conv := text(doc, ".messages")
	if !strings.Contains(conv, "Please leave the room.") || strings.Contains(conv, "difficult") {
		t.Fatalf("the conversation Pat sees: %q", conv)
	}
	pat.post("/portal/tickets/"+e.Vars["t1"]+"/messages", url.Values{"body": {"It is out, thanks."}}, doc)
	e.Run(t, []Scenario{
		{Name: "reopened", Method: "GET", Path: "/api/v1/tickets/{{t1}}", Status: 200, Contains: []string{`"status":"open"`}},
		{Name: "the agent reads it", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t1}}/messages", Status: 200, Contains: []string{`"author_contact_id":"{{pat}}"`, "It is out, thanks."}},
	})
	_, doc = pat.get("/portal")
	if status, out := pat.post("/portal/tickets", url.Values{"subject": {"A new printer"}, "body": {"Which one should we buy?"}}, doc); status != 200 || !strings.Contains(text(out, "h1"), "A new printer") {
		t.Fatalf("a new request: %d %q", status, text(out, "main"))
	}
	asked := lastRecord(t, e, "tickets", `subject = "A new printer"`)
	if asked["contact_id"] != e.Vars["pat"] || asked["channel"] != "portal" {
		t.Fatalf("the new request: %v", asked)
	}
	// The link worked once; a new one, too late, not at all.
	if status, _ := (&customer{t: t, e: e, c: &http.Client{}}).get(path); status != 401 {
		t.Fatalf("the link used again: %d", status)
	}
	_, doc = pat.get("/portal")
	pat.post("/portal/logout", url.Values{}, doc)
	if _, doc = pat.get("/portal"); doc.Find(`form[action="/portal/link"]`).Length() != 1 {
		t.Fatal("still signed in after signing out")
	}
	pat.post("/portal/link", url.Values{"email": {"pat@customer.example"}}, doc)
	drain(t, e)
	msgs = e.Mail.Messages()
	link = portalLink.FindString(strings.ReplaceAll(strings.ReplaceAll(msgs[len(msgs)-1].Data, "=\r\n", ""), "=3D", "="))
	e.Clock.Set(time.Now().Add(21 * time.Minute))
	if status, _ := pat.get(link[strings.Index(link, "/portal/"):]); status != 401 {
		t.Fatalf("a link 21 minutes old: %d", status)
	}
}

// TestCSAT: solving a ticket mails its requester a rating request; one
// click on "good" rates it (on the ticket, for reports), a comment may
// follow and a second click changes the rating; a reopened and solved
// again ticket asks again only when unrated; an unknown link rates nothing.
func TestCSAT(t *testing.T) {
	e := NewInstall(t)
	e.Sys.Tickets.SetBaseURL(e.Server.URL)
	e.Run(t, []Scenario{
		{Name: "pat", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Pat","email":"pat@customer.example"}`, Status: 201, Events: 1, Save: "pat"},
		{Name: "ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Body: `{"subject":"Printer on fire","contact_id":"{{pat}}"}`, Status: 201, Events: 2, Save: "t"},
		{Name: "solved", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"solved"}`, Status: 200, Events: 2, Jobs: 1},
		{Name: "no rating by agents", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"csat_rating":"good"}`, Status: 422},
		{Name: "written down solved (an import): no rating asked", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Body: `{"subject":"Last year's","contact_id":"{{pat}}","status":"solved"}`,
			Status: 201, Events: 2, Jobs: 0},
	})
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "pat@customer.example" || !strings.Contains(msgs[0].Data, "Subject: How did we do? [#1] Printer on fire") {
		t.Fatalf("the rating request: %+v", msgs)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(msgs[0].Data, "=\r\n", ""), "=3D", "=")
	good := regexp.MustCompile(`/csat/[A-Za-z0-9]+\?rating=good`).FindString(body)
	if good == "" {
		t.Fatalf("no link:\n%s", body)
	}
	jar, _ := cookiejar.New(nil)
	pat := &customer{t: t, e: e, c: &http.Client{Jar: jar}}
	status, doc := pat.get(good)
	if status != 200 || !strings.Contains(text(doc, "main"), "Thank you! We are glad we could help.") {
		t.Fatalf("one click: %d %q", status, text(doc, "main"))
	}
	e.Run(t, []Scenario{{Name: "rated", Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200, Contains: []string{`"csat_rating":"good"`, `"csat_comment":null`}}})
	token := good[len("/csat/"):strings.Index(good, "?")]
	pat.post("/csat/"+token, url.Values{"rating": {"bad"}, "comment": {"It burned down after all."}}, doc)
	e.Run(t, []Scenario{
		{Name: "changed, with a comment", Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200, Contains: []string{`"csat_rating":"bad"`, `"csat_comment":"It burned down after all."`}},
		{Name: "in reports", Method: "GET", Path: `/api/v1/tickets?filter=csat_rating%20%3D%20%22bad%22`, Status: 200, Contains: []string{`"id":"{{t}}"`}},
		{Name: "reopened", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"open"}`, Status: 200, Events: 2},
		{Name: "solved again: rated already, no new request", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"solved"}`, Status: 200, Events: 2},
	})
	if status, _ := pat.get("/csat/nosuchtoken?rating=good"); status != 404 {
		t.Fatalf("an unknown link: %d", status)
	}
	if status, _ := pat.post("/csat/"+token, url.Values{"rating": {"meh"}}, doc); status != 422 {
		t.Fatalf("a rating not good or bad: %d", status)
	}
}
