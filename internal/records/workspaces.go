package records

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// Furnish gives, in one transaction, every workspace that has never had a
// record of a built-in object (trashed ones count) what give makes of
// it: those made before the object came with a workspace's furnishings
// (a pipeline, the dashboards). Run at start-up.
func (e *Engine) Furnish(ctx context.Context, object string, give func(ctx context.Context, tx *sql.Tx, ws string) error) error {
	o, ok := schema.Default().Object(object)
	if !ok {
		return fmt.Errorf("no built-in object %q", object)
	}
	return e.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM workspaces w WHERE NOT EXISTS (SELECT 1 FROM `+store.QuoteIdent(o.Table)+` t WHERE t.workspace_id = w.id) ORDER BY id`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ws := range ids {
			if err := give(ctx, tx, ws); err != nil {
				return fmt.Errorf("%s of workspace %s: %w", object, ws, err)
			}
		}
		return nil
	})
}
