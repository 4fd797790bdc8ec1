package web

import (
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/schema"
)

// display renders a record value for reading.
func display(f *schema.Field, v any) string {
	if v == nil {
		return ""
	}
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04 UTC")
	case []string:
		return strings.Join(t, ", ")
	case bool:
		if t {
			return "Yes"
		}
		return "No"
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
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
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
	}
	return display(f, v)
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
	"display":    display,
	"inputValue": inputValue,
	"inputType":  inputType,
	"kind":       func(f *schema.Field) string { return string(f.Kind) },
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
	"strs": func(v any) []string { s, _ := v.([]string); return s },
	"mapget": func(v any, k string) string {
		m, _ := v.(map[string]any)
		s, _ := m[k].(string)
		return s
	},
}
