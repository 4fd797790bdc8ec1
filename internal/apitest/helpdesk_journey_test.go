package apitest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/mail/imaptest"
)

// TestHelpdeskJourney is the helpdesk issue's "done when". A customer's
// email to the billing team's own mailbox (read over IMAP from a real
// Dovecot) opens a ticket in the billing queue, given in turn to its
// agent, under the billing SLA (Berlin working hours); mail to support@
// (by a real SMTP client, swaks, to Rapport's receiver) opens one in the
// default queue under the standard SLA. The agent answers from the
// ticket's page: the answer goes out from the billing mailbox, and the
// customer's answer (in the mailbox again) threads back into the ticket
// and reopens it. The SLA clock stands while the ticket waits on the
// customer, runs only in working hours, and warns and breaches at the
// right moments. The customer follows the ticket in the portal, adds to
// it, and rates the outcome from the mail that comes when it is solved.
func TestHelpdeskJourney(t *testing.T) {
	e := NewInstall(t)
	e.Sys.Tickets.SetBaseURL(e.Server.URL)
	addr := e.receiver(t, 1<<20)
	dove := imaptest.Start(t, map[string]string{"billing@acme.example": "imap-pass"})
	at := berlinAt(t)
	e.Clock.Set(at("2026-03-09 08:00")) // a Monday, before work
	status := 200
	hook, hooked := receiver(t, &status)
	e.Vars["hook"] = hook.URL
	e.Vars["imap_port"] = fmt.Sprint(dove.Port)
	e.Vars["smtp_port"] = e.Mail.Addr[strings.LastIndex(e.Mail.Addr, ":")+1:]
	e.Run(t, []Scenario{
		{Name: "SLA alarms to a webhook", Method: "POST", Path: "/api/v1/webhooks", Status: 201, Events: 1,
			Body: `{"url":"{{hook}}","events":["ticket.sla_warning","ticket.sla_breached"]}`},
		{Name: "the billing mailbox", Method: "POST", Path: "/api/v1/mail-accounts", Status: 201,
			Body: `{"name":"Acme billing","address":"billing@acme.example","smtp":{"host":"127.0.0.1","port":{{smtp_port}},"security":"none"},` +
				`"imap":{"host":"127.0.0.1","port":{{imap_port}},"security":"none","username":"billing@acme.example","password":"imap-pass"}}`},
		{Name: "the billing queue", Method: "POST", Path: "/api/v1/queues", Status: 201, Events: 1, Save: "billing",
			Body: `{"name":"billing","mailbox":"Billing@acme.example","members":["{{support_id}}"],"assignment":"round_robin"}`, Contains: []string{`"mailbox":"billing@acme.example"`}},
		{Name: "one mailbox, one queue", Method: "POST", Path: "/api/v1/queues", Status: 409,
			Body: `{"name":"refunds","mailbox":"billing@acme.example"}`, Contains: []string{`"field":"mailbox"`}},
		{Name: "the billing SLA", Method: "POST", Path: "/api/v1/sla_policies", Status: 201, Events: 1, Save: "sla_billing",
			Body: `{"name":"Billing","condition":"queue = \"billing\"","rank":1,"first_response_minutes":60,"resolution_minutes":420,"time_zone":"Europe/Berlin","hours":"Mon-Fri 09:00-17:00"}`},
		{Name: "the standard SLA", Method: "POST", Path: "/api/v1/sla_policies", Status: 201, Events: 1, Save: "sla_standard",
			Body: `{"name":"Standard","rank":10,"first_response_minutes":480,"resolution_minutes":2400,"time_zone":"Europe/Berlin","hours":"Mon-Fri 09:00-17:00"}`},
	})

	// Pat writes to the billing mailbox; Rapport reads it over IMAP.
	dove.Deliver(t, "billing@acme.example", "imap-pass", []byte("From: Pat Customer <pat@customer.example>\r\nTo: billing@acme.example\r\n"+
		"Subject: Charged twice\r\nMessage-ID: <pat-1@customer.example>\r\nDate: Mon, 9 Mar 2026 08:00:00 +0100\r\n\r\nMy card was charged twice for March.\r\n"))
	readMail(t, e, func() bool { return e.Count("tickets") == 1 })
	tk := lastRecord(t, e, "tickets", "")
	e.Vars["t"], _ = tk["id"].(string)
	e.Vars["pat"], _ = tk["contact_id"].(string)
	if tk["queue"] != "billing" || tk["assignee_id"] != e.Vars["support_id"] || tk["sla_policy_id"] != e.Vars["sla_billing"] ||
		tk["first_response_due_at"] != "2026-03-09T09:00:00Z" || tk["resolution_due_at"] != "2026-03-09T15:00:00Z" || tk["channel"] != "email" {
		t.Fatalf("the ticket from the mailbox: %v", tk)
	}
	// Mail to support@, by SMTP: the default queue, the standard SLA.
	e.deliver(t, addr, "quinn@other.example", "support@crm.example", "From: quinn@other.example\r\nTo: support@crm.example\r\nSubject: How do I export?\r\n"+
		"Message-ID: <quinn-1@other.example>\r\n\r\nWhere is the export button?\r\n")
	quinn := lastRecord(t, e, "tickets", `subject = "How do I export?"`)
	if quinn["queue"] != "support" || quinn["sla_policy_id"] != e.Vars["sla_standard"] || quinn["first_response_due_at"] != "2026-03-09T16:00:00Z" {
		t.Fatalf("the ticket by SMTP: %v", quinn)
	}

	// 09:20: the agent answers from the ticket's page; it waits on Pat.
	e.Clock.Set(at("2026-03-09 09:20"))
	agent := e.browser(t, access.Support)
	_, doc := agent.get("/tickets/{{t}}")
	form := formOf(doc, `form.answer`)
	form.Set("body", "Sorry about that. Which card did we charge?")
	form.Set("status", "pending")
	if _, doc = agent.post("/tickets/"+e.Vars["t"]+"/messages", form); !strings.Contains(text(doc, ".flash"), "Reply on its way to the requester.") {
		t.Fatalf("the answer: %q", text(doc, ".flash, .alert"))
	}
	drain(t, e)
	sent := e.Mail.Messages()
	answer := sent[len(sent)-1].Data
	if !strings.Contains(answer, "Subject: Re: [#1] Charged twice") || !strings.Contains(answer, "billing@acme.example>") ||
		!strings.Contains(answer, "In-Reply-To: <pat-1@customer.example>") || strings.Contains(answer, "\nReply-To:") {
		t.Fatalf("the answer by mail (from the billing mailbox, in the thread, answers to it):\n%s", answer)
	}
	answerID := regexp.MustCompile(`(?m)^Message-I[dD]: (<[^>]+>)`).FindStringSubmatch(answer)
	if answerID == nil {
		t.Fatalf("no Message-ID:\n%s", answer)
	}
	e.Run(t, []Scenario{{Name: "first response in time, the clock stands", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200,
		Contains: []string{`"status":"pending"`, `"first_responded_at":"2026-03-09T08:20:00Z"`, `"resolution_due_at":null`}}})

	// 11:20: Pat answers (two working hours later) into the mailbox.
	e.Clock.Set(at("2026-03-09 11:20"))
	dove.Deliver(t, "billing@acme.example", "imap-pass", []byte("From: pat@customer.example\r\nTo: billing@acme.example\r\nSubject: Re: [#1] Charged twice\r\n"+
		"Message-ID: <pat-2@customer.example>\r\nIn-Reply-To: "+answerID[1]+"\r\nReferences: <pat-1@customer.example> "+answerID[1]+"\r\n\r\nThe Visa ending 4242.\r\n"))
	readMail(t, e, func() bool { return countMessages(t, e, e.Vars["t"]) == 3 })
	// The two hours waiting on Pat do not count: 16:00 + 2 h runs past
	// 17:00 into Tuesday morning.
	e.Run(t, []Scenario{
		{Name: "reopened, due later by the pause", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200,
			Contains: []string{`"status":"open"`, `"resolution_due_at":"2026-03-10T09:00:00Z"`}},
		{Name: "the answer in the conversation", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}/messages", Status: 200,
			Contains: []string{"My card was charged twice", "Which card did we charge?", "The Visa ending 4242."}},
	})
	if in := lastEmail(t, e, `message_id = "<pat-2@customer.example>"`); in["in_reply_to"] == nil {
		t.Fatalf("Pat's answer does not thread: %v", in)
	}
	// Overnight nothing fires; Tuesday 09:31 warns, 10:01 breaches.
	e.Clock.Set(at("2026-03-09 23:00"))
	drain(t, e)
	e.Run(t, []Scenario{{Name: "no alarm out of hours", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}/timeline", Status: 200,
		Lacks: []string{`"kind":"sla_warning"`, `"kind":"sla_breached"`}}})
	e.Clock.Set(at("2026-03-10 09:31"))
	drain(t, e)
	e.Run(t, []Scenario{{Name: "warned", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}/timeline", Status: 200,
		Contains: []string{`"kind":"sla_warning"`}, Lacks: []string{`"kind":"sla_breached"`}}})
	e.Clock.Set(at("2026-03-10 10:01"))
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "breached", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}/timeline", Status: 200,
			Contains: []string{`"kind":"sla_breached"`, `"summary":"Resolution overdue on ticket #1 Charged twice"`}},
		{Name: "the agent is told", Role: access.Support, Method: "GET", Path: "/api/v1/notifications", Status: 200, Contains: []string{"Resolution overdue on ticket #1"}},
	})
	// Pat's resolution, and Quinn's first response (nobody answered).
	var alarms []string
	for _, d := range hooked() {
		who := "quinn"
		if strings.Contains(string(d.body), e.Vars["t"]) {
			who = "pat"
		}
		alarms = append(alarms, who+" "+d.event)
	}
	slices.Sort(alarms)
	if got := strings.Join(alarms, ", "); got != "pat ticket.sla_breached, pat ticket.sla_warning, quinn ticket.sla_breached, quinn ticket.sla_warning" {
		t.Fatalf("the webhook got %s", got)
	}

	// Pat follows the ticket in the portal and adds to it.
	jar, _ := cookiejar.New(nil)
	pat := &customer{t: t, e: e, c: &http.Client{Jar: jar}}
	_, doc = pat.get("/portal")
	pat.post("/portal/link", url.Values{"email": {"pat@customer.example"}}, doc)
	drain(t, e)
	sent = e.Mail.Messages()
	link := portalLink.FindString(strings.ReplaceAll(strings.ReplaceAll(sent[len(sent)-1].Data, "=\r\n", ""), "=3D", "="))
	if link == "" {
		t.Fatalf("no portal link in:\n%s", sent[len(sent)-1].Data)
	}
	_, doc = pat.get(link[strings.Index(link, "/portal/"):])
	if list := text(doc, ".requests"); !strings.Contains(list, "#1 Charged twice") || strings.Contains(list, "export") {
		t.Fatalf("Pat's requests: %q", list)
	}
	_, doc = pat.get("/portal/tickets/{{t}}")
	if conv := text(doc, ".messages"); !strings.Contains(conv, "Which card did we charge?") || !strings.Contains(conv, "The Visa ending 4242.") {
		t.Fatalf("the conversation in the portal: %q", conv)
	}
	pat.post("/portal/tickets/"+e.Vars["t"]+"/messages", url.Values{"body": {"Any news?"}}, doc)

	// The agent refunds and solves it; Pat rates the outcome.
	e.Clock.Set(at("2026-03-10 10:10"))
	_, doc = agent.get("/tickets/{{t}}")
	if !strings.Contains(text(doc, ".conversation"), "Any news?") {
		t.Fatalf("the portal message on the ticket: %q", text(doc, ".conversation"))
	}
	form = formOf(doc, `form.answer`)
	form.Set("body", "Refunded today. Sorry for the wait.")
	form.Set("status", "solved")
	agent.post("/tickets/"+e.Vars["t"]+"/messages", form)
	drain(t, e)
	var rating string
	for _, m := range e.Mail.Messages() {
		if strings.Contains(m.Data, "Subject: How did we do? [#1] Charged twice") {
			rating = strings.ReplaceAll(strings.ReplaceAll(m.Data, "=\r\n", ""), "=3D", "=")
		}
	}
	bad := regexp.MustCompile(`/csat/[A-Za-z0-9]+\?rating=bad`).FindString(rating)
	if bad == "" {
		t.Fatalf("no rating request:\n%s", rating)
	}
	_, doc = pat.get(bad)
	pat.post(bad[:strings.Index(bad, "?")], url.Values{"rating": {"bad"}, "comment": {"Solved, but slowly."}}, doc)
	e.Run(t, []Scenario{{Name: "solved and rated", Role: access.Support, Method: "GET", Path: "/api/v1/tickets/{{t}}", Status: 200,
		Contains: []string{`"status":"solved"`, `"solved_at":"2026-03-10T09:10:00Z"`, `"csat_rating":"bad"`, `"csat_comment":"Solved, but slowly."`}}})
}

// readMail runs the mailbox readers until done says so (or 20 seconds
// pass), filing what they read.
func readMail(t *testing.T, e *Env, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { e.Sys.Email.ReadMailboxes(ctx, email.Reading{Every: 100 * time.Millisecond}); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		drain(t, e)
		if done() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the mailbox reader filed nothing in 20 seconds")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
