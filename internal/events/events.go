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
	// Encoded is Data as JSON when the caller has encoded it already (a
	// bulk write does that beside its inserts, on another core).
	Encoded []byte `json:"-"`
	// Singular is the object's singular name, for event types
	// (contact.created); not stored.
	Singular string `json:"-"`
	// Record is the record after the change, for hooks; not stored.
	Record map[string]any `json:"-"`
	// Verb names the event in its public type when the timeline's kind
	// would not (deal_stage → deal.stage_changed); not stored.
	Verb string `json:"-"`
}

// Type is the public event type, e.g. contact.created, or with its Verb
// when it has one (a deal's deal_stage event is deal.stage_changed).
func (e *Event) Type() string {
	if e.Verb != "" {
		return e.Singular + "." + e.Verb
	}
	return e.Singular + "." + e.Kind
}

// Hook runs inside the appending transaction for each batch of appended
// events, e.g. to enqueue webhook jobs.
type Hook func(ctx context.Context, tx *sql.Tx, evs []*Event) error

// Log appends and reads events.
type Log struct {
	db    *store.DB
	hooks []Hook
	now   func() time.Time
	ids   ids
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
	return l.AppendMany(ctx, tx, []*Event{ev})
}

// appendBatch is how many events one INSERT statement carries (9
// parameters each, within both engines' limits).
const appendBatch = 500

// appendArrays is how many events at least go to PostgreSQL as one
// statement of arrays (store.Columns): a bulk write's. Fewer, a single
// write's, keep the VALUES statement: they have no batch to gain from.
const appendArrays = 64

// eventColumns are the events table's columns as an append writes them.
var eventColumns = []string{"workspace_id", "id", "at", "actor_id", "object", "record_id", "kind", "summary", "data"}

// AppendMany writes events inside tx in multi-row statements (a bulk
// write's on PostgreSQL in one statement of arrays), then runs the hooks
// once for the whole batch.
func (l *Log) AppendMany(ctx context.Context, tx *sql.Tx, evs []*Event) error {
	data := make([]string, len(evs))
	for i, ev := range evs {
		if ev.At.IsZero() {
			ev.At = l.now().UTC()
		}
		if ev.ID == "" {
			ev.ID = l.ids.next(ev.At)
		}
		if ev.Data == nil {
			ev.Data = map[string]any{}
		}
		b := ev.Encoded
		if b == nil {
			var err error
			if b, err = json.Marshal(ev.Data); err != nil {
				return fmt.Errorf("append event: %w", err)
			}
		}
		data[i] = string(b)
	}
	write := l.appendValues
	if l.db.Dialect() == store.Postgres && len(evs) >= appendArrays {
		write = appendColumns
	}
	if err := write(ctx, tx, evs, data); err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	for _, h := range l.hooks {
		if err := h(ctx, tx, evs); err != nil {
			return err
		}
	}
	return nil
}

// appendValues writes events (data[i] is evs[i]'s, encoded) in statements
// of appendBatch rows.
func (l *Log) appendValues(ctx context.Context, tx *sql.Tx, evs []*Event, data []string) error {
	d := l.db.Dialect()
	for start := 0; start < len(evs); start += appendBatch {
		batch := evs[start:min(start+appendBatch, len(evs))]
		var b strings.Builder
		b.WriteString(`INSERT INTO events (` + strings.Join(eventColumns, ", ") + `) VALUES `)
		args := make([]any, 0, len(batch)*len(eventColumns))
		for i, ev := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := 1; j <= len(eventColumns); j++ {
				if j > 1 {
					b.WriteString(", ")
				}
				b.WriteString(d.Positional(len(args) + j))
			}
			b.WriteString(")")
			args = append(args, ev.WorkspaceID, ev.ID, d.Time(ev.At), ev.ActorID, ev.Object, ev.RecordID, ev.Kind, ev.Summary, data[start+i])
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// appendColumns writes events on PostgreSQL as one statement of arrays.
func appendColumns(ctx context.Context, tx *sql.Tx, evs []*Event, data []string) error {
	cols := store.NewColumns(eventColumns, []string{"text", "text", "timestamptz", "text", "text", "text", "text", "text", "jsonb"}, len(evs))
	for i, ev := range evs {
		cols.Add(ev.WorkspaceID, ev.ID, ev.At, ev.ActorID, ev.Object, ev.RecordID, ev.Kind, ev.Summary, data[i])
	}
	return cols.Insert(ctx, tx, "events")
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
	d := l.db.Dialect()
	args := []any{ws}
	var ors []string
	for _, r := range refs {
		args = append(args, r.Object, r.ID)
		ors = append(ors, fmt.Sprintf("(object = %s AND record_id = %s)", d.Placeholder(len(args)-1), d.Placeholder(len(args))))
	}
	q := `SELECT id, at, actor_id, object, record_id, kind, summary, data FROM events WHERE workspace_id = ` + d.Placeholder(1) + ` AND (` + strings.Join(ors, " OR ") + `)`
	if before != "" {
		args = append(args, before)
		q += " AND id < " + d.Placeholder(len(args))
	}
	args = append(args, limit)
	q += " ORDER BY id DESC LIMIT " + d.Placeholder(len(args))
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

// Scrub empties the data and summary of every event of a record (its
// erasure): what happened stays, what it said goes.
func (l *Log) Scrub(ctx context.Context, tx *sql.Tx, ws string, r Ref) error {
	_, err := tx.ExecContext(ctx, `UPDATE events SET data = '{}', summary = '' WHERE workspace_id = $1 AND object = $2 AND record_id = $3`, ws, r.Object, r.ID)
	if err != nil {
		return fmt.Errorf("scrub events: %w", err)
	}
	return nil
}

// Move gives the events of some records to another record of the same
// object (a merge): the kept record's timeline holds their history.
// It returns the events moved, by the record they came from.
func (l *Log) Move(ctx context.Context, tx *sql.Tx, ws, object string, from []string, to string) (map[string][]string, error) {
	d := l.db.Dialect()
	args := []any{ws, object, to}
	ph := make([]string, len(from))
	for i, id := range from {
		args = append(args, id)
		ph[i] = d.Placeholder(len(args))
	}
	in := `(` + strings.Join(ph, ", ") + `)`
	rows, err := tx.QueryContext(ctx, `SELECT id, record_id FROM events WHERE workspace_id = $1 AND object = $2 AND $3 <> '' AND record_id IN `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("move events: %w", err)
	}
	moved := map[string][]string{}
	for rows.Next() {
		var id, rec string
		if err := rows.Scan(&id, &rec); err != nil {
			rows.Close()
			return nil, err
		}
		moved[rec] = append(moved[rec], id)
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `UPDATE events SET record_id = $3 WHERE workspace_id = $1 AND object = $2 AND record_id IN `+in, args...); err != nil {
		return nil, fmt.Errorf("move events: %w", err)
	}
	return moved, nil
}

// Put gives events back to a record (undoing a move).
func (l *Log) Put(ctx context.Context, tx *sql.Tx, ws string, ids []string, to string) error {
	d := l.db.Dialect()
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := []any{ws, to}
		ph := make([]string, len(part))
		for i, id := range part {
			args = append(args, id)
			ph[i] = d.Placeholder(len(args))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET record_id = $2 WHERE workspace_id = $1 AND id IN (`+strings.Join(ph, ", ")+`)`, args...); err != nil {
			return fmt.Errorf("put events back: %w", err)
		}
	}
	return nil
}

// Linked lists the activities whose link events are on the given records.
func (l *Log) Linked(ctx context.Context, tx *sql.Tx, ws, object string, ids []string) ([]string, error) {
	d := l.db.Dialect()
	args := []any{ws, object}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = d.Placeholder(len(args))
	}
	rows, err := tx.QueryContext(ctx, `SELECT data FROM events WHERE workspace_id = $1 AND object = $2 AND record_id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	seen := map[string]bool{}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var data struct {
			ActivityID string `json:"activity_id"`
		}
		if json.Unmarshal(raw, &data) == nil && data.ActivityID != "" && !seen[data.ActivityID] {
			seen[data.ActivityID] = true
			out = append(out, data.ActivityID)
		}
	}
	return out, rows.Err()
}
