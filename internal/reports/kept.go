package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store"
)

// Reports over a few thousand records take milliseconds and are always
// worked out live. One over a million takes seconds on SQLite (a year of
// deals by stage and month: 2.2 s, 0.5 s from a covering index) and a
// fifth of one on PostgreSQL, too slow for a dashboard of seven. Such an
// answer is kept: the first view works it out and keeps it; views while
// it is fresh are served what was kept, with its time (as_of); a view of
// an ageing answer is served it and queues a job that works it out again;
// one older than that is worked out live. An answer is exact as of its
// time, and the page says that time.
const (
	// KeepAfter is how long an answer must take to be kept.
	KeepAfter = 100 * time.Millisecond
	// FreshFor is how long a kept answer is served as it is.
	FreshFor = 5 * time.Minute
	// StaleFor is how long an ageing one is served while a job works it
	// out again; past it, the view works it out.
	StaleFor = time.Hour
)

// RefreshJob works out a kept answer again.
const RefreshJob = "report.refresh"

// kept is an answer as it is kept.
type kept struct {
	Result *Result             `json:"result"`
	Order  map[string][]string `json:"order,omitempty"`
	Query  Query               `json:"query"`
	Role   access.Role         `json:"role"`
	User   string              `json:"user"`
}

// keyOf names an answer: the aggregation it runs (its period resolved),
// who sees what (the scope of the object for p), and whether it compares.
func (s *Service) keyOf(p access.Principal, q Query, c *compiled) string {
	b, _ := json.Marshal(struct {
		A       records.Aggregation
		Zone    string
		Scope   string
		Compare bool
		Prev    Span
		Object  string
	}{c.a, c.a.Zone.String(), s.eng.ScopeOf(p, q.Object), q.Compare, c.previous, q.Object})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Answer answers q as Run does, from a kept answer while it is fresh
// (fresh asks for a live one).
func (s *Service) Answer(ctx context.Context, p access.Principal, q Query, fresh bool) (*Result, error) {
	if s.opt.DB == nil {
		return s.Run(ctx, p, q)
	}
	c, err := s.compile(ctx, p, q)
	if err != nil {
		return nil, err
	}
	// Checked as a live answer would be: who may see the object, and
	// whether the question makes sense.
	if err := s.eng.CheckAggregation(ctx, p, q.Object, c.a); err != nil {
		return nil, err
	}
	key := s.keyOf(p, q, c)
	if !fresh {
		res, age, err := s.load(ctx, p.WorkspaceID, key)
		if err != nil {
			return nil, err
		}
		switch {
		case res != nil && age < FreshFor:
			return res, nil
		case res != nil && age < StaleFor:
			if err := s.queueRefresh(ctx, p, q, key); err != nil {
				return nil, err
			}
			return res, nil
		}
	}
	return s.work(ctx, p, q, c, key)
}

// work works an answer out live, and keeps it when it took long.
func (s *Service) work(ctx context.Context, p access.Principal, q Query, c *compiled, key string) (*Result, error) {
	start := time.Now() // the real time it takes, whatever the clock says
	res, err := s.run(ctx, p, q, c)
	if err != nil {
		return nil, err
	}
	if took := time.Since(start); took >= s.KeepAfter {
		if err := s.keep(ctx, p, q, key, res, took); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (s *Service) keep(ctx context.Context, p access.Principal, q Query, key string, res *Result, took time.Duration) error {
	at := s.now().UTC().Truncate(time.Microsecond)
	b, err := json.Marshal(kept{Result: res, Order: res.order, Query: q, Role: p.Role, User: p.UserID})
	if err != nil {
		return err
	}
	d := s.opt.DB.Dialect()
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO report_results (workspace_id, key, computed_at, millis, result) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (workspace_id, key) DO UPDATE SET computed_at = excluded.computed_at, millis = excluded.millis, result = excluded.result`,
			p.WorkspaceID, key, d.Time(at), took.Milliseconds(), string(b))
		if err != nil {
			return fmt.Errorf("keep a report's answer: %w", err)
		}
		// Answers of periods gone by are not asked for again.
		_, err = tx.ExecContext(ctx, `DELETE FROM report_results WHERE workspace_id = $1 AND computed_at < $2`, p.WorkspaceID, d.Time(at.Add(-24*time.Hour)))
		return err
	})
}

// load reads a kept answer and its age; nil when there is none.
func (s *Service) load(ctx context.Context, ws, key string) (*Result, time.Duration, error) {
	var at any
	var raw string
	err := s.opt.DB.Reader().QueryRowContext(ctx, `SELECT computed_at, result FROM report_results WHERE workspace_id = $1 AND key = $2`, ws, key).Scan(&at, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var k kept
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	if err := dec.Decode(&k); err != nil {
		return nil, 0, nil // an answer kept in another shape: work it out again
	}
	computed, err := store.ParseTime(at)
	if err != nil {
		return nil, 0, err
	}
	res := k.Result
	res.order = k.Order
	res.AsOf = &computed
	numbers(res.Rows)
	if res.Previous != nil {
		numbers(res.Previous.Rows)
	}
	return res, s.now().Sub(computed), nil
}

// numbers gives the counts and measures read back from JSON the types a
// live answer has: whole numbers int64, others float64.
func numbers(rows [][]any) {
	for _, row := range rows {
		for i, v := range row {
			if n, ok := v.(json.Number); ok {
				if x, err := n.Int64(); err == nil {
					row[i] = x
				} else if f, err := n.Float64(); err == nil {
					row[i] = f
				}
			}
		}
	}
}

// refreshPayload is what a refresh job works out, and as whom.
type refreshPayload struct {
	Key   string      `json:"key"`
	Query Query       `json:"query"`
	User  string      `json:"user"`
	Role  access.Role `json:"role"`
}

// queueRefresh queues the job that works an ageing answer out again;
// views in the same minute queue one job.
func (s *Service) queueRefresh(ctx context.Context, p access.Principal, q Query, key string) error {
	if s.opt.Queue == nil {
		return nil
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		return s.opt.Queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: RefreshJob,
			UniqueKey: fmt.Sprintf("%s:%s:%d", RefreshJob, key, s.now().Unix()/60),
			Payload:   refreshPayload{Key: key, Query: q, User: p.UserID, Role: p.Role}})
	})
}

// refresh works an answer out again, as the user whose view asked.
func (s *Service) refresh(ctx context.Context, j *jobs.Job) error {
	var pl refreshPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	p := access.Principal{WorkspaceID: j.WorkspaceID, UserID: pl.User, Role: pl.Role}
	if res, age, err := s.load(ctx, j.WorkspaceID, pl.Key); err != nil || res != nil && age < FreshFor {
		return err // another refresh got there first
	}
	start := time.Now()
	res, err := s.Run(ctx, p, pl.Query)
	if err != nil {
		return jobs.Permanent(err) // the question no longer runs: the next view says why
	}
	return s.keep(ctx, p, pl.Query, pl.Key, res, time.Since(start))
}
