package records

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rapport-crm/rapport/internal/phone"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
)

// SearchText is what the full-text index holds for a record: its searchable
// fields, with emails also split into their parts so that "ada" finds
// ada@example.com on both engines.
func SearchText(o *schema.Object, rec Record) string {
	var b strings.Builder
	for _, f := range o.Fields {
		if !f.Searchable {
			continue
		}
		s, ok := rec[f.Name].(string)
		if !ok || s == "" {
			continue
		}
		b.WriteString(s)
		b.WriteByte(' ')
		if f.Kind == schema.Phone {
			// The number in E.164, without its +: one token that finds it
			// however it was written ("030 1234567", "+49 30 1234567").
			if e := phone.E164(s); e != "" {
				b.WriteString(e[1:])
				b.WriteByte(' ')
			}
		}
		if f.Kind == schema.Email || f.Kind == schema.URL {
			b.WriteString(strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					return r
				}
				return ' '
			}, s))
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// Title is a record's display title.
func Title(o *schema.Object, rec Record) string {
	var parts []string
	for _, name := range o.Title {
		if v := rec[name]; v != nil && fmt.Sprint(v) != "" {
			parts = append(parts, fmt.Sprint(v))
		}
	}
	if len(parts) == 0 {
		if o.Subtitle != "" {
			if s, ok := rec[o.Subtitle].(string); ok && s != "" {
				return s
			}
		}
		return rec.ID()
	}
	return strings.Join(parts, " ")
}

// searchWords splits a user's query into words: letters and digits only,
// so that nothing the user types is full-text syntax.
func searchWords(q string) []string {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) > 8 {
		words = words[:8]
	}
	return words
}

// matchCondition is the SQL condition for a prefix search of q on the table
// aliased t, and its parameter; ok is false when q has no words.
func matchCondition(d store.Dialect, table, q string, n int) (cond string, arg any, ok bool) {
	words := searchWords(q)
	if len(words) == 0 {
		return "", nil, false
	}
	if d == store.SQLite {
		for i, w := range words {
			words[i] = `"` + w + `"*`
		}
		return fmt.Sprintf("t.rowid IN (SELECT rowid FROM %s_fts WHERE %s_fts MATCH %s)", table, table, d.Placeholder(n)),
			"body:(" + strings.Join(words, " ") + ")", true
	}
	for i, w := range words {
		words[i] = w + ":*"
	}
	return fmt.Sprintf("t.search @@ to_tsquery('simple', %s)", d.Placeholder(n)), strings.Join(words, " & "), true
}
