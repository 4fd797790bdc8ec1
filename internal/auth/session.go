package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// Login limits: failed attempts within the window, per account and per
// client address. The counts live in the database, so every node sees them.
const (
	loginWindow     = 15 * time.Minute
	maxPerAccount   = 5
	maxPerAddress   = 20
	sessionPrefix   = "rs"
	apiKeyPrefix    = "rk"
	touchEvery      = time.Minute
	maxSessionCount = 50
)

// Session is a signed-in browser.
type Session struct {
	Token     string    `json:"-"` // the cookie value, only when created
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	CSRFToken string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen_at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
}

// Login checks email and password and opens a session. Failed attempts
// count against the account and the address; over the limit the answer is
// rate limited whatever the password.
func (s *Service) Login(ctx context.Context, ws, email, password, ip, userAgent string) (*Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	d := s.db.Dialect()
	for _, lim := range []struct {
		subject string
		max     int
	}{{"email:" + email, maxPerAccount}, {"ip:" + ip, maxPerAddress}} {
		var n int
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE workspace_id = $1 AND subject = $2 AND at > $3`,
			ws, lim.subject, d.Time(now.Add(-loginWindow))).Scan(&n); err != nil {
			return nil, err
		}
		if n >= lim.max {
			return nil, fault.RateLimited(int(loginWindow.Seconds()), "too many failed sign-ins: try again in 15 minutes")
		}
	}
	var id, hash string
	var active bool
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, password_hash, active FROM users WHERE workspace_id = $1 AND email = $2`, ws, email).Scan(&id, &hash, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil || !active || !CheckPassword(hash, password) {
		if err != nil {
			CheckPassword(HashPassword("x"), password) // same time for unknown accounts
		}
		_, ferr := s.db.Writer().ExecContext(ctx, `INSERT INTO login_attempts (workspace_id, subject, at) VALUES ($1, $2, $4), ($1, $3, $4)`,
			ws, "email:"+email, "ip:"+ip, d.Time(now))
		if ferr != nil {
			return nil, ferr
		}
		return nil, fault.Unauthorized("wrong email or password")
	}
	_, _ = s.db.Writer().ExecContext(ctx, `DELETE FROM login_attempts WHERE workspace_id = $1 AND (subject = $2 OR at < $3)`, ws, "email:"+email, d.Time(now.Add(-loginWindow)))
	return s.NewSession(ctx, ws, id, ip, userAgent)
}

// NewSession opens a session for a user (after login or setup).
func (s *Service) NewSession(ctx context.Context, ws, userID, ip, userAgent string) (*Session, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	tok := newSecret(sessionPrefix, ws)
	csrf := make([]byte, 24)
	_, _ = rand.Read(csrf)
	sess := &Session{Token: tok, ID: hashSecret(tok)[:16], UserID: userID, CSRFToken: base64.RawURLEncoding.EncodeToString(csrf),
		CreatedAt: now, LastSeen: now, IP: ip, UserAgent: truncate(userAgent, 300)}
	d := s.db.Dialect()
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO sessions (workspace_id, token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)`, ws, hashSecret(tok), userID, sess.CSRFToken, d.Time(now), d.Time(now.Add(s.SessionTTL)), ip, sess.UserAgent)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	return sess, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Identity is an authenticated caller: who, and (for sessions) the CSRF
// token that unsafe form posts must carry.
type Identity struct {
	access.Principal
	User      *User
	SessionID string
	CSRFToken string
}

// Session resolves a session cookie, sliding its expiry.
func (s *Service) Session(ctx context.Context, token string) (*Identity, error) {
	ws, ok := splitSecret(sessionPrefix, token)
	if !ok {
		return nil, fault.Unauthorized("not signed in")
	}
	d := s.db.Dialect()
	var userID, csrf string
	var expires, seen store.NullTime
	err := s.db.Reader().QueryRowContext(ctx, `SELECT user_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE workspace_id = $1 AND token_hash = $2`,
		ws, hashSecret(token)).Scan(&userID, &csrf, &expires, &seen)
	if err != nil || !expires.Time.After(s.now()) {
		return nil, fault.Unauthorized("not signed in (the session ended)")
	}
	u, err := s.User(ctx, ws, userID)
	if err != nil || !u.Active {
		return nil, fault.Unauthorized("not signed in (the account is deactivated)")
	}
	if s.now().Sub(seen.Time) > touchEvery {
		_, _ = s.db.Writer().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $3, expires_at = $4 WHERE workspace_id = $1 AND token_hash = $2`,
			ws, hashSecret(token), d.Time(s.now()), d.Time(s.now().Add(s.SessionTTL)))
	}
	return &Identity{Principal: access.Principal{WorkspaceID: ws, UserID: u.ID, Role: u.Role}, User: u, SessionID: hashSecret(token)[:16], CSRFToken: csrf}, nil
}

// CheckCSRF compares a submitted CSRF token with the session's.
func (id *Identity) CheckCSRF(submitted string) error {
	if id.CSRFToken == "" || subtle.ConstantTimeCompare([]byte(submitted), []byte(id.CSRFToken)) != 1 {
		return fault.Forbidden("missing or wrong CSRF token: reload the page and try again")
	}
	return nil
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, token string) error {
	ws, ok := splitSecret(sessionPrefix, token)
	if !ok {
		return nil
	}
	_, err := s.db.Writer().ExecContext(ctx, `DELETE FROM sessions WHERE workspace_id = $1 AND token_hash = $2`, ws, hashSecret(token))
	return err
}

// Sessions lists a user's open sessions, newest first.
func (s *Service) Sessions(ctx context.Context, ws, userID string) ([]Session, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT token_hash, created_at, last_seen_at, ip, user_agent FROM sessions
		WHERE workspace_id = $1 AND user_id = $2 AND expires_at > $3 ORDER BY last_seen_at DESC LIMIT $4`, ws, userID, s.db.Dialect().Time(s.now()), maxSessionCount)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var ss Session
		var created, seen store.NullTime
		var h string
		if err := rows.Scan(&h, &created, &seen, &ss.IP, &ss.UserAgent); err != nil {
			return nil, err
		}
		ss.ID, ss.UserID, ss.CreatedAt, ss.LastSeen = h[:16], userID, created.Time, seen.Time
		out = append(out, ss)
	}
	return out, rows.Err()
}

// LogoutEverywhere ends every session of a user.
func (s *Service) LogoutEverywhere(ctx context.Context, ws, userID string) error {
	_, err := s.db.Writer().ExecContext(ctx, `DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2`, ws, userID)
	return err
}

// ChangePassword sets a new password after checking the current one.
func (s *Service) ChangePassword(ctx context.Context, ws, userID, current, next string) error {
	var hash string
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE workspace_id = $1 AND id = $2`, ws, userID).Scan(&hash); err != nil {
		return store.Translate(err)
	}
	if !CheckPassword(hash, current) {
		return fault.Invalid(fault.FieldError{Field: "current_password", Message: "is wrong"})
	}
	if len(next) < MinPasswordLength || len(next) > 1000 {
		return fault.Invalid(fault.FieldError{Field: "new_password", Message: fmt.Sprintf("must be %d to 1000 characters", MinPasswordLength)})
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE users SET password_hash = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2`,
		ws, userID, HashPassword(next), s.db.Dialect().Time(s.now()))
	return err
}

// Prune deletes expired sessions and login attempts outside the window.
func (s *Service) Prune(ctx context.Context) error {
	d := s.db.Dialect()
	if _, err := s.db.Writer().ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, d.Time(s.now())); err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	if _, err := s.db.Writer().ExecContext(ctx, `DELETE FROM login_attempts WHERE at < $1`, d.Time(s.now().Add(-loginWindow))); err != nil {
		return fmt.Errorf("prune login attempts: %w", err)
	}
	return nil
}
