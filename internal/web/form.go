package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/schema"
)

// editable lists the fields a form shows: every field that is not
// read-only (nor one only Rapport sets: a contact's bounce mark, shown in
// the record's header instead).
func editable(o *schema.Object) []*schema.Field {
	var out []*schema.Field
	for _, f := range o.Fields {
		if !f.ReadOnly && f.Name != "owner_id" && f.Name != "email_bounced" {
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
	case schema.MultiSelect, schema.Relations: // ticked boxes, and a relation list's new id
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
	case schema.Stages:
		return stagesInput(form, name, l)
	case schema.LineItems:
		return linesInput(form, name, l)
	case schema.Prices:
		return pricesInput(form, name, l)
	case schema.Refs:
		var list []any
		for _, v := range form[name] {
			if object, id, ok := strings.Cut(strings.TrimSpace(v), "/"); ok {
				list = append(list, map[string]any{"object": object, "id": id})
			}
		}
		if list == nil {
			return nil
		}
		return list
	case schema.Address, schema.Consent:
		keys := []string{"street", "city", "postal_code", "region", "country"}
		if f.Kind == schema.Consent {
			keys = append(slices.Clone(schema.ConsentChannels), "source", "at")
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

// fieldGroup is a titled part of a record's form.
type fieldGroup struct {
	Title  string // a catalogue key
	Fields []*schema.Field
}

// builtinGroups arranges the built-in objects' fields the way people look
// for them; custom fields follow under their own heading.
var builtinGroups = map[string][]struct {
	key    string
	fields []string
}{
	"contacts": {
		{"group.person", []string{"first_name", "last_name", "title"}},
		{"group.reach", []string{"email", "phone", "do_not_contact", "consent"}},
		{"group.sales", []string{"company_id", "lifecycle_stage", "lead_source", "tags"}},
		{"group.address", []string{"address"}},
	},
	"quotes": {
		{"group.quote", []string{"name", "deal_id", "company_id", "contact_id", "currency", "status", "valid_until"}},
		{"group.lines", []string{"line_items"}},
		{"group.terms", []string{"terms"}},
	},
	"products": {
		{"group.product", []string{"name", "sku", "active", "tax_percent"}},
		{"group.pricing", []string{"prices", "description"}},
	},
	"companies": {
		{"group.company", []string{"name", "domain", "industry", "employees", "annual_revenue"}},
		{"group.reach", []string{"phone", "address"}},
		{"group.sales", []string{"tags"}},
	},
}

// groups arranges a form's fields: the object's groups, then every other
// field under "More fields" (custom objects: one group, "Details").
func groups(o *schema.Object, fields []*schema.Field) []fieldGroup {
	placed := map[string]bool{}
	var out []fieldGroup
	for _, g := range builtinGroups[o.Name] {
		fg := fieldGroup{Title: g.key}
		for _, name := range g.fields {
			for _, f := range fields {
				if f.Name == name {
					fg.Fields = append(fg.Fields, f)
					placed[name] = true
				}
			}
		}
		if len(fg.Fields) > 0 {
			out = append(out, fg)
		}
	}
	rest := fieldGroup{Title: "group.more"}
	if len(out) == 0 {
		rest.Title = "record.details"
	}
	for _, f := range fields {
		if !placed[f.Name] {
			rest.Fields = append(rest.Fields, f)
		}
	}
	if len(rest.Fields) > 0 {
		out = append(out, rest)
	}
	return out
}

// stagesInput reads a pipeline's stages editor: one row a stage, in order
// (name, probability, kind, and the id of a stage that exists), and a
// row for a new one; a row without a name is left out (a stage removed).
func stagesInput(form url.Values, name string, l *i18n.Locale) any {
	ids, names, probs, kinds := form[name+".id"], form[name+".name"], form[name+".probability"], form[name+".kind"]
	list := []any{}
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			continue
		}
		st := map[string]any{"name": n, "probability": json.Number(l.ParseDecimal(strings.TrimSpace(at(probs, i))))}
		if k := at(kinds, i); k != "" {
			st["kind"] = k
		}
		if id := at(ids, i); id != "" {
			st["id"] = id
		}
		list = append(list, st)
	}
	return list
}

// at is list[i], or "" past its end.
func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}
