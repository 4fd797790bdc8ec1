package quotes

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/records"
)

// SendJob is the kind of the job that mails a quote.
const SendJob = "quote.send"

// Sending is a request to mail a quote: to its contact unless To says,
// with a subject and a message of the sender's (defaults in the
// sender's language).
type Sending struct {
	To      []string `json:"to"`
	Cc      []string `json:"cc"`
	Subject string   `json:"subject"`
	Message string   `json:"message"`
}

// sendPayload is the send job's payload.
type sendPayload struct {
	QuoteID string `json:"quote_id"`
	UserID  string `json:"user_id"`
	Locale  string `json:"locale"`
	Sending
}

// Send marks a quote sent and queues the mail that carries its PDF (the
// version as it is now: a sent quote no longer changes). A draft or a
// quote sent before may be sent; an accepted, declined or expired one not.
func (s *Service) Send(ctx context.Context, p access.Principal, id string, in Sending, l *i18n.Locale) (records.Record, Sending, error) {
	if s.send == nil {
		return nil, in, fault.Conflict("", "no mail server is set up: start Rapport with RAPPORT_SMTP_URL to send mail")
	}
	var out records.Record
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		q, err := s.eng.GetIn(ctx, tx, p, Object, id)
		if err != nil {
			return err
		}
		if st := q["status"]; st != "draft" && st != "sent" {
			return fault.Invalid(fault.FieldError{Field: "status", Message: fmt.Sprintf("the quote was %s: make a new version to offer again", st)})
		}
		if len(in.To) == 0 {
			if c, ok := q["contact_id"].(string); ok {
				if contact, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), "contacts", c); err == nil && contact["email"] != nil {
					in.To = []string{fmt.Sprint(contact["email"])}
				}
			}
		}
		var errs []fault.FieldError
		if len(in.To) == 0 {
			errs = append(errs, fault.FieldError{Field: "to", Message: "is required: the quote's contact has no email address"})
		}
		for field, list := range map[string][]string{"to": in.To, "cc": in.Cc} {
			if len(list) > 20 {
				errs = append(errs, fault.FieldError{Field: field, Message: "at most 20 addresses"})
			}
			for i, a := range list {
				if _, err := netmail.ParseAddress(a); err != nil {
					errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf("item %d: %q is not an email address", i, a)})
				}
			}
		}
		if len(in.Subject) > 300 || len(in.Message) > 20000 {
			errs = append(errs, fault.FieldError{Field: "message", Message: "the subject may have 300 bytes and the message 20,000"})
		}
		if len(errs) > 0 {
			return fault.Invalid(errs...)
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
		return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: SendJob, MaxAttempts: 8,
			Payload: sendPayload{QuoteID: id, UserID: p.UserID, Locale: l.Tag, Sending: in}})
	})
	return out, in, err
}

// deliver mails a quote with its PDF and puts the mail on the timelines
// of the quote, its deal and its contact. A server's refusal for good
// (5xx) is not tried again.
func (s *Service) deliver(ctx context.Context, j *jobs.Job) error {
	var pl sendPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("quote send payload: %w", err))
	}
	sys := access.System(j.WorkspaceID)
	l := s.catalog.Get(pl.Locale)
	doc, err := s.Document(ctx, sys, pl.QuoteID, pl.UserID)
	if fault.KindOf(err) == fault.KindNotFound {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	pdf, err := PDF(doc, l)
	if err != nil {
		return jobs.Permanent(err)
	}
	replyTo := "" // answers go to the one who sent it
	if u, err := s.dir.User(ctx, j.WorkspaceID, pl.UserID); err == nil {
		replyTo = (&netmail.Address{Name: u.Name, Address: u.Email}).String()
	}
	err = s.send.Send(ctx, mail.Message{To: pl.To, Cc: pl.Cc, ReplyTo: replyTo, Subject: pl.Subject, Text: pl.Message,
		Attachments: []mail.Attachment{{Name: FileName(doc.Quote), ContentType: "application/pdf", Data: pdf}}})
	if err != nil {
		if mail.Permanent(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error { return s.logSent(ctx, tx, j.WorkspaceID, pl, doc.Quote) })
}

// logSent puts a sent quote's mail on the timelines of the quote, its
// deal and its contact, as email_out.
func (s *Service) logSent(ctx context.Context, tx *sql.Tx, ws string, pl sendPayload, q records.Record) error {
	summary := fmt.Sprintf("Sent quote %v to %s", q["number"], strings.Join(pl.To, ", "))
	data := map[string]any{"quote_id": q.ID(), "number": q["number"], "revision": q["revision"], "to": pl.To, "cc": pl.Cc,
		"subject": pl.Subject, "total": q["total"], "currency": q["currency"], "status": "sent"}
	var actor *string
	if pl.UserID != "" {
		actor = &pl.UserID
	}
	targets := []events.Ref{{Object: Object, ID: q.ID()}}
	if d, ok := q["deal_id"].(string); ok {
		targets = append(targets, events.Ref{Object: deals.Object, ID: d})
	}
	if c, ok := q["contact_id"].(string); ok {
		targets = append(targets, events.Ref{Object: "contacts", ID: c})
	}
	evs := make([]*events.Event, 0, len(targets))
	singular := map[string]string{Object: "quote", deals.Object: "deal", "contacts": "contact"}
	for _, t := range targets {
		evs = append(evs, &events.Event{WorkspaceID: ws, ActorID: actor, Object: t.Object, RecordID: t.ID, Kind: "email_out",
			Singular: singular[t.Object], Summary: summary, Data: data})
	}
	return s.log.AppendMany(ctx, tx, evs)
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
