package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// UpdateManyIn applies partial updates in tx (ids[i] gets inputs[i]), as
// UpdateIn does one by one, but writes their events and search entries
// together at the end: an import updates the records a batch duplicates
// this way (on SQLite an FTS5 statement per record made a segment of the
// index per record). One refusal refuses the call, its index in the field
// names ("[3].email"); what the call wrote stays in tx, which the caller
// then rolls back. It returns each record as it was and as it is (the same
// map when its input changed nothing).
func (e *Engine) UpdateManyIn(ctx context.Context, tx *sql.Tx, p access.Principal, object string, ids []string, inputs []map[string]any) (before, after []Record, err error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, nil, err
	}
	if err := access.CanCreate(p, object); err != nil {
		return nil, nil, err
	}
	cleans, err := validateEach(o, inputs, false)
	if err != nil {
		return nil, nil, err
	}
	lt := &later{bodies: map[int64]string{}}
	before, after = make([]Record, len(ids)), make([]Record, len(ids))
	for i, id := range ids {
		if before[i], after[i], err = e.updateIn(ctx, tx, p, o, id, cleans[i], nil, lt); err != nil {
			return nil, nil, store.Translate(err)
		}
	}
	if err := e.writeLater(ctx, tx, o, lt); err != nil {
		return nil, nil, store.Translate(err)
	}
	return before, after, nil
}

// later holds what updates leave to be written together: their events and
// SQLite search entries (by rowid; the last body of a rowid wins).
type later struct {
	events []*events.Event
	bodies map[int64]string
	rowids []int64
}

func (lt *later) search(rowid int64, body string) {
	if _, ok := lt.bodies[rowid]; !ok {
		lt.rowids = append(lt.rowids, rowid)
	}
	lt.bodies[rowid] = body
}

// writeLater writes the search entries, a statement for the old ones and
// one for the new, and the events.
func (e *Engine) writeLater(ctx context.Context, tx *sql.Tx, o *schema.Object, lt *later) error {
	if len(lt.rowids) > 0 {
		entries := make([][2]any, len(lt.rowids))
		for i, id := range lt.rowids {
			entries[i] = [2]any{id, lt.bodies[id]}
		}
		ids, err := json.Marshal(lt.rowids)
		if err != nil {
			return err
		}
		list, err := json.Marshal(entries)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+o.Table+"_fts WHERE rowid IN (SELECT value FROM json_each(?))", string(ids)); err != nil {
			return fmt.Errorf("index %s: %w", o.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+o.Table+"_fts (rowid, body) SELECT value ->> 0, value ->> 1 FROM json_each(?)", string(list)); err != nil {
			return fmt.Errorf("index %s: %w", o.Name, err)
		}
	}
	return e.log.AppendMany(ctx, tx, lt.events)
}
