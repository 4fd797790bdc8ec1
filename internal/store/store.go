// Package store opens the database (embedded SQLite or PostgreSQL), runs the
// embedded migrations, and hides the few places where the two dialects differ.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Dialect names a database engine.
type Dialect string

// The two engines Rapport runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is what both *sql.DB and *sql.Tx offer; code that only reads or
// writes inside a transaction takes one.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database: a writer pool and a reader pool (the same pool on
// PostgreSQL; one writer connection and several readers on SQLite).
type DB struct {
	dialect Dialect
	writer  *sql.DB
	reader  *sql.DB
	// Location is a printable description (file path or host/db) for logs.
	Location string

	// group carries write transactions to the SQLite writer goroutine.
	group     chan *txRequest
	closed    chan struct{}
	groupDone chan struct{}

	// checkpoints wakes the SQLite checkpointer after a commit.
	checkpoints chan struct{}
	ckpt        *sql.DB
	ckptDone    chan struct{}

	// merger merges SQLite's full-text indexes after bulk writes.
	merger *searchMerger
}

// DefaultURL is the embedded SQLite database inside dataDir.
func DefaultURL(dataDir string) string {
	return "sqlite://" + filepath.Join(dataDir, "rapport.db")
}

// Open connects to the database named by rawURL: "postgres://..." or
// "postgresql://..." for PostgreSQL, "sqlite://PATH" or a bare path for SQLite.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return openPostgres(ctx, rawURL)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "sqlite:")
	if path == "" {
		return nil, fmt.Errorf("open database: empty SQLite path in %q", rawURL)
	}
	return openSQLite(ctx, path)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=journal_mode(WAL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)"
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	// The writer leaves copying the WAL back into the database to the
	// checkpointer, on a connection of its own (and so the other core),
	// unless the WAL passes 40 MB.
	writer, err := sql.Open(cachingDriverName, dsn+"&_txlock=immediate&_pragma=wal_autocheckpoint(10000)")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// One writer connection: SQLite serialises writers anyway, and one
	// connection turns lock contention into a queue instead of busy errors.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	// Switching a new file to WAL takes a lock that SQLite does not wait for
	// (the busy timeout does not apply), so a second process opening the
	// same new file at that moment retries for a while.
	var err2 error
	for i := 0; i < 100; i++ {
		if err2 = writer.PingContext(ctx); err2 == nil || !strings.Contains(err2.Error(), "SQLITE_BUSY") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err2 != nil {
		writer.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err2)
	}
	reader, err := sql.Open(cachingDriverName, dsn+"&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	ckpt, err := sql.Open(cachingDriverName, dsn)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	ckpt.SetMaxOpenConns(1)
	db := &DB{dialect: SQLite, writer: writer, reader: reader, Location: path,
		group: make(chan *txRequest), closed: make(chan struct{}), groupDone: make(chan struct{}),
		checkpoints: make(chan struct{}, 1), ckpt: ckpt, ckptDone: make(chan struct{})}
	go db.groupCommit()
	go db.checkpointer()
	db.merger = newSearchMerger()
	go db.mergeSearch()
	return db, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", redact(err, rawURL))
	}
	loc := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		loc = u.Host + u.Path
	}
	return &DB{dialect: Postgres, writer: db, reader: db, Location: loc}, nil
}

// redact keeps a password in the URL out of error messages.
func redact(err error, rawURL string) error {
	u, perr := url.Parse(rawURL)
	if perr != nil || u.User == nil {
		return err
	}
	if p, ok := u.User.Password(); ok && p != "" {
		return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Reader is the pool for queries outside a transaction.
func (db *DB) Reader() Querier { return db.reader }

// ReadTx begins a read-only transaction on the reader pool: for a read
// that sets a parameter for itself alone (SET LOCAL on PostgreSQL).
func (db *DB) ReadTx(ctx context.Context) (*sql.Tx, error) {
	return db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
}

// Writer is the pool for single writes outside a transaction.
func (db *DB) Writer() Querier { return db.writer }

// Stats describes the pools, for metrics.
func (db *DB) Stats() (writer, reader sql.DBStats) {
	return db.writer.Stats(), db.reader.Stats()
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.reader.PingContext(ctx) }

// Close closes both pools.
func (db *DB) Close() error {
	if db.closed != nil {
		close(db.closed)
		<-db.groupDone
		<-db.ckptDone
		db.ckpt.Close()
		<-db.merger.done
	}
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Tx runs fn in one write transaction and commits it when fn returns nil.
// Driver errors are translated to fault kinds (unique violations become
// conflicts).
//
// On SQLite, concurrent calls are grouped: the writer goroutine runs every
// waiting fn in one transaction, each inside a savepoint, so that one
// commit (the costly part: writing the WAL frames) serves several requests.
// A failing fn rolls back to its savepoint and fails alone.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.group == nil {
		return db.runTx(ctx, fn)
	}
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.group <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closed:
		return errors.New("database closed")
	}
	return <-req.done
}

// Savepoint runs fn inside a savepoint of tx: when fn fails, what it
// wrote is rolled back and tx goes on (on PostgreSQL too, where an error
// otherwise spoils the transaction). fn's error comes back translated as
// Tx's do; an error that leaves tx unusable is returned as it is.
func (db *DB) Savepoint(ctx context.Context, tx *sql.Tx, fn func() error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT step"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO step"); rerr != nil {
			return fmt.Errorf("rollback to savepoint: %w", rerr)
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE step"); rerr != nil {
			return fmt.Errorf("release savepoint: %w", rerr)
		}
		return Translate(err)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE step"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

func (db *DB) runTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return Translate(err)
	}
	if err := tx.Commit(); err != nil {
		return Translate(fmt.Errorf("commit: %w", err))
	}
	db.committed()
	return nil
}

// committed wakes the checkpointer, if there is one and it sleeps.
func (db *DB) committed() {
	if db.checkpoints == nil {
		return
	}
	select {
	case db.checkpoints <- struct{}{}:
	default:
	}
}

// checkpointer copies committed pages from SQLite's WAL into the database
// file after commits, at most every checkpointEvery, without blocking the
// writer or readers (a passive checkpoint): work that otherwise falls to
// the writer every 1,000 pages, a sixth of a bulk import's time.
func (db *DB) checkpointer() {
	defer close(db.ckptDone)
	for {
		select {
		case <-db.closed:
			return
		case <-db.checkpoints:
		}
		if _, err := db.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil && !strings.Contains(err.Error(), "SQLITE_BUSY") {
			slog.Warn("checkpoint", "err", err)
		}
		select {
		case <-db.closed:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

const checkpointEvery = 100 * time.Millisecond

type txRequest struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// maxGroup bounds how many transactions share one commit.
const maxGroup = 64

// groupCommit is the SQLite writer goroutine.
func (db *DB) groupCommit() {
	defer close(db.groupDone)
	for {
		var first *txRequest
		select {
		case first = <-db.group:
		case <-db.closed:
			return
		}
		batch := []*txRequest{first}
	fill:
		for len(batch) < maxGroup {
			select {
			case r := <-db.group:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.runGroup(batch)
	}
}

func (db *DB) runGroup(batch []*txRequest) {
	ctx := context.Background()
	if len(batch) == 1 {
		r := batch[0]
		r.done <- db.runTx(r.ctx, r.fn)
		return
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	results := make([]error, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		sp := fmt.Sprintf("g%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
			results[i] = err
			continue
		}
		if err := r.fn(tx); err != nil {
			results[i] = Translate(err)
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO "+sp); rerr != nil {
				// The transaction is unusable: fail everyone.
				_ = tx.Rollback()
				for _, r := range batch {
					r.done <- fmt.Errorf("rollback to savepoint: %w", rerr)
				}
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE "+sp); err != nil && results[i] == nil {
			results[i] = err
		}
	}
	if err := tx.Commit(); err != nil {
		err = Translate(fmt.Errorf("commit: %w", err))
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	db.committed()
	for i, r := range batch {
		r.done <- results[i]
	}
}
