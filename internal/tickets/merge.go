package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// merger moves a ticket's conversation when tickets merge (the records
// engine merges the fields, the relations and the history): the
// duplicates' messages join the kept ticket's, in their order, and their
// numbers lead to it, so that a customer's answer to "[#12]" reaches the
// ticket #12 went into.
type merger struct{ s *Service }

// moved is what a merge of tickets moved, to take it back.
type moved struct {
	Messages map[string][]string `json:"messages"` // duplicate → its messages
	Numbers  []int64             `json:"numbers"`  // the duplicates' numbers
}

func (m merger) Merge(ctx context.Context, tx *sql.Tx, ws, keepID string, dupIDs []string) (json.RawMessage, error) {
	d := m.s.db.Dialect()
	args := []any{ws}
	ph := make([]string, len(dupIDs))
	for i, id := range dupIDs {
		args = append(args, id)
		ph[i] = d.Placeholder(len(args))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	out := moved{Messages: map[string][]string{}}
	rows, err := tx.QueryContext(ctx, "SELECT id, ticket_id FROM ticket_messages WHERE workspace_id = $1 AND ticket_id IN "+in, args...)
	if err != nil {
		return nil, fmt.Errorf("merge tickets: %w", err)
	}
	for rows.Next() {
		var id, ticket string
		if err := rows.Scan(&id, &ticket); err != nil {
			rows.Close()
			return nil, err
		}
		out.Messages[ticket] = append(out.Messages[ticket], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE ticket_messages SET ticket_id = "+d.Placeholder(len(args)+1)+" WHERE workspace_id = $1 AND ticket_id IN "+in, append(args, keepID)...); err != nil {
		return nil, fmt.Errorf("merge tickets: %w", err)
	}
	rows, err = tx.QueryContext(ctx, "SELECT id, number FROM tickets WHERE workspace_id = $1 AND id IN "+in, args...)
	if err != nil {
		return nil, fmt.Errorf("merge tickets: %w", err)
	}
	numbers := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		numbers[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, n := range numbers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_merges (workspace_id, number, ticket_id, into_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (workspace_id, number) DO UPDATE SET ticket_id = excluded.ticket_id, into_id = excluded.into_id`, ws, n, id, keepID); err != nil {
			return nil, fmt.Errorf("merge tickets: %w", err)
		}
		out.Numbers = append(out.Numbers, n)
	}
	return json.Marshal(out)
}

func (m merger) Unmerge(ctx context.Context, tx *sql.Tx, ws, keepID string, undo json.RawMessage) error {
	var mv moved
	if err := json.Unmarshal(undo, &mv); err != nil {
		return fmt.Errorf("unmerge tickets: %w", err)
	}
	for ticket, ids := range mv.Messages {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE ticket_messages SET ticket_id = $3 WHERE workspace_id = $1 AND id = $2", ws, id, ticket); err != nil {
				return fmt.Errorf("unmerge tickets: %w", err)
			}
		}
	}
	for _, n := range mv.Numbers {
		if _, err := tx.ExecContext(ctx, "DELETE FROM ticket_merges WHERE workspace_id = $1 AND number = $2 AND into_id = $3", ws, n, keepID); err != nil {
			return fmt.Errorf("unmerge tickets: %w", err)
		}
	}
	return nil
}

// byNumber finds the ticket numbered n, or the one it was merged into
// (following merges of merged tickets).
func (s *Service) byNumber(ctx context.Context, tx *sql.Tx, ws string, n int64) (records.Record, error) {
	sys := access.System(ws)
	for range 10 {
		page, err := s.eng.List(ctx, sys, Object, records.Query{Filter: fmt.Sprintf("number = %d", n), PageSize: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Data) > 0 {
			return page.Data[0], nil
		}
		var into string
		err = tx.QueryRowContext(ctx, "SELECT into_id FROM ticket_merges WHERE workspace_id = $1 AND number = $2", ws, n).Scan(&into)
		if err == sql.ErrNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		t, err := s.eng.GetIn(ctx, tx, sys, Object, into)
		if fault.KindOf(err) == fault.KindNotFound {
			// Merged on into a ticket merged in turn: follow its number.
			if err := tx.QueryRowContext(ctx, "SELECT number FROM tickets WHERE workspace_id = $1 AND id = $2", ws, into).Scan(&n); err != nil {
				return nil, err
			}
			continue
		}
		return t, err
	}
	return nil, nil
}

// MergeInto merges the ticket id into the ticket numbered into: its
// messages, its history and what refers to it move there, and it goes to
// the trash. It returns the ticket kept.
func (s *Service) MergeInto(ctx context.Context, p access.Principal, id string, into int64) (records.Record, error) {
	page, err := s.eng.List(ctx, p, Object, records.Query{Filter: fmt.Sprintf("number = %d", into), PageSize: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Data) == 0 {
		return nil, fault.Invalid(fault.FieldError{Field: "into", Message: fmt.Sprintf("no ticket #%d", into)})
	}
	keep := page.Data[0]
	if keep.ID() == id {
		return nil, fault.Invalid(fault.FieldError{Field: "into", Message: "is this ticket"})
	}
	return s.eng.Merge(ctx, p, Object, keep.ID(), []string{id}, nil)
}

// MergeSelected merges tickets chosen together (the same request made
// several times) into the oldest of them, which it returns.
func (s *Service) MergeSelected(ctx context.Context, p access.Principal, ids []string) (records.Record, error) {
	if len(ids) < 2 {
		return nil, fault.Invalid(fault.FieldError{Field: "ids", Message: "name at least two tickets to merge"})
	}
	found, err := s.eng.GetMany(ctx, p, Object, ids)
	if err != nil {
		return nil, err
	}
	number := func(t records.Record) int64 { n, _ := t["number"].(int64); return n }
	var keep records.Record
	for _, id := range ids {
		t, ok := found[id]
		if !ok {
			return nil, fault.NotFound("no ticket with id %q", id)
		}
		if keep == nil || number(t) < number(keep) {
			keep = t
		}
	}
	var dups []string
	for _, id := range ids {
		if id != keep.ID() {
			dups = append(dups, id)
		}
	}
	return s.eng.Merge(ctx, p, Object, keep.ID(), dups, nil)
}
