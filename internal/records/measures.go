package records

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// measure is one compiled Measure: its SQL columns (the first one sorts
// it) and what makes its value of theirs.
type measure struct {
	name  string
	money bool
	cols  []string
	value func(vals []any) (any, error)
	zero  any // its value over no records
}

var measureFns = []string{"count", "count_distinct", "sum", "avg", "min", "max", "percent"}

func (c *aggregation) measure(m Measure) (measure, error) {
	if !slices.Contains(measureFns, m.Fn) {
		return measure{}, fmt.Errorf("fn: want one of %s, not %q", strings.Join(measureFns, ", "), m.Fn)
	}
	if m.Fn == "count" && m.Field == "" {
		return measure{name: "count", cols: []string{"COUNT(*)"}, value: countValue, zero: int64(0)}, nil
	}
	if m.Fn == "percent" {
		return c.percent(m)
	}
	if m.Filter != "" {
		return measure{}, fmt.Errorf("filter: only percent takes one")
	}
	if m.Field == "" {
		return measure{}, fmt.Errorf("field: %s needs a field", m.Fn)
	}
	if to, from, ok := strings.Cut(m.Field, "-"); ok {
		return c.duration(m, to, from)
	}
	alias, f, err := c.field(m.Field)
	if err != nil {
		return measure{}, fmt.Errorf("field: %v", err)
	}
	if alias != "t" && f.Kind == schema.Money {
		return measure{}, fmt.Errorf("field: %q is money of another record, in its currency", m.Field)
	}
	col := filter.Column(c.d, alias, f)
	ms := measure{name: m.Name(), money: f.Kind == schema.Money && m.Fn != "count" && m.Fn != "count_distinct"}
	numeric := f.Kind == schema.Money || f.Kind == schema.Number || f.Kind == schema.Integer
	dated := f.Kind == schema.Date || f.Kind == schema.DateTime
	switch {
	case m.Fn == "count" || m.Fn == "count_distinct":
		if !f.Sortable() {
			return measure{}, fmt.Errorf("field: cannot count the values of %q, a %s", m.Field, f.Kind)
		}
		ms.zero, ms.value = int64(0), countValue
		ms.cols = []string{"COUNT(" + col + ")"}
		if m.Fn == "count_distinct" {
			ms.cols = []string{"COUNT(DISTINCT " + col + ")"}
		}
	case !numeric && !(dated && (m.Fn == "min" || m.Fn == "max")):
		return measure{}, fmt.Errorf("field: cannot %s %q, a %s", m.Fn, m.Field, f.Kind)
	case m.Fn == "min" || m.Fn == "max":
		ms.cols = []string{strings.ToUpper(m.Fn) + "(" + col + ")"}
		read := f
		if f.Custom && f.Kind == schema.DateTime {
			read = &schema.Field{Kind: schema.Text} // custom datetimes are RFC 3339 text
		}
		ms.value = func(vals []any) (any, error) { return fromColumn(read, vals[0]) }
	case m.Fn == "sum" && f.Kind == schema.Money:
		ms.cols, ms.zero = []string{c.moneySum(col)}, "0.00"
		ms.value = func(vals []any) (any, error) { return c.moneyValue(vals[0]), nil }
	case m.Fn == "sum":
		ms.cols, ms.zero = []string{"SUM(" + col + ")"}, any(int64(0))
		if f.Kind == schema.Number {
			ms.zero = float64(0)
		}
		ms.value = func(vals []any) (any, error) {
			if vals[0] == nil {
				return ms.zero, nil
			}
			return fromColumn(f, vals[0])
		}
	case f.Kind == schema.Money: // avg, exact: the sum over the count, to cents
		ms.cols = []string{"AVG(" + col + ")", c.moneySum(col), "COUNT(" + col + ")"}
		ms.value = func(vals []any) (any, error) {
			n, _ := intValue(vals[2])
			if n == 0 {
				return nil, nil
			}
			sum, ok := new(big.Rat).SetString(c.moneyValue(vals[1]))
			if !ok {
				return nil, fmt.Errorf("the sum %v is not a decimal", vals[1])
			}
			return sum.Quo(sum, big.NewRat(n, 1)).FloatString(2), nil
		}
	default: // avg of a number
		ms.cols = []string{"AVG(" + col + ")"}
		number := &schema.Field{Kind: schema.Number}
		ms.value = func(vals []any) (any, error) { return fromColumn(number, vals[0]) }
	}
	return ms, nil
}

// percent compiles the share of the records in a group that match the
// measure's filter, in percent.
func (c *aggregation) percent(m Measure) (measure, error) {
	if m.Field != "" || m.Filter == "" {
		return measure{}, fmt.Errorf("filter: percent takes a filter and no field")
	}
	flt, err := filter.Parse(m.Filter, c.s, c.o)
	if err != nil {
		return measure{}, fmt.Errorf("filter: %v", err)
	}
	var cond string
	cond, c.args = flt.SQL(c.d, "t", c.p.WorkspaceID, c.args)
	number := &schema.Field{Kind: schema.Number}
	return measure{name: m.Name(), cols: []string{"100.0 * SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END) / COUNT(*)"},
		value: func(vals []any) (any, error) {
			v, err := fromColumn(number, vals[0])
			if x, ok := v.(float64); ok {
				return math.Round(x*10) / 10, err // to a tenth of a percent
			}
			return v, err
		}}, nil
}

// duration compiles a measure of the time between two datetimes of a
// record, "solved_at-created_at", in seconds, over the records that have
// both: a ticket's resolution time, a won deal's sales cycle.
func (c *aggregation) duration(m Measure, to, from string) (measure, error) {
	var cols [2]string
	for i, name := range []string{to, from} {
		alias, f, err := c.field(name)
		if err != nil {
			return measure{}, fmt.Errorf("field: %v", err)
		}
		if f.Kind != schema.DateTime {
			return measure{}, fmt.Errorf("field: %q is a %s; a time between two needs datetimes", name, f.Kind)
		}
		cols[i] = filter.Column(c.d, alias, f)
		if f.Custom && c.d == store.Postgres {
			cols[i] = "(" + cols[i] + ")::timestamptz"
		}
	}
	seconds := "EXTRACT(EPOCH FROM (" + cols[0] + " - " + cols[1] + "))"
	if c.d == store.SQLite {
		seconds = "(unixepoch(" + cols[0] + ", 'subsec') - unixepoch(" + cols[1] + ", 'subsec'))"
	}
	ms := measure{name: m.Name(), zero: int64(0)}
	switch m.Fn {
	case "count":
		ms.cols, ms.value = []string{"COUNT(" + seconds + ")"}, countValue
	case "sum":
		ms.cols = []string{"CAST(ROUND(SUM(" + seconds + ")) AS BIGINT)"}
		ms.value = func(vals []any) (any, error) {
			n, _ := intValue(vals[0])
			return n, nil
		}
	case "avg", "min", "max":
		ms.cols, ms.zero = []string{strings.ToUpper(m.Fn) + "(" + seconds + ")"}, nil
		number := &schema.Field{Kind: schema.Number}
		ms.value = func(vals []any) (any, error) {
			v, err := fromColumn(number, vals[0])
			if x, ok := v.(float64); ok {
				return math.Round(x*1000) / 1000, err // to the millisecond
			}
			return v, err
		}
	default:
		return measure{}, fmt.Errorf("fn: cannot %s a time between two datetimes", m.Fn)
	}
	return ms, nil
}

// moneySum adds a money column exactly: PostgreSQL adds numerics; SQLite,
// whose column holds integers and doubles, adds whole ten-thousandths
// (amounts have at most four decimals, and a double holds any amount
// under 900 billion to that precision).
func (c *aggregation) moneySum(col string) string {
	if c.d == store.SQLite {
		return "SUM(CAST(ROUND(" + col + " * 10000) AS INTEGER))"
	}
	return "SUM(" + col + ")"
}

func (c *aggregation) moneyValue(v any) string {
	if v == nil {
		return "0.00"
	}
	if c.d == store.SQLite {
		n, _ := intValue(v)
		return tenThousandths(n)
	}
	return formatMoney(v)
}

func countValue(vals []any) (any, error) {
	n, _ := intValue(vals[0])
	return n, nil
}
