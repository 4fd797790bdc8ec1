package apitest

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/smtp"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/mail/mailtest"
)

// receiver starts the application's SMTP receiver on a loopback port,
// taking mail for crm.example (messages up to maxBytes) into the test's
// workspace, and returns its address.
func (e *Env) receiver(t *testing.T, maxBytes int64) string {
	return e.receiverTLS(t, maxBytes, nil)
}

// receiverTLS is receiver offering STARTTLS with tlsConfig (nil: none).
func (e *Env) receiverTLS(t *testing.T, maxBytes int64, tlsConfig *tls.Config) string {
	t.Helper()
	rc := e.Sys.Email.Receiver(email.Receiving{Domains: []string{"crm.example"}, MaxBytes: maxBytes, TLS: tlsConfig,
		Workspace: func(context.Context) (string, error) { return e.WS, nil }})
	e.Sys.Email.RepliesTo("crm.example")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := rc.NewServer("crm.example")
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

// deliver hands msg to the receiver at addr with swaks and runs the jobs
// that file it.
func (e *Env) deliver(t *testing.T, addr, from, to, msg string) {
	t.Helper()
	if out, err := swaks(t, addr, from, to, []byte(msg)); err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	drain(t, e)
}

// swaks delivers a message file with Debian's swaks, a real SMTP client;
// without swaks it says so loudly and skips — or fails under CI=true.
func swaks(t *testing.T, addr, from, to string, message []byte, extra ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("swaks"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("swaks is not installed and CI=true (.ci/run installs it)")
		}
		t.Skip("\n#####\n## SKIPPING the SMTP receiver tests: no swaks (apt-get install swaks)\n#####")
	}
	path := filepath.Join(t.TempDir(), "message.eml")
	if err := os.WriteFile(path, message, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--server", addr, "--from", from, "--to", to, "--data", path, "--helo", "mail.gmail.example", "--timeout", "10"}, extra...)
	out, err := exec.Command("swaks", args...).CombinedOutput()
	return string(out), err
}

// TestReceiveEmail: a reply to mail sent from Rapport, written the way
// Gmail writes it and delivered by swaks to the built-in receiver, becomes
// an email threaded under the one it answers, about the same records and
// the people it was between, on their timelines as email_in; delivered
// twice, it is kept once; an answer to the reply+<id> address threads even
// without its headers; mail for another domain and mail too big are
// refused.
func TestReceiveEmail(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	addr := e.receiver(t, 64<<10)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "zoe", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Zoë","email":"zoe.berg@gmail.example","company_id":"{{acme}}"}`, Status: 201, Events: 1, Save: "zoe"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","email":"grace@example.com"}`, Status: 201, Events: 1, Save: "grace"},
		{Name: "deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Rollout"}`, Status: 201, Events: 1, Save: "deal"},
		{Name: "an offer", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "offer",
			Body: `{"to":["zoe.berg@gmail.example"],"subject":"Angebot für Sie","body_html":"<p>Anbei.</p>","related":[{"object":"deals","id":"{{deal}}"}]}`},
	})
	drain(t, e)
	if sent := e.Mail.Messages(); len(sent) != 1 || !strings.Contains(strings.ReplaceAll(sent[0].Data, "\r\n ", " "), "Reply-To: \"sales\" <reply+"+e.Vars["offer"]+"@crm.example>") {
		t.Fatalf("the offer's Reply-To: %v", sent)
	}
	raw, err := os.ReadFile("../email/testdata/gmail.eml")
	if err != nil {
		t.Fatal(err)
	}
	reply := bytes.ReplaceAll(raw, []byte("<01a2@rapport.example>"), []byte("<"+e.Vars["offer"]+"@rapport.example>"))
	if out, err := swaks(t, addr, "zoe.berg@gmail.example", "sales@crm.example", reply); err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	drain(t, e)
	r := e.Do(access.Sales, "GET", "/api/v1/emails?filter=direction%20%3D%20%22in%22", "", nil)
	list, _ := r.JSON["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("received: %s", r.Body)
	}
	got := list[0].(map[string]any)
	e.Vars["reply"] = got["id"].(string)
	e.Run(t, []Scenario{
		{Name: "the reply", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{reply}}", Status: 200, Contains: []string{
			`"status":"received"`, `"subject":"Re: Angebot für Sie"`, `"in_reply_to":"{{offer}}"`, `"from":"Zoë Berg <zoe.berg@gmail.example>"`,
			`"body_text":"Danke, das passt. Grüße"`, `{"id":"{{deal}}","object":"deals"}`, `{"id":"{{zoe}}","object":"contacts"}`, `{"id":"{{acme}}","object":"companies"}`,
			`{"id":"{{grace}}","object":"contacts"}`, `"to":["sales@crm.example"]`, `"cc":["ada@example.com","grace@example.com"]`}},
		{Name: "on the deal's timeline", Method: "GET", Path: "/api/v1/deals/{{deal}}/timeline", Status: 200,
			Contains: []string{`"kind":"email_in"`, `"summary":"Received email Re: Angebot für Sie from zoe.berg@gmail.example"`}},
		{Name: "on Zoë's", Method: "GET", Path: "/api/v1/contacts/{{zoe}}/timeline", Status: 200, Contains: []string{`"kind":"email_in"`}},
	})

	// Delivered twice (another client this time): kept once.
	if err := smtp.SendMail(addr, nil, "zoe.berg@gmail.example", []string{"sales@crm.example"}, reply); err != nil {
		t.Fatalf("again: %v", err)
	}
	drain(t, e)
	if r := e.Do(access.Sales, "GET", "/api/v1/emails?filter=direction%20%3D%20%22in%22&count=true", "", nil); r.JSON["total"] != float64(1) {
		t.Errorf("after a second delivery: %v", r.JSON["total"])
	}

	// No thread headers, but the reply address.
	bare := "From: Zoë <zoe.berg@gmail.example>\r\nTo: reply+" + e.Vars["offer"] + "@crm.example\r\nSubject: one more\r\nMessage-ID: <bare@gmail.example>\r\n\r\nAnd the invoice?\r\n"
	if err := smtp.SendMail(addr, nil, "zoe.berg@gmail.example", []string{"reply+" + e.Vars["offer"] + "@crm.example"}, []byte(bare)); err != nil {
		t.Fatal(err)
	}
	drain(t, e)
	e.Run(t, []Scenario{{Name: "threaded by its address", Role: access.Sales, Method: "GET", Path: "/api/v1/emails?filter=message_id%20%3D%20%22%3Cbare%40gmail.example%3E%22", Status: 200,
		Contains: []string{`"in_reply_to":"{{offer}}"`, `{"id":"{{deal}}","object":"deals"}`, `"body_html":"<p>And the invoice?</p>"`}}})

	// A bounce: the email is bounced, the contact's address marked, and no conversation kept.
	e.Run(t, []Scenario{
		{Name: "gone", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Gone","email":"gone@example.com"}`, Status: 201, Events: 1, Save: "gone"},
		{Name: "to gone", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Body: `{"to":["gone@example.com"],"subject":"Hello","body_html":"Hi","related":[{"object":"contacts","id":"{{gone}}"}]}`,
			Status: 202, Events: 1, Jobs: 1, Save: "hello"},
	})
	drain(t, e)
	dsn, err := os.ReadFile("../email/testdata/bounce.eml")
	if err != nil {
		t.Fatal(err)
	}
	dsn = bytes.ReplaceAll(dsn, []byte("<01a2-original@rapport.example>"), []byte("<"+e.Vars["hello"]+"@rapport.example>"))
	if err := smtp.SendMail(addr, nil, "", []string{"reply+" + e.Vars["hello"] + "@crm.example"}, dsn); err != nil {
		t.Fatalf("the bounce: %v", err)
	}
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "bounced", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{hello}}", Status: 200,
			Contains: []string{`"status":"bounced"`, `"error":"5.1.1 550-5.1.1 The email account that you tried to reach does not exist."`}},
		{Name: "the address bounces", Method: "GET", Path: "/api/v1/contacts/{{gone}}", Status: 200, Contains: []string{`"email_bounced":true`}},
		{Name: "no conversation", Method: "GET", Path: "/api/v1/emails?filter=direction%20%3D%20%22in%22&count=true", Status: 200, Contains: []string{`"total":2`}},
		{Name: "not by hand", Method: "PATCH", Path: "/api/v1/contacts/{{gone}}", Body: `{"email_bounced":false}`, Status: 422, Contains: []string{`"field":"email_bounced"`}},
	})
	if _, doc := e.browser(t, access.Sales).get("/contacts/{{gone}}"); !strings.Contains(text(doc, ".meta"), "Email bounces") || doc.Find(`input[name=email_bounced]`).Length() != 0 {
		t.Errorf("the contact's page: %q", text(doc, ".meta"))
	}
	e.Run(t, []Scenario{
		{Name: "a new address is not bouncing", Method: "PATCH", Path: "/api/v1/contacts/{{gone}}", Body: `{"email":"back@example.com"}`, Status: 200, Events: 1,
			Contains: []string{`"email_bounced":false`}},
	})

	// Refused: another domain, and too big.
	if err := smtp.SendMail(addr, nil, "x@spam.example", []string{"someone@elsewhere.example"}, []byte("Subject: x\r\n\r\nx\r\n")); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("relay: %v", err)
	}
	big := "From: x@gmail.example\r\nTo: sales@crm.example\r\nSubject: big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 5000)
	if err := smtp.SendMail(addr, nil, "x@gmail.example", []string{"sales@crm.example"}, []byte(big)); err == nil || !strings.Contains(err.Error(), "552") {
		t.Errorf("too big: %v", err)
	}
}

// TestReceiveCreatesContacts: with the workspace's setting on, mail from
// someone unknown makes them a contact (name split, "email" as the lead
// source), related to the email; an auto-reply makes no contact, nor does
// mail while the setting is off (set in the settings page).
func TestReceiveCreatesContacts(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	addr := e.receiver(t, 1<<20)
	send := func(from, name, extra string) {
		t.Helper()
		msg := "From: " + name + " <" + from + ">\r\nTo: sales@crm.example\r\nSubject: Hello\r\nMessage-ID: <" + from + ">\r\n" + extra + "\r\nHi\r\n"
		if err := smtp.SendMail(addr, nil, from, []string{"sales@crm.example"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		drain(t, e)
	}
	send("off@new.example", "Off Switch", "")
	b := e.browser(t, access.Admin)
	if _, doc := b.post("/settings/mail", url.Values{"mail_creates_contacts": {"on"}}); !strings.Contains(text(doc, ".flash"), "Mail settings saved") {
		t.Fatalf("setting: %q", text(doc, ".flash, .alert"))
	}
	send("nora@new.example", "Nora Nilsen", "")
	send("robot@new.example", "Robot", "Auto-Submitted: auto-replied\r\n")
	e.Run(t, []Scenario{
		{Name: "Nora is known now", Method: "GET", Path: "/api/v1/contacts?filter=" + url.QueryEscape(`email = "nora@new.example"`), Status: 200,
			Contains: []string{`"first_name":"Nora"`, `"last_name":"Nilsen"`, `"lead_source":"email"`}},
		{Name: "her mail is about her", Method: "GET", Path: "/api/v1/emails?filter=" + url.QueryEscape(`message_id = "<nora@new.example>"`), Status: 200, Contains: []string{`"object":"contacts"`}},
		{Name: "no robot", Method: "GET", Path: "/api/v1/contacts?count=true&filter=" + url.QueryEscape(`email = "robot@new.example" OR email = "off@new.example"`), Status: 200,
			Contains: []string{`"total":0`}},
		{Name: "the setting", Method: "GET", Path: "/api/v1/workspace", Status: 200, Contains: []string{`"mail_creates_contacts":true`}},
	})
}

// TestReceiveOverTLS: the receiver offers STARTTLS with its certificate;
// swaks, told to require it, delivers a message that is filed.
func TestReceiveOverTLS(t *testing.T) {
	e := NewInstall(t)
	cert := mailtest.SelfSigned(t)
	addr := e.receiverTLS(t, 1<<20, &tls.Config{Certificates: []tls.Certificate{cert.Pair}})
	msg := []byte("From: Zoë <zoe@example.com>\r\nTo: sales@crm.example\r\nSubject: Over TLS\r\nMessage-ID: <tls-1@example.com>\r\n\r\nPrivate words.\r\n")
	out, err := swaks(t, addr, "zoe@example.com", "sales@crm.example", msg, "--tls")
	if err != nil || !strings.Contains(out, "STARTTLS") || !strings.Contains(out, "TLS started") {
		t.Fatalf("swaks --tls: %v\n%s", err, out)
	}
	drain(t, e)
	if got := inbound(t, e); len(got) != 1 || got[0]["subject"] != "Over TLS" {
		t.Fatalf("filed: %v", got)
	}
}
