package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// Create validates in and writes a new record with its created event.
func (e *Engine) Create(ctx context.Context, p access.Principal, object string, in map[string]any) (Record, error) {
	o, rec, clean, err := e.prepareCreate(ctx, p, object, in)
	if err != nil {
		return nil, err
	}
	err = e.db.Tx(ctx, func(tx *sql.Tx) error { return e.writeCreate(ctx, tx, p, o, rec, clean) })
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// CreateIn is Create in a transaction of the caller's (a record written
// with others, or with rows of its own, at once).
func (e *Engine) CreateIn(ctx context.Context, tx *sql.Tx, p access.Principal, object string, in map[string]any) (Record, error) {
	o, rec, clean, err := e.prepareCreate(ctx, p, object, in)
	if err != nil {
		return nil, err
	}
	if err := e.writeCreate(ctx, tx, p, o, rec, clean); err != nil {
		return nil, store.Translate(err)
	}
	return rec, nil
}

// prepareCreate checks who may create and what, and makes the record.
func (e *Engine) prepareCreate(ctx context.Context, p access.Principal, object string, in map[string]any) (*schema.Object, Record, map[string]any, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := access.CanCreate(p, object); err != nil {
		return nil, nil, nil, err
	}
	owner, hasOwner := in["owner_id"]
	clean, err := schema.Validate(o, in, true)
	if err != nil {
		return nil, nil, nil, err
	}
	if !hasOwner && p.UserID != "" {
		clean["owner_id"] = p.UserID
	}
	if hasOwner && owner != nil {
		if err := access.CanAssign(p, fmt.Sprint(clean["owner_id"])); err != nil {
			return nil, nil, nil, err
		}
	}
	now := e.now().UTC().Truncate(time.Microsecond)
	rec := Record{"id": uuid.Must(uuid.NewV7()).String(), "created_at": now, "updated_at": now, "version": int64(1), "owner_id": nil}
	for _, f := range o.Fields {
		if !system(f.Name) {
			rec[f.Name] = defaultValue(f)
		}
	}
	for k, v := range clean {
		rec[k] = v
	}
	defaultTimes(o, rec, now)
	return o, rec, clean, nil
}

// writeCreate runs the rules on a new record and writes it with its
// created event.
func (e *Engine) writeCreate(ctx context.Context, tx *sql.Tx, p access.Principal, o *schema.Object, rec Record, clean map[string]any) error {
	more, err := e.applyRules(ctx, tx, p, o, nil, rec)
	if err != nil {
		return err
	}
	if err := e.checkRecord(ctx, tx, p, o, rec, clean); err != nil {
		return err
	}
	if err := e.insert(ctx, tx, p.WorkspaceID, o, rec); err != nil {
		return err
	}
	err = e.log.Append(ctx, tx, &events.Event{
		WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: rec.ID(), Kind: "created",
		Singular: o.Singular, Summary: "Created " + o.Singular + " " + Title(o, rec), Record: rec,
		Data: map[string]any{"record": rec},
	})
	if err != nil {
		return err
	}
	return e.appendAll(ctx, tx, more)
}

// defaultTimes fills the empty fields that default to the creation time.
func defaultTimes(o *schema.Object, rec Record, now time.Time) {
	for _, f := range o.Fields {
		if f.DefaultNow && rec[f.Name] == nil {
			rec[f.Name] = now
		}
	}
}

func defaultValue(f *schema.Field) any {
	switch {
	case f.Name == "score":
		return int64(0)
	case f.Kind == schema.Bool && !f.Custom:
		if f.Name == "active" {
			return true
		}
		return false
	}
	return nil
}

func actor(p access.Principal) *string {
	if p.UserID == "" {
		return nil
	}
	id := p.UserID
	return &id
}

// checkRecord runs the checks that need the database: relation targets
// exist, and the object's registered validators.
func (e *Engine) checkRecord(ctx context.Context, tx *sql.Tx, p access.Principal, o *schema.Object, rec Record, changed map[string]any) error {
	var errs []fault.FieldError
	for name, v := range changed {
		f, _ := o.Field(name)
		if f == nil || f.Kind != schema.Relation && f.Kind != schema.Relations {
			continue
		}
		ids := relationIDs(v)
		if len(ids) == 0 || f.Target == "users" && len(ids) == 1 && ids[0] == p.UserID {
			continue // the acting user exists
		}
		found, err := e.existing(ctx, tx, p.WorkspaceID, f.Target, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !found[id] {
				errs = append(errs, fault.FieldError{Field: name, Message: fmt.Sprintf("no %s record with id %q", f.Target, id)})
			}
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	for _, v := range e.validators[o.Name] {
		if err := v(ctx, tx, p, rec); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) insert(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, rec Record) error {
	d := e.db.Dialect()
	cols := []string{"workspace_id", "id", "created_at", "updated_at", "owner_id", "version", "custom"}
	args := []any{ws, rec.ID(), d.Time(rec["created_at"].(time.Time)), d.Time(rec["updated_at"].(time.Time)), rec["owner_id"], rec.Version(), customJSON(o, rec)}
	for _, f := range o.Fields {
		if f.Custom || system(f.Name) {
			continue
		}
		cols = append(cols, store.QuoteIdent(f.Name))
		args = append(args, toColumn(d, f, rec[f.Name]))
	}
	ph := make([]string, len(args))
	for i := range args {
		ph[i] = d.Placeholder(i + 1)
	}
	body := SearchText(o, rec)
	if d == store.Postgres {
		cols = append(cols, "search")
		args = append(args, body)
		ph = append(ph, "to_tsvector('simple', "+d.Placeholder(len(args))+")")
	}
	q := "INSERT INTO " + store.QuoteIdent(o.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	if d == store.Postgres {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	var rowid int64
	if err := tx.QueryRowContext(ctx, q+" RETURNING rowid", args...).Scan(&rowid); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO "+o.Table+"_fts (rowid, body) VALUES ($1, $2)", rowid, body)
	return err
}

func customJSON(o *schema.Object, rec Record) string {
	m := map[string]any{}
	for _, f := range o.Fields {
		if f.Custom && rec[f.Name] != nil {
			m[f.Name] = toJSON(f, rec[f.Name])
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// Update applies a partial update (JSON merge patch: null clears). When
// ifVersion is not nil it must equal the record's version (else stale).
func (e *Engine) Update(ctx context.Context, p access.Principal, object, id string, in map[string]any, ifVersion *int64) (Record, error) {
	o, clean, err := e.prepareUpdate(ctx, p, object, in)
	if err != nil {
		return nil, err
	}
	var out Record
	err = e.db.Tx(ctx, func(tx *sql.Tx) error {
		_, out, err = e.updateIn(ctx, tx, p, o, id, clean, ifVersion, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateIn is Update in a transaction of the caller's (Tx). It returns the
// record as it was and as it is; they are the same map when the input
// changed nothing.
func (e *Engine) UpdateIn(ctx context.Context, tx *sql.Tx, p access.Principal, object, id string, in map[string]any) (before, after Record, err error) {
	o, clean, err := e.prepareUpdate(ctx, p, object, in)
	if err != nil {
		return nil, nil, err
	}
	before, after, err = e.updateIn(ctx, tx, p, o, id, clean, nil, nil)
	if err != nil {
		return nil, nil, store.Translate(err)
	}
	return before, after, nil
}

func (e *Engine) prepareUpdate(ctx context.Context, p access.Principal, object string, in map[string]any) (*schema.Object, map[string]any, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, nil, err
	}
	if err := access.CanCreate(p, object); err != nil {
		return nil, nil, err
	}
	clean, err := schema.Validate(o, in, false)
	if err != nil {
		return nil, nil, err
	}
	return o, clean, nil
}

// updateIn updates one record in tx. With lt, its event and search entry
// are left to lt, to be written with others' (UpdateManyIn).
func (e *Engine) updateIn(ctx context.Context, tx *sql.Tx, p access.Principal, o *schema.Object, id string, clean map[string]any, ifVersion *int64, lt *later) (before, after Record, err error) {
	cur, deleted, err := e.get(ctx, tx, p.WorkspaceID, o, id, true)
	if err != nil {
		return nil, nil, err
	}
	if deleted != nil {
		return nil, nil, fault.NotFound("no %s with id %q (it is in the trash: restore it first)", o.Singular, id)
	}
	if err := e.visible(ctx, p, o, cur); err != nil {
		return nil, nil, err
	}
	if err := access.CanWrite(p, o.Name, cur.Owner()); err != nil {
		return nil, nil, err
	}
	if ifVersion != nil && *ifVersion != cur.Version() {
		return nil, nil, fault.Stale("%s %s is at version %d, not %d", o.Singular, id, cur.Version(), *ifVersion)
	}
	if newOwner, ok := clean["owner_id"]; ok && newOwner != nil && newOwner != cur["owner_id"] {
		if err := access.CanAssign(p, newOwner.(string)); err != nil {
			return nil, nil, err
		}
	}
	next := Record{}
	for k, v := range cur {
		next[k] = v
	}
	for k, v := range clean {
		next[k] = v
	}
	more, err := e.applyRules(ctx, tx, p, o, cur, next)
	if err != nil {
		return nil, nil, err
	}
	changes := map[string]any{}
	for _, f := range o.Fields {
		if !reflect.DeepEqual(cur[f.Name], next[f.Name]) {
			changes[f.Name] = []any{cur[f.Name], next[f.Name]}
		}
	}
	if len(changes) == 0 {
		return cur, cur, nil
	}
	if err := e.checkRecord(ctx, tx, p, o, next, clean); err != nil {
		return nil, nil, err
	}
	next["version"] = cur.Version() + 1
	next["updated_at"] = e.now().UTC().Truncate(time.Microsecond)
	if err := e.update(ctx, tx, p.WorkspaceID, o, next, cur.Version(), lt); err != nil {
		return nil, nil, err
	}
	ev := &events.Event{
		WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: id, Kind: "updated",
		Singular: o.Singular, Summary: "Updated " + o.Singular + " " + Title(o, next), Record: next,
		Data: map[string]any{"changes": changes},
	}
	if lt != nil {
		lt.events = append(append(lt.events, ev), more...)
	} else if err := e.appendAll(ctx, tx, append([]*events.Event{ev}, more...)); err != nil {
		return nil, nil, err
	}
	return cur, next, nil
}

// appendAll logs events in order.
func (e *Engine) appendAll(ctx context.Context, tx *sql.Tx, evs []*events.Event) error {
	for _, ev := range evs {
		if err := e.log.Append(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// update writes a record's new version; on SQLite its search entry too,
// or, given lt, leaves that to lt.
func (e *Engine) update(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, rec Record, prevVersion int64, lt *later) error {
	d := e.db.Dialect()
	args := []any{ws, rec.ID(), prevVersion, d.Time(rec["updated_at"].(time.Time)), rec.Version(), rec["owner_id"], customJSON(o, rec)}
	sets := []string{"updated_at = " + d.Placeholder(4), "version = " + d.Placeholder(5), "owner_id = " + d.Placeholder(6), "custom = " + d.Placeholder(7)}
	for _, f := range o.Fields {
		if f.Custom || system(f.Name) {
			continue
		}
		args = append(args, toColumn(d, f, rec[f.Name]))
		sets = append(sets, store.QuoteIdent(f.Name)+" = "+d.Placeholder(len(args)))
	}
	body := SearchText(o, rec)
	if d == store.Postgres {
		args = append(args, body)
		sets = append(sets, "search = to_tsvector('simple', "+d.Placeholder(len(args))+")")
	}
	q := "UPDATE " + store.QuoteIdent(o.Table) + " SET " + strings.Join(sets, ", ") + " WHERE workspace_id = " + d.Placeholder(1) + " AND id = " + d.Placeholder(2) + " AND version = " + d.Placeholder(3)
	if d == store.Postgres {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.Stale("%s %s changed meanwhile", o.Singular, rec.ID())
		}
		return nil
	}
	var rowid int64
	if err := tx.QueryRowContext(ctx, q+" RETURNING rowid", args...).Scan(&rowid); err != nil {
		if err == sql.ErrNoRows {
			return fault.Stale("%s %s changed meanwhile", o.Singular, rec.ID())
		}
		return err
	}
	if lt != nil {
		lt.search(rowid, body)
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+o.Table+"_fts WHERE rowid = $1", rowid); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO "+o.Table+"_fts (rowid, body) VALUES ($1, $2)", rowid, body)
	return err
}

// Trash moves a record to the trash.
func (e *Engine) Trash(ctx context.Context, p access.Principal, object, id string) error {
	return e.setTrashed(ctx, p, object, id, true)
}

// Restore takes a record out of the trash.
func (e *Engine) Restore(ctx context.Context, p access.Principal, object, id string) (Record, error) {
	if err := e.setTrashed(ctx, p, object, id, false); err != nil {
		return nil, err
	}
	return e.Get(ctx, p, object, id, false)
}

func (e *Engine) setTrashed(ctx context.Context, p access.Principal, object, id string, trash bool) error {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return err
	}
	d := e.db.Dialect()
	return e.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, deleted, err := e.get(ctx, tx, p.WorkspaceID, o, id, true)
		if err != nil {
			return err
		}
		if err := e.visible(ctx, p, o, cur); err != nil {
			return err
		}
		if err := access.CanWrite(p, object, cur.Owner()); err != nil {
			return err
		}
		if trash == (deleted != nil) {
			if trash {
				return fault.NotFound("no %s with id %q (it is already in the trash)", o.Singular, id)
			}
			return fault.Conflict("", "%s %s is not in the trash", o.Singular, id)
		}
		now := e.now().UTC().Truncate(time.Microsecond)
		var deletedAt any
		kind := "restored"
		if trash {
			deletedAt, kind = d.Time(now), "deleted"
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET deleted_at = $3, version = version + 1, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
			p.WorkspaceID, id, deletedAt, d.Time(now)); err != nil {
			return err
		}
		cur["version"] = cur.Version() + 1
		cur["updated_at"] = now
		verb := map[bool]string{true: "Deleted ", false: "Restored "}[trash]
		return e.log.Append(ctx, tx, &events.Event{
			WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: id, Kind: kind,
			Singular: o.Singular, Summary: verb + o.Singular + " " + Title(o, cur), Record: cur,
		})
	})
}
