package records

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// rowidKey is the sort key of SQLite searches: the full-text index is read
// newest row first and stops after a page, instead of collecting every match
// of a short prefix and sorting them (which costs ~100 ms at a million rows).
const rowidKey = "_rowid"

var rowidField = &schema.Field{Name: rowidKey, Kind: schema.Integer}

// searchList lists the records matching q (and the filter) on SQLite,
// newest first, paged by rowid.
func (e *Engine) searchList(ctx context.Context, ws string, o *schema.Object, flt *filter.Filter, q Query) (*Page, error) {
	d := e.db.Dialect()
	keys := []sortKey{{field: rowidField, desc: true}}
	shape := queryShape(o.Name, q, keys)
	var cursor []any
	if q.PageToken != "" {
		var err error
		if cursor, err = decodeToken(q.PageToken, shape, keys); err != nil {
			return nil, err
		}
	}
	_, match, _ := matchCondition(d, o.Table, q.Q, 1)
	where, args := scope(d, ws, flt, q.Trashed,
		fmt.Sprintf("f.%s_fts MATCH %s AND t.workspace_id = %s", o.Table, d.Placeholder(1), d.Placeholder(2)), []any{match, ws})
	page := &Page{Data: []Record{}}
	if q.Count {
		var n int64
		if err := e.db.Reader().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+o.Table+"_fts f JOIN "+store.QuoteIdent(o.Table)+" t ON t.rowid = f.rowid WHERE "+where, args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", o.Name, err)
		}
		page.Total = &n
	}
	if cursor != nil {
		args = append(args, cursor[0])
		where += " AND f.rowid < " + d.Placeholder(len(args))
	}
	args = append(args, q.PageSize+1)
	query := "SELECT " + selectList(o, "t") + ", f.rowid FROM " + o.Table + "_fts f JOIN " + store.QuoteIdent(o.Table) + " t ON t.rowid = f.rowid WHERE " +
		where + " ORDER BY f.rowid DESC LIMIT " + d.Placeholder(len(args))
	rows, err := e.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", o.Name, err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		rec, _, err := scanRecord(o, rowidScanner{rows, &last})
		if err != nil {
			return nil, err
		}
		page.Data = append(page.Data, rec)
		if len(page.Data) == q.PageSize {
			// The token names the last row of the page.
			page.NextPageToken = encodeToken(shape, keys, Record{rowidKey: last})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Data) > q.PageSize {
		page.Data = page.Data[:q.PageSize]
	} else {
		page.NextPageToken = ""
	}
	return page, nil
}

// rowidScanner scans a record row followed by its rowid.
type rowidScanner struct {
	rows  interface{ Scan(...any) error }
	rowid *int64
}

func (r rowidScanner) Scan(dest ...any) error {
	return r.rows.Scan(append(dest, r.rowid)...)
}
