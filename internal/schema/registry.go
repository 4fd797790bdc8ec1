package schema

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// Registry loads workspace schemas and changes them. Loaded schemas are
// cached per workspace and revalidated against the workspace's
// schema_version on every Get, so that all nodes see a change at once.
type Registry struct {
	db    *store.DB
	mu    sync.Mutex
	cache map[string]*Schema
}

// NewRegistry returns a registry over db.
func NewRegistry(db *store.DB) *Registry {
	return &Registry{db: db, cache: map[string]*Schema{}}
}

// snapshot is what one job or one request has read of the schemas: it
// reads a workspace's once and keeps it to the end, so that it neither
// asks the database again for every record it touches nor sees the schema
// change halfway (a change it makes itself it sees at once).
type snapshot struct {
	mu sync.Mutex
	m  map[string]*Schema
}

type snapshotKey struct{}

// Snapshot returns a context in which Get reads each workspace's schema
// once. A job or a request runs in one; other nodes' changes show from
// the next.
func Snapshot(ctx context.Context) context.Context {
	return context.WithValue(ctx, snapshotKey{}, &snapshot{m: map[string]*Schema{}})
}

// Get returns the current schema of workspace ws (as of the snapshot, in
// one).
func (r *Registry) Get(ctx context.Context, ws string) (*Schema, error) {
	snap, _ := ctx.Value(snapshotKey{}).(*snapshot)
	if snap != nil {
		snap.mu.Lock()
		s := snap.m[ws]
		snap.mu.Unlock()
		if s != nil {
			return s, nil
		}
	}
	s, err := r.current(ctx, ws)
	if err == nil && snap != nil {
		snap.mu.Lock()
		snap.m[ws] = s
		snap.mu.Unlock()
	}
	return s, err
}

// current reads the workspace's schema version and returns the schema
// cached for it, loaded afresh when it changed.
func (r *Registry) current(ctx context.Context, ws string) (*Schema, error) {
	var version int
	if err := r.db.Reader().QueryRowContext(ctx, `SELECT schema_version FROM workspaces WHERE id = $1`, ws).Scan(&version); err != nil {
		return nil, fmt.Errorf("load schema version: %w", store.Translate(err))
	}
	r.mu.Lock()
	s := r.cache[ws]
	r.mu.Unlock()
	if s != nil && s.Version == version {
		return s, nil
	}
	s, err := Load(ctx, r.db.Reader(), ws)
	if err != nil {
		return nil, err
	}
	s.Version = version
	r.mu.Lock()
	r.cache[ws] = s
	r.mu.Unlock()
	return s, nil
}

// Load reads a workspace's schema: the built-in objects plus its custom
// objects and fields.
func Load(ctx context.Context, q store.Querier, ws string) (*Schema, error) {
	s := &Schema{objects: map[string]*Object{}}
	for _, o := range builtins() {
		s.objects[o.Name] = o
	}
	rows, err := q.QueryContext(ctx, `SELECT name, label, singular, table_name FROM objects WHERE workspace_id = $1`, ws)
	if err != nil {
		return nil, fmt.Errorf("load objects: %w", err)
	}
	for rows.Next() {
		o := &Object{Custom: true}
		if err := rows.Scan(&o.Name, &o.Label, &o.Singular, &o.Table); err != nil {
			rows.Close()
			return nil, err
		}
		o.Fields = systemFields()
		s.objects[o.Name] = o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT object, name, label, kind, required, is_unique, indexed, options, target
		FROM fields WHERE workspace_id = $1 ORDER BY object, position, name`, ws)
	if err != nil {
		return nil, fmt.Errorf("load fields: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f := &Field{Custom: true}
		var object string
		var options []byte
		if err := rows.Scan(&object, &f.Name, &f.Label, &f.Kind, &f.Required, &f.Unique, &f.Indexed, &options, &f.Target); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(options, &f.Options); err != nil {
			return nil, fmt.Errorf("field %s.%s options: %w", object, f.Name, err)
		}
		f.Searchable = f.Kind == Text || f.Kind == Email || f.Kind == Phone
		if o, ok := s.objects[object]; ok {
			f.Position = len(o.Fields)
			o.Fields = append(o.Fields, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, o := range s.objects {
		if o.Custom && len(o.Title) == 0 {
			o.Title, o.Subtitle = defaultTitle(o)
		}
		o.index()
	}
	return s, nil
}

// defaultTitle picks a custom object's title: a field called name or title,
// else its first text field.
func defaultTitle(o *Object) ([]string, string) {
	var title, sub string
	for _, f := range o.Fields {
		if !f.Custom {
			continue
		}
		if f.Name == "name" || f.Name == "title" {
			title = f.Name
		}
		if title == "" && f.Kind == Text {
			title = f.Name
		}
		if sub == "" && f.Name != title && (f.Kind == Email || f.Kind == Text) {
			sub = f.Name
		}
	}
	if title == "" {
		return []string{"id"}, sub
	}
	return []string{title}, sub
}

// NewField is the input for a custom field.
type NewField struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     Kind     `json:"kind"`
	Options  []string `json:"options"`
	Required bool     `json:"required"`
	Unique   bool     `json:"unique"`
	Indexed  bool     `json:"indexed"`
	Target   string   `json:"target"`
}

func (nf *NewField) check(s *Schema, o *Object, prefix string) []fault.FieldError {
	var errs []fault.FieldError
	bad := func(field, msg string) { errs = append(errs, fault.FieldError{Field: prefix + field, Message: msg}) }
	if !ValidName(nf.Name) {
		bad("name", "must be snake_case: a lower-case letter, then letters, digits or _ (at most 48)")
	} else if _, taken := o.Field(nf.Name); taken {
		bad("name", fmt.Sprintf("%s already has a field %s", o.Name, nf.Name))
	} else if reservedField(nf.Name) {
		bad("name", fmt.Sprintf("%q is reserved", nf.Name))
	}
	if strings.TrimSpace(nf.Label) == "" {
		nf.Label = strings.ReplaceAll(nf.Name, "_", " ")
	}
	if !slices.Contains(CustomKinds, nf.Kind) {
		bad("kind", fmt.Sprintf("must be one of %v", CustomKinds))
	}
	if nf.Kind == Select || nf.Kind == MultiSelect {
		if len(nf.Options) == 0 {
			bad("options", "a select field needs at least one option")
		}
		seen := map[string]bool{}
		for _, opt := range nf.Options {
			if strings.TrimSpace(opt) == "" || seen[opt] {
				bad("options", "options must be non-empty and distinct")
				break
			}
			seen[opt] = true
		}
	} else if len(nf.Options) > 0 {
		bad("options", "only select and multi_select fields take options")
	}
	if nf.Kind == Relation {
		if _, ok := s.Object(nf.Target); !ok && nf.Target != "users" {
			bad("target", fmt.Sprintf("relation target %q is not an object", nf.Target))
		}
	} else if nf.Target != "" {
		bad("target", "only relation fields take a target")
	}
	if nf.Unique && (nf.Kind == MultiSelect || nf.Kind == LongText || nf.Kind == Bool) {
		bad("unique", fmt.Sprintf("a %s field cannot be unique", nf.Kind))
	}
	if nf.Indexed && (nf.Kind == MultiSelect || nf.Kind == LongText) {
		bad("indexed", fmt.Sprintf("a %s field cannot be indexed", nf.Kind))
	}
	return errs
}

// AddField adds a custom field to an object. Required custom fields apply to
// later writes; existing records are not rewritten.
func (r *Registry) AddField(ctx context.Context, ws, object string, nf NewField) (*Field, error) {
	s, err := r.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	o, ok := s.Object(object)
	if !ok {
		return nil, fault.NotFound("no object %q", object)
	}
	if errs := nf.check(s, o, ""); len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := r.insertField(ctx, tx, ws, o, nf, len(o.Fields)); err != nil {
			return err
		}
		return r.bump(ctx, tx, ws)
	})
	if err != nil {
		return nil, err
	}
	s, err = r.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	o, _ = s.Object(object)
	f, _ := o.Field(nf.Name)
	return f, nil
}

// RenameField changes a custom field's label; its name, which the API and
// filters use, stays.
func (r *Registry) RenameField(ctx context.Context, ws, object, name, label string) error {
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 100 {
		return fault.Invalid(fault.FieldError{Field: "label", Message: "is required (at most 100 bytes)"})
	}
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE fields SET label = $4 WHERE workspace_id = $1 AND object = $2 AND name = $3`, ws, object, name, label)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.NotFound("no custom field %s.%s", object, name)
		}
		return r.bump(ctx, tx, ws)
	})
}

// customField finds a custom field of a workspace's object.
func (r *Registry) customField(ctx context.Context, ws, object, name string) (*Object, *Field, error) {
	s, err := r.Get(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	o, ok := s.Object(object)
	if !ok {
		return nil, nil, fault.NotFound("no object %q", object)
	}
	f, ok := o.Field(name)
	if !ok || !f.Custom {
		return nil, nil, fault.NotFound("no custom field %s.%s", object, name)
	}
	return o, f, nil
}

// MoveField moves a custom field to the given place (0 is first) among its
// object's custom fields, which forms, lists and the API show in that
// order. A place past the end moves it last.
func (r *Registry) MoveField(ctx context.Context, ws, object, name string, to int) error {
	o, _, err := r.customField(ctx, ws, object, name)
	if err != nil {
		return err
	}
	var order []string
	for _, f := range o.Fields {
		if f.Custom && f.Name != name {
			order = append(order, f.Name)
		}
	}
	to = min(max(to, 0), len(order))
	order = slices.Insert(order, to, name)
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, n := range order {
			if _, err := tx.ExecContext(ctx, `UPDATE fields SET position = $4 WHERE workspace_id = $1 AND object = $2 AND name = $3`, ws, object, n, i); err != nil {
				return err
			}
		}
		return r.bump(ctx, tx, ws)
	})
}

// DeleteField removes a custom field: from the schema, from every record's
// values in the workspace, and its indexes. The records' events keep the old
// values (the log is history). It rewrites every record of the object in
// one transaction, which is fine to tens of thousands of records; beyond
// that it wants to be a job.
func (r *Registry) DeleteField(ctx context.Context, ws, object, name string) error {
	o, _, err := r.customField(ctx, ws, object, name)
	if err != nil {
		return err
	}
	d := r.db.Dialect()
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM fields WHERE workspace_id = $1 AND object = $2 AND name = $3`, ws, object, name); err != nil {
			return err
		}
		strip := fmt.Sprintf("UPDATE %s SET custom = json_remove(custom, '$.%s') WHERE workspace_id = $1", o.Table, name)
		if d == store.Postgres {
			strip = fmt.Sprintf("UPDATE %s SET custom = custom - '%s' WHERE workspace_id = $1", o.Table, name)
		}
		if _, err := tx.ExecContext(ctx, strip, ws); err != nil {
			return fmt.Errorf("remove %s.%s values: %w", object, name, err)
		}
		if err := r.dropFieldIndexes(ctx, tx, ws, o, name); err != nil {
			return err
		}
		return r.bump(ctx, tx, ws)
	})
}

// dropFieldIndexes drops a custom field's indexes once its row in fields
// is gone: the workspace's unique index, and the plain index that every
// workspace with a field of that name shares when none is left.
func (r *Registry) dropFieldIndexes(ctx context.Context, tx *sql.Tx, ws string, o *Object, name string) error {
	h := sha256.Sum256([]byte(ws))
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("DROP INDEX IF EXISTS %s_%s__%s__key", o.Table, hex.EncodeToString(h[:4]), name)); err != nil {
		return err
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM fields WHERE object = $1 AND name = $2 AND (indexed = $3 OR is_unique = $3)`,
		o.Name, name, r.db.Dialect().Bool(true)).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("DROP INDEX IF EXISTS %s_cf_%s", o.Table, name)); err != nil {
			return err
		}
	}
	return nil
}

// RenameObject changes a custom object's label; its name, which the API,
// filters and URLs use, stays.
func (r *Registry) RenameObject(ctx context.Context, ws, object, label string) error {
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 100 {
		return fault.Invalid(fault.FieldError{Field: "label", Message: "is required (at most 100 bytes)"})
	}
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE objects SET label = $3 WHERE workspace_id = $1 AND name = $2`, ws, object, label)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.NotFound("no custom object %q", object)
		}
		return r.bump(ctx, tx, ws)
	})
}

// DeleteObject removes a custom object from a workspace: its records, its
// fields and their indexes, and the saved views of it. The object's table
// is shared by every workspace with an object of that name and stays. A
// relation field of another object that points at it must go first. The
// event log keeps the records' history.
func (r *Registry) DeleteObject(ctx context.Context, ws, object string) error {
	s, err := r.Get(ctx, ws)
	if err != nil {
		return err
	}
	o, ok := s.Object(object)
	if !ok || !o.Custom {
		return fault.NotFound("no custom object %q", object)
	}
	for _, other := range s.Objects() {
		for _, f := range other.Fields {
			if f.Kind == Relation && f.Target == object && other.Name != object {
				return fault.Conflict("", "%s.%s points at %s: delete that field first", other.Name, f.Name, object)
			}
		}
	}
	d := r.db.Dialect()
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		if d == store.SQLite {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s_fts WHERE rowid IN (SELECT rowid FROM %s WHERE workspace_id = $1)", o.Table, o.Table), ws); err != nil {
				return err
			}
		}
		for _, stmt := range []string{
			fmt.Sprintf("DELETE FROM %s WHERE workspace_id = $1", o.Table),
			`DELETE FROM fields WHERE workspace_id = $1 AND object = $2`,
			`DELETE FROM views WHERE workspace_id = $1 AND object = $2`,
			`DELETE FROM objects WHERE workspace_id = $1 AND name = $2`,
		} {
			args := []any{ws}
			if strings.Contains(stmt, "$2") {
				args = append(args, object)
			}
			if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
				return fmt.Errorf("delete object %s: %w", object, err)
			}
		}
		for _, f := range o.Fields {
			if f.Custom {
				if err := r.dropFieldIndexes(ctx, tx, ws, o, f.Name); err != nil {
					return err
				}
			}
		}
		return r.bump(ctx, tx, ws)
	})
}

func (r *Registry) insertField(ctx context.Context, tx *sql.Tx, ws string, o *Object, nf NewField, pos int) error {
	d := r.db.Dialect()
	options, _ := json.Marshal(nf.Options)
	if nf.Options == nil {
		options = []byte("[]")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO fields (workspace_id, object, name, label, kind, required, is_unique, indexed, options, target, position, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		ws, o.Name, nf.Name, nf.Label, string(nf.Kind), d.Bool(nf.Required), d.Bool(nf.Unique), d.Bool(nf.Indexed),
		string(options), nf.Target, pos, d.Time(time.Now()))
	if err != nil {
		return fmt.Errorf("add field %s.%s: %w", o.Name, nf.Name, err)
	}
	if nf.Unique || nf.Indexed {
		f := &Field{Name: nf.Name, Kind: nf.Kind, Custom: true}
		for _, stmt := range customIndexDDL(d, o.Table, ws, f, nf.Unique) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("index field %s.%s: %w", o.Name, nf.Name, err)
			}
		}
	}
	return nil
}

func (r *Registry) bump(ctx context.Context, tx *sql.Tx, ws string) error {
	if snap, _ := ctx.Value(snapshotKey{}).(*snapshot); snap != nil {
		snap.mu.Lock()
		delete(snap.m, ws) // the change is seen at once where it is made
		snap.mu.Unlock()
	}
	_, err := tx.ExecContext(ctx, `UPDATE workspaces SET schema_version = schema_version + 1 WHERE id = $1`, ws)
	return err
}

// NewObject is the input for a custom object.
type NewObject struct {
	Name     string     `json:"name"`
	Label    string     `json:"label"`
	Singular string     `json:"singular"`
	Fields   []NewField `json:"fields"`
}

// CreateObject creates a custom object with its table and fields.
func (r *Registry) CreateObject(ctx context.Context, ws string, no NewObject) (*Object, error) {
	s, err := r.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	var errs []fault.FieldError
	if !ValidName(no.Name) {
		errs = append(errs, fault.FieldError{Field: "name", Message: "must be snake_case: a lower-case letter, then letters, digits or _ (at most 48)"})
	} else if _, taken := s.Object(no.Name); taken || reservedObject(no.Name) {
		errs = append(errs, fault.FieldError{Field: "name", Message: fmt.Sprintf("an object called %q exists or is reserved", no.Name)})
	}
	if strings.TrimSpace(no.Label) == "" {
		no.Label = no.Name
	}
	if no.Singular == "" {
		no.Singular = strings.TrimSuffix(no.Name, "s")
	} else if !ValidName(no.Singular) {
		errs = append(errs, fault.FieldError{Field: "singular", Message: "must be snake_case"})
	}
	o := &Object{Name: no.Name, Label: no.Label, Singular: no.Singular, Custom: true, Table: "obj_" + no.Name, Fields: systemFields()}
	o.index()
	// A relation may point at the object being created.
	s2 := &Schema{objects: map[string]*Object{no.Name: o}}
	for k, v := range s.objects {
		s2.objects[k] = v
	}
	for i := range no.Fields {
		fe := no.Fields[i].check(s2, o, fmt.Sprintf("fields[%d].", i))
		errs = append(errs, fe...)
		if len(fe) == 0 {
			o.Fields = append(o.Fields, &Field{Name: no.Fields[i].Name})
			o.index()
		}
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	d := r.db.Dialect()
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO objects (workspace_id, name, label, singular, table_name, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			ws, no.Name, no.Label, no.Singular, o.Table, d.Time(time.Now())); err != nil {
			return err
		}
		for _, stmt := range objectTableDDL(d, o.Table) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("create table %s: %w", o.Table, err)
			}
		}
		for i, nf := range no.Fields {
			if err := r.insertField(ctx, tx, ws, o, nf, len(systemFields())+i); err != nil {
				return err
			}
		}
		return r.bump(ctx, tx, ws)
	})
	if err != nil {
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindConflict {
			return nil, fault.Conflict("name", "an object called %q exists", no.Name)
		}
		return nil, err
	}
	s, err = r.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	out, _ := s.Object(no.Name)
	return out, nil
}

// reservedField names mean something else in records, events or webhooks.
func reservedField(name string) bool {
	switch name {
	case "changes", "custom", "deleted_at", "search", "rowid", "workspace_id", "trashed", "total", "data":
		return true
	}
	return false
}

func reservedObject(name string) bool {
	switch name {
	case "deals", "pipelines", "tasks", "activities", "tickets", "products", "quotes", "campaigns", "segments",
		"templates", "automations", "forms", "users", "emails", "schema", "search", "imports", "reports",
		"dashboards", "scoring", "settings", "setup", "login", "logout", "api", "static", "new", "account", "portal", "metrics", "healthz", "readyz", "views", "invite", "bulk":
		return true
	}
	return false
}
