package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store"
)

// MaxBody bounds a message.
const MaxBody = 100_000

// Message is one message of a ticket's conversation: the requester's
// (AuthorContact) or an agent's (AuthorUser), public or internal.
type Message struct {
	ID            string    `json:"id"`
	TicketID      string    `json:"ticket_id"`
	AuthorUser    string    `json:"author_user_id,omitempty"`
	AuthorContact string    `json:"author_contact_id,omitempty"`
	Internal      bool      `json:"internal"`
	Body          string    `json:"body"`
	EmailID       string    `json:"email_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// Reply is what an agent writes on a ticket: a public reply (mailed to
// the requester) or an internal note; Status, when set, is the ticket's
// status after it (an answer usually waits on the customer: pending).
type Reply struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
	Status   string `json:"status"`
	// TemplateID, with no body, is a canned response: the template
	// filled for the requester (their name, their company, the agent's
	// signature).
	TemplateID string `json:"template_id"`
	// SeenMessageID is the last message the agent saw before writing.
	// When another's message came in since, the reply is refused (409)
	// rather than crossing it: two agents answering at once, or a
	// customer adding something the reply does not know of.
	SeenMessageID string `json:"seen_message_id"`
	// Files go with a public reply, attached to its email.
	Files []email.File `json:"-"`
}

// Messages is a ticket's conversation, oldest first.
func (s *Service) Messages(ctx context.Context, p access.Principal, ticketID string) ([]Message, error) {
	if _, err := s.eng.Get(ctx, p, Object, ticketID, false); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, ticket_id, author_user, author_contact, internal, body_text, email_id, created_at
		FROM ticket_messages WHERE workspace_id = $1 AND ticket_id = $2 ORDER BY created_at, id`, p.WorkspaceID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("ticket messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		var at any
		if err := rows.Scan(&m.ID, &m.TicketID, &m.AuthorUser, &m.AuthorContact, &m.Internal, &m.Body, &m.EmailID, &at); err != nil {
			return nil, err
		}
		m.CreatedAt, _ = store.ParseTime(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Answer writes an agent's message on a ticket. A public reply goes to
// the requester as an email in the ticket's thread ("[#N]" in its
// subject, under the last mail of the ticket), and the first one is the
// ticket's first response; a note is never sent. Either way the ticket
// moves to Status when given, and a new ticket to open.
func (s *Service) Answer(ctx context.Context, p access.Principal, ticketID string, in Reply) (Message, error) {
	if strings.TrimSpace(in.Body) == "" && in.TemplateID != "" {
		t, err := s.eng.Get(ctx, p, Object, ticketID, false)
		if err != nil {
			return Message{}, err
		}
		object, id := "", ""
		if c, ok := t["contact_id"].(string); ok && c != "" {
			object, id = "contacts", c
		}
		filled, err := s.mail.Preview(ctx, p, in.TemplateID, object, id)
		if fault.KindOf(err) == fault.KindNotFound {
			return Message{}, fault.Invalid(fault.FieldError{Field: "template_id", Message: "no such template"})
		}
		if err != nil {
			return Message{}, err
		}
		in.Body = filled["body_text"]
	}
	body := strings.TrimSpace(in.Body)
	var errs []fault.FieldError
	if body == "" {
		errs = append(errs, fault.FieldError{Field: "body", Message: "is required"})
	}
	if len(body) > MaxBody {
		errs = append(errs, fault.FieldError{Field: "body", Message: fmt.Sprintf("at most %d bytes", MaxBody)})
	}
	if in.Internal && len(in.Files) > 0 {
		errs = append(errs, fault.FieldError{Field: "attachments", Message: "go with a public reply: an internal note keeps no files"})
	}
	if err := email.CheckFiles(in.Files); err != nil {
		if fe := fault.As(err); fe != nil {
			errs = append(errs, fe.Fields...)
		} else {
			return Message{}, err
		}
	}
	if len(errs) > 0 {
		return Message{}, fault.Invalid(errs...)
	}
	m := Message{ID: uuid.Must(uuid.NewV7()).String(), TicketID: ticketID, AuthorUser: p.UserID, Internal: in.Internal, Body: body, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		t, err := s.eng.GetIn(ctx, tx, p, Object, ticketID)
		if err != nil {
			return err
		}
		if err := access.CanWrite(p, Object, t.Owner()); err != nil {
			return err
		}
		if err := s.crossed(ctx, tx, p, ticketID, in.SeenMessageID); err != nil {
			return err
		}
		change := map[string]any{}
		if in.Status != "" {
			change["status"] = in.Status
		} else if t["status"] == "new" {
			change["status"] = "open"
		}
		uctx := ctx
		if !in.Internal {
			if m.EmailID, err = s.mailReply(ctx, tx, p, t, body, in.Files); err != nil {
				return err
			}
			if t["first_responded_at"] == nil {
				uctx = context.WithValue(ctx, firstResponse{}, m.CreatedAt)
			}
		}
		if err := s.addMessage(ctx, tx, p.WorkspaceID, m); err != nil {
			return err
		}
		if len(change) > 0 || uctx != ctx {
			if _, _, err := s.eng.UpdateIn(uctx, tx, p, Object, ticketID, change); err != nil {
				return err
			}
		}
		if in.Internal {
			return s.log.Append(ctx, tx, &events.Event{WorkspaceID: p.WorkspaceID, ActorID: &m.AuthorUser, Object: Object, RecordID: ticketID, Kind: "note",
				Singular: "ticket", Summary: fmt.Sprintf("Internal note on ticket #%v", t["number"]), Data: map[string]any{"ticket_id": ticketID, "message_id": m.ID, "internal": true}})
		}
		return nil
	})
	return m, err
}

// crossed refuses a reply written after seen when others' messages came
// in since.
func (s *Service) crossed(ctx context.Context, tx *sql.Tx, p access.Principal, ticketID, seen string) error {
	if seen == "" {
		return nil
	}
	var at any
	err := tx.QueryRowContext(ctx, `SELECT created_at FROM ticket_messages WHERE workspace_id = $1 AND ticket_id = $2 AND id = $3`, p.WorkspaceID, ticketID, seen).Scan(&at)
	if err == sql.ErrNoRows {
		return fault.Invalid(fault.FieldError{Field: "seen_message_id", Message: "is not a message of this ticket"})
	}
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ticket_messages WHERE workspace_id = $1 AND ticket_id = $2 AND created_at > $3 AND author_user <> $4`,
		p.WorkspaceID, ticketID, at, p.UserID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fault.Conflict("seen_message_id", "new messages came in while you wrote: read them, then send again")
	}
	return nil
}

// mailReply writes the email that carries a public reply to the
// requester, in the ticket's thread; it returns the email's id.
func (s *Service) mailReply(ctx context.Context, tx *sql.Tx, p access.Principal, t records.Record, body string, files []email.File) (string, error) {
	sys := access.System(p.WorkspaceID)
	contactID, _ := t["contact_id"].(string)
	var to string
	if contactID != "" {
		if c, err := s.eng.GetIn(ctx, tx, sys, "contacts", contactID); err == nil {
			to, _ = c["email"].(string)
		}
	}
	if to == "" {
		return "", fault.Invalid(fault.FieldError{Field: "internal", Message: "the requester has no email address: write an internal note, or give the ticket a requester with one"})
	}
	in := map[string]any{"to": []any{to}, "subject": Subject(t), "body_html": email.HTML(body),
		"related": []any{map[string]any{"object": Object, "id": t.ID()}, map[string]any{"object": "contacts", "id": contactID}}}
	var last string
	err := tx.QueryRowContext(ctx, `SELECT email_id FROM ticket_messages WHERE workspace_id = $1 AND ticket_id = $2 AND email_id <> '' ORDER BY created_at DESC, id DESC LIMIT 1`,
		p.WorkspaceID, t.ID()).Scan(&last)
	if err != nil && err != sql.ErrNoRows {
		return "", err
	}
	if last != "" {
		in["in_reply_to"] = last
	}
	// A queue with its own mailbox answers from it.
	if st, err := s.settingsOf(ctx, p.WorkspaceID); err != nil {
		return "", err
	} else if box := st.mailboxOf(fmt.Sprint(t["queue"])); box != "" {
		ctx = email.Through(ctx, box)
	}
	e, err := s.mail.WriteIn(ctx, tx, p, in, files)
	if err != nil {
		return "", err
	}
	return e.ID(), nil
}

// Subject is the subject of mail about a ticket: its own, with its number
// in brackets, which brings answers back to it.
func Subject(t records.Record) string {
	subject, _ := t["subject"].(string)
	tag := fmt.Sprintf("[#%v]", t["number"])
	if strings.Contains(subject, tag) {
		return "Re: " + subject
	}
	return "Re: " + tag + " " + subject
}

// numberIn finds a ticket number in a subject: "Re: [#1234] Printer".
var numberIn = regexp.MustCompile(`\[#(\d{1,12})\]`)

func subjectNumber(subject string) (int64, bool) {
	m := numberIn.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil
}

func (s *Service) addMessage(ctx context.Context, tx *sql.Tx, ws string, m Message) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ticket_messages (workspace_id, id, ticket_id, author_user, author_contact, internal, body_text, email_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, ws, m.ID, m.TicketID, m.AuthorUser, m.AuthorContact, s.db.Dialect().Bool(m.Internal), m.Body, m.EmailID, s.db.Dialect().Time(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("ticket message: %w", err)
	}
	return nil
}

// Record keeps a message that happened elsewhere (history brought in, the
// demo): nothing is sent.
func (s *Service) Record(ctx context.Context, ws string, m Message) error {
	if m.ID == "" {
		m.ID = uuid.Must(uuid.NewV7()).String()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error { return s.addMessage(ctx, tx, ws, m) })
}
