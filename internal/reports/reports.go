// Package reports answers questions about any object's records: counts,
// sums and averages in groups, over a period and the one before it, with
// the names that the groups' ids stand for. Saved reports, dashboards
// and scheduled digests are built on these answers.
package reports

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// Query is a report's question (API.md, POST /api/v1/reports/query).
type Query struct {
	Object   string            `json:"object"`
	Filter   string            `json:"filter,omitempty"`
	GroupBy  []string          `json:"group_by,omitempty"`
	Measures []records.Measure `json:"measures,omitempty"`
	OrderBy  string            `json:"order_by,omitempty"`
	Limit    int               `json:"limit,omitempty"`
	Period   *Period           `json:"period,omitempty"`
	// Compare asks for the period before as well (a KPI's trend).
	Compare bool `json:"compare,omitempty"`
}

// Result is a report's answer: the aggregate's columns and rows, the
// names of the ids among the keys (Labels[column][id]), and the period
// it covers with the one before when asked.
type Result struct {
	records.Aggregate
	Labels   map[string]map[string]string `json:"labels,omitempty"`
	Period   *Span                        `json:"period,omitempty"`
	Previous *Previous                    `json:"previous,omitempty"`
	// AsOf is when a kept answer was worked out (nil: just now).
	AsOf *time.Time `json:"as_of,omitempty"`
	// order is the natural order of a key column's labelled values.
	order map[string][]string
}

// Previous is the same question over the period before.
type Previous struct {
	Period Span `json:"period"`
	records.Aggregate
}

// Region is what a report needs to know of its workspace: the zone whose
// days bucket dates and periods, and the currency of money that records
// do not name.
type Region struct {
	Zone     *time.Location
	Currency string
}

// Directory reads workspaces and users: a workspace's zone and currency,
// a digest's owner.
type Directory interface {
	Workspace(ctx context.Context, ws string) (*auth.Workspace, error)
	User(ctx context.Context, ws, id string) (*auth.User, error)
}

// Mailer writes emails (the mail layer): digests go out as emails like
// any other.
type Mailer interface {
	WriteIn(ctx context.Context, tx *sql.Tx, p access.Principal, in map[string]any, files []email.File) (records.Record, error)
}

// Options are what the service works with besides the records.
type Options struct {
	Directory Directory
	// Queue, Mail and Catalog send scheduled digests, with links to
	// PublicURL; without a queue nothing is scheduled.
	Queue *jobs.Queue
	Mail  Mailer
	// DB keeps answers that take long (nil: every answer is live).
	DB        *store.DB
	Catalog   *i18n.Catalog
	PublicURL string
}

// Service answers report queries.
type Service struct {
	eng *records.Engine
	opt Options
	now func() time.Time
	// labelers name the ids of a field's values, by "object.field".
	labelers map[string]Labeler
	// KeepAfter is how long an answer must take to be kept (KeepAfter
	// unless a test says).
	KeepAfter time.Duration
}

// Labeler names some values of a field (user ids, a deal's stages), in
// their natural order: a pipeline's stages in the pipeline's.
type Labeler func(ctx context.Context, p access.Principal, values []string) ([]Label, error)

// Label is the name of a value.
type Label struct{ Value, Name string }

// New makes a report service over eng. It registers who sees saved
// reports and dashboards, their checks, and their digests' job.
func New(eng *records.Engine, opt Options, now func() time.Time) *Service {
	s := &Service{eng: eng, opt: opt, now: now, labelers: map[string]Labeler{}, KeepAfter: KeepAfter}
	eng.Scope(Reports, share)
	eng.Scope(Dashboards, share)
	eng.Validate(Reports, s.validateReport)
	eng.Validate(Dashboards, s.validateDashboard)
	eng.Keep(Reports, s.keepSchedule)
	eng.Keep(Dashboards, s.keepSchedule)
	if opt.Queue != nil {
		opt.Queue.Handle(DigestJob, s.digest)
		opt.Queue.Handle(RefreshJob, s.refresh)
	}
	return s
}

// region reads a workspace's zone and currency.
func (s *Service) region(ctx context.Context, ws string) (Region, error) {
	w, err := s.opt.Directory.Workspace(ctx, ws)
	if err != nil {
		return Region{}, err
	}
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return Region{Zone: loc, Currency: w.DefaultCurrency}, nil
}

// Label registers the labeler of a field's values ("deals.stage_id");
// "*.owner_id" serves every object's field of that name. Call at start-up.
func (s *Service) Label(field string, l Labeler) { s.labelers[field] = l }

// Run answers q with what p may see.
func (s *Service) Run(ctx context.Context, p access.Principal, q Query) (*Result, error) {
	c, err := s.compile(ctx, p, q)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, p, q, c)
}

// run answers a compiled question.
func (s *Service) run(ctx context.Context, p access.Principal, q Query, c *compiled) (*Result, error) {
	agg, err := s.eng.Aggregate(ctx, p, q.Object, c.a)
	if err != nil {
		return nil, err
	}
	res := &Result{Aggregate: *agg, Period: c.period}
	if q.Compare {
		a := c.a
		a.Filter = within(q.Filter, c.field, c.previous)
		before, err := s.eng.Aggregate(ctx, p, q.Object, a)
		if err != nil {
			return nil, err
		}
		res.Previous = &Previous{Period: c.previous, Aggregate: *before}
	}
	if err := s.labels(ctx, p, q.Object, res); err != nil {
		return nil, err
	}
	return res, nil
}

// Check reports what is wrong with q, as Run would, without running it.
func (s *Service) Check(ctx context.Context, p access.Principal, q Query) error {
	c, err := s.compile(ctx, p, q)
	if err != nil {
		return err
	}
	return s.eng.CheckAggregation(ctx, p, q.Object, c.a)
}

// compiled is a query made ready to run: the aggregation over its
// period, and the period before.
type compiled struct {
	a        records.Aggregation
	period   *Span
	previous Span
	field    *schema.Field
}

func (s *Service) compile(ctx context.Context, p access.Principal, q Query) (*compiled, error) {
	if q.Object == "" {
		return nil, fault.BadRequest("object: required")
	}
	reg, err := s.region(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	c := &compiled{a: records.Aggregation{Filter: q.Filter, GroupBy: q.GroupBy, Measures: q.Measures, OrderBy: q.OrderBy, Limit: q.Limit,
		Zone: reg.Zone, Currency: reg.Currency}}
	if q.Period == nil {
		if q.Compare {
			return nil, fault.BadRequest("compare: needs a period to compare with the one before")
		}
		return c, nil
	}
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	o, ok := sch.Object(q.Object)
	if !ok {
		return nil, fault.NotFound("no object %q", q.Object)
	}
	f, ok := o.Field(q.Period.Field)
	if !ok || f.Kind != schema.Date && f.Kind != schema.DateTime {
		return nil, fault.BadRequest("period.field: %s has no date field %q", q.Object, q.Period.Field)
	}
	cur, before, err := q.Period.span(s.now(), reg.Zone)
	if err != nil {
		return nil, err
	}
	c.period, c.previous, c.field = &cur, before, f
	c.a.Filter = within(q.Filter, f, cur)
	return c, nil
}

// within adds to a filter that the field falls in the span: dates compare
// as days, datetimes as the instants the zone's days begin.
func within(flt string, f *schema.Field, s Span) string {
	from, to := s.From.Format(time.DateOnly), s.To.Format(time.DateOnly)
	if f.Kind == schema.DateTime {
		from, to = s.From.UTC().Format(time.RFC3339), s.To.UTC().Format(time.RFC3339)
	}
	cond := fmt.Sprintf("%s >= %s AND %s < %s", f.Name, filter.Quote(from), f.Name, filter.Quote(to))
	if flt == "" {
		return cond
	}
	return "(" + flt + ") AND " + cond
}
