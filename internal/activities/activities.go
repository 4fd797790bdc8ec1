// Package activities is what people log about records: notes, calls,
// meetings and emails. The record engine stores them as the built-in
// object activities; this package checks the records an activity relates
// to and puts the activity on each of their timelines.
package activities

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Object is the activities' object name.
const Object = "activities"

// Service ties activities to the records they are about.
type Service struct {
	eng     *records.Engine
	log     *events.Log
	schemas *schema.Registry
}

// New registers the checks and the timeline hook. Call at start-up.
func New(eng *records.Engine, log *events.Log, schemas *schema.Registry) *Service {
	s := &Service{eng: eng, log: log, schemas: schemas}
	eng.Validate(Object, s.validate)
	log.OnAppend(s.link)
	return s
}

// Refs returns the records a stored activity relates to.
func Refs(rec records.Record) []events.Ref {
	list, _ := rec["related"].([]map[string]any)
	out := make([]events.Ref, 0, len(list))
	for _, m := range list {
		object, _ := m["object"].(string)
		id, _ := m["id"].(string)
		out = append(out, events.Ref{Object: object, ID: id})
	}
	return out
}

// validate requires every related record to exist and to be one the
// author may see. Activities relate to records, not to other activities
// or to settings.
func (s *Service) validate(ctx context.Context, tx *sql.Tx, p access.Principal, rec records.Record) error {
	return CheckRefs(ctx, tx, s.eng, s.schemas, p, Refs(rec), Object)
}

// CheckRefs requires every record refs name to exist and to be one p may
// see, and none to be of the objects refused (nor a setting): what an
// activity or an email is about.
func CheckRefs(ctx context.Context, tx *sql.Tx, eng *records.Engine, schemas *schema.Registry, p access.Principal, refs []events.Ref, refused ...string) error {
	sch, err := schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	var errs []fault.FieldError
	for i, r := range refs {
		o, ok := sch.Object(r.Object)
		if !ok || slices.Contains(refused, o.Name) || o.Name == "webhooks" {
			errs = append(errs, fault.FieldError{Field: fmt.Sprintf("related[%d].object", i), Message: fmt.Sprintf("%q is not an object this can be about", r.Object)})
			continue
		}
		if _, err := eng.GetIn(ctx, tx, p, r.Object, r.ID); err != nil {
			if k := fault.KindOf(err); k != fault.KindNotFound && k != fault.KindForbidden {
				return err
			}
			errs = append(errs, fault.FieldError{Field: fmt.Sprintf("related[%d].id", i), Message: fmt.Sprintf("no %s record with id %q", r.Object, r.ID)})
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// link appends, for each activity created, an event on every record it
// relates to, at the time the activity happened: that is how it reaches
// their timelines (and webhooks, as e.g. contact.note).
func (s *Service) link(ctx context.Context, tx *sql.Tx, evs []*events.Event) error {
	var links []*events.Event
	var sch *schema.Schema
	for _, ev := range evs {
		if ev.Object != Object || ev.Kind != "created" || ev.Record == nil {
			continue
		}
		if sch == nil {
			var err error
			if sch, err = s.schemas.Get(ctx, ev.WorkspaceID); err != nil {
				return err
			}
		}
		rec := records.Record(ev.Record)
		kind, _ := rec["kind"].(string)
		at, ok := rec["occurred_at"].(time.Time)
		if !ok {
			at = ev.At
		}
		subject, _ := rec["subject"].(string)
		data := map[string]any{"activity_id": rec.ID(), "subject": rec["subject"], "body": rec["body"], "occurred_at": at}
		for _, r := range Refs(rec) {
			singular := r.Object
			if o, ok := sch.Object(r.Object); ok {
				singular = o.Singular
			}
			links = append(links, &events.Event{
				WorkspaceID: ev.WorkspaceID, ActorID: ev.ActorID, Object: r.Object, RecordID: r.ID, Kind: kind,
				Singular: singular, Summary: summary(kind, subject), At: at.UTC(), Data: data,
			})
		}
	}
	if len(links) == 0 {
		return nil
	}
	return s.log.AppendMany(ctx, tx, links)
}

func summary(kind, subject string) string {
	if subject == "" {
		return "Logged a " + kind
	}
	return kind + ": " + subject
}
