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
	r.Label("*.owner_id", func(ctx context.Context, p access.Principal, ids []string) ([]reports.Label, error) {
		users, err := s.Auth.Users(ctx, p.WorkspaceID)
		if err != nil {
			return nil, err
		}
		var out []reports.Label
		for _, u := range users {
			if slices.Contains(ids, u.ID) {
				out = append(out, reports.Label{Value: u.ID, Name: u.Name})
			}
		}
		reports.SortLabels(out)
		return out, nil
	})
	r.Label("deals.stage_id", func(ctx context.Context, p access.Principal, ids []string) ([]reports.Label, error) {
		stages, err := s.Deals.StageNames(ctx, p)
		if err != nil {
			return nil, err
		}
		var out []reports.Label
		for _, st := range stages {
			if slices.Contains(ids, st[0]) {
				out = append(out, reports.Label{Value: st[0], Name: st[1]})
			}
		}
		return out, nil
	})
	return r
}
