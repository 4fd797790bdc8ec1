package filter

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/schema"
	"go.einride.tech/aip/filtering"
	expr "google.golang.org/genproto/googleapis/api/expr/v1alpha1"
)

// Related fetches a related record for in-memory evaluation of a filter
// such as company.name = "Acme"; it returns nil when there is none.
type Related func(object, id string) map[string]any

// Match evaluates the filter against one record (clean values as the record
// engine returns them). It agrees with SQL: a comparison with a missing
// value is unknown, and unknown is not a match. A nil filter matches all.
func (f *Filter) Match(rec map[string]any, related Related) bool {
	if f == nil {
		return true
	}
	return f.eval(f.root, rec, related) == yes
}

type tri int8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

func (f *Filter) eval(e *expr.Expr, rec map[string]any, related Related) tri {
	if id := e.GetIdentExpr(); id != nil {
		r := f.refs[e.GetId()]
		b, ok := rec[r.field.Name].(bool)
		if !ok {
			return unknown
		}
		return truth(b)
	}
	call := e.GetCallExpr()
	args := call.GetArgs()
	switch call.GetFunction() {
	case filtering.FunctionAnd, fuzzy:
		a, b := f.eval(args[0], rec, related), f.eval(args[1], rec, related)
		switch {
		case a == no || b == no:
			return no
		case a == unknown || b == unknown:
			return unknown
		}
		return yes
	case filtering.FunctionOr:
		a, b := f.eval(args[0], rec, related), f.eval(args[1], rec, related)
		switch {
		case a == yes || b == yes:
			return yes
		case a == unknown || b == unknown:
			return unknown
		}
		return no
	case filtering.FunctionNot:
		switch f.eval(args[0], rec, related) {
		case yes:
			return no
		case no:
			return yes
		}
		return unknown
	}
	r := f.refs[args[0].GetId()]
	if r.target != nil {
		id, _ := rec[r.field.Name].(string)
		if id == "" || related == nil {
			return unknown
		}
		other := related(r.target.Name, id)
		if other == nil {
			return unknown
		}
		if compareValue(call.GetFunction(), r.relField, other[r.relField.Name], literal(r.relField, args[1])) == yes {
			return yes
		}
		// SQL's IN (subquery) is false, not unknown, when no related row matches.
		return no
	}
	fl := r.field
	v := rec[fl.Name]
	if r.key != "" {
		m, _ := v.(map[string]any)
		v = m[r.key]
		fl = &schema.Field{Kind: schema.Text}
	}
	if call.GetFunction() == filtering.FunctionHas && args[1].GetConstExpr().GetStringValue() == "*" {
		return has(fl, v, "*") // presence, whatever the field's kind (due_at:*)
	}
	return compareValue(call.GetFunction(), fl, v, literal(fl, args[1]))
}

func compareValue(fn string, fl *schema.Field, v, want any) tri {
	if fn == filtering.FunctionHas {
		return has(fl, v, want.(string))
	}
	if v == nil {
		return unknown
	}
	if s, ok := want.(string); ok && strings.Contains(s, "*") && textual(fl) {
		got, ok := v.(string)
		if !ok {
			return unknown
		}
		m := wildcard(s).MatchString(got)
		if fn == filtering.FunctionNotEquals {
			m = !m
		}
		return truth(m)
	}
	c, ok := order(fl, v, want)
	if !ok {
		return unknown
	}
	switch fn {
	case filtering.FunctionEquals:
		return truth(c == 0)
	case filtering.FunctionNotEquals:
		return truth(c != 0)
	case filtering.FunctionLessThan:
		return truth(c < 0)
	case filtering.FunctionLessEquals:
		return truth(c <= 0)
	case filtering.FunctionGreaterThan:
		return truth(c > 0)
	case filtering.FunctionGreaterEquals:
		return truth(c >= 0)
	}
	return unknown
}

// order compares a record value with a literal: -1, 0 or 1.
func order(fl *schema.Field, v, want any) (int, bool) {
	switch w := want.(type) {
	case string:
		s, ok := v.(string)
		return strings.Compare(s, w), ok
	case bool:
		b, ok := v.(bool)
		if !ok {
			return 0, false
		}
		if b == w {
			return 0, true
		}
		return 1, true
	case int64:
		i, ok := v.(int64)
		if !ok {
			return 0, false
		}
		return cmp3(float64(i), float64(w)), true
	case float64:
		x, ok := number(v)
		return cmp3(x, w), ok
	case time.Time:
		t, ok := v.(time.Time)
		if !ok {
			return 0, false
		}
		return t.Compare(w), true
	}
	return 0, false
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case string:
		x, err := strconv.ParseFloat(t, 64)
		return x, err == nil
	}
	return 0, false
}

func cmp3(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func has(fl *schema.Field, v any, s string) tri {
	if fl.List() {
		list, _ := v.([]string)
		if s == "*" {
			return truth(len(list) > 0)
		}
		for _, it := range list {
			if it == s {
				return yes
			}
		}
		return no
	}
	if v == nil {
		if s == "*" {
			return no
		}
		return unknown
	}
	if s == "*" {
		return yes
	}
	if m, ok := v.(map[string]any); ok {
		return truth(m[jsonKey(s)] != nil)
	}
	var text string
	switch t := v.(type) {
	case string:
		text = t
	case int64:
		text = strconv.FormatInt(t, 10)
	case bool:
		return unknown
	default:
		return unknown
	}
	return truth(strings.Contains(asciiLower(text), asciiLower(s)))
}

// wildcard compiles an AIP wildcard to a case-insensitive (ASCII) regexp,
// matching what LIKE does on SQLite and ILIKE on PostgreSQL for ASCII.
func wildcard(s string) *regexp.Regexp {
	parts := strings.Split(s, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?is)^` + strings.Join(parts, ".*") + `$`)
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
