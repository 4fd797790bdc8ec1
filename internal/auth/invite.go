package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

const invitePrefix = "ri"

// Invite adds a user who sets their own password through a one-time link;
// it returns the user and the link's token (shown once, stored hashed).
func (s *Service) Invite(ctx context.Context, by access.Principal, email, name, role string) (*User, string, error) {
	if err := access.CanAdminister(by); err != nil {
		return nil, "", err
	}
	n := NewUser{Email: email, Name: name, Role: role, Password: strings.Repeat("x", MinPasswordLength)}
	if err := n.check(); err != nil {
		return nil, "", err
	}
	token := newSecret(invitePrefix, by.WorkspaceID)
	now := s.now().UTC().Truncate(time.Microsecond)
	u := &User{ID: uuid.Must(uuid.NewV7()).String(), Email: n.Email, Name: n.Name, Role: access.Role(n.Role), Active: true, CreatedAt: now, UpdatedAt: now}
	d := s.db.Dialect()
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO users (workspace_id, id, email, name, role, password_hash, active, created_at, updated_at, invite_token_hash)
		VALUES ($1, $2, $3, $4, $5, '', $6, $7, $7, $8)`, by.WorkspaceID, u.ID, u.Email, u.Name, string(u.Role), d.Bool(true), d.Time(now), hashSecret(token))
	if err != nil {
		if fe := fault.As(store.Translate(err)); fe != nil && fe.Kind == fault.KindConflict {
			return nil, "", fault.Conflict("email", "a user with email %s exists", n.Email)
		}
		return nil, "", fmt.Errorf("invite user: %w", err)
	}
	return u, token, nil
}

// Invited returns the user an invitation token belongs to.
func (s *Service) Invited(ctx context.Context, token string) (*User, string, error) {
	ws, ok := splitSecret(invitePrefix, token)
	if !ok {
		return nil, "", fault.NotFound("this invitation link is not valid")
	}
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = $1 AND invite_token_hash = $2`, ws, hashSecret(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fault.NotFound("this invitation link is not valid, or was used already")
	}
	return u, ws, err
}

// AcceptInvite sets the invited user's password and spends the token.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (*User, string, error) {
	u, ws, err := s.Invited(ctx, token)
	if err != nil {
		return nil, "", err
	}
	if len(password) < MinPasswordLength || len(password) > 1000 {
		return nil, "", fault.Invalid(fault.FieldError{Field: "password", Message: fmt.Sprintf("must be %d to 1000 characters", MinPasswordLength)})
	}
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE users SET password_hash = $4, invite_token_hash = NULL, updated_at = $5
		WHERE workspace_id = $1 AND id = $2 AND invite_token_hash = $3`, ws, u.ID, hashSecret(token), HashPassword(password), s.db.Dialect().Time(s.now()))
	if err != nil {
		return nil, "", err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, "", fault.NotFound("this invitation link was used already")
	}
	return u, ws, nil
}

// SetRole changes a user's role. An admin cannot change their own role, so
// a workspace always keeps an admin.
func (s *Service) SetRole(ctx context.Context, by access.Principal, userID, role string) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	if !access.ValidRole(role) {
		return fault.Invalid(fault.FieldError{Field: "role", Message: fmt.Sprintf("must be one of %v", access.Roles)})
	}
	if userID == by.UserID {
		return fault.Forbidden("you cannot change your own role; ask another admin")
	}
	return s.updateUser(ctx, by.WorkspaceID, userID, `role = $3`, role)
}

// SetActive deactivates or reactivates a user; deactivating ends their
// sessions, and their API keys stop working.
func (s *Service) SetActive(ctx context.Context, by access.Principal, userID string, active bool) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	if userID == by.UserID {
		return fault.Forbidden("you cannot deactivate yourself")
	}
	if err := s.updateUser(ctx, by.WorkspaceID, userID, `active = $3`, s.db.Dialect().Bool(active)); err != nil {
		return err
	}
	if !active {
		return s.LogoutEverywhere(ctx, by.WorkspaceID, userID)
	}
	return nil
}

func (s *Service) updateUser(ctx context.Context, ws, userID, set string, v any) error {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE users SET `+set+`, updated_at = $4 WHERE workspace_id = $1 AND id = $2`, ws, userID, v, s.db.Dialect().Time(s.now()))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fault.NotFound("no user with id %q", userID)
	}
	return nil
}
