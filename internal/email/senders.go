package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
)

// The account a user's mail goes out through: their own, else the
// workspace's (the first made), else none (the install's server).
func (s *Service) sendingAccount(ctx context.Context, ws, userID string) (*Account, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+accountColumns+` FROM mail_accounts
		WHERE workspace_id = $1 AND smtp_host <> '' AND (user_id = $2 OR user_id = '')
		ORDER BY CASE WHEN user_id = '' THEN 1 ELSE 0 END, created_at, id LIMIT 1`, ws, userID)
	a, _, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// through is the context key of the shared mailbox that mail written in
// the context goes out through.
type through struct{}

// Through makes the mail written in ctx go out through the workspace's
// mail account at address (a queue's mailbox: customers see the team's
// address, and answer to it), not through the writer's own. Where the
// workspace has no such account that can send, mail goes as usual.
func Through(ctx context.Context, address string) context.Context {
	return context.WithValue(ctx, through{}, strings.ToLower(address))
}

// sharedAccount is the workspace's sending account at the address ctx
// names, if any.
func (s *Service) sharedAccount(ctx context.Context, ws string) (*Account, error) {
	addr, _ := ctx.Value(through{}).(string)
	if addr == "" {
		return nil, nil
	}
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+accountColumns+` FROM mail_accounts
		WHERE workspace_id = $1 AND smtp_host <> '' AND user_id = '' AND LOWER(address) = $2 ORDER BY created_at, id LIMIT 1`, ws, addr)
	a, _, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// cachedSender is an account's sender, kept while the account is
// unchanged so that its connections are reused.
type cachedSender struct {
	updated time.Time
	smtp    *mail.SMTP
}

// senderOf returns the sender of an account (nil: the install's).
func (s *Service) senderOf(ctx context.Context, ws string, a *Account) (mail.Sender, error) {
	if a == nil {
		if s.send == nil {
			return nil, ErrNoServer
		}
		return s.send, nil
	}
	s.mu.Lock()
	c, ok := s.senders[a.ID]
	s.mu.Unlock()
	if ok && c.updated.Equal(a.UpdatedAt) {
		return c.smtp, nil
	}
	_, sec, err := s.account(ctx, ws, a.ID)
	if err != nil {
		return nil, err
	}
	pass, err := s.box.Open(ctx, ws, sec.smtp)
	if err != nil {
		return nil, err
	}
	from := (&netmail.Address{Name: a.Name, Address: a.Address}).String()
	smtp, err := mail.New(mail.Config{Host: a.SMTP.Host, Port: a.SMTP.Port, Security: a.SMTP.Security, Username: a.SMTP.Username, Password: pass, From: from, DKIM: s.dkim})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if old, ok := s.senders[a.ID]; ok {
		old.smtp.Close()
	}
	s.senders[a.ID] = cachedSender{updated: a.UpdatedAt, smtp: smtp}
	s.mu.Unlock()
	return smtp, nil
}

// forget drops an account's cached sender (changed or deleted).
func (s *Service) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.senders[id]; ok {
		c.smtp.Close()
		delete(s.senders, id)
	}
}

// ErrNoServer says there is no way to send: no account and no --smtp.
var ErrNoServer = errors.New("no mail server is set up")

// Notice sends a message of Rapport's own to a workspace's user (a task's
// reminder): through the install's server, else the workspace's first
// account that sends. From a job, never a request. ErrNoServer says there
// is neither.
func (s *Service) Notice(ctx context.Context, ws string, m mail.Message) error {
	if s.send != nil {
		return s.send.Send(ctx, m)
	}
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+accountColumns+` FROM mail_accounts
		WHERE workspace_id = $1 AND smtp_host <> '' AND user_id = '' ORDER BY created_at, id LIMIT 1`, ws)
	a, _, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoServer
	}
	if err != nil {
		return err
	}
	if wait, err := s.take(ctx, ws, a); err != nil {
		return err
	} else if wait > 0 {
		return jobs.Snooze(wait)
	}
	sender, err := s.senderOf(ctx, ws, a)
	if err != nil {
		return err
	}
	return sender.Send(ctx, m)
}

// take counts one message against an account's limit for the current
// minute; when the minute is full it says how long until the next one.
// The count is in the database, so the limit holds across nodes.
func (s *Service) take(ctx context.Context, ws string, a *Account) (time.Duration, error) {
	if a == nil {
		return 0, nil
	}
	now := s.now().UTC()
	minute := now.Truncate(time.Minute)
	d := s.db.Dialect()
	w := s.db.Writer()
	if _, err := w.ExecContext(ctx, `INSERT INTO mail_rate (workspace_id, account_id, minute, sent) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
		ws, a.ID, d.Time(minute)); err != nil {
		return 0, fmt.Errorf("rate: %w", err)
	}
	res, err := w.ExecContext(ctx, `UPDATE mail_rate SET sent = sent + 1 WHERE workspace_id = $1 AND account_id = $2 AND minute = $3 AND sent < $4`,
		ws, a.ID, d.Time(minute), a.PerMinute)
	if err != nil {
		return 0, fmt.Errorf("rate: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return minute.Add(time.Minute).Sub(now) + 50*time.Millisecond, nil
	}
	return 0, nil
}

// PruneRates deletes the counts of minutes long past.
func (s *Service) PruneRates(ctx context.Context) error {
	_, err := s.db.Writer().ExecContext(ctx, `DELETE FROM mail_rate WHERE minute < $1`, s.db.Dialect().Time(s.now().Add(-time.Hour)))
	return err
}

// testSend mails a test message through an account to the user who
// asked for the test.
func (s *Service) testSend(ctx context.Context, ws, userID string, a *Account) error {
	u, err := s.dir.User(ctx, ws, userID)
	if err != nil {
		return err
	}
	sender, err := s.senderOf(ctx, ws, a)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("This message was sent by Rapport through the SMTP server %s of the mail account %q (%s).\n\nIf you read it, the account sends mail.", a.SMTP.Host, a.Name, a.Address)
	err = sender.Send(ctx, mail.Message{To: []string{u.Email}, Subject: "Rapport: test message from " + a.Address, Text: text})
	if err != nil {
		return errors.New(mail.Reply(err))
	}
	return nil
}
