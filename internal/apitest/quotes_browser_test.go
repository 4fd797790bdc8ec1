package apitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestBrowserQuote builds a quote in a real Chromium: from a deal's page
// to a new quote, a product picked for the first line, saved (each line's
// amount and the totals shown), then sent by email; the mail with the PDF
// reaches a real SMTP server.
func TestBrowserQuote(t *testing.T) {
	ctx, e, p := demoTab(t, 30*time.Second, 60)
	ingrid, err := e.Sys.Records.Create(context.Background(), p, "contacts", map[string]any{"first_name": "Ingrid", "last_name": "Sørensen", "email": "ingrid@nordlicht.example"})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := e.Sys.Records.Create(context.Background(), p, "deals", map[string]any{"name": "Nordlicht expansion", "amount": "24000", "contact_ids": []string{ingrid.ID()}})
	if err != nil {
		t.Fatal(err)
	}
	products, err := e.Sys.Records.List(context.Background(), p, "products", records.Query{Filter: `sku = "PLT-SEAT"`})
	if err != nil || len(products.Data) != 1 {
		t.Fatalf("demo products: %v", err)
	}
	var totals, flash string
	err = chromedp.Do(ctx,
		signInAt(e.Server.URL+"/deals/"+deal.ID()),
		chromedp.Click(chromedp.CSS(`ul.create a[href^="/quotes/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.lines`)),
		chromedp.SetValue(chromedp.CSS(`select[name="line_items.product_id"]`), products.Data[0].ID()),
		chromedp.SendKeys(chromedp.CSS(`input[name="line_items.quantity"]`), "40"),
		chromedp.SendKeys(chromedp.CSS(`input[name="line_items.discount_percent"]`), "10"),
		chromedp.Submit(chromedp.CSS(`input[name="line_items.quantity"]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`fieldset.lines tfoot`)),
		textOf(`fieldset.lines tfoot`, &totals),
		shot("quote"),
		chromedp.Submit(chromedp.CSS(`#q-subject`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textOf(`.flash`, &flash),
	)
	if err != nil {
		t.Fatal(err)
	}
	// 40 seats at 480.00, less 10 %: 17,280.00, and 19 % tax: 3,283.20.
	if f := strings.Join(strings.Fields(totals), " "); f != "Subtotal €17,280.00 Discount €1,920.00 Tax €3,283.20 Total €20,563.20" {
		t.Errorf("totals: %q", f)
	}
	if !strings.Contains(flash, "is on its way") {
		t.Errorf("flash after sending: %q", flash)
	}
	for {
		ran, err := e.Sys.Jobs.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			break
		}
	}
	if msgs := e.Mail.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Data, "application/pdf") {
		t.Errorf("mail sent: %d", len(msgs))
	}
}
