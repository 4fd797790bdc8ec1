package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// FindBy reads the live records whose built-in field equals one of the
// values, in one query, keyed by that value (the first record per value).
// Imports use it to find what a batch of rows duplicates.
func (e *Engine) FindBy(ctx context.Context, p access.Principal, object, field string, values []string) (map[string]Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	f, ok := o.Field(field)
	if !ok || f.Custom {
		return nil, fault.BadRequest("%s has no built-in field %q", object, field)
	}
	out := map[string]Record{}
	if len(values) == 0 {
		return out, nil
	}
	d := e.db.Dialect()
	args := []any{p.WorkspaceID}
	ph := make([]string, len(values))
	for i, v := range values {
		args = append(args, v)
		ph[i] = d.Placeholder(len(args))
	}
	rows, err := e.db.Reader().QueryContext(ctx, "SELECT "+selectList(o, "t")+" FROM "+store.QuoteIdent(o.Table)+" t WHERE t.workspace_id = "+d.Placeholder(1)+
		" AND t.deleted_at IS NULL AND t."+store.QuoteIdent(field)+" IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("find %s by %s: %w", object, field, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, _, err := scanRecord(o, rows)
		if err != nil {
			return nil, err
		}
		if v, ok := rec[field].(string); ok {
			if _, seen := out[v]; !seen {
				out[v] = rec
			}
		}
	}
	return out, rows.Err()
}
