package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// What a customer sees and does in the portal: their own tickets, the
// public part of each conversation, new requests and answers. Every
// method takes the contact the portal session is for, and another
// contact's ticket is not found.

// Of is a contact's tickets, newest first.
func (s *Service) Of(ctx context.Context, ws, contactID string) ([]records.Record, error) {
	page, err := s.eng.List(ctx, access.System(ws), Object, records.Query{Filter: "contact_id = " + filter.Quote(contactID), OrderBy: "created_at desc", PageSize: 100})
	if err != nil {
		return nil, err
	}
	return page.Data, nil
}

// Theirs reads a contact's ticket with the public messages of its
// conversation.
func (s *Service) Theirs(ctx context.Context, ws, contactID, ticketID string) (records.Record, []Message, error) {
	sys := access.System(ws)
	t, err := s.eng.Get(ctx, sys, Object, ticketID, false)
	if err != nil || t["contact_id"] != contactID {
		return nil, nil, fault.NotFound("no request %q", ticketID)
	}
	all, err := s.Messages(ctx, sys, ticketID)
	if err != nil {
		return nil, nil, err
	}
	public := []Message{}
	for _, m := range all {
		if !m.Internal {
			public = append(public, m)
		}
	}
	return t, public, nil
}

// Ask opens a ticket for a contact, from the portal.
func (s *Service) Ask(ctx context.Context, ws, contactID, subject, body string) (records.Record, error) {
	subject, body = strings.TrimSpace(subject), strings.TrimSpace(body)
	var errs []fault.FieldError
	if subject == "" {
		errs = append(errs, fault.FieldError{Field: "subject", Message: "is required"})
	}
	if body == "" {
		errs = append(errs, fault.FieldError{Field: "body", Message: "is required"})
	}
	if len(body) > MaxBody {
		errs = append(errs, fault.FieldError{Field: "body", Message: fmt.Sprintf("at most %d bytes", MaxBody)})
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	var t records.Record
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = s.eng.CreateIn(ctx, tx, access.System(ws), Object, map[string]any{"subject": subject, "contact_id": contactID, "channel": "portal"}); err != nil {
			return err
		}
		return s.addMessage(ctx, tx, ws, Message{ID: uuid.Must(uuid.NewV7()).String(), TicketID: t.ID(), AuthorContact: contactID, Body: body, CreatedAt: s.now().UTC().Truncate(time.Microsecond)})
	})
	return t, err
}

// Add writes a contact's answer on their ticket and reopens it when it
// waited on them or was solved; a closed one takes no more.
func (s *Service) Add(ctx context.Context, ws, contactID, ticketID, body string) error {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > MaxBody {
		return fault.Invalid(fault.FieldError{Field: "body", Message: "is required"})
	}
	t, _, err := s.Theirs(ctx, ws, contactID, ticketID)
	if err != nil {
		return err
	}
	if t["status"] == "closed" {
		return fault.Conflict("", "this request is closed: open a new one")
	}
	sys := access.System(ws)
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.addMessage(ctx, tx, ws, Message{ID: uuid.Must(uuid.NewV7()).String(), TicketID: ticketID, AuthorContact: contactID, Body: body, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}); err != nil {
			return err
		}
		if st := t["status"]; st == "pending" || st == "solved" {
			_, _, err := s.eng.UpdateIn(ctx, tx, sys, Object, ticketID, map[string]any{"status": "open"})
			return err
		}
		return nil
	})
}
