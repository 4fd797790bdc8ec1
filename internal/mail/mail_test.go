package mail_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/mail/mailtest"
)

// TestSMTP: a message with an attachment reaches a real SMTP server as
// MIME, and a 550 refusal is permanent while a 451 is not.
func TestSMTP(t *testing.T) {
	srv := mailtest.StartServer(t)
	s, err := mail.ParseURL("smtp://"+srv.Addr+"?tls=none", "Rapport <crm@rapport.example>")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: []string{"Zoë Łukasz <zoe@example.com>"}, Subject: "Angebot für Sie", Text: "Hallo Zoë,\nanbei.",
		Attachments: []mail.Attachment{{Name: "Q-2026-0001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.3 test")}}})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To[0] != "zoe@example.com" || got[0].From != "crm@rapport.example" {
		t.Fatalf("delivered: %+v", got)
	}
	for _, want := range []string{"Subject: =?UTF-8?q?Angebot_f=C3=BCr_Sie?=", "multipart/mixed", `filename="Q-2026-0001.pdf"`, "Content-Type: application/pdf", "JVBERi0xLjMgdGVzdA=="} {
		if !strings.Contains(got[0].Data, want) {
			t.Errorf("message lacks %q:\n%s", want, got[0].Data)
		}
	}
	for code, permanent := range map[int]bool{550: true, 451: false} {
		srv.Refuse(code)
		err := s.Send(context.Background(), mail.Message{To: []string{"nobody@example.com"}, Subject: "x", Text: "x"})
		if err == nil || mail.Permanent(err) != permanent {
			t.Errorf("%d: %v, permanent %v", code, err, err != nil && mail.Permanent(err))
		}
	}
	if _, err := mail.ParseURL("http://x", "a@b.c"); err == nil {
		t.Error("took an http URL")
	}
}

// TestSMTPReuse: a burst of messages shares one connection; a refusal
// closes it and the next message opens another; a server that dropped
// the kept connection costs a fresh one, not the message.
func TestSMTPReuse(t *testing.T) {
	srv := mailtest.StartServer(t)
	srv.RequireAuth("crm", "s3cret")
	s, err := mail.New(mail.Config{Host: "127.0.0.1", Port: port(t, srv.Addr), Security: "none", Username: "crm", Password: "s3cret", From: "crm@rapport.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := range 5 {
		if err := s.Send(ctx, mail.Message{To: []string{"a@example.com"}, Subject: fmt.Sprint("n", i), Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, c := len(srv.Messages()), srv.Conns(); n != 5 || c != 1 {
		t.Fatalf("%d messages over %d connections, want 5 over 1", n, c)
	}
	srv.Refuse(550)
	if err := s.Send(ctx, mail.Message{To: []string{"a@example.com"}, Subject: "refused", Text: "x"}); !mail.Permanent(err) {
		t.Fatalf("refused: %v", err)
	}
	srv.Refuse(0)
	if err := s.Send(ctx, mail.Message{To: []string{"a@example.com"}, Subject: "after", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 6 {
		t.Fatalf("%d messages, want 6", n)
	}

	bad, _ := mail.New(mail.Config{Host: "127.0.0.1", Port: port(t, srv.Addr), Security: "none", Username: "crm", Password: "wrong", From: "crm@rapport.example"})
	err = bad.Send(ctx, mail.Message{To: []string{"a@example.com"}, Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(mail.Reply(err), "535") {
		t.Fatalf("wrong password: %v", err)
	}
	for _, c := range []mail.Config{{Port: 25, From: "a@b.c"}, {Host: "h", Security: "ssl", From: "a@b.c"}, {Host: "h", Port: 70000, From: "a@b.c"}, {Host: "h", From: "nobody"}} {
		if _, err := mail.New(c); err == nil {
			t.Errorf("New(%+v) took it", c)
		}
	}
}

// TestDKIM: a message from the key's domain carries a signature that a
// verifier accepts with the published key; one from another domain is not
// signed.
func TestDKIM(t *testing.T) {
	srv := mailtest.StartServer(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	d, err := mail.ParseDKIMKey(keyPEM, "rapport.example", "mail2026")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	record := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	lookup := func(name string) ([]string, error) {
		if name == "mail2026._domainkey.rapport.example" {
			return []string{record}, nil
		}
		return nil, fmt.Errorf("no TXT at %s", name)
	}
	for _, from := range []string{"Zoë Berg <zoe@rapport.example>", "someone@other.example"} {
		s, err := mail.New(mail.Config{Host: "127.0.0.1", Port: port(t, srv.Addr), Security: "none", From: from, DKIM: d})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), mail.Message{To: []string{"b@example.com"}, Subject: "Grüße aus Köln", Text: "Hallo,\nanbei.", HTML: "<p>Hallo,</p><p>anbei.</p>",
			MessageID: "<1@rapport.example>", References: []string{"<0@rapport.example>"}, InReplyTo: "<0@rapport.example>",
			Attachments: []mail.Attachment{{Name: "a.txt", ContentType: "text/plain", Data: []byte("attached")}}})
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		data := got[len(got)-1].Data
		verifs, err := dkim.VerifyWithOptions(strings.NewReader(data), &dkim.VerifyOptions{LookupTXT: lookup})
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(from, "other.example") {
			if len(verifs) != 0 {
				t.Errorf("mail from another domain was signed")
			}
			continue
		}
		if len(verifs) != 1 || verifs[0].Err != nil || verifs[0].Domain != "rapport.example" {
			t.Fatalf("verifications %+v of\n%s", verifs, data)
		}
		if verifs[0].Err == nil && !slices.Contains(verifs[0].HeaderKeys, "Subject") {
			t.Errorf("the signature does not cover Subject: %v", verifs[0].HeaderKeys)
		}
		// A changed body breaks it.
		tampered := strings.Replace(data, "attached", "ATTACHED", 1)
		tampered = strings.Replace(tampered, "YXR0YWNoZWQ=", "QVRUQUNIRUQ=", 1)
		v2, _ := dkim.VerifyWithOptions(strings.NewReader(tampered), &dkim.VerifyOptions{LookupTXT: lookup})
		if len(v2) != 1 || v2[0].Err == nil {
			t.Error("a changed body still verifies")
		}
	}
	if _, err := mail.ParseDKIMKey([]byte("not a key"), "a.example", "s"); err == nil {
		t.Error("took a key that is not PEM")
	}
}

func port(t *testing.T, addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
