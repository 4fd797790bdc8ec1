package app

import (
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/reports"
)

// newReports makes the report service: the workspace's zone and currency
// from its settings, owners named by their users, stages by their
// pipelines.
func newReports(s *System, now func() time.Time) *reports.Service {
	region := func(ctx context.Context, ws string) (reports.Region, error) {
		w, err := s.Auth.Workspace(ctx, ws)
		if err != nil {
			return reports.Region{}, err
		}
		loc, err := time.LoadLocation(w.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		return reports.Region{Zone: loc, Currency: w.DefaultCurrency}, nil
	}
	r := reports.New(s.Records, region, now)
	r.Label("*.owner_id", func(ctx context.Context, p access.Principal, ids []string) (map[string]string, error) {
		users, err := s.Auth.Users(ctx, p.WorkspaceID)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for _, u := range users {
			if slices.Contains(ids, u.ID) {
				out[u.ID] = u.Name
			}
		}
		return out, nil
	})
	r.Label("deals.stage_id", s.Deals.StageNames)
	return r
}
