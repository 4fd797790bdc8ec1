package records_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestScope: an object's scope limits every read and change of a user
// to the records it lets them see; the others are not found, not counted
// and not listed, and a filter's errors still name positions in what the
// user wrote.
func TestScope(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	other := access.Principal{WorkspaceID: f.admin.WorkspaceID, UserID: uuid.Must(uuid.NewV7()).String(), Role: access.Manager}
	f.eng.Scope("companies", func(p access.Principal) string {
		if p.Role == access.Admin {
			return ""
		}
		return "owner_id = " + filter.Quote(p.UserID) + ` OR industry = "Public"`
	})
	mine, err := f.eng.Create(ctx, other, "companies", map[string]any{"name": "Mine", "industry": "Retail"})
	if err != nil {
		t.Fatal(err)
	}
	public, _ := f.eng.Create(ctx, f.admin, "companies", map[string]any{"name": "Open", "industry": "Public"})
	hidden, _ := f.eng.Create(ctx, f.admin, "companies", map[string]any{"name": "Hidden", "industry": "Retail"})

	page, err := f.eng.List(ctx, other, "companies", records.Query{Count: true})
	if err != nil || len(page.Data) != 2 || *page.Total != 2 {
		t.Fatalf("list: %v %v", page, err)
	}
	if page, _ := f.eng.List(ctx, f.admin, "companies", records.Query{}); len(page.Data) != 3 {
		t.Errorf("the admin sees %d", len(page.Data))
	}
	agg, err := f.eng.Aggregate(ctx, other, "companies", records.Aggregation{GroupBy: []string{"industry"}})
	if err != nil || len(agg.Rows) != 2 || agg.Rows[1][1] != int64(1) {
		t.Errorf("aggregate: %v %v", agg, err)
	}
	if _, err := f.eng.Get(ctx, other, "companies", hidden.ID(), false); fault.KindOf(err) != fault.KindNotFound {
		t.Errorf("get hidden: %v", err)
	}
	if _, err := f.eng.Get(ctx, other, "companies", public.ID(), false); err != nil {
		t.Errorf("get public: %v", err)
	}
	many, _ := f.eng.GetMany(ctx, other, "companies", []string{mine.ID(), hidden.ID()})
	if len(many) != 1 || many[mine.ID()] == nil {
		t.Errorf("get many: %v", many)
	}
	if _, err := f.eng.Update(ctx, other, "companies", hidden.ID(), map[string]any{"name": "Seen"}, nil); fault.KindOf(err) != fault.KindNotFound {
		t.Errorf("update hidden: %v", err)
	}
	if err := f.eng.Trash(ctx, other, "companies", hidden.ID()); fault.KindOf(err) != fault.KindNotFound {
		t.Errorf("trash hidden: %v", err)
	}
	n := 0
	if err := f.eng.Each(ctx, other, "companies", records.Query{}, func(records.Record) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("each: %d %v", n, err)
	}
	_, err = f.eng.List(ctx, other, "companies", records.Query{Filter: "name = "})
	if fe := fault.As(err); fe == nil || fe.Kind != fault.KindBadRequest || !strings.Contains(err.Error(), "position 7") {
		t.Errorf("a bad filter: %v", err)
	}
}
