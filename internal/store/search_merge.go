package store

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// FTS5 keeps a full-text index as segments and merges them as writes go
// (automerge). A bulk write adds one large segment per statement, and the
// merging it leaves fell to the single writes after it: after a seed of
// 200,000 contacts, creates over HTTP ran at 1,150/s (p99 41 ms) instead
// of 1,700/s (p99 14 ms) until the index was merged. The search merger
// does that work instead, in the background, once bulk writes have added
// a quarter of an index and then paused (mergeQuiet): FTS5 'merge' steps
// of about 500 pages (tens of milliseconds each), each a write transaction
// of its own so that other writes go on between them, until a step finds
// nothing left. A step merges across levels (a negative page count),
// which rewrites the whole index in the end: about 2 µs a row, so it
// waits for a quarter of new rows rather than following every small
// import.
type searchMerger struct {
	mu      sync.Mutex
	pending map[string]*bulkWrites // FTS5 table → what bulk writes added
	running bool
	wake    chan struct{}
	idle    *sync.Cond
	done    chan struct{}
	quiet   time.Duration // how long bulk writes pause before merging
}

type bulkWrites struct {
	added, total int64
	last         time.Time
}

// mergeQuiet is how long bulk writes must pause before a merge starts:
// longer than a bulk batch takes on a large table (a seed's 5,000 rows
// take over a second at a million contacts), so that merging never
// interleaves with a bulk write still going on.
const mergeQuiet = 5 * time.Second

func newSearchMerger() *searchMerger {
	m := &searchMerger{pending: map[string]*bulkWrites{}, wake: make(chan struct{}, 1), done: make(chan struct{}), quiet: mergeQuiet}
	m.idle = sync.NewCond(&m.mu)
	return m
}

// MergeSearchLater tells the search merger that a bulk write added rows
// to an FTS5 table that now holds about total (SQLite; PostgreSQL's GIN
// indexes need no help).
func (db *DB) MergeSearchLater(table string, added, total int64) {
	m := db.merger
	if m == nil {
		return
	}
	m.mu.Lock()
	w := m.pending[table]
	if w == nil {
		w = &bulkWrites{}
		m.pending[table] = w
	}
	w.added += added
	w.total = total
	w.last = time.Now()
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// SearchMerged waits until the search merger has nothing left to do: the
// benchmark measures single writes after a bulk seed only once it has.
func (db *DB) SearchMerged(ctx context.Context) error {
	m := db.merger
	if m == nil {
		return nil
	}
	stop := context.AfterFunc(ctx, func() {
		m.mu.Lock()
		m.idle.Broadcast()
		m.mu.Unlock()
	})
	defer stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	for (m.due() || m.running) && ctx.Err() == nil {
		m.idle.Wait()
	}
	return ctx.Err()
}

// due reports whether a table waits to be merged (m.mu held).
func (m *searchMerger) due() bool {
	for _, w := range m.pending {
		if w.worth() {
			return true
		}
	}
	return false
}

// worth reports whether bulk writes added a quarter of the index.
func (w *bulkWrites) worth() bool { return 4*w.added >= w.total }

// mergeSearch is the search merger's goroutine.
func (db *DB) mergeSearch() {
	m := db.merger
	defer close(m.done)
	for {
		table, w, wait := m.next()
		if table != "" {
			err := db.mergeTable(table, w, m)
			m.mu.Lock()
			m.running = false
			m.idle.Broadcast()
			m.mu.Unlock()
			select {
			case <-db.closed:
				return
			default:
			}
			if err != nil {
				slog.Warn("search index merge", "table", table, "err", err)
			}
			continue
		}
		var timer <-chan time.Time
		if wait > 0 {
			timer = time.After(wait)
		}
		select {
		case <-db.closed:
			return
		case <-m.wake:
		case <-timer:
		}
	}
}

// next picks a table worth merging whose bulk writes have paused, or
// says how long to wait for one (0: none).
func (m *searchMerger) next() (string, *bulkWrites, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var wait time.Duration
	for table, w := range m.pending {
		if !w.worth() {
			continue
		}
		left := m.quiet - time.Since(w.last)
		if left <= 0 {
			delete(m.pending, table)
			m.running = true
			return table, w, 0
		}
		if wait == 0 || left < wait {
			wait = left
		}
	}
	return "", nil, wait
}

// mergeTable runs merge steps on one table until one does no work, a new
// bulk write comes (the merge then waits for it to pause, and owes that
// write's rows and w's), or the database closes.
func (db *DB) mergeTable(table string, w *bulkWrites, m *searchMerger) error {
	ctx := context.Background()
	for {
		select {
		case <-db.closed:
			return nil
		default:
		}
		m.mu.Lock()
		later := m.pending[table]
		if later != nil {
			later.added += w.added
		}
		m.mu.Unlock()
		if later != nil {
			return nil
		}
		var worked bool
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			// FTS5's own test of whether a merge did anything: the
			// connection's changes grow by more than the command's one.
			var before, after int64
			if err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+QuoteIdent(table)+" ("+QuoteIdent(table)+", rank) VALUES ('merge', -500)"); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
				return err
			}
			worked = after-before > 1
			return nil
		})
		if err != nil || !worked {
			return err
		}
	}
}
