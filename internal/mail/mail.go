// Package mail sends messages over SMTP. It is the one way out for mail:
// features compose a Message and hand it to a Sender from a job, never
// inside a request.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	// ContentID makes the file an inline part that the HTML shows by
	// cid: (a report's chart in its digest).
	ContentID string
	Data      []byte
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

// Config is an SMTP server and the address mail goes out from.
type Config struct {
	Host string
	Port int // zero: 587 for starttls and none, 465 for tls
	// Security is starttls (required), tls (implicit, from the first
	// byte) or none (a relay on the same machine, a test server).
	Security           string
	Username, Password string
	// From is the default sender: "Rapport <crm@example.com>".
	From string
	// DKIM, when set, signs every message.
	DKIM *DKIM
	// TLS configures the TLS of the connection (nil: the system's roots
	// check the server's certificate).
	TLS *tls.Config
}

// SMTP sends through one SMTP server, keeping a few connections open
// between messages so that a burst does not pay a handshake per message.
type SMTP struct {
	cfg  Config
	idle chan *conn
}

type conn struct {
	c    *gomail.Client
	used time.Time
}

// maxIdle is how long an unused connection is kept; idleConns how many.
const (
	maxIdle   = 30 * time.Second
	idleConns = 4
)

// New checks cfg and returns a sender through it.
func New(cfg Config) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("SMTP: no host")
	}
	switch cfg.Security {
	case "":
		cfg.Security = "starttls"
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("SMTP: security: want starttls, tls or none, not %q", cfg.Security)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.Security == "tls" {
			cfg.Port = 465
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("SMTP: port %d is out of range", cfg.Port)
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("sender address %q: %w", cfg.From, err)
	}
	return &SMTP{cfg: cfg, idle: make(chan *conn, idleConns)}, nil
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
	cfg := Config{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtp":
		cfg.Security = "starttls"
	case "smtps":
		cfg.Security = "tls"
	default:
		return nil, fmt.Errorf("SMTP URL: want smtp:// or smtps://, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("SMTP URL: port %q", p)
		}
	}
	switch t := u.Query().Get("tls"); t {
	case "":
	case "none", "starttls", "tls":
		cfg.Security = t
	default:
		return nil, fmt.Errorf("SMTP URL: tls: want none, starttls or tls, not %q", t)
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	return New(cfg)
}

// Send delivers m. A refusal by the server is an error that says whether
// it was for good (a 5xx reply): Permanent reports it.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	c, reused, err := s.take(ctx)
	if err != nil {
		return &Error{err: err}
	}
	err = c.c.Send(msg)
	if err != nil && reused && stale(err) {
		// The server dropped the idle connection before the message
		// began: nothing was sent, so send on a fresh one.
		_ = c.c.Close()
		if c, err = s.dial(ctx); err != nil {
			return &Error{err: err}
		}
		err = c.c.Send(msg)
	}
	if err != nil {
		_ = c.c.Close()
		return &Error{err: err}
	}
	s.put(c)
	return nil
}

// stale reports whether a send on a reused connection failed before the
// message transaction began (the connection was gone), as opposed to a
// reply of the server.
func stale(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	return se.Reason == gomail.ErrConnCheck || (se.Reason == gomail.ErrSMTPMailFrom && se.ErrorCode() == 0)
}

// take returns an open connection, a kept one when there is one.
func (s *SMTP) take(ctx context.Context) (*conn, bool, error) {
	for {
		select {
		case c := <-s.idle:
			if time.Since(c.used) < maxIdle {
				return c, true, nil
			}
			_ = c.c.Close()
		default:
			c, err := s.dial(ctx)
			return c, false, err
		}
	}
}

// put keeps a connection for the next message, or closes it.
func (s *SMTP) put(c *conn) {
	c.used = time.Now()
	select {
	case s.idle <- c:
	default:
		_ = c.c.Close()
	}
}

func (s *SMTP) dial(ctx context.Context) (*conn, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(30 * time.Second)}
	if s.cfg.TLS != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.TLS))
	}
	switch s.cfg.Security {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.Username != "" {
		// Without TLS (chosen for a relay on the same host), the
		// password goes as PLAIN; over TLS the best mechanism offered.
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.Security == "none" {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, err
	}
	return &conn{c: c}, nil
}

// SignWith makes the sender sign with d (DKIM) from now on.
func (s *SMTP) SignWith(d *DKIM) { s.cfg.DKIM = d }

// Close closes the kept connections.
func (s *SMTP) Close() {
	for {
		select {
		case c := <-s.idle:
			_ = c.c.Close()
		default:
			return
		}
	}
}

// compose makes the MIME message of m: text, the HTML alternative,
// attachments, UTF-8 headers encoded, threading headers, and the DKIM
// signature when a key is configured.
func (s *SMTP) compose(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	from := m.From
	if from == "" {
		from = s.cfg.From
	}
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("from %q: %w", from, err)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return nil, fmt.Errorf("cc: %w", err)
		}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	} else {
		msg.SetMessageID()
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, m.InReplyTo)
	}
	if len(m.References) > 0 {
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(m.References, " "))
	}
	for _, a := range m.Attachments {
		opts := []gomail.FileOption{gomail.WithFileContentType(gomail.ContentType(a.ContentType))}
		if a.ContentID != "" {
			if err := msg.EmbedReader(a.Name, bytes.NewReader(a.Data), append(opts, gomail.WithFileContentID(a.ContentID))...); err != nil {
				return nil, fmt.Errorf("embed %s: %w", a.Name, err)
			}
			continue
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), opts...); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	if s.cfg.DKIM != nil {
		if err := s.cfg.DKIM.sign(msg); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// From is the default sender.
func (s *SMTP) From() string { return s.cfg.From }

// Domain is the domain of a sender address ("Rapport <crm@example.com>"
// → "example.com"): where Message-IDs are made.
func (s *SMTP) Domain() string {
	if a, err := mail.ParseAddress(s.cfg.From); err == nil {
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
