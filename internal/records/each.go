package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/store"
)

// Each calls fn with every record that q's filter and search match, in
// q's order (oldest first when none is given), read by one streaming
// query: memory stays flat however many match. Page size and token are
// ignored. An error from fn stops the walk and is returned.
func (e *Engine) Each(ctx context.Context, p access.Principal, object string, q Query, fn func(Record) error) error {
	s, o, err := e.object(ctx, p, object)
	if err != nil {
		return err
	}
	flt, err := filter.Parse(q.Filter, s, o)
	if err != nil {
		return err
	}
	order := q.OrderBy
	if strings.TrimSpace(order) == "" {
		order = "created_at"
	}
	keys, err := parseOrder(o, order)
	if err != nil {
		return err
	}
	d := e.db.Dialect()
	where, args := e.where(d, p.WorkspaceID, o, flt, q)
	query := "SELECT " + selectList(o, "t") + " FROM " + store.QuoteIdent(o.Table) + " t WHERE " + where + " ORDER BY " + orderSQL(d, keys)
	rows, err := e.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("export %s: %w", object, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, _, err := scanRecord(o, rows)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}
