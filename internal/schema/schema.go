// Package schema describes objects and their typed fields: the built-in ones
// in code, custom fields and custom objects as rows created at run time. The
// record engine, the filter checker, the API and the OpenAPI document all read
// the same description.
package schema

import (
	"regexp"
	"sort"
)

// Kind is a field's type.
type Kind string

// The field kinds. The first fourteen are what custom fields may use (API.md);
// the rest serve built-in fields.
const (
	Text        Kind = "text"
	LongText    Kind = "long_text"
	Email       Kind = "email"
	Phone       Kind = "phone"
	URL         Kind = "url"
	Integer     Kind = "integer"
	Number      Kind = "number"
	Money       Kind = "money"
	Bool        Kind = "bool"
	Date        Kind = "date"
	DateTime    Kind = "datetime"
	Select      Kind = "select"
	MultiSelect Kind = "multi_select"
	Relation    Kind = "relation"
	Tags        Kind = "tags"       // a free list of strings
	Address     Kind = "address"    // {street, city, postal_code, region, country}
	Consent     Kind = "consent"    // {email_marketing: granted|denied|unknown, at, source}
	ID          Kind = "id"         // the record id and other system ids
	Refs        Kind = "refs"       // a list of {object, id}: the records an activity is about
	Ref         Kind = "ref"        // one {object, id}: the record a task is about
	Relations   Kind = "relations"  // ids of several records of the target object (a deal's contacts)
	Stages      Kind = "stages"     // a pipeline's ordered stages: {id, name, probability, kind}
	LineItems   Kind = "line_items" // a quote's lines: {product_id or name, quantity, unit_price, discount_percent, tax_percent}
	Prices      Kind = "prices"     // a product's price per currency: {"EUR": "100.00"}
)

// CustomKinds are the kinds a custom field may have.
var CustomKinds = []Kind{Text, LongText, Email, Phone, URL, Integer, Number, Money, Bool, Date, DateTime, Select, MultiSelect, Relation}

// Field is one typed field of an object.
type Field struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     Kind     `json:"kind"`
	Required bool     `json:"required"`
	Unique   bool     `json:"unique"`
	Indexed  bool     `json:"indexed"`
	Options  []string `json:"options,omitempty"`
	Target   string   `json:"target,omitempty"` // relation target object
	ReadOnly bool     `json:"read_only"`
	Custom   bool     `json:"custom"`
	// Searchable fields feed the full-text index.
	Searchable bool `json:"-"`
	// Lower means the value is stored trimmed and lower-cased.
	Lower bool `json:"-"`
	// Relation is the name under which a filter may reach the related
	// record's fields (company_id → company), if any.
	Relation string `json:"-"`
	Position int    `json:"-"`
	// Object is the name of the object the field belongs to.
	Object string `json:"-"`
	// DefaultNow gives a new record the time of its creation when the
	// field is left empty (an activity's occurred_at).
	DefaultNow bool `json:"-"`
}

// Sortable reports whether lists may be ordered by the field.
func (f *Field) Sortable() bool {
	switch f.Kind {
	case MultiSelect, Tags, Address, Consent, LongText, Refs, Ref, Relations, Stages, LineItems, Prices:
		return false
	}
	return true
}

// Keyed reports whether the field is a JSON object whose keys a filter
// reaches (address.city, related.id).
func (f *Field) Keyed() bool { return f.Kind == Address || f.Kind == Consent || f.Kind == Ref }

// List reports whether the field holds a list of strings.
func (f *Field) List() bool { return f.Kind == MultiSelect || f.Kind == Tags || f.Kind == Relations }

// Object is a kind of record: contacts, companies, a custom object.
type Object struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Singular string   `json:"singular"`
	Custom   bool     `json:"custom"`
	Table    string   `json:"-"`
	Fields   []*Field `json:"fields"`
	// Title lists the fields that make a record's title (joined by spaces);
	// Subtitle the field shown under it in search results.
	Title    []string `json:"-"`
	Subtitle string   `json:"-"`
	byName   map[string]*Field
}

// Field returns the named field.
func (o *Object) Field(name string) (*Field, bool) {
	f, ok := o.byName[name]
	return f, ok
}

// RelationNamed is the relation field a path's first part names: its
// relation name ("company" in company.industry) or its own name.
func (o *Object) RelationNamed(name string) (*Field, bool) {
	for _, f := range o.Fields {
		if f.Kind == Relation && (f.Relation == name || f.Name == name) {
			return f, true
		}
	}
	return nil, false
}

func (o *Object) index() {
	o.byName = make(map[string]*Field, len(o.Fields))
	for _, f := range o.Fields {
		o.byName[f.Name] = f
		f.Object = o.Name
	}
}

// Schema is a workspace's objects at one version.
type Schema struct {
	Version int
	objects map[string]*Object
}

// Object returns the named object.
func (s *Schema) Object(name string) (*Object, bool) {
	o, ok := s.objects[name]
	return o, ok
}

// Objects lists the objects, built-in first, then custom by name.
func (s *Schema) Objects() []*Object {
	out := make([]*Object, 0, len(s.objects))
	for _, o := range s.objects {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Custom != out[j].Custom {
			return !out[i].Custom
		}
		return out[i].Name < out[j].Name
	})
	return out
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)

// ValidName reports whether s is a usable snake_case name for a field or object.
func ValidName(s string) bool { return namePattern.MatchString(s) }
