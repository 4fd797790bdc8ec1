package apitest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
)

// TestTicketsFromMail: mail to support@ opens a ticket for its sender
// (a new contact); an agent's public reply goes to the requester by mail,
// in the ticket's thread, and is the first response; the customer's
// answers — to the reply's address, or with "[#N]" in a new mail's
// subject — join the ticket and reopen it; internal notes are never sent;
// auto-replies open nothing; a closed ticket's follow-up opens a new one.
func TestTicketsFromMail(t *testing.T) {
	e := NewInstall(t)
	addr := e.receiver(t, 1<<20)
	deliver := func(to, msg string) {
		t.Helper()
		e.deliver(t, addr, "pat@customer.example", to, msg)
	}
	deliver("support@crm.example", "From: Pat Customer <pat@customer.example>\r\nTo: support@crm.example\r\nSubject: Printer on fire\r\n"+
		"Message-ID: <t1@customer.example>\r\n\r\nThe printer in room 4 is on fire.\r\n")
	tk := lastRecord(t, e, "tickets", "")
	e.Vars["t"], _ = tk["id"].(string)
	e.Vars["pat"], _ = tk["contact_id"].(string)
	if tk["number"] != float64(1) || tk["status"] != "new" || tk["queue"] != "support" || tk["channel"] != "email" || tk["subject"] != "Printer on fire" || e.Vars["pat"] == "" {
		t.Fatalf("the ticket: %v", tk)
	}
	e.Run(t, []Scenario{
		{Name: "the requester is a contact now", Method: "GET", Path: "/api/v1/contacts/{{pat}}", Status: 200, Contains: []string{`"email":"pat@customer.example"`, `"first_name":"Pat"`}},
		{Name: "the conversation", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}/messages", Status: 200,
			Contains: []string{`"author_contact_id":"{{pat}}"`, `"body":"The printer in room 4 is on fire."`, `"internal":false`, `"email_id":"`}},
		{Name: "on Pat's timeline", Method: "GET", Path: "/api/v1/contacts/{{pat}}/timeline", Status: 200,
			Contains: []string{`"kind":"ticket"`, `"summary":"Opened ticket #1 Printer on fire"`, `"kind":"email_in"`}},
		{Name: "on the ticket's", Method: "GET", Path: "/api/v1/tickets/{{t}}/timeline", Status: 200, Contains: []string{`"kind":"email_in"`}},
		{Name: "an empty answer", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"  "}`, Status: 422, Contains: []string{`"field":"body"`}},
		{Name: "sales does not answer others' tickets", Role: access.Sales, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Hi"}`, Status: 403},
		{Name: "nor does read-only", Role: access.ReadOnly, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Hi"}`, Status: 403},
		{Name: "an internal note", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Pat is on the 4th floor.","internal":true}`,
			Status: 201, Events: 3, Contains: []string{`"internal":true`}, Lacks: []string{`"email_id"`}}, // the note; new → open, on the ticket and Pat's timeline
		{Name: "the public answer", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Please leave the room. We are on our way.","status":"pending"}`,
			Status: 201, Events: 3, Jobs: 1, Contains: []string{`"email_id":"`, `"author_user_id":"{{support_id}}"`}}, // the email; open → pending, twice
		{Name: "pending, first response", Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200, Contains: []string{`"status":"pending"`}, Lacks: []string{`"first_responded_at":null`}},
	})
	drain(t, e)
	sent := e.Mail.Messages()
	if len(sent) != 1 || sent[0].To[0] != "pat@customer.example" || !strings.Contains(sent[0].Data, "Subject: Re: [#1] Printer on fire") ||
		!strings.Contains(sent[0].Data, "In-Reply-To: <t1@customer.example>") || strings.Contains(sent[0].Data, "4th floor") {
		t.Fatalf("the answer by mail: %+v", sent)
	}
	replyTo := sent[0].Data[strings.Index(sent[0].Data, "reply+"):]
	replyTo = replyTo[:strings.Index(replyTo, ">")]

	// Pat answers the mail (the client drops the headers): back in the
	// ticket, which is open again.
	deliver(replyTo, "From: pat@customer.example\r\nTo: "+replyTo+"\r\nSubject: Re: [#1] Printer on fire\r\nMessage-ID: <t2@customer.example>\r\n\r\nIt is out now.\r\n")
	e.Run(t, []Scenario{
		{Name: "reopened", Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200, Contains: []string{`"status":"open"`}},
		{Name: "solved", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"solved"}`, Status: 200, Events: 2, Jobs: 1, Lacks: []string{`"solved_at":null`}},
	})
	// A new mail naming the ticket joins it, and reopens it.
	deliver("support@crm.example", "From: pat@customer.example\r\nTo: support@crm.example\r\nSubject: About [#1] again\r\nMessage-ID: <t3@customer.example>\r\n\r\nIt smells still.\r\n")
	e.Run(t, []Scenario{
		{Name: "reopened again", Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200, Contains: []string{`"status":"open"`, `"solved_at":null`}},
		{Name: "four messages", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}/messages", Status: 200, Contains: []string{"It is out now.", "It smells still."}},
	})
	if n := countMessages(t, e, e.Vars["t"]); n != 5 {
		t.Fatalf("%d messages, want 5", n)
	}
	// Mail from machines opens nothing; mail to others is no ticket.
	deliver("support@crm.example", "From: pat@customer.example\r\nTo: support@crm.example\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <t4@customer.example>\r\n\r\nI am away.\r\n")
	deliver("sales@crm.example", "From: pat@customer.example\r\nTo: sales@crm.example\r\nSubject: A question on prices\r\nMessage-ID: <t5@customer.example>\r\n\r\nHow much?\r\n")
	if n := e.Count("tickets"); n != 1 {
		t.Fatalf("%d tickets, want 1", n)
	}
	// Closed stays closed: a follow-up is a new ticket.
	e.Run(t, []Scenario{
		{Name: "closed", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"closed"}`, Status: 200, Events: 2},
		{Name: "for good", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"open"}`, Status: 422, Contains: []string{"a closed ticket stays closed"}},
		{Name: "number is Rapport's", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"number":7}`, Status: 422, Contains: []string{`"field":"number"`}},
	})
	deliver("support@crm.example", "From: pat@customer.example\r\nTo: support@crm.example\r\nSubject: Re: [#1] Printer on fire\r\nMessage-ID: <t6@customer.example>\r\n\r\nIt is on fire again.\r\n")
	if n := e.Count("tickets"); n != 2 {
		t.Fatalf("%d tickets after the follow-up, want 2", n)
	}
	second := lastRecord(t, e, "tickets", "number = 2")
	if second["contact_id"] != e.Vars["pat"] || second["status"] != "new" {
		t.Fatalf("the follow-up: %v", second)
	}
}

// lastRecord is the newest record of object matching filter.
func lastRecord(t *testing.T, e *Env, object, filter string) map[string]any {
	t.Helper()
	q := "?order_by=created_at%20desc&page_size=1"
	if filter != "" {
		q += "&filter=" + strings.ReplaceAll(filter, " ", "%20")
	}
	r := e.Do(access.Admin, "GET", "/api/v1/"+object+q, "", nil)
	data, _ := r.JSON["data"].([]any)
	if len(data) == 0 {
		t.Fatalf("no %s matches %q: %s", object, filter, r.Body)
	}
	return data[0].(map[string]any)
}

func countMessages(t *testing.T, e *Env, ticket string) int {
	t.Helper()
	r := e.Do(access.Support, "GET", fmt.Sprintf("/api/v1/tickets/%s/messages", ticket), "", nil)
	data, _ := r.JSON["data"].([]any)
	return len(data)
}

// TestWebTicket: on a ticket's page an agent reads the conversation,
// answers the requester (the mail goes out, the ticket waits on them) and
// leaves an internal note (marked, never sent); a sales rep reads it but
// gets no form.
func TestWebTicket(t *testing.T) {
	e := NewInstall(t)
	e.Run(t, []Scenario{
		{Name: "pat", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Pat","last_name":"Customer","email":"pat@customer.example"}`, Status: 201, Events: 1, Save: "pat"},
		{Name: "ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Body: `{"subject":"Cannot sign in","contact_id":"{{pat}}","priority":"high"}`, Status: 201, Events: 2, Save: "t",
			Contains: []string{`"number":1`, `"status":"new"`, `"channel":"api"`, `"queue":"support"`}},
	})
	b := e.browser(t, access.Support)
	_, doc := b.get("/tickets/{{t}}")
	form := formOf(doc, `form.answer`)
	form.Set("body", "Please try the reset link.\nIt works for an hour.")
	form.Set("status", "pending")
	if _, doc = b.post("/tickets/"+e.Vars["t"]+"/messages", form); !strings.Contains(text(doc, ".flash"), "Reply on its way to the requester.") {
		t.Fatalf("flash: %q", text(doc, ".flash, .alert"))
	}
	form = formOf(doc, `form.answer`)
	form.Set("kind", "note")
	form.Set("body", "Pat called twice already.")
	if _, doc = b.post("/tickets/"+e.Vars["t"]+"/messages", form); !strings.Contains(text(doc, ".flash"), "Note added.") {
		t.Fatalf("flash: %q", text(doc, ".flash, .alert"))
	}
	conv := text(doc, ".conversation .messages")
	if !strings.Contains(conv, "support") || !strings.Contains(conv, "Please try the reset link.") || !strings.Contains(text(doc, ".messages li.internal"), "internal note") || !strings.Contains(text(doc, ".messages li.internal"), "Pat called twice already.") {
		t.Fatalf("the conversation: %q", conv)
	}
	drain(t, e)
	if sent := e.Mail.Messages(); len(sent) != 1 || !strings.Contains(sent[0].Data, "Subject: Re: [#1] Cannot sign in") || strings.Contains(sent[0].Data, "twice") {
		t.Fatalf("sent: %+v", sent)
	}
	e.Run(t, []Scenario{{Name: "pending", Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200, Contains: []string{`"status":"pending"`}}})
	_, doc = e.browser(t, access.Sales).get("/tickets/{{t}}")
	if doc.Find("form.answer").Length() != 0 || !strings.Contains(text(doc, ".conversation"), "Please try the reset link.") {
		t.Fatalf("sales sees: %q", text(doc, ".conversation"))
	}
	// A canned response: a template filled for the requester.
	e.Run(t, []Scenario{
		{Name: "a template", Method: "POST", Path: "/api/v1/templates", Status: 201, Events: 1, Save: "tpl",
			Body: `{"name":"Reset help","subject":"Reset","body_html":"<p>Hello {{contact.first_name | \"there\"}}, the reset link is on the sign-in page.</p>"}`},
		{Name: "no such template", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"template_id":"nope"}`, Status: 422,
			Contains: []string{`"field":"template_id"`}},
	})
	_, doc = b.get("/tickets/{{t}}")
	form = formOf(doc, `form.answer`)
	form.Set("template_id", e.Vars["tpl"])
	form.Set("body", "")
	if _, doc = b.post("/tickets/"+e.Vars["t"]+"/messages", form); !strings.Contains(text(doc, ".conversation .messages"), "Hello Pat, the reset link is on the sign-in page.") {
		t.Fatalf("the canned response: %q %q", text(doc, ".flash, .alert"), text(doc, ".conversation"))
	}
	// Pat's page lists the open tickets; a solved one leaves the list.
	if _, doc = b.get("/contacts/{{pat}}"); !strings.Contains(text(doc, "aside"), "Open Tickets #1 Cannot sign in · pending") {
		t.Fatalf("Pat's open tickets: %q", text(doc, "aside"))
	}
	e.Run(t, []Scenario{{Name: "solved", Role: access.Support, Method: "PATCH", Path: "/api/v1/tickets/{{t}}", Body: `{"status":"solved"}`, Status: 200, Events: 2, Jobs: 1}})
	if _, doc = b.get("/contacts/{{pat}}"); strings.Contains(text(doc, "aside"), "Cannot sign in") {
		t.Fatalf("a solved ticket among the open: %q", text(doc, "aside"))
	}
}

// TestQueues: a queue's address opens tickets in it; a queue that gives
// its tickets out in turn assigns them to its active members one after
// another (a deactivated member is skipped); a ticket names only a queue
// there is; the agent's lists: their open tickets, the unassigned ones of
// their queues, the ones breaching soon.
func TestQueues(t *testing.T) {
	e := NewInstall(t)
	addr := e.receiver(t, 1<<20)
	other, err := e.Sys.Auth.CreateUser(t.Context(), access.System(e.WS), e.WS, auth.NewUser{Email: "kim@test.example", Name: "Kim", Role: "support", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e.Sys.Auth.CreateUser(t.Context(), access.System(e.WS), e.WS, auth.NewUser{Email: "old@test.example", Name: "Old", Role: "support", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sys.Auth.SetActive(t.Context(), access.System(e.WS), gone.ID, false); err != nil {
		t.Fatal(err)
	}
	e.Vars["kim"], e.Vars["gone"] = other.ID, gone.ID
	e.Run(t, []Scenario{
		{Name: "billing", Method: "POST", Path: "/api/v1/queues", Status: 201, Events: 1, Save: "billing",
			Body: `{"name":"Billing","members":["{{support_id}}","{{gone}}","{{kim}}"],"assignment":"round_robin"}`, Contains: []string{`"name":"billing"`}},
		{Name: "a bad name", Method: "POST", Path: "/api/v1/queues", Status: 422, Body: `{"name":"bill ing"}`, Contains: []string{`"field":"name"`}},
		{Name: "the same name", Method: "POST", Path: "/api/v1/queues", Status: 409, Body: `{"name":"billing"}`},
		{Name: "agents keep no queues", Role: access.Support, Method: "POST", Path: "/api/v1/queues", Status: 403, Body: `{"name":"mine"}`},
		{Name: "no such queue", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Status: 422, Body: `{"subject":"x","queue":"nope"}`, Contains: []string{`"field":"queue"`, "the queues: support, billing"}},
	})
	for i := range 3 {
		msg := fmt.Sprintf("From: pat@customer.example\r\nTo: billing@crm.example\r\nSubject: Invoice %d\r\nMessage-ID: <q%d@customer.example>\r\n\r\nWrong amount.\r\n", i, i)
		if out, err := swaks(t, addr, "pat@customer.example", "billing@crm.example", []byte(msg)); err != nil {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
	}
	drain(t, e)
	var got []string
	for i := range 3 {
		tk := lastRecord(t, e, "tickets", fmt.Sprintf(`subject = "Invoice %d"`, i))
		if tk["queue"] != "billing" {
			t.Fatalf("ticket %d: %v", i, tk)
		}
		got = append(got, fmt.Sprint(tk["assignee_id"]))
	}
	if want := []string{e.Users[access.Support], other.ID, e.Users[access.Support]}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("assigned in turn: %v, want %v", got, want)
	}
	e.Run(t, []Scenario{{Name: "one by hand", Method: "POST", Path: "/api/v1/tickets", Status: 201, Events: 1, Body: `{"subject":"Unassigned one","queue":"support"}`}})
	b := e.browser(t, access.Support)
	_, doc := b.get("/tickets")
	views := map[string]string{}
	doc.Find("nav.views a").Each(func(_ int, a *goquery.Selection) { views[strings.TrimSpace(a.Text())], _ = a.Attr("href") })
	for name, want := range map[string]string{"My open tickets": "Invoice 2", "Unassigned in my queues": "", "Breaching soon": ""} {
		href, ok := views[name]
		if !ok {
			t.Fatalf("no %q among %v", name, views)
		}
		_, list := b.get(href)
		rows := text(list, "table tbody")
		if want != "" && (!strings.Contains(rows, want) || !strings.Contains(rows, "Invoice 0") || strings.Contains(rows, "Invoice 1")) {
			t.Errorf("%s: %q", name, rows)
		}
		if name == "Unassigned in my queues" && strings.Contains(rows, "Unassigned one") {
			t.Errorf("unassigned in billing (the agent's queue) shows a support ticket: %q", rows)
		}
	}
}
