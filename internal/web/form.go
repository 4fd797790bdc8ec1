package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/schema"
)

// editable lists the fields a form shows: every field that is not read-only.
func editable(o *schema.Object) []*schema.Field {
	var out []*schema.Field
	for _, f := range o.Fields {
		if !f.ReadOnly && f.Name != "owner_id" {
			out = append(out, f)
		}
	}
	return out
}

// formInput turns a submitted form into the JSON-shaped input the record
// engine validates, so that the form and the API share one validator.
// Numbers may be typed the language's way ("1.234,5" in German).
func formInput(r *http.Request, o *schema.Object, l *i18n.Locale) map[string]any {
	_ = r.ParseForm()
	in := map[string]any{}
	for _, f := range editable(o) {
		in[f.Name] = fieldInput(f, r.PostForm, l)
	}
	return in
}

// fieldInput is one field's value from a form.
func fieldInput(f *schema.Field, form url.Values, l *i18n.Locale) any {
	name := f.Name
	raw := strings.TrimSpace(form.Get(name))
	switch f.Kind {
	case schema.Bool:
		return form.Get(name) == "on"
	case schema.Integer, schema.Number, schema.Money:
		if raw == "" {
			return nil
		}
		return json.Number(l.ParseDecimal(raw))
	case schema.DateTime:
		if raw == "" {
			return nil
		} else if t, err := time.Parse("2006-01-02T15:04:05", raw); err == nil {
			return t.UTC().Format(time.RFC3339)
		} else if t, err := time.Parse("2006-01-02T15:04", raw); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
		return raw // the validator names the problem
	case schema.Date:
		if raw == "" {
			return nil
		}
		if t, err := time.Parse("02.01.2006", raw); err == nil {
			return t.Format("2006-01-02")
		}
		return raw
	case schema.MultiSelect:
		var list []any
		for _, v := range form[name] {
			if v = strings.TrimSpace(v); v != "" {
				list = append(list, v)
			}
		}
		if list == nil {
			return nil
		}
		return list
	case schema.Tags:
		var list []any
		for _, v := range strings.Split(raw, ",") {
			if v = strings.TrimSpace(v); v != "" {
				list = append(list, v)
			}
		}
		if list == nil {
			return nil
		}
		return list
	case schema.Address, schema.Consent:
		keys := []string{"street", "city", "postal_code", "region", "country"}
		if f.Kind == schema.Consent {
			keys = []string{"email_marketing", "source"}
		}
		m := map[string]any{}
		for _, k := range keys {
			if v := strings.TrimSpace(form.Get(name + "." + k)); v != "" {
				m[k] = v
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	}
	if raw == "" {
		return nil
	}
	return raw
}
