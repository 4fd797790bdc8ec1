package records

import (
	"context"
	"database/sql"
)

// Tx runs fn in one write transaction, for callers that write through
// CreateManyIn and UpdateIn and need it all to commit or fail together.
func (e *Engine) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return e.db.Tx(ctx, fn)
}

// Savepoint runs fn inside a savepoint of tx: when fn fails, its writes
// are taken back and the transaction goes on.
func (e *Engine) Savepoint(ctx context.Context, tx *sql.Tx, fn func() error) error {
	return e.db.Savepoint(ctx, tx, fn)
}
