// Package tickets is the helpdesk: customers' requests as records of the
// built-in object tickets, numbered per workspace, with their
// conversation — what the requester wrote (mail to a queue's address opens
// or continues a ticket) and what agents answered (public replies go out
// as email, threaded) or noted (internal, never sent).
package tickets

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store"
)

// Object is the tickets' object name.
const Object = "tickets"

// DefaultQueue is the queue of a ticket that names none, and the local
// part of its address (support@<mail domain>).
const DefaultQueue = "support"

// Mailer writes emails (the email service).
type Mailer interface {
	WriteIn(ctx context.Context, tx *sql.Tx, p access.Principal, in map[string]any, files []email.File) (records.Record, error)
	OnReceive(h email.Hook)
	Notice(ctx context.Context, ws string, m mail.Message) error
	Preview(ctx context.Context, p access.Principal, templateID, object, id string) (map[string]string, error)
}

// Service keeps tickets whole and carries their conversation.
type Service struct {
	db    *store.DB
	eng   *records.Engine
	log   *events.Log
	queue *jobs.Queue
	notes *notify.Service
	mail  Mailer
	dir   Directory
	base  string // the public URL, for links in mail to customers
	cache settingsCache
	now   func() time.Time
}

// Directory is what tickets read of the workspace's users.
type Directory interface {
	Users(ctx context.Context, ws string) ([]*auth.User, error)
}

// New registers the rules of tickets and SLA policies, the SLA job and the
// mail hook. Call at start-up.
func New(db *store.DB, eng *records.Engine, log *events.Log, queue *jobs.Queue, notes *notify.Service, mailer Mailer, dir Directory, now func() time.Time) *Service {
	s := &Service{db: db, eng: eng, log: log, queue: queue, notes: notes, mail: mailer, dir: dir, now: now}
	eng.Keep(Object, s.keep)
	eng.Keep(Policies, s.keepPolicy)
	eng.Keep(Queues, s.keepQueue)
	queue.Handle(SLAJob, s.fire)
	queue.Handle(CSATJob, s.sendRating)
	mailer.OnReceive(s.fromMail)
	eng.OnMerge(Object, merger{s})
	return s
}

// open are the statuses of a ticket still being worked on.
var open = []string{"new", "open", "pending"}

// keep fills and checks a ticket: a new one gets the workspace's next
// number, is new, normal and in the default queue unless it says, and
// takes its requester's company; the assignee owns it; solving stamps
// solved_at and reopening clears it; a closed ticket stays closed. Its
// opening and its changes of status are on the requester's and the
// company's timelines.
func (s *Service) keep(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	if before == nil {
		n, err := s.nextNumber(ctx, tx, p.WorkspaceID)
		if err != nil {
			return nil, err
		}
		after["number"] = n
		for field, value := range map[string]string{"status": "new", "priority": "normal", "queue": DefaultQueue, "channel": "api"} {
			if v, _ := after[field].(string); v == "" {
				after[field] = value
			}
		}
	}
	if q, _ := after["queue"].(string); before == nil || before["queue"] != q {
		names, err := s.queueNames(ctx, p.WorkspaceID)
		if err != nil {
			return nil, err
		}
		if q = strings.ToLower(q); !slices.Contains(names, q) {
			return nil, fault.Invalid(fault.FieldError{Field: "queue", Message: fmt.Sprintf("no queue %q (the queues: %s)", q, strings.Join(names, ", "))})
		}
		after["queue"] = q
	}
	if q, _ := after["queue"].(string); after["assignee_id"] == nil && (before == nil || before["queue"] != q) {
		a, err := s.assignee(ctx, tx, p.WorkspaceID, q)
		if err != nil {
			return nil, err
		}
		if a != "" {
			after["assignee_id"] = a
		}
	}
	if a, ok := after["assignee_id"].(string); ok && a != "" {
		after["owner_id"] = a
	}
	if at, ok := ctx.Value(firstResponse{}).(time.Time); ok && after["first_responded_at"] == nil {
		after["first_responded_at"] = at
	}
	if r, ok := ctx.Value(rating{}).(rating); ok {
		after["csat_rating"], after["csat_at"] = r.value, r.at
		after["csat_comment"] = nil
		if r.comment != "" {
			after["csat_comment"] = r.comment
		}
	}
	if c, ok := after["contact_id"].(string); ok && c != "" && after["company_id"] == nil && (before == nil || before["contact_id"] != c) {
		if contact, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), "contacts", c); err == nil {
			after["company_id"] = contact["company_id"]
		}
	}
	was, _ := before["status"].(string)
	status, _ := after["status"].(string)
	if was == "closed" && status != "closed" {
		return nil, fault.Invalid(fault.FieldError{Field: "status", Message: "a closed ticket stays closed: open a new one"})
	}
	switch {
	case (status == "solved" || status == "closed") && after["solved_at"] == nil:
		after["solved_at"] = now
	case slices.Contains(open, status):
		after["solved_at"] = nil
	}
	if err := s.clock(ctx, tx, p, before, after, now); err != nil {
		return nil, err
	}
	after["sla_breached"] = slaBreached(ctx, before, after)
	// The rating is asked of a ticket an agent solved, not of one written
	// down solved (an import of past tickets mails nobody).
	if status == "solved" && before != nil && was != "solved" && after["contact_id"] != nil && after["csat_rating"] == nil {
		if err := s.askRating(ctx, tx, p.WorkspaceID, after); err != nil {
			return nil, err
		}
	}
	if before != nil && was == status {
		return nil, nil
	}
	summary := fmt.Sprintf("Opened ticket #%v %v", after["number"], after["subject"])
	if before != nil {
		summary = fmt.Sprintf("Ticket #%v %v is %s", after["number"], after["subject"], status)
	}
	var actor *string
	if p.UserID != "" {
		actor = &p.UserID
	}
	data := map[string]any{"ticket_id": after.ID(), "number": after["number"], "subject": after["subject"], "status": status, "priority": after["priority"]}
	var evs []*events.Event
	for object, field := range map[string]string{"contacts": "contact_id", "companies": "company_id"} {
		if id, ok := after[field].(string); ok && id != "" {
			evs = append(evs, &events.Event{WorkspaceID: p.WorkspaceID, ActorID: actor, Object: object, RecordID: id, Kind: "ticket",
				Singular: map[string]string{"contacts": "contact", "companies": "company"}[object], Summary: summary, Data: data})
		}
	}
	slices.SortFunc(evs, func(a, b *events.Event) int { return cmp.Compare(a.Object, b.Object) })
	return evs, nil
}

// firstResponse, in a write's context, is the time of the ticket's first
// public reply (Answer sets it; the rule writes it, once).
type firstResponse struct{}

// nextNumber takes the workspace's next ticket number. On PostgreSQL it
// is taken in a statement of its own, so that the row of the counter is
// locked for a moment, not for the whole write (which would file one
// ticket at a time); a write that fails then leaves a gap in the numbers.
// SQLite has one writer at a time anyway, and takes it in the write.
func (s *Service) nextNumber(ctx context.Context, tx *sql.Tx, ws string) (int64, error) {
	var q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	} = tx
	if s.db.Dialect() == store.Postgres {
		q = s.db.Writer()
	}
	var n int64
	err := q.QueryRowContext(ctx, `INSERT INTO ticket_numbers (workspace_id, last) VALUES ($1, 1)
		ON CONFLICT (workspace_id) DO UPDATE SET last = ticket_numbers.last + 1 RETURNING last`, ws).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("number a ticket: %w", err)
	}
	return n, nil
}
