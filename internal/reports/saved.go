package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// The objects of saved reports and dashboards.
const (
	Reports    = "reports"
	Dashboards = "dashboards"
)

// share is who sees a saved report or a dashboard: its owner, the roles
// and users it is shared with, and admins. Others do not find it.
func share(p access.Principal) string {
	if p.Role == access.Admin {
		return ""
	}
	return fmt.Sprintf("owner_id = %s OR share_roles:%s OR share_user_ids:%s", filter.Quote(p.UserID), filter.Quote(string(p.Role)), filter.Quote(p.UserID))
}

// QueryOf reads a saved report's question.
func QueryOf(rec records.Record) (Query, error) {
	q := Query{Object: str(rec["object"]), Filter: str(rec["filter"]), OrderBy: str(rec["order_by"])}
	q.GroupBy, _ = rec["group_by"].([]string)
	if n, ok := rec["row_limit"].(int64); ok {
		q.Limit = int(n)
	}
	measures, _ := rec["measures"].([]string)
	for _, text := range measures {
		m, err := ParseMeasure(text)
		if err != nil {
			return q, err
		}
		q.Measures = append(q.Measures, m)
	}
	if f := str(rec["period_field"]); f != "" {
		q.Period = &Period{Field: f, Range: str(rec["period_range"]), pinned: rec["period_range"] != nil}
		if q.Period.Range == "" {
			q.Period.Range = "this_year"
		}
		q.Compare, _ = rec["compare"].(bool)
	}
	return q, nil
}

// ParseMeasure reads a measure as a saved report keeps it, its column's
// name: "count", "sum(amount)", `percent(status = "won")`.
func ParseMeasure(text string) (records.Measure, error) {
	text = strings.TrimSpace(text)
	fn, rest, ok := strings.Cut(text, "(")
	if !ok {
		return records.Measure{Fn: text}, nil
	}
	arg, ok := strings.CutSuffix(rest, ")")
	if !ok {
		return records.Measure{}, fault.BadRequest("measures: %q lacks its closing parenthesis", text)
	}
	fn, arg = strings.TrimSpace(fn), strings.TrimSpace(arg)
	if fn == "percent" {
		return records.Measure{Fn: fn, Filter: arg}, nil
	}
	return records.Measure{Fn: fn, Field: arg}, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// validateReport checks a saved report's question as its writer would
// run it, and names the field that is wrong.
func (s *Service) validateReport(ctx context.Context, _ *sql.Tx, p access.Principal, rec records.Record) error {
	q, err := QueryOf(rec)
	if err == nil {
		err = s.Check(ctx, p, q)
	}
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.KindBadRequest && fe.Kind != fault.KindNotFound {
		return err
	}
	field := "object"
	for prefix, name := range map[string]string{"filter": "filter", "group_by": "group_by", "measures": "measures", "order_by": "order_by",
		"limit": "row_limit", "period.field": "period_field", "period.range": "period_range", "compare": "compare"} {
		if strings.HasPrefix(fe.Msg, prefix) {
			field = name
		}
	}
	return fault.Invalid(fault.FieldError{Field: field, Message: fe.Msg})
}
