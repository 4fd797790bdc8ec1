package apitest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/mail/mailtest"
)

// TestMailAccounts: admins keep the workspace's mail accounts and each
// user their own; passwords go in sealed and never come out; a test from
// the account sends a real message (or says what the server answered);
// mail goes out through the writer's own account, else the workspace's,
// each at most per_minute a minute (the rest waits, not failing).
func TestMailAccounts(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	team := mailtest.StartServer(t)
	team.RequireAuth("team", "team-pass")
	own := mailtest.StartServer(t)
	own.RequireAuth("sales", "own-pass")
	port := func(s *mailtest.Server) string { return s.Addr[strings.LastIndex(s.Addr, ":")+1:] }
	e.Vars["team_port"], e.Vars["own_port"] = port(team), port(own)
	e.Run(t, []Scenario{
		{Name: "a workspace account", Method: "POST", Path: "/api/v1/mail-accounts", Status: 201, Save: "team",
			Body:     `{"name":"Sales team","address":"Team@Rapport.example","per_minute":2,"smtp":{"host":"127.0.0.1","port":{{team_port}},"security":"none","username":"team","password":"team-pass"}}`,
			Contains: []string{`"address":"team@rapport.example"`, `"has_password":true`, `"per_minute":2`}, Lacks: []string{"team-pass", `"user_id"`}},
		{Name: "only admins keep the workspace's", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 403,
			Body: `{"name":"Mine","address":"x@rapport.example","smtp":{"host":"127.0.0.1"}}`},
		{Name: "a user's own", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 201, Save: "own",
			Body:     `{"personal":true,"name":"Sam Sales","address":"sam@sales.example","smtp":{"host":"127.0.0.1","port":{{own_port}},"security":"none","username":"sales","password":"own-pass"}}`,
			Contains: []string{`"user_id":"{{sales_id}}"`, `"has_password":true`}, Lacks: []string{"own-pass"}},
		{Name: "read-only users send nothing", Role: access.ReadOnly, Method: "POST", Path: "/api/v1/mail-accounts", Status: 403,
			Body: `{"personal":true,"name":"R","address":"r@x.example","smtp":{"host":"127.0.0.1"}}`},
		{Name: "bad fields named", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 422,
			Body:     `{"personal":true,"name":" ","address":"nobody","per_minute":0,"smtp":{"host":"smtp.example.com","port":99999,"security":"ssl"},"imap":{"host":"imap.example.com"}}`,
			Contains: []string{`"field":"name"`, `"field":"address"`, `"field":"per_minute"`, `"field":"smtp.port"`, `"field":"smtp.security"`, `"field":"imap.username"`}},
		{Name: "neither server", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 422,
			Body: `{"personal":true,"name":"x","address":"x@x.example"}`, Contains: []string{`"field":"smtp.host"`}},
		{Name: "a wrong type", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 422,
			Body: `{"personal":true,"name":"x","address":"x@x.example","smtp":{"host":"h","port":"587"}}`, Contains: []string{`"field":"smtp.port"`}},
		{Name: "an unknown field", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts", Status: 422,
			Body: `{"personal":true,"name":"x","address":"x@x.example","smtp":{"host":"h"},"colour":"red"}`, Contains: []string{`"field":"colour"`}},
		{Name: "sales sees the workspace's and its own", Role: access.Sales, Method: "GET", Path: "/api/v1/mail-accounts", Status: 200,
			Contains: []string{`"id":"{{team}}"`, `"id":"{{own}}"`}},
		{Name: "support does not see sales's own", Role: access.Support, Method: "GET", Path: "/api/v1/mail-accounts", Status: 200,
			Contains: []string{`"id":"{{team}}"`}, Lacks: []string{`"id":"{{own}}"`}},
		{Name: "nor read it", Role: access.Support, Method: "GET", Path: "/api/v1/mail-accounts/{{own}}", Status: 404},
		{Name: "nor change it", Role: access.Support, Method: "PATCH", Path: "/api/v1/mail-accounts/{{own}}", Body: `{"name":"Mine now"}`, Status: 404},
		{Name: "a change keeps the password", Role: access.Sales, Method: "PATCH", Path: "/api/v1/mail-accounts/{{own}}", Body: `{"name":"Sam"}`, Status: 200,
			Contains: []string{`"name":"Sam"`, `"has_password":true`, `"address":"sam@sales.example"`}},
		{Name: "another server does not get it", Role: access.Sales, Method: "PATCH", Path: "/api/v1/mail-accounts/{{own}}", Body: `{"smtp":{"host":"smtp.elsewhere.example"}}`, Status: 200,
			Contains: []string{`"host":"smtp.elsewhere.example"`, `"has_password":false`}},
		{Name: "back, with it", Role: access.Sales, Method: "PATCH", Path: "/api/v1/mail-accounts/{{own}}", Body: `{"smtp":{"host":"127.0.0.1","password":"own-pass"}}`, Status: 200,
			Contains: []string{`"has_password":true`}},
	})
	// Sealed at rest.
	var sealed string
	if err := e.Sys.DB.Reader().QueryRowContext(context.Background(), `SELECT smtp_password FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, e.WS, e.Vars["own"]).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "own-pass") || !strings.HasPrefix(sealed, "v1:") {
		t.Fatalf("the password is kept as %q", sealed)
	}

	// The test from the settings: a real message to the one who asked.
	e.Run(t, []Scenario{
		{Name: "test own", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts/{{own}}/test", Status: 202, Jobs: 1},
		{Name: "the workspace's tested by admins only", Role: access.Sales, Method: "POST", Path: "/api/v1/mail-accounts/{{team}}/test", Status: 403},
	})
	drain(t, e)
	if got := own.Messages(); len(got) != 1 || got[0].To[0] != "sales@test.example" || !strings.Contains(got[0].Data, "Subject: Rapport: test message from sam@sales.example") {
		t.Fatalf("test message: %+v", got)
	}
	e.Run(t, []Scenario{
		{Name: "tested", Role: access.Sales, Method: "GET", Path: "/api/v1/mail-accounts/{{own}}", Status: 200, Contains: []string{`"test_error":""`}, Lacks: []string{`"tested_at":null`}},
		{Name: "a wrong password", Method: "PATCH", Path: "/api/v1/mail-accounts/{{team}}", Body: `{"smtp":{"password":"wrong"}}`, Status: 200,
			Contains: []string{`"host":"127.0.0.1"`, `"username":"team"`}},
		{Name: "test it", Method: "POST", Path: "/api/v1/mail-accounts/{{team}}/test", Status: 202, Jobs: 1},
	})
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "the server's answer", Method: "GET", Path: "/api/v1/mail-accounts/{{team}}", Status: 200, Contains: []string{`"test_error":"SMTP: `, `535 \"5.7.8 bad credentials\"`}},
		{Name: "right again", Method: "PATCH", Path: "/api/v1/mail-accounts/{{team}}", Body: `{"smtp":{"password":"team-pass"}}`, Status: 200},
	})

	// Mail goes out through the writer's own account, else the
	// workspace's.
	// Half a minute into a minute, so that the rate limit's minute is the
	// same for all that follows until the clock moves on.
	start := e.Clock.Now().UTC().Truncate(time.Minute).Add(time.Minute + 30*time.Second)
	e.Clock.Set(start)
	e.Run(t, []Scenario{
		{Name: "sales writes", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "m1",
			Body: `{"to":["ada@example.com"],"subject":"From my own","body_html":"Hi"}`, Contains: []string{`"from":"sales <sam@sales.example>"`, `"account_id":"{{own}}"`, `@sales.example>"`}},
	})
	for i := range 3 {
		e.Run(t, []Scenario{{Name: fmt.Sprint("manager writes ", i), Role: access.Manager, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: fmt.Sprint("t", i),
			Body: fmt.Sprintf(`{"to":["bob@example.com"],"subject":"Team %d","body_html":"Hi"}`, i), Contains: []string{`"from":"manager <team@rapport.example>"`, `"account_id":"{{team}}"`}}})
	}
	drain(t, e)
	if got := own.Messages(); len(got) != 2 || !strings.Contains(got[1].Data, "Subject: From my own") || strings.Contains(got[1].Data, "Reply-To") {
		t.Fatalf("through the own account: %+v", got)
	}
	sent := team.Messages()
	if len(sent) != 2 || !strings.Contains(sent[0].Data, `Reply-To: "manager" <manager@test.example>`) {
		t.Fatalf("through the team account, at most 2 a minute: %d messages %+v", len(sent), sent)
	}
	e.Run(t, []Scenario{{Name: "the third waits", Role: access.Manager, Method: "GET", Path: "/api/v1/emails/{{t2}}", Status: 200, Contains: []string{`"status":"queued"`}}})
	e.Clock.Set(start.Add(time.Minute))
	drain(t, e)
	if sent = team.Messages(); len(sent) != 3 {
		t.Fatalf("the next minute: %d messages", len(sent))
	}
	e.Run(t, []Scenario{
		{Name: "sent in the next minute", Role: access.Manager, Method: "GET", Path: "/api/v1/emails/{{t2}}", Status: 200, Contains: []string{`"status":"sent"`}},
		{Name: "delete own", Role: access.Sales, Method: "DELETE", Path: "/api/v1/mail-accounts/{{own}}", Status: 204},
		{Name: "now through the workspace's", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1,
			Body: `{"to":["ada@example.com"],"subject":"Via team","body_html":"Hi"}`, Contains: []string{`"account_id":"{{team}}"`}},
		{Name: "delete the workspace's", Role: access.Sales, Method: "DELETE", Path: "/api/v1/mail-accounts/{{team}}", Status: 403},
	})
}

// TestSendAtMostOnce: an email a worker was handing to the server when it
// died (still "sending" when its job runs again) is not sent again: it is
// failed, saying it may have gone out. One queued is sent once, however
// often its job runs.
func TestSendAtMostOnce(t *testing.T) {
	e := NewInstall(t)
	e.Run(t, []Scenario{
		{Name: "one", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "cut",
			Body: `{"to":["ada@example.com"],"subject":"Cut off","body_html":"Hi"}`},
	})
	// The worker marked it sending, then died before it knew the answer.
	if _, err := e.Sys.Records.Update(context.Background(), access.System(e.WS), email.Object, e.Vars["cut"], map[string]any{"status": "sending"}, nil); err != nil {
		t.Fatal(err)
	}
	drain(t, e)
	if n := len(e.Mail.Messages()); n != 0 {
		t.Fatalf("sent %d times", n)
	}
	e.Run(t, []Scenario{
		{Name: "failed, saying why", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{cut}}", Status: 200,
			Contains: []string{`"status":"failed"`, "it may have gone out, so it was not sent again"}},
		{Name: "two", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "ok",
			Body: `{"to":["ada@example.com"],"subject":"Whole","body_html":"Hi"}`},
	})
	drain(t, e)
	// Its job run again (a node that took it over) sends nothing more.
	if _, err := e.Sys.DB.Writer().ExecContext(context.Background(), `UPDATE jobs SET state = 'available', attempt = 0 WHERE workspace_id = $1 AND kind = $2`, e.WS, email.SendJob); err != nil {
		t.Fatal(err)
	}
	drain(t, e)
	if n := len(e.Mail.Messages()); n != 1 {
		t.Fatalf("sent %d times, want once", n)
	}
}

// TestWithoutInstallSMTP: with no --smtp, mail goes out only through mail
// accounts: without one an email is a 409 that says what to do; with the
// workspace's account an email goes, and so does a task's reminder.
func TestWithoutInstallSMTP(t *testing.T) {
	e := NewInstallWithoutSMTP(t)
	e.Clock.Set(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))
	e.Vars["port"] = e.Mail.Addr[strings.LastIndex(e.Mail.Addr, ":")+1:]
	e.Run(t, []Scenario{
		{Name: "nowhere to send from", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["ada@example.com"],"subject":"x","body_html":"x"}`,
			Status: 409, Contains: []string{"no mail server is set up: add a mail account in Settings, or start Rapport with --smtp"}},
		{Name: "the workspace's account", Method: "POST", Path: "/api/v1/mail-accounts", Status: 201,
			Body: `{"name":"Team","address":"team@rapport.example","smtp":{"host":"127.0.0.1","port":{{port}},"security":"none"}}`},
		{Name: "now it goes", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["ada@example.com"],"subject":"Hello","body_html":"x"}`,
			Status: 202, Events: 1, Jobs: 1},
		{Name: "a task with a reminder", Role: access.Sales, Method: "POST", Path: "/api/v1/tasks", Status: 201, Events: 1, Jobs: 1,
			Body: `{"title":"Call Ada","due_at":"2026-01-05T09:00:00Z","remind_at":"2026-01-05T08:45:00Z"}`},
	})
	e.Clock.Set(time.Date(2026, 1, 5, 8, 46, 0, 0, time.UTC))
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the email and the reminder", len(msgs))
	}
	var subjects []string
	for _, m := range msgs {
		if m.From != "team@rapport.example" {
			t.Errorf("sent from %s", m.From)
		}
		subjects = append(subjects, m.Data[strings.Index(m.Data, "Subject: "):][:30])
	}
	if !strings.Contains(strings.Join(subjects, "|"), "Subject: Hello") || !strings.Contains(strings.Join(subjects, "|"), "Subject: Reminder: Call Ada") {
		t.Errorf("subjects: %v", subjects)
	}
}
