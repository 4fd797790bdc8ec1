package records

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
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
	// The rows are read on one core and handed to fn on another, a few
	// hundred at a time.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []Record, 4)
	var readErr error
	go func() {
		defer close(chunks)
		defer rows.Close()
		readErr = readRecords(ctx, o, rows, chunks)
	}()
	for chunk := range chunks {
		for _, rec := range chunk {
			if err := fn(rec); err != nil {
				cancel()
				for range chunks { // let the reader stop
				}
				return err
			}
		}
	}
	return readErr
}

// readRecords scans rows into records and sends them in chunks until the
// rows end or ctx is done.
func readRecords(ctx context.Context, o *schema.Object, rows *sql.Rows, out chan<- []Record) error {
	const chunkSize = 256
	chunk := make([]Record, 0, chunkSize)
	for rows.Next() {
		rec, _, err := scanRecord(o, rows)
		if err != nil {
			return err
		}
		chunk = append(chunk, rec)
		if len(chunk) == chunkSize {
			select {
			case out <- chunk:
			case <-ctx.Done():
				return ctx.Err()
			}
			chunk = make([]Record, 0, chunkSize)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(chunk) > 0 {
		select {
		case out <- chunk:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
