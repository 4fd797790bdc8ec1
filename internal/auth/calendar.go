package auth

import (
	"context"
	"database/sql"
	"errors"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// NewCalendarFeed gives the user a new secret for their calendar feed
// (their tasks and meetings as iCalendar), replacing the one before: a
// link given away can be taken back. Only its hash is stored, so the
// secret is shown once.
func (s *Service) NewCalendarFeed(ctx context.Context, p access.Principal) (string, error) {
	if p.UserID == "" {
		return "", fault.Forbidden("a calendar feed belongs to a user")
	}
	secret := newSecret("rc", p.WorkspaceID)
	d := s.db.Dialect()
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO calendar_feeds (workspace_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (workspace_id, user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		p.WorkspaceID, p.UserID, hashSecret(secret), d.Time(s.now()))
	if err != nil {
		return "", store.Translate(err)
	}
	return secret, nil
}

// RemoveCalendarFeed turns the user's calendar feed off.
func (s *Service) RemoveCalendarFeed(ctx context.Context, p access.Principal) error {
	_, err := s.db.Writer().ExecContext(ctx, `DELETE FROM calendar_feeds WHERE workspace_id = $1 AND user_id = $2`, p.WorkspaceID, p.UserID)
	return err
}

// HasCalendarFeed reports whether the user has a calendar feed.
func (s *Service) HasCalendarFeed(ctx context.Context, p access.Principal) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM calendar_feeds WHERE workspace_id = $1 AND user_id = $2`, p.WorkspaceID, p.UserID).Scan(&n)
	return n > 0, err
}

// CalendarFeed finds the active user a calendar feed's secret belongs to,
// and their workspace.
func (s *Service) CalendarFeed(ctx context.Context, secret string) (string, *User, error) {
	ws, ok := splitSecret("rc", secret)
	if !ok {
		return "", nil, fault.NotFound("no such calendar")
	}
	var userID string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT user_id FROM calendar_feeds WHERE workspace_id = $1 AND token_hash = $2`, ws, hashSecret(secret)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fault.NotFound("no such calendar")
	}
	if err != nil {
		return "", nil, err
	}
	u, err := s.User(ctx, ws, userID)
	if err != nil || !u.Active {
		return "", nil, fault.NotFound("no such calendar")
	}
	return ws, u, nil
}
