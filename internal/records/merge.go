package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// MaxMerge bounds the duplicates one merge takes.
const MaxMerge = 20

// Merge folds duplicates into the record kept, in one transaction: the
// kept record's empty fields are filled from the duplicates (the first to
// have a value wins), every relation that pointed at a duplicate points at
// the kept record (built-in and custom relation fields, activities'
// related records), the duplicates' history moves to the kept record's
// timeline, and the duplicates go to the trash. A merged event on the kept
// record lists the duplicates and the values it took.
func (e *Engine) Merge(ctx context.Context, p access.Principal, object, keepID string, dupIDs []string) (Record, error) {
	s, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	if len(dupIDs) == 0 || len(dupIDs) > MaxMerge {
		return nil, fault.Invalid(fault.FieldError{Field: "duplicate_ids", Message: fmt.Sprintf("must name 1 to %d records", MaxMerge)})
	}
	for i, id := range dupIDs {
		if id == keepID || slices.Contains(dupIDs[:i], id) {
			return nil, fault.Invalid(fault.FieldError{Field: "duplicate_ids", Message: fmt.Sprintf("%q is the kept record or named twice", id)})
		}
	}
	d := e.db.Dialect()
	var out Record
	err = e.db.Tx(ctx, func(tx *sql.Tx) error {
		keep, deleted, err := e.get(ctx, tx, p.WorkspaceID, o, keepID, true)
		if err != nil {
			return err
		}
		if deleted != nil {
			return fault.NotFound("no %s with id %q (it is in the trash: restore it first)", o.Singular, keepID)
		}
		if err := access.CanWrite(p, object, keep.Owner()); err != nil {
			return err
		}
		now := e.now().UTC().Truncate(time.Microsecond)
		next := Record{}
		for k, v := range keep {
			next[k] = v
		}
		filled := map[string]any{}
		for _, id := range dupIDs {
			dup, deleted, err := e.get(ctx, tx, p.WorkspaceID, o, id, true)
			if err != nil {
				return err
			}
			if deleted != nil {
				return fault.NotFound("no %s with id %q (it is in the trash)", o.Singular, id)
			}
			if err := access.CanWrite(p, object, dup.Owner()); err != nil {
				return err
			}
			for _, f := range o.Fields {
				if system(f.Name) || f.ReadOnly || empty(dup[f.Name]) || !empty(next[f.Name]) {
					continue
				}
				next[f.Name], filled[f.Name] = dup[f.Name], dup[f.Name]
			}
			// The duplicate goes to the trash, its unique values freed for
			// the kept record.
			cleared := Record{"id": id, "created_at": dup["created_at"], "updated_at": now, "version": dup.Version() + 1, "owner_id": dup["owner_id"]}
			for _, f := range o.Fields {
				if !system(f.Name) {
					cleared[f.Name] = dup[f.Name]
					if f.Unique {
						cleared[f.Name] = nil
					}
				}
			}
			if err := e.update(ctx, tx, p.WorkspaceID, o, cleared, dup.Version()); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2", p.WorkspaceID, id, d.Time(now)); err != nil {
				return err
			}
		}
		next["updated_at"], next["version"] = now, keep.Version()+1
		if err := e.update(ctx, tx, p.WorkspaceID, o, next, keep.Version()); err != nil {
			return err
		}
		if err := e.repoint(ctx, tx, p.WorkspaceID, s, o, keepID, dupIDs); err != nil {
			return err
		}
		if err := e.log.Move(ctx, tx, p.WorkspaceID, o.Name, dupIDs, keepID); err != nil {
			return err
		}
		out = next
		return e.log.Append(ctx, tx, &events.Event{
			WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: keepID, Kind: "merged",
			Singular: o.Singular, Summary: "Merged " + o.Singular + " " + Title(o, next), Record: next,
			Data: map[string]any{"merged_ids": dupIDs, "filled": filled},
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func empty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []string:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case []map[string]any:
		return len(t) == 0
	}
	return false
}

// repoint makes every relation to one of the duplicates point at the kept
// record: built-in relation columns, custom relation fields, and the
// related records of activities.
func (e *Engine) repoint(ctx context.Context, tx *sql.Tx, ws string, s *schema.Schema, target *schema.Object, keepID string, dupIDs []string) error {
	d := e.db.Dialect()
	args := []any{ws, keepID}
	ph := make([]string, len(dupIDs))
	for i, id := range dupIDs {
		args = append(args, id)
		ph[i] = d.Placeholder(len(args))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	for _, o := range s.Objects() {
		for _, f := range o.Fields {
			switch {
			case f.Kind == schema.Relation && f.Target == target.Name && !f.Custom:
				col := store.QuoteIdent(f.Name)
				if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET "+col+" = $2 WHERE workspace_id = $1 AND "+col+" IN "+in, args...); err != nil {
					return fmt.Errorf("repoint %s.%s: %w", o.Name, f.Name, err)
				}
			case f.Kind == schema.Relation && f.Target == target.Name:
				q := fmt.Sprintf("UPDATE %s SET custom = json_set(custom, '$.%s', $2) WHERE workspace_id = $1 AND json_extract(custom, '$.%s') IN %s", store.QuoteIdent(o.Table), f.Name, f.Name, in)
				if d == store.Postgres {
					q = fmt.Sprintf("UPDATE %s SET custom = jsonb_set(custom, '{%s}', to_jsonb($2::text)) WHERE workspace_id = $1 AND custom->>'%s' IN %s", store.QuoteIdent(o.Table), f.Name, f.Name, in)
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return fmt.Errorf("repoint %s.%s: %w", o.Name, f.Name, err)
				}
			case f.Kind == schema.Refs:
				if err := e.repointRefs(ctx, tx, ws, o, f, target.Name, keepID, dupIDs); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// repointRefs rewrites the refs fields that name a duplicate. The records
// to look at are found through their link events on the duplicates'
// timelines (data.activity_id), which is how refs reach a record.
func (e *Engine) repointRefs(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, f *schema.Field, target, keepID string, dupIDs []string) error {
	ids, err := e.log.Linked(ctx, tx, ws, target, dupIDs)
	if err != nil || len(ids) == 0 {
		return err
	}
	for _, id := range ids {
		rec, _, err := e.get(ctx, tx, ws, o, id, true)
		if fault.KindOf(err) == fault.KindNotFound {
			continue
		}
		if err != nil {
			return err
		}
		refs, _ := rec[f.Name].([]map[string]any)
		var out []map[string]any
		seen := map[string]bool{}
		for _, r := range refs {
			if r["object"] == target && slices.Contains(dupIDs, fmt.Sprint(r["id"])) {
				r = map[string]any{"object": target, "id": keepID}
			}
			if key := fmt.Sprint(r["object"], "/", r["id"]); !seen[key] {
				seen[key] = true
				out = append(out, r)
			}
		}
		b, _ := json.Marshal(out)
		if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET "+store.QuoteIdent(f.Name)+" = $3 WHERE workspace_id = $1 AND id = $2", ws, id, string(b)); err != nil {
			return err
		}
	}
	return nil
}
