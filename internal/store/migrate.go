package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one versioned, embedded SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations of a dialect in version order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// SchemaVersion reports the newest migration applied to the database (0 on
// an empty one) and the newest this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int, err error) {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	exists, err := db.tableExists(ctx, db.reader, "schema_migrations")
	if err != nil || !exists {
		return 0, known, err
	}
	err = db.reader.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	return current, known, err
}

// ErrTooNew is returned when the database was migrated by a newer Rapport.
type ErrTooNew struct{ Current, Known int }

func (e *ErrTooNew) Error() string {
	return fmt.Sprintf("the database is at schema version %d but this rapport knows only up to %d: upgrade rapport", e.Current, e.Known)
}

// Migrate applies every pending migration, each in its own transaction and
// under a lock, so that several nodes starting at once apply each exactly
// once. It returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return 0, err
	}
	if _, err := db.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		// Two PostgreSQL nodes racing on CREATE TABLE IF NOT EXISTS may see a
		// duplicate-type error; the table then exists, which is all we need.
		if ok, _ := db.tableExists(ctx, db.writer, "schema_migrations"); !ok {
			return 0, fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	current, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if current > known {
		return 0, &ErrTooNew{Current: current, Known: known}
	}
	applied := 0
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		done, err := db.apply(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied++
		}
	}
	return applied, nil
}

func (db *DB) apply(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }()
	if db.dialect == Postgres {
		// Held until commit; on SQLite the IMMEDIATE transaction is the lock.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727270001)`); err != nil {
			return false, fmt.Errorf("migration lock: %w", err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil // another node applied it while we waited
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

func (db *DB) tableExists(ctx context.Context, q Querier, name string) (bool, error) {
	var n int
	var err error
	if db.dialect == SQLite {
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, name).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`, name).Scan(&n)
	}
	return n > 0, err
}

// TableExists reports whether a table exists (custom object tables are
// created at run time).
func (db *DB) TableExists(ctx context.Context, q Querier, name string) (bool, error) {
	return db.tableExists(ctx, q, name)
}
