package records_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// TestEachWalksEveryMatchOnce: Each hands over every record a filter
// matches, once and in order, across the chunks its reader sends (600
// records: two full chunks of 256 and a part), with their custom values
// (none left over from the record before, whose map the walk fills
// again); an error from fn stops the walk and comes back.
func TestEachWalksEveryMatchOnce(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.schemas.AddField(ctx, f.admin.WorkspaceID, "contacts", schema.NewField{Name: "shoe_size", Kind: schema.Integer}); err != nil {
		t.Fatal(err)
	}
	inputs := make([]map[string]any, 0, 700)
	for i := range 700 {
		stage := "customer"
		if i%7 == 0 {
			stage = "lead" // filtered out
		}
		in := map[string]any{"first_name": fmt.Sprintf("P%03d", i), "lifecycle_stage": stage, "shoe_size": i}
		if i%5 == 0 {
			delete(in, "shoe_size")
		}
		inputs = append(inputs, in)
	}
	created, err := f.eng.CreateMany(ctx, f.admin, "contacts", inputs)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, rec := range created {
		if i%7 != 0 {
			want = append(want, rec.ID())
		}
	}
	var got []string
	err = f.eng.Each(ctx, f.admin, "contacts", records.Query{Filter: `lifecycle_stage = "customer"`, OrderBy: "first_name"}, func(rec records.Record) error {
		var i int
		fmt.Sscanf(rec["first_name"].(string), "P%d", &i)
		if size, ok := rec["shoe_size"]; !ok || i%5 == 0 && size != nil || i%5 != 0 && size != int64(i) {
			return fmt.Errorf("record %v has shoe size %v (%t)", rec["first_name"], size, ok)
		}
		got = append(got, rec.ID())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) != 600 {
		t.Fatalf("%d records walked, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d is %s, want %s", i, got[i], want[i])
		}
	}
	stop := errors.New("enough")
	n := 0
	err = f.eng.Each(ctx, f.admin, "contacts", records.Query{}, func(records.Record) error {
		if n++; n == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 300 {
		t.Errorf("stopped after %d records with %v", n, err)
	}
}
