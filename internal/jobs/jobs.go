// Package jobs is the durable job queue, on the same database as the
// records: a job is enqueued in the transaction of the write that causes
// it, claimed by one worker on one node, retried with backoff, unique by key
// where asked, and released when its node shuts down.
//
// River was the first choice; it does not fit here because its
// transactional insert takes the driver's own transaction type (pgx.Tx for
// PostgreSQL, *sql.Tx for SQLite), while Rapport's store runs both engines
// through database/sql so that one code path serves both; and its tables do
// not lead their keys with workspace_id (DESIGN.md, principle 5). The queue
// below is one table and a few statements that are the same on both engines.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/store"
)

// Job states.
const (
	Available = "available"
	Running   = "running"
	Completed = "completed"
	Discarded = "discarded"
)

// New describes a job to enqueue.
type New struct {
	WorkspaceID string
	Kind        string
	// UniqueKey, when set, makes a second job with the same key in the
	// workspace a no-op (whatever the first one's state).
	UniqueKey   string
	Payload     any
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: 10
}

// Job is a claimed job as a handler sees it.
type Job struct {
	ID          string
	WorkspaceID string
	Kind        string
	Payload     json.RawMessage
	Attempt     int
	MaxAttempts int
	// done says the handler finished the job in its own transaction.
	done bool
}

// Handler runs one job. Returning an error retries it with backoff, unless
// the error is Permanent or the attempts are used up.
type Handler func(ctx context.Context, job *Job) error

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that retrying cannot fix.
func Permanent(err error) error { return permanent{err} }

type snooze struct{ d time.Duration }

func (s snooze) Error() string { return fmt.Sprintf("snoozed for %s", s.d) }

// Snooze puts the job back to run after d without counting the attempt:
// it could not run yet (a rate limit), which is no failure.
func Snooze(d time.Duration) error { return snooze{d} }

// Queue enqueues and runs jobs.
type Queue struct {
	db       *store.DB
	now      func() time.Time
	log      *slog.Logger
	node     string
	handlers map[string]Handler
	wake     chan struct{}
	// Backoff gives the delay before retry number attempt (1-based).
	Backoff func(attempt int) time.Duration
	// Lease is how long a claimed job stays locked before another node may
	// take it over (the holder died).
	Lease time.Duration
	// Poll is how often idle workers look for due jobs.
	Poll time.Duration
	// Around, when set, gives each job the context it runs in (a
	// snapshot of the schemas, one per job).
	Around func(context.Context) context.Context
}

// NewQueue returns a queue over db.
func NewQueue(db *store.DB, now func() time.Time, log *slog.Logger) *Queue {
	return &Queue{
		db: db, now: now, log: log, node: uuid.NewString()[:8], handlers: map[string]Handler{},
		wake: make(chan struct{}, 1), Lease: 5 * time.Minute, Poll: time.Second,
		Backoff: func(attempt int) time.Duration {
			d := time.Duration(1<<min(attempt, 12)) * 5 * time.Second
			return min(d, 6*time.Hour) + time.Duration(rand.Int64N(int64(time.Second)))
		},
	}
}

// Handle registers the handler for a kind. Call at start-up.
func (q *Queue) Handle(kind string, h Handler) { q.handlers[kind] = h }

// Enqueue adds a job inside tx; it becomes visible when tx commits.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, n New) error {
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", n.Kind, err)
	}
	if n.MaxAttempts == 0 {
		n.MaxAttempts = 10
	}
	now := q.now()
	if n.RunAt.IsZero() {
		n.RunAt = now
	}
	var key any
	if n.UniqueKey != "" {
		key = n.UniqueKey
	}
	d := q.db.Dialect()
	_, err = tx.ExecContext(ctx, `INSERT INTO jobs (workspace_id, id, kind, unique_key, payload, state, max_attempts, run_at, created_at)
		VALUES ($1, $2, $3, $4, $5, 'available', $6, $7, $8) ON CONFLICT DO NOTHING`,
		n.WorkspaceID, uuid.Must(uuid.NewV7()).String(), n.Kind, key, string(payload), n.MaxAttempts, d.Time(n.RunAt), d.Time(now))
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", n.Kind, err)
	}
	// Wake a local worker shortly after the transaction has committed.
	time.AfterFunc(20*time.Millisecond, q.Kick)
	return nil
}

// Kick wakes an idle worker.
func (q *Queue) Kick() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// claim takes the next due job, or returns nil: the oldest available one
// whose time has come, else one whose holder's lease ran out. Two
// statements, each one index range read of jobs_ready (state, run_at);
// as one OR the planners scanned every job ever kept.
func (q *Queue) claim(ctx context.Context) (*Job, error) {
	d := q.db.Dialect()
	now := q.now()
	at := "$3"
	if d == store.SQLite {
		// Once ANALYZE has kept samples of an index (stat4), SQLite
		// recompiles a statement for each new value of a bare parameter
		// compared with the indexed column: half the claim's cost. An
		// expression of the parameter is not looked up in the samples.
		at = "($3 || '')"
	}
	for _, sub := range []string{
		`SELECT workspace_id, id FROM jobs WHERE state = 'available' AND run_at <= ` + at + ` ORDER BY run_at LIMIT 1`,
		`SELECT workspace_id, id FROM jobs WHERE state = 'running' AND locked_until < ` + at + ` LIMIT 1`,
	} {
		if d == store.Postgres {
			sub += " FOR UPDATE SKIP LOCKED"
		}
		row := q.db.Writer().QueryRowContext(ctx, `UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempt = attempt + 1
			WHERE (workspace_id, id) IN (`+sub+`)
			RETURNING workspace_id, id, kind, payload, attempt, max_attempts`, q.node, d.Time(now.Add(q.Lease)), d.Time(now))
		var j Job
		var payload []byte
		err := row.Scan(&j.WorkspaceID, &j.ID, &j.Kind, &payload, &j.Attempt, &j.MaxAttempts)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("claim job: %w", err)
		}
		j.Payload = payload
		return &j, nil
	}
	return nil, nil
}

// RunOne claims and runs one due job; it reports whether there was one.
func (q *Queue) RunOne(ctx context.Context) (bool, error) {
	j, err := q.claim(ctx)
	if err != nil || j == nil {
		return false, err
	}
	h, ok := q.handlers[j.Kind]
	var runErr error
	if !ok {
		runErr = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	} else {
		jctx := ctx
		if q.Around != nil {
			jctx = q.Around(ctx)
		}
		runErr = safeRun(jctx, h, j)
	}
	if runErr == nil && j.done {
		return true, nil // finished in the handler's transaction
	}
	return true, q.finish(ctx, j, runErr)
}

// CompleteIn marks j completed inside tx, the handler's last write, so
// that finishing the job costs no transaction of its own. Should tx roll
// back, the handler returns its error and the job is retried as usual.
func (q *Queue) CompleteIn(ctx context.Context, tx *sql.Tx, j *Job) error {
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'completed', finished_at = $3, locked_by = NULL, locked_until = NULL, last_error = ''
		WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, j.ID, q.db.Dialect().Time(q.now())); err != nil {
		return err
	}
	j.done = true
	return nil
}

func safeRun(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job panicked: %v", r)
		}
	}()
	return h(ctx, j)
}

func (q *Queue) finish(ctx context.Context, j *Job, runErr error) error {
	d := q.db.Dialect()
	now := q.now()
	// Finishing must happen even while shutting down.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var err error
	var perm permanent
	var sn snooze
	switch {
	case errors.As(runErr, &sn):
		_, err = q.db.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'available', attempt = attempt - 1, run_at = $3, locked_by = NULL, locked_until = NULL
			WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, j.ID, d.Time(now.Add(sn.d)))
	case runErr == nil:
		_, err = q.db.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'completed', finished_at = $3, locked_by = NULL, locked_until = NULL, last_error = ''
			WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, j.ID, d.Time(now))
	case errors.Is(runErr, context.Canceled) && ctx.Err() == nil:
		// Shutting down: release the job for another node, uncounted.
		_, err = q.db.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'available', attempt = attempt - 1, locked_by = NULL, locked_until = NULL
			WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, j.ID)
	case errors.As(runErr, &perm) || j.Attempt >= j.MaxAttempts:
		q.log.Warn("job failed for good", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "err", runErr)
		_, err = q.db.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'discarded', finished_at = $3, locked_by = NULL, locked_until = NULL, last_error = $4
			WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, j.ID, d.Time(now), truncate(runErr.Error(), 2000))
	default:
		q.log.Info("job failed, will retry", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "err", runErr)
		_, err = q.db.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'available', run_at = $3, locked_by = NULL, locked_until = NULL, last_error = $4
			WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, j.ID, d.Time(now.Add(q.Backoff(j.Attempt))), truncate(runErr.Error(), 2000))
	}
	if err != nil {
		return fmt.Errorf("finish job %s: %w", j.ID, err)
	}
	return nil
}

// truncate makes an error's text fit its column: at most n bytes, cut at
// a character, valid UTF-8 without NULs (PostgreSQL takes no others; an
// error may quote the bytes of a broken message).
func truncate(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// Run runs workers until ctx ends, then waits for the jobs in hand to be
// finished or released.
func (q *Queue) Run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx)
		}()
	}
	wg.Wait()
}

func (q *Queue) work(ctx context.Context) {
	t := time.NewTicker(q.Poll)
	defer t.Stop()
	for {
		ran, err := q.RunOne(ctx)
		if err != nil && ctx.Err() == nil {
			q.log.Error("job queue", "err", err)
		}
		if ran && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
		}
	}
}

// Prune deletes finished jobs older than keep; unique keys of pruned jobs
// become free again.
func (q *Queue) Prune(ctx context.Context, keep time.Duration) (int64, error) {
	res, err := q.db.Writer().ExecContext(ctx, `DELETE FROM jobs WHERE state IN ('completed', 'discarded') AND finished_at < $1`,
		q.db.Dialect().Time(q.now().Add(-keep)))
	if err != nil {
		return 0, fmt.Errorf("prune jobs: %w", err)
	}
	return res.RowsAffected()
}

// Depth counts jobs by state, for metrics.
func (q *Queue) Depth(ctx context.Context) (map[string]int64, error) {
	rows, err := q.db.Reader().QueryContext(ctx, `SELECT state, COUNT(*) FROM jobs WHERE state IN ('available', 'running') GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{Available: 0, Running: 0}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// Heartbeat extends a running job's lease, for jobs that run longer than
// one lease (an import of a large file): another node takes it over only if
// this one stops beating.
func (q *Queue) Heartbeat(ctx context.Context, j *Job) error {
	d := q.db.Dialect()
	_, err := q.db.Writer().ExecContext(ctx, `UPDATE jobs SET locked_until = $3 WHERE workspace_id = $1 AND id = $2 AND locked_by = $4`,
		j.WorkspaceID, j.ID, d.Time(q.now().Add(q.Lease)), q.node)
	return err
}
