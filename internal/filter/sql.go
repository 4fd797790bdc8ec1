package filter

import (
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
	"go.einride.tech/aip/filtering"
	expr "google.golang.org/genproto/googleapis/api/expr/v1alpha1"
)

// Column returns the SQL expression that reads field f of the table aliased
// alias: a real column for built-in fields, a JSON expression for custom ones.
func Column(d store.Dialect, alias string, f *schema.Field) string {
	if f.Custom {
		return schema.CustomExpr(d, alias, f)
	}
	return alias + "." + store.QuoteIdent(f.Name)
}

// Bind converts a clean field value to the parameter that compares with
// Column on the engine.
func Bind(d store.Dialect, f *schema.Field, v any) any {
	switch t := v.(type) {
	case time.Time:
		if f.Custom {
			return t.UTC().Format(schema.DateTimeLayout)
		}
		return d.Time(t)
	case bool:
		return d.Bool(t)
	}
	return v
}

// compiler carries the state of one compilation.
type compiler struct {
	d    store.Dialect
	ws   string
	args []any
}

func (c *compiler) bind(v any) string {
	c.args = append(c.args, v)
	return c.d.Placeholder(len(c.args))
}

// SQL compiles the filter to a boolean SQL expression over the table
// aliased alias, in workspace ws. Parameters continue after args and the
// extended list is returned. A nil filter compiles to TRUE.
func (f *Filter) SQL(d store.Dialect, alias, ws string, args []any) (string, []any) {
	if f == nil {
		return "1=1", args
	}
	c := &compiler{d: d, ws: ws, args: args}
	return c.node(f, f.root, alias), c.args
}

func (c *compiler) node(f *Filter, e *expr.Expr, alias string) string {
	if id := e.GetIdentExpr(); id != nil { // a bare bool field
		r := f.refs[e.GetId()]
		return fmt.Sprintf("(%s = %s)", Column(c.d, alias, r.field), c.bind(Bind(c.d, r.field, true)))
	}
	call := e.GetCallExpr()
	args := call.GetArgs()
	switch call.GetFunction() {
	case filtering.FunctionAnd, fuzzy:
		return "(" + c.node(f, args[0], alias) + " AND " + c.node(f, args[1], alias) + ")"
	case filtering.FunctionOr:
		return "(" + c.node(f, args[0], alias) + " OR " + c.node(f, args[1], alias) + ")"
	case filtering.FunctionNot:
		return "(NOT " + c.node(f, args[0], alias) + ")"
	}
	r := f.refs[args[0].GetId()]
	if r.target != nil {
		// A related record's field: the relation id must be among the
		// related records that satisfy the comparison.
		sub := "r" + fmt.Sprint(e.GetId())
		cond := c.compare(call.GetFunction(), ref{field: r.relField}, args[1], sub)
		return fmt.Sprintf("(%s IN (SELECT %s.id FROM %s %s WHERE %s.workspace_id = %s AND %s.deleted_at IS NULL AND %s))",
			Column(c.d, alias, r.field), sub, store.QuoteIdent(r.target.Table), sub, sub, c.bind(c.ws), sub, cond)
	}
	return c.compare(call.GetFunction(), r, args[1], alias)
}

func (c *compiler) compare(fn string, r ref, v *expr.Expr, alias string) string {
	fl := r.field
	col := Column(c.d, alias, fl)
	if r.key != "" {
		if c.d == store.SQLite {
			col = fmt.Sprintf("json_extract(%s, '$.%s')", col, r.key)
		} else {
			col = fmt.Sprintf("(%s->>'%s')", col, r.key)
		}
		fl = &schema.Field{Kind: schema.Text, Custom: true}
	}
	if fn == filtering.FunctionHas && v.GetConstExpr().GetStringValue() == "*" {
		return c.has(fl, r, col, alias, "*") // presence, whatever the field's kind (due_at:*)
	}
	val := literal(fl, v)
	if fn == filtering.FunctionHas {
		s, _ := val.(string)
		return c.has(fl, r, col, alias, s)
	}
	if s, ok := val.(string); ok && strings.Contains(s, "*") && textual(fl) {
		op := "LIKE"
		if c.d == store.Postgres {
			op = "ILIKE"
		}
		not := ""
		if fn == filtering.FunctionNotEquals {
			not = "NOT "
		}
		return fmt.Sprintf("(%s %s%s %s ESCAPE '\\')", col, not, op, c.bind(likePattern(s)))
	}
	return fmt.Sprintf("(%s %s %s)", col, fn, c.bind(Bind(c.d, fl, val)))
}

func (c *compiler) has(fl *schema.Field, r ref, col, alias, s string) string {
	if s == "*" {
		if fl.List() {
			if c.d == store.SQLite {
				return fmt.Sprintf("(COALESCE(json_array_length(%s), 0) > 0)", col)
			}
			return fmt.Sprintf("(COALESCE(jsonb_array_length(%s), 0) > 0)", listColumn(c.d, alias, fl))
		}
		return fmt.Sprintf("(%s IS NOT NULL)", col)
	}
	switch {
	case fl.List():
		if c.d == store.SQLite {
			src := col
			if fl.Custom {
				src = fmt.Sprintf("%s.custom, '$.%s'", alias, fl.Name)
			}
			return fmt.Sprintf("(EXISTS (SELECT 1 FROM json_each(%s) WHERE value = %s))", src, c.bind(s))
		}
		// COALESCE: an absent list has no items (as EXISTS over json_each says).
		return fmt.Sprintf("(COALESCE(%s @> jsonb_build_array(%s::text), FALSE))", listColumn(c.d, alias, fl), c.bind(s))
	case fl.Keyed():
		if c.d == store.SQLite {
			return fmt.Sprintf("(json_extract(%s, '$.%s') IS NOT NULL)", col, jsonKey(s))
		}
		return fmt.Sprintf("((%s->>'%s') IS NOT NULL)", col, jsonKey(s))
	}
	op := "LIKE"
	if c.d == store.Postgres {
		op = "ILIKE"
	}
	target := col
	if !textual(fl) {
		target = "CAST(" + col + " AS TEXT)"
	}
	return fmt.Sprintf("(%s %s %s ESCAPE '\\')", target, op, c.bind("%"+escapeLike(s)+"%"))
}

// listColumn is a list field as JSONB on PostgreSQL.
func listColumn(d store.Dialect, alias string, fl *schema.Field) string {
	if fl.Custom {
		return fmt.Sprintf("(%s.custom->'%s')", alias, fl.Name)
	}
	return alias + "." + store.QuoteIdent(fl.Name)
}

// jsonKey keeps a map key safe to inline in a JSON path.
func jsonKey(s string) string {
	if schema.ValidName(s) {
		return s
	}
	return "_invalid_"
}

func textual(f *schema.Field) bool {
	switch f.Kind {
	case schema.Text, schema.LongText, schema.Email, schema.Phone, schema.URL, schema.Select, schema.Relation, schema.ID, schema.Date:
		return true
	}
	return false
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// likePattern turns an AIP wildcard value (* matches anything) into LIKE.
func likePattern(s string) string {
	parts := strings.Split(s, "*")
	for i, p := range parts {
		parts[i] = escapeLike(p)
	}
	return strings.Join(parts, "%")
}

// literal converts the right side of a comparison to a clean value of the
// field's kind (checked already by resolve).
func literal(f *schema.Field, e *expr.Expr) any {
	if id := e.GetIdentExpr(); id != nil {
		return id.GetName() == "true"
	}
	v := constValue(e.GetConstExpr())
	switch f.Kind {
	case schema.DateTime:
		t, _ := time.Parse(time.RFC3339, v.(string))
		return t.UTC()
	case schema.Number, schema.Money:
		if i, ok := v.(int64); ok {
			return float64(i)
		}
	case schema.Email:
		if s, ok := v.(string); ok {
			return strings.ToLower(strings.TrimSpace(s))
		}
	}
	if s, ok := v.(string); ok && f.Lower {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return v
}
