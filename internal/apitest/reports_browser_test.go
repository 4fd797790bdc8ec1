package apitest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDashboards: on the demo workspace the three built-in
// dashboards draw every card as a chart, in the browser, and the period
// picker changes the period without a button.
func TestBrowserDashboards(t *testing.T) {
	ctx, e, _ := demoTab(t, 90*time.Second, 200)
	var cards, charts, errors int
	var period string
	err := chromedp.Do(ctx,
		signInAt(e.Server.URL+"/dashboards/sales"),
		chromedp.WaitVisible(chromedp.CSS(`.dashboard-grid`)),
		count(`.dashboard-grid .report-card`, &cards),
		count(`.dashboard-grid svg.chart`, &charts),
		count(`.dashboard-grid .field-error`, &errors),
		shot("dashboard-sales"),
		chromedp.SetValue(chromedp.CSS(`select[name=range]`), "last_year"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector("select[name=range]").dispatchEvent(new Event("change", {bubbles: true}))`)(ctx, tg)
			return err
		}),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.dashboard-grid`)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			loc, err := chromedp.Location()(ctx, tg)
			period = loc
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cards != 7 || charts != 7 || errors != 0 {
		t.Errorf("sales dashboard: %d cards, %d charts, %d errors", cards, charts, errors)
	}
	if period != e.Server.URL+"/dashboards/sales?range=last_year&owner_id=" {
		t.Errorf("the period picker went to %s", period)
	}
	for _, name := range []string{"marketing", "service"} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.Server.URL+"/dashboards/"+name),
			chromedp.WaitVisible(chromedp.CSS(`.dashboard-grid`)),
			count(`.dashboard-grid .report-card`, &cards),
			count(`.dashboard-grid .field-error`, &errors),
			shot("dashboard-"+name),
		)
		if err != nil {
			t.Fatal(err)
		}
		if cards < 5 || errors != 0 {
			t.Errorf("%s dashboard: %d cards, %d errors", name, cards, errors)
		}
	}
}

// count counts the elements a selector matches.
func count(sel string, dst *int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		n, err := chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`)(ctx, tg)
		*dst = n
		return err
	})
}
