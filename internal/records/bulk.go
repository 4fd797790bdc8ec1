package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// insertBatch is how many rows one INSERT statement carries on SQLite:
// fewer statements to step through, within its limit of 32,766
// parameters. (PostgreSQL takes a whole call in one statement of arrays.)
const insertBatch = 200

// CreateMany creates records in one transaction with multi-row statements,
// each with its created event: the path for imports and seeding. Every
// input is validated first; one bad input rejects the whole call with its
// index in the field names ("[12].email"), and nothing is written.
func (e *Engine) CreateMany(ctx context.Context, p access.Principal, object string, inputs []map[string]any) ([]Record, error) {
	o, recs, err := e.prepareMany(ctx, p, object, inputs)
	if err != nil {
		return nil, err
	}
	err = e.db.Tx(ctx, func(tx *sql.Tx) error {
		return e.writeMany(ctx, tx, p, o, recs)
	})
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// CreateManyIn is CreateMany in a transaction of the caller's (Tx), so
// that more work commits or fails with it: an import writes a batch, the
// companies and notes it makes, and its progress together.
func (e *Engine) CreateManyIn(ctx context.Context, tx *sql.Tx, p access.Principal, object string, inputs []map[string]any) ([]Record, error) {
	o, recs, err := e.prepareMany(ctx, p, object, inputs)
	if err != nil {
		return nil, err
	}
	if err := e.writeMany(ctx, tx, p, o, recs); err != nil {
		return nil, store.Translate(err)
	}
	return recs, nil
}

// prepareMany checks the caller's right and the inputs, and makes the
// records to write.
func (e *Engine) prepareMany(ctx context.Context, p access.Principal, object string, inputs []map[string]any) (*schema.Object, []Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, nil, err
	}
	if err := access.CanCreate(p, object); err != nil {
		return nil, nil, err
	}
	cleans, err := validateEach(o, inputs, true)
	if err != nil {
		return nil, nil, err
	}
	now := e.now().UTC().Truncate(time.Microsecond)
	recs := make([]Record, len(inputs))
	for i, clean := range cleans {
		rec := Record{"id": uuid.Must(uuid.NewV7()).String(), "created_at": now, "updated_at": now, "version": int64(1), "owner_id": nil}
		if p.UserID != "" {
			rec["owner_id"] = p.UserID
		}
		for _, f := range o.Fields {
			if !system(f.Name) {
				rec[f.Name] = defaultValue(f)
			}
		}
		for k, v := range clean {
			rec[k] = v
		}
		defaultTimes(o, rec, now)
		recs[i] = rec
	}
	return o, recs, nil
}

// validateEach validates inputs for a create or an update, and refuses
// them all if one is bad, naming each bad field with its input's index
// ("[12].email").
func validateEach(o *schema.Object, inputs []map[string]any, create bool) ([]map[string]any, error) {
	cleans := make([]map[string]any, len(inputs))
	var errs []fault.FieldError
	for i, in := range inputs {
		var err error
		if cleans[i], err = schema.Validate(o, in, create); err != nil {
			errs = append(errs, fault.As(indexed(err, i)).Fields...)
		}
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	return cleans, nil
}

// indexed names the fields of a refusal of the i-th of many inputs
// ("[12].email"); other errors it returns as they are.
func indexed(err error, i int) error {
	fe := fault.As(err)
	if fe == nil || len(fe.Fields) == 0 {
		return err
	}
	out := *fe
	out.Fields = make([]fault.FieldError, len(fe.Fields))
	for j, f := range fe.Fields {
		out.Fields[j] = fault.FieldError{Field: fmt.Sprintf("[%d].%s", i, f.Field), Message: f.Message}
	}
	return &out
}

// writeMany writes prepared records and their created events in tx.
func (e *Engine) writeMany(ctx context.Context, tx *sql.Tx, p access.Principal, o *schema.Object, recs []Record) error {
	var more []*events.Event
	for i, rec := range recs {
		evs, err := e.applyRules(ctx, tx, p, o, nil, rec)
		if err != nil {
			return indexed(err, i)
		}
		more = append(more, evs...)
	}
	if len(e.validators[o.Name]) > 0 {
		for _, rec := range recs {
			if err := e.checkRecord(ctx, tx, p, o, rec, nil); err != nil {
				return err
			}
		}
	}
	if err := e.checkRelations(ctx, tx, p.WorkspaceID, o, recs); err != nil {
		return err
	}
	// The events are made and encoded on another core while the rows are
	// written.
	evs := make([]*events.Event, len(recs))
	encoded := make(chan error, 1)
	go func() {
		for i, rec := range recs {
			evs[i] = &events.Event{
				WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: rec.ID(), Kind: "created", At: rec["created_at"].(time.Time),
				Singular: o.Singular, Summary: "Created " + o.Singular + " " + Title(o, rec), Record: rec,
				Data: map[string]any{"record": rec},
			}
			var err error
			if evs[i].Encoded, err = json.Marshal(evs[i].Data); err != nil {
				encoded <- err
				return
			}
		}
		encoded <- nil
	}()
	err := e.insertMany(ctx, tx, p.WorkspaceID, o, recs)
	if err2 := <-encoded; err == nil {
		err = err2
	}
	if err != nil {
		return err
	}
	return e.log.AppendMany(ctx, tx, append(evs, more...))
}

// insertMany inserts recs with their search entries: on SQLite as
// multi-row statements of insertBatch rows and one statement of full-text
// entries, on PostgreSQL as one statement of arrays.
func (e *Engine) insertMany(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, recs []Record) error {
	d := e.db.Dialect()
	cols := []string{"workspace_id", "id", "created_at", "updated_at", "owner_id", "version", "custom"}
	var fields []*schema.Field
	for _, f := range o.Fields {
		if !f.Custom && !system(f.Name) {
			cols = append(cols, store.QuoteIdent(f.Name))
			fields = append(fields, f)
		}
	}
	if d == store.Postgres {
		return e.insertManyArrays(ctx, tx, ws, o, cols, fields, recs)
	}
	var nextRowID int64
	cols = append([]string{"rowid"}, cols...)
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(rowid), 0) FROM "+store.QuoteIdent(o.Table)).Scan(&nextRowID); err != nil {
		return err
	}
	n := insertBatch
	// Statements for a full batch are prepared once per call.
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	exec := func(query string, args []any, full bool) error {
		if !full {
			_, err := tx.ExecContext(ctx, query, args...)
			return err
		}
		st, ok := stmts[query]
		if !ok {
			var err error
			if st, err = tx.PrepareContext(ctx, query); err != nil {
				return err
			}
			stmts[query] = st
		}
		_, err := st.ExecContext(ctx, args...)
		return err
	}
	firstRowID := nextRowID + 1
	var bodies []string // SQLite's full-text entries, rowid firstRowID on
	for start := 0; start < len(recs); start += n {
		batch := recs[start:min(start+n, len(recs))]
		full := len(batch) == n
		var b strings.Builder
		b.WriteString("INSERT INTO " + store.QuoteIdent(o.Table) + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(batch)*len(cols))
		for i, rec := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			row := []any{ws, rec.ID(), d.Time(rec["created_at"].(time.Time)), d.Time(rec["updated_at"].(time.Time)), rec["owner_id"], rec.Version(), customJSON(o, rec)}
			for _, f := range fields {
				row = append(row, toColumn(d, f, rec[f.Name]))
			}
			ph := make([]string, 0, len(cols))
			nextRowID++
			args = append(args, nextRowID)
			ph = append(ph, d.Positional(len(args)))
			bodies = append(bodies, SearchText(o, rec))
			for _, v := range row {
				args = append(args, v)
				ph = append(ph, d.Positional(len(args)))
			}
			b.WriteString("(" + strings.Join(ph, ", ") + ")")
		}
		if err := exec(b.String(), args, full); err != nil {
			return fmt.Errorf("insert %s: %w", o.Name, err)
		}
	}
	if len(bodies) == 0 {
		return nil
	}
	// All the full-text entries in one statement: FTS5 writes what it holds
	// in memory as a new segment of its index whenever a later statement of
	// the transaction begins, so an INSERT per few rows made a segment per
	// few rows, and merging them was a fifth of an import. The segments a
	// bulk write leaves are merged in the background once bulk writes
	// pause (store.DB.MergeSearchLater).
	list, err := json.Marshal(bodies)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+o.Table+"_fts (rowid, body) SELECT ? + key, value FROM json_each(?)", firstRowID, string(list)); err != nil {
		return fmt.Errorf("index %s: %w", o.Name, err)
	}
	e.db.MergeSearchLater(o.Table+"_fts", int64(len(bodies)), firstRowID-1+int64(len(bodies)))
	return nil
}

// insertManyArrays is insertMany on PostgreSQL: the rows as one array per
// column, in one statement (store.Columns), with their search vectors.
func (e *Engine) insertManyArrays(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, cols []string, fields []*schema.Field, recs []Record) error {
	d := e.db.Dialect()
	types, err := store.TypesOf(ctx, tx, o.Table)
	if err != nil {
		return err
	}
	cols = append(cols, "search")
	typeList := make([]string, len(cols))
	for i, c := range cols[:len(cols)-1] {
		if typeList[i] = types[strings.Trim(c, `"`)]; typeList[i] == "" {
			return fmt.Errorf("insert %s: no column %s", o.Name, c)
		}
	}
	typeList[len(cols)-1] = "text"
	c := store.NewColumns(cols, typeList, len(recs))
	c.Expr(len(cols)-1, "to_tsvector('simple', %s)")
	row := make([]any, 0, len(cols))
	for _, rec := range recs {
		row = append(row[:0], ws, rec.ID(), rec["created_at"].(time.Time), rec["updated_at"].(time.Time), rec["owner_id"], rec.Version(), customJSON(o, rec))
		for _, f := range fields {
			row = append(row, toColumn(d, f, rec[f.Name]))
		}
		row = append(row, SearchText(o, rec))
		c.Add(row...)
	}
	if err := c.Insert(ctx, tx, o.Table); err != nil {
		return fmt.Errorf("insert %s: %w", o.Name, err)
	}
	return nil
}

// checkRelations verifies, a batch at a time, that every relation value of
// recs names a live record.
func (e *Engine) checkRelations(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, recs []Record) error {
	var errs []fault.FieldError
	for _, f := range o.Fields {
		if f.Kind != schema.Relation && f.Kind != schema.Relations {
			continue
		}
		want := map[string][]int{}
		for i, rec := range recs {
			for _, id := range relationIDs(rec[f.Name]) {
				want[id] = append(want[id], i)
			}
		}
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		for start := 0; start < len(ids); start += 400 {
			chunk := ids[start:min(start+400, len(ids))]
			found, err := e.existing(ctx, tx, ws, f.Target, chunk)
			if err != nil {
				return err
			}
			for _, id := range chunk {
				if !found[id] {
					for _, i := range want[id] {
						errs = append(errs, fault.FieldError{Field: fmt.Sprintf("[%d].%s", i, f.Name), Message: fmt.Sprintf("no %s record with id %q", f.Target, id)})
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// relationIDs are the ids a relation or relation-list value holds.
func relationIDs(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []string:
		return t
	}
	return nil
}

func (e *Engine) existing(ctx context.Context, q store.Querier, ws, target string, ids []string) (map[string]bool, error) {
	table, live := "users", ""
	if target != "users" {
		s, err := e.schemas.Get(ctx, ws)
		if err != nil {
			return nil, err
		}
		o, ok := s.Object(target)
		if !ok {
			return map[string]bool{}, nil
		}
		table, live = o.Table, " AND deleted_at IS NULL"
	}
	d := e.db.Dialect()
	args := []any{ws}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = d.Placeholder(len(args))
	}
	rows, err := q.QueryContext(ctx, "SELECT id FROM "+store.QuoteIdent(table)+" WHERE workspace_id = "+d.Placeholder(1)+live+" AND id IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		found[id] = true
	}
	return found, rows.Err()
}
