package reports

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sync"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// View is a dashboard as a user sees it: its cards, each a saved report
// and its answer over the dashboard's period (or the report's error, so
// that one broken card leaves the others).
type View struct {
	Dashboard records.Record `json:"-"`
	// Range is the period the cards with a date cover; OwnerID, when
	// set, keeps to one owner's records.
	Range   string `json:"range"`
	OwnerID string `json:"owner_id,omitempty"`
	Cards   []Card `json:"cards"`
}

// Card is one report on a dashboard.
type Card struct {
	Report records.Record `json:"report"`
	Query  Query          `json:"query"`
	Result *Result        `json:"result,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// ViewOptions change what a dashboard shows for a moment: another
// period, one owner's records.
type ViewOptions struct {
	Range   string
	OwnerID string
	// Fresh asks for live answers, none kept.
	Fresh bool
}

// keyPattern is the form of a dashboard's address.
var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// validateDashboard checks a dashboard's address and that its writer can
// see each of its reports.
func (s *Service) validateDashboard(ctx context.Context, tx *sql.Tx, p access.Principal, rec records.Record) error {
	var errs []fault.FieldError
	if key, _ := rec["key"].(string); key != "" && !keyPattern.MatchString(key) {
		errs = append(errs, fault.FieldError{Field: "key", Message: fmt.Sprintf("%q: use lower-case letters, digits and dashes, like team-sales", key)})
	}
	ids, _ := rec["report_ids"].([]string)
	for _, id := range ids {
		if _, err := s.eng.GetIn(ctx, tx, p, Reports, id); fault.KindOf(err) == fault.KindNotFound {
			errs = append(errs, fault.FieldError{Field: "report_ids", Message: fmt.Sprintf("no report %q", id)})
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// Find reads a dashboard by its address ("sales") or id.
func (s *Service) Find(ctx context.Context, p access.Principal, ref string) (records.Record, error) {
	found, err := s.eng.FindBy(ctx, p, Dashboards, "key", []string{ref})
	if err != nil {
		return nil, err
	}
	if d := found[ref]; d != nil {
		return d, nil
	}
	d, err := s.eng.Get(ctx, p, Dashboards, ref, false)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil, fault.NotFound("no dashboard %q", ref)
	}
	return d, err
}

// Dashboard answers every report on a dashboard as p may see it, over the
// dashboard's period (or the one asked), several at a time.
func (s *Service) Dashboard(ctx context.Context, p access.Principal, ref string, opt ViewOptions) (*View, error) {
	d, err := s.Find(ctx, p, ref)
	if err != nil {
		return nil, err
	}
	v := &View{Dashboard: d, Range: opt.Range, OwnerID: opt.OwnerID}
	if v.Range == "" {
		v.Range, _ = d["period_range"].(string)
	}
	ids, _ := d["report_ids"].([]string)
	reps, err := s.eng.GetMany(ctx, p, Reports, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if r := reps[id]; r != nil {
			v.Cards = append(v.Cards, Card{Report: r})
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	slots := make(chan struct{}, 4)
	for i := range v.Cards {
		c := &v.Cards[i]
		q, err := QueryOf(c.Report)
		if err == nil {
			q = q.on(v.Range, v.OwnerID, false)
		}
		c.Query = q
		if err != nil {
			c.Error = err.Error()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			res, err := s.Answer(ctx, p, q, opt.Fresh)
			switch {
			case err == nil:
				c.Result = res
			case fault.As(err) != nil && fault.KindOf(err) != fault.KindInternal:
				c.Error = err.Error()
			default:
				mu.Lock()
				failed = fmt.Errorf("report %s: %w", c.Report.ID(), err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	return v, nil
}

// on is q over a dashboard's period and owner: a report with a date
// covers the dashboard's period (unless it names its own and the period
// is not forced), and compares when it did before.
func (q Query) on(rng, owner string, force bool) Query {
	if q.Period != nil && rng != "" && (force || !q.Period.pinned) {
		p := *q.Period
		p.Range, p.From, p.To = rng, "", ""
		q.Period = &p
	}
	if owner != "" {
		cond := "owner_id = " + filter.Quote(owner)
		if q.Filter != "" {
			cond = "(" + q.Filter + ") AND " + cond
		}
		q.Filter = cond
	}
	return q
}
