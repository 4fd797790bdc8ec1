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
	g, err := e.grouping(ctx, p, object, q, by)
	if err != nil {
		return nil, err
	}
	d := e.db.Dialect()
	sf, ok := g.o.Field(sum)
	if !ok || sf.Custom || sf.Kind != schema.Money && sf.Kind != schema.Number && sf.Kind != schema.Integer {
		return nil, fault.BadRequest("cannot sum %s's %q", object, sum)
	}
	total := "SUM(t." + store.QuoteIdent(sum) + ")"
	units := d == store.SQLite && sf.Kind == schema.Money
	if units {
		total = "SUM(CAST(ROUND(t." + store.QuoteIdent(sum) + " * 10000) AS INTEGER))"
	}
	var out []Total
	err = e.groups(ctx, g, []string{"COUNT(*)", total}, "", func(keys, vals []any) {
		t := Total{Keys: keys, Sum: "0.00"}
		t.Count, _ = intValue(vals[0])
		if v := vals[1]; v != nil && units {
			n, _ := intValue(v)
			t.Sum = tenThousandths(n)
		} else if v != nil {
			t.Sum = formatMoney(v)
		}
		out = append(out, t)
	})
	if err != nil {
		return nil, fmt.Errorf("totals of %s: %w", object, err)
	}
	return out, nil
}

// grouping is what a grouped query over an object's records needs: the
// columns grouped by and the fields that read their values, and the
// WHERE clause of the filter, search and scope (the same as a list's, so
// a user only totals what they may list).
type grouping struct {
	o      *schema.Object
	cols   []string
	fields []*schema.Field
	where  string
	args   []any
}

func (e *Engine) grouping(ctx context.Context, p access.Principal, object string, q Query, by []string) (*grouping, error) {
	s, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	flt, err := filter.Parse(q.Filter, s, o)
	if err != nil {
		return nil, err
	}
	cols, fields, err := groupColumns(object, o, by)
	if err != nil {
		return nil, err
	}
	where, args := e.where(e.db.Dialect(), p.WorkspaceID, o, flt, q)
	return &grouping{o: o, cols: cols, fields: fields, where: where, args: args}, nil
}

// groupColumns are the SQL columns of a grouping by the built-in fields
// by ("close_date:month" groups a date by its month, "2026-03"), and the
// fields that read their values.
func groupColumns(object string, o *schema.Object, by []string) ([]string, []*schema.Field, error) {
	cols := make([]string, len(by))
	fields := make([]*schema.Field, len(by))
	for i, key := range by {
		name, bucket, _ := strings.Cut(key, ":")
		f, ok := o.Field(name)
		if !ok || f.Custom || !f.Sortable() || bucket != "" && (bucket != "month" || f.Kind != schema.Date) {
			return nil, nil, fault.BadRequest("cannot group %s by %q", object, key)
		}
		cols[i], fields[i] = "t."+store.QuoteIdent(name), f
		if bucket == "month" {
			fields[i] = &schema.Field{Name: key, Kind: schema.Text}
			cols[i] = "substr(CAST(" + cols[i] + " AS TEXT), 1, 7)"
		}
	}
	return cols, fields, nil
}

// groups runs g's query with the aggregates and a further condition, and
// hands each group's keys and aggregates to add.
func (e *Engine) groups(ctx context.Context, g *grouping, aggregates []string, and string, add func(keys, vals []any)) error {
	query := "SELECT " + strings.Join(g.cols, ", ") + ", " + strings.Join(aggregates, ", ") + " FROM " + store.QuoteIdent(g.o.Table) + " t WHERE " + g.where + and +
		" GROUP BY " + strings.Join(g.cols, ", ")
	fields, n := g.fields, len(aggregates)
	rows, err := e.db.Reader().QueryContext(ctx, query, g.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(fields)+n)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		keys := make([]any, len(fields))
		for i, f := range fields {
			if keys[i], err = fromColumn(f, vals[i]); err != nil {
				return err
			}
		}
		add(keys, vals[len(fields):])
	}
	return rows.Err()
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
	g, err := e.grouping(ctx, p, object, q, by)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{from, to} {
		if f, ok := g.o.Field(name); !ok || f.Custom || f.Kind != schema.DateTime {
			return nil, fault.BadRequest("cannot measure the time of %s's %q", object, name)
		}
	}
	d := e.db.Dialect()
	a, b := "t."+store.QuoteIdent(from), "t."+store.QuoteIdent(to)
	both := " AND " + a + " IS NOT NULL AND " + b + " IS NOT NULL"
	seconds := "CAST(SUM(EXTRACT(EPOCH FROM (" + b + " - " + a + "))) AS BIGINT)"
	if d == store.SQLite {
		seconds = "SUM(CAST(ROUND((julianday(" + b + ") - julianday(" + a + ")) * 86400) AS INTEGER))"
	}
	var out []Span
	err = e.groups(ctx, g, []string{"COUNT(*)", seconds}, both, func(keys, vals []any) {
		sp := Span{Keys: keys}
		sp.Count, _ = intValue(vals[0])
		sp.Seconds, _ = intValue(vals[1])
		out = append(out, sp)
	})
	if err != nil {
		return nil, fmt.Errorf("spans of %s: %w", object, err)
	}
	return out, nil
}
