package apitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/records"
)

// TestBrowserEmailThread opens, in a real Chromium, a demo email that was
// answered: the page shows the conversation, oldest first, with the
// answer under it, and offers a reply to the contact.
func TestBrowserEmailThread(t *testing.T) {
	ctx, e, p := demoTab(t, 40*time.Second, 300)
	answers, err := e.Sys.Records.List(context.Background(), p, email.Object, records.Query{Filter: `direction = "in" AND in_reply_to:*`, PageSize: 1})
	if err != nil || len(answers.Data) == 0 {
		t.Fatalf("the demo has no answered email: %v", err)
	}
	answer := answers.Data[0]
	var thread, to string
	err = chromedp.Do(ctx,
		signInAt(e.Server.URL+"/emails/"+answer.ID()),
		chromedp.WaitVisible(chromedp.CSS(`section.thread`)),
		textOf(`section.thread`, &thread),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			v, err := chromedp.Value(chromedp.CSS(`#em-to`))(ctx, tg)
			to = v
			return err
		}),
		shot("email"),
	)
	if err != nil {
		t.Fatal(err)
	}
	sentFirst := strings.Index(thread, "sent")
	received := strings.Index(thread, "received")
	words := strings.Join(strings.Fields(answer["body_text"].(string)), " ")
	if sentFirst < 0 || received < sentFirst || !strings.Contains(strings.Join(strings.Fields(thread), " "), words) {
		t.Errorf("the conversation: %q", thread)
	}
	if from := answer["from"].(string); !strings.Contains(from, to) || to == "" {
		t.Errorf("the reply goes to %q, the answer came from %q", to, from)
	}
}
