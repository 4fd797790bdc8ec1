package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
)

// demoCatalogue is the demo's price list.
var demoCatalogue = []map[string]any{
	{"name": "Platform licence (annual, per seat)", "sku": "PLT-SEAT", "prices": map[string]any{"EUR": "480", "USD": "520"}, "tax_percent": 19,
		"description": "Annual subscription per named user, with updates."},
	{"name": "Onboarding package", "sku": "SRV-ONB", "prices": map[string]any{"EUR": "2900", "USD": "3150"}, "tax_percent": 19,
		"description": "Set-up, data import and two training sessions."},
	{"name": "Premium support (annual)", "sku": "SUP-PRM", "prices": map[string]any{"EUR": "4800", "USD": "5200"}, "tax_percent": 19},
	{"name": "Integration day", "sku": "SRV-DAY", "prices": map[string]any{"EUR": "1150", "USD": "1250"}, "tax_percent": 19},
	{"name": "Training workbook", "sku": "DOC-WB", "prices": map[string]any{"EUR": "39.90", "USD": "44.00"}, "tax_percent": 7},
	{"name": "On-premise licence (legacy)", "sku": "PLT-ONP", "prices": map[string]any{"EUR": "9900"}, "tax_percent": 19, "active": false},
}

// seedQuotes gives the demo its price list and a quote for each deal that
// reached a proposal: sent when the deal entered the stage after it, a
// second version for some, accepted for the deals won and declined for
// some of those lost.
func seedQuotes(ctx context.Context, sys *System, p access.Principal, g *generator, clock *DemoClock, end time.Time, stdout io.Writer) error {
	eng := sys.Records
	clock.set(end.AddDate(-1, 0, -1))
	products, err := eng.CreateMany(ctx, access.System(p.WorkspaceID), quotes.Products, demoCatalogue)
	if err != nil {
		return fmt.Errorf("demo products: %w", err)
	}
	page, err := eng.List(ctx, p, deals.Object, records.Query{Filter: `stage_id = "proposal" OR stage_id = "negotiation" OR status = "won" OR stage_id = "contract"`, PageSize: 500})
	if err != nil {
		return fmt.Errorf("demo quotes: %w", err)
	}
	n, accepted := 0, 0
	for _, deal := range page.Data {
		owner := access.Principal{WorkspaceID: p.WorkspaceID, UserID: deal.Owner(), Role: access.Manager}
		entered, _ := deal["stage_entered_at"].(time.Time)
		created, _ := deal["created_at"].(time.Time)
		at := created.Add(entered.Sub(created) / 2)
		clock.set(at)
		lines := []any{map[string]any{"product_id": products[0].ID(), "quantity": 5 + g.r.IntN(60), "discount_percent": []string{"0", "0", "5", "10", "12.5"}[g.r.IntN(5)]}}
		if g.r.IntN(2) == 0 {
			lines = append(lines, map[string]any{"product_id": products[1].ID()})
		}
		if g.r.IntN(3) == 0 {
			lines = append(lines, map[string]any{"product_id": products[2+g.r.IntN(3)].ID(), "quantity": 1 + g.r.IntN(3)})
		}
		q, err := eng.Create(ctx, owner, quotes.Object, map[string]any{"deal_id": deal.ID(), "line_items": lines,
			"terms": "Prices exclude VAT where shown separately. Payment within 30 days of invoice."})
		if err != nil {
			return fmt.Errorf("demo quote: %w", err)
		}
		n++
		clock.set(at.Add(3 * time.Hour))
		if _, err := eng.Update(ctx, owner, quotes.Object, q.ID(), map[string]any{"status": "sent"}, nil); err != nil {
			return fmt.Errorf("demo quote sent: %w", err)
		}
		if g.r.IntN(4) == 0 { // asked for a better price: a second version
			clock.set(at.Add(50 * time.Hour))
			if q, err = sys.Quotes.Revise(ctx, owner, q.ID()); err != nil {
				return fmt.Errorf("demo quote version: %w", err)
			}
			lines[0].(map[string]any)["discount_percent"] = "15"
			if _, err := eng.Update(ctx, owner, quotes.Object, q.ID(), map[string]any{"line_items": lines}, nil); err != nil {
				return fmt.Errorf("demo quote version: %w", err)
			}
			if _, err := eng.Update(ctx, owner, quotes.Object, q.ID(), map[string]any{"status": "sent"}, nil); err != nil {
				return fmt.Errorf("demo quote version sent: %w", err)
			}
		}
		switch deal["status"] {
		case "won":
			clock.set(entered.Add(-time.Hour))
			if _, err := eng.Update(ctx, owner, quotes.Object, q.ID(), map[string]any{"status": "accepted"}, nil); err != nil {
				return fmt.Errorf("demo quote accepted: %w", err)
			}
			accepted++
		}
	}
	clock.set(time.Time{})
	fmt.Fprintf(stdout, "demo: created %d products and %d quotes (%d accepted)\n", len(products), n, accepted)
	return nil
}
