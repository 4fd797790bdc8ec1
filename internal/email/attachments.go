package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/records"
)

// Limits of attachments: each file, all of an email's together, and how
// many. A received message's files beyond them are not kept (the email
// says which).
const (
	MaxAttachment      = 10 << 20
	MaxAttachmentTotal = 25 << 20
	MaxAttachmentCount = 20
)

// File is a file to attach to an email.
type File struct {
	Name, ContentType string
	ContentID         string
	Data              []byte
}

// Attachment is a file kept with an email, as listed (Data only when
// read one by one).
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	ContentID   string `json:"content_id,omitempty"`
	Data        []byte `json:"-"`
}

// CheckFiles names each file over the limits, or with no name, as
// attachments[i].
func CheckFiles(files []File) error {
	var errs []fault.FieldError
	total := 0
	if len(files) > MaxAttachmentCount {
		errs = append(errs, fault.FieldError{Field: "attachments", Message: fmt.Sprintf("at most %d files", MaxAttachmentCount)})
	}
	for i, f := range files {
		field := fmt.Sprintf("attachments[%d]", i)
		if strings.TrimSpace(f.Name) == "" {
			errs = append(errs, fault.FieldError{Field: field + ".name", Message: "is required"})
		}
		if len(f.Data) > MaxAttachment {
			errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf("%s is over %d MiB", f.Name, MaxAttachment>>20)})
		}
		if f.ContentType != "" {
			if _, _, err := mime.ParseMediaType(f.ContentType); err != nil {
				errs = append(errs, fault.FieldError{Field: field + ".content_type", Message: fmt.Sprintf("%q is not a media type", f.ContentType)})
			}
		}
		total += len(f.Data)
	}
	if total > MaxAttachmentTotal {
		errs = append(errs, fault.FieldError{Field: "attachments", Message: fmt.Sprintf("the files together are over %d MiB", MaxAttachmentTotal>>20)})
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// cleanName keeps a file name a file name: its last path element, valid
// UTF-8, no control characters, at most 200 bytes.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		name = "attachment"
	}
	return name
}

// attach keeps files with an email, inside tx.
func (s *Service) attach(ctx context.Context, tx *sql.Tx, ws, emailID string, files []File) error {
	d := s.db.Dialect()
	for _, f := range files {
		ctype := f.ContentType
		if ctype == "" {
			if ctype = mime.TypeByExtension(path.Ext(f.Name)); ctype == "" {
				ctype = "application/octet-stream"
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_attachments (workspace_id, id, email_id, name, content_type, size, content_id, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, ws, uuid.Must(uuid.NewV7()).String(), emailID, cleanName(f.Name), ctype, len(f.Data),
			f.ContentID, f.Data, d.Time(s.now())); err != nil {
			return fmt.Errorf("keep attachment: %w", err)
		}
	}
	return nil
}

// Write writes an email with files, in one transaction: the record, its
// event, its send job and the files.
func (s *Service) Write(ctx context.Context, p access.Principal, in map[string]any, files []File) (records.Record, error) {
	var out records.Record
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.WriteIn(ctx, tx, p, in, files)
		return err
	})
	return out, err
}

// WriteIn is Write inside the caller's transaction.
func (s *Service) WriteIn(ctx context.Context, tx *sql.Tx, p access.Principal, in map[string]any, files []File) (records.Record, error) {
	if err := CheckFiles(files); err != nil {
		return nil, err
	}
	rec, err := s.eng.CreateIn(ctx, tx, p, Object, in)
	if err != nil {
		return nil, err
	}
	return rec, s.attach(ctx, tx, p.WorkspaceID, rec.ID(), files)
}

// Attachments lists an email's files (without their data), for those who
// may read the email.
func (s *Service) Attachments(ctx context.Context, p access.Principal, emailID string) ([]Attachment, error) {
	if _, err := s.eng.Get(ctx, p, Object, emailID, false); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, name, content_type, size, content_id FROM email_attachments
		WHERE workspace_id = $1 AND email_id = $2 ORDER BY id`, p.WorkspaceID, emailID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.ContentID); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttachmentFile reads one of an email's files with its data.
func (s *Service) AttachmentFile(ctx context.Context, p access.Principal, emailID, id string) (*Attachment, error) {
	if _, err := s.eng.Get(ctx, p, Object, emailID, false); err != nil {
		return nil, err
	}
	var a Attachment
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, name, content_type, size, content_id, data FROM email_attachments
		WHERE workspace_id = $1 AND email_id = $2 AND id = $3`, p.WorkspaceID, emailID, id).Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.ContentID, &a.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("no attachment %q on this email", id)
	}
	return &a, err
}

// files reads an email's files for sending.
func (s *Service) files(ctx context.Context, ws, emailID string) ([]mail.Attachment, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT name, content_type, content_id, data FROM email_attachments WHERE workspace_id = $1 AND email_id = $2 ORDER BY id`, ws, emailID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []mail.Attachment
	for rows.Next() {
		var a mail.Attachment
		if err := rows.Scan(&a.Name, &a.ContentType, &a.ContentID, &a.Data); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// keptFiles are the files of a received message within the limits, and
// a note naming those left out.
func keptFiles(parsed []AttachmentInfo) ([]File, string) {
	var kept []File
	var left []string
	total := 0
	for _, a := range parsed {
		if len(a.Data) > MaxAttachment || total+len(a.Data) > MaxAttachmentTotal || len(kept) >= MaxAttachmentCount {
			left = append(left, fmt.Sprintf("%s (%d bytes)", a.Name, len(a.Data)))
			continue
		}
		total += len(a.Data)
		kept = append(kept, File{Name: a.Name, ContentType: a.ContentType, ContentID: a.ContentID, Data: a.Data})
	}
	if len(left) == 0 {
		return kept, ""
	}
	return kept, fmt.Sprintf("not kept, over the limits of attachments (%d MiB each, %d MiB in all, %d files): %s",
		MaxAttachment>>20, MaxAttachmentTotal>>20, MaxAttachmentCount, strings.Join(left, ", "))
}

// ServeFile writes an attachment as a download: never shown in the page
// that asked (its HTML or SVG could run there), its name encoded for any
// browser.
func ServeFile(w http.ResponseWriter, a *Attachment) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}
