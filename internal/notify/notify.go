// Package notify keeps the notifications users find in the app (the bell):
// reminders now, and whatever else later needs a user's attention. A
// notification is written by a job, in the job's transaction or alone.
package notify

import (
	"context"
	"database/sql"
	"time"

	"github.com/rapport-crm/rapport/internal/store"
)

// Notification is one thing a user is told.
type Notification struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// MaxList bounds a list of notifications.
const MaxList = 100

// Service stores and lists notifications.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the service.
func New(db *store.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// Add tells a user something. The id is the caller's, so that a job run
// again adds nothing twice.
func (s *Service) Add(ctx context.Context, ws, userID string, n Notification) error {
	return s.add(ctx, s.db.Writer(), ws, userID, n)
}

// AddIn is Add inside the caller's transaction.
func (s *Service) AddIn(ctx context.Context, tx *sql.Tx, ws, userID string, n Notification) error {
	return s.add(ctx, tx, ws, userID, n)
}

func (s *Service) add(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, ws, userID string, n Notification) error {
	d := s.db.Dialect()
	_, err := q.ExecContext(ctx, `INSERT INTO notifications (workspace_id, id, user_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (workspace_id, id) DO NOTHING`, ws, n.ID, userID, n.Kind, n.Title, n.Body, n.Link, d.Time(s.now()))
	return err
}

// List returns a user's newest notifications (only the unread ones when
// unread is set), and how many are unread.
func (s *Service) List(ctx context.Context, ws, userID string, unread bool, limit int) ([]Notification, int, error) {
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	query := `SELECT id, kind, title, body, link, created_at, read_at FROM notifications WHERE workspace_id = $1 AND user_id = $2`
	if unread {
		query += ` AND read_at IS NULL`
	}
	rows, err := s.db.Reader().QueryContext(ctx, query+` ORDER BY created_at DESC, id DESC LIMIT $3`, ws, userID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var created, read any
		if err := rows.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &n.Link, &created, &read); err != nil {
			return nil, 0, err
		}
		if n.CreatedAt, err = store.ParseTime(created); err != nil {
			return nil, 0, err
		}
		if read != nil {
			t, err := store.ParseTime(read)
			if err != nil {
				return nil, 0, err
			}
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	n, err := s.Unread(ctx, ws, userID)
	return out, n, err
}

// Unread counts a user's unread notifications (the bell's number).
func (s *Service) Unread(ctx context.Context, ws, userID string) (int, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL`, ws, userID).Scan(&n)
	return n, err
}

// MarkRead marks a user's notifications read: those named, or all.
func (s *Service) MarkRead(ctx context.Context, ws, userID string, ids []string) error {
	now := s.db.Dialect().Time(s.now())
	if len(ids) == 0 {
		_, err := s.db.Writer().ExecContext(ctx, `UPDATE notifications SET read_at = $3 WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL`, ws, userID, now)
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $4 WHERE workspace_id = $1 AND user_id = $2 AND id = $3 AND read_at IS NULL`, ws, userID, id, now); err != nil {
				return err
			}
		}
		return nil
	})
}
