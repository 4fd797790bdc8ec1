package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// TestKeptStatements: the connections keep their compiled statements (on
// SQLite Rapport's driver wrapper, on PostgreSQL pgx); the same text runs
// again with other arguments, recovers after it failed, follows a change
// of the schema, runs while its own rows are still open (nested, on
// SQLite: a PostgreSQL connection reads one result at a time), and many
// texts do not exhaust anything.
func TestKeptStatements(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	w := db.Writer()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE kept (workspace_id TEXT NOT NULL DEFAULT 'w', id INTEGER NOT NULL, name TEXT NOT NULL,
		PRIMARY KEY (workspace_id, id), UNIQUE (workspace_id, name))`)
	t.Cleanup(func() { _, _ = w.ExecContext(ctx, `DROP TABLE kept`) })
	const insert = `INSERT INTO kept (id, name) VALUES ($1, $2)`
	for i := range 5 {
		mustExec(insert, i, fmt.Sprint("n", i))
	}
	// A failure (a taken name) leaves the statement usable.
	if _, err := w.ExecContext(ctx, insert, 9, "n1"); err == nil {
		t.Fatal("a taken name was inserted")
	}
	mustExec(insert, 5, "n5")

	// The same query while its own rows are open: a nested read.
	const byID = `SELECT id, name FROM kept WHERE id >= $1 ORDER BY id`
	nested := func(tx *sql.Tx) error {
		outer, err := tx.QueryContext(ctx, byID, 4)
		if err != nil {
			return err
		}
		defer outer.Close()
		var seen []string
		for outer.Next() {
			var id int
			var name string
			if err := outer.Scan(&id, &name); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+byID+`) AS x`, id).Scan(&n); err != nil {
				return err
			}
			inner, err := tx.QueryContext(ctx, byID, id)
			if err != nil {
				return err
			}
			for inner.Next() {
				n--
			}
			inner.Close()
			seen = append(seen, fmt.Sprint(name, ":", n))
		}
		if fmt.Sprint(seen) != "[n4:0 n5:0]" {
			return fmt.Errorf("nested reads saw %v", seen)
		}
		return outer.Err()
	}
	if db.Dialect() == store.SQLite {
		if err := db.Tx(ctx, nested); err != nil {
			t.Fatal(err)
		}
	}
	// A changed schema: the kept statement sees the new column. (On
	// PostgreSQL a SELECT * whose columns changed fails once, "cached plan
	// must not change result type", which is why Rapport names its
	// columns.)
	all := `SELECT * FROM kept WHERE id = $1`
	if db.Dialect() == store.Postgres {
		all = `SELECT workspace_id, id, name FROM kept WHERE id = $1`
	}
	cols := func() int {
		rows, err := w.QueryContext(ctx, all, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, _ := rows.Columns()
		return len(c)
	}
	before := cols()
	mustExec(`ALTER TABLE kept ADD COLUMN extra TEXT`)
	if after := cols(); db.Dialect() == store.SQLite && after != before+1 {
		t.Fatalf("columns after ALTER: %d, want %d", after, before+1)
	}
	// More texts than a connection keeps.
	for i := range 600 {
		var n int
		if err := w.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) + %d FROM kept`, i)).Scan(&n); err != nil || n != 6+i {
			t.Fatalf("query %d: %d %v", i, n, err)
		}
	}
}
