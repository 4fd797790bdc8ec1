package records

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/phone"
	"github.com/rapport-crm/rapport/internal/schema"
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
	read := func(q store.Querier) error {
		rows, err := q.QueryContext(ctx, findByQuery(d, o.Table, selectList(o, "t"), field, len(values)), findByArgs(d, p.WorkspaceID, values)...)
		if err != nil {
			return fmt.Errorf("find %s by %s: %w", object, field, err)
		}
		return firstByKey(o, rows, out, func(rec Record) (string, bool) {
			v, ok := rec[field].(string)
			return v, ok && e.visible(ctx, p, o, rec) == nil
		})
	}
	if d == store.SQLite {
		return out, read(e.db.Reader())
	}
	// Planned for the workspace at hand, the lookup trusts statistics
	// that know nothing of a workspace being imported (one row, they
	// say), and may walk another index of (workspace_id, …) testing every
	// row: 3 s for 2,000 values among 8,000 rows. The generic plan uses
	// the index on (workspace_id, field) whatever the workspace.
	return out, e.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
			return err
		}
		return read(tx)
	})
}

// findByQuery looks n values up in the index on (workspace_id, field). On
// PostgreSQL each value is its own index lookup (the LIMIT keeps the
// planner from flattening it into a join): given "field IN (…)" the
// planner, whose statistics know nothing yet of a workspace being
// imported, scans the whole workspace and tests every row against every
// value (2,000 values × 20,000 rows: 180 ms a batch, growing with the
// import).
func findByQuery(d store.Dialect, table, cols, field string, n int) string {
	col := store.QuoteIdent(field)
	if d == store.Postgres {
		return "SELECT " + cols + " FROM unnest($2::text[]) AS v(x) CROSS JOIN LATERAL (SELECT * FROM " + store.QuoteIdent(table) +
			" WHERE workspace_id = $1 AND deleted_at IS NULL AND " + col + " = v.x LIMIT 1) t"
	}
	return "SELECT " + cols + " FROM " + store.QuoteIdent(table) + " t WHERE t.workspace_id = ? AND t.deleted_at IS NULL AND t." + col +
		" IN (?" + strings.Repeat(", ?", n-1) + ")"
}

func findByArgs(d store.Dialect, ws string, values []string) []any {
	if d == store.Postgres {
		return []any{ws, values}
	}
	args := make([]any, 0, len(values)+1)
	args = append(args, ws)
	for _, v := range values {
		args = append(args, v)
	}
	return args
}

// FindByPhone reads the live records whose phone field holds one of the
// numbers (in E.164), keyed by that number (the first record per number),
// in one query through the full-text index, which holds each phone number
// as its E.164 digits. Imports use it to find what a batch of rows
// duplicates by phone.
func (e *Engine) FindByPhone(ctx context.Context, p access.Principal, object, field string, numbers []string) (map[string]Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	if f, ok := o.Field(field); !ok || f.Kind != schema.Phone || f.Custom {
		return nil, fault.BadRequest("%s has no built-in phone field %q", object, field)
	}
	out := map[string]Record{}
	want := map[string]bool{}
	var terms []string
	for _, n := range numbers {
		digits := strings.TrimPrefix(n, "+")
		if digits == "" || strings.Trim(digits, "0123456789") != "" || want[n] {
			continue // not E.164: nothing can match it
		}
		want[n] = true
		terms = append(terms, digits)
	}
	if len(terms) == 0 {
		return out, nil
	}
	d := e.db.Dialect()
	var query string
	var match any
	if d == store.SQLite {
		query = "SELECT " + selectList(o, "t") + " FROM " + o.Table + "_fts f JOIN " + store.QuoteIdent(o.Table) + " t ON t.rowid = f.rowid WHERE " +
			o.Table + "_fts MATCH $1 AND t.workspace_id = $2 AND t.deleted_at IS NULL ORDER BY t.rowid"
		match = `body:("` + strings.Join(terms, `" OR "`) + `")`
	} else {
		query = "SELECT " + selectList(o, "t") + " FROM " + store.QuoteIdent(o.Table) + " t WHERE t.search @@ to_tsquery('simple', $1) AND t.workspace_id = $2 AND t.deleted_at IS NULL ORDER BY t.created_at, t.id"
		match = strings.Join(terms, " | ")
	}
	rows, err := e.db.Reader().QueryContext(ctx, query, match, p.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("find %s by %s: %w", object, field, err)
	}
	// The index matched a token: the record's own number decides.
	return out, firstByKey(o, rows, out, func(rec Record) (string, bool) {
		s, _ := rec[field].(string)
		n := phone.E164(s)
		return n, want[n] && e.visible(ctx, p, o, rec) == nil
	})
}

// firstByKey reads the records of rows (selected with selectList) into
// out under their key, the first record per key; a record without one is
// passed over. It closes rows.
func firstByKey(o *schema.Object, rows *sql.Rows, out map[string]Record, key func(Record) (string, bool)) error {
	defer rows.Close()
	for rows.Next() {
		rec, _, err := scanRecord(o, rows)
		if err != nil {
			return err
		}
		if k, ok := key(rec); ok {
			if _, seen := out[k]; !seen {
				out[k] = rec
			}
		}
	}
	return rows.Err()
}
