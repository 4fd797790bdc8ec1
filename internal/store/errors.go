package store

import (
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rapport-crm/rapport/internal/fault"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unique indexes are named "<table>__<field>__key" so that a violation can
// name the field on both engines.
var (
	sqliteUnique      = regexp.MustCompile(`UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)`)
	sqliteUniqueIndex = regexp.MustCompile(`UNIQUE constraint failed: index '(\w+)'`)
)

// Translate maps a driver error to a fault kind once, for every caller:
// unique violations become conflicts naming the field, sql.ErrNoRows becomes
// not found. Other errors pass through unchanged.
func Translate(err error) error {
	if err == nil || fault.As(err) != nil {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fault.NotFound("not found")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		field := fieldOfIndex(pgErr.ConstraintName)
		return fault.Conflict(field, "%s is already taken", orDefault(field, "a unique value"))
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) && (sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		field := ""
		if m := sqliteUniqueIndex.FindStringSubmatch(sqErr.Error()); m != nil {
			field = fieldOfIndex(m[1])
		} else if m := sqliteUnique.FindStringSubmatch(sqErr.Error()); m != nil {
			cols := strings.Split(m[1], ", ")
			last := cols[len(cols)-1]
			field = last[strings.LastIndex(last, ".")+1:]
			if field == "id" {
				field = ""
			}
		}
		return fault.Conflict(field, "%s is already taken", orDefault(field, "a unique value"))
	}
	return err
}

func fieldOfIndex(name string) string {
	parts := strings.Split(name, "__")
	if len(parts) == 3 && parts[2] == "key" {
		return parts[1]
	}
	return ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
