package records_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/internal/records"
)

// TestTotals: records are counted and their amounts summed exactly per
// group (ten 0.10s make 1.00, not 0.9999…), after the filter, trashed
// ones left out; a field that cannot be grouped or summed is refused.
func TestTotals(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	var inputs []map[string]any
	for i := range 10 {
		inputs = append(inputs, map[string]any{"name": fmt.Sprint("A", i), "annual_revenue": "0.10", "industry": "Software"})
	}
	inputs = append(inputs,
		map[string]any{"name": "B", "annual_revenue": "1234567.8912", "industry": "Retail"},
		map[string]any{"name": "C", "annual_revenue": "0.0088", "industry": "Retail"},
		map[string]any{"name": "D", "industry": "Retail"},
		map[string]any{"name": "E", "annual_revenue": "99", "industry": "Mining"},
	)
	recs, err := f.eng.CreateMany(ctx, f.admin, "companies", inputs)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Trash(ctx, f.admin, "companies", recs[len(recs)-1].ID()); err != nil {
		t.Fatal(err)
	}
	got, err := f.eng.Totals(ctx, f.admin, "companies", records.Query{Filter: `name != "A9"`}, []string{"industry"}, "annual_revenue")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Software": "9 0.90", "Retail": "3 1234567.90"}
	if len(got) != len(want) {
		t.Fatalf("groups: %+v", got)
	}
	for _, g := range got {
		if s := fmt.Sprintf("%d %s", g.Count, g.Sum); want[g.Keys[0].(string)] != s {
			t.Errorf("%v: %s, want %s", g.Keys[0], s, want[g.Keys[0].(string)])
		}
	}
	if _, err := f.eng.Totals(ctx, f.admin, "companies", records.Query{}, []string{"industry:month"}, "annual_revenue"); err == nil {
		t.Error("grouped a text by month")
	}
	if _, err := f.eng.Totals(ctx, f.admin, "companies", records.Query{}, []string{"tags"}, "annual_revenue"); err == nil {
		t.Error("grouped by a list")
	}
	if _, err := f.eng.Totals(ctx, f.admin, "companies", records.Query{}, []string{"industry"}, "name"); err == nil {
		t.Error("summed a name")
	}
}

// TestSpans: the time between two datetimes is summed per group, over
// the records that have both, and only datetime fields are measured.
func TestSpans(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.eng.CreateMany(ctx, f.admin, "companies", []map[string]any{{"name": "A", "industry": "Retail"}, {"name": "B", "industry": "Retail"}}); err != nil {
		t.Fatal(err)
	}
	got, err := f.eng.Spans(ctx, f.admin, "companies", records.Query{}, []string{"industry"}, "created_at", "updated_at")
	if err != nil || len(got) != 1 || got[0].Keys[0] != "Retail" || got[0].Count != 2 || got[0].Seconds != 0 {
		t.Fatalf("spans: %+v, %v", got, err)
	}
	if _, err := f.eng.Spans(ctx, f.admin, "companies", records.Query{}, []string{"industry"}, "name", "updated_at"); err == nil {
		t.Error("measured the time of a name")
	}
}
