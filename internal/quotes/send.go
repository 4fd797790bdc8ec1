package quotes

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/records"
)

// Sending is a request to mail a quote: to its contact unless To says,
// with a subject and a message of the sender's (defaults in the
// sender's language).
type Sending struct {
	To      []string `json:"to"`
	Cc      []string `json:"cc"`
	Subject string   `json:"subject"`
	Message string   `json:"message"`
}

// Send marks a quote sent and writes the email that carries its PDF (the
// version as it is now: a sent quote no longer changes), about the quote,
// its deal and its contact; the email layer sends it. A draft or a quote
// sent before may be sent; an accepted, declined or expired one not.
func (s *Service) Send(ctx context.Context, p access.Principal, id string, in Sending, l *i18n.Locale) (records.Record, records.Record, error) {
	doc, err := s.Document(ctx, p, id, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := PDF(doc, l)
	if err != nil {
		return nil, nil, err
	}
	var out, mail records.Record
	err = s.eng.Tx(ctx, func(tx *sql.Tx) error {
		q, err := s.eng.GetIn(ctx, tx, p, Object, id)
		if err != nil {
			return err
		}
		if st := q["status"]; st != "draft" && st != "sent" {
			return fault.Invalid(fault.FieldError{Field: "status", Message: fmt.Sprintf("the quote was %s: make a new version to offer again", st)})
		}
		if fmt.Sprint(q["version"]) != fmt.Sprint(doc.Quote["version"]) {
			return fault.Conflict("", "the quote changed while it was being sent: send it again")
		}
		if len(in.To) == 0 {
			if c, ok := q["contact_id"].(string); ok {
				if contact, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), "contacts", c); err == nil && contact["email"] != nil {
					in.To = []string{fmt.Sprint(contact["email"])}
				}
			}
		}
		if len(in.To) == 0 {
			return fault.Invalid(fault.FieldError{Field: "to", Message: "is required: the quote's contact has no email address"})
		}
		if len(in.Subject) > 300 || len(in.Message) > 20000 {
			return fault.Invalid(fault.FieldError{Field: "message", Message: "the subject may have 300 bytes and the message 20,000"})
		}
		if strings.TrimSpace(in.Subject) == "" {
			in.Subject = l.T("quote.mail.subject", q["number"], q["name"])
		}
		if strings.TrimSpace(in.Message) == "" {
			in.Message = l.T("quote.mail.message", q["number"])
		}
		out = q
		if q["status"] == "draft" {
			if _, out, err = s.eng.UpdateIn(ctx, tx, p, Object, id, map[string]any{"status": "sent"}); err != nil {
				return err
			}
		}
		related := []any{map[string]any{"object": Object, "id": q.ID()}}
		for object, field := range map[string]string{deals.Object: "deal_id", "contacts": "contact_id"} {
			if v, ok := q[field].(string); ok && v != "" {
				related = append(related, map[string]any{"object": object, "id": v})
			}
		}
		msg := map[string]any{"to": toAny(in.To), "subject": in.Subject, "body_html": email.HTML(in.Message), "related": related}
		if len(in.Cc) > 0 {
			msg["cc"] = toAny(in.Cc)
		}
		mail, err = s.mail.WriteIn(ctx, tx, p, msg, []email.File{{Name: FileName(doc.Quote), ContentType: "application/pdf", Data: pdf}})
		return err
	})
	return out, mail, err
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// Document gathers what a quote's PDF shows: the workspace's name and
// logo, the company, contact and deal by name, and who prepared it (the
// user userID, or the quote's owner).
func (s *Service) Document(ctx context.Context, p access.Principal, id, userID string) (Document, error) {
	q, err := s.eng.Get(ctx, p, Object, id, false)
	if err != nil {
		return Document{}, err
	}
	d := Document{Quote: q}
	ws, err := s.dir.Workspace(ctx, p.WorkspaceID)
	if err != nil {
		return Document{}, err
	}
	d.Workspace = ws.Name
	if ws.HasLogo {
		d.Logo, d.LogoType, _ = s.dir.Logo(ctx, p.WorkspaceID)
	}
	sys := access.System(p.WorkspaceID)
	name := func(object string, field any) records.Record {
		id, ok := field.(string)
		if !ok {
			return nil
		}
		rec, err := s.eng.Get(ctx, sys, object, id, false)
		if err != nil {
			return nil
		}
		return rec
	}
	if c := name("companies", q["company_id"]); c != nil {
		d.Company = str(c["name"])
	}
	if c := name("contacts", q["contact_id"]); c != nil {
		d.Contact = strings.TrimSpace(str(c["first_name"]) + " " + str(c["last_name"]))
		d.Email = str(c["email"])
	}
	if deal := name(deals.Object, q["deal_id"]); deal != nil {
		d.Deal = str(deal["name"])
	}
	if userID == "" {
		userID = str(q["owner_id"])
	}
	if u, err := s.dir.User(ctx, p.WorkspaceID, userID); err == nil {
		d.PreparedBy = u.Name
	}
	return d, nil
}

// FileName is a quote's PDF's file name: Q-2026-0001.pdf, or
// Q-2026-0001-v2.pdf for a later version.
func FileName(q records.Record) string {
	if r, _ := q["revision"].(int64); r > 1 {
		return fmt.Sprintf("%v-v%d.pdf", q["number"], r)
	}
	return fmt.Sprintf("%v.pdf", q["number"])
}

// Directory is what quotes read of the workspace and its users.
type Directory interface {
	Workspace(ctx context.Context, ws string) (*auth.Workspace, error)
	Logo(ctx context.Context, ws string) ([]byte, string, error)
	User(ctx context.Context, ws, id string) (*auth.User, error)
}
