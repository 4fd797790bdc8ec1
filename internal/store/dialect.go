package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeLayout is how SQLite stores times: fixed width, so that text order is
// time order and keyset comparisons work on the stored string.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Time converts t to the value the engine stores for a time column.
func (d Dialect) Time(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d == SQLite {
		return t.Format(timeLayout)
	}
	return t
}

// Bool converts b to the value the engine stores for a boolean column.
func (d Dialect) Bool(b bool) any {
	if d == SQLite {
		if b {
			return int64(1)
		}
		return int64(0)
	}
	return b
}

// Placeholder is the n-th (1-based) bind parameter of generated SQL. Hand
// written SQL uses $n, which both engines take; generated statements use ?n
// on SQLite, which the driver finds faster than $n.
func (d Dialect) Placeholder(n int) string {
	if d == SQLite {
		return "?" + strconv.Itoa(n)
	}
	return "$" + strconv.Itoa(n)
}

// Positional is the n-th bind parameter of a statement whose parameters
// appear once each, in the order of their arguments: a bare ? on SQLite.
// The driver asks SQLite for every parameter's name and SQLite finds a
// named one (?n, $n) by a linear scan, quadratic in a bulk insert of
// thousands of parameters; a bare ? has no name and binds by position.
func (d Dialect) Positional(n int) string {
	if d == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

// QuoteIdent quotes a schema-checked identifier. Callers must only pass
// names that the schema package validated; quoting is belt and braces.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// JSONText extracts a top-level key of a JSON column as text.
func (d Dialect) JSONText(col, key string) string {
	if d == SQLite {
		return fmt.Sprintf("json_extract(%s, '$.%s')", col, key)
	}
	return fmt.Sprintf("(%s->>'%s')", col, key)
}

// JSONType is the column type used for JSON documents.
func (d Dialect) JSONType() string {
	if d == SQLite {
		return "TEXT"
	}
	return "JSONB"
}

// ParseTime reads a time column value as the driver returns it.
func ParseTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseTimeText(t)
	case []byte:
		return parseTimeText(string(t))
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected time value %T", v)
}

func parseTimeText(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unexpected time text %q", s)
}

// NullTime scans a nullable time column on either engine.
type NullTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (n *NullTime) Scan(v any) error {
	if v == nil {
		*n = NullTime{}
		return nil
	}
	t, err := ParseTime(v)
	if err != nil {
		return err
	}
	*n = NullTime{Time: t, Valid: true}
	return nil
}
