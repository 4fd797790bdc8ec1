package apitest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/mail/imaptest"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestReadMailbox: a rep's own mailbox, read over IMAP from a real
// Dovecot. The rep emails a contact from Rapport; the contact's reply,
// delivered to the mailbox, threads under it on the contact's timeline. A
// malformed message does not stop the mailbox; mail that arrives while
// the reader idles comes at once (IDLE); after a restart only what is new
// is read; a mailbox made private keeps who wrote, not what.
func TestReadMailbox(t *testing.T) {
	e := NewInstall(t)
	dove := imaptest.Start(t, map[string]string{"sam@sales.example": "imap-pass"})
	e.Vars["imap_port"] = fmt.Sprint(dove.Port)
	e.Vars["smtp_port"] = e.Mail.Addr[strings.LastIndex(e.Mail.Addr, ":")+1:]
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "the rep's own mailbox", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 201, Save: "box",
			Body: `{"personal":true,"name":"Sam Sales","address":"sam@sales.example","smtp":{"host":"127.0.0.1","port":{{smtp_port}},"security":"none"},` +
				`"imap":{"host":"127.0.0.1","port":{{imap_port}},"security":"none","username":"sam@sales.example","password":"imap-pass"}}`,
			Contains: []string{`"folder":"INBOX"`, `"has_password":true`}},
		{Name: "test it", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts/{{box}}/test", Status: 202, Jobs: 1},
	})
	drain(t, e)
	e.Run(t, []Scenario{{Name: "both work", Role: access.Sales, Method: "GET", Path: "/api/v1/mail-accounts/{{box}}", Status: 200, Contains: []string{`"test_error":""`}}})
	e.Run(t, []Scenario{
		{Name: "write to Ada", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "out",
			Body: `{"to":["ada@example.com"],"subject":"The engine","body_html":"<p>Shall we meet?</p>","related":[{"object":"contacts","id":"{{ada}}"}]}`},
	})
	drain(t, e)
	sent := e.Mail.Messages()
	if last := sent[len(sent)-1].Data; strings.Contains(last, "Reply-To") {
		t.Errorf("mail from a mailbox Rapport reads asks for replies elsewhere:\n%s", last)
	}
	outID := "<" + e.Vars["out"] + "@sales.example>"

	reading := func() context.CancelFunc {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			e.Sys.Email.ReadMailboxes(ctx, email.Reading{Every: 100 * time.Millisecond, Idle: time.Minute})
			close(done)
		}()
		return func() { cancel(); <-done }
	}
	waitUID := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var last int64
			var note string
			if err := e.Sys.DB.Reader().QueryRowContext(context.Background(), `SELECT imap_last_uid, imap_error FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, e.WS, e.Vars["box"]).Scan(&last, &note); err != nil {
				t.Fatal(err)
			}
			if last >= want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the mailbox was read to UID %d, want %d (error %q)", last, want, note)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	reply := func(n int, subject, body string) []byte {
		return []byte(fmt.Sprintf("From: Ada Lovelace <ada@example.com>\r\nTo: Sam Sales <sam@sales.example>\r\nSubject: %s\r\nDate: Sat, 5 Dec 2026 09:0%d:00 +0000\r\n"+
			"Message-ID: <reply-%d@mail.example.com>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%s\r\n", subject, n, n, outID, outID, body))
	}
	dove.Deliver(t, "sam@sales.example", "imap-pass", reply(1, "Re: The engine", "Yes, Tuesday works."))
	dove.Deliver(t, "sam@sales.example", "imap-pass", []byte("this is no mail message at all\r\n\x00\x01\r\n"))
	dove.Deliver(t, "sam@sales.example", "imap-pass", reply(2, "Re: The engine", "And bring the cards."))
	stop := reading()
	waitUID(3)
	drain(t, e)
	in := inbound(t, e)
	if len(in) != 2 {
		t.Fatalf("%d emails read, want 2 (the malformed one left aside): %v", len(in), in)
	}
	for _, r := range in {
		if r["in_reply_to"] != e.Vars["out"] || r["account_id"] != e.Vars["box"] || r["owner_id"] != e.Users[access.Sales] {
			t.Errorf("read: %v", r)
		}
	}
	e.Run(t, []Scenario{
		{Name: "on Ada's timeline, in the thread", Role: access.Sales, Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200,
			Contains: []string{`"kind":"email_in"`, `"summary":"Received email Re: The engine from ada@example.com"`, `"kind":"email_out"`}},
	})

	// While the reader idles, new mail comes at once (the poll would take
	// a minute).
	dove.Deliver(t, "sam@sales.example", "imap-pass", reply(3, "Re: The engine", "Also: coffee."))
	waitUID(4)
	stop()

	// Another node holds the mailbox (a live lease): this one leaves it.
	lease := func(until time.Time) {
		if _, err := e.Sys.DB.Writer().ExecContext(context.Background(), `UPDATE mail_accounts SET lease_by = 'another-node', lease_until = $3 WHERE workspace_id = $1 AND id = $2`,
			e.WS, e.Vars["box"], e.Sys.DB.Dialect().Time(until)); err != nil {
			t.Fatal(err)
		}
	}
	lease(time.Now().Add(time.Hour))
	dove.Deliver(t, "sam@sales.example", "imap-pass", reply(4, "Re: The engine", "See you."))
	stop = reading()
	time.Sleep(time.Second)
	var last int64
	if err := e.Sys.DB.Reader().QueryRowContext(context.Background(), `SELECT imap_last_uid FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, e.WS, e.Vars["box"]).Scan(&last); err != nil || last != 4 {
		t.Fatalf("read a mailbox another node holds: last UID %d, %v", last, err)
	}
	// That node died: its lease runs out, and this one reads on from
	// where it stopped.
	lease(time.Now().Add(-time.Second))
	waitUID(5)
	drain(t, e)
	if in = inbound(t, e); len(in) != 4 {
		t.Fatalf("after a restart: %d emails, want 4", len(in))
	}

	// Private: who wrote to whom, and when; no subject, no body.
	e.Run(t, []Scenario{{Name: "make it private", Role: access.Sales, Method: "PATCH", Path: "/api/v1/mail-accounts/{{box}}", Body: `{"private":true}`, Status: 200,
		Contains: []string{`"private":true`}}})
	dove.Deliver(t, "sam@sales.example", "imap-pass", reply(5, "Re: The engine — salary details", "Very private words."))
	waitUID(6)
	stop()
	drain(t, e)
	in = inbound(t, e)
	if len(in) != 5 {
		t.Fatalf("%d emails, want 5", len(in))
	}
	var private records.Record
	for _, r := range in {
		if r["message_id"] == "<reply-5@mail.example.com>" {
			private = r
		}
	}
	if private == nil || private["private"] != true || private["subject"] != nil || private["body_text"] != nil || private["from"] != "Ada Lovelace <ada@example.com>" {
		t.Fatalf("private: %v", private)
	}
	e.Run(t, []Scenario{
		{Name: "private on the timeline", Method: "GET", Path: "/api/v1/contacts/{{ada}}/timeline", Status: 200,
			Contains: []string{`"summary":"Received a private email from ada@example.com"`}, Lacks: []string{"salary", "Very private"}},
	})
}

// inbound lists the received emails.
func inbound(t *testing.T, e *Env) []records.Record {
	t.Helper()
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), email.Object, records.Query{Filter: `direction = "in"`, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Data
}
