package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

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
func formInput(r *http.Request, o *schema.Object) map[string]any {
	in := map[string]any{}
	for _, f := range editable(o) {
		name := f.Name
		raw := strings.TrimSpace(r.PostFormValue(name))
		switch f.Kind {
		case schema.Bool:
			in[name] = r.PostFormValue(name) == "on"
		case schema.Integer, schema.Number, schema.Money:
			if raw == "" {
				in[name] = nil
			} else {
				in[name] = json.Number(raw)
			}
		case schema.DateTime:
			if raw == "" {
				in[name] = nil
			} else if t, err := time.Parse("2006-01-02T15:04:05", raw); err == nil {
				in[name] = t.UTC().Format(time.RFC3339)
			} else if t, err := time.Parse("2006-01-02T15:04", raw); err == nil {
				in[name] = t.UTC().Format(time.RFC3339)
			} else {
				in[name] = raw // the validator names the problem
			}
		case schema.MultiSelect:
			var list []any
			for _, v := range r.PostForm[name] {
				if v != "" {
					list = append(list, v)
				}
			}
			if list == nil {
				in[name] = nil
			} else {
				in[name] = list
			}
		case schema.Tags:
			var list []any
			for _, v := range strings.Split(raw, ",") {
				if v = strings.TrimSpace(v); v != "" {
					list = append(list, v)
				}
			}
			if list == nil {
				in[name] = nil
			} else {
				in[name] = list
			}
		case schema.Address, schema.Consent:
			keys := []string{"street", "city", "postal_code", "region", "country"}
			if f.Kind == schema.Consent {
				keys = []string{"email_marketing", "source"}
			}
			m := map[string]any{}
			for _, k := range keys {
				if v := strings.TrimSpace(r.PostFormValue(name + "." + k)); v != "" {
					m[k] = v
				}
			}
			if len(m) == 0 {
				in[name] = nil
			} else {
				in[name] = m
			}
		default:
			if raw == "" {
				in[name] = nil
			} else {
				in[name] = raw
			}
		}
	}
	return in
}
