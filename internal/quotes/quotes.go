// Package quotes is the product catalogue and the quotes sales sends:
// numbered per workspace and year (Q-2026-0001), in versions, with line
// items whose totals are worked out exactly and rounded per line in the
// quote's currency. A draft is edited freely; once sent, a quote changes
// only by a new version. Accepting a quote can win its deal.
package quotes

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/money"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// The objects' names.
const (
	Object   = "quotes"
	Products = "products"
)

// ValidDays is how long a new quote is valid unless it says.
const ValidDays = 30

// content are the fields a sent quote no longer changes.
var content = []string{"name", "deal_id", "company_id", "contact_id", "currency", "valid_until", "terms", "line_items"}

// Service keeps quotes whole and sends them.
type Service struct {
	eng     *records.Engine
	log     *events.Log
	queue   *jobs.Queue
	dir     Directory
	mail    Mailer
	catalog *i18n.Catalog
	now     func() time.Time
}

// Mailer writes emails: quotes go out as emails with their PDF attached,
// through the mail layer like any other.
type Mailer interface {
	WriteIn(ctx context.Context, tx *sql.Tx, p access.Principal, in map[string]any, files []email.File) (records.Record, error)
}

// New registers the rules and the expiry job. Call at start-up.
func New(eng *records.Engine, log *events.Log, queue *jobs.Queue, dir Directory, mailer Mailer, catalog *i18n.Catalog, now func() time.Time) *Service {
	s := &Service{eng: eng, log: log, queue: queue, dir: dir, mail: mailer, catalog: catalog, now: now}
	eng.Keep(Object, s.keepQuote)
	eng.Keep(Products, keepProduct)
	queue.Handle(ExpireJob, s.expire)
	return s
}

// keepProduct makes a new product active unless it says otherwise.
func keepProduct(_ context.Context, _ *sql.Tx, _ access.Principal, before, after records.Record) ([]*events.Event, error) {
	if before == nil && after["active"] == nil {
		after["active"] = true
	}
	return nil, nil
}

// revising carries, in a Revise's context, the quote a new version
// follows.
type revising struct{}

// keepQuote fills and checks a quote: a new one gets the next number of
// the year, is a draft, and takes its company, contact, currency and
// name from its deal; each line takes its product's name, price in the
// quote's currency and tax rate unless it says; the totals are worked
// out; a quote that is no longer a draft keeps its content, and its
// status moves only forward.
func (s *Service) keepQuote(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	var errs []fault.FieldError
	bad := func(field, format string, a ...any) {
		errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	now := s.now().UTC()
	if before != nil && before["status"] != "draft" {
		for _, f := range content {
			if !same(before[f], after[f]) {
				bad(f, "quote %s was sent: make a new version to change it (POST /api/v1/quotes/%s/revise)", number(before), before.ID())
			}
		}
	}
	status, _ := after["status"].(string)
	switch was, _ := before["status"].(string); {
	case before == nil && status != "" && status != "draft":
		bad("status", "a new quote is a draft; send it to make it sent")
	case before == nil:
		after["status"] = "draft"
	case status == was:
	case status == "" || status == "draft":
		bad("status", "a quote that was %s cannot be a draft again: make a new version", was)
	case was == "accepted" || was == "declined" || was == "expired":
		bad("status", "the quote was %s: make a new version to offer again", was)
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	if status == "sent" && before != nil && before["status"] == "draft" {
		after["sent_at"] = now.Truncate(time.Microsecond)
		if err := s.expireLater(ctx, tx, p.WorkspaceID, after); err != nil {
			return nil, err
		}
	}
	if before != nil && before["status"] != "draft" {
		return nil, nil // nothing else changes
	}
	deal, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), deals.Object, fmt.Sprint(after["deal_id"]))
	if fault.KindOf(err) == fault.KindNotFound {
		return nil, fault.Invalid(fault.FieldError{Field: "deal_id", Message: fmt.Sprintf("no %s record with id %q", deals.Object, after["deal_id"])})
	}
	if err != nil {
		return nil, err
	}
	if before == nil || before["deal_id"] != after["deal_id"] {
		if after["company_id"] == nil {
			after["company_id"] = deal["company_id"]
		}
		if ids, _ := deal["contact_ids"].([]string); after["contact_id"] == nil && len(ids) > 0 {
			after["contact_id"] = ids[0]
		}
	}
	if after["name"] == nil {
		after["name"] = deal["name"]
	}
	code, _ := after["currency"].(string)
	if code = strings.ToUpper(strings.TrimSpace(code)); code == "" {
		code, _ = deal["currency"].(string)
	}
	if !money.Currency(code) {
		return nil, fault.Invalid(fault.FieldError{Field: "currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency code like EUR or USD", code)})
	}
	after["currency"] = code
	if before == nil {
		if after["valid_until"] == nil {
			after["valid_until"] = now.AddDate(0, 0, ValidDays).Format("2006-01-02")
		}
		if prev, ok := ctx.Value(revising{}).(records.Record); ok {
			after["number"], after["previous_id"] = prev["number"], prev.ID()
			r, _ := prev["revision"].(int64)
			after["revision"] = r + 1
		} else {
			n, err := s.nextNumber(ctx, tx, p.WorkspaceID, now.Year())
			if err != nil {
				return nil, err
			}
			after["number"], after["revision"] = n, int64(1)
		}
	}
	if err := s.price(ctx, tx, p, before, after, code); err != nil {
		return nil, err
	}
	return nil, nil
}

// price fills each line from its product and works out the totals.
func (s *Service) price(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record, currency string) error {
	lines, _ := after["line_items"].([]map[string]any)
	had := map[string]bool{}
	if before != nil {
		old, _ := before["line_items"].([]map[string]any)
		for _, l := range old {
			if id, ok := l["product_id"].(string); ok {
				had[id] = true
			}
		}
	}
	var errs []fault.FieldError
	bad := func(i int, format string, a ...any) {
		errs = append(errs, fault.FieldError{Field: "line_items", Message: fmt.Sprintf("line %d: ", i) + fmt.Sprintf(format, a...)})
	}
	in := make([]Line, len(lines))
	for i, l := range lines {
		if id, ok := l["product_id"].(string); ok {
			prod, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), Products, id)
			if fault.KindOf(err) == fault.KindNotFound {
				bad(i, "product_id: no product with id %q", id)
				continue
			}
			if err != nil {
				return err
			}
			if prod["active"] == false && !had[id] {
				bad(i, "product_id: %v is no longer sold (inactive)", prod["name"])
			}
			if l["name"] == nil {
				l["name"] = prod["name"]
			}
			if prices, _ := prod["prices"].(map[string]any); l["unit_price"] == nil && prices[currency] != nil {
				l["unit_price"] = prices[currency]
			}
			if rate, ok := prod["tax_percent"].(float64); ok && l["tax_percent"] == nil {
				l["tax_percent"] = strconv.FormatFloat(rate, 'f', -1, 64)
			}
			if l["unit_price"] == nil {
				bad(i, "unit_price: %v has no price in %s; give one", prod["name"], currency)
			}
		} else if l["unit_price"] == nil {
			bad(i, "unit_price: is required for a line without a product")
		}
		in[i] = Line{Quantity: rat(l["quantity"]), UnitPrice: rat(l["unit_price"]), DiscountPercent: rat(l["discount_percent"]), TaxPercent: rat(l["tax_percent"])}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	t := Compute(in, currency)
	for i, l := range lines {
		l["amount"], l["discount"], l["tax"] = t.Lines[i].Amount, t.Lines[i].Discount, t.Lines[i].Tax
	}
	after["subtotal"], after["discount_total"], after["tax_total"], after["total"] = t.Subtotal, t.Discount, t.Tax, t.Total
	return nil
}

// nextNumber takes the workspace's next quote number of a year.
func (s *Service) nextNumber(ctx context.Context, tx *sql.Tx, ws string, year int) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO quote_numbers (workspace_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (workspace_id, year) DO UPDATE SET last = quote_numbers.last + 1 RETURNING last`, ws, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("number a quote: %w", err)
	}
	return fmt.Sprintf("Q-%d-%04d", year, n), nil
}

// Revise makes a new version of a quote that was sent: a draft with the
// same number, the next revision, and the content of the one before.
func (s *Service) Revise(ctx context.Context, p access.Principal, id string) (records.Record, error) {
	var out records.Record
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		prev, err := s.eng.GetIn(ctx, tx, p, Object, id)
		if err != nil {
			return err
		}
		if prev["status"] == "draft" {
			return fault.Invalid(fault.FieldError{Field: "status", Message: "a draft is changed as it is; only a sent quote gets a new version"})
		}
		var newer int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM quotes WHERE workspace_id = $1 AND number = $2 AND revision > $3 AND deleted_at IS NULL`,
			p.WorkspaceID, prev["number"], prev["revision"]).Scan(&newer); err != nil {
			return err
		}
		if newer > 0 {
			return fault.Conflict("", "quote %s has a newer version than %d: revise that one", number(prev), prev["revision"])
		}
		in := map[string]any{}
		for _, f := range content {
			if v := prev[f]; v != nil {
				in[f] = plain(v)
			}
		}
		recs, err := s.eng.CreateManyIn(context.WithValue(ctx, revising{}, prev), tx, p, Object, []map[string]any{in})
		if err != nil {
			return err
		}
		out = recs[0]
		return nil
	})
	return out, err
}

// Accept marks a sent quote accepted and, when win is set, moves its deal
// to its pipeline's won stage if the deal is still open.
func (s *Service) Accept(ctx context.Context, p access.Principal, id string, win bool) (records.Record, error) {
	var out records.Record
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		_, q, err := s.eng.UpdateIn(ctx, tx, p, Object, id, map[string]any{"status": "accepted"})
		if err != nil {
			return err
		}
		out = q
		if !win {
			return nil
		}
		deal, err := s.eng.GetIn(ctx, tx, p, deals.Object, fmt.Sprint(q["deal_id"]))
		if err != nil || deal["status"] != "open" {
			return err
		}
		pl, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), deals.Pipelines, fmt.Sprint(deal["pipeline_id"]))
		if err != nil {
			return err
		}
		i := slices.IndexFunc(deals.StagesOf(pl), func(st deals.Stage) bool { return st.Kind == "won" })
		if i < 0 {
			return fault.Invalid(fault.FieldError{Field: "win_deal", Message: fmt.Sprintf("pipeline %v has no won stage", pl["name"])})
		}
		_, _, err = s.eng.UpdateIn(ctx, tx, p, deals.Object, deal.ID(), map[string]any{"stage_id": deals.StagesOf(pl)[i].ID})
		return err
	})
	return out, err
}

func number(q records.Record) string {
	return fmt.Sprintf("%v v%v", q["number"], q["revision"])
}

// same reports whether two clean field values are equal (lines without
// the totals worked out from them).
func same(a, b any) bool {
	return fmt.Sprint(plain(a)) == fmt.Sprint(plain(b))
}

// plain turns a clean value back into what an input holds: lines
// without their worked-out totals.
func plain(v any) any {
	switch t := v.(type) {
	case []map[string]any:
		out := make([]any, len(t))
		for i, m := range t {
			c := map[string]any{}
			for k, x := range m {
				if !slices.Contains(schema.LineItemTotals, k) {
					c[k] = x
				}
			}
			out[i] = c
		}
		return out
	}
	return v
}

// rat reads a line's decimal string (nil when absent).
func rat(v any) *big.Rat {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	r, _ := money.Parse(s)
	return r
}

// ExpireJob is the kind of the job that marks a sent quote expired when
// the day it is valid until has passed.
const ExpireJob = "quote.expire"

// expireLater queues a sent quote's expiry for the end of the day it is
// valid until (UTC).
func (s *Service) expireLater(ctx context.Context, tx *sql.Tx, ws string, q records.Record) error {
	until, err := time.Parse("2006-01-02", str(q["valid_until"]))
	if err != nil {
		return nil // no validity: it does not expire
	}
	return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: ws, Kind: ExpireJob, RunAt: until.AddDate(0, 0, 1),
		UniqueKey: "quote.expire:" + q.ID(), Payload: map[string]string{"quote_id": q.ID()}})
}

// expire marks a quote expired if it is still sent (not accepted,
// declined, or expired by hand) and its validity has passed.
func (s *Service) expire(ctx context.Context, j *jobs.Job) error {
	var pl struct {
		QuoteID string `json:"quote_id"`
	}
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("quote expiry payload: %w", err))
	}
	sys := access.System(j.WorkspaceID)
	q, err := s.eng.Get(ctx, sys, Object, pl.QuoteID, false)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil // trashed: nothing to expire
	}
	if err != nil {
		return err
	}
	until, err := time.Parse("2006-01-02", str(q["valid_until"]))
	if q["status"] != "sent" || err != nil || s.now().UTC().Before(until.AddDate(0, 0, 1)) {
		return nil
	}
	_, err = s.eng.Update(ctx, sys, Object, q.ID(), map[string]any{"status": "expired"}, nil)
	return err
}
