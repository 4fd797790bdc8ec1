package tickets

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/records"
)

// fromMail files a received message with the helpdesk: an answer to a
// ticket's mail (by its thread, or "[#N]" in its subject) is added to
// that ticket, and reopens it when it was pending or solved; a message to
// a queue's address (support@…) opens a ticket for its sender, who
// becomes a contact if unknown. Mail a machine sent (auto-replies, lists,
// bounces) never opens or continues a ticket, so two auto-responders
// cannot loop through it.
func (s *Service) fromMail(ctx context.Context, tx *sql.Tx, in email.Incoming) ([]events.Ref, func(records.Record) error, error) {
	if in.Auto || in.From == nil {
		return nil, nil, nil
	}
	sys := access.System(in.WorkspaceID)
	var ticket records.Record
	if in.Parent != nil {
		for _, r := range activities.Refs(in.Parent) {
			if r.Object == Object {
				if t, err := s.eng.GetIn(ctx, tx, sys, Object, r.ID); err == nil {
					ticket = t
				}
			}
		}
	}
	if ticket == nil {
		if n, ok := subjectNumber(in.Subject); ok {
			t, err := s.byNumber(ctx, tx, in.WorkspaceID, n)
			if err != nil {
				return nil, nil, err
			}
			ticket = t
		}
	}
	queue := ""
	if ticket != nil && ticket["status"] == "closed" {
		queue, _ = ticket["queue"].(string) // a follow-up: a new ticket in its queue
		ticket = nil
	}
	if ticket == nil && queue == "" {
		st, err := s.settingsOf(ctx, in.WorkspaceID)
		if err != nil {
			return nil, nil, err
		}
		if queue = queueOf(in.Recipients, st); queue == "" {
			return nil, nil, nil // ordinary mail
		}
	}
	requester, err := s.requester(ctx, tx, sys, in)
	if err != nil {
		return nil, nil, err
	}
	if ticket == nil {
		subject := strings.TrimSpace(in.Subject)
		if subject == "" {
			subject = "(no subject)"
		}
		if ticket, err = s.eng.CreateIn(ctx, tx, sys, Object, map[string]any{"subject": subject, "contact_id": requester, "queue": queue, "channel": "email"}); err != nil {
			return nil, nil, err
		}
	} else if st := ticket["status"]; st == "pending" || st == "solved" {
		if _, _, err := s.eng.UpdateIn(ctx, tx, sys, Object, ticket.ID(), map[string]any{"status": "open"}); err != nil {
			return nil, nil, err
		}
	}
	body := in.Text
	if body == "" {
		body = "(no text)"
	}
	if len(body) > MaxBody {
		body = body[:MaxBody]
	}
	then := func(e records.Record) error {
		return s.addMessage(ctx, tx, in.WorkspaceID, Message{ID: uuid.Must(uuid.NewV7()).String(), TicketID: ticket.ID(), AuthorContact: requester, Body: body,
			EmailID: e.ID(), CreatedAt: s.now().UTC().Truncate(time.Microsecond)})
	}
	return []events.Ref{{Object: Object, ID: ticket.ID()}, {Object: "contacts", ID: requester}}, then, nil
}

// requester is the contact at the sender's address, made when unknown.
func (s *Service) requester(ctx context.Context, tx *sql.Tx, sys access.Principal, in email.Incoming) (string, error) {
	addr := strings.ToLower(in.From.Address)
	found, err := s.eng.FindBy(ctx, sys, "contacts", "email", []string{addr})
	if err != nil {
		return "", err
	}
	if c, ok := found[addr]; ok {
		return c.ID(), nil
	}
	first, last, _ := strings.Cut(strings.TrimSpace(in.From.Name), " ")
	c := map[string]any{"email": addr, "lead_source": "support"}
	if first != "" {
		c["first_name"] = first
	}
	if last = strings.TrimSpace(last); last != "" {
		c["last_name"] = last
	}
	rec, err := s.eng.CreateIn(ctx, tx, sys, "contacts", c)
	if err != nil {
		return "", err
	}
	return rec.ID(), nil
}
