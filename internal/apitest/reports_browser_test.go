package apitest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/records"
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
		// Choose a period as a person does: the select changes, and fires.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(s => (s.value = "last_year", s.dispatchEvent(new Event("change", {bubbles: true}))))(document.querySelector("select[name=range]"))`)(ctx, tg)
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

// TestBrowserReportJourney is the reports' "done when": a manager builds
// "won revenue by owner by quarter" in the builder, saves it as a bar
// chart mailed weekly, puts it on a dashboard of their own, shares that
// with the sales team, and gets the report by mail on Monday morning.
func TestBrowserReportJourney(t *testing.T) {
	ctx, e, p := adminTab(t, 60*time.Second)
	bg := context.Background()
	if _, err := e.Sys.Auth.CreateUser(bg, p, e.WS, auth.NewUser{Email: "mia@acme.example", Name: "Mia Manager", Role: "manager", Password: "a long password"}); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	e.Clock.Set(time.Date(2026, 6, 17, 10, 0, 0, 0, berlin)) // a Wednesday
	e.Run(t, []Scenario{
		{Name: "Berlin", Method: "PATCH", Path: "/api/v1/workspace", Body: `{"time_zone":"Europe/Berlin"}`, Status: 200},
		{Name: "won", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Acme renewal","amount":"1200.50","stage_id":"won"}`, Status: 201, Events: 1},
		{Name: "won too", Role: access.Manager, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Globex","amount":"800","stage_id":"won"}`, Status: 201, Events: 1},
		{Name: "open", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Initech","amount":"5000","stage_id":"demo"}`, Status: 201, Events: 1},
	})
	set := func(sel string, i int, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(document.querySelectorAll(`+strconv.Quote(sel)+`)[`+strconv.Itoa(i)+`].value = `+strconv.Quote(value)+`, true)`)(ctx, tg)
			return err
		})
	}
	var bars, cards int
	var flash, location string
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.Server.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "mia@acme.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a long password"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		settle,
		chromedp.Navigate(e.Server.URL+"/reports"),
		chromedp.Click(chromedp.CSS(`a[href="/reports/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.report-builder`)),
		// Group by owner, then by the quarter the deal was won; sum the
		// amount; only won deals.
		set(`select[name=group]`, 0, "owner_id"),
		set(`select[name=group]`, 1, "stage_entered_at:quarter"),
		set(`select[name=m_fn]`, 0, "sum"),
		set(`select[name=m_field]`, 0, "amount"),
		set(`select[name=add_field]`, 0, "status"),
		set(`select[name=add_op]`, 0, "="),
		chromedp.SendKeys(chromedp.CSS(`input[name=add_value]`), "won"),
		chromedp.Click(chromedp.CSS(`form.report-builder button[type=submit]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.report-card .chart-box`)), // an SVG has no box that chromedp sees
		count(`.report-card svg.chart rect[fill]`, &bars),
		shot("report-builder"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Won revenue by owner by quarter"),
		chromedp.Click(chromedp.CSS(`input[name=share_roles][value=sales]`)),
		set(`select[name=schedule]`, 0, "weekly"),
		chromedp.Click(chromedp.CSS(`form[method=post][action="/reports/new"] button[type=submit]`)),
		settle,
		textOf(`.flash`, &flash),
	)
	if err != nil {
		t.Fatal(err)
	}
	if bars != 2 {
		t.Errorf("the preview drew %d bars, want one per owner", bars)
	}
	if !strings.Contains(flash, "Saved Won revenue by owner by quarter") {
		t.Fatalf("saving said %q", flash)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.Server.URL+"/reports"),
		chromedp.SendKeys(chromedp.CSS(`#new-dashboard`), "Sales team"),
		chromedp.Click(chromedp.CSS(`form[action="/dashboards"] button`)),
		settle,
		// The new dashboard opens to be filled: add the report, share it.
		chromedp.WaitVisible(chromedp.CSS(`#add-report`)),
		chromedp.SetValue(chromedp.CSS(`#add-report`), reportID(t, e, "Won revenue by owner by quarter")),
		chromedp.Click(chromedp.CSS(`form.builder button[type=submit]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.dashboard-grid`)),
		shot("dashboard-edit"),
		chromedp.Click(chromedp.CSS(`#edit-title ~ form input[name=share_roles][value=sales]`)),
		chromedp.Click(chromedp.CSS(`#edit-title ~ form > button[type=submit]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.dashboard-grid`)),
		count(`.dashboard-grid .report-card svg.chart`, &cards),
		shot("dashboard-team"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			loc, err := chromedp.Location()(ctx, tg)
			location = loc
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cards != 1 {
		t.Errorf("the dashboard shows %d charts", cards)
	}
	e.Vars["board"] = strings.TrimPrefix(location, e.Server.URL+"/dashboards/")
	e.Run(t, []Scenario{
		{Name: "the sales team sees it", Role: access.Sales, Method: "GET", Path: "/api/v1/dashboards/{{board}}", Status: 200, Contains: []string{
			`"name":"Sales team"`, `"name":"Won revenue by owner by quarter"`, `"rows":[`}},
		{Name: "support does not", Role: access.Support, Method: "GET", Path: "/api/v1/dashboards/{{board}}", Status: 404},
	})
	// Monday 22 June, seven in the morning in Berlin.
	e.Clock.Set(time.Date(2026, 6, 22, 7, 0, 0, 0, berlin))
	drain(t, e)
	drain(t, e)
	var got bool
	for _, m := range e.Mail.Messages() {
		got = got || m.To[0] == "mia@acme.example" && strings.Contains(m.Data, "Weekly: Won revenue by owner by quarter")
	}
	if !got {
		t.Errorf("no weekly mail to the manager among %d", len(e.Mail.Messages()))
	}
}

// reportID finds a saved report by its name.
func reportID(t *testing.T, e *Env, name string) string {
	t.Helper()
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "reports", records.Query{Filter: "name = " + strconv.Quote(name)})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("no report %q: %v", name, err)
	}
	return page.Data[0].ID()
}
