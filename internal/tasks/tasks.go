// Package tasks is what people plan to do: tasks about a record, with an
// assignee, a due time and a reminder. The record engine stores them as
// the built-in object tasks; this package keeps a task whole (its
// assignee owns it, its completion time), puts its planning and its
// completion on the timeline of the record it is about, reminds the
// assignee in the app and by mail (a job at the reminder's time), lists a
// user's tasks as "My tasks", and serves them as a calendar feed.
package tasks

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Object is the tasks' object name.
const Object = "tasks"

// Directory is what tasks read of the workspace and its users.
type Directory interface {
	Workspace(ctx context.Context, ws string) (*auth.Workspace, error)
	User(ctx context.Context, ws, id string) (*auth.User, error)
}

// Service keeps tasks and reminds people of them.
type Service struct {
	eng       *records.Engine
	schemas   *schema.Registry
	queue     *jobs.Queue
	notes     *notify.Service
	dir       Directory
	send      Mailer // nil: reminders only in the app
	catalog   *i18n.Catalog
	publicURL string
	now       func() time.Time
}

// Options are the Service's collaborators.
type Options struct {
	Schemas   *schema.Registry
	Queue     *jobs.Queue
	Notify    *notify.Service
	Directory Directory
	Mail      Mailer
	Catalog   *i18n.Catalog
	PublicURL string // the base of links in reminder mail
}

// New registers the rule and the reminder job. Call at start-up.
func New(eng *records.Engine, o Options, now func() time.Time) *Service {
	s := &Service{eng: eng, schemas: o.Schemas, queue: o.Queue, notes: o.Notify, dir: o.Directory, send: o.Mail, catalog: o.Catalog, publicURL: o.PublicURL, now: now}
	eng.Keep(Object, s.keep)
	o.Queue.Handle(RemindJob, s.remind)
	return s
}

// Related is the record a task is about, if any.
func Related(task records.Record) (events.Ref, bool) {
	m, _ := task["related"].(map[string]any)
	object, _ := m["object"].(string)
	id, _ := m["id"].(string)
	return events.Ref{Object: object, ID: id}, object != "" && id != ""
}

// keep fills and checks a task: its assignee (whoever makes it, unless
// given) owns it, so that they may change and complete it; it is about a
// record that exists; done stamps completed_at; a reminder to come is a
// job at its time. Planning a task about a record and completing it are
// events on that record's timeline.
func (s *Service) keep(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	if before == nil && after["assignee_id"] == nil && p.UserID != "" {
		after["assignee_id"] = p.UserID
	}
	if a, ok := after["assignee_id"].(string); ok && a != "" {
		after["owner_id"] = a
	}
	if after["done"] == nil {
		after["done"] = false
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	done, _ := after["done"].(bool)
	wasDone, _ := before["done"].(bool)
	switch {
	case done && (before == nil || !wasDone):
		after["completed_at"] = now
	case !done:
		after["completed_at"] = nil
	}
	ref, hasRef := Related(after)
	if hasRef && (before == nil || fmt.Sprint(before["related"]) != fmt.Sprint(after["related"])) {
		if err := s.checkRelated(ctx, tx, p, ref); err != nil {
			return nil, err
		}
	}
	if at, ok := after["remind_at"].(time.Time); ok && !done && (before == nil || !at.Equal(timeOf(before["remind_at"])) || wasDone) && at.After(now.Add(-time.Minute)) {
		if err := s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: RemindJob, RunAt: at,
			UniqueKey: fmt.Sprintf("task.remind:%s:%d", after.ID(), at.Unix()),
			Payload:   remindPayload{TaskID: after.ID(), RemindAt: at}}); err != nil {
			return nil, err
		}
	}
	if !hasRef {
		return nil, nil
	}
	title, _ := after["title"].(string)
	data := map[string]any{"task_id": after.ID(), "title": title, "due_at": after["due_at"], "assignee_id": after["assignee_id"], "done": done}
	var summary string
	switch {
	case before == nil && done:
		summary = "Completed task " + title
	case before == nil:
		summary = "Planned task " + title
	case done && !wasDone:
		summary = "Completed task " + title
	default:
		return nil, nil
	}
	sch, err := s.schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	singular := ref.Object
	if o, ok := sch.Object(ref.Object); ok {
		singular = o.Singular
	}
	var actor *string
	if p.UserID != "" {
		actor = &p.UserID
	}
	return []*events.Event{{WorkspaceID: p.WorkspaceID, ActorID: actor, Object: ref.Object, RecordID: ref.ID, Kind: "task",
		Singular: singular, Summary: summary, Data: data}}, nil
}

// checkRelated requires the record a task is about to exist and be one
// the user may see; tasks are about records, not settings or tasks.
func (s *Service) checkRelated(ctx context.Context, tx *sql.Tx, p access.Principal, ref events.Ref) error {
	sch, err := s.schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	if o, ok := sch.Object(ref.Object); !ok || o.Name == Object || o.Name == "webhooks" || o.Name == "pipelines" {
		return fault.Invalid(fault.FieldError{Field: "related.object", Message: fmt.Sprintf("%q is not an object tasks are about", ref.Object)})
	}
	if _, err := s.eng.GetIn(ctx, tx, p, ref.Object, ref.ID); err != nil {
		if k := fault.KindOf(err); k != fault.KindNotFound && k != fault.KindForbidden {
			return err
		}
		return fault.Invalid(fault.FieldError{Field: "related.id", Message: fmt.Sprintf("no %s record with id %q", ref.Object, ref.ID)})
	}
	return nil
}

func timeOf(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}
