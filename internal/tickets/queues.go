package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// Queues is the queues' object name.
const Queues = "queues"

// queueNames are the workspace's queues (the default one always).
func (s *Service) queueNames(ctx context.Context, ws string) ([]string, error) {
	st, err := s.settingsOf(ctx, ws)
	if err != nil {
		return nil, err
	}
	return st.names, nil
}

// queueOf is the queue a message was sent to: the first recipient that is
// a queue's own mailbox, else the first whose address is a queue's name
// (<queue name>@ a domain Rapport takes mail for, or a mailbox it reads).
func queueOf(recipients []string, st *settings) string {
	for _, r := range recipients {
		if q, ok := st.mailboxes[r]; ok {
			return q
		}
	}
	for _, r := range recipients {
		if local, _, ok := strings.Cut(r, "@"); ok && slices.Contains(st.names, strings.ToLower(local)) {
			return strings.ToLower(local)
		}
	}
	return ""
}

// mailboxOf is the queue's own address, if it has one.
func (st *settings) mailboxOf(queue string) string {
	for m, q := range st.mailboxes {
		if q == queue {
			return m
		}
	}
	return ""
}

// assignee is who gets a new ticket of a queue that gives its tickets out
// in turn: the next of its members who is active (a counter taken in the
// write's transaction, so two tickets at once go to two people); "" when
// the queue assigns by hand, has no active member, or is no queue.
func (s *Service) assignee(ctx context.Context, tx *sql.Tx, ws, queue string) (string, error) {
	st, err := s.settingsOf(ctx, ws)
	if err != nil {
		return "", err
	}
	var q records.Record
	for _, r := range st.queues {
		if r["name"] == queue {
			q = r
		}
	}
	if q == nil || q["assignment"] != "round_robin" {
		return "", nil
	}
	members, _ := q["members"].([]string)
	users, err := s.dir.Users(ctx, ws)
	if err != nil {
		return "", err
	}
	active := map[string]bool{}
	for _, u := range users {
		active[u.ID] = u.Active
	}
	var pool []string
	for _, m := range members {
		if active[m] {
			pool = append(pool, m)
		}
	}
	if len(pool) == 0 {
		return "", nil
	}
	var turns int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO queue_turns (workspace_id, queue, turns) VALUES ($1, $2, 1)
		ON CONFLICT (workspace_id, queue) DO UPDATE SET turns = queue_turns.turns + 1 RETURNING turns`, ws, queue).Scan(&turns); err != nil {
		return "", fmt.Errorf("queue turn: %w", err)
	}
	return pool[(turns-1)%int64(len(pool))], nil
}

// queueName is what a queue's name may be: the local part of its address.
var queueName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// keepQueue keeps a queue's name an address's local part, lower-case.
func (s *Service) keepQueue(_ context.Context, _ *sql.Tx, p access.Principal, _, after records.Record) ([]*events.Event, error) {
	s.cache.forget(p.WorkspaceID)
	name := strings.ToLower(strings.TrimSpace(fmt.Sprint(after["name"])))
	if !queueName.MatchString(name) {
		return nil, fault.Invalid(fault.FieldError{Field: "name", Message: "letters, digits, dots, dashes and underscores: the part of its address before the @"})
	}
	after["name"] = name
	if after["assignment"] == nil {
		after["assignment"] = "manual"
	}
	return nil, nil
}
