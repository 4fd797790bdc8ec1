// Package filter is Rapport's one filter language: AIP-160 expressions,
// parsed and type-checked by go.einride.tech/aip/filtering against an
// object's schema, then compiled to SQL for either engine or evaluated in
// memory against one record. Both back-ends read the same checked tree and a
// shared test table asserts that they agree.
package filter

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
	"go.einride.tech/aip/filtering"
	expr "google.golang.org/genproto/googleapis/api/expr/v1alpha1"
)

// MaxLength bounds a filter expression; longer ones are refused.
const MaxLength = 4000

// maxDepth bounds nesting, so that a hostile filter cannot exhaust the stack
// or build an enormous SQL statement.
const maxDepth = 64

// Filter is a parsed and checked expression over one object.
type Filter struct {
	src    string
	root   *expr.Expr
	object *schema.Object
	// fields maps each field reference (by expr id) to what it reads.
	refs map[int64]ref
	pos  map[int64]int32 // expr id → byte offset
}

// ref is a resolved field reference: a field of the object, a key inside a
// map field (address.city), or a field of a related record (company.name).
type ref struct {
	field    *schema.Field  // field of the object (for a relation: the relation field)
	key      string         // map key for address/consent
	target   *schema.Object // related object for company.name
	relField *schema.Field  // field of the related object
}

// Parse parses and checks src against object o of schema s. An empty src
// gives a nil *Filter, which matches everything. Errors are fault.BadRequest
// naming the position (column, from 1).
func Parse(src string, s *schema.Schema, o *schema.Object) (*Filter, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if len(src) > MaxLength {
		return nil, fault.BadRequest("filter: longer than %d bytes", MaxLength)
	}
	var p filtering.Parser
	p.Init(src)
	parsed, err := p.Parse()
	if err != nil {
		return nil, parseError(src, err)
	}
	f := &Filter{src: src, root: parsed.GetExpr(), object: o, refs: map[int64]ref{}}
	f.pos = parsed.GetSourceInfo().GetPositions() // expr id → byte offset
	decls, err := declarations(s, o)
	if err != nil {
		return nil, fmt.Errorf("filter declarations for %s: %w", o.Name, err)
	}
	// Our own pass first: it knows the schema and reports positions.
	if err := f.resolve(s, f.root, 0); err != nil {
		return nil, err
	}
	var c filtering.Checker
	c.Init(parsed.GetExpr(), parsed.GetSourceInfo(), decls)
	if _, err := c.Check(); err != nil {
		return nil, fault.BadRequest("filter: %s (at position 1)", checkMessage(err))
	}
	return f, nil
}

// String returns the source expression.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.src
}

func parseError(src string, err error) error {
	var pe interface {
		Position() filtering.Position
		Message() string
	}
	if errors.As(err, &pe) {
		// The innermost error names the real cause.
		inner := err
		for {
			next := errors.Unwrap(inner)
			var ip interface {
				Position() filtering.Position
				Message() string
			}
			if next == nil || !errors.As(next, &ip) {
				break
			}
			inner, pe = next, ip
		}
		return fault.BadRequest("filter: %s at position %d", pe.Message(), pe.Position().Offset+1)
	}
	return fault.BadRequest("filter: %s", firstLine(err.Error()))
}

func checkMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// at formats an error at the position of e.
func (f *Filter) at(e *expr.Expr, format string, a ...any) error {
	return fault.BadRequest("filter: %s at position %d", fmt.Sprintf(format, a...), f.pos[e.GetId()]+1)
}

// declarations tells the aip checker the type of every field reference.
func declarations(s *schema.Schema, o *schema.Object) (*filtering.Declarations, error) {
	opts := []filtering.DeclarationOption{
		filtering.DeclareStandardFunctions(),
		filtering.DeclareFunction(fuzzy, filtering.NewFunctionOverload(fuzzy+"_bool", filtering.TypeBool, filtering.TypeBool, filtering.TypeBool)),
		filtering.DeclareIdent("true", filtering.TypeBool),
		filtering.DeclareIdent("false", filtering.TypeBool),
	}
	for _, f := range o.Fields {
		opts = append(opts, filtering.DeclareIdent(f.Name, aipType(f)))
		if f.Relation != "" {
			if t, ok := s.Object(f.Target); ok {
				for _, tf := range t.Fields {
					if !tf.Keyed() {
						opts = append(opts, filtering.DeclareIdent(f.Relation+"."+tf.Name, aipType(tf)))
					}
				}
			}
		}
	}
	return filtering.NewDeclarations(opts...)
}

const fuzzy = "FUZZY"

func aipType(f *schema.Field) *expr.Type {
	switch f.Kind {
	case schema.Integer:
		return filtering.TypeInt
	case schema.Number, schema.Money:
		return filtering.TypeFloat
	case schema.Bool:
		return filtering.TypeBool
	case schema.DateTime:
		return filtering.TypeTimestamp
	case schema.Tags, schema.MultiSelect, schema.Relations:
		return filtering.TypeList(filtering.TypeString)
	case schema.Address, schema.Consent, schema.Ref:
		return filtering.TypeMap(filtering.TypeString, filtering.TypeString)
	}
	return filtering.TypeString
}

// resolve walks the tree, resolving every field reference against the
// schema and refusing shapes we do not compile, with the position.
func (f *Filter) resolve(s *schema.Schema, e *expr.Expr, depth int) error {
	if depth > maxDepth {
		return f.at(e, "nested deeper than %d levels", maxDepth)
	}
	switch k := e.GetExprKind().(type) {
	case *expr.Expr_ConstExpr:
		return f.at(e, "a bare value is not a condition: compare a field, e.g. name = \"Acme\"")
	case *expr.Expr_IdentExpr:
		fl, ok := f.object.Field(k.IdentExpr.GetName())
		if !ok || fl.Kind != schema.Bool {
			if !ok {
				return f.at(e, "unknown field %q of %s", k.IdentExpr.GetName(), f.object.Name)
			}
			return f.at(e, "field %q is not a condition: compare it, e.g. %s = \"...\"", fl.Name, fl.Name)
		}
		f.refs[e.GetId()] = ref{field: fl}
		return nil
	case *expr.Expr_SelectExpr:
		return f.at(e, "%s is not a condition: compare it with a value", qualified(e))
	case *expr.Expr_CallExpr:
		call := k.CallExpr
		switch call.GetFunction() {
		case filtering.FunctionAnd, filtering.FunctionOr, fuzzy, filtering.FunctionNot:
			for _, a := range call.GetArgs() {
				if err := f.resolve(s, a, depth+1); err != nil {
					return err
				}
			}
			return nil
		case filtering.FunctionEquals, filtering.FunctionNotEquals, filtering.FunctionLessThan, filtering.FunctionLessEquals,
			filtering.FunctionGreaterThan, filtering.FunctionGreaterEquals, filtering.FunctionHas:
			args := call.GetArgs()
			if len(args) != 2 {
				return f.at(e, "comparison needs a field and a value")
			}
			r, err := f.resolveField(s, args[0])
			if err != nil {
				return err
			}
			f.refs[args[0].GetId()] = r
			return f.checkValue(e, call.GetFunction(), r, args[1])
		}
		return f.at(e, "unsupported function %q", call.GetFunction())
	}
	return f.at(e, "unsupported expression")
}

func (f *Filter) resolveField(s *schema.Schema, e *expr.Expr) (ref, error) {
	switch k := e.GetExprKind().(type) {
	case *expr.Expr_IdentExpr:
		fl, ok := f.object.Field(k.IdentExpr.GetName())
		if !ok {
			return ref{}, f.at(e, "unknown field %q of %s", k.IdentExpr.GetName(), f.object.Name)
		}
		if fl.Kind == schema.Refs {
			return ref{}, f.at(e, "%s cannot be filtered: open the related record's timeline instead", fl.Name)
		}
		if fl.Kind == schema.Stages || fl.Kind == schema.LineItems || fl.Kind == schema.Prices {
			return ref{}, f.at(e, "%s cannot be filtered", fl.Name)
		}
		return ref{field: fl}, nil
	case *expr.Expr_SelectExpr:
		op := k.SelectExpr.GetOperand().GetIdentExpr()
		if op == nil {
			return ref{}, f.at(e, "%s: only one level of . is supported", qualified(e))
		}
		name, key := op.GetName(), k.SelectExpr.GetField()
		if fl, ok := f.object.Field(name); ok && fl.Keyed() {
			if !schema.ValidName(key) {
				return ref{}, f.at(e, "%q is not a key of %s", key, name)
			}
			return ref{field: fl, key: key}, nil
		}
		for _, fl := range f.object.Fields {
			if fl.Relation == name && fl.Relation != "" {
				t, ok := s.Object(fl.Target)
				if !ok {
					break
				}
				tf, ok := t.Field(key)
				if !ok || tf.Keyed() {
					return ref{}, f.at(e, "unknown field %q of %s", key, t.Name)
				}
				return ref{field: fl, target: t, relField: tf}, nil
			}
		}
		return ref{}, f.at(e, "unknown field %q of %s", qualified(e), f.object.Name)
	}
	return ref{}, f.at(e, "the left side of a comparison must be a field")
}

// checkValue requires a constant of the field's type on the right.
func (f *Filter) checkValue(call *expr.Expr, fn string, r ref, v *expr.Expr) error {
	fl := r.leaf()
	if r.key != "" {
		fl = &schema.Field{Kind: schema.Text}
	}
	c := v.GetConstExpr()
	if c == nil {
		if id := v.GetIdentExpr(); id != nil && (id.GetName() == "true" || id.GetName() == "false") {
			if fl.Kind != schema.Bool {
				return f.at(v, "%s is not true or false: compare it with a %s value", r.name(), fl.Kind)
			}
			if fn != filtering.FunctionEquals && fn != filtering.FunctionNotEquals {
				return f.at(call, "%s is true or false: use = or !=", r.name())
			}
			return nil
		}
		return f.at(v, "the right side of a comparison must be a value (quote text: \"...\")")
	}
	if fn == filtering.FunctionHas {
		if _, ok := c.GetConstantKind().(*expr.Constant_StringValue); !ok {
			return f.at(v, "%s: the value after : must be text", r.name())
		}
		return nil
	}
	switch fl.Kind {
	case schema.Tags, schema.MultiSelect, schema.Relations:
		return f.at(call, "%s is a list: use %s:%q", r.name(), r.name(), fmt.Sprint(constValue(c)))
	case schema.Address, schema.Consent, schema.Ref:
		return f.at(call, "%s is an object: compare one of its keys, e.g. %s.city = \"Berlin\"", r.name(), r.name())
	case schema.DateTime:
		s, ok := c.GetConstantKind().(*expr.Constant_StringValue)
		if !ok {
			return f.at(v, "%s is a time: compare with a quoted RFC 3339 time", r.name())
		}
		if _, err := time.Parse(time.RFC3339, s.StringValue); err != nil {
			return f.at(v, "%q is not an RFC 3339 time like \"2026-01-01T00:00:00Z\"", s.StringValue)
		}
	case schema.Integer:
		if _, ok := c.GetConstantKind().(*expr.Constant_Int64Value); !ok {
			return f.at(v, "%s is an integer: compare with a whole number", r.name())
		}
	case schema.Number, schema.Money:
		switch c.GetConstantKind().(type) {
		case *expr.Constant_Int64Value, *expr.Constant_DoubleValue:
		default:
			return f.at(v, "%s is a number: compare with a number", r.name())
		}
	case schema.Bool:
		if fn != filtering.FunctionEquals && fn != filtering.FunctionNotEquals {
			return f.at(call, "%s is true or false: use = or !=", r.name())
		}
		return f.at(v, "%s is true or false: compare with true or false", r.name())
	default:
		if _, ok := c.GetConstantKind().(*expr.Constant_StringValue); !ok {
			return f.at(v, "%s is text: quote the value, e.g. %s = \"%v\"", r.name(), r.name(), constValue(c))
		}
	}
	return nil
}

func (r ref) leaf() *schema.Field {
	if r.relField != nil {
		return r.relField
	}
	return r.field
}

func (r ref) name() string {
	switch {
	case r.relField != nil:
		return r.field.Relation + "." + r.relField.Name
	case r.key != "":
		return r.field.Name + "." + r.key
	}
	return r.field.Name
}

func qualified(e *expr.Expr) string {
	if s := e.GetSelectExpr(); s != nil {
		return qualified(s.GetOperand()) + "." + s.GetField()
	}
	if id := e.GetIdentExpr(); id != nil {
		return id.GetName()
	}
	return "expression"
}

func constValue(c *expr.Constant) any {
	switch k := c.GetConstantKind().(type) {
	case *expr.Constant_StringValue:
		return k.StringValue
	case *expr.Constant_Int64Value:
		return k.Int64Value
	case *expr.Constant_DoubleValue:
		return k.DoubleValue
	case *expr.Constant_BoolValue:
		return k.BoolValue
	}
	return nil
}
