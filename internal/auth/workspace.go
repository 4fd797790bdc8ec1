package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"regexp"
	"slices"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// MaxLogoBytes bounds a workspace logo.
const MaxLogoBytes = 256 << 10

// logoTypes are the image types a logo may have. SVG is refused: it can
// carry script.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// SetLogo stores the workspace's logo; its type is read from its bytes.
func (s *Service) SetLogo(ctx context.Context, by access.Principal, data []byte) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	if len(data) == 0 {
		return fault.Invalid(fault.FieldError{Field: "logo", Message: "is required"})
	}
	if len(data) > MaxLogoBytes {
		return fault.Invalid(fault.FieldError{Field: "logo", Message: "must be at most 256 KiB"})
	}
	typ := http.DetectContentType(data)
	if !logoTypes[typ] {
		return fault.Invalid(fault.FieldError{Field: "logo", Message: "must be a PNG, JPEG, GIF or WebP image"})
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE workspaces SET logo = $2, logo_type = $3, logo_version = logo_version + 1 WHERE id = $1`,
		by.WorkspaceID, data, typ)
	return err
}

// RemoveLogo removes the workspace's logo.
func (s *Service) RemoveLogo(ctx context.Context, by access.Principal) error {
	if err := access.CanAdminister(by); err != nil {
		return err
	}
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE workspaces SET logo = NULL, logo_type = '', logo_version = logo_version + 1 WHERE id = $1`, by.WorkspaceID)
	return err
}

// Logo returns the workspace's logo and its media type.
func (s *Service) Logo(ctx context.Context, ws string) ([]byte, string, error) {
	var data []byte
	var typ string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT logo, logo_type FROM workspaces WHERE id = $1`, ws).Scan(&data, &typ)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && typ == "") {
		return nil, "", fault.NotFound("the workspace has no logo")
	}
	if err != nil {
		return nil, "", store.Translate(err)
	}
	return data, typ, nil
}

var localePattern = regexp.MustCompile(`^([a-z]{2})?$`)

// SetLocale stores the interface language a user chose; "" follows the
// browser. Which languages exist is the interface's business; here a tag
// is only checked for its form.
func (s *Service) SetLocale(ctx context.Context, by access.Principal, locale string) error {
	if !localePattern.MatchString(locale) {
		return fault.Invalid(fault.FieldError{Field: "locale", Message: "must be a two-letter language code like de"})
	}
	return s.updateUser(ctx, by.WorkspaceID, by.UserID, `locale = $3`, locale)
}

// Themes are the colour themes a user may choose; "" follows the system.
var Themes = []string{"", "light", "dark"}

// SetTheme stores the colour theme a user chose.
func (s *Service) SetTheme(ctx context.Context, by access.Principal, theme string) error {
	if !slices.Contains(Themes, theme) {
		return fault.Invalid(fault.FieldError{Field: "theme", Message: "must be light, dark or empty (as the system)"})
	}
	return s.updateUser(ctx, by.WorkspaceID, by.UserID, `theme = $3`, theme)
}
