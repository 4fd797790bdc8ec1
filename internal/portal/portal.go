// Package portal signs customers in to the customer portal: a contact
// asks for a link by their address, gets a one-time link by mail (valid
// for a short while), and the link starts a session. No passwords; only
// hashes of the links and the sessions are kept. What a signed-in
// customer may see and do is the helpdesk's (tickets.Service's
// customer-side methods), always for that contact alone.
package portal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/secret"
	"github.com/rapport-crm/rapport/internal/store"
)

// LinkJob is the kind of the job that mails a sign-in link.
const LinkJob = "portal.link"

// How long a link and a session last, and how many links an address
// gets an hour.
const (
	LinkTTL      = 20 * time.Minute
	SessionTTL   = 30 * 24 * time.Hour
	LinksPerHour = 5
)

// Mailer sends Rapport's own mail (the email service).
type Mailer interface {
	Notice(ctx context.Context, ws string, m mail.Message) error
}

// Service signs customers in.
type Service struct {
	db    *store.DB
	eng   *records.Engine
	queue *jobs.Queue
	mail  Mailer
	now   func() time.Time
}

// New registers the link job. Call at start-up.
func New(db *store.DB, eng *records.Engine, queue *jobs.Queue, mailer Mailer, now func() time.Time) *Service {
	s := &Service{db: db, eng: eng, queue: queue, mail: mailer, now: now}
	queue.Handle(LinkJob, s.mailLink)
	return s
}

func newToken() string { return rand.Text() }

// RequestLink mails a sign-in link to the contact at addr, if there is
// one, through base (the portal's public URL). Whether there is one is
// not told: the answer is the same either way. An address gets at most
// LinksPerHour links an hour.
func (s *Service) RequestLink(ctx context.Context, ws, addr, base string) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" || !strings.Contains(addr, "@") {
		return fault.Invalid(fault.FieldError{Field: "email", Message: "is required: your email address"})
	}
	found, err := s.eng.FindBy(ctx, access.System(ws), "contacts", "email", []string{addr})
	if err != nil {
		return err
	}
	c, ok := found[addr]
	if !ok {
		return nil
	}
	d := s.db.Dialect()
	now := s.now().UTC()
	var recent int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM portal_links WHERE workspace_id = $1 AND contact_id = $2 AND created_at > $3`,
		ws, c.ID(), d.Time(now.Add(-time.Hour))).Scan(&recent); err != nil {
		return err
	}
	if recent >= LinksPerHour {
		return nil // quietly: the links already sent still work
	}
	token := newToken()
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_links (workspace_id, token_hash, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			ws, secret.Hash(token), c.ID(), d.Time(now), d.Time(now.Add(LinkTTL))); err != nil {
			return err
		}
		link := strings.TrimRight(base, "/") + "/portal/login?token=" + token
		return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: ws, Kind: LinkJob, MaxAttempts: 5, Payload: linkPayload{To: addr, Link: link}})
	})
}

type linkPayload struct {
	To   string `json:"to"`
	Link string `json:"link"`
}

func (s *Service) mailLink(ctx context.Context, j *jobs.Job) error {
	var pl linkPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	text := fmt.Sprintf("Open this link to see your requests and answer them:\n\n%s\n\nIt works once, for %d minutes. If you did not ask for it, you can ignore this message.", pl.Link, int(LinkTTL.Minutes()))
	err := s.mail.Notice(ctx, j.WorkspaceID, mail.Message{To: []string{pl.To}, Subject: "Your sign-in link", Text: text})
	if errors.Is(err, email.ErrNoServer) || (err != nil && mail.Permanent(err)) {
		return jobs.Permanent(err)
	}
	return err
}

// SignIn takes a link's token, once and in time, and starts a session:
// it returns the session's token and the contact it is for.
func (s *Service) SignIn(ctx context.Context, ws, token string) (string, string, error) {
	d := s.db.Dialect()
	now := s.now().UTC()
	var contact string
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE portal_links SET used_at = $3 WHERE workspace_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3`,
		ws, secret.Hash(token), d.Time(now))
	if err != nil {
		return "", "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", "", fault.Unauthorized("this link was used already or is too old: ask for a new one")
	}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT contact_id FROM portal_links WHERE workspace_id = $1 AND token_hash = $2`, ws, secret.Hash(token)).Scan(&contact); err != nil {
		return "", "", err
	}
	session := newToken()
	if _, err := s.db.Writer().ExecContext(ctx, `INSERT INTO portal_sessions (workspace_id, token_hash, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ws, secret.Hash(session), contact, d.Time(now), d.Time(now.Add(SessionTTL))); err != nil {
		return "", "", err
	}
	return session, contact, nil
}

// Contact is the contact a session is for.
func (s *Service) Contact(ctx context.Context, ws, session string) (string, error) {
	var contact string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT contact_id FROM portal_sessions WHERE workspace_id = $1 AND token_hash = $2 AND expires_at > $3`,
		ws, secret.Hash(session), s.db.Dialect().Time(s.now())).Scan(&contact)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.Unauthorized("sign in to the portal")
	}
	return contact, err
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, ws, session string) error {
	_, err := s.db.Writer().ExecContext(ctx, `DELETE FROM portal_sessions WHERE workspace_id = $1 AND token_hash = $2`, ws, secret.Hash(session))
	return err
}
