// Package auth is who may come in: the workspace, users and their roles,
// login with argon2id passwords, sessions, API keys, the first-run setup
// token, and login rate limits. What a principal may then do is package
// access.
package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/money"
	"github.com/rapport-crm/rapport/internal/store"
)

// Service manages users, sessions and keys.
type Service struct {
	db  *store.DB
	now func() time.Time
	// SessionTTL is how long a session lives without use.
	SessionTTL time.Duration
	created    []func(ctx context.Context, ws string) error
}

// OnWorkspaceCreated registers what a new workspace gets (a sales
// pipeline, say), made once the workspace is (its schema is read from
// the committed workspace; what a crash in between leaves out, start-up
// makes good). Call at start-up.
func (s *Service) OnWorkspaceCreated(fn func(ctx context.Context, ws string) error) {
	s.created = append(s.created, fn)
}

// furnish gives a new workspace what it gets.
func (s *Service) furnish(ctx context.Context, ws string) error {
	for _, fn := range s.created {
		if err := fn(ctx, ws); err != nil {
			return fmt.Errorf("set up workspace %s: %w", ws, err)
		}
	}
	return nil
}

// New returns the service.
func New(db *store.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now, SessionTTL: 14 * 24 * time.Hour}
}

// User is a person who signs in.
type User struct {
	ID     string      `json:"id"`
	Email  string      `json:"email"`
	Name   string      `json:"name"`
	Role   access.Role `json:"role"`
	Active bool        `json:"active"`
	// Locale is the interface language the user chose ("" follows the
	// browser).
	Locale string `json:"locale"`
	// Theme is "light", "dark", or "" to follow the system.
	Theme     string    `json:"theme"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Workspace is an organisation on this install.
type Workspace struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	DefaultCurrency string `json:"default_currency"`
	TimeZone        string `json:"time_zone"`
	// HasLogo says whether the workspace has a logo; LogoVersion changes
	// with each new one, for caching.
	HasLogo     bool `json:"has_logo"`
	LogoVersion int  `json:"-"`
	// MailCreatesContacts makes contacts of unknown people who write in.
	MailCreatesContacts bool `json:"mail_creates_contacts"`
}

// DefaultWorkspace returns the install's first workspace, creating it on an
// empty database. A single-company install has just this one.
func (s *Service) DefaultWorkspace(ctx context.Context) (*Workspace, error) {
	w, err := s.firstWorkspace(ctx)
	if err == nil {
		return w, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM workspaces`).Scan(&n); err != nil || n > 0 {
			return err // another node created it meanwhile
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ($1, 'Rapport', $2)`, id, s.db.Dialect().Time(s.now()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	w, err = s.firstWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if w.ID == id {
		err = s.furnish(ctx, id)
	}
	return w, err
}

// RenameWorkspace changes the workspace's name (admins).
func (s *Service) RenameWorkspace(ctx context.Context, by access.Principal, name string) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return fault.Invalid(fault.FieldError{Field: "workspace_name", Message: "is required (at most 200 bytes)"})
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE workspaces SET name = $2 WHERE id = $1`, by.WorkspaceID, name)
	return err
}

// SetRegion sets the workspace's default currency (ISO 4217: new deals
// take it) and time zone (IANA: the day of My tasks, follow-ups, dates in
// mail); an empty value keeps the one before.
func (s *Service) SetRegion(ctx context.Context, by access.Principal, currency, zone string) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	var errs []fault.FieldError
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if currency != "" && !money.Currency(currency) {
		errs = append(errs, fault.FieldError{Field: "default_currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency code like EUR or USD", currency)})
	}
	zone = strings.TrimSpace(zone)
	if _, err := time.LoadLocation(zone); zone != "" && (err != nil || zone == "Local") {
		errs = append(errs, fault.FieldError{Field: "time_zone", Message: fmt.Sprintf("%q is not a time zone like Europe/Berlin or America/New_York", zone)})
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE workspaces SET default_currency = COALESCE(NULLIF($2, ''), default_currency), time_zone = COALESCE(NULLIF($3, ''), time_zone) WHERE id = $1`,
		by.WorkspaceID, currency, zone)
	return err
}

// SetMailCreatesContacts says whether mail from unknown people makes them
// contacts.
func (s *Service) SetMailCreatesContacts(ctx context.Context, by access.Principal, on bool) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE workspaces SET mail_creates_contacts = $2 WHERE id = $1`, by.WorkspaceID, s.db.Dialect().Bool(on))
	return err
}

// CreateWorkspace adds a workspace (tests use one each; a hosted install
// one per organisation).
func (s *Service) CreateWorkspace(ctx context.Context, name string) (*Workspace, error) {
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := s.db.Writer().ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)`, id, name, s.db.Dialect().Time(s.now())); err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	if err := s.furnish(ctx, id); err != nil {
		return nil, err
	}
	return s.Workspace(ctx, id)
}

func (s *Service) firstWorkspace(ctx context.Context) (*Workspace, error) {
	return scanWorkspace(s.db.Reader().QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces ORDER BY created_at, id LIMIT 1`))
}

// Workspace reads one workspace.
func (s *Service) Workspace(ctx context.Context, ws string) (*Workspace, error) {
	w, err := scanWorkspace(s.db.Reader().QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = $1`, ws))
	if err != nil {
		return nil, store.Translate(err)
	}
	return w, nil
}

const workspaceColumns = `id, name, default_currency, time_zone, logo_type, logo_version, mail_creates_contacts`

func scanWorkspace(row *sql.Row) (*Workspace, error) {
	var w Workspace
	var logoType string
	if err := row.Scan(&w.ID, &w.Name, &w.DefaultCurrency, &w.TimeZone, &logoType, &w.LogoVersion, &w.MailCreatesContacts); err != nil {
		return nil, err
	}
	w.HasLogo = logoType != ""
	return &w, nil
}

// NewUser is the input for a user.
type NewUser struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

func (n *NewUser) check() error {
	var errs []fault.FieldError
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email {
		errs = append(errs, fault.FieldError{Field: "email", Message: "is not a valid email address"})
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || len(n.Name) > 200 {
		errs = append(errs, fault.FieldError{Field: "name", Message: "is required (at most 200 bytes)"})
	}
	if !access.ValidRole(n.Role) {
		errs = append(errs, fault.FieldError{Field: "role", Message: fmt.Sprintf("must be one of %v", access.Roles)})
	}
	if len(n.Password) < MinPasswordLength || len(n.Password) > 1000 {
		errs = append(errs, fault.FieldError{Field: "password", Message: fmt.Sprintf("must be %d to 1000 characters", MinPasswordLength)})
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// CreateUser adds a user. by is who asks: an admin, or access.System for
// the command line and the first-run setup.
func (s *Service) CreateUser(ctx context.Context, by access.Principal, ws string, n NewUser) (*User, error) {
	if err := access.CanAdminister(by); err != nil {
		return nil, err
	}
	if err := n.check(); err != nil {
		return nil, err
	}
	var u *User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.insertUser(ctx, tx, ws, n)
		return err
	})
	return u, err
}

func (s *Service) insertUser(ctx context.Context, tx *sql.Tx, ws string, n NewUser) (*User, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	u := &User{ID: uuid.Must(uuid.NewV7()).String(), Email: n.Email, Name: n.Name, Role: access.Role(n.Role), Active: true, CreatedAt: now, UpdatedAt: now}
	d := s.db.Dialect()
	_, err := tx.ExecContext(ctx, `INSERT INTO users (workspace_id, id, email, name, role, password_hash, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, ws, u.ID, u.Email, u.Name, string(u.Role), HashPassword(n.Password), d.Bool(true), d.Time(now))
	if err != nil {
		if fe := fault.As(store.Translate(err)); fe != nil && fe.Kind == fault.KindConflict {
			return nil, fault.Conflict("email", "a user with email %s exists", n.Email)
		}
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

const userColumns = `id, email, name, role, active, locale, theme, created_at, updated_at`

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created, updated store.NullTime
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Active, &u.Locale, &u.Theme, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = created.Time, updated.Time
	return &u, nil
}

// UserByEmail finds a user by email.
func (s *Service) UserByEmail(ctx context.Context, ws, email string) (*User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = $1 AND email = $2`,
		ws, strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("no user with email %s", email)
	}
	return u, err
}

// User reads one user.
func (s *Service) User(ctx context.Context, ws, id string) (*User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = $1 AND id = $2`, ws, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("no user with id %q", id)
	}
	return u, err
}

// Users lists a workspace's users by name.
func (s *Service) Users(ctx context.Context, ws string) ([]*User, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = $1 ORDER BY name, id`, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// HasUsers reports whether the workspace has any user yet.
func (s *Service) HasUsers(ctx context.Context, ws string) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE workspace_id = $1`, ws).Scan(&n)
	return n > 0, err
}

// NewSetupToken makes a one-time token that lets the first person create
// the admin account; it replaces any earlier one and works only while the
// workspace has no user.
func (s *Service) NewSetupToken(ctx context.Context, ws string) (string, error) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE workspaces SET setup_token_hash = $2 WHERE id = $1`, ws, hashSecret(tok))
	return tok, err
}

// CheckSetupToken reports whether token is the workspace's setup token and
// the workspace still has no user.
func (s *Service) CheckSetupToken(ctx context.Context, ws, token string) error {
	var h sql.NullString
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT setup_token_hash, (SELECT COUNT(*) FROM users WHERE workspace_id = $1) FROM workspaces WHERE id = $1`, ws).Scan(&h, &n); err != nil {
		return store.Translate(err)
	}
	if n > 0 {
		return fault.Forbidden("setup is done: sign in instead")
	}
	if !h.Valid || token == "" || h.String != hashSecret(token) {
		return fault.Forbidden("the setup link is not valid: use the one printed by rapport serve")
	}
	return nil
}

// Setup creates the first admin with the setup token, names the workspace,
// and spends the token. It returns the new user.
func (s *Service) Setup(ctx context.Context, ws, token, workspaceName string, n NewUser) (*User, error) {
	if err := s.CheckSetupToken(ctx, ws, token); err != nil {
		return nil, err
	}
	n.Role = string(access.Admin)
	if err := n.check(); err != nil {
		return nil, err
	}
	workspaceName = strings.TrimSpace(workspaceName)
	if workspaceName == "" || len(workspaceName) > 200 {
		return nil, fault.Invalid(fault.FieldError{Field: "workspace_name", Message: "is required (at most 200 bytes)"})
	}
	var u *User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Spend the token first: a second request with it updates nothing.
		res, err := tx.ExecContext(ctx, `UPDATE workspaces SET setup_token_hash = NULL, name = $3 WHERE id = $1 AND setup_token_hash = $2`, ws, hashSecret(token), workspaceName)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fault.Forbidden("the setup link was used already")
		}
		u, err = s.insertUser(ctx, tx, ws, n)
		return err
	})
	return u, err
}
