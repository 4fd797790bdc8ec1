package schema

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestConvert(t *testing.T) {
	sel := &Field{Name: "tier", Kind: Select, Options: []string{"gold", "silver"}}
	multi := &Field{Name: "skills", Kind: MultiSelect, Options: []string{"go", "sql"}}
	tests := []struct {
		field *Field
		in    any
		want  any
		bad   bool
	}{
		{&Field{Kind: Text}, "  Ada ", "  Ada ", false},
		{&Field{Kind: Text}, "", nil, false},
		{&Field{Kind: Text}, 3, nil, true},
		{&Field{Kind: Text, Lower: true}, " ACME.example ", "acme.example", false},
		{&Field{Kind: Email}, " Ada@Example.COM ", "ada@example.com", false},
		{&Field{Kind: Email}, "ada@localhost", nil, true},
		{&Field{Kind: Email}, "Ada <ada@example.com>", nil, true},
		{&Field{Kind: Email}, "", nil, false},
		{&Field{Kind: Phone}, "+49 (30) 1234-567", "+49 (30) 1234-567", false},
		{&Field{Kind: Phone}, "call me", nil, true},
		{&Field{Kind: URL}, "https://acme.example/x", "https://acme.example/x", false},
		{&Field{Kind: URL}, "javascript:alert(1)", nil, true},
		{&Field{Kind: Integer}, json.Number("42"), int64(42), false},
		{&Field{Kind: Integer}, json.Number("4.2"), nil, true},
		{&Field{Kind: Integer}, json.Number("99999999999999999999"), nil, true},
		{&Field{Kind: Integer}, "42", nil, true},
		{&Field{Kind: Number}, json.Number("1.65"), 1.65, false},
		{&Field{Kind: Number}, json.Number("1e400"), nil, true},
		{&Field{Kind: Money}, "1500.5", "1500.50", false},
		{&Field{Kind: Money}, json.Number("12500"), "12500.00", false},
		{&Field{Kind: Money}, "-0.125", "-0.125", false},
		{&Field{Kind: Money}, "1.23456", nil, true},
		{&Field{Kind: Money}, "1,5", nil, true},
		{&Field{Kind: Money}, 12.5, nil, true},
		{&Field{Kind: Bool}, true, true, false},
		{&Field{Kind: Bool}, "true", nil, true},
		{&Field{Kind: Date}, "2026-02-28", "2026-02-28", false},
		{&Field{Kind: Date}, "2026-02-30", nil, true},
		{&Field{Kind: Date}, "28.02.2026", nil, true},
		{&Field{Kind: DateTime}, "2026-12-04T16:04:05+01:00", time.Date(2026, 12, 4, 15, 4, 5, 0, time.UTC), false},
		{&Field{Kind: DateTime}, "2026-12-04", nil, true},
		{sel, "gold", "gold", false},
		{sel, "bronze", nil, true},
		{multi, []any{"go", "sql", "go"}, []string{"go", "sql"}, false},
		{multi, []any{"cobol"}, nil, true},
		{&Field{Kind: Tags}, []any{" vip ", "vip", "new"}, []string{"vip", "new"}, false},
		{&Field{Kind: Tags}, []any{""}, nil, true},
		{&Field{Kind: Tags}, "vip", nil, true},
		{&Field{Kind: Address}, map[string]any{"city": "Berlin"}, map[string]any{"city": "Berlin"}, false},
		{&Field{Kind: Address}, map[string]any{"planet": "Mars"}, nil, true},
		{&Field{Kind: Consent}, map[string]any{"email_marketing": "granted", "at": "2026-01-01T00:00:00Z"}, map[string]any{"email_marketing": "granted", "at": "2026-01-01T00:00:00Z"}, false},
		{&Field{Kind: Consent}, map[string]any{"email_marketing": "maybe"}, nil, true},
		{&Field{Kind: Relation}, "01a2", "01a2", false},
		{&Field{Kind: Relation}, 12, nil, true},
	}
	for _, tt := range tests {
		got, err := Convert(tt.field, tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("Convert(%s, %#v) error = %v, want error %v", tt.field.Kind, tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Convert(%s, %#v) = %#v, want %#v", tt.field.Kind, tt.in, got, tt.want)
		}
	}
}
