package apitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rapport-crm/rapport/internal/notify"
)

// TestBrowserMyTasks opens My tasks on a demo workspace in a real
// Chromium, with a reminder waiting under the bell, and completes the
// first task by its round button: the page comes back with the task gone
// and the message that it is done.
func TestBrowserMyTasks(t *testing.T) {
	ctx, e, p := demoTab(t, 30*time.Second, 60)
	// The demo's follow-ups fall to its sales team at random: one surely Ada's, the longest overdue.
	if _, err := e.Sys.Records.Create(context.Background(), p, "tasks", map[string]any{"title": "Send the signed contract", "due_at": time.Now().AddDate(0, -1, 0).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Sys.Notify.Add(context.Background(), e.WS, p.UserID, notify.Notification{ID: "n1", Kind: "task_reminder", Title: "Reminder: Call back about the proposal", Link: "/tasks/mine"}); err != nil {
		t.Fatal(err)
	}
	var bell, first, flash, after string
	err := chromedp.Do(ctx,
		signInAt(e.Server.URL+"/tasks/mine"),
		chromedp.WaitVisible(chromedp.CSS(`section.tasks`)),
		textOf(`.sidebar .bell .count`, &bell),
		textOf(`.task-list li .title`, &first),
		shot("tasks"),
		chromedp.Click(chromedp.CSS(`.task-list li .check-button`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textOf(`.flash`, &flash),
		textOf(`section.overdue`, &after),
	)
	if err != nil {
		t.Fatal(err)
	}
	if bell != "1" {
		t.Errorf("the bell: %q", bell)
	}
	if first != "Send the signed contract" || !strings.Contains(flash, "Done: "+first) || strings.Contains(after, first) {
		t.Errorf("completing %q: flash %q", first, flash)
	}
}
