package records_test

import (
	"context"
	"testing"

	"github.com/rapport-crm/rapport/internal/schema"
)

// TestSchemaSnapshot: in a snapshot (a job, a request) a workspace's
// schema is read once and stays as it was while another node (another
// context) changes it; a change made in the snapshot itself shows at
// once; outside a snapshot every read sees the latest.
func TestSchemaSnapshot(t *testing.T) {
	f := setup(t)
	ws := f.admin.WorkspaceID
	snap := schema.Snapshot(context.Background())
	has := func(ctx context.Context, field string) bool {
		t.Helper()
		s, err := f.schemas.Get(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := s.Object("contacts")
		_, ok := o.Field(field)
		return ok
	}
	if has(snap, "shoe_size") {
		t.Fatal("a field before it was added")
	}
	if _, err := f.schemas.AddField(context.Background(), ws, "contacts", schema.NewField{Name: "shoe_size", Kind: schema.Integer}); err != nil {
		t.Fatal(err)
	}
	if has(snap, "shoe_size") {
		t.Error("the snapshot saw another's change halfway")
	}
	if !has(context.Background(), "shoe_size") {
		t.Error("outside a snapshot the change is not seen")
	}
	if !has(schema.Snapshot(context.Background()), "shoe_size") {
		t.Error("a new snapshot does not see the change")
	}
	if _, err := f.schemas.AddField(snap, ws, "contacts", schema.NewField{Name: "hat_size", Kind: schema.Integer}); err != nil {
		t.Fatal(err)
	}
	if !has(snap, "hat_size") || !has(snap, "shoe_size") {
		t.Error("the snapshot does not see its own change (and what came before it)")
	}
}
