package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

func TestMigrationFoldersHoldTheSameVersions(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, lite[i].Name, pg[i].Name)
		}
	}
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			_, errs[i] = db.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second migrate applied %d, err %v; want 0, nil", n, err)
	}
	cur, known, err := db.SchemaVersion(ctx)
	if err != nil || cur != known || cur == 0 {
		t.Fatalf("schema version %d of %d (err %v)", cur, known, err)
	}
}

func TestRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')`); err != nil {
		t.Fatal(err)
	}
	defer db.Writer().ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 9999`)
	_, err := db.Migrate(ctx)
	var tooNew *store.ErrTooNew
	if !errors.As(err, &tooNew) {
		t.Fatalf("migrate on a newer database: got %v, want ErrTooNew", err)
	}
}

func TestUniqueViolationBecomesConflictNamingTheField(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	d := db.Dialect()
	now := d.Time(time.Now())
	ws := "ws-" + time.Now().Format("150405.000000")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ($1, 'w', $2)`, ws, now); err != nil {
			return err
		}
		for _, id := range []string{"u1", "u2"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (workspace_id, id, email, name, role, created_at, updated_at)
				VALUES ($1, $2, 'same@example.com', 'n', 'admin', $3, $3)`, ws, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	fe := fault.As(err)
	if fe == nil || fe.Kind != fault.KindConflict || len(fe.Fields) != 1 || fe.Fields[0].Field != "email" {
		t.Fatalf("got %#v, want a conflict on email", err)
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM workspaces WHERE id = $1`, ws).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled back transaction left %d workspaces (err %v)", n, err)
	}
}

// TestConcurrentTransactionsFailAlone runs many write transactions at once
// (SQLite groups them under one commit): each that fails must leave nothing,
// and every other must commit.
func TestConcurrentTransactionsFailAlone(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	d := db.Dialect()
	ws := "ws-group-" + time.Now().Format("150405.000000")
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ($1, 'w', $2)`, ws, d.Time(time.Now())); err != nil {
		t.Fatal(err)
	}
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := fmt.Sprintf("u%d@example.com", i)
			if i%2 == 0 {
				email = "same@example.com"
			}
			errs[i] = db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO events (workspace_id, id, at, object, record_id, kind) VALUES ($1, $2, $3, 'users', $2, 'created')`,
					ws, fmt.Sprint("e", i), d.Time(time.Now())); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO users (workspace_id, id, email, name, role, created_at, updated_at) VALUES ($1, $2, $3, 'n', 'sales', $4, $4)`,
					ws, fmt.Sprint("u", i), email, d.Time(time.Now()))
				return err
			})
		}()
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case fault.KindOf(err) == fault.KindConflict:
			conflicts++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != n/2+1 || conflicts != n/2-1 {
		t.Fatalf("%d committed, %d conflicts; want %d and %d", ok, conflicts, n/2+1, n/2-1)
	}
	var users, events int
	_ = db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE workspace_id = $1`, ws).Scan(&users)
	_ = db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE workspace_id = $1`, ws).Scan(&events)
	if users != ok || events != ok {
		t.Fatalf("%d users and %d events for %d committed transactions", users, events, ok)
	}
}

// TestWorkspaceLeadsEveryKey checks DESIGN.md's principle 5 on the migrated
// schema: every table has workspace_id, first in its primary key and in each
// unique index (but the install's own bookkeeping tables).
func TestWorkspaceLeadsEveryKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	exempt := map[string]bool{"schema_migrations": true, "workspaces": true}
	var q string
	if db.Dialect() == store.SQLite {
		q = `SELECT m.name, il.name, il."unique", il.origin, (SELECT ii.name FROM pragma_index_info(il.name) ii WHERE ii.seqno = 0)
			FROM sqlite_master m, pragma_index_list(m.name) il
			WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL%' AND m.name NOT LIKE '%_fts%' AND il."unique" = 1`
	} else {
		q = `SELECT c.relname, i.relname, 1, CASE WHEN x.indisprimary THEN 'pk' ELSE 'u' END, a.attname
			FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
			WHERE n.nspname = current_schema() AND x.indisunique`
	}
	rows, err := db.Reader().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var table, index, origin string
		var unique int
		var first sql.NullString
		if err := rows.Scan(&table, &index, &unique, &origin, &first); err != nil {
			t.Fatal(err)
		}
		if exempt[table] {
			continue
		}
		checked++
		if first.String != "workspace_id" {
			t.Errorf("table %s: unique index %s (%s) starts with %q, not workspace_id", table, index, origin, first.String)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d keys", checked)
	}
}
