package tasks

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// MaxMine bounds each part of My tasks.
const MaxMine = 200

// Mine are a user's open tasks: overdue, due today (the workspace's day),
// and upcoming (later, then those with no due time), each soonest first.
type Mine struct {
	Overdue  []records.Record `json:"overdue"`
	Today    []records.Record `json:"today"`
	Upcoming []records.Record `json:"upcoming"`
}

// Mine reads p's open tasks.
func (s *Service) Mine(ctx context.Context, p access.Principal) (Mine, error) {
	out := Mine{Overdue: []records.Record{}, Today: []records.Record{}, Upcoming: []records.Record{}}
	zone := ""
	if ws, err := s.dir.Workspace(ctx, p.WorkspaceID); err == nil {
		zone = ws.TimeZone
	}
	now := InZone(s.now(), zone)
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	end := start.AddDate(0, 0, 1)
	open := "assignee_id = " + filter.Quote(p.UserID) + " AND done = false"
	dated, err := s.eng.List(ctx, p, Object, records.Query{Filter: open + " AND due_at:*", OrderBy: "due_at, id", PageSize: MaxMine})
	if err != nil {
		return out, err
	}
	for _, t := range dated.Data {
		switch due := timeOf(t["due_at"]); {
		case due.Before(now):
			out.Overdue = append(out.Overdue, t)
		case due.Before(end):
			out.Today = append(out.Today, t)
		default:
			out.Upcoming = append(out.Upcoming, t)
		}
	}
	undated, err := s.eng.List(ctx, p, Object, records.Query{Filter: open + " AND NOT due_at:*", OrderBy: "created_at, id", PageSize: MaxMine})
	if err != nil {
		return out, err
	}
	out.Upcoming = append(out.Upcoming, undated.Data...)
	return out, nil
}
