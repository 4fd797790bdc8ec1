package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"io"
	netmail "net/mail"
	"slices"
	"strings"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/store"
)

// ReceiveJob is the kind of the job that reads a received message into
// an email.
const ReceiveJob = "email.receive"

// Receiving configures the SMTP receiver.
type Receiving struct {
	// Domains are those whose addresses the receiver takes mail for; any
	// other recipient is refused.
	Domains []string
	// MaxBytes bounds a message.
	MaxBytes int64
	// Workspace is the workspace mail goes to unless its address names
	// one (a reply to reply+<email id>@…).
	Workspace func(ctx context.Context) (string, error)
	// TLS, when set, offers STARTTLS with its certificate.
	TLS *tls.Config
}

// Receiver is the SMTP receiver's backend: it takes mail for the
// configured domains, keeps each message as it came, and queues a job to
// read it, in one transaction, before it answers 250; nothing is lost and
// nothing is read twice.
type Receiver struct {
	s   *Service
	db  *store.DB
	opt Receiving
}

// Receiver returns the SMTP receiver's backend.
func (s *Service) Receiver(opt Receiving) *Receiver {
	for i, d := range opt.Domains {
		opt.Domains[i] = strings.ToLower(strings.TrimSpace(d))
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 25 << 20
	}
	return &Receiver{s: s, db: s.db, opt: opt}
}

// NewServer is an SMTP server on the receiver, answering as domain.
func (rc *Receiver) NewServer(domain string) *smtp.Server {
	srv := smtp.NewServer(rc)
	srv.Domain = domain
	srv.MaxMessageBytes = rc.opt.MaxBytes
	srv.MaxRecipients = 50
	srv.TLSConfig = rc.opt.TLS
	return srv
}

// NewSession implements smtp.Backend.
func (rc *Receiver) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{rc: rc}, nil }

type session struct {
	rc   *Receiver
	from string
	to   []string
	ws   string
}

func (s *session) Reset()        { s.from, s.to, s.ws = "", nil, "" }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt takes a recipient of the receiver's domains, and learns the
// workspace from the first: the one of the email a reply+<id> address
// answers, or the default one.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	a, err := netmail.ParseAddress(to)
	if err != nil {
		return &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "bad recipient address"}
	}
	local, domain, _ := strings.Cut(strings.ToLower(a.Address), "@")
	if !slices.Contains(s.rc.opt.Domains, domain) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relay denied: no such domain here"}
	}
	if s.ws == "" {
		ctx := context.Background()
		if id, ok := strings.CutPrefix(local, "reply+"); ok {
			err = s.rc.db.Reader().QueryRowContext(ctx, `SELECT workspace_id FROM emails WHERE id = $1`, id).Scan(&s.ws)
			if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
		if err == nil && s.ws == "" {
			s.ws, err = s.rc.opt.Workspace(ctx)
		}
		if err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
	}
	s.to = append(s.to, a.Address)
	return nil
}

// Data keeps the message and queues its reading; a message too big is
// refused (552) and one that cannot be kept now is deferred (451).
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(r, s.rc.opt.MaxBytes+1))
	if err != nil {
		return err
	}
	if int64(len(raw)) > s.rc.opt.MaxBytes {
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message too big"}
	}
	if len(s.to) == 0 {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "no valid recipients"}
	}
	ctx := context.Background()
	err = s.rc.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.rc.s.Keep(ctx, tx, Inbound{WorkspaceID: s.ws, From: s.from, To: strings.Join(s.to, ","), Raw: bytes.Clone(raw)})
	})
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.rc.s.queue.Kick()
	return nil
}

// Inbound is a message as it came, to be read into an email.
type Inbound struct {
	WorkspaceID string
	// From and To are the envelope's (To: the recipients, comma-separated).
	From, To string
	Raw      []byte
	// AccountID is the mailbox it was read from, if any.
	AccountID string
}

// Keep keeps a message as it came and queues the job that reads it, in
// tx: the receiver, the mailbox readers (and the benchmark) take mail in
// this way, so that a message taken is never lost.
func (s *Service) Keep(ctx context.Context, tx *sql.Tx, m Inbound) error {
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO inbound_messages (workspace_id, id, mail_from, rcpt_to, raw, received_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		m.WorkspaceID, id, m.From, m.To, m.Raw, s.db.Dialect().Time(s.now())); err != nil {
		return err
	}
	payload := map[string]string{"inbound_id": id}
	if m.AccountID != "" {
		payload["account_id"] = m.AccountID
	}
	return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: m.WorkspaceID, Kind: ReceiveJob, MaxAttempts: 5, Payload: payload})
}
