package mail_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/mail/mailtest"
)

// mailpitBinary finds mailpit (go install github.com/axllent/mailpit@v1.33.1):
// on the PATH, or where go install puts it.
func mailpitBinary(t *testing.T) string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	home, _ := os.UserHomeDir()
	for _, p := range []string{os.Getenv("GOBIN"), filepath.Join(os.Getenv("GOPATH"), "bin"), filepath.Join(home, "go", "bin")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(p, "mailpit")); err == nil {
			return filepath.Join(p, "mailpit")
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("mailpit is not installed and CI=true (.ci/run installs it: go install github.com/axllent/mailpit@v1.33.1)")
	}
	t.Skip("\n#####\n## SKIPPING the mailpit test: go install github.com/axllent/mailpit@v1.33.1\n#####")
	return ""
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestMailpit sends through mailpit, a real mail server that other
// programs send to, over STARTTLS (required) with a password: the message
// arrives whole — the UTF-8 subject and names decoded, the text and HTML
// parts, the attachment, the threading headers — as mailpit reads it.
func TestMailpit(t *testing.T) {
	bin := mailpitBinary(t)
	cert := mailtest.SelfSigned(t)
	dir := t.TempDir()
	for name, data := range map[string][]byte{"cert.pem": cert.CertPEM, "key.pem": cert.KeyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	smtpPort, httpPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--disable-version-check", "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--smtp-tls-cert", filepath.Join(dir, "cert.pem"), "--smtp-tls-key", filepath.Join(dir, "key.pem"),
		"--smtp-require-starttls", "--smtp-auth-accept-any", "--smtp-disable-rdns")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	api := fmt.Sprintf("http://127.0.0.1:%d/api/v1/", httpPort)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(api + "info")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v\n%s", err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	s, err := mail.New(mail.Config{Host: "127.0.0.1", Port: smtpPort, Security: "starttls", Username: "crm", Password: "s3cret",
		From: "Zoë Berg <zoe@rapport.example>", TLS: &tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Send(context.Background(), mail.Message{To: []string{"Bjørn Søn <bjorn@example.com>"}, Subject: "Angebot für Bjørn & Søn", ReplyTo: "reply+1@rapport.example",
		Text: "Hallo Bjørn,\n\nanbei das Angebot.", HTML: "<p>Hallo <b>Bjørn</b>,</p><p>anbei das Angebot.</p>",
		MessageID: "<q-1@rapport.example>", InReplyTo: "<q-0@rapport.example>", References: []string{"<q-0@rapport.example>"},
		Attachments: []mail.Attachment{{Name: "Q-2026-0001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.3 test")}}})
	if err != nil {
		t.Fatalf("send: %v\n%s", err, out.String())
	}
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	getJSON(t, api+"messages", &list)
	if len(list.Messages) != 1 {
		t.Fatalf("mailpit holds %d messages", len(list.Messages))
	}
	var m struct {
		MessageID   string
		Subject     string
		From        struct{ Name, Address string }
		To          []struct{ Name, Address string }
		ReplyTo     []struct{ Address string }
		Text        string
		HTML        string
		Attachments []struct {
			FileName    string
			ContentType string
			Size        int
		}
	}
	getJSON(t, api+"message/"+list.Messages[0].ID, &m)
	if m.Subject != "Angebot für Bjørn & Søn" || m.From.Name != "Zoë Berg" || m.From.Address != "zoe@rapport.example" || len(m.To) != 1 || m.To[0].Name != "Bjørn Søn" {
		t.Errorf("headers as mailpit read them: %+v", m)
	}
	if m.MessageID != "q-1@rapport.example" || len(m.ReplyTo) != 1 || m.ReplyTo[0].Address != "reply+1@rapport.example" {
		t.Errorf("Message-ID %q, Reply-To %+v", m.MessageID, m.ReplyTo)
	}
	if !strings.Contains(m.Text, "anbei das Angebot.") || !strings.Contains(m.HTML, "<b>Bjørn</b>") {
		t.Errorf("parts: text %q html %q", m.Text, m.HTML)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].FileName != "Q-2026-0001.pdf" || m.Attachments[0].ContentType != "application/pdf" || m.Attachments[0].Size != 13 {
		t.Errorf("attachments: %+v", m.Attachments)
	}
	var headers map[string][]string
	getJSON(t, api+"message/"+list.Messages[0].ID+"/headers", &headers)
	if got := headers["In-Reply-To"]; len(got) != 1 || got[0] != "<q-0@rapport.example>" {
		t.Errorf("In-Reply-To: %v", got)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
