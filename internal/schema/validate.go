package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
)

// DateTimeLayout is how datetimes are stored inside JSON (custom fields):
// fixed width UTC, so that text order is time order on both engines.
const DateTimeLayout = "2006-01-02T15:04:05Z"

const (
	maxText     = 1000
	maxLongText = 100000
)

var (
	moneyPattern = regexp.MustCompile(`^-?[0-9]{1,16}(\.[0-9]{1,4})?$`)
	phonePattern = regexp.MustCompile(`^\+?[0-9 ()./\-]{4,40}$`)
	datePattern  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// Validate converts a JSON input (decoded with UseNumber) to clean values for
// the object's fields, or reports every bad field. On create, required fields
// must be present; on update, present keys are changed and null clears.
func Validate(o *Object, in map[string]any, create bool) (map[string]any, error) {
	out := make(map[string]any, len(in))
	var errs []fault.FieldError
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f, ok := o.Field(k)
		if !ok {
			errs = append(errs, fault.FieldError{Field: k, Message: fmt.Sprintf("unknown field of %s", o.Name)})
			continue
		}
		if f.ReadOnly {
			errs = append(errs, fault.FieldError{Field: k, Message: "read-only field"})
			continue
		}
		v, err := Convert(f, in[k])
		if err != nil {
			errs = append(errs, fault.FieldError{Field: k, Message: err.Error()})
			continue
		}
		if v == nil && f.Required {
			errs = append(errs, fault.FieldError{Field: k, Message: "is required"})
			continue
		}
		out[k] = v
	}
	if create {
		for _, f := range o.Fields {
			if _, given := in[f.Name]; f.Required && !given {
				errs = append(errs, fault.FieldError{Field: f.Name, Message: "is required"})
			}
		}
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	return out, nil
}

// Convert checks one JSON value against a field and returns its clean form:
// string, int64, float64, bool, time.Time, []string, map[string]any, or nil.
// Empty strings clear optional text-like fields.
func Convert(f *Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" && f.Kind != Text && f.Kind != LongText {
		return nil, nil
	}
	switch f.Kind {
	case Text, LongText:
		s, ok := v.(string)
		if !ok {
			return nil, wantType("a string", v)
		}
		limit := maxText
		if f.Kind == LongText {
			limit = maxLongText
		}
		if len(s) > limit {
			return nil, fmt.Errorf("longer than %d bytes", limit)
		}
		if f.Lower {
			s = strings.ToLower(strings.TrimSpace(s))
		}
		if s == "" {
			return nil, nil
		}
		return s, optionCheck(f, s)
	case Email:
		s, ok := v.(string)
		if !ok {
			return nil, wantType("an email address string", v)
		}
		s = strings.ToLower(strings.TrimSpace(s))
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
			return nil, fmt.Errorf("%q is not a valid email address", s)
		}
		return s, nil
	case Phone:
		s, ok := v.(string)
		if !ok {
			return nil, wantType("a phone number string", v)
		}
		s = strings.TrimSpace(s)
		digits := 0
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !phonePattern.MatchString(s) || digits < 4 {
			return nil, fmt.Errorf("%q is not a valid phone number", s)
		}
		return s, nil
	case URL:
		s, ok := v.(string)
		if !ok {
			return nil, wantType("a URL string", v)
		}
		s = strings.TrimSpace(s)
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000 {
			return nil, fmt.Errorf("%q is not a valid http(s) URL", s)
		}
		return s, nil
	case Integer:
		return toInt(v)
	case Number:
		n, err := toNumber(v)
		if err != nil {
			return nil, err
		}
		f, _ := n.Float64()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("number out of range")
		}
		return f, nil
	case Money:
		s, ok := decimalText(v)
		if !ok {
			return nil, wantType("a decimal string like \"12500.00\"", v)
		}
		if !moneyPattern.MatchString(s) {
			return nil, fmt.Errorf("%q is not a decimal amount like \"12500.00\" (at most 4 decimals)", s)
		}
		return FormatDecimal(s), nil
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, wantType("true or false", v)
		}
		return b, nil
	case Date:
		s, ok := v.(string)
		if !ok || !datePattern.MatchString(s) {
			return nil, fmt.Errorf("want a date like \"2026-12-31\"")
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, fmt.Errorf("%q is not a valid date", s)
		}
		return s, nil
	case DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, wantType("an RFC 3339 time string", v)
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an RFC 3339 time like \"2026-12-04T15:04:05Z\"", s)
		}
		return t.UTC().Truncate(time.Microsecond), nil // what both engines store
	case Select:
		s, ok := v.(string)
		if !ok {
			return nil, wantType("one of the options", v)
		}
		return s, optionCheck(f, s)
	case MultiSelect, Tags:
		list, err := toStrings(v)
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			if f.Kind == MultiSelect {
				if err := optionCheck(f, s); err != nil {
					return nil, err
				}
			}
		}
		return list, nil
	case Relation, ID:
		s, ok := v.(string)
		if !ok || len(s) > 64 {
			return nil, wantType("a record id string", v)
		}
		return s, nil
	case Refs:
		return toRefs(v)
	case Ref:
		refs, err := toRefs([]any{v})
		if err != nil || refs == nil {
			return nil, wantType(`{"object": ..., "id": ...}`, v)
		}
		return refs.([]map[string]any)[0], nil
	case Relations:
		return toRelations(v)
	case Stages:
		return toStages(v)
	case LineItems:
		return toLineItems(v)
	case Prices:
		return toPrices(v)
	case Address:
		return toObject(v, map[string][]string{"street": nil, "city": nil, "postal_code": nil, "region": nil, "country": nil})
	case Consent:
		spec := map[string][]string{"at": nil, "source": nil}
		for _, ch := range ConsentChannels {
			spec[ch] = ConsentValues
		}
		m, err := toObject(v, spec)
		if err != nil {
			return nil, err
		}
		if at, ok := m.(map[string]any)["at"].(string); ok {
			if _, err := time.Parse(time.RFC3339, at); err != nil {
				return nil, fmt.Errorf("at: %q is not an RFC 3339 time", at)
			}
		}
		return m, nil
	}
	return nil, fmt.Errorf("unsupported kind %s", f.Kind)
}

// FormatDecimal writes a decimal string with at least two decimals
// ("1500.5" → "1500.50"), dropping zeros past the second.
func FormatDecimal(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac
}

func optionCheck(f *Field, s string) error {
	if len(f.Options) > 0 && !slices.Contains(f.Options, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(f.Options, ", "))
	}
	return nil
}

func wantType(want string, v any) error {
	return fmt.Errorf("want %s, got %s", want, jsonType(v))
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64, int, int64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func toNumber(v any) (json.Number, error) {
	switch t := v.(type) {
	case json.Number:
		return t, nil
	case float64:
		return json.Number(strconv.FormatFloat(t, 'f', -1, 64)), nil
	case int64:
		return json.Number(strconv.FormatInt(t, 10)), nil
	case int:
		return json.Number(strconv.Itoa(t)), nil
	}
	return "", wantType("a number", v)
}

func toInt(v any) (any, error) {
	n, err := toNumber(v)
	if err != nil {
		return nil, wantType("an integer", v)
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s is not an integer in range", n)
	}
	return i, nil
}

func toStrings(v any) ([]string, error) {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	case []string:
		return t, nil
	default:
		return nil, wantType("an array of strings", v)
	}
	if len(items) > 500 {
		return nil, fmt.Errorf("more than 500 items")
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("item %d: %s", i, wantType("a string", it))
		}
		s = strings.TrimSpace(s)
		if s == "" || len(s) > 200 {
			return nil, fmt.Errorf("item %d: must be 1 to 200 bytes", i)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func toObject(v any, keys map[string][]string) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, wantType("an object", v)
	}
	out := make(map[string]any, len(m))
	for k, val := range m {
		allowed, ok := keys[k]
		if !ok {
			return nil, fmt.Errorf("unknown key %q", k)
		}
		if val == nil {
			continue
		}
		s, ok := val.(string)
		if !ok || len(s) > maxText {
			return nil, fmt.Errorf("%s: want a string", k)
		}
		if allowed != nil && !slices.Contains(allowed, s) {
			return nil, fmt.Errorf("%s: %q is not one of %s", k, s, strings.Join(allowed, ", "))
		}
		out[k] = s
	}
	return out, nil
}

// MaxRefs bounds the records one activity relates to.
const MaxRefs = 50

// toRefs reads a list of {"object": ..., "id": ...}, dropping repeats.
func toRefs(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, wantType(`an array of {"object": ..., "id": ...}`, v)
	}
	if len(list) > MaxRefs {
		return nil, fmt.Errorf("more than %d records", MaxRefs)
	}
	out := make([]map[string]any, 0, len(list))
	seen := map[string]bool{}
	for i, x := range list {
		m, ok := x.(map[string]any)
		object, _ := m["object"].(string)
		id, _ := m["id"].(string)
		if !ok || len(m) != 2 || object == "" || id == "" || len(object) > 64 || len(id) > 64 {
			return nil, fmt.Errorf(`item %d: want {"object": ..., "id": ...}`, i)
		}
		if key := object + "/" + id; !seen[key] {
			seen[key] = true
			out = append(out, map[string]any{"object": object, "id": id})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// ConsentChannels are the ways a contact may agree to be reached for
// marketing, each granted, denied or unknown; a consent also says when and
// where it was given (at, source), and every change is an event.
var ConsentChannels = []string{"email_marketing", "sms_marketing", "phone_marketing"}

// ConsentValues are a channel's states.
var ConsentValues = []string{"granted", "denied", "unknown"}

// decimalText is a decimal given as a string or a JSON number, as text.
func decimalText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t), true
	case json.Number:
		return t.String(), true
	}
	return "", false
}
