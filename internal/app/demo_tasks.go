package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/tasks"
)

var demoTaskTitles = []string{"Call back about the proposal", "Send the revised quote", "Book the demo with IT", "Check in after the trial",
	"Confirm the budget owner", "Follow up on the security questionnaire", "Prepare the renewal call", "Send the reference customer list"}

// seedTasks gives the open deals' owners their follow-ups: done ones in
// the past (on the deals' timelines), some overdue, some due today, more
// ahead with a reminder, so that My tasks and the bell have something to
// show.
func seedTasks(ctx context.Context, sys *System, p access.Principal, g *generator, clock *DemoClock, end time.Time, stdout io.Writer) error {
	eng := sys.Records
	page, err := eng.List(ctx, p, deals.Object, records.Query{Filter: `status = "open"`, PageSize: 500})
	if err != nil {
		return fmt.Errorf("demo tasks: %w", err)
	}
	today := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	n, done := 0, 0
	for i, deal := range page.Data {
		owner := access.Principal{WorkspaceID: p.WorkspaceID, UserID: deal.Owner(), Role: access.Manager}
		related := map[string]any{"object": deals.Object, "id": deal.ID()}
		// One done some weeks ago.
		at := end.AddDate(0, 0, -14-g.r.IntN(40))
		clock.set(at)
		t, err := eng.Create(ctx, owner, tasks.Object, map[string]any{"title": g.pick(demoTaskTitles), "due_at": at.Add(48 * time.Hour).Format(time.RFC3339), "related": related})
		if err != nil {
			return fmt.Errorf("demo task: %w", err)
		}
		clock.set(at.Add(time.Duration(20+g.r.IntN(40)) * time.Hour))
		if _, err := eng.Update(ctx, owner, tasks.Object, t.ID(), map[string]any{"done": true}, nil); err != nil {
			return fmt.Errorf("demo task done: %w", err)
		}
		n, done = n+2, done+1
		// And the next step: overdue, today, or ahead with a reminder.
		clock.set(end.AddDate(0, 0, -3))
		var due time.Time
		switch i % 4 {
		case 0:
			due = today.AddDate(0, 0, -1-g.r.IntN(3)).Add(time.Duration(9+g.r.IntN(8)) * time.Hour)
		case 1:
			due = today.Add(time.Duration(15+g.r.IntN(3)) * time.Hour)
		default:
			due = today.AddDate(0, 0, 1+g.r.IntN(14)).Add(time.Duration(9+g.r.IntN(8)) * time.Hour)
		}
		in := map[string]any{"title": g.pick(demoTaskTitles), "due_at": due.Format(time.RFC3339), "related": related}
		if due.After(end) {
			in["remind_at"] = due.Add(-15 * time.Minute).Format(time.RFC3339)
		}
		if _, err := eng.Create(ctx, owner, tasks.Object, in); err != nil {
			return fmt.Errorf("demo task: %w", err)
		}
	}
	clock.set(time.Time{})
	fmt.Fprintf(stdout, "demo: created %d tasks (%d done)\n", n, done)
	return nil
}
