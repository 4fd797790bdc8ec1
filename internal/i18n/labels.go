package i18n

import "github.com/rapport-crm/rapport/internal/schema"

// FieldLabel is a field's label in the language: built-in fields are
// translated, the labels people gave their own fields are theirs.
func (l *Locale) FieldLabel(f *schema.Field) string {
	if f == nil {
		return ""
	}
	if !f.Custom {
		if s, ok := l.Maybe("field." + f.Object + "." + f.Name); ok {
			return s // a name two objects use for different things: a contact's title is its job title
		}
		if s, ok := l.Maybe("field." + f.Name); ok {
			return s
		}
	}
	return f.Label
}

// ObjectLabel is an object's name in the language, plural.
func (l *Locale) ObjectLabel(o *schema.Object) string {
	if !o.Custom {
		if s, ok := l.Maybe("object." + o.Name); ok {
			return s
		}
	}
	return o.Label
}

// ObjectSingular is an object's name in the language, singular.
func (l *Locale) ObjectSingular(o *schema.Object) string {
	if !o.Custom {
		if s, ok := l.Maybe("object." + o.Name + ".one"); ok {
			return s
		}
	}
	if o.Singular == "" {
		return o.Label
	}
	return o.Singular
}

// OptionLabel is a choice of a select field in the language.
func (l *Locale) OptionLabel(f *schema.Field, v string) string {
	if f != nil && !f.Custom {
		if s, ok := l.Maybe("option." + f.Name + "." + v); ok {
			return s
		}
	}
	return v
}
