package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/notify"
)

// RemindJob is the kind of the job that reminds a task's assignee.
const RemindJob = "task.remind"

type remindPayload struct {
	TaskID   string    `json:"task_id"`
	RemindAt time.Time `json:"remind_at"`
}

// remind tells a task's assignee about it, in the app and by mail (when
// a mail server is set up), unless the task was done, trashed, or its
// reminder moved since the job was queued (the new time has its own job).
// The notification's id is the job's, so a run again after a failed mail
// adds no second one.
func (s *Service) remind(ctx context.Context, j *jobs.Job) error {
	var pl remindPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("task reminder payload: %w", err))
	}
	task, err := s.eng.Get(ctx, access.System(j.WorkspaceID), Object, pl.TaskID, false)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if done, _ := task["done"].(bool); done || !timeOf(task["remind_at"]).Equal(pl.RemindAt) {
		return nil
	}
	userID, _ := task["assignee_id"].(string)
	if userID == "" {
		return nil
	}
	u, err := s.dir.User(ctx, j.WorkspaceID, userID)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	ws, err := s.dir.Workspace(ctx, j.WorkspaceID)
	if err != nil {
		return err
	}
	l := s.catalog.Get(u.Locale)
	title, _ := task["title"].(string)
	body := ""
	if due, ok := task["due_at"].(time.Time); ok {
		body = l.T("task.reminder.due", l.Time(InZone(due, ws.TimeZone)))
	}
	link := "/tasks/" + task.ID()
	err = s.notes.Add(ctx, j.WorkspaceID, userID, notify.Notification{ID: j.ID, Kind: "task_reminder",
		Title: l.T("task.reminder.title", title), Body: body, Link: link})
	if err != nil {
		return err
	}
	if s.send == nil || u.Email == "" {
		return nil
	}
	text := body
	if desc, _ := task["description"].(string); desc != "" {
		text += "\n\n" + desc
	}
	if s.publicURL != "" {
		text += "\n\n" + strings.TrimSuffix(s.publicURL, "/") + link
	}
	err = s.send.Notice(ctx, j.WorkspaceID, mail.Message{To: []string{u.Email}, Subject: l.T("task.reminder.title", title), Text: text})
	switch {
	case errors.Is(err, email.ErrNoServer):
		return nil // the reminder is in the app
	case err != nil && mail.Permanent(err):
		return jobs.Permanent(err)
	}
	return err
}

// Mailer sends Rapport's own mail to a workspace's users (the email
// service: the install's server, else the workspace's mail account).
type Mailer interface {
	Notice(ctx context.Context, ws string, m mail.Message) error
}

// InZone is t in a workspace's time zone (UTC when it names none known).
func InZone(t time.Time, zone string) time.Time {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		return t.In(loc)
	}
	return t.UTC()
}
