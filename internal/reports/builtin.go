package reports

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/schema"
)

// builtin is a dashboard every workspace starts with, and its reports.
type builtin struct {
	key, name, description string
	period                 string
	reports                []map[string]any
}

// everyone shares a built-in report or dashboard with every role.
var everyone = schema.ReportRoles

// builtins are the sales, marketing and service dashboards. Their
// reports are records like any other: admins and managers change them,
// everyone sees them.
var builtins = []builtin{
	{key: "sales", name: "Sales", period: "this_year",
		description: "The pipeline now, the forecast, and the deals won and lost in the period.",
		reports: []map[string]any{
			{"name": "Open pipeline by stage", "object": "deals", "filter": `status = "open"`, "group_by": []string{"stage_id"},
				"measures": []string{"sum(amount)", "count"}, "chart": "bar"},
			{"name": "Weighted forecast by month", "object": "deals", "filter": `status = "open"`, "group_by": []string{"close_date:month"},
				"measures": []string{"sum(weighted_amount)", "sum(amount)"}, "period_field": "close_date", "period_range": "next_12_months", "chart": "bar"},
			{"name": "Won revenue", "object": "deals", "filter": `status = "won"`, "measures": []string{"sum(amount)"},
				"period_field": "stage_entered_at", "compare": true, "chart": "kpi"},
			{"name": "Won and lost by month", "object": "deals", "filter": `status = "won" OR status = "lost"`,
				"group_by": []string{"stage_entered_at:month", "status"}, "measures": []string{"count"}, "period_field": "stage_entered_at", "chart": "stacked_bar"},
			{"name": "Win rate by owner", "object": "deals", "filter": `status = "won" OR status = "lost"`, "group_by": []string{"owner_id"},
				"measures": []string{`percent(status = "won")`, "count"}, "period_field": "stage_entered_at", "chart": "bar"},
			{"name": "Sales cycle by owner", "object": "deals", "filter": `status = "won"`, "group_by": []string{"owner_id"},
				"measures": []string{"avg(stage_entered_at-created_at)", "count"}, "period_field": "stage_entered_at", "chart": "bar"},
			{"name": "Deals by source", "object": "deals", "group_by": []string{"lead_source"}, "measures": []string{"count", "sum(amount)"},
				"period_field": "created_at", "chart": "donut"},
		}},
	{key: "marketing", name: "Marketing", period: "last_90_days",
		description: "Where new contacts come from, and how far they get.",
		reports: []map[string]any{
			{"name": "New contacts", "object": "contacts", "measures": []string{"count"}, "period_field": "created_at", "compare": true, "chart": "kpi"},
			{"name": "New customers", "object": "contacts", "filter": `lifecycle_stage = "customer"`, "measures": []string{"count"},
				"period_field": "created_at", "compare": true, "chart": "kpi"},
			{"name": "New leads by source", "object": "contacts", "group_by": []string{"lead_source"}, "measures": []string{"count"},
				"order_by": "count desc", "row_limit": int64(12), "period_field": "created_at", "chart": "bar"},
			{"name": "New contacts by lifecycle stage", "object": "contacts", "group_by": []string{"created_at:week", "lifecycle_stage"},
				"measures": []string{"count"}, "period_field": "created_at", "chart": "stacked_bar"},
			{"name": "Subscriber to customer", "object": "contacts", "filter": `lifecycle_stage != "other"`, "group_by": []string{"lifecycle_stage"},
				"measures": []string{"count"}, "chart": "funnel"},
		}},
	{key: "service", name: "Service", period: "last_30_days",
		description: "Tickets in and out, the backlog, how fast the team answers, and how customers rate it.",
		reports: []map[string]any{
			{"name": "Tickets opened", "object": "tickets", "group_by": []string{"created_at:day"}, "measures": []string{"count"},
				"period_field": "created_at", "chart": "line"},
			{"name": "Tickets solved", "object": "tickets", "group_by": []string{"solved_at:day"}, "measures": []string{"count"},
				"period_field": "solved_at", "chart": "line"},
			{"name": "Backlog", "object": "tickets", "filter": `status = "new" OR status = "open" OR status = "pending"`,
				"group_by": []string{"priority", "status"}, "measures": []string{"count"}, "chart": "stacked_bar"},
			{"name": "First response time", "object": "tickets", "group_by": []string{"created_at:week"},
				"measures": []string{"avg(first_responded_at-created_at)"}, "period_field": "created_at", "chart": "line"},
			{"name": "Resolution time", "object": "tickets", "group_by": []string{"created_at:week"},
				"measures": []string{"avg(solved_at-created_at)"}, "period_field": "created_at", "chart": "line"},
			{"name": "SLA compliance", "object": "tickets", "filter": "sla_policy_id:*", "measures": []string{"percent(sla_breached = false)", "count"},
				"period_field": "created_at", "compare": true, "chart": "kpi"},
			{"name": "Customer satisfaction", "object": "tickets", "filter": "csat_rating:*", "measures": []string{`percent(csat_rating = "good")`, "count"},
				"period_field": "csat_at", "compare": true, "chart": "kpi"},
		}},
}

// CreateBuiltins gives a new workspace the built-in dashboards
// (auth.Service.OnWorkspaceCreated).
func (s *Service) CreateBuiltins(ctx context.Context, ws string) error {
	return s.eng.Tx(ctx, func(tx *sql.Tx) error { return s.createBuiltins(ctx, tx, ws) })
}

func (s *Service) createBuiltins(ctx context.Context, tx *sql.Tx, ws string) error {
	sys := access.System(ws)
	for _, b := range builtins {
		inputs := make([]map[string]any, len(b.reports))
		for i, r := range b.reports {
			in := map[string]any{"share_roles": everyone}
			for k, v := range r {
				in[k] = v
			}
			inputs[i] = in
		}
		recs, err := s.eng.CreateManyIn(ctx, tx, sys, Reports, inputs)
		if err != nil {
			return fmt.Errorf("the %s dashboard's reports: %w", b.key, err)
		}
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.ID()
		}
		_, err = s.eng.CreateManyIn(ctx, tx, sys, Dashboards, []map[string]any{{"key": b.key, "name": b.name, "description": b.description,
			"period_range": b.period, "report_ids": ids, "share_roles": everyone}})
		if err != nil {
			return fmt.Errorf("the %s dashboard: %w", b.key, err)
		}
	}
	return nil
}

// EnsureBuiltins gives the built-in dashboards to every workspace that
// has never had a dashboard (those made before dashboards existed). Run
// at start-up.
func (s *Service) EnsureBuiltins(ctx context.Context) error {
	return s.eng.Furnish(ctx, Dashboards, s.createBuiltins)
}
