package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
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
// built-in fields by (a kanban board's columns: a deal's stage and
// currency; "close_date:month" groups a date field by its month,
// "2026-03"), and sums the money or number field sum in each group, in
// one query. The sum is exact: PostgreSQL adds numerics; SQLite, whose
// money column holds integers and doubles, adds whole ten-thousandths
// (amounts have at most four decimals, and a double holds any amount
// under 900 billion to that precision).
func (e *Engine) Totals(ctx context.Context, p access.Principal, object string, q Query, by []string, sum string) ([]Total, error) {
	s, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	flt, err := filter.Parse(q.Filter, s, o)
	if err != nil {
		return nil, err
	}
	d := e.db.Dialect()
	cols := make([]string, len(by))
	fields := make([]*schema.Field, len(by))
	for i, key := range by {
		name, bucket, _ := strings.Cut(key, ":")
		f, ok := o.Field(name)
		if !ok || f.Custom || !f.Sortable() || bucket != "" && (bucket != "month" || f.Kind != schema.Date) {
			return nil, fault.BadRequest("cannot group %s by %q", object, key)
		}
		cols[i], fields[i] = "t."+store.QuoteIdent(name), f
		if bucket == "month" { // "2026-03"
			fields[i] = &schema.Field{Name: key, Kind: schema.Text}
			cols[i] = "substr(CAST(" + cols[i] + " AS TEXT), 1, 7)"
		}
	}
	sf, ok := o.Field(sum)
	if !ok || sf.Custom || sf.Kind != schema.Money && sf.Kind != schema.Number && sf.Kind != schema.Integer {
		return nil, fault.BadRequest("cannot sum %s's %q", object, sum)
	}
	where, args := e.where(d, p.WorkspaceID, o, flt, q)
	total := "SUM(t." + store.QuoteIdent(sum) + ")"
	units := d == store.SQLite && sf.Kind == schema.Money
	if units {
		total = "SUM(CAST(ROUND(t." + store.QuoteIdent(sum) + " * 10000) AS INTEGER))"
	}
	query := "SELECT " + strings.Join(cols, ", ") + ", COUNT(*), " + total + " FROM " + store.QuoteIdent(o.Table) + " t WHERE " + where +
		" GROUP BY " + strings.Join(cols, ", ")
	rows, err := e.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("totals of %s: %w", object, err)
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		vals := make([]any, len(by)+2)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		t := Total{Keys: make([]any, len(by))}
		for i, f := range fields {
			if t.Keys[i], err = fromColumn(f, vals[i]); err != nil {
				return nil, err
			}
		}
		t.Count, _ = intValue(vals[len(by)])
		t.Sum = "0.00"
		if v := vals[len(by)+1]; v != nil && units {
			n, _ := intValue(v)
			t.Sum = tenThousandths(n)
		} else if v != nil {
			t.Sum = formatMoney(v)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// tenThousandths writes n ten-thousandths as a decimal ("12500.00").
func tenThousandths(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return schema.FormatDecimal(fmt.Sprintf("%s%d.%04d", sign, n/10000, n%10000))
}
