// Package views keeps saved list views: a filter, a search and an order
// under a name, for one person or shared with the workspace.
package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store"
)

// View is a saved list view.
type View struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Name    string `json:"name"`
	OwnerID string `json:"owner_id"`
	Shared  bool   `json:"shared"`
	Filter  string `json:"filter"`
	Q       string `json:"q"`
	OrderBy string `json:"order_by"`
	// Columns are the list's columns by field name; empty means the default.
	Columns []string `json:"columns"`
}

// Service stores views.
type Service struct {
	db      *store.DB
	records *records.Engine
	now     func() time.Time
}

// New returns the service.
func New(db *store.DB, eng *records.Engine, now func() time.Time) *Service {
	return &Service{db: db, records: eng, now: now}
}

// List returns the views of an object that p may use: their own and the
// shared ones, by name.
func (s *Service) List(ctx context.Context, p access.Principal, object string) ([]View, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, object, name, owner_id, shared, filter, q, order_by, columns FROM views
		WHERE workspace_id = $1 AND object = $2 AND (owner_id = $3 OR shared = $4) ORDER BY name, id`, p.WorkspaceID, object, p.UserID, s.db.Dialect().Bool(true))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		var v View
		var cols string
		if err := rows.Scan(&v.ID, &v.Object, &v.Name, &v.OwnerID, &v.Shared, &v.Filter, &v.Q, &v.OrderBy, &cols); err != nil {
			return nil, err
		}
		v.Columns = splitColumns(cols)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Get returns one view p may use.
func (s *Service) Get(ctx context.Context, p access.Principal, id string) (*View, error) {
	var v View
	var cols string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, object, name, owner_id, shared, filter, q, order_by, columns FROM views WHERE workspace_id = $1 AND id = $2`,
		p.WorkspaceID, id).Scan(&v.ID, &v.Object, &v.Name, &v.OwnerID, &v.Shared, &v.Filter, &v.Q, &v.OrderBy, &cols)
	v.Columns = splitColumns(cols)
	if err != nil || (!v.Shared && v.OwnerID != p.UserID) {
		return nil, fault.NotFound("no view with id %q", id)
	}
	return &v, nil
}

// Save stores a new view after checking that its query runs. Sharing a view
// with the workspace takes a manager or an admin.
func (s *Service) Save(ctx context.Context, p access.Principal, v View) (*View, error) {
	v.Name = strings.TrimSpace(v.Name)
	if v.Name == "" || len(v.Name) > 100 {
		return nil, fault.Invalid(fault.FieldError{Field: "name", Message: "is required (at most 100 bytes)"})
	}
	if v.Shared && p.Role != access.Admin && p.Role != access.Manager {
		return nil, fault.Forbidden("only managers and admins share views with everyone")
	}
	// The same checks as the list: a view that would not run is not saved.
	if _, err := s.records.List(ctx, p, v.Object, records.Query{Filter: v.Filter, Q: v.Q, OrderBy: v.OrderBy, PageSize: 1}); err != nil {
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindBadRequest {
			return nil, fault.Invalid(fault.FieldError{Field: "filter", Message: fe.Msg})
		}
		return nil, err
	}
	sch, err := s.records.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	o, _ := sch.Object(v.Object)
	for _, c := range v.Columns {
		if _, ok := o.Field(c); !ok {
			return nil, fault.Invalid(fault.FieldError{Field: "columns", Message: fmt.Sprintf("%s has no field %q", v.Object, c)})
		}
	}
	v.ID, v.OwnerID = uuid.Must(uuid.NewV7()).String(), p.UserID
	_, err = s.db.Writer().ExecContext(ctx, `INSERT INTO views (workspace_id, id, object, name, owner_id, shared, filter, q, order_by, columns, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, p.WorkspaceID, v.ID, v.Object, v.Name, v.OwnerID, s.db.Dialect().Bool(v.Shared),
		v.Filter, v.Q, v.OrderBy, strings.Join(v.Columns, ","), s.db.Dialect().Time(s.now()))
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Delete removes a view: its owner, or a manager or admin for shared ones.
func (s *Service) Delete(ctx context.Context, p access.Principal, id string) error {
	v, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if v.OwnerID != p.UserID && p.Role != access.Admin && p.Role != access.Manager {
		return fault.Forbidden("only its owner, a manager or an admin may delete this view")
	}
	_, err = s.db.Writer().ExecContext(ctx, `DELETE FROM views WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id)
	return err
}

func splitColumns(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
