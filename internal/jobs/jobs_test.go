package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

func newQueue(t *testing.T, db *store.DB) *jobs.Queue {
	q := jobs.NewQueue(db, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	q.Backoff = func(int) time.Duration { return 0 }
	q.Poll = 10 * time.Millisecond
	return q
}

func enqueue(t *testing.T, db *store.DB, q *jobs.Queue, n jobs.New, commit bool) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		if err := q.Enqueue(context.Background(), tx, n); err != nil {
			return err
		}
		if !commit {
			return errors.New("roll back")
		}
		return nil
	})
	if commit && err != nil {
		t.Fatal(err)
	}
}

func state(t *testing.T, db *store.DB, ws string) map[string]int {
	rows, err := db.Reader().QueryContext(context.Background(), `SELECT state, COUNT(*) FROM jobs WHERE workspace_id = $1 GROUP BY state`, ws)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		_ = rows.Scan(&s, &n)
		out[s] = n
	}
	return out
}

func TestEnqueueIsTransactionalAndUnique(t *testing.T) {
	db := storetest.OpenFresh(t)
	q := newQueue(t, db)
	ws := uuid.NewString()
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "k"}, false)
	if got := state(t, db, ws); len(got) != 0 {
		t.Fatalf("rolled back enqueue left %v", got)
	}
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "k", UniqueKey: "one"}, true)
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "k", UniqueKey: "one"}, true)
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "k"}, true)
	if got := state(t, db, ws); got["available"] != 2 {
		t.Fatalf("got %v, want 2 available (unique key deduplicated)", got)
	}
}

func TestRetryThenDiscard(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenFresh(t)
	q := newQueue(t, db)
	ws := uuid.NewString()
	var calls atomic.Int32
	q.Handle("flaky", func(ctx context.Context, j *jobs.Job) error {
		if calls.Add(1) < 3 {
			return errors.New("temporary")
		}
		return nil
	})
	q.Handle("doomed", func(ctx context.Context, j *jobs.Job) error { return jobs.Permanent(errors.New("no")) })
	q.Handle("tired", func(ctx context.Context, j *jobs.Job) error { return errors.New("always") })
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "flaky"}, true)
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "doomed"}, true)
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "tired", MaxAttempts: 2}, true)
	for i := 0; i < 20; i++ {
		if ran, err := q.RunOne(ctx); err != nil {
			t.Fatal(err)
		} else if !ran {
			break
		}
	}
	if calls.Load() != 3 {
		t.Errorf("flaky ran %d times, want 3", calls.Load())
	}
	if got := state(t, db, ws); got["completed"] != 1 || got["discarded"] != 2 {
		t.Fatalf("states %v, want 1 completed, 2 discarded", got)
	}
	var lastErr string
	_ = db.Reader().QueryRowContext(ctx, `SELECT last_error FROM jobs WHERE workspace_id = $1 AND kind = 'tired'`, ws).Scan(&lastErr)
	if lastErr != "always" {
		t.Errorf("last_error %q", lastErr)
	}
}

func TestTwoNodesRunEachJobOnce(t *testing.T) {
	url := storetest.FreshURL(t)
	db := storetest.OpenURL(t, url)
	ws := uuid.NewString()
	var mu sync.Mutex
	seen := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var done atomic.Int32
	const n = 40
	var wg sync.WaitGroup
	var first *jobs.Queue
	for node := 0; node < 2; node++ {
		other, err := store.Open(ctx, url)
		if node == 0 {
			other, err = db, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if node > 0 {
			defer other.Close()
		}
		q := newQueue(t, other)
		q.Handle("count", func(ctx context.Context, j *jobs.Job) error {
			mu.Lock()
			seen[j.ID]++
			mu.Unlock()
			done.Add(1)
			return nil
		})
		if first == nil {
			first = q
		}
		wg.Add(1)
		go func() { defer wg.Done(); q.Run(ctx, 2) }()
	}
	for i := 0; i < n; i++ {
		enqueue(t, db, first, jobs.New{WorkspaceID: ws, Kind: "count"}, true)
	}
	deadline := time.Now().Add(20 * time.Second)
	for done.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("ran %d distinct jobs, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("job %s ran %d times", id, c)
		}
	}
}

func TestShutdownReleasesTheJobInHand(t *testing.T) {
	db := storetest.OpenFresh(t)
	q := newQueue(t, db)
	ws := uuid.NewString()
	started := make(chan struct{})
	q.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "slow"}, true)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	q.Run(ctx, 1)
	var st string
	var attempt int
	_ = db.Reader().QueryRowContext(context.Background(), `SELECT state, attempt FROM jobs WHERE workspace_id = $1`, ws).Scan(&st, &attempt)
	if st != "available" || attempt != 0 {
		t.Fatalf("after shutdown: state %s attempt %d, want available 0", st, attempt)
	}
}

func TestPruneDeletesOldFinishedJobs(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenFresh(t)
	now := time.Now()
	q := jobs.NewQueue(db, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ws := uuid.NewString()
	q.Handle("k", func(context.Context, *jobs.Job) error { return nil })
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "k", UniqueKey: "once"}, true)
	if _, err := q.RunOne(ctx); err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "k"}, true) // still available: kept
	if n, err := q.Prune(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("prune of fresh jobs: %d %v", n, err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := q.Prune(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := state(t, db, ws); got["completed"] != 0 || got["available"] != 1 {
		t.Fatalf("after prune: %v", got)
	}
}

// TestCompleteInTheHandlersTransaction: a handler that finishes its job in
// its own write leaves it completed with that write; when that write rolls
// back, the completion goes with it and the job is retried.
func TestCompleteInTheHandlersTransaction(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenFresh(t)
	q := newQueue(t, db)
	ws := uuid.NewString()
	var calls atomic.Int32
	q.Handle("once", func(ctx context.Context, j *jobs.Job) error {
		first := calls.Add(1) == 1
		return db.Tx(ctx, func(tx *sql.Tx) error {
			if err := q.CompleteIn(ctx, tx, j); err != nil {
				return err
			}
			if first {
				return errors.New("the write failed after all")
			}
			return nil
		})
	})
	enqueue(t, db, q, jobs.New{WorkspaceID: ws, Kind: "once", MaxAttempts: 3}, true)
	for i := 0; i < 5; i++ {
		if ran, err := q.RunOne(ctx); err != nil {
			t.Fatal(err)
		} else if !ran {
			break
		}
	}
	var st, lastErr string
	var attempt int
	if err := db.Reader().QueryRowContext(ctx, `SELECT state, attempt, last_error FROM jobs WHERE workspace_id = $1`, ws).Scan(&st, &attempt, &lastErr); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || st != "completed" || attempt != 2 || lastErr != "" {
		t.Fatalf("ran %d times, state %s after %d attempts, last error %q; want twice, completed after 2", calls.Load(), st, attempt, lastErr)
	}
}
