package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// TestSearchMergedAfterBulkWrites: bulk writes leave a full-text index in
// many segments; told of them, the search merger merges them in the
// background, after which a merge finds nothing left to do and every row
// is still found. A small bulk write is left alone.
func TestSearchMergedAfterBulkWrites(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := storetest.Open(t)
	if db.Dialect() != store.SQLite {
		// PostgreSQL's GIN indexes merge their pending lists themselves:
		// there is nothing to wait for.
		db.MergeSearchLater("contacts_fts", 1000, 1000)
		if err := db.SearchMerged(ctx); err != nil {
			t.Fatal(err)
		}
		return
	}
	store.SetMergeQuiet(db, 50*time.Millisecond)
	if _, err := db.Writer().ExecContext(ctx, `CREATE VIRTUAL TABLE merge_test_fts USING fts5 (body, prefix = '2 3')`); err != nil {
		t.Fatal(err)
	}
	const statements, rows = 24, 500
	write := func(s int) {
		t.Helper()
		bodies := make([]string, rows)
		for i := range bodies {
			bodies[i] = fmt.Sprintf("common row%d word%d", s*rows+i, i%37)
		}
		list, _ := json.Marshal(bodies)
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO merge_test_fts (rowid, body) SELECT ? + key, value FROM json_each(?)`, s*rows+1, string(list))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for s := range statements {
		write(s)
	}
	// Whether a merge step would do work, found out in a savepoint that is
	// then rolled back.
	rollback := errors.New("rolled back")
	mergeable := func() bool {
		t.Helper()
		var worked bool
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			err := db.Savepoint(ctx, tx, func() error {
				var before, after int64
				_ = tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before)
				if _, err := tx.ExecContext(ctx, `INSERT INTO merge_test_fts (merge_test_fts, rank) VALUES ('merge', -500)`); err != nil {
					return err
				}
				_ = tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after)
				worked = after-before > 1
				return rollback
			})
			if errors.Is(err, rollback) {
				return nil
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return worked
	}
	if !mergeable() {
		t.Fatal("the bulk writes left nothing to merge: the test proves nothing")
	}
	db.MergeSearchLater("merge_test_fts", statements*rows, statements*rows)
	if err := db.SearchMerged(ctx); err != nil {
		t.Fatal(err)
	}
	if mergeable() {
		t.Error("the merger left segments to merge")
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM merge_test_fts WHERE merge_test_fts MATCH 'common'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != statements*rows {
		t.Errorf("%d rows found after the merge, want %d", n, statements*rows)
	}

	// A bulk write of less than a quarter of the index is left to FTS5's
	// own merging: a merge rewrites the whole index.
	write(statements)
	db.MergeSearchLater("merge_test_fts", rows, (statements+1)*rows)
	if err := db.SearchMerged(ctx); err != nil {
		t.Fatal(err)
	}
	if !mergeable() {
		t.Error("a small bulk write had the whole index merged")
	}
}
