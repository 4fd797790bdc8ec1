package records

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// Aggregation asks for measures of an object's records, in groups: the
// question a report puts, compiled to one SQL query.
type Aggregation struct {
	// Filter and Q select the records, as a list's do.
	Filter string
	Q      string
	// GroupBy names up to MaxGroupBy keys: a field ("stage_id"), a date
	// or datetime bucketed ("close_date:month", by day, week, month,
	// quarter or year), or a related record's field ("company.industry").
	GroupBy  []string
	Measures []Measure
	// OrderBy sorts the groups by the result's columns ("sum(amount)
	// desc, owner_id"); by default the groups come in the order of their
	// keys.
	OrderBy string
	// Limit bounds the groups (DefaultGroups when 0, at most MaxGroups).
	Limit int
	// Zone is the time zone whose days bucket datetimes (nil: UTC).
	Zone *time.Location
	// Currency is the currency of money in objects that keep none (a
	// company's revenue): the workspace's.
	Currency string
}

// Measure is one aggregate: count, count_distinct, sum, avg, min or max
// of a field (count needs none), or the percentage of the records that
// match a filter (percent: a win rate is percent of status = "won").
type Measure struct {
	Fn     string `json:"fn"`
	Field  string `json:"field,omitempty"`
	Filter string `json:"filter,omitempty"`
}

// Name is the measure's column in a result: "count", "sum(amount)",
// `percent(status = "won")`.
func (m Measure) Name() string {
	switch {
	case m.Fn == "percent":
		return m.Fn + "(" + m.Filter + ")"
	case m.Field == "":
		return m.Fn
	}
	return m.Fn + "(" + m.Field + ")"
}

// Aggregate is the answer to an Aggregation: the columns, the group keys
// first and then the measures, and one row per group. Money comes as
// decimal strings, exact, and is never added across currencies: when the
// groups hold more than one, a "currency" column follows the keys;
// otherwise Currency names the one.
type Aggregate struct {
	Columns   []string `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Currency  string   `json:"currency,omitempty"`
	Truncated bool     `json:"truncated,omitempty"`
}

// The bounds of an aggregation.
const (
	MaxGroupBy    = 3
	MaxMeasures   = 10
	DefaultGroups = 1000
	MaxGroups     = 10000
)

// Buckets are the spans by which a date groups.
var Buckets = []string{"day", "week", "month", "quarter", "year"}

// Aggregate answers an aggregation over the records of object that p may
// read, with the same filter, search and scope as a list.
func (e *Engine) Aggregate(ctx context.Context, p access.Principal, object string, a Aggregation) (*Aggregate, error) {
	c, err := e.compile(ctx, p, object, &a)
	if err != nil {
		return nil, err
	}
	out, err := c.run(ctx, c.where, c.orderBy, a.Limit)
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", object, err)
	}
	if slices.ContainsFunc(c.measures, func(m measure) bool { return m.money }) {
		out.Currency = a.Currency
	}
	if c.split {
		out.splitCurrencies(len(a.GroupBy))
	}
	if len(a.GroupBy) == 0 && len(out.Rows) == 0 {
		out.Rows = [][]any{c.empty()}
	}
	return out, nil
}

// CheckAggregation reports what is wrong with an aggregation, as
// Aggregate would, without running it: a saved report is checked so.
func (e *Engine) CheckAggregation(ctx context.Context, p access.Principal, object string, a Aggregation) error {
	_, err := e.compile(ctx, p, object, &a)
	return err
}

// compile checks an aggregation and compiles it to SQL, filling in its
// defaults.
func (e *Engine) compile(ctx context.Context, p access.Principal, object string, a *Aggregation) (*aggregation, error) {
	s, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	if len(a.GroupBy) > MaxGroupBy {
		return nil, fault.BadRequest("group_by: at most %d keys", MaxGroupBy)
	}
	if len(a.Measures) == 0 {
		a.Measures = []Measure{{Fn: "count"}}
	}
	if len(a.Measures) > MaxMeasures {
		return nil, fault.BadRequest("measures: at most %d", MaxMeasures)
	}
	if a.Limit == 0 {
		a.Limit = DefaultGroups
	}
	if a.Limit < 1 || a.Limit > MaxGroups {
		return nil, fault.BadRequest("limit: must be 1 to %d", MaxGroups)
	}
	flt, err := e.parseFilter(s, p, o, a.Filter)
	if err != nil {
		return nil, err
	}
	d := e.db.Dialect()
	where, args := e.where(d, p.WorkspaceID, o, flt, Query{Q: a.Q})
	c := &aggregation{e: e, d: d, p: p, s: s, o: o, args: args, joins: map[string]string{}, where: where}
	if a.Zone != nil && a.Zone != time.UTC {
		c.zoneName = a.Zone.String()
	}
	for i, key := range a.GroupBy {
		k, err := c.key(key)
		if err != nil {
			return nil, fault.BadRequest("group_by[%d]: %v", i, err)
		}
		c.keys = append(c.keys, k)
	}
	for i, m := range a.Measures {
		ms, err := c.measure(m)
		if err != nil {
			return nil, fault.BadRequest("measures[%d]: %v", i, err)
		}
		c.measures = append(c.measures, ms)
	}
	c.split = c.currencyKey(*a)
	if c.orderBy, err = c.order(a.OrderBy); err != nil {
		return nil, err
	}
	return c, nil
}

// aggregation compiles one Aggregation.
type aggregation struct {
	e        *Engine
	d        store.Dialect
	p        access.Principal
	s        *schema.Schema
	o        *schema.Object
	args     []any
	zoneName string            // the zone of buckets, "" for UTC
	zone     string            // its placeholder, once a bucket needs it
	joins    map[string]string // relation field → alias
	joinSQL  []string
	keys     []groupKey
	measures []measure
	where    string // the records' condition
	orderBy  string // the groups' ORDER BY
	split    bool   // whether a hidden currency key splits money
}

func (c *aggregation) bind(v any) string {
	c.args = append(c.args, v)
	return c.d.Placeholder(len(c.args))
}

// groupKey is one key of the groups: its column's name, the SQL that
// computes it, and the field that reads its values.
type groupKey struct {
	name string
	sql  string
	read *schema.Field
}

// key compiles a group key: field, field:bucket or relation.field.
func (c *aggregation) key(key string) (groupKey, error) {
	path, bucket, _ := strings.Cut(key, ":")
	alias, f, err := c.field(path)
	if err != nil {
		return groupKey{}, err
	}
	if !f.Sortable() || f.Kind == schema.LineItems {
		return groupKey{}, fmt.Errorf("cannot group by %q, a %s", path, f.Kind)
	}
	col := filter.Column(c.d, alias, f)
	if bucket == "" {
		return groupKey{name: key, sql: col, read: f}, nil
	}
	if f.Kind != schema.Date && f.Kind != schema.DateTime {
		return groupKey{}, fmt.Errorf("%q is a %s; only dates group by %s", path, f.Kind, bucket)
	}
	if !slices.Contains(Buckets, bucket) {
		return groupKey{}, fmt.Errorf("%q: a date groups by %s, not %q", key, strings.Join(Buckets, ", "), bucket)
	}
	return groupKey{name: key, sql: c.bucket(col, f, bucket), read: &schema.Field{Name: key, Kind: schema.Text}}, nil
}

// field finds a field of the object, or of a related record ("company.
// industry"), which the query then joins; p must be able to read both.
func (c *aggregation) field(path string) (string, *schema.Field, error) {
	rel, name, ok := strings.Cut(path, ".")
	if !ok {
		f, ok := c.o.Field(path)
		if !ok {
			return "", nil, fmt.Errorf("%s has no field %q", c.o.Name, path)
		}
		return "t", f, nil
	}
	via, ok := c.o.RelationNamed(rel)
	if !ok {
		return "", nil, fmt.Errorf("%s has no relation %q", c.o.Name, rel)
	}
	target, ok := c.s.Object(via.Target)
	if !ok {
		return "", nil, fmt.Errorf("%s has no object %q", via.Name, via.Target)
	}
	if err := access.CanRead(c.p, target.Name); err != nil {
		return "", nil, err
	}
	f, ok := target.Field(name)
	if !ok {
		return "", nil, fmt.Errorf("%s has no field %q", target.Name, name)
	}
	alias, ok := c.joins[via.Name]
	if !ok {
		alias = "j" + strconv.Itoa(len(c.joins)+1)
		c.joins[via.Name] = alias
		c.joinSQL = append(c.joinSQL, fmt.Sprintf(" LEFT JOIN %s %s ON %s.id = %s AND %s.workspace_id = t.workspace_id AND %s.deleted_at IS NULL",
			store.QuoteIdent(target.Table), alias, alias, filter.Column(c.d, "t", via), alias, alias))
	}
	return alias, f, nil
}

// bucket is the SQL that names the day, week (by its Monday), month,
// quarter or year of a date or datetime column, in the aggregation's
// time zone: "2026-03-05", "2026-03-02", "2026-03", "2026-Q1", "2026".
func (c *aggregation) bucket(col string, f *schema.Field, bucket string) string {
	if f.Kind == schema.DateTime && c.zoneName != "" && c.zone == "" {
		c.zone = c.bind(c.zoneName) // PostgreSQL refuses parameters a statement leaves unused
	}
	if c.d == store.Postgres {
		v := col
		switch {
		case f.Kind == schema.Date && f.Custom:
			v = "(" + col + ")::date"
		case f.Kind == schema.DateTime && f.Custom:
			v = "(" + col + ")::timestamptz"
		}
		if f.Kind == schema.DateTime {
			zone := c.zone
			if zone == "" {
				zone = "'UTC'"
			}
			v = "(" + v + " AT TIME ZONE " + zone + ")"
		}
		switch bucket {
		case "day":
			return "to_char(" + v + ", 'YYYY-MM-DD')"
		case "week":
			return "to_char(date_trunc('week', " + v + "), 'YYYY-MM-DD')"
		case "month":
			return "to_char(" + v + ", 'YYYY-MM')"
		case "quarter":
			return "to_char(" + v + ", 'YYYY-\"Q\"Q')"
		}
		return "to_char(" + v + ", 'YYYY')"
	}
	v := col
	if f.Kind == schema.DateTime && c.zone != "" {
		v = store.LocalTime + "(" + col + ", " + c.zone + ")"
	}
	switch bucket {
	case "day":
		return "substr(" + v + ", 1, 10)"
	case "week":
		return "date(substr(" + v + ", 1, 10), 'weekday 0', '-6 days')"
	case "month":
		return "substr(" + v + ", 1, 7)"
	case "quarter":
		return "substr(" + v + ", 1, 4) || '-Q' || ((CAST(substr(" + v + ", 6, 2) AS INTEGER) + 2) / 3)"
	}
	return "substr(" + v + ", 1, 4)"
}

// currencyKey groups by the records' currency when a measure is money and
// the object keeps a currency of its own that the keys leave out; it
// reports whether it did.
func (c *aggregation) currencyKey(a Aggregation) bool {
	money := slices.ContainsFunc(c.measures, func(m measure) bool { return m.money })
	f, ok := c.o.Field("currency")
	if !money || !ok || f.Custom || slices.Contains(a.GroupBy, "currency") {
		return false
	}
	cur := c.bind(a.Currency)
	if c.d == store.Postgres {
		cur = "CAST(" + cur + " AS TEXT)" // else PostgreSQL cannot tell its type
	}
	c.keys = append(c.keys, groupKey{name: "currency", sql: "COALESCE(t.currency, " + cur + ")", read: f})
	return true
}

// order compiles an order_by over the result's columns to ORDER BY
// positions; groups come by their keys when it is empty.
func (c *aggregation) order(orderBy string) (string, error) {
	positions := map[string]int{}
	n := 0
	for _, k := range c.keys {
		n++
		positions[k.name] = n
	}
	for _, m := range c.measures {
		positions[m.name] = n + 1
		n += len(m.cols)
	}
	var terms []string
	if strings.TrimSpace(orderBy) != "" {
		for i, part := range strings.Split(orderBy, ",") {
			words := strings.Fields(part)
			desc := len(words) == 2 && strings.EqualFold(words[1], "desc")
			if len(words) == 0 || len(words) > 2 || len(words) == 2 && !desc && !strings.EqualFold(words[1], "asc") {
				return "", fault.BadRequest("order_by: term %d %q: want \"column\" or \"column desc\"", i+1, strings.TrimSpace(part))
			}
			pos, ok := positions[words[0]]
			if !ok {
				return "", fault.BadRequest("order_by: term %d: %q is not a column of the result", i+1, words[0])
			}
			terms = append(terms, c.orderTerm(pos, desc))
		}
	}
	for i := range c.keys {
		terms = append(terms, c.orderTerm(i+1, false))
	}
	if len(terms) == 0 {
		return "", nil
	}
	return " ORDER BY " + strings.Join(terms, ", "), nil
}

// orderTerm sorts by a position, NULLs as the smallest value on both
// engines.
func (c *aggregation) orderTerm(pos int, desc bool) string {
	t := strconv.Itoa(pos)
	switch {
	case c.d == store.SQLite && desc:
		return t + " DESC"
	case c.d == store.SQLite:
		return t
	case desc:
		return t + " DESC NULLS LAST"
	}
	return t + " NULLS FIRST"
}

// run reads the groups, at most limit of them.
func (c *aggregation) run(ctx context.Context, where, order string, limit int) (*Aggregate, error) {
	var sel, group []string
	for i, k := range c.keys {
		sel = append(sel, k.sql)
		group = append(group, strconv.Itoa(i+1))
	}
	for _, m := range c.measures {
		sel = append(sel, m.cols...)
	}
	query := "SELECT " + strings.Join(sel, ", ") + " FROM " + store.QuoteIdent(c.o.Table) + " t" + strings.Join(c.joinSQL, "") + " WHERE " + where
	if len(group) > 0 {
		query += " GROUP BY " + strings.Join(group, ", ")
	}
	query += order + " LIMIT " + strconv.Itoa(limit+1)
	var q store.Querier = c.e.db.Reader()
	if c.d == store.Postgres {
		// Planned for its parameters, the statement scans the table in
		// parallel (a year of a million deals: 0.23 s); the generic plan
		// a prepared statement falls back to walks an index to the rows
		// one by one (1.4 s).
		tx, err := c.e.db.ReadTx(ctx)
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan"); err != nil {
			return nil, err
		}
		q = tx
	}
	rows, err := q.QueryContext(ctx, query, c.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &Aggregate{Rows: [][]any{}}
	for _, k := range c.keys {
		out.Columns = append(out.Columns, k.name)
	}
	for _, m := range c.measures {
		out.Columns = append(out.Columns, m.name)
	}
	for rows.Next() {
		if len(out.Rows) == limit {
			out.Truncated = true
			break
		}
		vals := make([]any, len(sel))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, 0, len(c.keys)+len(c.measures))
		for i, k := range c.keys {
			v, err := fromColumn(k.read, vals[i])
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		at := len(c.keys)
		for _, m := range c.measures {
			v, err := m.value(vals[at : at+len(m.cols)])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.name, err)
			}
			row = append(row, v)
			at += len(m.cols)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, rows.Err()
}

// empty is the row of measures over no records.
func (c *aggregation) empty() []any {
	row := make([]any, len(c.measures))
	for i, m := range c.measures {
		row[i] = m.zero
	}
	return row
}

// splitCurrencies settles the currency key that follows the n asked keys:
// with one currency among the rows it leaves and names the result's
// currency; with several it stays as a column.
func (a *Aggregate) splitCurrencies(n int) {
	seen := map[any]bool{}
	for _, row := range a.Rows {
		seen[row[n]] = true
	}
	if len(seen) > 1 {
		a.Currency = ""
		return
	}
	for cur := range seen {
		a.Currency, _ = cur.(string)
	}
	a.Columns = slices.Delete(a.Columns, n, n+1)
	for i, row := range a.Rows {
		a.Rows[i] = slices.Delete(row, n, n+1)
	}
}
