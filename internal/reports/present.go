package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/chart"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Presenter writes a report's answer for people, in their language: as a
// table of headings and cells, and as a chart. The web app, the CSV and
// image exports and the mailed digests all use it.
type Presenter struct {
	L      *i18n.Locale
	Schema *schema.Schema
}

// Table is an answer for reading.
type Table struct {
	Head []string
	// Numeric says which columns hold numbers (right-aligned).
	Numeric []bool
	Rows    [][]Cell
}

// Cell is one value: its text, and the value itself for a CSV.
type Cell struct {
	Text string
	Raw  any
}

// column is what a column of a result holds.
type column struct {
	name    string
	key     bool // a group key (or the currency)
	field   *schema.Field
	bucket  string
	measure string // the measure's function
	m       measureRef
	span    bool // a time between two datetimes, in seconds
	unit    float64
}

func (pr Presenter) columns(q Query, res *Result) []column {
	o, _ := pr.Schema.Object(q.Object)
	keys := len(res.Columns) - len(measuresOf(q))
	out := make([]column, len(res.Columns))
	for i, name := range res.Columns {
		c := column{name: name}
		if i < keys {
			c.key = true
			path, bucket, _ := strings.Cut(name, ":")
			c.bucket = bucket
			if o != nil {
				_, c.field = keyField(pr.Schema, o.Name, path)
			}
		} else {
			m := measuresOf(q)[i-keys]
			c.measure, c.m = m.Fn, m
			if _, _, ok := strings.Cut(m.Field, "-"); ok {
				c.span = true
				c.unit = spanUnit(i, res)
			} else if o != nil && m.Field != "" && m.Fn != "count" && m.Fn != "count_distinct" {
				_, c.field = keyField(pr.Schema, o.Name, m.Field)
			}
		}
		out[i] = c
	}
	return out
}

func measuresOf(q Query) []measureRef {
	if len(q.Measures) == 0 {
		return []measureRef{{Fn: "count"}}
	}
	out := make([]measureRef, len(q.Measures))
	for i, m := range q.Measures {
		out[i] = measureRef{Fn: m.Fn, Field: m.Field, Filter: m.Filter}
	}
	return out
}

type measureRef struct{ Fn, Field, Filter string }

// spanUnit picks the unit that reads best for the times in column i, in
// seconds: minutes under two hours, hours under two days, else days.
func spanUnit(i int, res *Result) float64 {
	most := 0.0
	for _, row := range res.Rows {
		if v, ok := row[i].(float64); ok {
			most = math.Max(most, math.Abs(v))
		}
	}
	switch {
	case most < 2*3600:
		return 60
	case most < 2*86400:
		return 3600
	}
	return 86400
}

// heading names a column: "Stage", "Close date (month)", "Sum of Amount".
func (pr Presenter) heading(q Query, c column) string {
	l := pr.L
	o, _ := pr.Schema.Object(q.Object)
	if c.key {
		label := pr.pathLabel(o, strings.SplitN(c.name, ":", 2)[0])
		if c.bucket != "" {
			return l.T("report.bucket."+c.bucket, label)
		}
		return label
	}
	m := c.m
	switch {
	case m.Fn == "count" && m.Field == "":
		return l.T("report.fn.count_all")
	case m.Fn == "percent":
		return l.T("report.fn.percent", m.Filter)
	case c.span:
		to, from, _ := strings.Cut(m.Field, "-")
		return l.T("report.fn."+m.Fn, l.T("report.span", pr.pathLabel(o, from), pr.pathLabel(o, to)))
	}
	return l.T("report.fn."+m.Fn, pr.pathLabel(o, m.Field))
}

// pathLabel names a field or a related record's field ("Company ›
// Industry").
func (pr Presenter) pathLabel(o *schema.Object, path string) string {
	if o == nil {
		return path
	}
	rel, name, ok := strings.Cut(path, ".")
	if !ok {
		f, _ := o.Field(path)
		if f == nil {
			return path
		}
		return pr.L.FieldLabel(f)
	}
	if via, ok := o.RelationNamed(rel); ok {
		target, _ := pr.Schema.Object(via.Target)
		return pr.L.FieldLabel(via) + " › " + pr.pathLabel(target, name)
	}
	return path
}

// Table writes an answer as a table in the language.
func (pr Presenter) Table(q Query, res *Result) Table {
	cols := pr.columns(q, res)
	t := Table{Head: make([]string, len(cols)), Numeric: make([]bool, len(cols))}
	for i, c := range cols {
		t.Head[i] = pr.heading(q, c)
		t.Numeric[i] = !c.key
	}
	for _, row := range pr.ordered(q, res, cols, res.Rows) {
		cells := make([]Cell, len(row))
		for i, v := range row {
			cells[i] = Cell{Text: pr.text(res, cols, row, i, v), Raw: v}
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// text writes one value of a row.
func (pr Presenter) text(res *Result, cols []column, row []any, i int, v any) string {
	l, c := pr.L, cols[i]
	if v == nil {
		if c.key {
			return l.T("report.none")
		}
		return "—"
	}
	if c.key {
		s := valueText(v)
		if name, ok := res.Labels[c.name][s]; ok {
			return name
		}
		switch {
		case c.bucket == "day":
			return l.Date(s)
		case c.bucket == "week":
			return l.T("report.week_of", l.Date(s))
		case c.field != nil && (c.field.Kind == schema.Select || c.field.Kind == schema.MultiSelect):
			return l.OptionLabel(c.field, s)
		case c.field != nil && c.field.Kind == schema.Bool:
			return l.T("report.bool." + s)
		case c.field != nil && c.field.Kind == schema.Date:
			return l.Date(s)
		}
		return s
	}
	return pr.number(res, cols, row, i, toFloat(v), v)
}

// number writes a measure's value: money with its currency, times in
// their column's unit, shares in percent.
func (pr Presenter) number(res *Result, cols []column, row []any, i int, f float64, raw any) string {
	l, c := pr.L, cols[i]
	switch {
	case c.span:
		return l.T(unitKey(c.unit), l.Decimal(strconv.FormatFloat(math.Round(f/c.unit*10)/10, 'f', -1, 64)))
	case c.measure == "percent":
		return l.T("report.percent", l.Decimal(strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)))
	case c.field != nil && c.field.Kind == schema.Money && c.measure != "count" && c.measure != "count_distinct":
		s, ok := raw.(string)
		if !ok {
			s = strconv.FormatFloat(f, 'f', 2, 64)
		}
		return l.Money(s, currencyOf(res, cols, row))
	case c.field != nil && (c.field.Kind == schema.Date || c.field.Kind == schema.DateTime):
		return valueText(raw)
	}
	if n, ok := raw.(int64); ok {
		return l.Int(n)
	}
	return l.Decimal(strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64))
}

func unitKey(unit float64) string {
	switch unit {
	case 60:
		return "report.unit.minutes"
	case 3600:
		return "report.unit.hours"
	}
	return "report.unit.days"
}

// currencyOf is the currency of a row's money: its currency column's, or
// the result's.
func currencyOf(res *Result, cols []column, row []any) string {
	for i, c := range cols {
		if c.key && c.name == "currency" {
			if s, ok := row[i].(string); ok {
				return s
			}
		}
	}
	return res.Currency
}

func valueText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

func toFloat(v any) float64 {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case float64:
		return t
	case string:
		f, err := strconv.ParseFloat(t, 64)
		if err == nil {
			return f
		}
	}
	return math.NaN()
}

// ordered puts rows in their first key's natural order (a pipeline's
// stages, a select's options), when the report asks for no order of its
// own; rows without a value come last.
func (pr Presenter) ordered(q Query, res *Result, cols []column, rows [][]any) [][]any {
	if q.OrderBy != "" || len(cols) == 0 || !cols[0].key {
		return rows
	}
	rank := pr.rank(res, cols[0])
	if rank == nil {
		return rows
	}
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b []any) int { return rank(a[0]) - rank(b[0]) })
	return out
}

// rank orders a key's values, or is nil when they have no natural order
// beyond the query's.
func (pr Presenter) rank(res *Result, c column) func(any) int {
	var order []string
	switch {
	case res.order[c.name] != nil:
		order = res.order[c.name]
	case c.field != nil && c.bucket == "" && c.field.Kind == schema.Select:
		order = c.field.Options
	default:
		return nil
	}
	return func(v any) int {
		if v == nil {
			return len(order) + 1
		}
		if i := slices.Index(order, valueText(v)); i >= 0 {
			return i
		}
		return len(order)
	}
}

// Chart draws an answer as its report's kind of chart: the first key
// along the axis (a pie's slices, a funnel's steps), the second key (or
// the currency) as series, and the first measure as the values; a KPI is
// the first measure of the first row, against the period before. A
// funnel over a select field counts at each step the records that got
// that far: at the step or a later one.
func (pr Presenter) Chart(q Query, res *Result, kind chart.Kind, title string) chart.Chart {
	cols := pr.columns(q, res)
	keys := 0
	for keys < len(cols) && cols[keys].key {
		keys++
	}
	mi := keys // the charted measure
	c := chart.Chart{Kind: kind, Title: title, Empty: pr.L.T("report.empty"), Previous: math.NaN()}
	rows := pr.ordered(q, res, cols, res.Rows)
	format := func(row []any) func(float64) string {
		return func(f float64) string {
			if cols[mi].span {
				f *= cols[mi].unit
			}
			var raw any = f
			if _, ok := firstNonNil(res.Rows, mi).(int64); ok && f == math.Trunc(f) {
				raw = int64(f)
			}
			return pr.number(res, cols, row, mi, f, raw)
		}
	}
	value := func(row []any) float64 {
		f := toFloat(row[mi])
		if cols[mi].span {
			f /= cols[mi].unit
		}
		return f
	}
	if kind == chart.KPI {
		if len(rows) > 0 {
			c.Series = []chart.Series{{Values: []float64{value(rows[0])}}}
			c.Format = format(rows[0])
		}
		if res.Previous != nil && len(res.Previous.Rows) > 0 && len(res.Previous.Rows[0]) > mi {
			c.Previous = value(res.Previous.Rows[0])
			c.PreviousLabel = pr.L.T("report.previous", pr.L.Date(res.Previous.Period.From.Format("2006-01-02")),
				pr.L.Date(res.Previous.Period.To.AddDate(0, 0, -1).Format("2006-01-02")))
		}
		return c
	}
	if len(rows) > 0 {
		c.Format = format(rows[0])
	}
	if keys == 0 {
		c.Categories = []string{pr.heading(q, cols[mi])}
		c.Series = []chart.Series{{Name: c.Categories[0], Values: []float64{value(rows[0])}}}
		return c
	}
	cat := map[string]int{}
	series := map[string]int{}
	// Over a period, time runs on without gaps: the buckets no record
	// fell in are there, at zero.
	if b := cols[0].bucket; b != "" && res.Period != nil && q.OrderBy == "" && kind != chart.Pie && kind != chart.Donut && kind != chart.Funnel {
		for _, v := range Buckets(b, *res.Period) {
			label := pr.text(res, cols, []any{v}, 0, v)
			cat[label] = len(c.Categories)
			c.Categories = append(c.Categories, label)
		}
	}
	funnel := kind == chart.Funnel && cols[0].field != nil && cols[0].field.Kind == schema.Select
	if funnel {
		rows = slices.DeleteFunc(slices.Clone(rows), func(row []any) bool { return row[0] == nil })
	}
	for _, row := range rows {
		label := pr.text(res, cols, row, 0, row[0])
		if _, ok := cat[label]; !ok {
			cat[label] = len(c.Categories)
			c.Categories = append(c.Categories, label)
		}
		name := pr.heading(q, cols[mi])
		if keys > 1 {
			name = pr.text(res, cols, row, 1, row[1])
		}
		if _, ok := series[name]; !ok {
			series[name] = len(c.Series)
			c.Series = append(c.Series, chart.Series{Name: name})
		}
	}
	for i := range c.Series {
		c.Series[i].Values = make([]float64, len(c.Categories))
	}
	for _, row := range rows {
		name := pr.heading(q, cols[mi])
		if keys > 1 {
			name = pr.text(res, cols, row, 1, row[1])
		}
		s := &c.Series[series[name]]
		i := cat[pr.text(res, cols, row, 0, row[0])]
		s.Values[i] += value(row)
	}
	if funnel {
		for _, s := range c.Series {
			for i := len(s.Values) - 2; i >= 0; i-- {
				s.Values[i] += s.Values[i+1]
			}
		}
	}
	return c
}

// maxBuckets bounds the buckets a chart fills in (a year of days).
const maxBuckets = 400

// Buckets lists the buckets of a span in order, as a grouping by day,
// week, month, quarter or year names them; none past maxBuckets.
func Buckets(bucket string, s Span) []string {
	var out []string
	at := s.From
	switch bucket {
	case "week":
		at = at.AddDate(0, 0, -((int(at.Weekday()) + 6) % 7))
	case "month":
		at = time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, at.Location())
	case "quarter":
		at = time.Date(at.Year(), (at.Month()-1)/3*3+1, 1, 0, 0, 0, 0, at.Location())
	case "year":
		at = time.Date(at.Year(), 1, 1, 0, 0, 0, 0, at.Location())
	}
	for ; at.Before(s.To) && len(out) < maxBuckets; at = step(at, bucket) {
		switch bucket {
		case "day", "week":
			out = append(out, at.Format("2006-01-02"))
		case "month":
			out = append(out, at.Format("2006-01"))
		case "quarter":
			out = append(out, fmt.Sprintf("%d-Q%d", at.Year(), (int(at.Month())+2)/3))
		case "year":
			out = append(out, at.Format("2006"))
		default:
			return nil
		}
	}
	return out
}

func step(t time.Time, bucket string) time.Time {
	switch bucket {
	case "day":
		return t.AddDate(0, 0, 1)
	case "week":
		return t.AddDate(0, 0, 7)
	case "month":
		return t.AddDate(0, 1, 0)
	case "quarter":
		return t.AddDate(0, 3, 0)
	}
	return t.AddDate(1, 0, 0)
}

func firstNonNil(rows [][]any, i int) any {
	for _, row := range rows {
		if row[i] != nil {
			return row[i]
		}
	}
	return nil
}
