package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Columns is a bulk insert on PostgreSQL as arrays, one per column: the
// rows of a batch go in as one statement with a parameter per column
// (INSERT … SELECT … FROM unnest($1::text[], …)), where a multi-row VALUES
// list has a parameter per value and, within PostgreSQL's limit of 65,535,
// at most a few hundred rows. (A 1,000,000-contact import: 7,794 rows/s
// with 400-row VALUES lists, 8,220 with one statement of arrays a batch.)
//
// Every value travels as text and is cast to its column's type, which the
// caller names (TypesOf reads them from the catalogue).
type Columns struct {
	names []string
	casts []string    // the SELECT expression of each column, over u.cN
	data  [][]*string // a column's values, nil for NULL
}

// NewColumns starts a bulk insert of rows into the named columns, of the
// given types.
func NewColumns(names, types []string, rows int) *Columns {
	c := &Columns{names: names, casts: make([]string, len(names)), data: make([][]*string, len(names))}
	for i := range names {
		c.casts[i] = fmt.Sprintf("u.c%d::%s", i, types[i])
		c.data[i] = make([]*string, 0, rows)
	}
	return c
}

// Expr makes column i from its text value with the SQL expression expr, in
// which %s stands for the value ("to_tsvector('simple', %s)").
func (c *Columns) Expr(i int, expr string) {
	c.casts[i] = fmt.Sprintf(expr, fmt.Sprintf("u.c%d", i))
}

// Add appends one row: a value for each column, in order.
func (c *Columns) Add(values ...any) {
	for i, v := range values {
		c.data[i] = append(c.data[i], pgText(v))
	}
}

// Insert writes the rows into table in tx, in one statement.
func (c *Columns) Insert(ctx context.Context, tx *sql.Tx, table string) error {
	if len(c.data) == 0 || len(c.data[0]) == 0 {
		return nil
	}
	arrays := make([]string, len(c.names))
	aliases := make([]string, len(c.names))
	args := make([]any, len(c.names))
	for i := range c.names {
		arrays[i] = fmt.Sprintf("$%d::text[]", i+1)
		aliases[i] = fmt.Sprintf("c%d", i)
		args[i] = c.data[i]
	}
	query := "INSERT INTO " + QuoteIdent(table) + " (" + strings.Join(c.names, ", ") + ") SELECT " + strings.Join(c.casts, ", ") +
		" FROM unnest(" + strings.Join(arrays, ", ") + ") AS u(" + strings.Join(aliases, ", ") + ")"
	_, err := tx.ExecContext(ctx, query, args...)
	return err
}

// pgText is v as PostgreSQL reads it from text, or nil for NULL.
func pgText(v any) *string {
	var s string
	switch t := v.(type) {
	case nil:
		return nil
	case *string:
		return t
	case string:
		s = t
	case []byte:
		s = string(t)
	case int64:
		s = strconv.FormatInt(t, 10)
	case int:
		s = strconv.Itoa(t)
	case float64:
		s = strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		s = strconv.FormatBool(t)
	case time.Time:
		s = t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	default:
		s = fmt.Sprint(t)
	}
	return &s
}

// TypesOf returns the PostgreSQL types of table's columns, by name, as
// format_type writes them ("timestamp with time zone", "jsonb").
func TypesOf(ctx context.Context, q Querier, table string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, QuoteIdent(table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("no table %s", table)
	}
	return types, nil
}
