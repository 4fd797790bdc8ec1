package mail_test

import (
	"context"
	"strings"
	"testing"

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
