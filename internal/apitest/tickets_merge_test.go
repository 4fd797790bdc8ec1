package apitest

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestTicketMerge: the same request made twice is merged into one ticket —
// the duplicate's conversation joins the kept ticket's, the duplicate goes
// to the trash, and mail that names the duplicate's number ("[#2]") lands
// on the kept ticket. Taking the merge back returns the duplicate with its
// own messages. Bulk merge from the list keeps the oldest.
func TestTicketMerge(t *testing.T) {
	e := NewInstall(t)
	addr := e.receiver(t, 1<<20)
	deliver := func(subject, id string) {
		t.Helper()
		msg := "From: Pat Customer <pat@customer.example>\r\nTo: support@crm.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + "@customer.example>\r\n\r\n" + subject + " (text)\r\n"
		e.deliver(t, addr, "pat@customer.example", "support@crm.example", msg)
	}
	deliver("The invoice is wrong", "m1")
	deliver("Wrong invoice!!", "m2")
	e.Vars["a"], _ = lastRecord(t, e, "tickets", "number = 1")["id"].(string)
	e.Vars["b"], _ = lastRecord(t, e, "tickets", "number = 2")["id"].(string)
	e.Run(t, []Scenario{
		{Name: "a note on the duplicate", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{b}}/messages", Body: `{"body":"Same as #1?","internal":true}`, Status: 201, Events: 3},
		{Name: "sales may not merge the team's tickets", Role: access.Sales, Method: "POST", Path: "/api/v1/tickets/{{a}}/merge", Body: `{"duplicate_ids":["{{b}}"]}`, Status: 403},
		{Name: "not into itself", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{a}}/merge", Body: `{"duplicate_ids":["{{a}}"]}`, Status: 422, Contains: []string{`"field":"duplicate_ids"`}},
		{Name: "merged", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{a}}/merge", Body: `{"duplicate_ids":["{{b}}"]}`, Status: 200, Events: 1, Contains: []string{`"number":1`}},
		{Name: "the duplicate is in the trash", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{b}}", Status: 404},
		{Name: "one conversation", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{a}}/messages", Status: 200,
			Contains: []string{"The invoice is wrong (text)", "Wrong invoice!! (text)", "Same as #1?"}},
		{Name: "the merge on its timeline", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{a}}/timeline", Status: 200, Contains: []string{`"kind":"merged"`}},
	})
	if n := countMessages(t, e, e.Vars["a"]); n != 3 {
		t.Fatalf("%d messages on the kept ticket, want 3", n)
	}
	// The customer answers the duplicate's mail by its number.
	deliver("Re: [#2] Wrong invoice!!", "m3")
	if n := e.Count("tickets"); n != 2 { // the duplicate in the trash
		t.Fatalf("%d tickets after an answer to the merged one, want 2", n)
	}
	if n := countMessages(t, e, e.Vars["a"]); n != 4 {
		t.Fatalf("the answer to #2 is not on #1: %d messages", n)
	}
	e.Run(t, []Scenario{
		{Name: "taken back", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{a}}/unmerge", Status: 200, Events: 1},
		{Name: "the duplicate is back", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{b}}", Status: 200, Contains: []string{`"number":2`}},
	})
	if a, b := countMessages(t, e, e.Vars["a"]), countMessages(t, e, e.Vars["b"]); a != 2 || b != 2 {
		t.Fatalf("after the unmerge: %d messages on #1 (want 2), %d on #2 (want 2)", a, b)
	}
	deliver("Re: [#2] Wrong invoice!!", "m4")
	if n := countMessages(t, e, e.Vars["b"]); n != 3 {
		t.Fatalf("after the unmerge, [#2] should reach #2 again: %d messages", n)
	}

	// From the list: select both (and a third), merge into the oldest.
	deliver("Invoice, third time", "m5")
	c, _ := lastRecord(t, e, "tickets", "number = 3")["id"].(string)
	b := e.browser(t, access.Support)
	_, doc := b.get("/tickets")
	form := formOf(doc, `form#bulk`)
	form["ids"] = []string{c, e.Vars["b"], e.Vars["a"]}
	form.Set("action", "merge")
	if _, doc = b.post("/bulk", form); !strings.Contains(text(doc, ".flash"), "Merged 2 tickets into this one.") || !strings.Contains(text(doc, "h1"), "The invoice is wrong") {
		t.Fatalf("bulk merge: %q / %q", text(doc, ".flash, .alert"), text(doc, "h1"))
	}
	if n := live(t, e); n != 1 {
		t.Fatalf("%d tickets after the bulk merge, want 1", n)
	}
	// And on a ticket's page: merge it into another by number.
	deliver("Yet another invoice mail", "m6")
	d, _ := lastRecord(t, e, "tickets", "number = 4")["id"].(string)
	_, doc = b.get("/tickets/" + d)
	form = formOf(doc, `form.merge-into`)
	form.Set("into", "99")
	if _, doc = b.post("/tickets/"+d, form); !strings.Contains(text(doc, ".flash"), "no ticket #99") {
		t.Fatalf("merge into a missing ticket: %q", text(doc, ".flash, .alert"))
	}
	form.Set("into", "#1")
	if _, doc = b.post("/tickets/"+d, form); !strings.Contains(text(doc, ".flash"), "Merged into ticket #1.") || !strings.Contains(text(doc, "section.conversation"), "Yet another invoice mail (text)") {
		t.Fatalf("merge into #1: %q", text(doc, ".flash, .alert"))
	}
}

// TestTicketCollision: agents who open the same ticket see each other
// (and who is writing a reply), across requests as across nodes, until
// they leave; a reply written while another's message came in is refused
// with 409 — on the page, with the draft kept — rather than crossing it.
func TestTicketCollision(t *testing.T) {
	e := NewInstall(t)
	e.Run(t, []Scenario{
		{Name: "pat", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Pat","email":"pat@customer.example"}`, Status: 201, Events: 1, Save: "pat"},
		{Name: "ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets", Body: `{"subject":"Locked out","contact_id":"{{pat}}"}`, Status: 201, Events: 2, Save: "t"},
		{Name: "a first note", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Checking the logs.","internal":true}`, Status: 201, Events: 3, Save: "m1"},
		{Name: "the admin opens it: nobody else", Role: access.Admin, Method: "POST", Path: "/api/v1/tickets/{{t}}/viewers", Body: `{}`, Status: 200, Contains: []string{`"data":[]`}},
		{Name: "support writes: sees the admin", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/viewers", Body: `{"replying":true}`, Status: 200,
			Contains: []string{`"user_id":"{{admin_id}}"`, `"name":"admin"`, `"replying":false`}},
		{Name: "the admin sees support writing", Role: access.Admin, Method: "POST", Path: "/api/v1/tickets/{{t}}/viewers", Body: `{}`, Status: 200,
			Contains: []string{`"user_id":"{{support_id}}"`, `"replying":true`}},
		{Name: "not for those who may not read tickets'", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/nope/viewers", Body: `{}`, Status: 404},
		{Name: "a bad body", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/viewers", Body: `{"replying":"yes"}`, Status: 422, Contains: []string{`"field":"replying"`}},
	})
	// Support's page says the admin has the ticket open.
	b := e.browser(t, access.Support)
	_, doc := b.get("/tickets/{{t}}")
	if got := text(doc, "#viewers"); !strings.Contains(got, "admin is looking at this ticket too") {
		t.Fatalf("the collision notice: %q", got)
	}
	stale := formOf(doc, `form.answer`)
	// Two minutes later the admin has left (their page stopped saying so).
	e.Clock.Set(e.Clock.Now().Add(2 * time.Minute))
	e.Run(t, []Scenario{
		{Name: "gone", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/viewers", Body: `{}`, Status: 200, Contains: []string{`"data":[]`}},
		// Both answer having seen the first note; the second is refused.
		{Name: "the admin answers first", Role: access.Admin, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Unlocked.","seen_message_id":"{{m1}}"}`,
			Status: 201, Events: 2, Jobs: 1, Save: "m2"},
		{Name: "support's crossing reply is refused", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"Resetting it now.","seen_message_id":"{{m1}}"}`,
			Status: 409, Contains: []string{`"field":"seen_message_id"`, "new messages came in while you wrote"}},
		{Name: "an own message does not count", Role: access.Admin, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"(for the record)","internal":true,"seen_message_id":"{{m1}}"}`,
			Status: 201, Events: 1},
		{Name: "a message of another ticket", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Body: `{"body":"x","seen_message_id":"nope"}`,
			Status: 422, Contains: []string{`"field":"seen_message_id"`}},
	})
	if n := countMessages(t, e, e.Vars["t"]); n != 3 {
		t.Fatalf("%d messages, want 3 (the crossing reply sent nothing)", n)
	}
	// On the page: the reply is refused, the draft stays, the new message shows.
	stale.Set("body", "Resetting it now.")
	res, doc := b.post("/tickets/"+e.Vars["t"]+"/messages", stale)
	if res != 409 || !strings.Contains(text(doc, ".conversation .alert"), "new messages came in while you wrote") ||
		!strings.Contains(text(doc, "section.conversation"), "Unlocked.") || doc.Find("#tk-body").Text() != "Resetting it now." {
		t.Fatalf("the refused reply on the page: %d %q / draft %q", res, text(doc, ".alert"), doc.Find("#tk-body").Text())
	}
	// Sent again from that page (which has seen it all), it goes.
	again := formOf(doc, `form.answer`)
	if _, doc = b.post("/tickets/"+e.Vars["t"]+"/messages", again); !strings.Contains(text(doc, ".flash"), "Reply on its way to the requester.") {
		t.Fatalf("sent again: %q", text(doc, ".flash, .alert"))
	}
}

// live counts the tickets not in the trash.
func live(t *testing.T, e *Env) int {
	t.Helper()
	r := e.Do(access.Admin, "GET", "/api/v1/tickets?page_size=100", "", nil)
	data, _ := r.JSON["data"].([]any)
	return len(data)
}

// TestTicketFiles: a public reply carries files (by the API as base64, from
// the ticket's page as an upload) on its email to the requester; the
// conversation lists each message's files, the customer's too; an
// internal note keeps none, and bad files are refused at their field.
func TestTicketFiles(t *testing.T) {
	e := NewInstall(t)
	addr := e.receiver(t, 1<<20)
	e.deliver(t, addr, "pat@customer.example", "support@crm.example", "From: pat@customer.example\r\nTo: support@crm.example\r\nSubject: Broken screen\r\n"+
		"Message-ID: <f1@customer.example>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nA photo is attached.\r\n"+
		"--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"screen.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n")
	e.Vars["t"], _ = lastRecord(t, e, "tickets", "")["id"].(string)
	e.Run(t, []Scenario{
		{Name: "a note keeps no files", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Status: 422,
			Body: `{"body":"x","internal":true,"attachments":[{"name":"a.txt","content_base64":"eA=="}]}`, Contains: []string{`"field":"attachments"`}},
		{Name: "bad base64", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Status: 422,
			Body: `{"body":"x","attachments":[{"name":"a.txt","content_base64":"%%%"}]}`, Contains: []string{`"field":"attachments[0].content_base64"`}},
		{Name: "an unknown field", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Status: 422,
			Body: `{"body":"x","attachment":[]}`, Contains: []string{`"field":"attachment"`}},
		{Name: "a reply with the manual", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/messages", Status: 201, Events: 3, Jobs: 1,
			Body: `{"body":"The manual says how.","attachments":[{"name":"manual.pdf","content_type":"application/pdf","content_base64":"JVBERi0xLjQK"}]}`},
	})
	drain(t, e)
	if sent := e.Mail.Messages(); len(sent) != 1 || !strings.Contains(sent[0].Data, "multipart/mixed") || !strings.Contains(sent[0].Data, "manual.pdf") || !strings.Contains(sent[0].Data, "JVBERi0xLjQK") {
		t.Fatalf("the reply by mail: %+v", sent)
	}
	b := e.browser(t, access.Support)
	_, doc := b.get("/tickets/{{t}}")
	form := formOf(doc, `form.answer`)
	form.Set("body", "And the warranty.")
	if _, doc = b.postFiles("/tickets/"+e.Vars["t"]+"/messages", form, map[string]string{"warranty.txt": "two years"}); !strings.Contains(text(doc, ".flash"), "Reply on its way") {
		t.Fatalf("the reply with a file: %q", text(doc, ".flash, .alert"))
	}
	files := text(doc, ".conversation .file-list")
	for _, want := range []string{"screen.png", "manual.pdf", "warranty.txt 9 B"} {
		if !strings.Contains(files, want) {
			t.Fatalf("the conversation's files lack %q: %q", want, files)
		}
	}
	href, _ := doc.Find(`.conversation .file-list a`).Last().Attr("href")
	resp, err := b.c.Get(e.Server.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "two years" {
		t.Fatalf("the download: %q", data)
	}
}
