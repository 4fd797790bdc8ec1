package app

import (
	"context"
	"fmt"
	"io"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/reports"
)

// seedReports saves the reports a sales manager would: won revenue by
// owner and quarter, mailed weekly, and the tickets by queue and priority,
// on a dashboard of the team's own shared with sales and managers; the
// built-in dashboards show the rest of the demo's history.
func seedReports(ctx context.Context, sys *System, p access.Principal, stdout io.Writer) error {
	eng := sys.Records
	won, err := eng.Create(ctx, p, reports.Reports, map[string]any{"name": "Won revenue by owner by quarter", "object": "deals", "filter": `status = "won"`,
		"group_by": []string{"stage_entered_at:quarter", "owner_id"}, "measures": []string{"sum(amount)", "count"}, "period_field": "stage_entered_at",
		"period_range": "last_365_days", "chart": "stacked_bar", "share_roles": []string{"manager", "sales"}, "schedule": "weekly"})
	if err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	gold, err := eng.Create(ctx, p, reports.Reports, map[string]any{"name": "Open pipeline of gold accounts", "object": "deals",
		"filter": `status = "open" AND company.tier = "gold"`, "group_by": []string{"company.name"}, "measures": []string{"sum(amount)"},
		"order_by": "sum(amount) desc", "row_limit": int64(10), "chart": "bar", "share_roles": []string{"manager", "sales"}})
	if err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	queues, err := eng.Create(ctx, p, reports.Reports, map[string]any{"name": "Open tickets by queue and priority", "object": "tickets",
		"filter": `status = "new" OR status = "open" OR status = "pending"`, "group_by": []string{"queue", "priority"}, "measures": []string{"count"},
		"chart": "stacked_bar", "share_roles": []string{"manager", "support"}})
	if err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	if _, err := eng.Create(ctx, p, reports.Dashboards, map[string]any{"name": "Sales team", "key": "team", "period_range": "this_quarter",
		"description": "Where this quarter's revenue comes from.", "report_ids": []string{won.ID(), gold.ID(), queues.ID()},
		"share_roles": []string{"manager", "sales"}}); err != nil {
		return fmt.Errorf("demo dashboard: %w", err)
	}
	fmt.Fprintln(stdout, "demo: saved 3 reports and a team dashboard (/dashboards/team), beside the built-in sales, marketing and service dashboards")
	return nil
}
