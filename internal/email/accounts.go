package email

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/store"
)

// TestJob is the kind of the job that tries a mail account: a test
// message through its SMTP server, a login to its IMAP mailbox.
const TestJob = "mail.test"

// Account is a mail account: the workspace's (shared, UserID empty, kept
// by admins) or a user's own. Its SMTP server sends the mail its owner
// writes in Rapport; its IMAP mailbox, when set, is read into emails.
// Passwords go in and are never read back out.
type Account struct {
	ID     string `json:"id"`
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name"`
	// Address is the sender of what goes out through the account.
	Address string `json:"address"`
	SMTP    Server `json:"smtp"`
	IMAP    Server `json:"imap"`
	// Private mailboxes put only who wrote to whom, and when, on the
	// timeline: no subject, no body.
	Private bool `json:"private"`
	// PerMinute bounds the messages sent through the account a minute.
	PerMinute    int        `json:"per_minute"`
	TestedAt     *time.Time `json:"tested_at"`
	TestError    string     `json:"test_error"`
	IMAPPolledAt *time.Time `json:"imap_polled_at"`
	IMAPError    string     `json:"imap_error"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Server is an SMTP or IMAP server of an account.
type Server struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"` // tls, starttls or none
	Username string `json:"username"`
	// Password is taken on a write (empty: keep the one there is) and
	// never shown; HasPassword says whether there is one.
	Password    string `json:"password,omitempty"`
	HasPassword bool   `json:"has_password"`
	// Folder is the IMAP folder read (INBOX).
	Folder string `json:"folder,omitempty"`
}

// Personal reports whether the account is a user's own.
func (a *Account) Personal() bool { return a.UserID != "" }

// Sends and Reads report whether the account has an SMTP server and an
// IMAP mailbox.
func (a *Account) Sends() bool { return a.SMTP.Host != "" }
func (a *Account) Reads() bool { return a.IMAP.Host != "" }

const accountColumns = `id, user_id, name, address, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password,
	imap_host, imap_port, imap_security, imap_username, imap_password, imap_folder, private, per_minute,
	tested_at, test_error, imap_polled_at, imap_error, created_at, updated_at`

// sealed are an account's sealed passwords, beside what the API shows.
type sealed struct{ smtp, imap string }

func scanAccount(row interface{ Scan(...any) error }) (*Account, sealed, error) {
	var a Account
	var sec sealed
	var tested, polled, created, updated any
	err := row.Scan(&a.ID, &a.UserID, &a.Name, &a.Address, &a.SMTP.Host, &a.SMTP.Port, &a.SMTP.Security, &a.SMTP.Username, &sec.smtp,
		&a.IMAP.Host, &a.IMAP.Port, &a.IMAP.Security, &a.IMAP.Username, &sec.imap, &a.IMAP.Folder, &a.Private, &a.PerMinute,
		&tested, &a.TestError, &polled, &a.IMAPError, &created, &updated)
	if err != nil {
		return nil, sec, err
	}
	a.SMTP.HasPassword, a.IMAP.HasPassword = sec.smtp != "", sec.imap != ""
	if !a.Reads() {
		a.IMAP.Folder = ""
	}
	for _, t := range []struct {
		v   any
		dst **time.Time
	}{{tested, &a.TestedAt}, {polled, &a.IMAPPolledAt}} {
		if t.v != nil {
			if tt, err := store.ParseTime(t.v); err == nil {
				*t.dst = &tt
			}
		}
	}
	a.CreatedAt, _ = store.ParseTime(created)
	a.UpdatedAt, _ = store.ParseTime(updated)
	return &a, sec, nil
}

// Accounts lists the accounts p may see: the workspace's and p's own
// (every one, for admins).
func (s *Service) Accounts(ctx context.Context, p access.Principal) ([]*Account, error) {
	q := `SELECT ` + accountColumns + ` FROM mail_accounts WHERE workspace_id = $1 AND (user_id = '' OR user_id = $2 OR $3) ORDER BY user_id, created_at, id`
	rows, err := s.db.Reader().QueryContext(ctx, q, p.WorkspaceID, p.UserID, p.Role == access.Admin)
	if err != nil {
		return nil, fmt.Errorf("mail accounts: %w", err)
	}
	defer rows.Close()
	var out []*Account
	for rows.Next() {
		a, _, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Account reads one account p may see.
func (s *Service) Account(ctx context.Context, p access.Principal, id string) (*Account, error) {
	a, _, err := s.account(ctx, p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	if a.Personal() && a.UserID != p.UserID && p.Role != access.Admin {
		return nil, fault.NotFound("no mail account %q", id)
	}
	return a, nil
}

func (s *Service) account(ctx context.Context, ws, id string) (*Account, sealed, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+accountColumns+` FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, ws, id)
	a, sec, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sec, fault.NotFound("no mail account %q", id)
	}
	return a, sec, err
}

// canKeep reports whether p may change a: an admin the workspace's, a
// user (not read-only) their own.
func canKeep(p access.Principal, a *Account) error {
	if p.UserID == "" {
		return nil
	}
	if !a.Personal() {
		return access.CanAdminister(p)
	}
	if a.UserID != p.UserID {
		return fault.Forbidden("a personal mail account is changed by its owner")
	}
	if p.Role == access.ReadOnly {
		return fault.Forbidden("read-only users send no mail")
	}
	return nil
}

// AccountInput is what a write of an account takes: Account's fields and
// personal (on create: the account is the writer's own).
type AccountInput struct {
	Account
	Personal *bool `json:"personal"`
}

// SaveAccount creates an account (id empty) or changes one; decode fills
// an AccountInput from the request, over the account as it is, so the
// fields given replace those there are and the rest stay. A password
// given replaces the one kept.
func (s *Service) SaveAccount(ctx context.Context, p access.Principal, id string, decode func(*AccountInput) error) (*Account, error) {
	a := &Account{PerMinute: 60}
	var sec sealed
	if id != "" {
		var err error
		if _, err = s.Account(ctx, p, id); err != nil {
			return nil, err // not p's to see
		}
		if a, sec, err = s.account(ctx, p.WorkspaceID, id); err != nil {
			return nil, err
		}
	}
	in := AccountInput{Account: *a}
	if err := decode(&in); err != nil {
		return nil, err
	}
	next := in.Account
	next.ID, next.UserID, next.TestedAt, next.TestError, next.IMAPPolledAt, next.IMAPError, next.CreatedAt = a.ID, a.UserID, a.TestedAt, a.TestError, a.IMAPPolledAt, a.IMAPError, a.CreatedAt
	if id == "" && in.Personal != nil && *in.Personal {
		next.UserID = p.UserID
	}
	if err := canKeep(p, &next); err != nil {
		return nil, err
	}
	if err := checkAccount(&next); err != nil {
		return nil, err
	}
	// A password goes only to the server it was given for: a new host or
	// user name without a new password drops the one kept.
	if next.SMTP.Host != a.SMTP.Host || next.SMTP.Username != a.SMTP.Username {
		sec.smtp = ""
	}
	if next.IMAP.Host != a.IMAP.Host || next.IMAP.Username != a.IMAP.Username {
		sec.imap = ""
	}
	var err error
	if next.SMTP.Password != "" {
		if sec.smtp, err = s.box.Seal(ctx, p.WorkspaceID, next.SMTP.Password); err != nil {
			return nil, err
		}
	}
	if next.IMAP.Password != "" {
		if sec.imap, err = s.box.Seal(ctx, p.WorkspaceID, next.IMAP.Password); err != nil {
			return nil, err
		}
	}
	if next.SMTP.Host == "" {
		sec.smtp = ""
	}
	if next.IMAP.Host == "" {
		sec.imap = ""
	}
	d := s.db.Dialect()
	now := s.now().UTC()
	args := []any{p.WorkspaceID, next.ID, next.UserID, next.Name, next.Address, next.SMTP.Host, next.SMTP.Port, next.SMTP.Security, next.SMTP.Username, sec.smtp,
		next.IMAP.Host, next.IMAP.Port, next.IMAP.Security, next.IMAP.Username, sec.imap, next.IMAP.Folder, d.Bool(next.Private), next.PerMinute, d.Time(now)}
	if id == "" {
		next.ID = uuid.Must(uuid.NewV7()).String()
		args[1] = next.ID
		_, err = s.db.Writer().ExecContext(ctx, `INSERT INTO mail_accounts (workspace_id, id, user_id, name, address, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password,
			imap_host, imap_port, imap_security, imap_username, imap_password, imap_folder, private, per_minute, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`, args...)
	} else {
		// A changed mailbox is read from its start again (by UID, so
		// nothing already filed is filed twice: Message-IDs dedupe).
		_, err = s.db.Writer().ExecContext(ctx, `UPDATE mail_accounts SET user_id = $3, name = $4, address = $5, smtp_host = $6, smtp_port = $7, smtp_security = $8, smtp_username = $9, smtp_password = $10,
			imap_host = $11, imap_port = $12, imap_security = $13, imap_username = $14, imap_password = $15, imap_folder = $16, private = $17, per_minute = $18, updated_at = $19,
			imap_validity = CASE WHEN imap_host = $11 AND imap_username = $14 AND imap_folder = $16 THEN imap_validity ELSE 0 END,
			imap_last_uid = CASE WHEN imap_host = $11 AND imap_username = $14 AND imap_folder = $16 THEN imap_last_uid ELSE 0 END
			WHERE workspace_id = $1 AND id = $2`, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("save mail account: %w", err)
	}
	s.forget(next.ID)
	s.wakeReaders()
	return s.Account(ctx, p, next.ID)
}

// checkAccount fills defaults and names every bad field.
func checkAccount(a *Account) error {
	var errs []fault.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		bad("name", "is required")
	}
	if addr, err := netmail.ParseAddress(a.Address); err != nil {
		bad("address", "%q is not an email address", a.Address)
	} else {
		a.Address = strings.ToLower(addr.Address)
	}
	if a.PerMinute < 1 || a.PerMinute > 100000 {
		bad("per_minute", "must be from 1 to 100000")
	}
	server := func(prefix string, srv *Server, securePort, startPort int) {
		srv.Host = strings.TrimSpace(srv.Host)
		if srv.Host == "" {
			*srv = Server{}
			return
		}
		if strings.ContainsAny(srv.Host, " /:@") {
			bad(prefix+".host", "%q is not a host name", srv.Host)
		}
		switch srv.Security {
		case "":
			srv.Security = "tls"
		case "tls", "starttls", "none":
		default:
			bad(prefix+".security", "must be tls, starttls or none")
		}
		if srv.Port == 0 {
			srv.Port = securePort
			if srv.Security != "tls" {
				srv.Port = startPort
			}
		}
		if srv.Port < 1 || srv.Port > 65535 {
			bad(prefix+".port", "must be from 1 to 65535")
		}
	}
	server("smtp", &a.SMTP, 465, 587)
	server("imap", &a.IMAP, 993, 143)
	a.SMTP.Folder = ""
	if a.Reads() {
		if a.IMAP.Folder = strings.TrimSpace(a.IMAP.Folder); a.IMAP.Folder == "" {
			a.IMAP.Folder = "INBOX"
		}
		if a.IMAP.Username == "" {
			bad("imap.username", "is required to read a mailbox")
		}
	}
	if !a.Sends() && !a.Reads() {
		bad("smtp.host", "give an SMTP server to send through, an IMAP server to read, or both")
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// DeleteAccount removes an account; mail it sent and read stays.
func (s *Service) DeleteAccount(ctx context.Context, p access.Principal, id string) error {
	a, err := s.Account(ctx, p, id)
	if err != nil {
		return err
	}
	if err := canKeep(p, a); err != nil {
		return err
	}
	if _, err := s.db.Writer().ExecContext(ctx, `DELETE FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id); err != nil {
		return fmt.Errorf("delete mail account: %w", err)
	}
	s.forget(id)
	return nil
}

// TestAccount queues a test of the account: a message through its SMTP
// server to p, a login to its IMAP folder. The account shows the outcome.
func (s *Service) TestAccount(ctx context.Context, p access.Principal, id string) error {
	a, err := s.Account(ctx, p, id)
	if err != nil {
		return err
	}
	if err := canKeep(p, a); err != nil {
		return err
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mail_accounts SET tested_at = NULL, test_error = '' WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id); err != nil {
			return err
		}
		return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: TestJob, MaxAttempts: 1,
			Payload: map[string]string{"account_id": id, "user_id": p.UserID}})
	})
}

// test runs an account's test and keeps what it found.
func (s *Service) test(ctx context.Context, j *jobs.Job) error {
	var pl struct {
		AccountID string `json:"account_id"`
		UserID    string `json:"user_id"`
	}
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	a, _, err := s.account(ctx, j.WorkspaceID, pl.AccountID)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	var problems []string
	if a.Sends() {
		if err := s.testSend(ctx, j.WorkspaceID, pl.UserID, a); err != nil {
			problems = append(problems, "SMTP: "+err.Error())
		}
	}
	if a.Reads() {
		if err := s.testRead(ctx, j.WorkspaceID, a); err != nil {
			problems = append(problems, "IMAP: "+err.Error())
		}
	}
	_, err = s.db.Writer().ExecContext(ctx, `UPDATE mail_accounts SET tested_at = $3, test_error = $4 WHERE workspace_id = $1 AND id = $2`,
		j.WorkspaceID, a.ID, s.db.Dialect().Time(s.now()), strings.ToValidUTF8(strings.Join(problems, "; "), "\uFFFD"))
	return err
}
