// Package records is the one generic record engine: create, read, update,
// trash and restore, list with filter, order and keyset pages, and
// full-text search, for every object the schema describes. Every write
// appends its event in the same transaction.
package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// Record is a record as the API shows it: system fields and every field,
// flat, with clean values (string, int64, float64, bool, time.Time,
// []string, map[string]any, nil).
type Record map[string]any

// ID returns the record's id.
func (r Record) ID() string { s, _ := r["id"].(string); return s }

// Version returns the record's version.
func (r Record) Version() int64 { v, _ := r["version"].(int64); return v }

// Owner returns the record's owner id, or "".
func (r Record) Owner() string { s, _ := r["owner_id"].(string); return s }

// Validator checks a record of one object before it is written, inside the
// transaction tx (what it reads, it reads there: records written earlier
// in the same transaction count); domain packages register them (webhook
// URLs, for example).
type Validator func(ctx context.Context, tx *sql.Tx, p access.Principal, rec Record) error

// Rule keeps a record of one object whole as it is written, inside the
// transaction tx, before the checks and the write: before is the record
// as it was (nil when it is new), after as it is to be. A rule may set
// fields of after that follow from others (a deal's status from its
// stage), refuse the write (field errors), and give events to log after
// the record's own (a deal's stage change). A write that changes nothing
// once the rules have run is no write, and their events are dropped.
type Rule func(ctx context.Context, tx *sql.Tx, p access.Principal, before, after Record) ([]*events.Event, error)

// Engine serves records of every object.
type Engine struct {
	db         *store.DB
	schemas    *schema.Registry
	log        *events.Log
	now        func() time.Time
	validators map[string][]Validator
	rules      map[string][]Rule
	mergers    map[string]Merger
	scopes     map[string]Scoper
}

// Merger moves what an object keeps beside its records (a ticket's
// messages) when records merge, inside the merge's transaction: Merge
// moves it from the duplicates to the kept record and returns what it
// needs to take that back; Unmerge gets that back when the merge is taken
// back.
type Merger interface {
	Merge(ctx context.Context, tx *sql.Tx, ws, keepID string, dupIDs []string) (json.RawMessage, error)
	Unmerge(ctx context.Context, tx *sql.Tx, ws, keepID string, undo json.RawMessage) error
}

// New returns an engine.
func New(db *store.DB, schemas *schema.Registry, log *events.Log, now func() time.Time) *Engine {
	return &Engine{db: db, schemas: schemas, log: log, now: now, validators: map[string][]Validator{}, rules: map[string][]Rule{}, mergers: map[string]Merger{}, scopes: map[string]Scoper{}}
}

// Validate registers a validator for an object. Call at start-up.
func (e *Engine) Validate(object string, v Validator) {
	e.validators[object] = append(e.validators[object], v)
}

// Keep registers a rule for an object. Call at start-up.
func (e *Engine) Keep(object string, r Rule) {
	e.rules[object] = append(e.rules[object], r)
}

// OnMerge registers what moves with an object's records when they merge.
// Call at start-up.
func (e *Engine) OnMerge(object string, m Merger) {
	e.mergers[object] = m
}

// applyRules runs the object's rules on a write and gathers their events.
func (e *Engine) applyRules(ctx context.Context, tx *sql.Tx, p access.Principal, o *schema.Object, before, after Record) ([]*events.Event, error) {
	var out []*events.Event
	for _, r := range e.rules[o.Name] {
		evs, err := r(ctx, tx, p, before, after)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	return out, nil
}

// Schema returns the workspace's schema.
func (e *Engine) Schema(ctx context.Context, ws string) (*schema.Schema, error) {
	return e.schemas.Get(ctx, ws)
}

func (e *Engine) object(ctx context.Context, p access.Principal, name string) (*schema.Schema, *schema.Object, error) {
	s, err := e.schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return nil, nil, err
	}
	o, ok := s.Object(name)
	if !ok {
		return nil, nil, fault.NotFound("no object %q", name)
	}
	if err := access.CanRead(p, name); err != nil {
		return nil, nil, err
	}
	return s, o, nil
}

// columns lists the selected columns of an object's table, in scan order.
func columns(o *schema.Object) []string {
	cols := make([]string, 7, 7+len(o.Fields))
	copy(cols, []string{"id", "created_at", "updated_at", "owner_id", "version", "deleted_at", "custom"})
	for _, f := range o.Fields {
		if !f.Custom && !system(f.Name) {
			cols = append(cols, f.Name)
		}
	}
	return cols
}

func system(name string) bool {
	switch name {
	case "id", "created_at", "updated_at", "owner_id", "version":
		return true
	}
	return false
}

func selectList(o *schema.Object, alias string) string {
	cols := columns(o)
	for i, c := range cols {
		cols[i] = alias + "." + store.QuoteIdent(c)
	}
	return strings.Join(cols, ", ")
}

// scanRecord reads one row selected with selectList.
func scanRecord(o *schema.Object, sc interface{ Scan(...any) error }) (Record, *time.Time, error) {
	sh := shapeOf(o)
	vals := make([]any, len(sh.cols))
	ptrs := make([]any, len(sh.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := sc.Scan(ptrs...); err != nil {
		return nil, nil, err
	}
	rec := make(Record, len(o.Fields)+5)
	deleted, err := sh.fill(rec, vals)
	if err != nil {
		return nil, nil, err
	}
	return rec, deleted, nil
}

// rowShape is how a row of selectList reads: its columns, and the field
// each column holds (nil for the system ones).
type rowShape struct {
	o      *schema.Object
	cols   []string
	fields []*schema.Field
	rest   []string // the fields fill may leave unset: the custom ones
}

func shapeOf(o *schema.Object) *rowShape {
	sh := &rowShape{o: o, cols: columns(o)}
	sh.fields = make([]*schema.Field, len(sh.cols))
	for i, c := range sh.cols {
		sh.fields[i], _ = o.Field(c)
	}
	for _, f := range o.Fields {
		if f.Name == "deleted_at" || f.Name == "custom" || !slices.Contains(sh.cols, f.Name) {
			sh.rest = append(sh.rest, f.Name)
		}
	}
	return sh
}

// fill puts a row's column values into rec, an empty record, and says
// when the row went to the trash.
func (sh *rowShape) fill(rec Record, vals []any) (*time.Time, error) {
	o := sh.o
	var deleted *time.Time
	for i, c := range sh.cols {
		v := vals[i]
		switch c {
		case "id", "owner_id":
			rec[c] = textValue(v)
		case "created_at", "updated_at":
			t, err := store.ParseTime(v)
			if err != nil {
				return nil, err
			}
			rec[c] = t
		case "version":
			n, _ := intValue(v)
			rec[c] = n
		case "deleted_at":
			if v != nil {
				t, err := store.ParseTime(v)
				if err != nil {
					return nil, err
				}
				deleted = &t
			}
		case "custom":
			if err := decodeCustom(o, v, rec); err != nil {
				return nil, err
			}
		default:
			cv, err := fromColumn(sh.fields[i], v)
			if err != nil {
				return nil, fmt.Errorf("read %s.%s: %w", o.Name, c, err)
			}
			rec[c] = cv
		}
	}
	for _, name := range sh.rest {
		if _, ok := rec[name]; !ok {
			rec[name] = nil
		}
	}
	return deleted, nil
}

func textValue(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case []byte:
		return string(t)
	case string:
		return t
	}
	return fmt.Sprint(v)
}

func intValue(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case int32:
		return int64(t), true
	case float64:
		return int64(t), true
	case []byte:
		n, err := strconv.ParseInt(string(t), 10, 64)
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(t, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// fromColumn converts a built-in column value to its clean form.
func fromColumn(f *schema.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Kind {
	case schema.Integer:
		n, _ := intValue(v)
		return n, nil
	case schema.Number:
		switch t := v.(type) {
		case float64:
			return t, nil
		case int64:
			return float64(t), nil
		}
		x, err := strconv.ParseFloat(fmt.Sprint(textValue(v)), 64)
		return x, err
	case schema.Money:
		return formatMoney(v), nil
	case schema.Bool:
		switch t := v.(type) {
		case bool:
			return t, nil
		case int64:
			return t != 0, nil
		}
		return nil, fmt.Errorf("unexpected bool %T", v)
	case schema.DateTime:
		return store.ParseTime(v)
	case schema.Tags, schema.MultiSelect, schema.Relations:
		return stringList(jsonText(v))
	case schema.Address, schema.Consent, schema.Prices, schema.Ref:
		var m map[string]any
		if err := json.Unmarshal(jsonBytes(v), &m); err != nil {
			return nil, err
		}
		return m, nil
	case schema.Refs, schema.Stages, schema.LineItems:
		var refs []map[string]any
		if err := json.Unmarshal(jsonBytes(v), &refs); err != nil {
			return nil, err
		}
		return refs, nil
	case schema.Date:
		if t, ok := v.(time.Time); ok {
			return t.Format("2006-01-02"), nil
		}
	}
	return textValue(v), nil
}

// jsonText is jsonBytes as a string, without a copy when the driver gave
// one.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(jsonBytes(v))
}

func jsonBytes(v any) []byte {
	switch t := v.(type) {
	case []byte:
		return t
	case string:
		return []byte(t)
	}
	b, _ := json.Marshal(v)
	return b
}

// formatMoney renders a stored amount as a decimal string with at least two
// decimals ("12500.00"), whatever the engine returned.
func formatMoney(v any) string {
	var s string
	switch t := v.(type) {
	case int64:
		s = strconv.FormatInt(t, 10)
	case float64:
		s = strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		s = t.String()
	default:
		s = fmt.Sprint(textValue(v))
	}
	return schema.FormatDecimal(s)
}

// decodeCustom reads the custom JSON column into rec.
func decodeCustom(o *schema.Object, v any, rec Record) error {
	b := jsonText(v)
	if len(b) == 0 || b == "{}" || !hasCustom(o) {
		return nil // scanRecord gives every field without a value nil
	}
	m, err := customObject(b)
	if err != nil {
		return fmt.Errorf("custom fields of %s: %w", o.Name, err)
	}
	for _, f := range o.Fields {
		if !f.Custom {
			continue
		}
		raw, ok := m[f.Name]
		if !ok || raw == nil {
			rec[f.Name] = nil
			continue
		}
		rec[f.Name] = fromJSON(f, raw)
	}
	return nil
}

func hasCustom(o *schema.Object) bool {
	for _, f := range o.Fields {
		if f.Custom {
			return true
		}
	}
	return false
}

// fromJSON converts a stored custom value to its clean form.
func fromJSON(f *schema.Field, raw any) any {
	switch f.Kind {
	case schema.Integer:
		if n, ok := raw.(json.Number); ok {
			i, _ := n.Int64()
			return i
		}
	case schema.Number:
		if n, ok := raw.(json.Number); ok {
			x, _ := n.Float64()
			return x
		}
	case schema.Money:
		return formatMoney(raw)
	case schema.DateTime:
		if s, ok := raw.(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				return t.UTC()
			}
		}
	case schema.MultiSelect:
		if list, ok := raw.([]any); ok {
			out := make([]string, 0, len(list))
			for _, it := range list {
				if s, ok := it.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return raw
}

// toJSON converts a clean custom value for the custom JSON column. Money is
// a JSON number so that both engines compare it as a number.
func toJSON(f *schema.Field, v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format(schema.DateTimeLayout)
	case string:
		if f.Kind == schema.Money {
			return json.Number(t)
		}
	}
	return v
}

// toColumn converts a clean built-in value to a column parameter.
func toColumn(d store.Dialect, f *schema.Field, v any) any {
	if v == nil {
		return nil
	}
	switch t := v.(type) {
	case time.Time:
		return d.Time(t)
	case bool:
		return d.Bool(t)
	case []string, map[string]any, []map[string]any:
		b, _ := json.Marshal(t)
		return string(b)
	}
	return v
}

// get loads one record inside q (a transaction when writing).
func (e *Engine) get(ctx context.Context, q store.Querier, ws string, o *schema.Object, id string, forUpdate bool) (Record, *time.Time, error) {
	query := "SELECT " + selectList(o, "t") + " FROM " + store.QuoteIdent(o.Table) + " t WHERE t.workspace_id = $1 AND t.id = $2"
	if forUpdate && e.db.Dialect() == store.Postgres {
		query += " FOR UPDATE"
	}
	rec, deleted, err := scanRecord(o, q.QueryRowContext(ctx, query, ws, id))
	if err == sql.ErrNoRows {
		return nil, nil, fault.NotFound("no %s with id %q", o.Singular, id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s %s: %w", o.Singular, id, err)
	}
	return rec, deleted, nil
}

// Get reads one record; a trashed one only when trashed is true.
func (e *Engine) Get(ctx context.Context, p access.Principal, object, id string, trashed bool) (Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	rec, deleted, err := e.get(ctx, e.db.Reader(), p.WorkspaceID, o, id, false)
	if err != nil {
		return nil, err
	}
	if err := e.visible(ctx, p, o, rec); err != nil {
		return nil, err
	}
	if deleted != nil && !trashed {
		return nil, fault.NotFound("no %s with id %q (it is in the trash)", o.Singular, id)
	}
	return rec, nil
}

// GetIn reads a live record inside tx, for validators: it sees what the
// transaction wrote before.
func (e *Engine) GetIn(ctx context.Context, tx *sql.Tx, p access.Principal, object, id string) (Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	rec, deleted, err := e.get(ctx, tx, p.WorkspaceID, o, id, false)
	if err != nil {
		return nil, err
	}
	if err := e.visible(ctx, p, o, rec); err != nil {
		return nil, err
	}
	if deleted != nil {
		return nil, fault.NotFound("no %s with id %q (it is in the trash)", o.Singular, id)
	}
	return rec, nil
}

// exists reports whether a live record exists, for relation checks.
// GetMany reads live records by id in one query, for pages that show many
// related records; ids it cannot find are left out.
func (e *Engine) GetMany(ctx context.Context, p access.Principal, object string, ids []string) (map[string]Record, error) {
	_, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	out := map[string]Record{}
	if len(ids) == 0 {
		return out, nil
	}
	d := e.db.Dialect()
	args := []any{p.WorkspaceID}
	ph := make([]string, 0, len(ids))
	for _, id := range ids {
		args = append(args, id)
		ph = append(ph, d.Placeholder(len(args)))
	}
	rows, err := e.db.Reader().QueryContext(ctx, "SELECT "+selectList(o, "t")+" FROM "+store.QuoteIdent(o.Table)+" t WHERE t.workspace_id = "+d.Placeholder(1)+
		" AND t.deleted_at IS NULL AND t.id IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", object, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, _, err := scanRecord(o, rows)
		if err != nil {
			return nil, err
		}
		if e.visible(ctx, p, o, rec) == nil {
			out[rec.ID()] = rec
		}
	}
	return out, rows.Err()
}
