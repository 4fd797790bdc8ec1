package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/rapport-crm/rapport/internal/store"
)

// CustomExpr is the SQL expression that reads a custom field from the JSON
// column. Indexes and filters use the same expression, so an indexed custom
// field is served by its index.
func CustomExpr(d store.Dialect, alias string, f *Field) string {
	col := "custom"
	if alias != "" {
		col = alias + ".custom"
	}
	if d == store.SQLite {
		return fmt.Sprintf("json_extract(%s, '$.%s')", col, f.Name)
	}
	base := fmt.Sprintf("(%s->>'%s')", col, f.Name)
	switch f.Kind {
	case Integer:
		return "(" + base + "::bigint)"
	case Number, Money:
		return "(" + base + "::numeric)"
	case Bool:
		return "(" + base + "::boolean)"
	}
	return base
}

// customIndexDDL indexes a custom field. The plain index serves filters and
// sorting (a partial index per workspace would not: a prepared statement's
// generic plan cannot prove workspace_id = $1 matches it). A unique field
// also gets a partial unique index for its workspace, whose name carries the
// field between double underscores so that a violation can name it.
func customIndexDDL(d store.Dialect, table, ws string, f *Field, unique bool) []string {
	col := "(" + CustomExpr(d, "", f) + ")"
	if d == store.Postgres {
		col += " NULLS FIRST" // nulls sort first on both engines
	}
	out := []string{fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s_cf_%s ON %s (workspace_id, %s, id)", table, f.Name, table, col)}
	if unique {
		h := sha256.Sum256([]byte(ws))
		out = append(out, fmt.Sprintf("CREATE UNIQUE INDEX IF NOT EXISTS %s_%s__%s__key ON %s (workspace_id, (%s)) WHERE workspace_id = '%s' AND deleted_at IS NULL",
			table, hex.EncodeToString(h[:4]), f.Name, table, CustomExpr(d, "", f), hexOnly(ws)))
	}
	return out
}

// hexOnly keeps an id safe to inline in DDL (ids are UUIDs).
func hexOnly(s string) string {
	b := []byte(s)
	out := b[:0]
	for _, c := range b {
		if (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-' {
			out = append(out, c)
		}
	}
	return string(out)
}

// objectTableDDL creates a custom object's table: the same shape as every
// record table, with all its fields in the custom JSON column.
func objectTableDDL(d store.Dialect, table string) []string {
	if d == store.SQLite {
		return []string{
			fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
				workspace_id TEXT NOT NULL, id TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
				owner_id TEXT, version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT, custom TEXT NOT NULL DEFAULT '{}',
				PRIMARY KEY (workspace_id, id))`, table),
			fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s_created ON %s (workspace_id, created_at, id)`, table, table),
			fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s_updated ON %s (workspace_id, updated_at, id)`, table, table),
			fmt.Sprintf(`CREATE VIRTUAL TABLE IF NOT EXISTS %s_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')`, table),
			// As the built-in tables' (migration 0009): bulk writes in
			// larger steps.
			fmt.Sprintf(`INSERT INTO %s_fts (%s_fts, rank) VALUES ('hashsize', 16777216)`, table, table),
			fmt.Sprintf(`INSERT INTO %s_fts (%s_fts, rank) VALUES ('automerge', 16)`, table, table),
		}
	}
	return []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
			workspace_id TEXT NOT NULL, id TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
			owner_id TEXT, version INTEGER NOT NULL DEFAULT 1, deleted_at TIMESTAMPTZ, custom JSONB NOT NULL DEFAULT '{}',
			search TSVECTOR, PRIMARY KEY (workspace_id, id))`, table),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s_created ON %s (workspace_id, created_at, id)`, table, table),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s_updated ON %s (workspace_id, updated_at, id)`, table, table),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s_search ON %s USING GIN (search)`, table, table),
	}
}
