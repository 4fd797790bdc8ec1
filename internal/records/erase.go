package records

import (
	"context"
	"database/sql"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/store"
)

// Erase removes a record's data for good, as a data subject's erasure
// request asks: every field but the system ones is cleared (custom ones
// too), its search entry with them, the record goes to the trash, and the
// data of its events (created values, changes, activity snapshots) is
// scrubbed. A tombstone event keeps that it was erased, when and by whom.
// Admins and managers only.
func (e *Engine) Erase(ctx context.Context, p access.Principal, object, id string) error {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return err
	}
	if err := access.CanErase(p); err != nil {
		return err
	}
	d := e.db.Dialect()
	return e.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, _, err := e.get(ctx, tx, p.WorkspaceID, o, id, true)
		if err != nil {
			return err
		}
		now := e.now().UTC().Truncate(time.Microsecond)
		next := Record{"id": cur.ID(), "created_at": cur["created_at"], "updated_at": now, "version": cur.Version() + 1, "owner_id": cur["owner_id"]}
		for _, f := range o.Fields {
			if !system(f.Name) {
				next[f.Name] = defaultValue(f) // nil, or what a column that is never empty holds
			}
		}
		if _, ok := o.Field("do_not_contact"); ok {
			next["do_not_contact"] = true // nothing may reach an erased person, even restored
		}
		if err := e.update(ctx, tx, p.WorkspaceID, o, next, cur.Version(), nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+store.QuoteIdent(o.Table)+" SET deleted_at = COALESCE(deleted_at, $3) WHERE workspace_id = $1 AND id = $2",
			p.WorkspaceID, id, d.Time(now)); err != nil {
			return err
		}
		if err := e.log.Scrub(ctx, tx, p.WorkspaceID, events.Ref{Object: o.Name, ID: id}); err != nil {
			return err
		}
		return e.log.Append(ctx, tx, &events.Event{
			WorkspaceID: p.WorkspaceID, ActorID: actor(p), Object: o.Name, RecordID: id, Kind: "erased",
			Singular: o.Singular, Summary: "Erased " + o.Singular,
		})
	})
}
