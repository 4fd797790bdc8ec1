package auth

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// APIKey is a key's record; the secret itself is shown once, at creation.
type APIKey struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateAPIKey makes a key acting as userID and returns it with its secret.
// Users make keys for themselves; admins for anyone.
func (s *Service) CreateAPIKey(ctx context.Context, by access.Principal, userID, name string) (*APIKey, string, error) {
	if by.UserID != userID {
		if err := access.CanAdminister(by); err != nil {
			return nil, "", err
		}
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return nil, "", fault.Invalid(fault.FieldError{Field: "name", Message: "is required (at most 200 bytes)"})
	}
	ws := by.WorkspaceID
	if _, err := s.User(ctx, ws, userID); err != nil {
		return nil, "", err
	}
	secret := newSecret(apiKeyPrefix, ws)
	now := s.now().UTC().Truncate(time.Microsecond)
	k := &APIKey{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, Name: name, Prefix: secret[:12] + "…" + secret[len(secret)-4:], CreatedAt: now}
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO api_keys (workspace_id, id, user_id, name, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ws, k.ID, userID, name, k.Prefix, hashSecret(secret), s.db.Dialect().Time(now))
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// APIKeys lists the keys of a user (all keys for an admin when userID is "").
func (s *Service) APIKeys(ctx context.Context, by access.Principal, userID string) ([]APIKey, error) {
	if userID != by.UserID {
		if err := access.CanAdminister(by); err != nil {
			return nil, err
		}
	}
	q := `SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE workspace_id = $1`
	args := []any{by.WorkspaceID}
	if userID != "" {
		q += " AND user_id = $2"
		args = append(args, userID)
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+" ORDER BY created_at DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		var k APIKey
		var created, used, revoked store.NullTime
		if err := rows.Scan(&k.ID, &k.UserID, &k.Name, &k.Prefix, &created, &used, &revoked); err != nil {
			return nil, err
		}
		k.CreatedAt = created.Time
		if used.Valid {
			k.LastUsedAt = &used.Time
		}
		if revoked.Valid {
			k.RevokedAt = &revoked.Time
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey revokes a key; its owner or an admin may.
func (s *Service) RevokeAPIKey(ctx context.Context, by access.Principal, id string) error {
	var owner string
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT user_id FROM api_keys WHERE workspace_id = $1 AND id = $2`, by.WorkspaceID, id).Scan(&owner); err != nil {
		return fault.NotFound("no API key with id %q", id)
	}
	if owner != by.UserID {
		if err := access.CanAdminister(by); err != nil {
			return err
		}
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL`,
		by.WorkspaceID, id, s.db.Dialect().Time(s.now()))
	return err
}

// APIKey resolves a bearer key to the principal it acts as.
func (s *Service) APIKey(ctx context.Context, secret string) (*Identity, error) {
	ws, ok := splitSecret(apiKeyPrefix, secret)
	if !ok {
		return nil, fault.Unauthorized("invalid API key")
	}
	var id, userID, role string
	var active bool
	var revoked, used store.NullTime
	err := s.db.Reader().QueryRowContext(ctx, `SELECT k.id, k.user_id, k.revoked_at, k.last_used_at, u.role, u.active
		FROM api_keys k JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
		WHERE k.workspace_id = $1 AND k.token_hash = $2`, ws, hashSecret(secret)).Scan(&id, &userID, &revoked, &used, &role, &active)
	if err == sql.ErrNoRows || (err == nil && (revoked.Valid || !active)) {
		return nil, fault.Unauthorized("invalid or revoked API key")
	}
	if err != nil {
		return nil, err
	}
	// Record use, at most once a minute per key, so reads stay reads.
	if now := s.now(); !used.Valid || now.Sub(used.Time) > touchEvery {
		_, _ = s.db.Writer().ExecContext(ctx, `UPDATE api_keys SET last_used_at = $3 WHERE workspace_id = $1 AND id = $2`, ws, id, s.db.Dialect().Time(now))
	}
	return &Identity{Principal: access.Principal{WorkspaceID: ws, UserID: userID, Role: access.Role(role)}}, nil
}
