// Package mail sends messages over SMTP. It is the one way out for mail:
// features compose a Message and hand it to a Sender from a job, never
// inside a request.
package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail to send.
type Message struct {
	From    string // "Name <address>"; the sender's default when empty
	To, Cc  []string
	ReplyTo string
	Subject string
	Text    string
	// HTML, when set, goes with Text as multipart/alternative.
	HTML string
	// MessageID ("<…@domain>") names the message; InReplyTo and
	// References thread a reply with what it answers.
	MessageID, InReplyTo string
	References           []string
	Attachments          []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
	// Domain is the domain of the sender's address, where Message-IDs
	// and reply addresses are made.
	Domain() string
	// From is the default sender ("Rapport <crm@example.com>").
	From() string
}

// SMTP sends through one SMTP server.
type SMTP struct {
	host       string
	port       int
	tls        string // starttls (required), tls (implicit), none
	user, pass string
	from       string
}

// ParseURL reads an SMTP server's URL: smtp://user:password@host:587
// (STARTTLS required), smtps://user:password@host:465 (TLS from the
// start), or smtp://host:25?tls=none (no TLS: a relay on the same
// machine or a test server). from is the default sender.
func ParseURL(raw, from string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	s := &SMTP{host: u.Hostname(), from: from}
	switch u.Scheme {
	case "smtp":
		s.tls, s.port = "starttls", 587
	case "smtps":
		s.tls, s.port = "tls", 465
	default:
		return nil, fmt.Errorf("SMTP URL: want smtp:// or smtps://, not %q", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("SMTP URL: port %q", p)
		}
	}
	switch t := u.Query().Get("tls"); t {
	case "":
	case "none", "starttls", "tls":
		s.tls = t
	default:
		return nil, fmt.Errorf("SMTP URL: tls: want none, starttls or tls, not %q", t)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("sender address %q: %w", from, err)
	}
	return s, nil
}

// Send delivers m. A refusal by the server is an error that says whether
// it was for good (a 5xx reply): Permanent reports it.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	opts := []gomail.Option{gomail.WithPort(s.port)}
	switch s.tls {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return err
	}
	msg := gomail.NewMsg()
	from := m.From
	if from == "" {
		from = s.from
	}
	if err := msg.From(from); err != nil {
		return fmt.Errorf("from %q: %w", from, err)
	}
	if err := msg.To(m.To...); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return fmt.Errorf("cc: %w", err)
		}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return fmt.Errorf("reply-to: %w", err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, m.InReplyTo)
	}
	if len(m.References) > 0 {
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(m.References, " "))
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return &Error{err: err}
	}
	return nil
}

// From is the default sender.
func (s *SMTP) From() string { return s.from }

// Domain is the domain of a sender address ("Rapport <crm@example.com>"
// → "example.com"): where Message-IDs are made.
func (s *SMTP) Domain() string {
	if a, err := mail.ParseAddress(s.from); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok {
			return domain
		}
	}
	return "localhost"
}

// Reply is the server's reply to a failed delivery ("550 5.1.1 no such
// user"), or the error's text when the server gave none.
func Reply(err error) string {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code > 0 {
			return fmt.Sprintf("%d %s", code, se.Error())
		}
	}
	return err.Error()
}

// Error is a failed delivery.
type Error struct{ err error }

func (e *Error) Error() string { return "send mail: " + e.err.Error() }
func (e *Error) Unwrap() error { return e.err }

// Permanent reports whether err is a refusal for good: the server replied
// 5xx, so sending again would fail again. Anything else (a 4xx reply, a
// server that cannot be reached) may pass later.
func Permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp() && se.ErrorCode() >= 500
	}
	return false
}
