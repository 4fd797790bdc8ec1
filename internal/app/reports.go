package app

import (
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/reports"
)

// newReports makes the report service: owners named by their users,
// stages by their pipelines, digests mailed through the mail layer.
func newReports(s *System, catalog *i18n.Catalog, publicURL string, now func() time.Time) *reports.Service {
	r := reports.New(s.Records, reports.Options{Directory: s.Auth, DB: s.DB, Queue: s.Jobs, Mail: s.Email, Catalog: catalog, PublicURL: publicURL}, now)
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
