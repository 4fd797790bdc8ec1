package apitest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/mail/imaptest"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestEmailJourney is the email issue's "done when": a rep emails a
// contact from its page and sees the reply arrive in the same thread on
// the contact's timeline and in the email's conversation — once when the
// reply comes by SMTP to Rapport's receiver (Debian's swaks), once when it
// is fetched from the rep's own mailbox over IMAP (Dovecot), there with no
// thread headers at all (the subject and the people thread it). A
// malformed message in the mailbox stops nothing; jobs run again after a
// crash send nothing twice.
func TestEmailJourney(t *testing.T) {
	e := NewInstall(t)
	addr := e.receiver(t, 1<<20)
	dove := imaptest.Start(t, map[string]string{"sales@test.example": "imap-pass"})
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
	})
	rep := e.browser(t, access.Sales)

	// 1. From Ada's page, by the install's server; the reply comes by SMTP.
	_, doc := rep.get("/contacts/{{ada}}")
	form := formOf(doc, `form[action="/emails/write"]`)
	form.Set("subject", "The analytical engine")
	form.Set("message", "Dear Ada,\n\nshall we meet on Tuesday?")
	rep.post("/emails/write", form)
	drain(t, e)
	sent := e.Mail.Messages()
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	first := lastEmail(t, e, `direction = "out"`)
	reply := fmt.Sprintf("From: Ada Lovelace <ada@example.com>\r\nTo: sales <reply+%s@crm.example>\r\nSubject: Re: The analytical engine\r\n"+
		"Message-ID: <smtp-reply@mail.example.com>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nDate: Sat, 5 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nTuesday suits me.\r\n",
		first.ID(), first["message_id"], first["message_id"])
	if out, err := swaks(t, addr, "ada@example.com", "reply+"+first.ID()+"@crm.example", []byte(reply)); err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	drain(t, e)
	_, doc = rep.get("/contacts/{{ada}}")
	if tl := text(doc, ".timeline"); !strings.Contains(tl, "Received email Re: The analytical engine from ada@example.com") || !strings.Contains(tl, "Sent email The analytical engine to ada@example.com") {
		t.Fatalf("Ada's timeline: %q", tl)
	}
	_, doc = rep.get("/emails/" + first.ID())
	if th := text(doc, ".thread"); !strings.Contains(th, "Dear Ada") || !strings.Contains(th, "Tuesday suits me.") {
		t.Fatalf("the conversation: %q", th)
	}

	// 2. The rep's own mailbox: mail goes out through it, replies are read
	// from it.
	e.Vars["imap_port"] = fmt.Sprint(dove.Port)
	e.Vars["smtp_port"] = e.Mail.Addr[strings.LastIndex(e.Mail.Addr, ":")+1:]
	e.Run(t, []Scenario{{Name: "own mailbox", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 201,
		Body: `{"personal":true,"name":"Sam","address":"sales@test.example","smtp":{"host":"127.0.0.1","port":{{smtp_port}},"security":"none"},` +
			`"imap":{"host":"127.0.0.1","port":{{imap_port}},"security":"none","username":"sales@test.example","password":"imap-pass"}}`}})
	_, doc = rep.get("/contacts/{{ada}}")
	form = formOf(doc, `form[action="/emails/write"]`)
	form.Set("subject", "Punched cards")
	form.Set("message", "How many cards will the engine need?")
	rep.post("/emails/write", form)
	drain(t, e)
	second := lastEmail(t, e, `direction = "out" AND subject = "Punched cards"`)
	if n := len(e.Mail.Messages()); n != 2 || strings.Contains(e.Mail.Messages()[1].Data, "Reply-To") {
		t.Fatalf("through the own account: %d messages", n)
	}
	// Ada answers from a client that keeps no thread headers; a broken
	// message sits before it in the mailbox.
	dove.Deliver(t, "sales@test.example", "imap-pass", []byte("\x00garbage without any header\r\n"))
	dove.Deliver(t, "sales@test.example", "imap-pass", []byte("From: ada@example.com\r\nTo: sales@test.example\r\nSubject: AW: Punched cards\r\n"+
		"Message-ID: <imap-reply@mail.example.com>\r\nDate: Sat, 5 Dec 2026 11:00:00 +0000\r\n\r\nAbout two thousand.\r\n"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Sys.Email.ReadMailboxes(ctx, email.Reading{Every: 100 * time.Millisecond}); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		drain(t, e)
		if got := inbound(t, e); len(got) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	answer := lastEmail(t, e, `message_id = "<imap-reply@mail.example.com>"`)
	if answer["in_reply_to"] != second.ID() {
		t.Fatalf("the IMAP reply threads under %v, want %s", answer["in_reply_to"], second.ID())
	}
	_, doc = rep.get("/contacts/{{ada}}")
	if tl := text(doc, ".timeline"); !strings.Contains(tl, "Received email AW: Punched cards from ada@example.com") {
		t.Fatalf("Ada's timeline: %q", tl)
	}
	_, doc = rep.get("/emails/" + answer.ID())
	if th := text(doc, ".thread"); !strings.Contains(th, "How many cards") || !strings.Contains(th, "About two thousand.") || strings.Contains(th, "Tuesday") {
		t.Fatalf("the second conversation: %q", th)
	}
	// The rep answers from the email's page; the answer continues the thread.
	form = formOf(doc, `form[action="/emails/write"]`)
	if form.Get("to") != "ada@example.com" {
		t.Fatalf("reply form: %v", form)
	}
	form.Set("message", "Then I shall order three thousand.")
	rep.post("/emails/write", form)
	drain(t, e)
	msgs := e.Mail.Messages()
	if last := msgs[len(msgs)-1].Data; len(msgs) != 3 || !strings.Contains(last, "Subject: Re: AW: Punched cards") || !strings.Contains(last, "In-Reply-To: <imap-reply@mail.example.com>") {
		t.Fatalf("the answer:\n%s", last)
	}

	// After a crash every job runs again: nothing goes out twice.
	if _, err := e.Sys.DB.Writer().ExecContext(context.Background(), `UPDATE jobs SET state = 'available', attempt = 0 WHERE workspace_id = $1`, e.WS); err != nil {
		t.Fatal(err)
	}
	drain(t, e)
	if n := len(e.Mail.Messages()); n != 3 {
		t.Fatalf("after jobs ran again: %d messages, want 3", n)
	}
	if got := inbound(t, e); len(got) != 2 {
		t.Fatalf("after jobs ran again: %d received, want 2", len(got))
	}
}

// lastEmail is the newest email matching the filter.
func lastEmail(t *testing.T, e *Env, filter string) records.Record {
	t.Helper()
	r := e.Do(access.Admin, "GET", "/api/v1/emails?order_by="+url.QueryEscape("created_at desc")+"&page_size=1&filter="+url.QueryEscape(filter), "", nil)
	data, _ := r.JSON["data"].([]any)
	if len(data) == 0 {
		t.Fatalf("no email matches %s: %s", filter, r.Body)
	}
	return records.Record(data[0].(map[string]any))
}
