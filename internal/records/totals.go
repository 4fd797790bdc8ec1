package records

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Total is one group of a Totals: the values of the fields grouped by,
// how many records are in it, and the exact sum of the summed field
// (a decimal string, "0.00" when none has a value).
type Total struct {
	Keys  []any
	Count int64
	Sum   string
}

// Totals counts the records q's filter and search match, grouped by the
// keys by (a kanban board's columns: a deal's stage and currency;
// "close_date:month" groups a date field by its month, "2026-03"), and
// sums the money or number field sum in each group, exactly, in one
// query (an Aggregate).
func (e *Engine) Totals(ctx context.Context, p access.Principal, object string, q Query, by []string, sum string) ([]Total, error) {
	a, err := e.Aggregate(ctx, p, object, Aggregation{Filter: q.Filter, Q: q.Q, GroupBy: by, Limit: MaxGroups,
		Measures: []Measure{{Fn: "count"}, {Fn: "sum", Field: sum}}})
	if err != nil {
		return nil, err
	}
	if a.Currency == "" && len(a.Columns) > len(by)+2 {
		return nil, fault.BadRequest("totals of %s: group by currency to sum %q", object, sum)
	}
	out := make([]Total, len(a.Rows))
	for i, row := range a.Rows {
		n, _ := row[len(by)].(int64)
		out[i] = Total{Keys: row[:len(by)], Count: n, Sum: fmt.Sprint(row[len(by)+1])}
	}
	return out, nil
}

// tenThousandths writes n ten-thousandths as a decimal ("12500.00").
func tenThousandths(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return schema.FormatDecimal(fmt.Sprintf("%s%d.%04d", sign, n/10000, n%10000))
}

// Span is one group of Spans: how many records have both times, and the
// whole seconds from the one to the other, summed.
type Span struct {
	Keys    []any
	Count   int64
	Seconds int64
}

// Spans groups the records q matches that have both datetime fields from
// and to set, as Totals does, and sums the time from from to to in each
// group: a won deal's sales cycle is from its created_at to the time it
// entered the won stage.
func (e *Engine) Spans(ctx context.Context, p access.Principal, object string, q Query, by []string, from, to string) ([]Span, error) {
	span := to + "-" + from
	a, err := e.Aggregate(ctx, p, object, Aggregation{Filter: q.Filter, Q: q.Q, GroupBy: by, Limit: MaxGroups,
		Measures: []Measure{{Fn: "count", Field: span}, {Fn: "sum", Field: span}}})
	if err != nil {
		return nil, err
	}
	var out []Span
	for _, row := range a.Rows {
		n, _ := row[len(by)].(int64)
		sec, _ := row[len(by)+1].(int64)
		if n > 0 {
			out = append(out, Span{Keys: row[:len(by)], Count: n, Seconds: sec})
		}
	}
	return out, nil
}
