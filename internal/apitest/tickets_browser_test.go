package apitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// TestBrowserTicketKeys works a ticket from the keyboard in a real
// Chromium: "n" starts an internal note, typing it tells the other agents
// (the collision notice, through the page's heartbeat), Ctrl-Enter sends
// it, "r" goes back to a reply, and "s" solves the ticket.
func TestBrowserTicketKeys(t *testing.T) {
	ctx, e, p := adminTab(t, 40*time.Second)
	bg := context.Background()
	pat, err := e.Sys.Records.Create(bg, p, "contacts", map[string]any{"first_name": "Pat", "email": "pat@customer.example"})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := e.Sys.Records.Create(bg, p, tickets.Object, map[string]any{"subject": "Printer jams", "contact_id": pat.ID()})
	if err != nil {
		t.Fatal(err)
	}
	// Support has the ticket open too.
	e.Vars["t"] = tk.ID()
	e.Run(t, []Scenario{{Name: "support looks", Role: access.Support, Method: "POST", Path: "/api/v1/tickets/{{t}}/viewers", Body: `{}`, Status: 200}})

	var notice, active, kind string
	err = chromedp.Do(ctx,
		signInAt(e.Server.URL+"/tickets/"+tk.ID()),
		chromedp.WaitVisible(chromedp.CSS(`#answer`)),
		textOf(`#viewers`, &notice),
		chromedp.KeyEvent("n"),
		readActive(&active),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			v, err := chromedp.Evaluate[string](`document.querySelector("#answer input[name=kind]:checked").value`)(ctx, tg)
			kind = v
			return err
		}),
		// The key event types its "n" into the box it focused, which a
		// real keyboard would not.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.getElementById("tk-body").value = "", true`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.CSS(`#tk-body`), "Paper tray 2 is bent."),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notice, "support is looking at this ticket too") {
		t.Errorf("the collision notice: %q", notice)
	}
	if active != "tk-body" || kind != "note" {
		t.Fatalf(`after "n": focus on %q, kind %q`, active, kind)
	}
	// The page said, as the note began, that Ada is writing.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.Do(access.Support, "POST", "/api/v1/tickets/"+tk.ID()+"/viewers", `{}`, nil)
		if strings.Contains(string(r.Body), `"name":"Ada Admin","replying":true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("support does not see Ada writing: %s", r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var flash string
	err = chromedp.Do(ctx,
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textOf(`.flash`, &flash),
		chromedp.WaitVisible(chromedp.CSS(`#answer`)),
		chromedp.ScrollIntoView(chromedp.CSS(`section.conversation`)),
		shot("ticket"),
		chromedp.KeyEvent("r"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			v, err := chromedp.Evaluate[string](`document.querySelector("#answer input[name=kind]:checked").value`)(ctx, tg)
			kind = v
			return err
		}),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.activeElement.blur(), true`)(ctx, tg)
			return err
		}),
		chromedp.KeyEvent("s"),
		chromedp.WaitNotPresent(chromedp.CSS(`#solve`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "Note added.") || kind != "reply" {
		t.Errorf("after Ctrl-Enter: %q; after \"r\": %q", flash, kind)
	}
	msgs, err := e.Sys.Tickets.Messages(bg, p, tk.ID())
	if err != nil || len(msgs) != 1 || !msgs[0].Internal || msgs[0].Body != "Paper tray 2 is bent." {
		t.Fatalf("the note: %+v %v", msgs, err)
	}
	got, err := e.Sys.Records.Get(bg, p, tickets.Object, tk.ID(), false)
	if err != nil || got["status"] != "solved" {
		t.Fatalf("after \"s\": %v %v", got["status"], err)
	}
}
