package filter_test

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
)

func TestClauses(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{``, nil},
		{`lifecycle_stage = "lead"`, []string{`lifecycle_stage = "lead"`}},
		{`lifecycle_stage = "lead" AND score >= 50 AND email = "*@acme.com"`, []string{`lifecycle_stage = "lead"`, `score >= 50`, `email = "*@acme.com"`}},
		{`(a = "x" OR b = "y") AND NOT tags:"vip"`, []string{`(a = "x" OR b = "y")`, `NOT tags:"vip"`}},
		{`company.name = "Say \"hi\"" address.city = "Köln"`, []string{`company.name = "Say \"hi\""`, `address.city = "Köln"`}},
		{`a = true AND height > 1.5`, []string{`a = true`, `height > 1.5`}},
	}
	s := schema.Default()
	o, _ := s.Object("contacts")
	for _, tt := range tests {
		got, err := filter.Clauses(tt.src)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Clauses(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
		// Each clause is itself a filter that parses the same way.
		for _, c := range got {
			again, err := filter.Clauses(c)
			if err != nil || len(again) != 1 || again[0] != c {
				t.Errorf("clause %q does not round-trip: %q %v", c, again, err)
			}
		}
	}
	if _, err := filter.Clauses(`(a = `); err == nil {
		t.Error("a broken filter split without error")
	}
	if _, err := filter.Parse(`company.name = "Say \"hi\""`, s, o); err != nil {
		t.Errorf("quoted clause does not check: %v", err)
	}
}
