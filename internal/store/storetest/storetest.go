// Package storetest opens a real, migrated database for tests on the engine
// chosen by RAPPORT_TEST_DB (sqlite, the default, or postgres).
//
// On PostgreSQL, RAPPORT_TEST_PG_URL names a server (scripts/with-postgres
// starts a throwaway one); each test binary gets a database of its own, and
// tests isolate themselves further by creating their own workspace.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/internal/store"
)

// Engine is the engine the tests run on.
func Engine() store.Dialect {
	if os.Getenv("RAPPORT_TEST_DB") == "postgres" {
		return store.Postgres
	}
	return store.SQLite
}

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

// URL returns a database URL for a fresh test database: a new SQLite file
// under t.TempDir, or this test binary's PostgreSQL database.
func URL(t testing.TB) string {
	t.Helper()
	if Engine() == store.SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	}
	admin := os.Getenv("RAPPORT_TEST_PG_URL")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("RAPPORT_TEST_DB=postgres but RAPPORT_TEST_PG_URL is empty (run through scripts/with-postgres)")
		}
		t.Skip("RAPPORT_TEST_PG_URL is not set: run `make test` to start a throwaway PostgreSQL")
	}
	pgOnce.Do(func() { pgURL, pgErr = createDatabase(admin) })
	if pgErr != nil {
		t.Fatalf("create test database: %v", pgErr)
	}
	return pgURL
}

// FreshURL is like URL but always names an empty database, for tests that
// need a whole install to themselves (the first-run setup, the CLI).
func FreshURL(t testing.TB) string {
	t.Helper()
	if Engine() == store.SQLite {
		return URL(t)
	}
	admin := os.Getenv("RAPPORT_TEST_PG_URL")
	if admin == "" {
		return URL(t) // skips or fails as URL does
	}
	u, err := createDatabase(admin)
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return u
}

func createDatabase(admin string) (string, error) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "rapport_test_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Open returns a migrated database that is closed when the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	return OpenURL(t, URL(t))
}

// OpenFresh is Open on a database of the test's own, for tests of what
// spans workspaces (the job queue claims any workspace's jobs).
func OpenFresh(t testing.TB) *store.DB {
	t.Helper()
	return OpenURL(t, FreshURL(t))
}

// OpenURL opens and migrates the database at url for the test.
func OpenURL(t testing.TB, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}
