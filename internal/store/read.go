package store

import (
	"context"
	"database/sql"
	"sync"
)

// readCache holds statements prepared on the SQLite reader pool; database/sql
// prepares each on a connection the first time it runs there and keeps it.
// The driver would otherwise parse every query anew, which costs as much as
// running a small indexed query.
type readCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxReadStatements = 1024

// Query runs a read query, through a cached prepared statement on SQLite.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.reader.QueryContext(ctx, query, args...)
}

// QueryRowRead runs a read query returning one row, like Query.
func (db *DB) QueryRowRead(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.reader.QueryRowContext(ctx, query, args...)
}

func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil // pgx caches prepared statements per connection itself
	}
	c := &db.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if c.stmts == nil || len(c.stmts) >= maxReadStatements {
		// Statements in use stay valid until their rows are closed.
		for _, st := range c.stmts {
			st.Close()
		}
		c.stmts = map[string]*sql.Stmt{}
	}
	st, err := db.reader.PrepareContext(ctx, query)
	if err != nil {
		return nil // let the plain path report the error
	}
	c.stmts[query] = st
	return st
}
