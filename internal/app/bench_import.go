package app

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/store"
)

// benchImport measures a CSV import of n contacts (dedupe by email,
// companies linked by name, events and search entries included) against
// the ceiling: the raw rate of batched INSERTs of the same columns into a
// table with a unique email index, 10,000 rows per transaction, through
// the same driver. It returns the rows for the results table.
func benchImport(ctx context.Context, sys *System, n int, logf func(string, ...any)) ([][]string, error) {
	dir, err := os.MkdirTemp("", "rapport-bench-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "contacts.csv")
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "First Name,Last Name,Email,Phone Number,Job Title,Company Name")
	g := newGenerator(7)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "%s,%s,imp%d@example%d.com,+49 30 %07d,%s,Import Company %d\n", g.pick(firstNames), g.pick(lastNames), i, i%500, g.r.IntN(10000000), g.pick(titles), i%(n/500+1))
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	f.Close()

	// The ceiling first, on a table of its own.
	ceiling, err := benchCeiling(ctx, sys.DB, n)
	if err != nil {
		return nil, err
	}
	logf("raw insert ceiling: %.0f rows/s", ceiling)
	floor, err := benchFloor(ctx, sys.DB, n)
	if err != nil {
		return nil, err
	}
	logf("the contacts table filled by the database itself: %.0f rows/s", floor)

	ws, err := sys.Auth.CreateWorkspace(ctx, "Import bench")
	if err != nil {
		return nil, err
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() { // the import's heap, sampled
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	start := time.Now()
	// What `rapport import` does: the import recorded, with its journal
	// for undo, a batch at a time.
	run, err := sys.Imports.ImportFile(ctx, access.System(ws.ID), "contacts", path, exchange.Options{Dedupe: "email"}, func(r exchange.Result, _, _ int64) error {
		if r.Rows%100000 < 2000 {
			logf("imported %d rows in %s", r.Rows, time.Since(start).Round(time.Second))
		}
		return nil
	})
	close(stop)
	if err != nil {
		return nil, err
	}
	if run.Created != n {
		return nil, fmt.Errorf("import bench: created %d of %d (failed %d)", run.Created, n, run.Failed)
	}
	el := time.Since(start)
	rate := float64(run.RowsDone) / el.Seconds()
	logf("import: created %d in %s (%.0f rows/s, %.0f %% of the ceiling, %.0f %% of the table's own rate, peak heap %d MB)", run.Created, el.Round(time.Second), rate, 100*rate/ceiling, 100*rate/floor, peak.Load()>>20)
	rows := [][]string{
		{fmt.Sprintf("ceiling: batched INSERT of %d rows with a unique email index, 10,000 per transaction", n), fmt.Sprintf("%.0f rows/s", ceiling), "", ""},
		{fmt.Sprintf("the contacts table (its 8 indexes and search) filled by the database itself, INSERT … SELECT of 10,000 rows per transaction, %d rows", n), fmt.Sprintf("%.0f rows/s", floor), "", ""},
		{fmt.Sprintf("CSV import of %d contacts, dedupe by email, %d companies by name, with events and search (%.0f %% of the ceiling, %.0f %% of the table's own rate, peak Go heap %d MB)", n, n/500+1, 100*rate/ceiling, 100*rate/floor, peak.Load()>>20),
			fmt.Sprintf("%.0f rows/s", rate), "", ""},
	}
	if sys.DB.Dialect() == store.SQLite {
		// The search index's segments, merged in the background once the
		// import has paused (store.DB.MergeSearchLater).
		start := time.Now()
		if err := sys.DB.SearchMerged(ctx); err != nil {
			return nil, err
		}
		merged := time.Since(start)
		logf("search index merged %s after the import", merged.Round(time.Millisecond))
		rows = append(rows, []string{"the search index merged in the background after the import (5 s after its last write)", fmt.Sprintf("%.1f s", merged.Seconds()), "", ""})
	}
	return rows, nil
}

// benchCeiling inserts n rows into a bare table shaped like the import's
// columns, with a unique index on (workspace_id, email).
func benchCeiling(ctx context.Context, db *store.DB, n int) (float64, error) {
	d := db.Dialect()
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS bench_ceiling`,
		`CREATE TABLE bench_ceiling (workspace_id TEXT NOT NULL, id TEXT NOT NULL, first_name TEXT, last_name TEXT, email TEXT, phone TEXT, title TEXT, PRIMARY KEY (workspace_id, id))`,
		`CREATE UNIQUE INDEX bench_ceiling_email ON bench_ceiling (workspace_id, email)`,
	} {
		if _, err := db.Writer().ExecContext(ctx, stmt); err != nil {
			return 0, err
		}
	}
	defer db.Writer().ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS bench_ceiling`)
	const perTx, perStmt = 10000, 100
	var b strings.Builder
	b.WriteString("INSERT INTO bench_ceiling (workspace_id, id, first_name, last_name, email, phone, title) VALUES ")
	for r := 0; r < perStmt; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := 0; c < 7; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Positional(r*7 + c + 1))
		}
		b.WriteString(")")
	}
	q := b.String()
	start := time.Now()
	args := make([]any, 0, perStmt*7)
	for done := 0; done < n; done += perTx {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for s := done; s < min(done+perTx, n); s += perStmt {
				args = args[:0]
				for i := s; i < s+perStmt; i++ {
					args = append(args, "ws", fmt.Sprintf("id%09d", i), "Ada", "Lovelace", fmt.Sprintf("c%d@example.com", i), "+49 30 1234567", "Engineer")
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// benchFloor fills the real contacts table, with its indexes and search
// entries, from rows the database makes itself (no driver, no Go: one
// INSERT … SELECT per 10,000 rows), in a workspace of its own that it
// removes afterwards. It is what the database can do with this table
// shape at most; an import also writes events and its journal.
func benchFloor(ctx context.Context, db *store.DB, n int) (float64, error) {
	const ws, perTx = "bench-floor", 10000
	var fill []string
	if db.Dialect() == store.SQLite {
		fill = []string{
			`INSERT INTO contacts (workspace_id, id, created_at, updated_at, first_name, last_name, email, phone, title, lifecycle_stage)
			WITH RECURSIVE s(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM s WHERE i < $2)
			SELECT '` + ws + `', printf('%032d', i), '2026-12-04T00:00:00.000000Z', '2026-12-04T00:00:00.000000Z', 'Ada' || (i % 997), 'Lovelace' || i,
				'floor' || i || '@example' || (i % 500) || '.com', '+49 30 ' || i, 'Engineer', 'lead' FROM s`,
			`INSERT INTO contacts_fts (rowid, body) SELECT rowid, first_name || ' ' || last_name || ' ' || email || ' ' || replace(replace(replace(email, '@', ' '), '.', ' '), '-', ' ') || ' ' || phone || ' 4930' || substr(email, 6)
			FROM contacts WHERE workspace_id = '` + ws + `' AND id >= printf('%032d', $1) AND id <= printf('%032d', $2)`,
		}
	} else {
		fill = []string{
			`INSERT INTO contacts (workspace_id, id, created_at, updated_at, first_name, last_name, email, phone, title, lifecycle_stage, search)
			SELECT '` + ws + `', lpad(i::text, 32, '0'), '2026-12-04', '2026-12-04', 'Ada' || (i % 997), 'Lovelace' || i, 'floor' || i || '@example' || (i % 500) || '.com', '+49 30 ' || i, 'Engineer', 'lead',
				to_tsvector('simple', 'Ada' || (i % 997) || ' Lovelace' || i || ' floor' || i || '@example' || (i % 500) || '.com floor' || i || ' example' || (i % 500) || ' com +49 30 ' || i || ' 4930' || i)
			FROM generate_series($1::bigint, $2::bigint) AS i`,
		}
	}
	start := time.Now()
	for done := 0; done < n; done += perTx {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for _, q := range fill {
				if _, err := tx.ExecContext(ctx, q, done+1, min(done+perTx, n)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	rate := float64(n) / time.Since(start).Seconds()
	err := db.Tx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		if db.Dialect() == store.SQLite {
			if _, err := tx.ExecContext(ctx, `DELETE FROM contacts_fts WHERE rowid IN (SELECT rowid FROM contacts WHERE workspace_id = $1)`, ws); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE workspace_id = $1`, ws)
		return err
	})
	return rate, err
}
