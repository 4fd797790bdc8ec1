package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// display renders a record value for reading in the language.
func display(l *i18n.Locale, f *schema.Field, v any) string {
	if v == nil {
		return ""
	}
	switch t := v.(type) {
	case time.Time:
		return l.Time(t)
	case string:
		if f != nil {
			switch f.Kind {
			case schema.Money:
				return l.Decimal(t)
			case schema.Date:
				return l.Date(t)
			case schema.Select:
				return l.OptionLabel(f, t)
			}
		}
		return t
	case []any: // a list as the event log keeps it
		list := make([]string, 0, len(t))
		for _, x := range t {
			list = append(list, fmt.Sprint(x))
		}
		return display(l, f, list)
	case []string:
		if f != nil && f.Kind == schema.MultiSelect {
			out := make([]string, len(t))
			for i, s := range t {
				out[i] = l.OptionLabel(f, s)
			}
			return strings.Join(out, ", ")
		}
		return strings.Join(t, ", ")
	case bool:
		if t {
			return l.T("bool.yes")
		}
		return l.T("bool.no")
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprint(t[k]))
		}
		return strings.Join(parts, ", ")
	case int64:
		return l.Int(t)
	case float64:
		return l.Decimal(strconv.FormatFloat(t, 'f', -1, 64))
	}
	return fmt.Sprint(v)
}

// inputValue renders a record value for a form input.
func inputValue(f *schema.Field, v any) string {
	if v == nil {
		return ""
	}
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02T15:04")
	case []string:
		return strings.Join(t, ", ")
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case map[string]any:
		return display(nil, f, v)
	}
	return fmt.Sprint(v)
}

// inputType is the HTML input type for a field kind.
func inputType(f *schema.Field) string {
	switch f.Kind {
	case schema.Email:
		return "email"
	case schema.Phone:
		return "tel"
	case schema.URL:
		return "url"
	case schema.Integer, schema.Number:
		return "number"
	case schema.Date:
		return "date"
	case schema.DateTime:
		return "datetime-local"
	}
	return "text"
}

var funcs = template.FuncMap{
	"bytes":      byteSize,
	"inputValue": inputValue,
	"isTrue":     func(v any) bool { b, _ := v.(bool); return b },
	"initials":   initials,
	"title":      func(o *schema.Object, rec records.Record) string { return records.Title(o, rec) },
	"raw":        func(v any) string { s, _ := v.(string); return s },
	"last":       func(list []*schema.Field) int { return len(list) - 1 },
	"customFields": func(o *schema.Object) []*schema.Field {
		var out []*schema.Field
		for _, f := range o.Fields {
			if f.Custom {
				out = append(out, f)
			}
		}
		return out
	},
	"inputType": inputType,
	"kind":      func(f *schema.Field) string { return string(f.Kind) },
	"stages":    stagesOf,
	"inc":       func(i int) int { return i + 1 },
	"add":       func(a, b int) int { return a + b },
	"sub":       func(a, b int) int { return a - b },
	"numeric": func(f *schema.Field) bool {
		return f.Kind == schema.Integer || f.Kind == schema.Number || f.Kind == schema.Money
	},
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"strs":     func(v any) []string { s, _ := v.([]string); return s },
	"list":     func(s ...string) []string { return s },
	"contains": strings.Contains,
	"mapget": func(v any, k string) string {
		m, _ := v.(map[string]any)
		s, _ := m[k].(string)
		return s
	},
}

// initials are the first letters of a title's first two words ("GH").
func initials(title string) string {
	var out []rune
	for _, w := range strings.Fields(title) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// stagesOf reads a pipeline's stages as stored, or as a form sent them
// back with an error (probabilities as typed).
func stagesOf(v any) []deals.Stage {
	list := rowsOf(v)
	for i, m := range list {
		if n, ok := m["probability"].(json.Number); ok {
			st := maps.Clone(m)
			st["probability"], _ = n.Float64()
			list[i] = st
		}
	}
	return deals.StagesOf(records.Record{"stages": list})
}

// rowsOf reads the rows of an editor's field (a pipeline's stages, a
// quote's lines) as stored, or as a form sent them back with an error.
func rowsOf(v any) []map[string]any {
	switch t := v.(type) {
	case []map[string]any:
		return slices.Clone(t)
	case []any:
		var out []map[string]any
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// byteSize writes a file's size as people read it: 812 B, 14 kB, 2.3 MB.
func byteSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d kB", (n+500)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
