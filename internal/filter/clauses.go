package filter

import (
	"strconv"
	"strings"

	"go.einride.tech/aip/filtering"
	expr "google.golang.org/genproto/googleapis/api/expr/v1alpha1"
)

// Clauses splits a filter into its top-level AND terms, each written back
// as filter text, so that a UI can show them as chips and remove one. It
// returns nil for an empty filter and an error for one that does not parse.
func Clauses(src string) ([]string, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	var p filtering.Parser
	p.Init(src)
	parsed, err := p.Parse()
	if err != nil {
		return nil, parseError(src, err)
	}
	var out []string
	var walk func(e *expr.Expr)
	walk = func(e *expr.Expr) {
		if c := e.GetCallExpr(); c != nil && (c.GetFunction() == filtering.FunctionAnd || c.GetFunction() == fuzzy) {
			for _, a := range c.GetArgs() {
				walk(a)
			}
			return
		}
		out = append(out, unparse(e, true)) // an OR keeps its parentheses, to be joined by AND again
	}
	walk(parsed.GetExpr())
	return out, nil
}

// unparse writes an expression back as filter text.
func unparse(e *expr.Expr, nested bool) string {
	switch k := e.GetExprKind().(type) {
	case *expr.Expr_IdentExpr:
		return k.IdentExpr.GetName()
	case *expr.Expr_SelectExpr:
		return unparse(k.SelectExpr.GetOperand(), true) + "." + k.SelectExpr.GetField()
	case *expr.Expr_ConstExpr:
		switch c := k.ConstExpr.GetConstantKind().(type) {
		case *expr.Constant_StringValue:
			return Quote(c.StringValue)
		case *expr.Constant_Int64Value:
			return strconv.FormatInt(c.Int64Value, 10)
		case *expr.Constant_DoubleValue:
			return strconv.FormatFloat(c.DoubleValue, 'f', -1, 64)
		case *expr.Constant_BoolValue:
			return strconv.FormatBool(c.BoolValue)
		}
	case *expr.Expr_CallExpr:
		args := k.CallExpr.GetArgs()
		switch fn := k.CallExpr.GetFunction(); fn {
		case filtering.FunctionNot:
			return "NOT " + unparse(args[0], true)
		case filtering.FunctionAnd, fuzzy, filtering.FunctionOr:
			word := " AND "
			if fn == filtering.FunctionOr {
				word = " OR "
			}
			s := unparse(args[0], true) + word + unparse(args[1], true)
			if nested {
				return "(" + s + ")"
			}
			return s
		case filtering.FunctionHas:
			return unparse(args[0], true) + ":" + unparse(args[1], true)
		default:
			if len(args) == 2 {
				return unparse(args[0], true) + " " + fn + " " + unparse(args[1], true)
			}
		}
	}
	return ""
}

// Quote writes s as a filter string literal.
func Quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Operator is a comparison a filter builder offers: its text in a filter,
// and a name for the user interface's label of it.
type Operator struct{ Op, Name string }

// Operators are the comparisons a filter builder offers.
var Operators = []Operator{
	{"=", "eq"}, {"!=", "ne"}, {":", "has"}, {">", "gt"}, {"<", "lt"}, {">=", "ge"}, {"<=", "le"},
}
