package records

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// Query is a list request.
type Query struct {
	Filter    string
	OrderBy   string
	PageSize  int
	PageToken string
	Q         string
	Count     bool
	// CountLimit, when set, stops counting there: Total is then at most
	// CountLimit and TotalCapped says the real number is larger. Exact
	// counts of large matches are slow on every engine.
	CountLimit int
	Trashed    bool
}

// Page is one page of a list.
type Page struct {
	Data          []Record `json:"data"`
	NextPageToken string   `json:"next_page_token"`
	Total         *int64   `json:"total,omitempty"`
	TotalCapped   bool     `json:"total_capped,omitempty"`
}

// MaxPageSize bounds page_size.
const MaxPageSize = 500

// sortKey is one ORDER BY term.
type sortKey struct {
	field *schema.Field
	desc  bool
}

// parseOrder reads an AIP-132 order_by: "field [asc|desc], ...". The id
// is always the final tie-breaker, in the direction of the last field.
func parseOrder(o *schema.Object, s string) ([]sortKey, error) {
	if strings.TrimSpace(s) == "" {
		s = "created_at desc"
	}
	var keys []sortKey
	for i, part := range strings.Split(s, ",") {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return nil, fault.BadRequest("order_by: term %d %q: want \"field\" or \"field desc\"", i+1, strings.TrimSpace(part))
		}
		f, ok := o.Field(words[0])
		if !ok {
			return nil, fault.BadRequest("order_by: unknown field %q of %s", words[0], o.Name)
		}
		if !f.Sortable() {
			return nil, fault.BadRequest("order_by: field %q cannot be sorted", words[0])
		}
		desc := false
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				desc = true
			default:
				return nil, fault.BadRequest("order_by: term %d: direction must be asc or desc, not %q", i+1, words[1])
			}
		}
		if len(keys) >= 3 && f.Name != "id" {
			return nil, fault.BadRequest("order_by: at most three fields")
		}
		keys = append(keys, sortKey{field: f, desc: desc})
		if f.Name == "id" {
			return keys, nil
		}
	}
	idf, _ := o.Field("id")
	return append(keys, sortKey{field: idf, desc: keys[len(keys)-1].desc}), nil
}

// nullable reports whether a sort column may hold NULL.
func nullable(f *schema.Field) bool {
	switch f.Name {
	case "id", "created_at", "updated_at", "version", "score", rowidKey:
		return false
	}
	return !(f.Kind == schema.Bool && !f.Custom)
}

func orderSQL(d store.Dialect, keys []sortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		dir := "ASC"
		if k.desc {
			dir = "DESC"
		}
		// NULLs sort as the smallest value on both engines.
		nulls := ""
		if nullable(k.field) && d == store.Postgres {
			nulls = map[bool]string{false: " NULLS FIRST", true: " NULLS LAST"}[k.desc]
		}
		parts[i] = filter.Column(d, "t", k.field) + " " + dir + nulls
	}
	return strings.Join(parts, ", ")
}

// keysetSQL is the condition "after the cursor" for the sort keys.
func keysetSQL(d store.Dialect, keys []sortKey, cursor []any, args []any) (string, []any) {
	simple := true
	for _, k := range keys {
		if nullable(k.field) || k.desc != keys[0].desc {
			simple = false
		}
	}
	if simple {
		// A row-value comparison lets both engines seek the index.
		cols := make([]string, len(keys))
		ph := make([]string, len(keys))
		for i, k := range keys {
			cols[i] = filter.Column(d, "t", k.field)
			args = append(args, filter.Bind(d, k.field, cursor[i]))
			ph[i] = d.Placeholder(len(args))
		}
		op := ">"
		if keys[0].desc {
			op = "<"
		}
		return "(" + strings.Join(cols, ", ") + ") " + op + " (" + strings.Join(ph, ", ") + ")", args
	}
	var ors []string
	for i := range keys {
		if cursor[i] == nil && keys[i].desc {
			continue // nothing sorts below NULL
		}
		var ands []string
		for j := 0; j < i; j++ {
			col := filter.Column(d, "t", keys[j].field)
			if cursor[j] == nil {
				ands = append(ands, col+" IS NULL")
			} else {
				args = append(args, filter.Bind(d, keys[j].field, cursor[j]))
				ands = append(ands, col+" = "+d.Placeholder(len(args)))
			}
		}
		col := filter.Column(d, "t", keys[i].field)
		v := cursor[i]
		switch {
		case v == nil && !keys[i].desc:
			ands = append(ands, col+" IS NOT NULL") // NULLs come first ascending
		default:
			args = append(args, filter.Bind(d, keys[i].field, v))
			op := ">"
			if keys[i].desc {
				op = "<"
			}
			cond := col + " " + op + " " + d.Placeholder(len(args))
			if keys[i].desc && nullable(keys[i].field) {
				cond = "(" + cond + " OR " + col + " IS NULL)"
			}
			ands = append(ands, cond)
		}
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	if len(ors) == 0 {
		return "1=0", args
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// List returns one page of records.
func (e *Engine) List(ctx context.Context, p access.Principal, object string, q Query) (*Page, error) {
	s, o, err := e.object(ctx, p, object)
	if err != nil {
		return nil, err
	}
	if q.PageSize == 0 {
		q.PageSize = 50
	}
	if q.PageSize < 1 || q.PageSize > MaxPageSize {
		return nil, fault.BadRequest("page_size: must be 1 to %d", MaxPageSize)
	}
	flt, err := e.parseFilter(s, p, o, q.Filter)
	if err != nil {
		return nil, err
	}
	d := e.db.Dialect()
	if d == store.SQLite && strings.TrimSpace(q.OrderBy) == "" && len(searchWords(q.Q)) > 0 {
		return e.searchList(ctx, p.WorkspaceID, o, flt, q)
	}
	keys, err := parseOrder(o, q.OrderBy)
	if err != nil {
		return nil, err
	}
	shape := queryShape(object, q, keys)
	var cursor []any
	if q.PageToken != "" {
		cursor, err = decodeToken(q.PageToken, shape, keys)
		if err != nil {
			return nil, err
		}
	}
	where, args := e.where(d, p.WorkspaceID, o, flt, q)
	page := &Page{Data: []Record{}}
	// The count runs beside the page's query, on a reader connection of
	// its own: on a large match it takes longer than the page.
	var counted sync.WaitGroup
	var countErr error
	if q.Count {
		query := "SELECT COUNT(*) FROM " + store.QuoteIdent(o.Table) + " t WHERE " + where
		if q.CountLimit > 0 {
			query = "SELECT COUNT(*) FROM (SELECT 1 FROM " + store.QuoteIdent(o.Table) + " t WHERE " + where + " LIMIT " + strconv.Itoa(q.CountLimit+1) + ") c"
		}
		countArgs := slices.Clone(args)
		counted.Add(1)
		go func() {
			defer counted.Done()
			var n int64
			if err := e.db.Reader().QueryRowContext(ctx, query, countArgs...).Scan(&n); err != nil {
				countErr = fmt.Errorf("count %s: %w", object, err)
				return
			}
			if q.CountLimit > 0 && n > int64(q.CountLimit) {
				n, page.TotalCapped = int64(q.CountLimit), true
			}
			page.Total = &n
		}()
	}
	defer counted.Wait() // on every return: the count may not outlive the call
	data, next, err := e.listPage(ctx, o, d, keys, shape, cursor, where, args, q.PageSize)
	counted.Wait()
	if err != nil {
		return nil, err
	}
	if countErr != nil {
		return nil, countErr
	}
	page.Data, page.NextPageToken = data, next
	return page, nil
}

// listPage reads one page of a list: at most size records after the
// cursor, and the token of the next page when there is one.
func (e *Engine) listPage(ctx context.Context, o *schema.Object, d store.Dialect, keys []sortKey, shape string, cursor []any, where string, args []any, size int) ([]Record, string, error) {
	data := []Record{}
	if cursor != nil {
		var ks string
		ks, args = keysetSQL(d, keys, cursor, args)
		where += " AND " + ks
	}
	args = append(args, size+1)
	query := "SELECT " + selectList(o, "t") + " FROM " + store.QuoteIdent(o.Table) + " t WHERE " + where +
		" ORDER BY " + orderSQL(d, keys) + " LIMIT " + d.Placeholder(len(args))
	rows, err := e.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", o.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, _, err := scanRecord(o, rows)
		if err != nil {
			return nil, "", err
		}
		data = append(data, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list %s: %w", o.Name, err)
	}
	next := ""
	if len(data) > size {
		data = data[:size]
		next = encodeToken(shape, keys, data[len(data)-1])
	}
	return data, next, nil
}

func (e *Engine) where(d store.Dialect, ws string, o *schema.Object, flt *filter.Filter, q Query) (string, []any) {
	where, args := scope(d, ws, flt, q.Trashed, "t.workspace_id = "+d.Placeholder(1), []any{ws})
	if cond, arg, ok := matchCondition(d, o.Table, q.Q, len(args)+1); ok {
		args = append(args, arg)
		where += " AND " + cond
	} else if strings.TrimSpace(q.Q) != "" {
		where += " AND 1=0" // only punctuation: nothing can match
	}
	return where, args
}

// scope adds to a WHERE clause what every list has: live or trashed
// records, and the filter.
func scope(d store.Dialect, ws string, flt *filter.Filter, trashed bool, where string, args []any) (string, []any) {
	if trashed {
		where += " AND t.deleted_at IS NOT NULL"
	} else {
		where += " AND t.deleted_at IS NULL"
	}
	if flt != nil {
		var cond string
		cond, args = flt.SQL(d, "t", ws, args)
		where += " AND " + cond
	}
	return where, args
}
