package records

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// WorkspacesWithout lists, in tx, the workspaces that have never had a
// record of a built-in object, trashed ones included: those made before
// the object came with a workspace's furnishings (a pipeline, the
// dashboards).
func WorkspacesWithout(ctx context.Context, tx *sql.Tx, object string) ([]string, error) {
	o, ok := schema.Default().Object(object)
	if !ok {
		return nil, fmt.Errorf("no built-in object %q", object)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM workspaces w WHERE NOT EXISTS (SELECT 1 FROM `+store.QuoteIdent(o.Table)+` t WHERE t.workspace_id = w.id) ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
