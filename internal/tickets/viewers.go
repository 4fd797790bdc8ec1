package tickets

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/store"
)

// ViewerTTL is how long an agent counts as having a ticket open after
// their page last said so (it says so every 20 seconds).
const ViewerTTL = time.Minute

// Viewer is another agent who has a ticket open, and whether they are
// writing on it.
type Viewer struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Replying bool      `json:"replying"`
	SeenAt   time.Time `json:"seen_at"`
}

// Viewing records that the caller has the ticket open (and is writing on
// it, when replying) and returns the other agents who have it open: the
// collision notice. Rows are per node-independent, in the database, so
// agents on different nodes see each other.
func (s *Service) Viewing(ctx context.Context, p access.Principal, ticketID string, replying bool) ([]Viewer, error) {
	if _, err := s.eng.Get(ctx, p, Object, ticketID, false); err != nil {
		return nil, err
	}
	d := s.db.Dialect()
	now := s.now().UTC().Truncate(time.Microsecond)
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO ticket_viewers (workspace_id, ticket_id, user_id, replying, seen_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (workspace_id, ticket_id, user_id) DO UPDATE SET replying = excluded.replying, seen_at = excluded.seen_at`,
		p.WorkspaceID, ticketID, p.UserID, d.Bool(replying), d.Time(now))
	if err != nil {
		return nil, fmt.Errorf("ticket viewers: %w", err)
	}
	// Who left long ago is forgotten (a closed tab says nothing).
	if _, err := s.db.Writer().ExecContext(ctx, `DELETE FROM ticket_viewers WHERE workspace_id = $1 AND ticket_id = $2 AND seen_at < $3`,
		p.WorkspaceID, ticketID, d.Time(now.Add(-10*ViewerTTL))); err != nil {
		return nil, fmt.Errorf("ticket viewers: %w", err)
	}
	rows, err := s.db.Writer().QueryContext(ctx, `SELECT user_id, replying, seen_at FROM ticket_viewers
		WHERE workspace_id = $1 AND ticket_id = $2 AND user_id <> $3 AND seen_at >= $4 ORDER BY seen_at DESC`,
		p.WorkspaceID, ticketID, p.UserID, d.Time(now.Add(-ViewerTTL)))
	if err != nil {
		return nil, fmt.Errorf("ticket viewers: %w", err)
	}
	defer rows.Close()
	out := []Viewer{}
	for rows.Next() {
		var v Viewer
		var at any
		if err := rows.Scan(&v.UserID, &v.Replying, &at); err != nil {
			return nil, err
		}
		v.SeenAt, _ = store.ParseTime(at)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		names := map[string]string{}
		if users, err := s.dir.Users(ctx, p.WorkspaceID); err == nil {
			for _, u := range users {
				names[u.ID] = u.Name
			}
		}
		for i := range out {
			out[i].Name = names[out[i].UserID]
		}
	}
	return out, nil
}
