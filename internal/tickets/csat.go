package tickets

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/secret"
)

// CSATJob is the kind of the job that asks a requester to rate a solved
// ticket.
const CSATJob = "ticket.csat"

// CSATTTL is how long a rating link works.
const CSATTTL = 30 * 24 * time.Hour

// rating, in a write's context, is a requester's rating of a ticket (Rate
// sets it; the rule writes it).
type rating struct {
	value, comment string
	at             time.Time
}

// SetBaseURL is where links in mail to customers point (the public URL).
func (s *Service) SetBaseURL(base string) { s.base = strings.TrimRight(base, "/") }

// askRating queues the rating request of a ticket just solved.
func (s *Service) askRating(ctx context.Context, tx *sql.Tx, ws string, t map[string]any) error {
	at, _ := t["solved_at"].(time.Time)
	return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: ws, Kind: CSATJob, MaxAttempts: 5,
		UniqueKey: fmt.Sprintf("ticket.csat:%v:%d", t["id"], at.Unix()), Payload: map[string]string{"ticket_id": fmt.Sprint(t["id"])}})
}

// sendRating mails the requester of a solved ticket two links, good and
// bad: one click rates it.
func (s *Service) sendRating(ctx context.Context, j *jobs.Job) error {
	var pl struct {
		TicketID string `json:"ticket_id"`
	}
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	sys := access.System(j.WorkspaceID)
	t, err := s.live(ctx, j.WorkspaceID, pl.TicketID)
	if t == nil || err != nil {
		return err
	}
	if st := t["status"]; (st != "solved" && st != "closed") || t["csat_rating"] != nil || s.base == "" {
		return nil // reopened, rated already, or no public address to link to
	}
	contactID, _ := t["contact_id"].(string)
	c, err := s.eng.Get(ctx, sys, "contacts", contactID, false)
	if err != nil {
		return nil
	}
	to, _ := c["email"].(string)
	if to == "" {
		return nil
	}
	token := rand.Text()
	d := s.db.Dialect()
	now := s.now().UTC()
	if _, err := s.db.Writer().ExecContext(ctx, `INSERT INTO csat_links (workspace_id, token_hash, ticket_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		j.WorkspaceID, secret.Hash(token), t.ID(), d.Time(now), d.Time(now.Add(CSATTTL))); err != nil {
		return err
	}
	link := s.base + "/csat/" + token
	text := fmt.Sprintf("Your request #%v %v is solved. How did we do?\n\nGood: %s?rating=good\nBad: %s?rating=bad\n\nOne click is enough; you may add a comment after.",
		t["number"], t["subject"], link, link)
	err = s.mail.Notice(ctx, j.WorkspaceID, mail.Message{To: []string{to}, Subject: fmt.Sprintf("How did we do? [#%v] %v", t["number"], t["subject"]), Text: text})
	if errors.Is(err, email.ErrNoServer) || (err != nil && mail.Permanent(err)) {
		return jobs.Permanent(err)
	}
	return err
}

// RatingTicket is the ticket a rating link is for: its number and
// subject, and the rating given so far.
type RatingTicket struct {
	Number  any
	Subject string
	Rating  string
	Comment string
}

// Rate records a requester's rating through their link: value good or
// bad (empty: keep the one given), and a comment. The link keeps working
// (a second click changes the rating) until it expires.
func (s *Service) Rate(ctx context.Context, ws, token, value, comment string) (*RatingTicket, error) {
	var ticketID string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT ticket_id FROM csat_links WHERE workspace_id = $1 AND token_hash = $2 AND expires_at > $3`,
		ws, secret.Hash(token), s.db.Dialect().Time(s.now())).Scan(&ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("this rating link is unknown or too old")
	}
	if err != nil {
		return nil, err
	}
	sys := access.System(ws)
	t, err := s.eng.Get(ctx, sys, Object, ticketID, false)
	if err != nil {
		return nil, err
	}
	if value == "" && comment == "" {
		r := &RatingTicket{Number: t["number"], Subject: fmt.Sprint(t["subject"])}
		r.Rating, _ = t["csat_rating"].(string)
		r.Comment, _ = t["csat_comment"].(string)
		return r, nil
	}
	if value == "" {
		value, _ = t["csat_rating"].(string)
	}
	if !slices.Contains(schema.CSATRatings, value) {
		return nil, fault.Invalid(fault.FieldError{Field: "rating", Message: "must be good or bad"})
	}
	if len(comment) > 5000 {
		return nil, fault.Invalid(fault.FieldError{Field: "comment", Message: "at most 5000 bytes"})
	}
	rctx := context.WithValue(ctx, rating{}, rating{value: value, comment: strings.TrimSpace(comment), at: s.now().UTC().Truncate(time.Microsecond)})
	if _, err := s.eng.Update(rctx, sys, Object, ticketID, map[string]any{}, nil); err != nil {
		return nil, err
	}
	return &RatingTicket{Number: t["number"], Subject: fmt.Sprint(t["subject"]), Rating: value, Comment: strings.TrimSpace(comment)}, nil
}
