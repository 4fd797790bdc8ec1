package apitest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBoardDrag drags a deal's card onto another column of the
// board in a real Chromium: the column is highlighted while the card is
// over it, and the drop moves the deal (the page comes back with the
// move's message and the card in its new column).
func TestBrowserBoardDrag(t *testing.T) {
	ctx, e, p := demoTab(t, 30*time.Second, 150)
	deal, err := e.Sys.Records.Create(context.Background(), p, "deals", map[string]any{"name": "Acme renewal", "amount": "12500"})
	if err != nil {
		t.Fatal(err)
	}
	drag := `(function () {
	  var card = document.querySelector('.deal-card[data-id="` + deal.ID() + `"]');
	  var target = document.querySelector('.column[data-stage="proposal"] .cards');
	  var dt = new DataTransfer();
	  card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
	  target.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
	  var lit = target.closest(".column").classList.contains("drop-target");
	  target.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
	  return lit;
	})()`
	var lit bool
	var flash, proposal string
	err = chromedp.Do(ctx,
		signInAt(e.Server.URL+"/deals/board"),
		chromedp.WaitVisible(chromedp.CSS(`.deal-card[data-id="`+deal.ID()+`"]`)),
		shot("board"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			lit, err = chromedp.Evaluate[bool](drag)(ctx, tg)
			return err
		}),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textOf(`.flash`, &flash),
		textOf(`.column[data-stage="proposal"]`, &proposal),
		chromedp.Navigate(e.Server.URL+"/pipelines/"+fmt.Sprint(deal["pipeline_id"])+"/forecast"),
		chromedp.WaitVisible(chromedp.CSS(`svg.bars`)),
		shot("forecast"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !lit {
		t.Error("the column under the card was not highlighted")
	}
	if !strings.Contains(flash, "Moved Acme renewal to Proposal") || !strings.Contains(proposal, "Acme renewal") {
		t.Errorf("after the drop: flash %q, proposal column %q", flash, proposal)
	}
	rec, err := e.Sys.Records.Get(context.Background(), p, "deals", deal.ID(), false)
	if err != nil || rec["stage_id"] != "proposal" {
		t.Errorf("the deal's stage: %v (%v)", rec["stage_id"], err)
	}
}
