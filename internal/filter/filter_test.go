package filter_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
)

func TestParseErrorsNameThePosition(t *testing.T) {
	s := schema.Default()
	o, _ := s.Object("contacts")
	tests := []struct {
		src  string
		want string
	}{
		{`colour = "red"`, `unknown field "colour" of contacts at position 1`},
		{`lifecycle_stage = "lead" AND shoe = 3`, `unknown field "shoe" of contacts at position 30`},
		{`score = "high"`, `score is an integer: compare with a whole number at position 9`},
		{`email = 3`, `email is text: quote the value, e.g. email = "3" at position 9`},
		{`tags = "vip"`, `tags is a list: use tags:"vip" at position 1`},
		{`created_at > "yesterday"`, `"yesterday" is not an RFC 3339 time`},
		{`company.colour = "x"`, `unknown field "colour" of companies`},
		{`(first_name = "a"`, `at position`},
		{`"acme"`, `a bare value is not a condition`},
		{`address.Ci'ty = "x"`, `is not a key of address`},
		{`first_name = last_name`, `the right side of a comparison must be a value`},
		{`do_not_contact > true`, `do_not_contact is true or false: use = or !=`},
		{strings.Repeat(`(title = "a" AND `, 70) + `first_name = "a"` + strings.Repeat(")", 70), `nested deeper than 64 levels`},
	}
	for _, tt := range tests {
		_, err := filter.Parse(tt.src, s, o)
		fe := fault.As(err)
		if fe == nil || fe.Kind != fault.KindBadRequest {
			t.Errorf("Parse(%q) = %v, want a bad request", tt.src, err)
			continue
		}
		if !strings.Contains(fe.Msg, tt.want) {
			t.Errorf("Parse(%q) = %q, want it to contain %q", tt.src, fe.Msg, tt.want)
		}
	}
}

func TestEmptyFilterMatchesAll(t *testing.T) {
	s := schema.Default()
	o, _ := s.Object("contacts")
	f, err := filter.Parse("  ", s, o)
	if err != nil || f != nil || !f.Match(map[string]any{}, nil) {
		t.Fatalf("empty filter: %v %v", f, err)
	}
}
