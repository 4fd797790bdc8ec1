package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/schema"
)

type localeKey struct{}

// locale returns the request's language: the signed-in user's choice (set
// by signedIn), else the browser's.
func (d *Deps) locale(r *http.Request) *i18n.Locale {
	if l, ok := r.Context().Value(localeKey{}).(*i18n.Locale); ok {
		return l
	}
	return d.I18n.Negotiate("", r.Header.Get("Accept-Language"))
}

func withLocale(r *http.Request, l *i18n.Locale) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), localeKey{}, l))
}

// parseTemplates makes one template set per language, each with the
// functions that write in it.
func (d *Deps) parseTemplates(common template.FuncMap) {
	base := template.New("").Funcs(common).Funcs(localeFuncs(d.I18n.Get(i18n.Default)))
	base = template.Must(base.ParseFS(templateFS, "templates/*.html"))
	d.tmpl = map[string]*template.Template{}
	for _, l := range d.I18n.Locales() {
		t := template.Must(base.Clone())
		d.tmpl[l.Tag] = t.Funcs(localeFuncs(l))
	}
}

// localeFuncs are the template functions that depend on the language.
func localeFuncs(l *i18n.Locale) template.FuncMap {
	return template.FuncMap{
		"t":       l.T,
		"display": func(f *schema.Field, v any) string { return display(l, f, v) },
		"label":   func(f *schema.Field) string { return l.FieldLabel(f) },
		"plural":  func(key string, n int) string { return l.N(key, int64(n)) },
		"lines": func(v any, currency string, editable bool) []lineRow {
			blank := 0
			if editable {
				blank = BlankLines
			}
			return lineRows(l, v, currency, blank)
		},
		"prices": func(v any, editable bool) []priceRow {
			blank := 0
			if editable {
				blank = 2
			}
			return priceRows(l, v, blank)
		},
		"fieldName": func(o *schema.Object, name string) string {
			if f, ok := o.Field(name); ok {
				return l.FieldLabel(f)
			}
			return name
		},
		"olabel":    func(o *schema.Object) string { return l.ObjectLabel(o) },
		"osingular": func(o *schema.Object) string { return l.ObjectSingular(o) },
		"option":    func(f *schema.Field, v string) string { return l.OptionLabel(f, v) },
		"count": func(n int64, capped bool) string {
			if capped {
				return l.Int(n) + "+"
			}
			return l.Int(n)
		},
		"summary": func(ev events.Event) string { return eventSummary(l, ev) },
		"change": func(o *schema.Object, field string, ch any, i int) string {
			pair, _ := ch.([]any)
			if i >= len(pair) || pair[i] == nil {
				return "—"
			}
			f, _ := o.Field(field)
			return display(l, f, pair[i])
		},
	}
}

// eventSummary writes an event of the record engine in the language. The
// stored summary is English ("Updated contact Ada Lovelace"); the title is
// what follows the verb and the object's name.
func eventSummary(l *i18n.Locale, ev events.Event) string {
	key := "event." + ev.Kind
	if _, ok := l.Maybe(key); !ok || ev.Singular == "" {
		return ev.Summary
	}
	title := ev.Summary
	if _, rest, ok := strings.Cut(ev.Summary, " "+ev.Singular+" "); ok {
		title = rest
	}
	singular := ev.Singular
	if s, ok := l.Maybe("object." + ev.Object + ".one"); ok {
		singular = s
	}
	return l.T(key, singular, title)
}
