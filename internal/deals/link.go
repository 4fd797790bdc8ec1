package deals

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/records"
)

// link puts a deal's opening and each of its stage changes on the
// timelines of its company and contacts, as deal_stage events that point
// back at the deal.
func (s *Service) link(ctx context.Context, tx *sql.Tx, evs []*events.Event) error {
	var links []*events.Event
	for _, ev := range evs {
		if ev.Object != Object || ev.Record == nil || ev.Kind != "created" && ev.Kind != "deal_stage" {
			continue
		}
		rec := records.Record(ev.Record)
		name, _ := rec["name"].(string)
		data := map[string]any{"deal_id": rec.ID(), "name": name, "amount": rec["amount"], "currency": rec["currency"],
			"stage_id": rec["stage_id"], "status": rec["status"]}
		summary := "Opened deal " + name
		if ev.Kind == "deal_stage" {
			to, _ := ev.Data["to"].(map[string]any)
			data["stage"] = to["stage"]
			summary = fmt.Sprintf("Deal %s moved to %v", name, to["stage"])
		}
		var targets []events.Ref
		if company, ok := rec["company_id"].(string); ok && company != "" {
			targets = append(targets, events.Ref{Object: "companies", ID: company})
		}
		contacts, _ := rec["contact_ids"].([]string)
		for _, id := range contacts {
			targets = append(targets, events.Ref{Object: "contacts", ID: id})
		}
		for _, t := range targets {
			singular := "contact"
			if t.Object == "companies" {
				singular = "company"
			}
			links = append(links, &events.Event{
				WorkspaceID: ev.WorkspaceID, ActorID: ev.ActorID, Object: t.Object, RecordID: t.ID, Kind: "deal_stage",
				Singular: singular, Summary: summary, At: ev.At, Data: data,
			})
		}
	}
	if len(links) == 0 {
		return nil
	}
	return s.log.AppendMany(ctx, tx, links)
}
