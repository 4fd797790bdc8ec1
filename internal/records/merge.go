package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// mergeUndo is what a merge keeps, in its event, to be taken back.
type mergeUndo struct {
	Cleared   map[string]map[string]any `json:"cleared"`         // duplicate → unique values it gave up
	Events    map[string][]string       `json:"events"`          // duplicate → its events moved to the kept record
	Relations []relChange               `json:"relations"`       // relations repointed
	Refs      []refsChange              `json:"refs"`            // activities' related records rewritten
	Moved     json.RawMessage           `json:"moved,omitempty"` // what the object's Merger moved
}

// MaxMerge bounds the duplicates one merge takes.
const MaxMerge = 20

// Merge folds duplicates into the record kept, in one transaction: the
// kept record's empty fields are filled from the duplicates (the first to
// have a value wins), every relation that pointed at a duplicate points at
// the kept record (built-in and custom relation fields, activities'
// related records), the duplicates' history moves to the kept record's
// timeline, and the duplicates go to the trash. A merged event on the kept
// record lists the duplicates and the values it took.
// take maps fields to the duplicate whose value the kept record takes
// over its own (the user's choice on the merge page).
func (e *Engine) Merge(ctx context.Context, p access.Principal, object, keepID string, dupIDs []string, take map[string]string) (Record, error) {
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
		keep, err := e.writable(ctx, tx, p, o, keepID)
		if err != nil {
			return err
		}
		now := e.now().UTC().Truncate(time.Microsecond)
		next := Record{}
		for k, v := range keep {
			next[k] = v
		}
		filled, taken := map[string]any{}, map[string]any{}
		cleared := map[string]map[string]any{}
		for field, from := range take {
			f, ok := o.Field(field)
			if !ok || system(f.Name) || f.ReadOnly {
				return fault.Invalid(fault.FieldError{Field: "take." + field, Message: "is not a field a merge can take"})
			}
			if !slices.Contains(dupIDs, from) {
				return fault.Invalid(fault.FieldError{Field: "take." + field, Message: "names no duplicate being merged"})
			}
		}
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
				if take[f.Name] == id {
					taken[f.Name] = toJSON(f, keep[f.Name])
					next[f.Name] = dup[f.Name]
					continue
				}
				if system(f.Name) || f.ReadOnly || empty(dup[f.Name]) || !empty(next[f.Name]) || take[f.Name] != "" {
					continue
				}
				next[f.Name], filled[f.Name] = dup[f.Name], dup[f.Name]
			}
			// The duplicate goes to the trash, its unique values freed for
			// the kept record.
			freed := Record{"id": id, "created_at": dup["created_at"], "updated_at": now, "version": dup.Version() + 1, "owner_id": dup["owner_id"]}
			for _, f := range o.Fields {
				if !system(f.Name) {
					freed[f.Name] = dup[f.Name]
					if f.Unique && dup[f.Name] != nil {
						freed[f.Name] = nil
						if cleared[id] == nil {
							cleared[id] = map[string]any{}
						}
						cleared[id][f.Name] = toJSON(f, dup[f.Name])
					}
				}
			}
			if err := e.update(ctx, tx, p.WorkspaceID, o, freed, dup.Version(), nil); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2", p.WorkspaceID, id, d.Time(now)); err != nil {
				return err
			}
		}
		next["updated_at"], next["version"] = now, keep.Version()+1
		if err := e.update(ctx, tx, p.WorkspaceID, o, next, keep.Version(), nil); err != nil {
			return err
		}
		rels, refs, err := e.repoint(ctx, tx, p.WorkspaceID, s, o, keepID, dupIDs)
		if err != nil {
			return err
		}
		moved, err := e.log.Move(ctx, tx, p.WorkspaceID, o.Name, dupIDs, keepID)
		if err != nil {
			return err
		}
		var beside json.RawMessage
		if m := e.mergers[o.Name]; m != nil {
			if beside, err = m.Merge(ctx, tx, p.WorkspaceID, keepID, dupIDs); err != nil {
				return err
			}
		}
		out = next
		jsonFilled := map[string]any{}
		for k, v := range filled {
			f, _ := o.Field(k)
			jsonFilled[k] = toJSON(f, v)
		}
		return e.log.Append(ctx, tx, &events.Event{
			WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: keepID, Kind: "merged",
			Singular: o.Singular, Summary: "Merged " + o.Singular + " " + Title(o, next), Record: next,
			Data: map[string]any{"merged_ids": dupIDs, "filled": jsonFilled, "taken": taken,
				"undo": mergeUndo{Cleared: cleared, Events: moved, Relations: rels, Refs: refs, Moved: beside}},
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

// relChange is a relation a merge repointed, for its undo.
type relChange struct {
	Object string `json:"object"`
	Field  string `json:"field"`
	Custom bool   `json:"custom,omitempty"`
	ID     string `json:"id"`
	From   string `json:"from"`
}

// refsChange is a refs field a merge rewrote, for its undo.
type refsChange struct {
	Object string `json:"object"`
	Field  string `json:"field"`
	ID     string `json:"id"`
	Before any    `json:"before"` // an activity's refs, or a relation list (a deal's contacts)
}

// repoint makes every relation to one of the duplicates point at the kept
// record: built-in relation columns, custom relation fields, and the
// related records of activities. It returns what it changed.
func (e *Engine) repoint(ctx context.Context, tx *sql.Tx, ws string, s *schema.Schema, target *schema.Object, keepID string, dupIDs []string) ([]relChange, []refsChange, error) {
	d := e.db.Dialect()
	args := []any{ws, keepID}
	ph := make([]string, len(dupIDs))
	for i, id := range dupIDs {
		args = append(args, id)
		ph[i] = d.Placeholder(len(args))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	var rels []relChange
	var refs []refsChange
	for _, o := range s.Objects() {
		for _, f := range o.Fields {
			if f.Kind == schema.Refs {
				rc, err := e.repointRefs(ctx, tx, ws, o, f, target.Name, keepID, dupIDs)
				if err != nil {
					return nil, nil, err
				}
				refs = append(refs, rc...)
				continue
			}
			if f.Kind == schema.Relations && f.Target == target.Name {
				rc, err := e.repointList(ctx, tx, ws, s, o, f, keepID, dupIDs)
				if err != nil {
					return nil, nil, err
				}
				refs = append(refs, rc...)
				continue
			}
			if f.Kind != schema.Relation || f.Target != target.Name {
				continue
			}
			col := "t." + store.QuoteIdent(f.Name)
			set := "UPDATE " + store.QuoteIdent(o.Table) + " SET " + store.QuoteIdent(f.Name) + " = $2 WHERE workspace_id = $1 AND " + store.QuoteIdent(f.Name) + " IN " + in
			if f.Custom {
				col = fmt.Sprintf("json_extract(t.custom, '$.%s')", f.Name)
				set = fmt.Sprintf("UPDATE %s SET custom = json_set(custom, '$.%s', $2) WHERE workspace_id = $1 AND json_extract(custom, '$.%s') IN %s", store.QuoteIdent(o.Table), f.Name, f.Name, in)
				if d == store.Postgres {
					col = fmt.Sprintf("(t.custom->>'%s')", f.Name)
					set = fmt.Sprintf("UPDATE %s SET custom = jsonb_set(custom, '{%s}', to_jsonb($2::text)) WHERE workspace_id = $1 AND custom->>'%s' IN %s", store.QuoteIdent(o.Table), f.Name, f.Name, in)
				}
			}
			rows, err := tx.QueryContext(ctx, "SELECT t.id, "+col+" FROM "+store.QuoteIdent(o.Table)+" t WHERE t.workspace_id = $1 AND $2 <> '' AND "+col+" IN "+in, args...)
			if err != nil {
				return nil, nil, fmt.Errorf("repoint %s.%s: %w", o.Name, f.Name, err)
			}
			for rows.Next() {
				c := relChange{Object: o.Name, Field: f.Name, Custom: f.Custom}
				if err := rows.Scan(&c.ID, &c.From); err != nil {
					rows.Close()
					return nil, nil, err
				}
				rels = append(rels, c)
			}
			rows.Close()
			if _, err := tx.ExecContext(ctx, set, args...); err != nil {
				return nil, nil, fmt.Errorf("repoint %s.%s: %w", o.Name, f.Name, err)
			}
		}
	}
	return rels, refs, nil
}

// repointRefs rewrites the refs fields that name a duplicate. The records
// to look at are found through their link events on the duplicates'
// timelines (data.activity_id), which is how refs reach a record.
func (e *Engine) repointRefs(ctx context.Context, tx *sql.Tx, ws string, o *schema.Object, f *schema.Field, target, keepID string, dupIDs []string) ([]refsChange, error) {
	ids, err := e.log.Linked(ctx, tx, ws, target, dupIDs)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var changes []refsChange
	for _, id := range ids {
		rec, _, err := e.get(ctx, tx, ws, o, id, true)
		if fault.KindOf(err) == fault.KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		refs, _ := rec[f.Name].([]map[string]any)
		changes = append(changes, refsChange{Object: o.Name, Field: f.Name, ID: id, Before: refs})
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
			return nil, err
		}
	}
	return changes, nil
}

// repointList rewrites the relation lists (a deal's contacts) that hold a
// duplicate: the kept record takes its place, once. Trashed records too,
// so that a restored one points at the kept record.
func (e *Engine) repointList(ctx context.Context, tx *sql.Tx, ws string, s *schema.Schema, o *schema.Object, f *schema.Field, keepID string, dupIDs []string) ([]refsChange, error) {
	terms := make([]string, len(dupIDs))
	for i, id := range dupIDs {
		terms[i] = f.Name + ":" + filter.Quote(id)
	}
	flt, err := filter.Parse(strings.Join(terms, " OR "), s, o)
	if err != nil {
		return nil, err
	}
	cond, args := flt.SQL(e.db.Dialect(), "t", ws, []any{ws})
	rows, err := tx.QueryContext(ctx, "SELECT t.id FROM "+store.QuoteIdent(o.Table)+" t WHERE t.workspace_id = $1 AND "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("repoint %s.%s: %w", o.Name, f.Name, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var changes []refsChange
	for _, id := range ids {
		rec, _, err := e.get(ctx, tx, ws, o, id, true)
		if err != nil {
			return nil, err
		}
		list, _ := rec[f.Name].([]string)
		changes = append(changes, refsChange{Object: o.Name, Field: f.Name, ID: id, Before: list})
		var out []string
		for _, x := range list {
			if slices.Contains(dupIDs, x) {
				x = keepID
			}
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		b, _ := json.Marshal(out)
		if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET "+store.QuoteIdent(f.Name)+" = $3 WHERE workspace_id = $1 AND id = $2", ws, id, string(b)); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// Unmerge takes back the latest merge into a record that has not been
// taken back: the kept record's filled fields are emptied again (where the
// merge's value is still there), the duplicates come back from the trash
// with their unique values, their history and the relations and
// activities that pointed at them return. Values chosen from a duplicate
// after the merge (an update of their own) stay.
func (e *Engine) Unmerge(ctx context.Context, p access.Principal, object, keepID string) (Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	d := e.db.Dialect()
	var out Record
	err = e.db.Tx(ctx, func(tx *sql.Tx) error {
		keep, err := e.writable(ctx, tx, p, o, keepID)
		if err != nil {
			return err
		}
		mergeID, data, err := e.lastMerge(ctx, tx, p.WorkspaceID, o.Name, keepID)
		if err != nil {
			return err
		}
		var m struct {
			MergedIDs []string       `json:"merged_ids"`
			Filled    map[string]any `json:"filled"`
			Taken     map[string]any `json:"taken"` // the kept record's values before it took others
			Undo      mergeUndo      `json:"undo"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("merge %s: %w", mergeID, err)
		}
		now := e.now().UTC().Truncate(time.Microsecond)
		next := Record{}
		for k, v := range keep {
			next[k] = v
		}
		for k, v := range m.Filled {
			f, ok := o.Field(k)
			if !ok {
				continue
			}
			cur, _ := json.Marshal(toJSON(f, keep[k]))
			was, _ := json.Marshal(v)
			if string(cur) == string(was) {
				next[k] = nil
			}
		}
		for k, v := range m.Taken {
			f, ok := o.Field(k)
			if !ok {
				continue
			}
			clean, err := schema.Convert(f, jsonInput(v))
			if err != nil {
				return fmt.Errorf("merge %s: %s: %w", mergeID, k, err)
			}
			next[k] = clean
		}
		next["updated_at"], next["version"] = now, keep.Version()+1
		if err := e.update(ctx, tx, p.WorkspaceID, o, next, keep.Version(), nil); err != nil {
			return err
		}
		for _, id := range m.MergedIDs {
			dup, _, err := e.get(ctx, tx, p.WorkspaceID, o, id, true)
			if err != nil {
				return err
			}
			back := Record{}
			for k, v := range dup {
				back[k] = v
			}
			if len(m.Undo.Cleared[id]) > 0 {
				in, err := schema.Validate(o, m.Undo.Cleared[id], false)
				if err != nil {
					return err
				}
				for k, v := range in {
					back[k] = v
				}
			}
			back["updated_at"], back["version"] = now, dup.Version()+1
			if err := e.update(ctx, tx, p.WorkspaceID, o, back, dup.Version(), nil); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET deleted_at = NULL WHERE workspace_id = $1 AND id = $2", p.WorkspaceID, id); err != nil {
				return err
			}
			if err := e.log.Put(ctx, tx, p.WorkspaceID, m.Undo.Events[id], id); err != nil {
				return err
			}
		}
		s, err := e.schemas.Get(ctx, p.WorkspaceID)
		if err != nil {
			return err
		}
		for _, c := range m.Undo.Relations {
			ro, ok := s.Object(c.Object)
			if !ok {
				continue
			}
			q := "UPDATE " + store.QuoteIdent(ro.Table) + " SET " + store.QuoteIdent(c.Field) + " = $3 WHERE workspace_id = $1 AND id = $2 AND " + store.QuoteIdent(c.Field) + " = $4"
			if c.Custom {
				q = fmt.Sprintf("UPDATE %s SET custom = json_set(custom, '$.%s', $3) WHERE workspace_id = $1 AND id = $2 AND json_extract(custom, '$.%s') = $4", store.QuoteIdent(ro.Table), c.Field, c.Field)
				if d == store.Postgres {
					q = fmt.Sprintf("UPDATE %s SET custom = jsonb_set(custom, '{%s}', to_jsonb($3::text)) WHERE workspace_id = $1 AND id = $2 AND custom->>'%s' = $4", store.QuoteIdent(ro.Table), c.Field, c.Field)
				}
			}
			if _, err := tx.ExecContext(ctx, q, p.WorkspaceID, c.ID, c.From, keepID); err != nil {
				return fmt.Errorf("unmerge %s.%s: %w", c.Object, c.Field, err)
			}
		}
		for _, c := range m.Undo.Refs {
			ro, ok := s.Object(c.Object)
			if !ok {
				continue
			}
			b, _ := json.Marshal(c.Before)
			if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(ro.Table)+" SET "+store.QuoteIdent(c.Field)+" = $3 WHERE workspace_id = $1 AND id = $2", p.WorkspaceID, c.ID, string(b)); err != nil {
				return err
			}
		}
		if mg := e.mergers[o.Name]; mg != nil && len(m.Undo.Moved) > 0 {
			if err := mg.Unmerge(ctx, tx, p.WorkspaceID, keepID, m.Undo.Moved); err != nil {
				return err
			}
		}
		out = next
		return e.log.Append(ctx, tx, &events.Event{
			WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: keepID, Kind: "unmerged",
			Singular: o.Singular, Summary: "Took back a merge into " + o.Singular + " " + Title(o, next), Record: next,
			Data: map[string]any{"merge_event": mergeID, "restored_ids": m.MergedIDs},
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lastMerge finds the newest merged event of a record not taken back yet.
func (e *Engine) lastMerge(ctx context.Context, tx *sql.Tx, ws, object, id string) (string, []byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, data FROM events WHERE workspace_id = $1 AND object = $2 AND record_id = $3 AND kind IN ('merged', 'unmerged') ORDER BY id DESC`, ws, object, id)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	undone := map[string]bool{}
	for rows.Next() {
		var evID, kind string
		var data []byte
		if err := rows.Scan(&evID, &kind, &data); err != nil {
			return "", nil, err
		}
		if kind == "unmerged" {
			var u struct {
				MergeEvent string `json:"merge_event"`
			}
			_ = json.Unmarshal(data, &u)
			undone[u.MergeEvent] = true
			continue
		}
		if !undone[evID] {
			return evID, data, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	return "", nil, fault.Conflict("", "%s %s has no merge to take back", object, id)
}

// jsonInput turns a value read back from JSON into what Convert takes
// (numbers as json.Number, lists as []any).
func jsonInput(v any) any {
	if f, ok := v.(float64); ok {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return v
}

// writable reads a live record for update, if p may change it.
func (e *Engine) writable(ctx context.Context, tx *sql.Tx, p access.Principal, o *schema.Object, id string) (Record, error) {
	rec, deleted, err := e.get(ctx, tx, p.WorkspaceID, o, id, true)
	if err != nil {
		return nil, err
	}
	if deleted != nil {
		return nil, fault.NotFound("no %s with id %q (it is in the trash: restore it first)", o.Singular, id)
	}
	if err := access.CanWrite(p, o.Name, rec.Owner()); err != nil {
		return nil, err
	}
	return rec, nil
}
