// Package events is the one append-only log of everything that happens:
// the audit log, every record's timeline, and the outbox that webhooks and
// later automation read. An event is appended in the transaction of the
// write that causes it.
package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// Event is one entry of the log.
type Event struct {
	ID          string         `json:"id"`
	WorkspaceID string         `json:"-"`
	At          time.Time      `json:"at"`
	Kind        string         `json:"kind"`
	ActorID     *string        `json:"actor_id"`
	Object      string         `json:"object"`
	RecordID    string         `json:"record_id"`
	Summary     string         `json:"summary"`
	Data        map[string]any `json:"data"`
	// Singular is the object's singular name, for event types
	// (contact.created); not stored.
	Singular string `json:"-"`
	// Record is the record after the change, for hooks; not stored.
	Record map[string]any `json:"-"`
}

// Type is the public event type, e.g. contact.created.
func (e *Event) Type() string { return e.Singular + "." + e.Kind }

// Hook runs inside the appending transaction, e.g. to enqueue webhook jobs.
type Hook func(ctx context.Context, tx *sql.Tx, ev *Event) error

// Log appends and reads events.
type Log struct {
	db    *store.DB
	hooks []Hook
	now   func() time.Time
}

// NewLog returns the log over db; now is the clock.
func NewLog(db *store.DB, now func() time.Time) *Log {
	return &Log{db: db, now: now}
}

// OnAppend registers a hook run for every appended event, in its transaction.
// Register hooks at start-up, before serving.
func (l *Log) OnAppend(h Hook) { l.hooks = append(l.hooks, h) }

// Append writes ev inside tx, filling its id and time, then runs the hooks.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, ev *Event) error {
	if ev.ID == "" {
		ev.ID = uuid.Must(uuid.NewV7()).String()
	}
	if ev.At.IsZero() {
		ev.At = l.now().UTC()
	}
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	data, err := json.Marshal(ev.Data)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	d := l.db.Dialect()
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (workspace_id, id, at, actor_id, object, record_id, kind, summary, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ev.WorkspaceID, ev.ID, d.Time(ev.At), ev.ActorID, ev.Object, ev.RecordID, ev.Kind, ev.Summary, string(data)); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	for _, h := range l.hooks {
		if err := h(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// Ref names one record.
type Ref struct {
	Object string `json:"object"`
	ID     string `json:"id"`
}

// Timeline returns the events of the given records, newest first, up to
// limit, starting before the event id before (empty for the newest).
func (l *Log) Timeline(ctx context.Context, ws string, refs []Ref, before string, limit int) ([]Event, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	args := []any{ws}
	var ors []string
	for _, r := range refs {
		args = append(args, r.Object, r.ID)
		ors = append(ors, fmt.Sprintf("(object = %s AND record_id = %s)", store.Placeholder(len(args)-1), store.Placeholder(len(args))))
	}
	q := `SELECT id, at, actor_id, object, record_id, kind, summary, data FROM events WHERE workspace_id = $1 AND (` + strings.Join(ors, " OR ") + `)`
	if before != "" {
		args = append(args, before)
		q += " AND id < " + store.Placeholder(len(args))
	}
	args = append(args, limit)
	q += " ORDER BY id DESC LIMIT " + store.Placeholder(len(args))
	rows, err := l.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		var at store.NullTime
		var data []byte
		var actor sql.NullString
		if err := rows.Scan(&ev.ID, &at, &actor, &ev.Object, &ev.RecordID, &ev.Kind, &ev.Summary, &data); err != nil {
			return nil, err
		}
		ev.At = at.Time
		if actor.Valid {
			ev.ActorID = &actor.String
		}
		if err := json.Unmarshal(data, &ev.Data); err != nil {
			return nil, fmt.Errorf("event %s data: %w", ev.ID, err)
		}
		ev.WorkspaceID = ws
		out = append(out, ev)
	}
	return out, rows.Err()
}

// ValidCursor checks a timeline cursor (an event id).
func ValidCursor(s string) error {
	if s == "" {
		return nil
	}
	if _, err := uuid.Parse(s); err != nil {
		return fault.BadRequest("page_token: not a timeline cursor")
	}
	return nil
}
