// Package privacy answers a data subject's requests about a contact:
// access (everything held on the person, as one document) and erasure
// (their data removed, with what it touched).
package privacy

import (
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// Service handles data subject requests.
type Service struct {
	eng *records.Engine
	log *events.Log
	now func() time.Time
}

// New returns the service.
func New(eng *records.Engine, log *events.Log, now func() time.Time) *Service {
	return &Service{eng: eng, log: log, now: now}
}

// maxHistory bounds the events an access request gathers.
const maxHistory = 100000

// Export is everything held on a contact: the record, its company, the
// activities about it, and its history.
type Export struct {
	ExportedAt time.Time        `json:"exported_at"`
	Contact    records.Record   `json:"contact"`
	Company    records.Record   `json:"company,omitempty"`
	Activities []records.Record `json:"activities"`
	History    []events.Event   `json:"history"`
	Note       string           `json:"note"`
}

// Access gathers a contact's data (GDPR art. 15). Admins and managers only.
func (s *Service) Access(ctx context.Context, p access.Principal, id string) (*Export, error) {
	if err := access.CanErase(p); err != nil {
		return nil, err
	}
	c, err := s.eng.Get(ctx, p, "contacts", id, false)
	if err != nil {
		return nil, err
	}
	out := &Export{ExportedAt: s.now().UTC(), Contact: c, Activities: []records.Record{},
		Note: "Everything this CRM holds on the person: the contact record, the company it belongs to, the activities logged about it, and the history of changes."}
	if company, ok := c["company_id"].(string); ok && company != "" {
		if rec, err := s.eng.Get(ctx, p, "companies", company, false); err == nil {
			out.Company = rec
		}
	}
	history, err := s.log.Timeline(ctx, p.WorkspaceID, []events.Ref{{Object: "contacts", ID: id}}, "", maxHistory)
	if err != nil {
		return nil, err
	}
	out.History = history
	ids := activityIDs(history)
	if len(ids) > 0 {
		found, err := s.eng.GetMany(ctx, p, activities.Object, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if a, ok := found[id]; ok {
				out.Activities = append(out.Activities, a)
			}
		}
	}
	return out, nil
}

// Erase removes a contact's data (GDPR art. 17): the record's fields, its
// history's contents and search entry; activities about the person alone
// are erased too, and the person is taken off activities that are also
// about others. Tombstone events record that it happened and who did it.
func (s *Service) Erase(ctx context.Context, p access.Principal, id string) error {
	if err := access.CanErase(p); err != nil {
		return err
	}
	if _, err := s.eng.Get(ctx, p, "contacts", id, true); err != nil {
		return err
	}
	history, err := s.log.Timeline(ctx, p.WorkspaceID, []events.Ref{{Object: "contacts", ID: id}}, "", maxHistory)
	if err != nil {
		return err
	}
	for _, aid := range activityIDs(history) {
		if err := s.untangle(ctx, p, aid, id); err != nil {
			return err
		}
	}
	return s.eng.Erase(ctx, p, "contacts", id)
}

// untangle takes a contact off an activity: one about the contact alone,
// or in the trash, is erased; one also about others loses the contact.
func (s *Service) untangle(ctx context.Context, p access.Principal, activityID, contactID string) error {
	a, err := s.eng.Get(ctx, p, activities.Object, activityID, true)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil // erased already
	}
	if err != nil {
		return err
	}
	_, liveErr := s.eng.Get(ctx, p, activities.Object, activityID, false)
	var rest []any
	for _, r := range activities.Refs(a) {
		if r.Object != "contacts" || r.ID != contactID {
			rest = append(rest, map[string]any{"object": r.Object, "id": r.ID})
		}
	}
	if len(rest) == 0 || liveErr != nil {
		return s.eng.Erase(ctx, p, activities.Object, activityID)
	}
	_, err = s.eng.Update(ctx, p, activities.Object, activityID, map[string]any{"related": rest}, nil)
	return err
}

// activityIDs are the activities a history mentions, each once.
func activityIDs(history []events.Event) []string {
	var ids []string
	for _, ev := range history {
		if id, ok := ev.Data["activity_id"].(string); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}
